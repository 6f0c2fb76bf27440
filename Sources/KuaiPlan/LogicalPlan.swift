import KuaiCore
import KuaiExec

/// The logical plan: relational operators over bound expressions.
///
/// Every expression refers to the output columns of the node's (first) child by 0-based index.
/// The binder builds this tree; `Optimizer` pushes filters into scans and prunes unused columns;
/// `PhysicalPlanner` turns it into operators.
indirect enum LogicalPlan {
    /// Table columns `columns` (table indexes, in output order) with pushed conjuncts over the output.
    case scan(table: TableSource, columns: [Int], conjuncts: [ScalarExpr])
    case filter(LogicalPlan, ScalarExpr)
    case project(LogicalPlan, [ScalarExpr], names: [String])
    /// Keys are input columns `groupColumns`; output = keys then aggregates.
    case aggregate(LogicalPlan, groupColumns: [Int], groupNames: [String], aggregates: [AggregateSpec])
    case sort(LogicalPlan, [SortKey])
    case limit(LogicalPlan, limit: Int?, offset: Int)
    /// Distinct rows over all columns.
    case distinct(LogicalPlan)
    /// Rows computed already (subquery results, SELECT without FROM = one row of no columns).
    case values(schema: Schema, batches: [Batch], label: String)

    var schema: Schema {
        switch self {
        case .scan(let t, let cols, _): return cols.map { t.schema[$0] }
        case .filter(let c, _): return c.schema
        case .project(_, let exprs, let names): return zip(exprs, names).map { Field($1, $0.type) }
        case .aggregate(let c, let g, let names, let aggs):
            let s = c.schema
            return zip(g, names).map { Field($1, s[$0].type) } + aggs.map { Field($0.name, $0.function.returnType) }
        case .sort(let c, _), .limit(let c, _, _), .distinct(let c): return c.schema
        case .values(let s, _, _): return s
        }
    }
}

/// Rewrites of the logical plan.
enum Optimizer {
    static func optimize(_ plan: LogicalPlan) -> LogicalPlan {
        let pushed = pushDown(plan)
        let all = Set(0..<pushed.schema.count)
        return prune(pushed, required: all).plan
    }

    /// The conjuncts of a predicate (`a AND b AND c` -> [a, b, c]).
    static func conjuncts(_ e: ScalarExpr) -> [ScalarExpr] {
        if case .and(let xs) = e.kind { return xs.flatMap(conjuncts) }
        return [e]
    }

    /// Moves filters into the scans below them.
    static func pushDown(_ plan: LogicalPlan) -> LogicalPlan {
        switch plan {
        case .filter(let child, let pred):
            let c = pushDown(child)
            if case .scan(let t, let cols, let conj) = c {
                return .scan(table: t, columns: cols, conjuncts: conj + conjuncts(pred))
            }
            if case .filter(let cc, let p2) = c {
                return .filter(cc, ScalarExpr(.and(conjuncts(p2) + conjuncts(pred)), type: .boolean, name: "\(p2.name) AND \(pred.name)"))
            }
            return .filter(c, pred)
        case .scan, .values: return plan
        case .project(let c, let e, let n): return .project(pushDown(c), e, names: n)
        case .aggregate(let c, let g, let gn, let a): return .aggregate(pushDown(c), groupColumns: g, groupNames: gn, aggregates: a)
        case .sort(let c, let k): return .sort(pushDown(c), k)
        case .limit(let c, let l, let o):
            // LIMIT above the projection that drops hidden ORDER BY columns: limit first (top-N).
            if case .project(let pc, let e, let n) = c {
                return .project(pushDown(.limit(pc, limit: l, offset: o)), e, names: n)
            }
            return .limit(pushDown(c), limit: l, offset: o)
        case .distinct(let c): return .distinct(pushDown(c))
        }
    }

    /// Removes columns nobody reads. Returns the new plan and, for each kept old output column,
    /// its new index.
    static func prune(_ plan: LogicalPlan, required: Set<Int>) -> (plan: LogicalPlan, map: [Int: Int]) {
        switch plan {
        case .scan(let t, let cols, let conj):
            var need = required
            for c in conj { need.formUnion(c.referencedColumns) }
            let keep = need.sorted()
            var map: [Int: Int] = [:]
            for (n, o) in keep.enumerated() { map[o] = n }
            let newConj = conj.map { $0.remapColumns { map[$0]! } }
            return (.scan(table: t, columns: keep.map { cols[$0] }, conjuncts: newConj), map)
        case .filter(let child, let pred):
            let (c, m) = prune(child, required: required.union(pred.referencedColumns))
            return (.filter(c, pred.remapColumns { m[$0]! }), m)
        case .project(let child, let exprs, let names):
            let keep = required.sorted()
            var need = Set<Int>()
            for k in keep { need.formUnion(exprs[k].referencedColumns) }
            let (c, m) = prune(child, required: need)
            var map: [Int: Int] = [:]
            for (n, o) in keep.enumerated() { map[o] = n }
            return (.project(c, keep.map { exprs[$0].remapColumns { m[$0]! } }, names: keep.map { names[$0] }), map)
        case .aggregate(let child, let g, let gn, let aggs):
            var need = Set(g)
            for a in aggs {
                if let i = a.inputColumn { need.insert(i) }
                if let f = a.filterColumn { need.insert(f) }
            }
            let (c, m) = prune(child, required: need)
            let newAggs = aggs.map { a -> AggregateSpec in
                var b = a
                b.inputColumn = a.inputColumn.map { m[$0]! }
                b.filterColumn = a.filterColumn.map { m[$0]! }
                return b
            }
            let n = g.count + aggs.count
            var ident: [Int: Int] = [:]
            for i in 0..<n { ident[i] = i }
            return (.aggregate(c, groupColumns: g.map { m[$0]! }, groupNames: gn, aggregates: newAggs), ident)
        case .sort(let child, let keys):
            let (c, m) = prune(child, required: required.union(keys.map(\.column)))
            return (.sort(c, keys.map { SortKey(column: m[$0.column]!, ascending: $0.ascending, nullsFirst: $0.nullsFirst) }), m)
        case .limit(let child, let l, let o):
            let (c, m) = prune(child, required: required)
            return (.limit(c, limit: l, offset: o), m)
        case .distinct(let child):
            let all = Set(0..<child.schema.count)
            let (c, m) = prune(child, required: all)
            return (.distinct(c), m)
        case .values(let s, _, _):
            var ident: [Int: Int] = [:]
            for i in 0..<s.count { ident[i] = i }
            return (plan, ident)
        }
    }
}
