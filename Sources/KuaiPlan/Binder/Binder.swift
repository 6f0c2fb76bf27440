import KuaiCore
import KuaiExec
import KuaiSQL

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// Resolves names and types: turns the AST of KuaiSQL into a `LogicalPlan` with `BoundExpr`s
/// (DuckDB's type rules; see `bindBinary`). Binding runs nothing: uncorrelated subqueries are planned
/// as `subquery` expressions, which the engine computes when the query runs.
final class Binder {
    let catalog: Catalog
    /// CTEs in scope, innermost last.
    var ctes: [[String: (plan: LogicalPlan, columns: [ScopeColumn])]] = []
    /// For a correlated subquery: the enclosing query's columns. A name found only there binds to
    /// `outerColumn(depth: 1, index:)` and must appear in a WHERE equality `inner = outer`.
    var outer: [ScopeColumn]? = nil
    /// The comparisons `inner op outer` taken out of a correlated subquery's WHERE; the subquery's
    /// output gets the inner expressions as extra trailing columns (GROUP BY keys if it aggregates).
    var correlations: [Correlation] = []
    /// True for the binder of an `[NOT] EXISTS` subquery: its correlations may be any comparison, not
    /// only keys (`Correlation.isKey`), as long as it does not aggregate.
    var allowsNonKeyCorrelations = false
    /// True for the binder of a join's right side, which may read the left side's columns (`outer`) anywhere
    /// (DuckDB's LATERAL): they stay `outerColumn` references for `bindLateralJoin` to decorrelate, and
    /// WHERE takes no correlations out.
    var lateral = false
    /// Whether the statement names `rowid` anywhere (`Query.mentionsRowId`, which the parser sets from its
    /// tokens, else the query's printed text; nil until the first `bindQuery` looks): only then do base
    /// tables get the `rowid` pseudo-column (`bindNamedTable`), so that other plans are exactly as they
    /// would be without it. Handed to sub-binders; a view's binder looks at the view's own text.
    var namesRowId: Bool? = nil

    /// Numbers shared CTEs and subqueries; one per statement, handed to sub-binders.
    var cteIds = CTECounter()
    /// Runs a bound plan to its rows (non-empty batches), for what a query needs computed before it can
    /// bind: the values of a PIVOT without IN list, the summary of SUMMARIZE in FROM. Set by the engine and
    /// handed to sub-binders; nil where nothing may run (those queries are then binding errors).
    var run: ((LogicalPlan) throws -> [Batch])? = nil

    init(catalog: Catalog) {
        self.catalog = catalog
    }

    static func error(_ message: String, _ pos: SourcePosition) -> KuaiError {
        KuaiError(.binding, message, at: pos.description)
    }

    /// Binds a full query: its CTEs, its body (with ORDER BY), LIMIT and OFFSET.
    /// - Returns: the plan and its output columns (qualifier nil).
    /// - Throws: `KuaiError.binding` for names, types and clauses used where they cannot be.
    func bindQuery(_ q: Query) throws -> (plan: LogicalPlan, columns: [ScopeColumn]) {
        if namesRowId == nil {
            namesRowId = q.mentionsRowId ?? q.sqlDescription.lowercased().contains(RowIdTable.columnName)
        }
        if q.recursive { throw Binder.error("WITH RECURSIVE is supported at the top of a statement only", q.position) }
        if let spec = q.unpivot { return try bindUnpivot(spec, q) }
        if let spec = q.pivot { return try bindPivot(spec, q) }
        if let statement = q.tableStatement { return try bindTableStatement(statement, at: q.position) }
        ctes.append([:])
        defer { ctes.removeLast() }
        try bindCTEs(q)
        var plan: LogicalPlan
        var cols: [ScopeColumn]
        let correlationsBefore = correlations.count
        switch q.body {
        case .select(let core):
            (plan, cols) = try bindSelect(core, orderBy: q.orderBy, orderByAll: q.orderByAll)
        default:
            (plan, cols) = try bindBody(q.body)
            if !q.orderBy.isEmpty || q.orderByAll != nil {
                plan = .sort(plan, try outputSortKeys(q.orderBy, q.orderByAll, cols))
            }
        }
        plan = try planLimit(
            q, plan, correlated: correlations.count > correlationsBefore, ownCorrelations: correlationsBefore == 0)
        return (plan, cols.map { ScopeColumn(qualifier: nil, name: $0.name, type: $0.type) })
    }

