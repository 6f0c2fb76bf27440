import KuaiCore
import KuaiExec
import KuaiSQL

/// The tables a query can name.
public protocol Catalog: AnyObject {
    /// Table names, for error messages and SHOW TABLES.
    var tableNames: [String] { get }
    /// The table called `name` (case-insensitive), or nil.
    func lookupTable(_ name: String) throws -> TableSource?
    /// The view called `name` (case-insensitive), or nil (BinderViews.swift; default: no views).
    func lookupView(_ name: String) throws -> ViewDefinition?
}
