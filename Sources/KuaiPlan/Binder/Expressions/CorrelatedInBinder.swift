import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// `x [NOT] IN (correlated subquery)` wherever a correlated scalar subquery is decorrelated
    /// (`ExprContext.correlation`: WHERE, the select list of a query without aggregation, aggregate
    /// arguments), as two LEFT JOINs onto `target` on the subquery's correlations:
    /// - its distinct (value, keys) rows, also on `value = x`: a joined row means x is in the set;
    /// - its row count and count of non-NULL values per key.
    ///
    /// The answer is IN's three-valued one, as DuckDB's: TRUE on a match; else FALSE for an empty set;
    /// else NULL when x is NULL or the set holds a NULL; else FALSE (NOT IN negates it, NULL staying NULL).
    /// - Returns: nil when the subquery is not correlated.
    /// - Throws: `KuaiError.binding` for a subquery of several columns, a value not comparable with x, or a
    ///   correlation `bindCorrelated` refuses.
    func correlatedIn(
        _ x0: BoundExpr, _ q: Query, negated: Bool, _ scope: [ScopeColumn], _ target: CorrelationTarget,
        at pos: SourcePosition, name: String
    ) throws -> BoundExpr? {
        let (plan, cols, correlations) = try bindCorrelated(q, scope)
        if correlations.isEmpty { return nil }
        let k = correlations.count
        guard cols.count - k == 1 else {
            throw Binder.error("a subquery in IN must return exactly one column, found \(cols.count - k)", pos)
        }
        if x0.type == .null { return BoundExpr.constant(.null, type: .boolean, name: name) }
        let (x, t, rows) = try inSubqueryRows(x0, plan, cols, keys: k, at: pos, name: name)
        let matchAt = target.width
        let onMatch = correlationCondition(correlations, cols, visible: 1, at: matchAt, "IN")
        let equal = BoundExpr(
            .compare(.equal, x, BoundExpr.column(matchAt, type: t, name: cols[0].name)), type: .boolean,
            name: name)
        target.plan = .join(
            target.plan, .distinct(rows), type: .left, leftKeys: [], rightKeys: [],
            residual: BoundExpr(.and(onMatch.conjuncts + [equal]), type: .boolean, name: "IN"))
        target.width += 1 + k

        let countAt = target.width
        let counts = countsPerKey(rows, cols, keys: k, type: t)
        target.plan = .join(
            target.plan, counts.plan, type: .left, leftKeys: [], rightKeys: [],
            residual: correlationCondition(correlations, counts.columns, visible: 2, at: countAt, "IN"))
        target.width += 2 + k

        let member = BoundExpr.column(matchAt, type: t, name: cols[0].name)
        let matched = BoundExpr(.isNull(member, negated: true), type: .boolean, name: name)
        let count = BoundExpr.column(countAt, type: counts.columns[0].type, name: "__count")
        let nonNull = BoundExpr.column(countAt + 1, type: counts.columns[1].type, name: "__count_value")
        let empty = BoundExpr(.isNull(count, negated: false), type: .boolean, name: name)
        let unknown = BoundExpr(
            .or([
                BoundExpr(.isNull(x, negated: false), type: .boolean, name: name),
                BoundExpr(.compare(.less, nonNull, count), type: .boolean, name: name),
            ]), type: .boolean, name: name)
        let truth = BoundExpr.constant(.bool(true), type: .boolean)
        let falsity = BoundExpr.constant(.bool(false), type: .boolean)
        let answer = BoundExpr(
            .caseWhen(
                [(matched, truth), (empty, falsity), (unknown, BoundExpr.constant(.null, type: .boolean))],
                elseExpr: falsity), type: .boolean, name: name)
        return negated ? BoundExpr(.not(answer), type: .boolean, name: name) : answer
    }

    /// A WHERE conjunct `x IN (correlated subquery)` as a semi join onto `target` on the correlations and
    /// `value = x` (a row passes when some row of its set equals x: NULL and FALSE both drop it). nil when
    /// the subquery is not correlated or x is an untyped NULL (then it is bound as an expression).
    /// - Throws: as `correlatedIn`.
    func correlatedInJoin(
        _ a: Expr, _ q: Query, at pos: SourcePosition, _ ctx: ExprContext, _ target: CorrelationTarget
    ) throws -> LogicalPlan? {
        let (plan, cols, correlations) = try bindCorrelated(q, ctx.scope)
        if correlations.isEmpty { return nil }
        let k = correlations.count
        guard cols.count - k == 1 else {
            throw Binder.error("a subquery in IN must return exactly one column, found \(cols.count - k)", pos)
        }
        let x0 = try bind(a, ctx)
        if x0.type == .null { return nil }
        let (x, t, rows) = try inSubqueryRows(x0, plan, cols, keys: k, at: pos, name: "IN")
        let on = correlationCondition(correlations, cols, visible: 1, at: target.width, "IN")
        let equal = BoundExpr(
            .compare(.equal, x, BoundExpr.column(target.width, type: t, name: cols[0].name)), type: .boolean,
            name: "IN")
        return .join(
            target.plan, rows, type: .semi, leftKeys: [], rightKeys: [],
            residual: BoundExpr(.and(on.conjuncts + [equal]), type: .boolean, name: "IN"))
    }

    /// x and the value of a decorrelated IN subquery (`plan`: the value, then `k` key columns) cast to
    /// their common type `t`; `rows`: the subquery's rows as (value of type t, keys).
    /// - Throws: `KuaiError.binding` when x and the value have no common type.
    func inSubqueryRows(
        _ x0: BoundExpr, _ plan: LogicalPlan, _ cols: [ScopeColumn], keys k: Int, at pos: SourcePosition,
        name: String
    ) throws -> (x: BoundExpr, type: DataType, rows: LogicalPlan) {
        var t = x0.type
        if cols[0].type != .null {
            guard let c = commonType(x0.type, cols[0].type) else {
                throw Binder.error(
                    "cannot compare values of type \(x0.type) and type \(cols[0].type) in \(name)", pos)
            }
            t = c
        }
        let x = try coerce(x0, to: t, pos)
        let item = BoundExpr.column(0, type: cols[0].type, name: cols[0].name)
        let value =
            cols[0].type == .null
            ? BoundExpr.constant(.null, type: t, name: cols[0].name) : try coerce(item, to: t, pos)
        let keys = (1...k).map { BoundExpr.column($0, type: cols[$0].type, name: cols[$0].name) }
        return (x, t, .project(plan, [value] + keys, names: cols.map(\.name)))
    }

    /// The rows of a decorrelated IN subquery (`rows`: value, then `keys` key columns) counted per key:
    /// count(*), count(value), then the keys, with their scope columns (as `correlationCondition` takes them).
    func countsPerKey(_ rows: LogicalPlan, _ cols: [ScopeColumn], keys k: Int, type: DataType) -> (
        plan: LogicalPlan, columns: [ScopeColumn]
    ) {
        let star = AggregateRegistry.resolve("count_star", nil)!
        let values = AggregateRegistry.resolve("count", type)!
        let specs = [
            AggregateSpec(function: star, inputColumn: nil, name: "__count"),
            AggregateSpec(function: values, inputColumn: 0, name: "__count_value"),
        ]
        let grouped = LogicalPlan.aggregate(
            rows, groupColumns: Array(1...k), groupNames: (1...k).map { cols[$0].name }, aggregates: specs)
        // Its output is the keys, then the counts: back to the counts, then the keys.
        let columns =
            [
                ScopeColumn(qualifier: nil, name: "__count", type: star.returnType),
                ScopeColumn(qualifier: nil, name: "__count_value", type: values.returnType),
            ] + cols[1...k]
        let exprs =
            [
                BoundExpr.column(k, type: star.returnType, name: "__count"),
                BoundExpr.column(k + 1, type: values.returnType, name: "__count_value"),
            ] + (0..<k).map { BoundExpr.column($0, type: cols[$0 + 1].type, name: cols[$0 + 1].name) }
        return (.project(grouped, exprs, names: columns.map(\.name)), columns)
    }
}
