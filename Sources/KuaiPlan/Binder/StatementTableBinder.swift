import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// DESCRIBE, SUMMARIZE and SHOW read as a table (`FROM (DESCRIBE t)`, `WITH d AS (SHOW TABLES) ...`), as
    /// DuckDB allows: the statement's rows, computed now, as a `values` plan with the statement's columns
    /// (`QueryEngine.describe`, `summarize`, `showTables`). A table name may be a CTE in scope or a view.
    /// - Throws: `KuaiError.binding` for an unknown table, a query that does not bind, or another statement.
    func bindTableStatement(_ statement: Statement, at position: SourcePosition) throws -> (
        plan: LogicalPlan, columns: [ScopeColumn]
    ) {
        let result: QueryResult
        switch statement {
        case .describe(let name, let at):
            let scope = try bindNamedTable(name, qualifier: name, at: at).scope
            result = QueryEngine.describe(scope.map(\.field))
        case .describeQuery(let q):
            let q = try Binder.expandingMacros(q, catalog)
            result = QueryEngine.describe(QueryEngine.uniqueNames(try bindQuery(q).columns.map(\.field)))
        case .summarize(let target):
            result = try summarize(target, at: position)
        case .showTables:
            result = QueryEngine.showTables(catalog.tableNames)
        default:
            throw Binder.error("\(statement.sqlDescription.prefix(40)) cannot be read as a table", position)
        }
        let label = String(statement.sqlDescription.prefix(40))
        return (
            .values(schema: result.fields, batches: result.batches, label: label),
            result.fields.map { ScopeColumn(qualifier: nil, name: $0.name, type: $0.type) }
        )
    }
}