    /// Binds the CTEs of `q` into the innermost frame of `ctes`, in order (each sees the ones before it).
    /// A CTE referenced twice or more is a `shared` plan, computed once per query.
    func bindCTEs(_ q: Query) throws {
        var refs: [String: Int] = [:]
        if !q.ctes.isEmpty { Binder.countTableRefs(q, &refs) }
        for cte in q.ctes {
            var (plan, cols) = try bindQuery(cte.query)
            if refs[cte.name.lowercased(), default: 0] >= 2 {
                plan = .shared(id: cteIds.next(), plan)
            }
            if !cte.columnNames.isEmpty {
                for (i, n) in cte.columnNames.enumerated() where i < cols.count { cols[i].name = n }
                plan = .project(plan, BoundExpr.columns(of: cols.map(\.field)), names: cols.map(\.name))
            }
            ctes[ctes.count - 1][cte.name.lowercased()] = (plan, cols)
        }
    }
}

/// Hands out CTE ids, shared by a binder and its sub-binders; also holds the statement's start time,
/// the value of now() and its kin everywhere in the statement.
final class CTECounter {
    private var n = 0
    /// When the statement began binding: UTC microseconds since 1970-01-01 (DuckDB's now() is the
    /// transaction's start; a kuai statement is its own transaction).
    let statementStart: Int64 = {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Int64(t.tv_sec) * 1_000_000 + Int64(t.tv_nsec) / 1000
    }()
    /// The id given to each uncorrelated subquery, by its place in the text and use.
    private var subqueries: [String: Int] = [:]
    func next() -> Int {
        n += 1
        return n
    }
    /// The id of the uncorrelated subquery `key` (its source position and use): the same each time it
    /// is bound, so that an expression bound twice (a GROUP BY term that is a select item, `GROUP BY 1`,
    /// `GROUP BY ALL`) compares equal to itself.
    func subqueryId(_ key: String) -> Int {
        if let id = subqueries[key] { return id }
        let id = next()
        subqueries[key] = id
        return id
    }
}

/// A comparison between a correlated subquery and its outer query, taken out of the subquery's WHERE:
/// `outer test inner`, where `inner` reads only the subquery's columns and `outer` only the outer
/// query's (as input columns of the outer query's plan).
struct Correlation {
    /// How the two sides are compared: a comparison operator, or `IS [NOT] DISTINCT FROM`.
    enum Test {
        case compare(CompareOp)
        case distinct(negated: Bool)
    }

    let inner: BoundExpr
    let outer: BoundExpr
    let test: Test
    /// The comparison as written (for errors).
    let text: String

    /// True for `=` and `IS NOT DISTINCT FROM`: the outer row's partners are the subquery's rows of one
    /// key value, so the subquery may be grouped by `inner` (and the join hashes on it).
    var isKey: Bool {
        switch test {
        case .compare(let op): return op == .equal
        case .distinct(let negated): return negated
        }
    }

    /// The join condition `outer test column`, `column` standing for `inner` in the join's input.
    func condition(_ column: BoundExpr) -> BoundExpr {
        switch test {
        case .compare(let op):
            return BoundExpr(
                .compare(op, outer, column), type: .boolean, name: "(\(outer.name) \(op.rawValue) \(column.name))")
        case .distinct(let negated):
            let text = negated ? "IS NOT DISTINCT FROM" : "IS DISTINCT FROM"
            return BoundExpr(
                .isDistinctFrom(outer, column, negated: negated), type: .boolean,
                name: "(\(outer.name) \(text) \(column.name))")
        }
    }
}
