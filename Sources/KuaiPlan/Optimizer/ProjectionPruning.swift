import KuaiCore
import KuaiExec

/// Removes columns nobody reads: each node keeps the output columns its parent reads plus those its own
/// expressions, keys and aggregates read; a scan then reads only those columns of its table. The root's
/// columns are all read. DISTINCT, EXCEPT and INTERSECT read every column of their inputs; a shared CTE
/// and VALUES keep theirs.
struct ProjectionPruning: OptimizerRule {
    var name: String { "ProjectionPruning" }

    func apply(_ plan: LogicalPlan) -> LogicalPlan {
        prune(plan, required: Set(0..<plan.schema.count)).plan
    }

    /// A pruned plan and, for each kept output column of the old plan, its index in the new one.
    typealias Pruned = (plan: LogicalPlan, map: [Int: Int])

    func prune(_ plan: LogicalPlan, required: Set<Int>) -> Pruned {
        switch plan {
        case .scan(_, _, _, _?):
            return (plan, Self.identity(plan.schema.count))  // late materialised: pruned already
        case .scan(let t, let cols, let conj, nil):
            var need = required
            for c in conj { need.formUnion(c.referencedColumns) }
            let keep = need.sorted()
            let map = Self.positions(keep)
            let kept = keep.map { cols[$0] }
            return (.scan(table: t, columns: kept, conjuncts: conj.map { $0.remapColumns { map[$0]! } }), map)
        case .filter(let child, let pred):
            let (c, m) = prune(child, required: required.union(pred.referencedColumns))
            return (.filter(c, pred.remapColumns { m[$0]! }), m)
        case .project(let child, let exprs, let names):
            let keep = required.sorted()
            let (c, m) = prune(child, required: Set(keep.flatMap { exprs[$0].referencedColumns }))
            return (
                .project(c, keep.map { exprs[$0].remapColumns { m[$0]! } }, names: keep.map { names[$0] }),
                Self.positions(keep)
            )
        case .aggregate(let child, let g, let gn, let aggs):
            return pruneAggregate(child, g, gn, aggs)
        case .sort(let child, let keys):
            let (c, m) = prune(child, required: required.union(keys.map(\.column)))
            return (.sort(c, keys.map { $0.remapped { m[$0]! } }), m)
        case .limit(let child, let l, let o):
            let (c, m) = prune(child, required: required)
            return (.limit(c, limit: l, offset: o), m)
        case .sample(let child, let spec):
            // which rows are sampled does not depend on the columns read
            let (c, m) = prune(child, required: required)
            return (.sample(c, spec), m)
        case .distinct(let child):
            let (c, m) = prune(child, required: Set(0..<child.schema.count))
            return (.distinct(c), m)
        case .values, .shared:
            return (plan, Self.identity(plan.schema.count))
        case .join(let l, let r, let type, let lk, let rk, let res):
            return pruneJoin(l, r, type, lk, rk, res, required: required)
        case .window(let child, let p, let o, let fs, let names):
            return pruneWindow(child, p, o, fs, names, required: required)
        case .union(let cs):
            return pruneUnion(cs, required: required)
        case .unnest(let child, let cols):
            // the unnested lists decide how many rows each input row becomes: always read
            let (c, m) = prune(child, required: required.union(cols))
            return (.unnest(c, columns: cols.map { m[$0]! }), m)
        case .asofJoin(let l, let r, let k, let op, let keep):
            // reads every column of both inputs (its keys end them); the binder's projections prune above
            let (lp, _) = prune(l, required: Set(0..<l.schema.count))
            let (rp, _) = prune(r, required: Set(0..<r.schema.count))
            return (.asofJoin(lp, rp, keys: k, op: op, keepUnmatched: keep), Self.identity(plan.schema.count))
        case .setOp(let k, let a, let l, let r):
            let all = Set(0..<l.schema.count)
            let (lp, lm) = prune(l, required: all)
            let (rp, _) = prune(r, required: all)
            return (.setOp(k, all: a, lp, rp), lm)
        }
    }

