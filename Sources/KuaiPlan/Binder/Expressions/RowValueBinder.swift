import KuaiCore
import KuaiExec
import KuaiSQL

/// Row values `(a, b)` (DuckDB's unnamed STRUCTs) in comparisons and IN lists, bound as expressions over
/// their members. DuckDB 2.0.1 compares two rows member by member with NULL equal to NULL and ordered
/// after every value, so a row comparison is never NULL (unless a side is the NULL literal):
/// `(1, NULL) = (1, NULL)` is true, `(1, NULL) = (1, 2)` false, `(1, 2) < (1, NULL)` true. A member that is
/// itself a row is compared the same way.
extension Binder {
    /// The members of a row value, nil for any other expression.
    static func rowMembers(_ e: Expr) -> [Expr]? {
        if case .row(let xs, _) = e { return xs }
        return nil
    }

    /// True for a comparison (also IS [NOT] DISTINCT FROM) with a row value on a side.
    static func isRowComparison(_ e: Expr) -> Bool {
        guard case .binary(let op, let a, let b, _) = e, rowMembers(a) != nil || rowMembers(b) != nil else {
            return false
        }
        switch op {
        case .compare, .isDistinctFrom, .isNotDistinctFrom: return true
        default: return false
        }
    }

    /// `x op y` where a side is a row value: `=`, `<>`, `<`, `<=`, `>`, `>=`, `IS [NOT] DISTINCT FROM`.
    /// - Throws: `KuaiError.binding` when the other side is not a row value (or NULL), for rows of
    ///   different sizes and for members without a common type.
    func bindRowComparison(
        _ op: BinaryOperator, _ a: Expr, _ b: Expr, _ pos: SourcePosition, _ name: String, _ ctx: ExprContext
    ) throws -> BoundExpr {
        let x = try bindRowOrValue(a, ctx)
        let y = try bindRowOrValue(b, ctx)
        // A row value is never NULL: against the NULL literal, = and < are NULL, IS DISTINCT FROM true.
        for side in [x, y] {
            guard case .value(let v) = side else { continue }
            guard v.type == .null, v.isEvaluableWithoutInput else {
                throw Binder.error("cannot compare a row value with \(v.type) in \(name)", pos)
            }
            switch op {
            case .isDistinctFrom: return BoundExpr.constant(.bool(true), type: .boolean, name: name)
            case .isNotDistinctFrom: return BoundExpr.constant(.bool(false), type: .boolean, name: name)
            default: return BoundExpr.constant(.null, type: .boolean, name: name)
            }
        }
        let result: BoundExpr
        switch op {
        case .compare(.equal), .isNotDistinctFrom: result = try rowsEqual(x, y, pos, name)
        case .compare(.notEqual), .isDistinctFrom: result = Self.not(try rowsEqual(x, y, pos, name))
        case .compare(.less): result = try rowsLess(x, y, orEqual: false, pos, name)
        case .compare(.lessEqual): result = try rowsLess(x, y, orEqual: true, pos, name)
        case .compare(.greater): result = try rowsLess(y, x, orEqual: false, pos, name)
        case .compare(.greaterEqual): result = try rowsLess(y, x, orEqual: true, pos, name)
        default:
            throw Binder.error("operator \(op.symbol) does not apply to row values in \(name)", pos)
        }
        return BoundExpr(result.kind, type: .boolean, name: name)
    }

    /// `row [NOT] IN (row, ...)`: true when the row equals an item (`rowsEqual`), NULL when it equals none
    /// and an item is the NULL literal, else false.
    /// - Throws: `KuaiError.binding` for an item that is not a row value of the same size.
    func bindRowInList(
        _ a: Expr, _ list: [Expr], negated: Bool, _ pos: SourcePosition, _ name: String, _ ctx: ExprContext
    ) throws -> BoundExpr {
        let x = try bindRowOrValue(a, ctx)
        var tests: [BoundExpr] = []
        for item in list {
            let y = try bindRowOrValue(item, ctx)
            if case .value(let v) = y, v.type == .null, v.isEvaluableWithoutInput {
                tests.append(BoundExpr.constant(.null, type: .boolean, name: "NULL"))
            } else {
                tests.append(try rowsEqual(x, y, pos, name))
            }
        }
        let any = tests.count == 1 ? tests[0] : BoundExpr(.or(tests), type: .boolean, name: name)
        let result = negated ? Self.not(any) : any
        return BoundExpr(result.kind, type: .boolean, name: name)
    }

