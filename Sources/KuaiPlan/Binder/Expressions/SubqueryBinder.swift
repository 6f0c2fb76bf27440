import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// `(SELECT ...)` as an expression: exactly one column. Correlated, in WHERE or the select list of a
    /// query without aggregation: decorrelated into a LEFT JOIN onto the query's FROM plan
    /// (`correlatedScalar`). Uncorrelated: run now; its single value (NULL for no row) is a constant.
    /// - Throws: `KuaiError.binding` for a subquery of several columns; `.execution` when it returns more
    ///   than one row.
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
        let batches = try runSubquery(plan)
        let rows = batches.reduce(0) { $0 + $1.count }
        if rows > 1 {
            throw KuaiError(
                .execution, "More than one row returned by a subquery used as an expression", at: pos.description)
        }
        let v: Value = batches.first(where: { $0.count > 0 }).map { $0.columns[0].value(at: 0) } ?? .null
        return BoundExpr.constant(v, type: cols[0].type, name: name)
    }

    /// `[NOT] EXISTS (SELECT ...)` that is not a correlated WHERE conjunct (those are semi and anti joins,
    /// `correlatedExists`): run now, a BOOLEAN constant.
    func bindExists(_ q: Query, negated: Bool, name: String) throws -> BoundExpr {
        let (plan, _) = try subBinder().bindQuery(q)
        let batches = try runSubquery(.limit(plan, limit: 1, offset: 0))
        let found = batches.contains { $0.count > 0 }
        return BoundExpr.constant(.bool(found != negated), type: .boolean, name: name)
    }

    /// `x [NOT] IN (SELECT ...)`: the subquery (one column) runs now; its distinct values are an IN list
    /// (`makeInList`: NULLs as DuckDB, the common type of x and the values).
    /// - Throws: `KuaiError.binding` for a subquery of several columns or values not comparable with x.
    func bindInSubquery(
        _ a: Expr, _ q: Query, negated: Bool, _ ctx: ExprContext, at pos: SourcePosition, name: String
    ) throws -> BoundExpr {
        let x = try bind(a, ctx)
        let (plan, cols) = try subBinder().bindQuery(q)
        guard cols.count == 1 else {
            throw Binder.error("a subquery in IN must return exactly one column, found \(cols.count)", pos)
        }
        let batches = try runSubquery(.distinct(plan))
        var items: [BoundExpr] = []
        for b in batches {
            for i in 0..<b.count {
                items.append(BoundExpr.constant(b.columns[0].value(at: i), type: cols[0].type))
            }
        }
        return try makeInList(x, items, negated, pos, name)
    }

    /// Binds a subquery that may reference `outerScope`; returns its plan, columns (the select
    /// list, then one key column per correlation) and the outer sides of the correlations.
    func bindCorrelated(_ q: Query, _ outerScope: [ScopeColumn]) throws -> (
        plan: LogicalPlan, columns: [ScopeColumn], outer: [BoundExpr]
    ) {
        let sub = subBinder()
        sub.outer = outerScope
        let (plan, cols) = try sub.bindQuery(q)
        return (plan, cols, sub.correlations.map(\.outer))
    }

    /// A correlated scalar subquery as a LEFT JOIN onto `target` on its correlations; the value is the
    /// joined column (count() of no rows is 0, not NULL). A subquery that may give several rows for one
    /// outer row is grouped by its correlation keys with `single_row` (two rows for one key is DuckDB's
    /// error). nil when the subquery is not correlated.
    func correlatedScalar(
        _ q: Query, _ scope: [ScopeColumn], _ target: CorrelationTarget, at pos: SourcePosition, name: String
    ) throws -> BoundExpr? {
        let (plan, cols, outerExprs) = try bindCorrelated(q, scope)
        if outerExprs.isEmpty { return nil }
        let visible = cols.count - outerExprs.count
        guard visible == 1 else {
            throw Binder.error("a scalar subquery must return exactly one column, found \(visible)", pos)
        }
        let residual = try correlationCondition(outerExprs, cols, visible: visible, at: target.width, pos, "subquery")
        let sub = Binder.oneRowPerCorrelation(q) ? plan : singleRowPerKey(plan, cols, keys: outerExprs.count)
        target.plan = .join(target.plan, sub, type: .left, leftKeys: [], rightKeys: [], residual: residual)
        var value = BoundExpr.column(target.width, type: cols[0].type, name: name)
        target.width += cols.count
        if case .select(let core) = q.body, core.items.count == 1, case .expr(.function(let f), _) = core.items[0],
            f.name == "count" || f.star, let co = FunctionRegistry.generic("coalesce", value.type, arity: 2)
        {
            value = BoundExpr(
                .function(co, [value, BoundExpr.constant(.int(0), type: value.type)]), type: value.type, name: name)
        }
        return value
    }

    /// A decorrelated scalar subquery (value, then `keys` correlation key columns) grouped by its keys,
    /// with the value through `single_row`, so that no outer row is repeated by the LEFT JOIN.
    func singleRowPerKey(_ plan: LogicalPlan, _ cols: [ScopeColumn], keys k: Int) -> LogicalPlan {
        let keys = Array(1...k)
        let spec = AggregateSpec(
            function: AggregateRegistry.singleRow(cols[0].type), inputColumn: 0, name: cols[0].name)
        let grouped = LogicalPlan.aggregate(
            plan, groupColumns: keys, groupNames: keys.map { cols[$0].name }, aggregates: [spec])
        // Its output is the keys, then the value: back to the value, then the keys.
        let order = [k] + Array(0..<k)
        let fields = [cols[0].field] + keys.map { cols[$0].field }
        return .project(
            grouped, zip(order, fields).map { BoundExpr.column($0, type: $1.type, name: $1.name) },
            names: cols.map(\.name))
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
        if q0.offset == nil, let l = q0.limit, case .literal(.integer(let n), _) = l, n >= 1 {
            q = Query(
                ctes: q0.ctes, body: q0.body, orderBy: q0.orderBy, orderByAll: q0.orderByAll, position: q0.position)
        }
        let (plan, cols, outerExprs) = try bindCorrelated(q, scope)
        if outerExprs.isEmpty { return nil }
        let visible = cols.count - outerExprs.count
        let residual = try correlationCondition(outerExprs, cols, visible: visible, at: target.width, pos, "EXISTS")
        return .join(target.plan, plan, type: negated ? .anti : .semi, leftKeys: [], rightKeys: [], residual: residual)
    }

    /// The join condition of a decorrelated subquery: each outer expression equals the subquery's key column
    /// for it (key columns follow the `visible` ones; the subquery's columns start at `offset` in the join).
    func correlationCondition(
        _ outerExprs: [BoundExpr], _ cols: [ScopeColumn], visible: Int, at offset: Int, _ pos: SourcePosition,
        _ name: String
    ) throws -> BoundExpr {
        var parts: [BoundExpr] = []
        for (i, o) in outerExprs.enumerated() {
            let c = cols[visible + i]
            let inner = BoundExpr.column(offset + visible + i, type: c.type, name: c.name)
            parts.append(try makeCompare(.equal, o, inner, pos, "(\(o.name) = \(inner.name))"))
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
        let b = Binder(catalog: catalog, runSubquery: runSubquery)
        b.ctes = ctes
        b.cteIds = cteIds
        return b
    }
}
