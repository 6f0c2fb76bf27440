import KuaiCore
import KuaiExec

/// Splits the ON condition of a join, and the WHERE conjuncts over it, into hash keys, filters on one
/// input and a residual: equalities between the two sides become keys (an expression side becomes an
/// extra projected column, dropped again above the join), and so does `a IS NOT DISTINCT FROM b`
/// (also written `a = b OR (a IS NULL AND b IS NULL)`), as two keys that are never NULL
/// (`nullMatchingKeys`); a conjunct over one side moves into that
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

        /// `a` and `b` as (left side, right side) when one reads only the left input and the other
        /// only the right one.
        func crossing(_ a: BoundExpr, _ b: BoundExpr) -> (BoundExpr, BoundExpr)? {
            let (sa, sb) = (side(a), side(b))
            if sa == 1 && sb == 2 { return (a, b) }
            if sa == 2 && sb == 1 { return (b, a) }
            return nil
        }

        /// The hash keys of conjunct `e`, as (left side, right side) pairs: `a = b` with one side over
        /// each input is one key; `a IS NOT DISTINCT FROM b` two (`nullMatchingKeys`); nil for others.
        func equiKeys(_ e: BoundExpr) -> [(BoundExpr, BoundExpr)]? {
            if case .compare(.equal, let a, let b) = e.kind {
                return crossing(a, b).map { [JoinConditionPushdown.comparedAsDouble($0.0, $0.1)] }
            }
            guard let (a, b) = JoinConditionPushdown.notDistinctOperands(e), let (l, r) = crossing(a, b) else {
                return nil
            }
            return JoinConditionPushdown.nullMatchingKeys(l, r)
        }

        /// A WHERE conjunct over the join.
        mutating func addAbove(_ c: BoundExpr, innerLike: Bool) {
            let s = side(c)
            if s == 1 && (innerLike || type == .left || type == .semi || type == .anti) {
                leftFilters.append(c)
            } else if s == 2 && innerLike {
                rightFilters.append(c)
            } else if innerLike, let k = equiKeys(c) {
                keyPairs += k
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
            } else if let k = equiKeys(c) {
                keyPairs += k
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

    /// The operands of `a IS NOT DISTINCT FROM b`, or of DuckDB's spelled-out form of it, `a = b OR (a IS
    /// NULL AND b IS NULL)` (either order, the NULL tests may omit the casts the binder put on the
    /// operands of `=`, since a CAST is NULL exactly when its operand is), cast to one type (integers of
    /// different widths and DOUBLE, which the binder leaves to the comparison kernels: `keyType`); nil
    /// for any other expression or operands of NULL's type. (The OR form differs from IS NOT DISTINCT
    /// FROM only by a NULL where that is false, which a join condition treats alike.)
    static func notDistinctOperands(_ e: BoundExpr) -> (BoundExpr, BoundExpr)? {
        let pair: (BoundExpr, BoundExpr)
        switch e.kind {
        case .isDistinctFrom(let a, let b, negated: true):
            pair = (a, b)
        case .or(let xs) where xs.count == 2:
            guard let p = equalityWithNullTests(xs[0], xs[1]) ?? equalityWithNullTests(xs[1], xs[0]) else {
                return nil
            }
            pair = p
        default:
            return nil
        }
        guard let t = keyType(pair.0.type, pair.1.type), t != .null else { return nil }
        func cast(_ x: BoundExpr) -> BoundExpr {
            x.type == t ? x : BoundExpr(.cast(x, isTry: false), type: t, name: x.name)
        }
        return (cast(pair.0), cast(pair.1))
    }

    /// The keys of `l = r` with an integer side cast to DOUBLE when the other side is DOUBLE: DuckDB
    /// compares the two in DOUBLE, where BIGINT 9223372036854775807 equals 9.223372036854776e18 and
    /// 2^53 + 1 equals 2^53, and the hash join would otherwise read a DOUBLE probe key as an integer
    /// (exact integral values only: those rows never matched). Other pairs are returned as they are.
    static func comparedAsDouble(_ l: BoundExpr, _ r: BoundExpr) -> (BoundExpr, BoundExpr) {
        guard l.type != r.type, l.type == .double || r.type == .double, l.type.isNumeric, r.type.isNumeric else {
            return (l, r)
        }
        func cast(_ x: BoundExpr) -> BoundExpr {
            x.type == .double ? x : BoundExpr(.cast(x, isTry: false), type: .double, name: x.name)
        }
        return (cast(l), cast(r))
    }

    /// The type two operands of a comparison are compared in: their type when it is the same, else for
    /// integers of different widths the widest (BIGINT or HUGEINT), and DOUBLE when one side is DOUBLE
    /// (DuckDB's rule; the binder casts every other mix, DECIMAL included, to one type); nil otherwise.
    static func keyType(_ a: DataType, _ b: DataType) -> DataType? {
        if a == b { return a }
        guard a.isNumeric, b.isNumeric, !a.isDecimal, !b.isDecimal else { return nil }
        if a == .double || b == .double { return .double }
        return a == .hugeint || b == .hugeint ? .hugeint : .bigint
    }

    /// `(a, b)` when `eq` is `a = b` and `nulls` is `a IS NULL AND b IS NULL` (in either order).
    private static func equalityWithNullTests(_ eq: BoundExpr, _ nulls: BoundExpr) -> (BoundExpr, BoundExpr)? {
        guard case .compare(.equal, let a, let b) = eq.kind, case .and(let tests) = nulls.kind, tests.count == 2
        else { return nil }
        var tested: [String] = []
        for t in tests {
            guard case .isNull(let x, negated: false) = t.kind else { return nil }
            tested.append(withoutCasts(x).structuralKey)
        }
        let operands = [withoutCasts(a).structuralKey, withoutCasts(b).structuralKey]
        return tested.sorted() == operands.sorted() && operands[0] != operands[1] ? (a, b) : nil
    }

    /// `e` without the CASTs (not TRY_CASTs) around it.
    private static func withoutCasts(_ e: BoundExpr) -> BoundExpr {
        if case .cast(let x, isTry: false) = e.kind { return withoutCasts(x) }
        return e
    }

    /// The two hash keys that make `l IS NOT DISTINCT FROM r` a hash join condition, NULL matching NULL:
    /// `coalesce(l, z) = coalesce(r, z)` and `(l IS NULL) = (r IS NULL)`, with `z` a constant of their
    /// type. Neither key is ever NULL, so the join's rule that a NULL key never matches (and the key
    /// filters placed in its inputs) drops no row; a NULL and the value `z` differ in the second key.
    /// Two integer-stored keys are packed into one by the hash table (`PackedJoinKeys`).
    static func nullMatchingKeys(_ l: BoundExpr, _ r: BoundExpr) -> [(BoundExpr, BoundExpr)]? {
        let t = l.type
        guard let coalesce = FunctionRegistry.generic("coalesce", t, arity: 2) else { return nil }
        let zero: Value
        switch t {
        case .boolean: zero = .bool(false)
        case .double: zero = .double(0)
        case .varchar: zero = .string("")
        default: zero = .int(0)
        }
        let z = BoundExpr.constant(zero, type: t)
        func filled(_ x: BoundExpr) -> BoundExpr {
            BoundExpr(.function(coalesce, [x, z]), type: t, name: "COALESCE(\(x.name), \(z.name))")
        }
        func isNull(_ x: BoundExpr) -> BoundExpr {
            BoundExpr(.isNull(x, negated: false), type: .boolean, name: "(\(x.name) IS NULL)")
        }
        return [(filled(l), filled(r)), (isNull(l), isNull(r))]
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
