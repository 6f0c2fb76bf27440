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
    /// The keys of the aggregates whose result has DuckDB's NULL type (`Binder.nullTypedAggregates`): each
    /// call of one is the NULL constant of that type.
    var nullTypedKeys: Set<String> = []

    /// GROUPING SETS / ROLLUP / CUBE: the keys (indexes into `keys`) of each grouping set; nil for a plain GROUP BY.
    var groupingSets: [[Int]]? = nil
    /// With grouping sets, the last key: the set's bit mask (bit k set when key k is not grouped in it), which
    /// grouping() reads; constant in each set, so it does not split groups.
    var groupingMask: Int? = nil
    /// The FROM plan (filtered by WHERE) the aggregation reads: correlated subqueries in aggregate
    /// arguments and FILTER conditions join onto it, before the aggregation.
    var correlation: CorrelationTarget? = nil

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
        !core.groupBy.isEmpty || core.having != nil || items.contains { containsAggregate($0.expr) }
            || orderBy.contains { containsAggregate($0.expr) }
            || core.groupByAll && items.contains { referencesColumnOrUnnest($0.expr) }
    }

    /// True when `e` names a column (or an alias) outside aggregate calls, or calls unnest: with GROUP BY
    /// ALL such an item is a key, so the query aggregates; a GROUP BY ALL query whose items are all
    /// constants is a plain projection (DuckDB: no groups and no aggregates, no aggregation).
    static func referencesColumnOrUnnest(_ e: Expr) -> Bool {
        var found = false
        walk(
            e, into: { !isAggregateCall($0) },
            visit: { x in
                switch x {
                case .column: found = true
                case .function(let f):
                    if f.name == "unnest" || f.name == "unlist" { found = true }
                    if let w = f.over, (w.partitionBy + w.orderBy.map(\.expr)).contains(where: referencesColumnOrUnnest)
                    {
                        found = true
                    }
                default: break
                }
            })
        return found
    }

    /// GROUP BY: each term is a select-list position (`GROUP BY 1`), a select-list alias that is not an input
    /// column, or an expression over the FROM columns; GROUP BY ALL groups by every select item without an
    /// aggregate or window function. In a correlated subquery the correlations' inner sides are keys too (first).
    /// - Returns: the aggregate context the select list, HAVING and ORDER BY bind against.
    /// - Throws: `KuaiError.binding` for a position out of range, an aggregate in GROUP BY, names and types.
    func bindGroupBy(_ s: SelectBinding) throws -> AggregateContext {
        let core = s.core
        let ac = AggregateContext(preScope: s.scope)
        ac.correlation = s.target
        let plain = ExprContext(scope: s.scope, aggregate: nil, clause: "GROUP BY")
        // GROUP BY ALL binds each item as the select list does (lateral aliases of earlier items allowed).
        var groupExprs: [Expr] = []
        var contexts: [ExprContext] = []
        if core.groupByAll {
            // DuckDB 2.0.1's binder refuses the combination (its message, no query position)
            if core.qualify != nil {
                throw KuaiError(.binding, "Combining QUALIFY with GROUP BY ALL is not supported yet")
            }
            // DuckDB 2.0.1's rule (its select binder): an item that references columns outside aggregate
            // calls is a key, and must then hold no aggregate and not be a window call or an UNNEST; an item
            // without such columns (an aggregate, a constant, a window over aggregates only) is not a key.
            // A lateral alias stands for what its item references (`count(*) AS n, n + 1` is not a key).
            var aliases: [String: GroupByAllReferences] = [:]
            for (i, item) in s.items.enumerated() {
                let r = groupByAllReferences(item.expr, s.scope, aliases)
                if let a = item.alias { aliases[a.lowercased()] = r }
                // an unnest is bound as a column of its own: never a constant item
                guard r.columns || r.unnest else { continue }
                if r.aggregate { throw KuaiError(.binding, "Cannot mix aggregates with non-aggregated columns!") }
                if case .function(let f) = item.expr, f.over != nil {
                    throw KuaiError(.binding, "Cannot group on a window clause")
                }
                if r.unnest { throw KuaiError(.binding, "Cannot group on an UNNEST or UNLIST clause") }
                groupExprs.append(item.expr)
                contexts.append(s.lateral.context(plain, item: i))
            }
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
        for c in correlations {
            // Grouping by the inner side is right only when an outer row's partners share one value of it.
            guard c.isKey else {
                throw Binder.error(
                    "a correlated subquery that aggregates supports only equalities with the outer query; found \(c.text)",
                    core.position)
            }
            ac.addKey(c.inner)
        }
        var termKeys: [Int] = []
        for (k, g) in groupExprs.enumerated() {
            if Binder.containsAggregate(g) {
                throw Binder.error("GROUP BY clause cannot contain aggregates", g.position)
            }
            let b = try bind(g, k < contexts.count ? contexts[k] : plain)
            ac.addKey(BoundExpr(b.kind, type: b.type, name: Binder.outputName(g, alias: nil)))
            termKeys.append(ac.keyIndex[b.structuralKey]!)
        }
        if let sets = core.groupingSets {
            // Correlation keys (first) are in every set; each term maps to its (deduplicated) key.
            let always = Array(0..<correlations.count)
            ac.groupingSets = sets.map { set in
                var ks = always
                for t in set where !ks.contains(termKeys[t]) { ks.append(termKeys[t]) }
                return ks
            }
            ac.groupingMask = ac.keys.count
            ac.keys.append(BoundExpr.constant(.int(0), type: .bigint, name: "__grouping_mask"))
        }
        return ac
    }

    /// What a select item references, for GROUP BY ALL (`bindGroupBy`).
    struct GroupByAllReferences {
        /// A column of the FROM clause outside every aggregate call (window partitions and orders count).
        var columns = false
        /// An aggregate call outside a window.
        var aggregate = false
        /// An `unnest` / `unlist` call.
        var unnest = false

        mutating func merge(_ o: GroupByAllReferences) {
            columns = columns || o.columns
            aggregate = aggregate || o.aggregate
            unnest = unnest || o.unnest
        }
    }

    /// The references of `e` outside aggregate calls (not descending into them or into subqueries); a
    /// name that is no column of `scope` but the alias of an earlier item counts as that item's references.
    func groupByAllReferences(_ e: Expr, _ scope: [ScopeColumn], _ aliases: [String: GroupByAllReferences])
        -> GroupByAllReferences
    {
        var r = GroupByAllReferences()
        Binder.walk(
            e,
            into: { x in
                guard Binder.isAggregateCall(x) else { return true }
                r.aggregate = true
                return false
            },
            visit: { x in
                switch x {
                case .column(let q, let n, _):
                    if q == nil, resolve(nil, n, scope) == nil, let a = aliases[n.lowercased()] {
                        r.merge(a)
                    } else {
                        r.columns = true
                    }
                case .function(let f):
                    if f.name == "unnest" || f.name == "unlist" { r.unnest = true }
                    guard let w = f.over else { break }
                    for x in w.partitionBy + w.orderBy.map(\.expr) { r.merge(groupByAllReferences(x, scope, aliases)) }
                default: break
                }
            })
        return r
    }

    /// `grouping(a, b, ...)` (also `grouping_id`) in an aggregate query: a BIGINT with one bit per argument, the
    /// first argument the highest, set when that GROUP BY term is not grouped in the row's grouping set
    /// (DuckDB); 0 for a plain GROUP BY.
    /// - Throws: `KuaiError.binding` for no argument or an argument that is not a GROUP BY term.
    func bindGroupingCall(_ f: FunctionCall, _ ac: AggregateContext, _ name: String) throws -> BoundExpr {
        guard !f.arguments.isEmpty else { throw Binder.error("\(f.name)() needs arguments", f.position) }
        let plain = ExprContext(scope: ac.preScope, aggregate: nil, clause: "GROUPING")
        var result = BoundExpr.constant(.int(0), type: .bigint, name: name)
        for a in f.arguments {
            let b = try bind(a, plain)
            guard let k = ac.keyIndex[b.structuralKey] else {
                throw Binder.error("GROUPING child \"\(a.sqlDescription)\" must be a grouping column", a.position)
            }
            // result = result * 2 + ((mask // 2^k) % 2)
            var bit = BoundExpr.constant(.int(0), type: .bigint)
            if let m = ac.groupingMask {
                let mask = BoundExpr.column(m, type: .bigint, name: "__grouping_mask")
                let shifted = try makeArithmetic(
                    .integerDivide, mask, BoundExpr.constant(.int(Int64(1) << k), type: .bigint), f.position, name)
                bit = try makeArithmetic(.modulo, shifted, BoundExpr.constant(.int(2), type: .bigint), f.position, name)
            }
            let doubled = try makeArithmetic(
                .multiply, result, BoundExpr.constant(.int(2), type: .bigint), f.position, name)
            result = try makeArithmetic(.add, doubled, bit, f.position, name)
        }
        return BoundExpr(result.kind, type: .bigint, name: name)
    }

    /// The aggregation of an aggregate SELECT: a projection of the keys and of each aggregate's argument,
    /// FILTER condition and ORDER BY terms, then the aggregate (output: keys, then aggregates). An
    /// expression that several aggregates read (p50, p90 and p99 of `end - start`) is projected once
    /// when it is deterministic, so it is computed once and quantiles of it share their values
    /// (`shareQuantileValues`).
    func planAggregate(_ plan: LogicalPlan, _ ac: AggregateContext) -> LogicalPlan {
        var pre: [BoundExpr] = ac.keys
        var projected: [String: Int] = [:]
        func input(_ e: BoundExpr) -> Int {
            let shared = !e.contains {
                if case .function(let f, _) = $0.kind { return !f.deterministic }
                return false
            }
            if shared, let k = projected[e.structuralKey] { return k }
            pre.append(e)
            if shared { projected[e.structuralKey] = pre.count - 1 }
            return pre.count - 1
        }
        var specs: [AggregateSpec] = []
        // without GROUP BY (and GROUPING SETS) some aggregates round as DuckDB's ungrouped path
        let ungrouped = ac.keys.isEmpty && ac.groupingSets == nil
        for a in ac.aggregates {
            let argument = a.argument.map(input)
            let filter = a.filter.map(input)
            let order = a.order.map(input)
            specs.append(
                AggregateSpec(
                    function: ungrouped ? AggregateRegistry.ungrouped(a.function) : a.function,
                    inputColumn: argument, distinct: a.call.distinct,
                    filterColumn: filter, name: a.name, orderColumns: order))
        }
        let input = LogicalPlan.project(plan, pre, names: pre.map(\.name))
        guard let sets = ac.groupingSets, let maskKey = ac.groupingMask else {
            return .aggregate(
                input, groupColumns: Array(0..<ac.keys.count), groupNames: ac.keys.map(\.name), aggregates: specs)
        }
        return planGroupingSets(input, sets, maskKey: maskKey, ac, specs)
    }

    /// GROUPING SETS as DuckDB runs them: one hash aggregate per set over the same input (computed once), each
    /// projected to every key (NULL for a key not in the set, the set's bit mask for the mask key) and the
    /// aggregates, then UNION ALL.
    ///
    /// When every aggregate can be rolled up (count, sum, min, max, without DISTINCT or ORDER BY) and
    /// there are several sets, the input is aggregated once, by every key of any set, and each set
    /// is then aggregated from that (small) result: a count is the sum of the counts (0 for an empty
    /// input), a sum the sum of the sums, a min the min of the mins. One pass over the rows instead
    /// of one per set.
    func planGroupingSets(
        _ input: LogicalPlan, _ sets: [[Int]], maskKey: Int, _ ac: AggregateContext, _ specs: [AggregateSpec]
    ) -> LogicalPlan {
        var source = sets.count > 1 ? LogicalPlan.shared(id: cteIds.next(), input) : input
        var setSpecs = specs
        var setColumns: ([Int]) -> [Int] = { $0 }
        var counts: Set<Int> = []
        if sets.count > 1, let rolled = Self.rollUpSpecs(specs) {
            // every key of any set, in key order: the finest grouping, computed once
            let finest = Array(Set(sets.joined())).sorted()
            let first = LogicalPlan.aggregate(
                input, groupColumns: finest, groupNames: finest.map { ac.keys[$0].name }, aggregates: specs)
            source = .shared(id: cteIds.next(), first)
            setSpecs = rolled.specs.enumerated().map { j, s in
                var s = s
                s.inputColumn = finest.count + j
                return s
            }
            setColumns = { set in set.map { finest.firstIndex(of: $0)! } }
            counts = rolled.counts
        }
        var parts: [LogicalPlan] = []
        for set in sets {
            let agg = LogicalPlan.aggregate(
                source, groupColumns: setColumns(set), groupNames: set.map { ac.keys[$0].name }, aggregates: setSpecs)
            var mask: Int64 = 0
            for k in 0..<maskKey where !set.contains(k) { mask |= Int64(1) << k }
            var exprs: [BoundExpr] = []
            for (k, key) in ac.keys.enumerated() {
                if let at = set.firstIndex(of: k) {
                    exprs.append(BoundExpr.column(at, type: key.type, name: key.name))
                } else if k == maskKey {
                    exprs.append(BoundExpr.constant(.int(mask), type: .bigint, name: key.name))
                } else {
                    exprs.append(BoundExpr.constant(.null, type: key.type, name: key.name))
                }
            }
            for (j, spec) in specs.enumerated() {
                let type = spec.function.returnType
                if counts.contains(j) {
                    // a count rolled up: the sum of the counts as BIGINT, 0 where there were none
                    let sum = BoundExpr.column(set.count + j, type: setSpecs[j].function.returnType, name: spec.name)
                    let isNull = BoundExpr(.isNull(sum, negated: false), type: .boolean, name: spec.name)
                    exprs.append(
                        BoundExpr(
                            .caseWhen(
                                [(when: isNull, then: BoundExpr.constant(.int(0), type: type))],
                                elseExpr: BoundExpr(.cast(sum, isTry: false), type: type, name: spec.name)),
                            type: type, name: spec.name))
                } else {
                    exprs.append(BoundExpr.column(set.count + j, type: type, name: spec.name))
                }
            }
            parts.append(.project(agg, exprs, names: exprs.map(\.name)))
        }
        return .union(parts)
    }

    /// The aggregates that combine the results of `specs` over finer groups (their input columns
    /// still to be set), and which of them are counts (rolled up by a sum, then cast back to
    /// BIGINT); nil when one of `specs` cannot be rolled up so (DISTINCT, ORDER BY, or a function
    /// other than count, sum, min and max, or a sum whose type would change).
    static func rollUpSpecs(_ specs: [AggregateSpec]) -> (specs: [AggregateSpec], counts: Set<Int>)? {
        var out: [AggregateSpec] = []
        var counts: Set<Int> = []
        for (j, spec) in specs.enumerated() {
            guard !spec.distinct, spec.orderColumns.isEmpty else { return nil }
            let f = spec.function
            let combine: AggregateFunction?
            switch f.name {
            case "count", "count_star":
                combine = AggregateRegistry.resolve("sum", .bigint)
                counts.insert(j)
            case "sum", "min", "max":
                combine = AggregateRegistry.resolve(f.name, f.returnType)
                guard combine?.returnType == f.returnType else { return nil }
            default:
                return nil
            }
            guard let combine else { return nil }
            out.append(AggregateSpec(function: combine, inputColumn: nil, name: spec.name))
        }
        return (out, counts)
    }
}
