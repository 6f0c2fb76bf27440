import KuaiCore
import KuaiExec

/// Splits the ON condition of a join, and the WHERE conjuncts over it, into hash keys, filters on one
/// input and a residual: equalities between the two sides become keys (an expression side becomes an
/// extra projected column, dropped again above the join); a conjunct over one side moves into that
/// input where this keeps the join's meaning (INNER/CROSS: both sides; LEFT/SEMI/ANTI: WHERE conjuncts
/// on the left, ON conjuncts on the right; SEMI also ON conjuncts on the left); the rest stays as the
/// residual (ON) or a filter above (WHERE). A CROSS JOIN with keys or a residual from WHERE is INNER.
/// Runs top-down, so filters moved into an input that is itself a join are split there too.
struct JoinConditionPushdown: OptimizerRule {
    var name: String { "JoinConditionPushdown" }

    func apply(_ plan: LogicalPlan) -> LogicalPlan {
        switch plan {
        case .filter(.join(let l, let r, let type, let lk, let rk, let res), let pred):
            return pushDown(l, r, type, lk, rk, res, above: pred.conjuncts)
        case .join(let l, let r, let type, let lk, let rk, let res):
            return pushDown(l, r, type, lk, rk, res, above: [])
        default:
            return plan.withChildren(plan.children.map(apply))
        }
    }

    /// Where each conjunct goes (columns of `right` are numbered after the `leftWidth` left ones).
    struct Split {
        var type: JoinType
        let leftWidth: Int
        var leftFilters: [BoundExpr] = []
        var rightFilters: [BoundExpr] = []
        var keyPairs: [(BoundExpr, BoundExpr)] = []
        var residual: [BoundExpr] = []
        var above: [BoundExpr] = []

        /// Which inputs `e` reads: 0 none, 1 left, 2 right, 3 both.
        func side(_ e: BoundExpr) -> Int {
            var s = 0
            for c in e.referencedColumns { s |= c < leftWidth ? 1 : 2 }
            return s
        }

        /// `a = b` with one side over each input, as (left side, right side).
        func equiKey(_ e: BoundExpr) -> (BoundExpr, BoundExpr)? {
            guard case .compare(.equal, let a, let b) = e.kind else { return nil }
            let (sa, sb) = (side(a), side(b))
            if sa == 1 && sb == 2 { return (a, b) }
            if sa == 2 && sb == 1 { return (b, a) }
            return nil
        }

        /// A WHERE conjunct over the join.
        mutating func addAbove(_ c: BoundExpr, innerLike: Bool) {
            let s = side(c)
            if s == 1 && (innerLike || type == .left || type == .semi || type == .anti) {
                leftFilters.append(c)
            } else if s == 2 && innerLike {
                rightFilters.append(c)
            } else if innerLike, let k = equiKey(c) {
                keyPairs.append(k)
                type = .inner
            } else if innerLike && s == 3 {
                residual.append(c)
                type = .inner
            } else {
                above.append(c)
            }
        }

        /// A conjunct of the join's own condition.
        mutating func addOn(_ c: BoundExpr, innerLike: Bool) {
            let s = side(c)
            if s == 1 && (innerLike || type == .semi) {
                leftFilters.append(c)
            } else if s == 2 && (innerLike || type == .left || type == .semi || type == .anti) {
                rightFilters.append(c)
            } else if let k = equiKey(c) {
                keyPairs.append(k)
                if type == .cross { type = .inner }
            } else {
                residual.append(c)
            }
        }
    }

    func pushDown(
        _ l0: LogicalPlan, _ r0: LogicalPlan, _ type0: JoinType, _ lk0: [Int], _ rk0: [Int],
        _ residual: BoundExpr?, above: [BoundExpr]
    ) -> LogicalPlan {
        let lw = l0.schema.count
        let rw = r0.schema.count
        var split = Split(type: type0, leftWidth: lw)
        let innerLike = type0 == .inner || type0 == .cross
        for c in above { split.addAbove(c, innerLike: innerLike) }
        for c in residual.map(\.conjuncts) ?? [] { split.addOn(c, innerLike: innerLike) }
        var l = l0
        var r = r0
        if !split.leftFilters.isEmpty { l = .filter(l, .and(split.leftFilters)) }
        if !split.rightFilters.isEmpty { r = .filter(r, .and(split.rightFilters.map { $0.remapColumns { $0 - lw } })) }
        // Keys that are plain columns are used directly; others become extra projected columns.
        var lk = lk0
        var rk = rk0
        var lExtra: [BoundExpr] = []
        var rExtra: [BoundExpr] = []
        for (a, b) in split.keyPairs {
            lk.append(Self.keyColumn(a, width: lw, extra: &lExtra))
            rk.append(Self.keyColumn(b.remapColumns { $0 - lw }, width: rw, extra: &rExtra))
        }
        l = Self.withExtra(l, lExtra)
        r = Self.withExtra(r, rExtra)
        let newLw = lw + lExtra.count
        // The residual reads (left ++ lExtra) ++ (right ++ rExtra).
        let res: BoundExpr? =
            split.residual.isEmpty ? nil : BoundExpr.and(split.residual).remapColumns { $0 < lw ? $0 : $0 - lw + newLw }
        let type = split.type
        var plan: LogicalPlan = .join(apply(l), apply(r), type: type, leftKeys: lk, rightKeys: rk, residual: res)
        if !lExtra.isEmpty || !rExtra.isEmpty {
            // Drop the extra key columns again.
            let s = plan.schema
            var keep = Array(0..<lw)
            if type != .semi && type != .anti { keep += (0..<rw).map { newLw + $0 } }
            plan = .project(
                plan, keep.map { BoundExpr.column($0, type: s[$0].type, name: s[$0].name) },
                names: keep.map { s[$0].name })
        }
        if !split.above.isEmpty { plan = .filter(plan, .and(split.above)) }
        return plan
    }

    /// The input column of key `e`: its own column when it is one, else a new column after the input's
    /// `width` columns, computed by an extra projection.
    static func keyColumn(_ e: BoundExpr, width: Int, extra: inout [BoundExpr]) -> Int {
        if let i = e.columnIndex { return i }
        extra.append(e)
        return width + extra.count - 1
    }

    /// `p` with `extra` computed columns after its own.
    static func withExtra(_ p: LogicalPlan, _ extra: [BoundExpr]) -> LogicalPlan {
        if extra.isEmpty { return p }
        let s = p.schema
        return .project(p, BoundExpr.columns(of: s) + extra, names: s.map(\.name) + extra.map(\.name))
    }
}
