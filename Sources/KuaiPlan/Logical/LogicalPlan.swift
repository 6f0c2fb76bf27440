import KuaiCore
import KuaiExec

/// The logical plan: relational operators over bound expressions.
///
/// Every expression refers to the output columns of the node's (first) child by 0-based index.
/// The binder builds this tree; `Optimizer` pushes filters into scans and prunes unused columns;
/// `PhysicalPlanner` turns it into operators.
indirect enum LogicalPlan {
    /// Table columns `columns` (table indexes, in output order) with pushed conjuncts over the output.
    case scan(table: TableSource, columns: [Int], conjuncts: [BoundExpr])
    case filter(LogicalPlan, BoundExpr)
    case project(LogicalPlan, [BoundExpr], names: [String])
    /// Keys are input columns `groupColumns`; output = keys then aggregates.
    case aggregate(LogicalPlan, groupColumns: [Int], groupNames: [String], aggregates: [AggregateSpec])
    case sort(LogicalPlan, [SortKey])
    case limit(LogicalPlan, limit: Int?, offset: Int)
    /// Distinct rows over all columns.
    case distinct(LogicalPlan)
    /// Rows computed already (subquery results, SELECT without FROM = one row of no columns).
    case values(schema: Schema, batches: [Batch], label: String)
    /// Output = left ++ right columns (left only for semi/anti). `residual` is over left ++ right.
    case join(LogicalPlan, LogicalPlan, type: JoinType, leftKeys: [Int], rightKeys: [Int], residual: BoundExpr?)
    /// Output = child ++ one column per function.
    case window(LogicalPlan, partitionBy: [Int], orderBy: [SortKey], functions: [WindowFunction], names: [String])
    /// UNION ALL of inputs with equal column types (names of the first).
    case union([LogicalPlan])
    /// EXCEPT / INTERSECT [ALL].
    case setOp(SetOperationOperator.Kind, all: Bool, LogicalPlan, LogicalPlan)
    /// A CTE referenced more than once: computed once per query (by `id`), then read by every reference.
    case shared(id: Int, LogicalPlan)

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
        case .join(let l, let r, let type, _, _, _):
            return (type == .semi || type == .anti) ? l.schema : l.schema + r.schema
        case .window(let c, _, _, let fs, let names):
            let s = c.schema
            return s
                + zip(fs, names).map { f, n in
                    Field(n, WindowFunction.resultType(f.kind, argumentType: f.argument.map { s[$0].type }))
                }
        case .union(let cs): return cs[0].schema
        case .setOp(_, _, let l, _): return l.schema
        case .shared(_, let p): return p.schema
        }
    }

    /// A rough row count for choosing join build sides.
    var estimatedRows: Int {
        switch self {
        case .scan(let t, _, let conj): return conj.isEmpty ? t.rowCount : max(1, t.rowCount / 4)
        case .filter(let c, _): return max(1, c.estimatedRows / 2)
        case .project(let c, _, _), .sort(let c, _), .distinct(let c), .window(let c, _, _, _, _):
            return c.estimatedRows
        case .aggregate(let c, let g, _, _): return g.isEmpty ? 1 : max(1, c.estimatedRows / 2)
        case .limit(let c, let l, _): return min(c.estimatedRows, l ?? Int.max)
        case .values(_, let b, _): return b.reduce(0) { $0 + $1.count }
        case .join(let l, let r, let type, _, _, _):
            switch type {
            case .left, .semi, .anti: return l.estimatedRows
            default: return max(l.estimatedRows, r.estimatedRows)
            }
        case .union(let cs): return cs.reduce(0) { $0 + $1.estimatedRows }
        case .setOp(_, _, let l, _): return l.estimatedRows
        case .shared(_, let p): return p.estimatedRows
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
    static func conjuncts(_ e: BoundExpr) -> [BoundExpr] {
        if case .and(let xs) = e.kind { return xs.flatMap(conjuncts) }
        return [e]
    }

    /// Moves filters into the scans below them.
    static func pushDown(_ plan: LogicalPlan) -> LogicalPlan {
        switch plan {
        case .filter(let child, let pred):
            if case .join(let l, let r, let type, let lk, let rk, let res) = child {
                return pushDownJoin(l, r, type, lk, rk, res, above: conjuncts(pred))
            }
            let c = pushDown(child)
            if case .scan(let t, let cols, let conj) = c {
                return .scan(table: t, columns: cols, conjuncts: conj + conjuncts(pred))
            }
            if case .filter(let cc, let p2) = c {
                return .filter(
                    cc,
                    BoundExpr(
                        .and(conjuncts(p2) + conjuncts(pred)), type: .boolean, name: "\(p2.name) AND \(pred.name)"))
            }
            return .filter(c, pred)
        case .join(let l, let r, let type, let lk, let rk, let res):
            return pushDownJoin(l, r, type, lk, rk, res, above: [])
        case .window(let c, let p, let o, let f, let n):
            return .window(pushDown(c), partitionBy: p, orderBy: o, functions: f, names: n)
        case .union(let cs): return .union(cs.map(pushDown))
        case .setOp(let k, let a, let l, let r): return .setOp(k, all: a, pushDown(l), pushDown(r))
        case .shared(let id, let p): return .shared(id: id, optimize(p))
        case .scan, .values: return plan
        case .project(let c, let e, let n): return .project(pushDown(c), e, names: n)
        case .aggregate(let c, let g, let gn, let a):
            return .aggregate(pushDown(c), groupColumns: g, groupNames: gn, aggregates: a)
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
            let n = g.count + aggs.count
            var ident: [Int: Int] = [:]
            for i in 0..<n { ident[i] = i }
            return (.aggregate(c, groupColumns: g.map { m[$0]! }, groupNames: gn, aggregates: newAggs), ident)
        case .sort(let child, let keys):
            let (c, m) = prune(child, required: required.union(keys.map(\.column)))
            return (
                .sort(
                    c, keys.map { SortKey(column: m[$0.column]!, ascending: $0.ascending, nullsFirst: $0.nullsFirst) }),
                m
            )
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
        case .join(let l, let r, let type, let lk, let rk, let res):
            let lw = l.schema.count
            var need = required
            if let res { need.formUnion(res.referencedColumns) }
            var lneed = Set(lk)
            var rneed = Set(rk)
            for i in need { if i < lw { lneed.insert(i) } else { rneed.insert(i - lw) } }
            let (lp, lm) = prune(l, required: lneed)
            let (rp, rm) = prune(r, required: rneed)
            let newLw = lp.schema.count
            var map: [Int: Int] = [:]
            for (o, n) in lm { map[o] = n }
            if type != .semi && type != .anti { for (o, n) in rm { map[lw + o] = newLw + n } }
            let newRes = res?.remapColumns { $0 < lw ? lm[$0]! : newLw + rm[$0 - lw]! }
            return (
                .join(
                    lp, rp, type: type, leftKeys: lk.map { lm[$0]! }, rightKeys: rk.map { rm[$0]! }, residual: newRes),
                map
            )
        case .window(let child, let p, let o, let fs, let names):
            let cw = child.schema.count
            var need = Set(required.filter { $0 < cw })
            need.formUnion(p)
            need.formUnion(o.map(\.column))
            for f in fs { if let a = f.argument { need.insert(a) } }
            let (c, m) = prune(child, required: need)
            let newCw = c.schema.count
            var map = m
            for k in 0..<fs.count { map[cw + k] = newCw + k }
            let newFs = fs.map { f -> WindowFunction in
                var g = f
                g.argument = f.argument.map { m[$0]! }
                return g
            }
            return (
                .window(
                    c, partitionBy: p.map { m[$0]! },
                    orderBy: o.map {
                        SortKey(column: m[$0.column]!, ascending: $0.ascending, nullsFirst: $0.nullsFirst)
                    },
                    functions: newFs, names: names), map
            )
        case .union(let cs):
            let keep = required.sorted()
            let kids = cs.map { c -> LogicalPlan in
                let (p, m) = prune(c, required: required)
                let s = p.schema
                let exprs = keep.map { BoundExpr.column(m[$0]!, type: s[m[$0]!].type, name: s[m[$0]!].name) }
                if exprs.count == s.count && keep.enumerated().allSatisfy({ m[$0.element]! == $0.offset }) { return p }
                return .project(p, exprs, names: exprs.map(\.name))
            }
            var map: [Int: Int] = [:]
            for (n, o) in keep.enumerated() { map[o] = n }
            return (.union(kids), map)
        case .shared(_, let p):
            var ident: [Int: Int] = [:]
            for i in 0..<p.schema.count { ident[i] = i }
            return (plan, ident)
        case .setOp(let k, let a, let l, let r):
            let all = Set(0..<l.schema.count)
            let (lp, lm) = prune(l, required: all)
            let (rp, _) = prune(r, required: all)
            return (.setOp(k, all: a, lp, rp), lm)
        }
    }

    /// Splits ON and WHERE conjuncts over a join: equalities between the two sides become hash
    /// keys, single-side conjuncts move into the input they read where that keeps the join's
    /// meaning (INNER/CROSS: both sides; LEFT/SEMI/ANTI: WHERE on the left, ON on the right),
    /// the rest stays as the residual (ON) or a filter above (WHERE).
    static func pushDownJoin(
        _ l0: LogicalPlan, _ r0: LogicalPlan, _ type0: JoinType, _ lk0: [Int], _ rk0: [Int],
        _ residual: BoundExpr?, above: [BoundExpr]
    ) -> LogicalPlan {
        var type = type0
        let lw = l0.schema.count
        var leftFilters: [BoundExpr] = []
        var rightFilters: [BoundExpr] = []
        var keyPairs: [(BoundExpr, BoundExpr)] = []
        var residualParts: [BoundExpr] = []
        var keepAbove: [BoundExpr] = []
        func side(_ e: BoundExpr) -> Int {  // 0 none, 1 left, 2 right, 3 both
            var s = 0
            for c in e.referencedColumns { s |= c < lw ? 1 : 2 }
            return s
        }
        func equiKey(_ e: BoundExpr) -> (BoundExpr, BoundExpr)? {
            guard case .compare(.equal, let a, let b) = e.kind else { return nil }
            let sa = side(a)
            let sb = side(b)
            if sa == 1 && sb == 2 { return (a, b) }
            if sa == 2 && sb == 1 { return (b, a) }
            return nil
        }
        let innerLike = type == .inner || type == .cross
        for c in above {
            let s = side(c)
            if s == 1 && (innerLike || type == .left || type == .semi || type == .anti) {
                leftFilters.append(c)
                continue
            }
            if s == 2 && innerLike {
                rightFilters.append(c)
                continue
            }
            if innerLike, let k = equiKey(c) {
                keyPairs.append(k)
                type = .inner
                continue
            }
            if innerLike && s == 3 {
                residualParts.append(c)
                type = .inner
                continue
            }
            keepAbove.append(c)
        }
        for c in residual.map(conjuncts) ?? [] {
            let s = side(c)
            if s == 1 && (innerLike || type == .semi) {
                leftFilters.append(c)
                continue
            }
            if s == 2 && (innerLike || type == .left || type == .semi || type == .anti) {
                rightFilters.append(c)
                continue
            }
            if let k = equiKey(c) {
                keyPairs.append(k)
                if type == .cross { type = .inner }
                continue
            }
            residualParts.append(c)
        }
        var l = l0
        var r = r0
        if !leftFilters.isEmpty { l = .filter(l, and(leftFilters)) }
        if !rightFilters.isEmpty {
            r = .filter(r, and(rightFilters.map { $0.remapColumns { $0 - lw } }))
        }
        // Keys that are plain columns are used directly; others become extra projected columns.
        var lk = lk0
        var rk = rk0
        var lExtra: [BoundExpr] = []
        var rExtra: [BoundExpr] = []
        let rw = r0.schema.count
        for (a, b) in keyPairs {
            if let i = a.columnIndex {
                lk.append(i)
            } else {
                lExtra.append(a)
                lk.append(lw + lExtra.count - 1)
            }
            let bb = b.remapColumns { $0 - lw }
            if let j = bb.columnIndex {
                rk.append(j)
            } else {
                rExtra.append(bb)
                rk.append(rw + rExtra.count - 1)
            }
        }
        func withExtra(_ p: LogicalPlan, _ extra: [BoundExpr]) -> LogicalPlan {
            if extra.isEmpty { return p }
            let s = p.schema
            let cols = s.enumerated().map { BoundExpr.column($0.offset, type: $0.element.type, name: $0.element.name) }
            return .project(p, cols + extra, names: s.map(\.name) + extra.map(\.name))
        }
        l = withExtra(l, lExtra)
        r = withExtra(r, rExtra)
        let newLw = lw + lExtra.count
        // residual over (left ++ lExtra) ++ (right ++ rExtra)
        let res: BoundExpr? =
            residualParts.isEmpty ? nil : and(residualParts).remapColumns { $0 < lw ? $0 : $0 - lw + newLw }
        var plan: LogicalPlan = .join(pushDown(l), pushDown(r), type: type, leftKeys: lk, rightKeys: rk, residual: res)
        if !lExtra.isEmpty || !rExtra.isEmpty {
            // drop the extra key columns again
            let s = plan.schema
            var keep = Array(0..<lw)
            if type != .semi && type != .anti { keep += (0..<rw).map { newLw + $0 } }
            plan = .project(
                plan, keep.map { BoundExpr.column($0, type: s[$0].type, name: s[$0].name) },
                names: keep.map { s[$0].name })
        }
        if !keepAbove.isEmpty { plan = .filter(plan, and(keepAbove)) }
        return plan
    }

    static func and(_ xs: [BoundExpr]) -> BoundExpr {
        if xs.count == 1 { return xs[0] }
        return BoundExpr(.and(xs), type: .boolean, name: xs.map(\.name).joined(separator: " AND "))
    }
}