    /// `(a, b, ...) [NOT] IN (SELECT x, y, ...)` as a WHERE conjunct: a semi (anti) join of `target` with
    /// the subquery. DuckDB compares the row with each subquery row by `=` member by member (three-valued:
    /// a NULL member gives NULL, not a match), and IN is true when some row is equal, NULL when none is but
    /// some row may be, else false. So IN keeps a row when a subquery row equals it in every member (the
    /// join's keys), and NOT IN keeps a row when every subquery row differs from it in some member where
    /// neither is NULL (the anti join's condition: every member equal or NULL).
    /// - Throws: `KuaiError.binding` when the subquery does not return one column per member (DuckDB's
    ///   "Subquery returns n columns - expected m"), or a member and its column have no common type.
    func rowInSubqueryJoin(
        _ members: [Expr], _ q: Query, negated: Bool, _ pos: SourcePosition, _ ctx: ExprContext,
        _ target: CorrelationTarget
    ) throws -> LogicalPlan {
        try rowInSubqueryJoin(members, q, negated: negated, pos, ctx, target, narrowKeysOnly: false)!
    }

    /// `rowInSubqueryJoin`; a member and a subquery column without a common type (INTEGER and VARCHAR) are
    /// DuckDB's binder error "Cannot compare values of type ... in IN/ANY/ALL clause". With
    /// `narrowKeysOnly`, nil (nothing bound into `target`) when a member
    /// or a subquery column is HUGEINT, a DECIMAL wider than 18 digits or an INTERVAL, whose values
    /// a join key may not hold, or when the widths differ (the IN list path reports that).
    func rowInSubqueryJoin(
        _ members: [Expr], _ q: Query, negated: Bool, _ pos: SourcePosition, _ ctx: ExprContext,
        _ target: CorrelationTarget, narrowKeysOnly: Bool
    ) throws -> LogicalPlan? {
        let xs = try members.map { try bind($0, ctx) }
        let (plan, cols) = try subBinder().bindQuery(q)
        if narrowKeysOnly {
            let wide = (xs.map(\.type) + cols.map(\.type)).contains { $0.mayBeWide || $0 == .interval }
            if wide || cols.count != xs.count { return nil }
        }
        guard cols.count == xs.count else {
            throw Binder.error("Subquery returns \(cols.count) columns - expected \(xs.count)", pos)
        }
        var parts: [BoundExpr] = []
        for (i, x) in xs.enumerated() {
            let col = BoundExpr.column(target.width + i, type: cols[i].type, name: cols[i].name)
            // DuckDB reads neither a VARCHAR as the other side's type here, as `=` would, nor a BOOLEAN
            // beside a DECIMAL or DOUBLE
            if x.type != .null && col.type != .null && commonType(x.type, col.type) == nil {
                throw Binder.error(
                    "Cannot compare values of type \(x.type) and \(col.type) in IN/ANY/ALL clause - an explicit cast is required",
                    pos)
            }
            let equal = try makeCompare(.equal, x, col, pos, "(\(x.name) = \(col.name))")
            if !negated {
                parts.append(equal)
                continue
            }
            let unknown = [x, col].map {
                BoundExpr(.isNull($0, negated: false), type: .boolean, name: "(\($0.name) IS NULL)")
            }
            parts.append(BoundExpr(.or([equal] + unknown), type: .boolean, name: "(\(equal.name) OR NULL)"))
        }
        let condition = BoundExpr.and(parts)
        return .join(
            target.plan, plan, type: negated ? .anti : .semi, leftKeys: [], rightKeys: [], residual: condition)
    }

    /// A bound row value (its members, nested rows kept as rows) or a plain value.
    indirect enum BoundRow {
        case row([BoundRow])
        case value(BoundExpr)
    }

    func bindRowOrValue(_ e: Expr, _ ctx: ExprContext) throws -> BoundRow {
        if let xs = Binder.rowMembers(e) { return .row(try xs.map { try bindRowOrValue($0, ctx) }) }
        return .value(try bind(e, ctx))
    }

