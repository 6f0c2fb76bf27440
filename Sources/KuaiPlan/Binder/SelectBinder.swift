import KuaiCore
import KuaiExec
import KuaiSQL

/// The state of binding one SELECT, filled clause by clause: FROM and WHERE (`target`), the select
/// list (`items`, `exprs`, `names`), GROUP BY (`aggregate`), HAVING, ORDER BY (`sortKeys`, hidden
/// `exprs` after `visible`), QUALIFY and the window calls (`windows`).
final class SelectBinding {
    let core: SelectCore
    /// The FROM columns every clause before the select list sees.
    let scope: [ScopeColumn]
    /// FROM, filtered by WHERE; correlated subqueries of WHERE and the select list join onto it.
    let target: CorrelationTarget
    /// Select-list aliases by lower-cased name (the first item with an alias wins).
    let aliases: [String: Expr]
    /// The lateral aliases of the select list (computed again over `items` once stars are expanded).
    var lateral: LateralAliases
    /// The select list with stars expanded.
    var items: [(expr: Expr, alias: String?)] = []
    /// The GROUP BY keys and aggregate calls of an aggregate query; nil otherwise.
    var aggregate: AggregateContext?
    let windows: WindowContext
    /// Output expressions: the select list (`visible` of them), then ORDER BY terms that are not in it.
    var exprs: [BoundExpr] = []
    var names: [String] = []
    var visible = 0
    var having: BoundExpr?
    var qualify: BoundExpr?
    var sortKeys: [SortKey] = []
    /// Select-list items that are `unnest(list)`: their `exprs` are the lists, expanded into rows
    /// after the projection (`LogicalPlan.unnest`).
    var unnested: [Int] = []

    /// The type of output column `k` (an unnested item's element type).
    func outputType(_ k: Int) -> DataType {
        unnested.contains(k) ? (exprs[k].type.listElement ?? .null) : exprs[k].type
    }

    init(core: SelectCore, plan: LogicalPlan, scope: [ScopeColumn]) {
        self.core = core
        self.scope = scope
        self.target = CorrelationTarget(plan: plan, width: scope.count)
        var aliases: [String: Expr] = [:]
        for item in core.items {
            if case .expr(let e, let a?) = item, aliases[a.lowercased()] == nil { aliases[a.lowercased()] = e }
        }
        self.aliases = aliases
        self.lateral = LateralAliases(
            core.items.compactMap { item -> (expr: Expr, alias: String?)? in
                if case .expr(let e, let a) = item { return (e, a) }
                return nil
            })
        self.windows = WindowContext(named: core.windows)
    }

    /// The context of the select list, HAVING, ORDER BY and QUALIFY: aggregates allowed in an aggregate
    /// query, window calls allowed; `clause` names the clause in errors.
    func context(_ clause: String, aliases: Bool) -> ExprContext {
        var ctx = ExprContext(scope: scope, aggregate: aggregate, clause: clause, window: windows)
        if aliases {
            ctx.aliases = self.aliases
            ctx.aliasScopes = lateral.scopes
        }
        // Correlated scalar subqueries join onto the FROM plan of a query without aggregation.
        if aggregate == nil { ctx.correlation = target }
        return ctx
    }
}

extension Binder {
    /// Binds `SELECT ... FROM ... WHERE ... GROUP BY ... HAVING ... QUALIFY` with the ORDER BY of its query:
    /// each clause in DuckDB's order (the clause binders are in this folder), then the plan: FROM -> WHERE ->
    /// [project keys and arguments -> aggregate -> HAVING] -> windows -> QUALIFY -> project -> DISTINCT ->
    /// sort -> drop the hidden ORDER BY columns.
    /// - Returns: the plan and its visible output columns.
    /// - Throws: `KuaiError.binding` for names, types and misplaced aggregates or window functions.
    func bindSelect(_ written: SelectCore, orderBy: [OrderItem], orderByAll: OrderItem?) throws -> (
        plan: LogicalPlan, columns: [ScopeColumn]
    ) {
        let core = Binder.distinctOnAsQualify(
            Binder.groupedUnnestAsSubquery(written), orderBy: orderBy, orderByAll: orderByAll)
        let (plan, scope) = try bindFrom(core.from)
        let s = SelectBinding(core: core, plan: plan, scope: scope)
        try bindWhere(s)
        s.items = try expandStars(core.items, scope)
        s.lateral = LateralAliases(s.items)
        if Binder.isAggregateQuery(core, s.items, orderBy) { s.aggregate = try bindGroupBy(s) }
        try bindSelectList(s)
        try bindHaving(s)
        try bindOrderBy(orderBy, all: orderByAll, s)
        try bindQualify(s)
        let cols = (0..<s.visible).map { ScopeColumn(qualifier: nil, name: s.names[$0], type: s.outputType($0)) }
        return (try planSelect(s), cols)
    }

    /// The plan of a bound SELECT (see `bindSelect`).
    func planSelect(_ s: SelectBinding) throws -> LogicalPlan {
        var plan = s.target.plan
        if let ac = s.aggregate {
            plan = planAggregate(plan, ac)
            if let h = s.having { plan = .filter(plan, h) }
        }
        var exprs = s.exprs
        var qualify = s.qualify
        if !s.windows.calls.isEmpty {
            let (windowed, final) = placeWindows(plan, s.windows)
            plan = windowed
            exprs = exprs.map { $0.replacingWindowCalls(final) }
            qualify = qualify?.replacingWindowCalls(final)
        }
        if let q = qualify { plan = .filter(plan, q) }
        plan = .project(plan, exprs, names: s.names)
        if !s.unnested.isEmpty { plan = .unnest(plan, columns: s.unnested) }
        if s.core.distinct { plan = try planDistinct(plan, s) }
        if !s.sortKeys.isEmpty { plan = .sort(plan, s.sortKeys) }
        if exprs.count > s.visible {
            plan = .project(
                plan, (0..<s.visible).map { BoundExpr.column($0, type: s.outputType($0), name: s.names[$0]) },
                names: Array(s.names.prefix(s.visible)))
        }
        return plan
    }

    /// SELECT DISTINCT over the projected output. With ORDER BY terms outside the select list, as DuckDB
    /// 2.0.1: group by the select list and order by first(term) of each group (the answer is well defined
    /// when the term has one value per distinct row, e.g. an expression of the selected columns).
    func planDistinct(_ plan: LogicalPlan, _ s: SelectBinding) throws -> LogicalPlan {
        if s.exprs.count == s.visible { return .distinct(plan) }
        var specs: [AggregateSpec] = []
        for k in s.visible..<s.exprs.count {
            guard let first = AggregateRegistry.resolve("first", s.exprs[k].type) else {
                throw Binder.error(
                    "for SELECT DISTINCT, ORDER BY expressions must appear in select list", s.core.position)
            }
            specs.append(AggregateSpec(function: first, inputColumn: k, name: s.names[k]))
        }
        return .aggregate(
            plan, groupColumns: Array(0..<s.visible), groupNames: Array(s.names.prefix(s.visible)),
            aggregates: specs)
    }
}
