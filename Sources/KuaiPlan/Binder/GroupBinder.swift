import KuaiCore
import KuaiExec
import KuaiSQL

/// State of binding one aggregate query: the GROUP BY keys (pre-aggregate expressions) and the
/// aggregate calls found so far. After aggregation, key k is column k and aggregate j is column
/// `keys.count + j`.
final class AggregateContext {
    let preScope: [ScopeColumn]
    var keys: [BoundExpr] = []
    var keyIndex: [String: Int] = [:]
    var aggregates:
        [(
            key: String, call: FunctionCall, function: AggregateFunction, argument: BoundExpr?, filter: BoundExpr?,
            name: String, order: [BoundExpr]
        )] = []

    init(preScope: [ScopeColumn]) { self.preScope = preScope }

    /// Adds `key` as a grouping key unless an equal one is there.
    func addKey(_ key: BoundExpr) {
        guard keyIndex[key.structuralKey] == nil else { return }
        keyIndex[key.structuralKey] = keys.count
        keys.append(key)
    }
}

extension Binder {
    /// True when a SELECT aggregates: GROUP BY [ALL], HAVING, or an aggregate in the select list or ORDER BY.
    static func isAggregateQuery(_ core: SelectCore, _ items: [(expr: Expr, alias: String?)], _ orderBy: [OrderItem])
        -> Bool
    {
        !core.groupBy.isEmpty || core.groupByAll || core.having != nil
            || items.contains { containsAggregate($0.expr) } || orderBy.contains { containsAggregate($0.expr) }
    }

    /// GROUP BY: each term is a select-list position (`GROUP BY 1`), a select-list alias that is not an input
    /// column, or an expression over the FROM columns; GROUP BY ALL groups by every select item without an
    /// aggregate. In a correlated subquery the correlations' inner sides are keys too (first).
    /// - Returns: the aggregate context the select list, HAVING and ORDER BY bind against.
    /// - Throws: `KuaiError.binding` for a position out of range, an aggregate in GROUP BY, names and types.
    func bindGroupBy(_ s: SelectBinding) throws -> AggregateContext {
        let core = s.core
        let ac = AggregateContext(preScope: s.scope)
        let plain = ExprContext(scope: s.scope, aggregate: nil, clause: "GROUP BY")
        var groupExprs: [Expr] = []
        if core.groupByAll {
            groupExprs = s.items.filter { !Binder.containsAggregate($0.expr) }.map(\.expr)
        }
        for g in core.groupBy {
            if case .literal(.integer(let k), let p) = g {
                guard k >= 1 && Int(k) <= s.items.count else {
                    throw Binder.error("GROUP BY term out of range - should be between 1 and \(s.items.count)", p)
                }
                groupExprs.append(s.items[Int(k) - 1].expr)
                continue
            }
            if case .column(nil, let name, _) = g, resolve(nil, name, s.scope) == nil,
                let item = s.items.first(where: { $0.alias?.lowercased() == name.lowercased() })
            {
                groupExprs.append(item.expr)  // GROUP BY an alias of the select list
                continue
            }
            groupExprs.append(g)
        }
        for c in correlations { ac.addKey(c.inner) }
        for g in groupExprs {
            if Binder.containsAggregate(g) {
                throw Binder.error("GROUP BY clause cannot contain aggregates", g.position)
            }
            let b = try bind(g, plain)
            ac.addKey(BoundExpr(b.kind, type: b.type, name: Binder.outputName(g, alias: nil)))
        }
        return ac
    }

    /// The aggregation of an aggregate SELECT: a projection of the keys and of each aggregate's argument,
    /// FILTER condition and ORDER BY terms, then the aggregate (output: keys, then aggregates).
    func planAggregate(_ plan: LogicalPlan, _ ac: AggregateContext) -> LogicalPlan {
        var pre: [BoundExpr] = ac.keys
        func input(_ e: BoundExpr) -> Int {
            pre.append(e)
            return pre.count - 1
        }
        var specs: [AggregateSpec] = []
        for a in ac.aggregates {
            let argument = a.argument.map(input)
            let filter = a.filter.map(input)
            let order = a.order.map(input)
            specs.append(
                AggregateSpec(
                    function: a.function, inputColumn: argument, distinct: a.call.distinct,
                    filterColumn: filter, name: a.name, orderColumns: order))
        }
        return .aggregate(
            .project(plan, pre, names: pre.map(\.name)), groupColumns: Array(0..<ac.keys.count),
            groupNames: ac.keys.map(\.name), aggregates: specs)
    }
}