    /// An aggregate reads its keys and its aggregates' inputs, FILTER and ORDER BY columns; its own output
    /// (keys, then aggregates) is kept whole.
    func pruneAggregate(_ child: LogicalPlan, _ g: [Int], _ gn: [String], _ aggs: [AggregateSpec]) -> Pruned {
        var need = Set(g)
        for a in aggs {
            if let i = a.inputColumn { need.insert(i) }
            if let f = a.filterColumn { need.insert(f) }
            need.formUnion(a.orderColumns)
        }
        let (c, m) = prune(child, required: need)
        let newAggs = aggs.map { a -> AggregateSpec in
            var b = a
            b.inputColumn = a.inputColumn.map { m[$0]! }
            b.filterColumn = a.filterColumn.map { m[$0]! }
            b.orderColumns = a.orderColumns.map { m[$0]! }
            return b
        }
        return (
            .aggregate(c, groupColumns: g.map { m[$0]! }, groupNames: gn, aggregates: newAggs),
            Self.identity(g.count + aggs.count)
        )
    }

    /// A join reads its keys and its residual's columns on each side; SEMI and ANTI output the left side only.
    func pruneJoin(
        _ l: LogicalPlan, _ r: LogicalPlan, _ type: JoinType, _ lk: [Int], _ rk: [Int], _ res: BoundExpr?,
        required: Set<Int>
    ) -> Pruned {
        let lw = l.schema.count
        var need = required
        if let res { need.formUnion(res.referencedColumns) }
        var lneed = Set(lk)
        var rneed = Set(rk)
        for i in need { if i < lw { lneed.insert(i) } else { rneed.insert(i - lw) } }
        let (lp, lm) = prune(l, required: lneed)
        let (rp, rm) = prune(r, required: rneed)
        let newLw = lp.schema.count
        var map = lm
        if type != .semi && type != .anti { for (o, n) in rm { map[lw + o] = newLw + n } }
        let newRes = res?.remapColumns { $0 < lw ? lm[$0]! : newLw + rm[$0 - lw]! }
        return (
            .join(lp, rp, type: type, leftKeys: lk.map { lm[$0]! }, rightKeys: rk.map { rm[$0]! }, residual: newRes),
            map
        )
    }

    /// Window operators read their partition, order and argument columns; their function columns stay.
    func pruneWindow(
        _ child: LogicalPlan, _ p: [Int], _ o: [SortKey], _ fs: [WindowFunction], _ names: [String],
        required: Set<Int>
    ) -> Pruned {
        let cw = child.schema.count
        var need = Set(required.filter { $0 < cw })
        need.formUnion(p)
        need.formUnion(o.map(\.column))
        for f in fs { need.formUnion(f.inputColumns) }
        let (c, m) = prune(child, required: need)
        let newCw = c.schema.count
        var map = m
        for k in 0..<fs.count { map[cw + k] = newCw + k }
        let newFs = fs.map { $0.remapped { m[$0]! } }
        return (
            .window(
                c, partitionBy: p.map { m[$0]! }, orderBy: o.map { $0.remapped { m[$0]! } }, functions: newFs,
                names: names), map
        )
    }

    /// Each UNION ALL input keeps the required columns, in the same order (re-projected where pruning an
    /// input reorders or keeps more of its columns).
    func pruneUnion(_ cs: [LogicalPlan], required: Set<Int>) -> Pruned {
        let keep = required.sorted()
        let kids = cs.map { c -> LogicalPlan in
            let (p, m) = prune(c, required: required)
            let s = p.schema
            let exprs = keep.map { BoundExpr.column(m[$0]!, type: s[m[$0]!].type, name: s[m[$0]!].name) }
            if exprs.count == s.count && keep.enumerated().allSatisfy({ m[$0.element]! == $0.offset }) { return p }
            return .project(p, exprs, names: exprs.map(\.name))
        }
        return (.union(kids), Self.positions(keep))
    }

    /// Old index -> new index for the kept old indexes `keep` (ascending).
    static func positions(_ keep: [Int]) -> [Int: Int] {
        var map: [Int: Int] = [:]
        for (n, o) in keep.enumerated() { map[o] = n }
        return map
    }

    static func identity(_ n: Int) -> [Int: Int] { positions(Array(0..<n)) }
}

extension SortKey {
    /// The key over column `map(column)`.
    func remapped(_ map: (Int) -> Int) -> SortKey {
        SortKey(column: map(column), ascending: ascending, nullsFirst: nullsFirst)
    }
}
