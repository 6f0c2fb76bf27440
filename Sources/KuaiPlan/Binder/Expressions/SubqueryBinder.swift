import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// `(SELECT ...)` as an expression: exactly one column. Correlated, in WHERE or the select list of a
    /// query without aggregation: decorrelated into a LEFT JOIN onto the query's FROM plan
    /// (`correlatedScalar`). Uncorrelated: a `subquery` node of the column's type, planned with the query
    /// and computed once when it runs (NULL for no row).
    /// - Throws: `KuaiError.binding` for a subquery of several columns. (More than one row is the
    ///   `.execution` error of the run, `QueryEngine.resolvingSubqueries`.)
    func bindScalarSubquery(_ q: Query, _ ctx: ExprContext, at pos: SourcePosition, name: String) throws
        -> BoundExpr
    {
        if let target = ctx.correlation,
            let value = try correlatedScalar(q, ctx.scope, target, at: pos, name: name)
        {
            return value
        }
        let (plan, cols) = try subBinder().bindQuery(q)
        guard cols.count == 1 else {
            throw Binder.error("a scalar subquery must return exactly one column, found \(cols.count)", pos)
        }
        return BoundExpr(.subquery(subqueryPlan(plan, .scalar, pos)), type: cols[0].type, name: name)
    }

    /// `[NOT] EXISTS (SELECT ...)` that is not a correlated WHERE conjunct (those are semi and anti joins,
    /// `correlatedExists`): uncorrelated, a BOOLEAN `subquery` node, computed once when the query runs.
    /// Correlated (in the select list, a CASE, an OR of WHERE: wherever `bindScalarSubquery` decorrelates)
    /// and a plain SELECT ... FROM ... WHERE: `(SELECT count(*) FROM ... WHERE ...) > 0` (`<= 0` when
    /// negated), whose count is 0 for an outer row without a match (`correlatedScalar`), as DuckDB's mark
    /// join answers; with `OFFSET k`, `> k` (LIMIT 0: false).
    /// - Throws: the subquery's binding error when it is correlated and cannot be decorrelated so.
    func bindExists(_ q: Query, negated: Bool, _ ctx: ExprContext, at pos: SourcePosition, name: String) throws
        -> BoundExpr
    {
        do {
            let (plan, _) = try subBinder().bindQuery(q)
            return BoundExpr(.subquery(subqueryPlan(plan, .exists(negated: negated), pos)), type: .boolean, name: name)
        } catch let error as KuaiError where error.kind == .binding {
            guard ctx.correlation != nil else { throw error }
            // LIMIT l OFFSET k: a row exists when more than k rows do (none for LIMIT 0)
            var plain = q
            var skipped: Int64 = 0
            if (q.limit != nil || q.offset != nil) && !q.limitPercent {
                let limit = try q.limit.flatMap { try constantInt($0, "LIMIT") }
                skipped = Int64(try q.offset.flatMap { try constantInt($0, "OFFSET") } ?? 0)
                if limit == 0 { return BoundExpr.constant(.bool(negated), type: .boolean, name: name) }
                plain = q.copy(keepingLimit: false)
            }
            guard let counted = countingQuery(plain) else { throw error }
            let zero = Expr.literal(.integer(skipped), pos)
            let test = Expr.binary(.compare(negated ? .lessEqual : .greater), .scalarSubquery(counted, pos), zero, pos)
            let value = try bind(test, ctx)
            return BoundExpr(value.kind, type: value.type, name: name)
        }
    }

    /// `SELECT count(*)` over the FROM and WHERE of `q`, when `q` is a plain SELECT (no DISTINCT,
    /// GROUP BY, HAVING, QUALIFY, windows, aggregates, LIMIT or OFFSET: its rows are then exactly
    /// those of its FROM that pass WHERE); nil otherwise.
    func countingQuery(_ q: Query) -> Query? {
        guard case .select(let core) = q.body, !core.distinct, core.groupBy.isEmpty, !core.groupByAll,
            core.groupingSets == nil, core.having == nil, core.qualify == nil, core.windows.isEmpty,
            q.limit == nil, q.offset == nil,
            !core.items.contains(where: { item in
                guard case .expr(let e, _) = item else { return false }
                return containsWindow(e) || Binder.containsAggregate(e)
            })
        else { return nil }
        let count = FunctionCall(name: "count", arguments: [], star: true, position: core.position)
        let counting = SelectCore(
            items: [.expr(.function(count), alias: nil)], from: core.from, position: core.position)
        counting.whereClause = core.whereClause
        return Query(ctes: q.ctes, body: .select(counting), position: q.position)
    }

    /// `x [NOT] IN (SELECT ...)`: x and the subquery's one column are cast to their common type; the
    /// subquery runs once when the query runs and its distinct values become an IN list (NULLs as DuckDB).
    /// Correlated, where a correlated scalar subquery is decorrelated: `correlatedIn`.
    /// - Throws: `KuaiError.binding` for a subquery of several columns or a column not comparable with x.
    func bindInSubquery(
        _ a: Expr, _ q: Query, negated: Bool, _ ctx: ExprContext, at pos: SourcePosition, name: String
    ) throws -> BoundExpr {
        if Binder.rowMembers(a) != nil {
            throw Binder.error(
                "a row value IN (subquery) is supported only as a condition of WHERE (joined with AND)", pos)
        }
        var x = try bind(a, ctx)
        if let target = ctx.correlation,
            let value = try correlatedIn(x, q, negated: negated, ctx.scope, target, at: pos, name: name)
        {
            return value
        }
        var (plan, cols) = try subBinder().bindQuery(q)
        guard cols.count == 1 else {
            throw Binder.error("a subquery in IN must return exactly one column, found \(cols.count)", pos)
        }
        if x.type == .null {
            // The NULL literal IN (subquery) is NULL, but false over no rows (NOT IN: true), as DuckDB: it is
            // compared as a NULL of the subquery's type.
            x = BoundExpr.constant(.null, type: cols[0].type == .null ? .integer : cols[0].type, name: x.name)
        }
        let item = BoundExpr.column(0, type: cols[0].type, name: cols[0].name)
        var t = x.type
        if item.type != .null {
            guard let c = commonType(x.type, item.type) else {
                throw Binder.error("cannot compare values of type \(x.type) and type \(item.type) in \(name)", pos)
            }
            t = c
        }
        if t != x.type { x = try coerce(x, to: t, pos) }
        if t != item.type { plan = .project(plan, [try coerce(item, to: t, pos)], names: [item.name]) }
        return BoundExpr(.inSubquery(x, subqueryPlan(plan, .values, pos), negated: negated), type: .boolean, name: name)
    }

    /// A numbered subquery of this statement (the same number each time the subquery at `pos` is bound
    /// for `use`; subqueries made by the binder at one place tell themselves apart by `pos.offset`).
    func subqueryPlan(_ plan: LogicalPlan, _ use: SubqueryPlan.Use, _ pos: SourcePosition) -> SubqueryPlan {
        SubqueryPlan(
            id: cteIds.subqueryId("\(pos.description)@\(pos.offset) \(use)"), use: use, plan: plan,
            position: pos.description)
    }

    /// Binds a subquery that may reference `outerScope`; returns its plan, columns (the select
    /// list, then one key column per correlation) and its correlations. `exists`: the subquery of an
    /// `[NOT] EXISTS`, whose correlations may be any comparison (`Binder.allowsNonKeyCorrelations`).
    func bindCorrelated(_ q: Query, _ outerScope: [ScopeColumn], exists: Bool = false) throws -> (
        plan: LogicalPlan, columns: [ScopeColumn], correlations: [Correlation]
    ) {
        let sub = subBinder()
        sub.outer = outerScope
        sub.allowsNonKeyCorrelations = exists
        let (plan, cols) = try sub.bindQuery(q)
        // An outer column left anywhere but in the WHERE comparisons (HAVING, QUALIFY, ORDER BY, GROUP BY)
        // cannot be decorrelated.
        var stray: BoundExpr? = nil
        _ = plan.mapAllExpressions { e in
            if stray == nil, e.referencesOuterColumns { stray = e }
            return e
        }
        if let stray {
            throw Binder.error(
                "a correlated subquery may use outer columns only in comparisons of its WHERE; found \(stray.name)",
                q.position)
        }
        return (plan, cols, sub.correlations)
    }

    /// A correlated scalar subquery as a LEFT JOIN onto `target` on its correlations; the value is the
    /// joined column (count() of no rows is 0, not NULL). A subquery that may give several rows for one
    /// outer row is grouped by its correlation keys with `single_row` (two rows for one key is DuckDB's
    /// error). nil when the subquery is not correlated.
    func correlatedScalar(
        _ q: Query, _ scope: [ScopeColumn], _ target: CorrelationTarget, at pos: SourcePosition, name: String
    ) throws -> BoundExpr? {
        let (plan, cols, correlations) = try bindCorrelated(q, scope)
        if correlations.isEmpty { return nil }
        let visible = cols.count - correlations.count
        guard visible == 1 else {
            throw Binder.error("a scalar subquery must return exactly one column, found \(visible)", pos)
        }
        let residual = correlationCondition(correlations, cols, visible: visible, at: target.width, "subquery")
        let grouped = !Binder.oneRowPerCorrelation(q)
        let sub = grouped ? singleRowPerKey(plan, cols, keys: correlations.count) : plan
        target.plan = .join(target.plan, sub, type: .left, leftKeys: [], rightKeys: [], residual: residual)
        var value = BoundExpr.column(target.width, type: cols[0].type, name: name)
        target.width += cols.count
        if grouped {
            // The key's row count follows the keys: more than one row for a key an outer row joins is
            // DuckDB's error (a key no outer row joins is no error). Checked for every joined row right
            // above the join, as DuckDB's plan does, not only where a CASE branch reads the value.
            let rows = BoundExpr.column(target.width, type: .bigint, name: "__rows")
            target.width += 1
            let checked = BoundExpr(
                .function(FunctionRegistry.singleRowCheck(value.type), [value, rows]), type: value.type, name: name)
            let fields = target.plan.schema
            target.plan = .project(
                target.plan, BoundExpr.columns(of: fields) + [checked], names: fields.map(\.name) + [name])
            value = BoundExpr.column(target.width, type: value.type, name: name)
            target.width += 1
        }
        if case .select(let core) = q.body, core.items.count == 1, case .expr(.function(let f), _) = core.items[0],
            f.name == "count" || f.star, let co = FunctionRegistry.generic("coalesce", value.type, arity: 2)
        {
            value = BoundExpr(
                .function(co, [value, BoundExpr.constant(.int(0), type: value.type)]), type: value.type, name: name)
        }
        return value
    }

    /// A decorrelated scalar subquery (value, then `keys` correlation key columns) grouped by its keys,
    /// with the value through `single_row`, so that no outer row is repeated by the LEFT JOIN; after
    /// the keys, each key's row count (checked where the value is used, `singleRowCheck`).
    func singleRowPerKey(_ plan: LogicalPlan, _ cols: [ScopeColumn], keys k: Int) -> LogicalPlan {
        let keys = Array(1...k)
        let spec = AggregateSpec(
            function: AggregateRegistry.singleRow(cols[0].type), inputColumn: 0, name: cols[0].name)
        let count = AggregateSpec(function: AggregateRegistry.countStar, inputColumn: nil, name: "__rows")
        let grouped = LogicalPlan.aggregate(
            plan, groupColumns: keys, groupNames: keys.map { cols[$0].name }, aggregates: [spec, count])
        // Its output is the keys, the value, the count: back to the value, the keys, the count.
        let order = [k] + Array(0..<k) + [k + 1]
        let fields = [cols[0].field] + keys.map { cols[$0].field } + [Field("__rows", .bigint)]
        return .project(
            grouped, zip(order, fields).map { BoundExpr.column($0, type: $1.type, name: $1.name) },
            names: cols.map(\.name) + ["__rows"])
    }

    /// `[NOT] EXISTS (correlated subquery)` as a semi (anti) join onto `target`; nil when the
    /// subquery is not correlated (then it is bound as a constant).
    func correlatedExists(
        _ q0: Query, _ negated: Bool, _ pos: SourcePosition, _ scope: [ScopeColumn],
        _ target: CorrelationTarget
    ) throws -> LogicalPlan? {
        // `EXISTS (SELECT 1 ... LIMIT 1)`: a LIMIT of at least 1 without OFFSET cannot change whether
        // a row exists, so it is dropped (bindQuery refuses LIMIT in a correlated subquery).
        var q = q0
        if q0.offset == nil, !q0.limitPercent, let l = q0.limit, case .literal(.integer(let n), _) = l, n >= 1 {
            q = q0.copy(keepingLimit: false)
        }
        let (plan, cols, correlations) = try bindCorrelated(q, scope, exists: true)
        if correlations.isEmpty { return nil }
        let visible = cols.count - correlations.count
        let residual = correlationCondition(correlations, cols, visible: visible, at: target.width, "EXISTS")
        return .join(target.plan, plan, type: negated ? .anti : .semi, leftKeys: [], rightKeys: [], residual: residual)
    }

    /// The join condition of a decorrelated subquery: each correlation's outer side compared with the
    /// subquery's key column for it (key columns follow the `visible` ones; the subquery's columns start
    /// at `offset` in the join).
    func correlationCondition(
        _ correlations: [Correlation], _ cols: [ScopeColumn], visible: Int, at offset: Int, _ name: String
    ) -> BoundExpr {
        var parts: [BoundExpr] = []
        for (i, c) in correlations.enumerated() {
            let key = cols[visible + i]
            parts.append(c.condition(BoundExpr.column(offset + visible + i, type: key.type, name: key.name)))
        }
        return parts.count == 1 ? parts[0] : BoundExpr(.and(parts), type: .boolean, name: name)
    }

    /// True when a correlated scalar subquery gives at most one row per outer row: a SELECT with an
    /// aggregate and no GROUP BY, which the decorrelation groups by the correlation keys alone.
    static func oneRowPerCorrelation(_ q: Query) -> Bool {
        guard case .select(let core) = q.body, core.groupBy.isEmpty, !core.groupByAll else { return false }
        return core.items.contains { item in
            if case .expr(let e, _) = item { return Binder.containsAggregate(e) }
            return false
        }
    }

    /// A binder for a subquery: same catalog, CTEs in scope and CTE numbering.
    func subBinder() -> Binder {
        let b = Binder(catalog: catalog)
        b.ctes = ctes
        b.cteIds = cteIds
        b.run = run
        b.namesRowId = namesRowId
        return b
    }
}