    /// The members of two rows of the same size, paired.
    private func memberPairs(_ x: BoundRow, _ y: BoundRow, _ pos: SourcePosition, _ name: String) throws
        -> [(BoundRow, BoundRow)]
    {
        guard case .row(let xs) = x, case .row(let ys) = y else {
            throw Binder.error("cannot compare a row value with a value that is not one in \(name)", pos)
        }
        guard xs.count == ys.count else {
            throw Binder.error(
                "Cannot compare row values of different sizes (\(xs.count) and \(ys.count)) in \(name)", pos)
        }
        return Array(zip(xs, ys))
    }

    /// Two members made comparable (a string constant takes the other side's type, DATE against TIMESTAMP
    /// is compared as TIMESTAMP, ...), as the comparison operators bind them.
    private func comparableMembers(_ a: BoundExpr, _ b: BoundExpr, _ pos: SourcePosition, _ name: String) throws
        -> (BoundExpr, BoundExpr)
    {
        if a.type == .null || b.type == .null { return (a, b) }
        return try comparisonOperands(a, b, pos, name, castHint: true)
    }

    /// `x` and `y` equal member by member, NULL equal to NULL: the AND of `IS NOT DISTINCT FROM`.
    func rowsEqual(_ x: BoundRow, _ y: BoundRow, _ pos: SourcePosition, _ name: String) throws -> BoundExpr {
        if case .value(let a) = x, case .value(let b) = y {
            let (p, q) = try comparableMembers(a, b, pos, name)
            return BoundExpr(
                .isDistinctFrom(p, q, negated: true), type: .boolean, name: "(\(p.name) IS NOT DISTINCT FROM \(q.name))"
            )
        }
        let parts = try memberPairs(x, y, pos, name).map { try rowsEqual($0.0, $0.1, pos, name) }
        if parts.isEmpty { return BoundExpr.constant(.bool(true), type: .boolean) }
        return BoundExpr.and(parts)
    }

    /// `x < y` (`x <= y` with `orEqual`) in DuckDB's row order: the first member where they differ decides,
    /// a NULL member after every value and equal to NULL.
    func rowsLess(_ x: BoundRow, _ y: BoundRow, orEqual: Bool, _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr
    {
        if case .value(let a) = x, case .value(let b) = y {
            let (p, q) = try comparableMembers(a, b, pos, name)
            // p before q: both non-NULL and p < q, or only q NULL.
            let less = BoundExpr(.compare(.less, p, q), type: .boolean, name: "(\(p.name) < \(q.name))")
            let lessIsTrue = BoundExpr(
                .isDistinctFrom(less, BoundExpr.constant(.bool(true), type: .boolean), negated: true), type: .boolean,
                name: "(\(less.name) IS TRUE)")
            let onlyQNull = BoundExpr.and([
                BoundExpr(.isNull(p, negated: true), type: .boolean, name: "(\(p.name) IS NOT NULL)"),
                BoundExpr(.isNull(q, negated: false), type: .boolean, name: "(\(q.name) IS NULL)"),
            ])
            let before = BoundExpr(.or([lessIsTrue, onlyQNull]), type: .boolean, name: "before")
            if !orEqual { return before }
            return BoundExpr(.or([before, try rowsEqual(x, y, pos, name)]), type: .boolean, name: "before or equal")
        }
        let pairs = try memberPairs(x, y, pos, name)
        if pairs.isEmpty { return BoundExpr.constant(.bool(orEqual), type: .boolean) }
        // x < y: x1 before y1, or x1 equal to y1 and the rest of x before the rest of y.
        let (x1, y1) = pairs[0]
        let rest = try rowsLess(
            .row(pairs.dropFirst().map(\.0)), .row(pairs.dropFirst().map(\.1)), orEqual: orEqual, pos, name)
        let first = try rowsLess(x1, y1, orEqual: false, pos, name)
        let tie = BoundExpr.and([try rowsEqual(x1, y1, pos, name), rest])
        return BoundExpr(.or([first, tie]), type: .boolean, name: "row order")
    }

    /// `NOT e`.
    static func not(_ e: BoundExpr) -> BoundExpr {
        BoundExpr(.not(e), type: .boolean, name: "(NOT \(e.name))")
    }
}
