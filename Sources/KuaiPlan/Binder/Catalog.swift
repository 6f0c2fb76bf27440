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
    /// True when the catalog holds at least one macro (MacroExpansion.swift; default: false).
    var hasMacros: Bool { get }
    /// The scalar (`table` false) or table macro called `name` (case-insensitive), or nil (default: none).
    func lookupMacro(_ name: String, table: Bool) throws -> MacroDefinition?
}
