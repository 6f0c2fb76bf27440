import KuaiCore
import KuaiExec
import KuaiSQL

/// A view as the store keeps it: its name, the query's source text and optional column names.
/// The text is parsed and bound each time the view is used (DuckDB's views), so a view follows the
/// tables it reads and fails with a binding error when one of them is gone.
public struct ViewDefinition: Sendable, Hashable {
    public var name: String
    /// The query text as written in `CREATE VIEW name AS <query>`.
    public var sql: String
    /// Names given as `CREATE VIEW v (a, b) AS ...`, renaming the query's first columns.
    public var columnNames: [String] = []
}

extension Catalog {
    /// Default: a catalog without views.
    public func lookupView(_ name: String) throws -> ViewDefinition? { nil }
}

/// The catalog seen inside a view's query: the same tables and views, except the views being expanded
/// (a view that reaches itself, directly or through other views, is a binding error, not a loop).
final class ViewExpansionCatalog: Catalog {
    let base: Catalog
    let expanding: [String]

    init(base: Catalog, expanding: String) {
        if let outer = base as? ViewExpansionCatalog {
            self.base = outer.base
            self.expanding = outer.expanding + [expanding.lowercased()]
        } else {
            self.base = base
            self.expanding = [expanding.lowercased()]
        }
    }

    var tableNames: [String] { base.tableNames }
    func lookupTable(_ name: String) throws -> TableSource? { try base.lookupTable(name) }
    var hasMacros: Bool { base.hasMacros }
    func lookupMacro(_ name: String, table: Bool) throws -> MacroDefinition? {
        try base.lookupMacro(name, table: table)
    }
    func lookupView(_ name: String) throws -> ViewDefinition? {
        if expanding.contains(name.lowercased()) {
            throw KuaiError(.binding, "view \"\(name)\" refers to itself")
        }
        return try base.lookupView(name)
    }
}

extension Binder {
    /// Binds a view used in FROM: parses its text and binds it in a scope of its own (no CTEs of the
    /// query using it), then renames the columns as the view says.
    /// - Throws: `KuaiError.binding` at `position` (where the query names the view) when the view's text no
    ///   longer parses or binds, e.g. `view "v": table "t" not found` after `DROP TABLE t`.
    func bindView(_ view: ViewDefinition, qualifier: String, at position: SourcePosition) throws -> (
        plan: LogicalPlan, scope: [ScopeColumn]
    ) {
        let query: Query
        do {
            guard case .select(let q) = try Parser.parse(view.sql) else {
                throw KuaiError(.syntax, "the view's text is not a query")
            }
            query = try Binder.expandingMacros(q, catalog)
        } catch let e as KuaiError {
            throw Binder.error("view \"\(view.name)\" cannot be read: \(e.message)", position)
        }
        let inner = Binder(catalog: ViewExpansionCatalog(base: catalog, expanding: view.name))
        inner.cteIds = cteIds
        inner.run = run
        var plan: LogicalPlan
        var cols: [ScopeColumn]
        do {
            (plan, cols) = try inner.bindQuery(query)
        } catch let e as KuaiError where e.kind == .binding || e.kind == .syntax {
            throw Binder.error("view \"\(view.name)\": \(e.message)", position)
        }
        for (i, n) in view.columnNames.enumerated() where i < cols.count { cols[i].name = n }
        if !view.columnNames.isEmpty {
            plan = .project(
                plan,
                cols.enumerated().map { BoundExpr.column($0.offset, type: $0.element.type, name: $0.element.name) },
                names: cols.map(\.name))
        }
        return (plan, cols.map { ScopeColumn(qualifier: qualifier, name: $0.name, type: $0.type) })
    }
}
