import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// `NOT x` (BOOLEAN), `+x` and `-x` (numbers; `-` also negates an INTERVAL); an untyped NULL operand
    /// gives a BIGINT NULL, as DuckDB.
    func bindUnary(_ op: UnaryOperator, _ a: Expr, _ pos: SourcePosition, _ name: String, _ ctx: ExprContext)
        throws -> BoundExpr
    {
        let x = try bind(a, ctx)
        switch op {
        case .not:
            try requireBoolean(x, a, "NOT")
            return BoundExpr(.not(x), type: .boolean, name: name)
        case .plus:
            guard x.type.isNumeric || x.type == .null else {
                throw Binder.error("cannot apply unary + to \(x.type) in \(name)", pos)
            }
            if x.type == .null { return BoundExpr.constant(.null, type: .bigint, name: name) }  // as DuckDB
            return x
        case .minus:
            if x.type == .interval { return try bindFunction("interval_negate", [x], pos, name) }
            guard x.type.isNumeric || x.type == .null else {
                throw Binder.error("cannot negate \(x.type) in \(name)", pos)
            }
            return BoundExpr(.negate(x), type: x.type == .null ? .bigint : x.type, name: name)
        case .bitwiseNot:
            if x.type == .null { return BoundExpr.constant(.null, type: .bigint, name: name) }  // as DuckDB
            guard x.type.isInteger else { throw Binder.error("cannot apply ~ to \(x.type) in \(name)", pos) }
            return try bindFunction("~", [x], pos, name)
        }
    }

    /// `CAST(x AS t)` / `TRY_CAST` / `x::t` (DECIMAL to an integer rounds halves away from zero, in the
    /// cast kernel). A pair of types with no conversion (`Kernels.canCast` false: DATE to SMALLINT, BOOLEAN
    /// to DATE) binds as DuckDB binds it: TRY_CAST is NULL and CAST an execution error on a non-NULL value
    /// (`Kernels.unimplementedCast`); a CAST of a non-NULL constant fails while binding, at the cast,
    /// as DuckDB's constant folding does (`INSERT INTO t VALUES (DATE '2025-01-01')` into an INTEGER).
    func bindCast(
        _ a: Expr, to t: DataType, isTry: Bool, _ pos: SourcePosition, _ name: String, _ ctx: ExprContext
    ) throws -> BoundExpr {
        let x = try bind(a, ctx)
        // `'5'::VARCHAR` is a typed VARCHAR, no longer a string literal that adapts to the other side of
        // a comparison, CASE or call (DuckDB binds the literal as STRING_LITERAL, the cast as VARCHAR).
        if x.type == t, t == .varchar, case .constant(.string) = x.kind {
            return BoundExpr(.cast(x, isTry: isTry), type: t, name: name)
        }
        if x.type == t { return x }
        if !isTry, x.type != .null, !Kernels.canCast(from: x.type, to: t), let v = x.foldedValue, !v.isNull {
            throw Binder.error("Unimplemented type for cast (\(x.type) -> \(t))", pos)
        }
        return BoundExpr(.cast(x, isTry: isTry), type: t, name: name)
    }

    /// `a op b`: AND / OR (flattened into one n-ary conjunction), else `combineBinary` over the bound `a`.
    func bindBinary(
        _ op: BinaryOperator, _ a: Expr, _ b: Expr, _ pos: SourcePosition, _ name: String, _ ctx: ExprContext
    ) throws -> BoundExpr {
        guard op == .and || op == .or else { return try combineBinary(op, try bind(a, ctx), b, pos, name, ctx) }
        let x = try bind(a, ctx)
        let y = try bind(b, ctx)
        try requireBoolean(x, a, op.symbol)
        try requireBoolean(y, b, op.symbol)
        var parts: [BoundExpr] = []
        for p in [x, y] {
            switch (op, p.kind) {
            case (.and, .and(let xs)), (.or, .or(let xs)): parts.append(contentsOf: xs)
            default: parts.append(p)
            }
        }
        return BoundExpr(op == .and ? .and(parts) : .or(parts), type: .boolean, name: name)
    }

    /// A left-deep chain of binary operators other than AND / OR (`a + b - c + ...`, `x || y || z`), bound
    /// with a loop over its left spine instead of one recursion per operator: DuckDB answers a chain of 997
    /// terms, and a debug build's binder frames are large (the spine's recursion through `bind`, `bindNode`
    /// and `bindBinary` overflowed an 8 MB stack near 750 terms). Right operands are bound by recursion
    /// (their depth is the parser's, `Parser.maxDepth`). Each node is named by its own text, as before.
    func bindLeftChain(_ e: Expr, _ ctx: ExprContext) throws -> BoundExpr {
        var spine: [Expr] = []
        var leftmost = e
        while case .binary(let op, let l, _, _) = leftmost, op != .and, op != .or, !Binder.isRowComparison(leftmost) {
            spine.append(leftmost)
            leftmost = l
        }
        var x = try bind(leftmost, ctx)
        for node in spine.reversed() {
            guard case .binary(let op, _, let b, let pos) = node else { continue }
            x = try combineBinary(op, x, b, pos, node.sqlDescription, ctx)
        }
        return x
    }

    /// `x op b` for the comparison, IS DISTINCT FROM, `||`, bit, GLOB and arithmetic operators, with the
    /// left operand `x` already bound.
    func combineBinary(
        _ op: BinaryOperator, _ x: BoundExpr, _ b: Expr, _ pos: SourcePosition, _ name: String, _ ctx: ExprContext
    ) throws -> BoundExpr {
        switch op {
        case .and, .or:
            preconditionFailure("AND / OR are bound by bindBinary")
        case .compare(let cop):
            return try makeCompare(cop, x, try bind(b, ctx), pos, name)
        case .isDistinctFrom, .isNotDistinctFrom:
            var x = x
            var y = try bind(b, ctx)
            if x.type != .null && y.type != .null {
                (x, y) = try comparisonOperands(x, y, pos, name, castHint: false, equality: true)
            }
            return
                BoundExpr(.isDistinctFrom(x, y, negated: op == .isNotDistinctFrom), type: .boolean, name: name)
        case .concat:
            let y = try bind(b, ctx)
            // DuckDB types `x || NULL` (an untyped NULL on either side) as NULL, not VARCHAR.
            if x.type == .null || y.type == .null { return BoundExpr.constant(.null, type: .null, name: name) }
            if x.type.isList || y.type.isList { return try bindFunction("list_concat", [x, y], pos, name) }
            return try bindFunction("concat_op", [try toVarchar(x, pos), try toVarchar(y, pos)], pos, name)
        case .bitwiseAnd, .bitwiseOr, .shiftLeft, .shiftRight:
            return try bindBitOperator(op.symbol, x, try bind(b, ctx), pos, name)
        case .glob:
            let y = try bind(b, ctx)
            if x.type == .null || y.type == .null { return BoundExpr.constant(.null, type: .boolean, name: name) }
            return try bindFunction("~~~", [x, y], pos, name)
        case .arithmetic(let aop):
            let y = try bind(b, ctx)
            // `[1, 2] + [3]` concatenates, as `||` does (DuckDB 2.0.1's + of two lists)
            if aop == .add && (x.type.isList || y.type.isList) && (x.type.isList || x.type == .null)
                && (y.type.isList || y.type == .null)
            {
                return try bindFunction("list_concat", [x, y], pos, name)
            }
            return try makeArithmetic(aop, x, y, pos, name)
        }
    }

    /// `x & y`, `x | y`, `x << y`, `x >> y` (also `xor(x, y)`): the common integer type of the operands; a string
    /// literal takes the other side's type (a computed string, `'1' || ''`, does not: DuckDB's "No function
    /// matches") and an untyped NULL gives a NULL of the other side's type (BIGINT
    /// for NULL op NULL), as DuckDB.
    /// - Throws: `KuaiError.binding` for operands that are not integers (BOOLEAN included, as DuckDB).
    func bindBitOperator(_ fname: String, _ x0: BoundExpr, _ y0: BoundExpr, _ pos: SourcePosition, _ name: String)
        throws -> BoundExpr
    {
        var x = x0
        var y = y0
        if isStringLiteral(x) && y.type.isInteger { x = try coerce(x, to: y.type, pos) }
        if isStringLiteral(y) && x.type.isInteger { y = try coerce(y, to: x.type, pos) }
        if x.type == .null && y.type == .null { return BoundExpr.constant(.null, type: .bigint, name: name) }
        if x.type == .null { x = BoundExpr.constant(.null, type: y.type, name: x.name) }
        if y.type == .null { y = BoundExpr.constant(.null, type: x.type, name: y.name) }
        guard x.type.isInteger && y.type.isInteger else {
            throw Binder.error("no function matches \(fname)(\(x.type), \(y.type)) in \(name)", pos)
        }
        x = try coerce(x, to: literalAdaptedType(x, besideOperand: y), pos)
        y = try coerce(y, to: literalAdaptedType(y, besideOperand: x), pos)
        return try bindOverload(fname, [x, y], pos, name)
    }

    /// `x op y` for the arithmetic operators, typed as DuckDB does: the common numeric type of the operands
    /// (`/` is DOUBLE); an untyped NULL takes the other side's type, and NULL op NULL is BIGINT (DOUBLE for `/`).
    /// Also `mod(x, y)`, which DuckDB types exactly like `x % y`. Temporal operands go through functions.
    func makeArithmetic(_ aop: ArithmeticOp, _ x0: BoundExpr, _ y0: BoundExpr, _ pos: SourcePosition, _ name: String)
        throws -> BoundExpr
    {
        var x = x0
        var y = y0
        let temporal: Set<DataType> = [.date, .timestamp, .timestamptz, .time, .interval]
        if temporal.contains(x.type) || temporal.contains(y.type) {
            return try bindTemporalArithmetic(aop, x, y, pos, name)
        }
        if isStringLiteral(x) && y.type.isNumeric { x = try coerce(x, to: y.type, pos) }
        if isStringLiteral(y) && x.type.isNumeric { y = try coerce(y, to: x.type, pos) }
        if x.type == .null && y.type == .null {
            return BoundExpr.constant(.null, type: aop == .divide ? .double : .bigint, name: name)
        }
        let xt = x.type == .null ? y.type : literalAdaptedType(x, besideOperand: y)
        let yt = y.type == .null ? x.type : literalAdaptedType(y, besideOperand: x)
        // DuckDB 2.0.1 has no arithmetic operator on BOOLEAN (`true + 1` is a binder error).
        guard xt.isNumeric, yt.isNumeric, var t = commonType(xt, yt) else {
            throw Binder.error(
                "No function matches the given name and argument types '\(aop.rawValue)(\(x.type), \(y.type))'. You might need to add explicit type casts.",
                pos)
        }
        if (x.type == .null || y.type == .null) && (xt.isDecimal || yt.isDecimal) && aop != .divide
            && aop != .integerDivide
        {
            // The NULL literal `+ - * %` a DECIMAL has DuckDB's NULL type (it then adapts to what it
            // meets: `coalesce(NULL + 5.5, true)` is a BOOLEAN); `/` and `//` are DOUBLE as below.
            return BoundExpr.constant(.null, type: .null, name: name)
        }
        if xt.isDecimal || yt.isDecimal { return try makeDecimalArithmetic(aop, x, y, xt, yt, pos, name) }
        if aop == .divide { t = .double }
        return BoundExpr(.arithmetic(aop, x, y), type: t, name: name)
    }

    /// `x op y` where a side is DECIMAL, typed as DuckDB 2.0.1 types it (an integer side counts as
    /// DECIMAL(w,0): w = 10 INTEGER, 19 BIGINT, 38 HUGEINT):
    /// - with a DOUBLE, and every `/` and `//`: DOUBLE (the DECIMAL sides cast to DOUBLE; DuckDB's
    ///   `//` of DECIMAL divides without flooring, `7.5 // 2` = 3.75, and `// 0` is an error);
    /// - `+ -`: scale max(s1,s2), precision max(p1-s1, p2-s2) + scale + 1 (at most 38);
    /// - `*`: scale s1+s2 (above 38 is an error), precision p1+p2, cut to 18 when both sides have at
    ///   most 18 digits and the scale is below 18 (then checked for overflow), at most 38;
    /// - `%`: scale max(s1,s2), precision max(p1-s1, p2-s2) + scale; DOUBLE when that needs more than 38
    ///   digits (`HUGEINT % DECIMAL(38,2)`, `DECIMAL(37,0) % DECIMAL(3,2)`), as DuckDB binds it.
    /// The operands of `+ - %` are cast to the result's scale, so the kernels see unscaled integers.
    func makeDecimalArithmetic(
        _ aop: ArithmeticOp, _ x: BoundExpr, _ y: BoundExpr, _ xt0: DataType, _ yt0: DataType,
        _ pos: SourcePosition, _ name: String
    ) throws -> BoundExpr {
        let moduloTooWide =
            aop == .modulo
            && max(xt0.decimalPrecision - xt0.decimalScale, yt0.decimalPrecision - yt0.decimalScale)
                + max(xt0.decimalScale, yt0.decimalScale) > 38
        if xt0 == .double || yt0 == .double || aop == .divide || aop == .integerDivide || moduloTooWide {
            let cx = try coerce(x, to: .double, pos)
            let cy = try coerce(y, to: .double, pos)
            return BoundExpr(.arithmetic(aop, cx, cy), type: .double, name: name)
        }
        let (xt, yt) = (xt0, yt0)
        let (p1, s1) = (xt.decimalPrecision, xt.decimalScale)
        let (p2, s2) = (yt.decimalPrecision, yt.decimalScale)
        if aop == .multiply {
            let s = s1 + s2
            if s > 38 {
                throw Binder.error(
                    "Needed scale \(s) to accurately represent the multiplication result, but this is out of range of the DECIMAL type. Max scale is 38; could not perform an accurate multiplication. Either add a cast to DOUBLE, or add an explicit cast to a decimal with a lower scale.",
                    pos)
            }
            var p = p1 + p2
            if p > 18 && max(p1, p2) <= 18 && s < 18 { p = 18 }
            let t = DataType.decimal(precision: UInt8(min(38, max(p, s))), scale: UInt8(s))
            return BoundExpr(.arithmetic(aop, x, y), type: t, name: name)  // integers are their unscaled values
        }
        let s = max(s1, s2)
        let intDigits = max(p1 - s1, p2 - s2)
        let p = min(38, intDigits + s + (aop == .modulo ? 0 : 1))
        let t = DataType.decimal(precision: UInt8(p), scale: UInt8(s))
        func rescaled(_ e: BoundExpr, _ et: DataType) throws -> BoundExpr {
            let w = min(38, et.decimalPrecision - et.decimalScale + s)
            return try coerce(e, to: .decimal(precision: UInt8(w), scale: UInt8(s)), pos)
        }
        return BoundExpr(.arithmetic(aop, try rescaled(x, xt), try rescaled(y, yt)), type: t, name: name)
    }

    /// `DATE - TIMESTAMP`, `TIMESTAMP - DATE` (the DATE as its midnight) and a TIMESTAMPTZ minus a
    /// TIMESTAMP or DATE, or the reverse (the other side read in the session zone): both sides cast to the
    /// wider type, so the difference is an INTERVAL as DuckDB's implicit casts make it; nil for other operands.
    func widenedTemporalOperands(_ x: BoundExpr, _ y: BoundExpr, _ pos: SourcePosition) throws -> (
        BoundExpr, BoundExpr
    )? {
        let local: Set<DataType> = [.date, .timestamp]
        guard x.type != y.type, local.contains(x.type) || x.type == .timestamptz,
            local.contains(y.type) || y.type == .timestamptz
        else { return nil }
        let t: DataType = x.type == .timestamptz || y.type == .timestamptz ? .timestamptz : .timestamp
        return (try coerce(x, to: t, pos), try coerce(y, to: t, pos))
    }

    func bindTemporalArithmetic(
        _ op: ArithmeticOp, _ x: BoundExpr, _ y: BoundExpr, _ pos: SourcePosition, _ name: String
    ) throws -> BoundExpr {
        if op == .subtract, let (cx, cy) = try widenedTemporalOperands(x, y, pos) {
            return try bindTemporalArithmetic(op, cx, cy, pos, name)
        }
        if let tz = try bindTimeZoneArithmetic(op, x, y, pos, name) { return tz }
        let fn: String?
        switch (op, x.type, y.type) {
        case (.add, .date, let t) where t.isInteger: fn = "date_add_days"
        case (.add, let t, .date) where t.isInteger: return try bindTemporalArithmetic(op, y, x, pos, name)
        case (.subtract, .date, let t) where t.isInteger: fn = "date_sub_days"
        case (.subtract, .date, .date): fn = "date_diff_days"
        case (.subtract, .timestamp, .timestamp): fn = "timestamp_diff"
        case (.add, .timestamp, .interval), (.add, .date, .interval): fn = "timestamp_add_interval"
        case (.add, .interval, .timestamp), (.add, .interval, .date):
            return try bindTemporalArithmetic(op, y, x, pos, name)
        case (.subtract, .timestamp, .interval), (.subtract, .date, .interval): fn = "timestamp_sub_interval"
        // TIME ± INTERVAL wraps around midnight; DATE + TIME is a TIMESTAMP (DuckDB's overloads)
        case (.add, .time, .interval): fn = "time_add_interval"
        case (.subtract, .time, .interval): fn = "time_sub_interval"
        case (.add, .date, .time): fn = "date_add_time"
        case (.add, .interval, .time), (.add, .time, .date): return try bindTemporalArithmetic(op, y, x, pos, name)
        case (.add, .interval, .interval): fn = "interval_add"
        case (.subtract, .interval, .interval): fn = "interval_sub"
        // DuckDB's overloads (INTERVAL, BIGINT) and (INTERVAL, DOUBLE) of *, and (INTERVAL, DOUBLE) of /
        // (DECIMAL and HUGEINT factors take the DOUBLE one); a NULL factor gives a NULL INTERVAL.
        case (.multiply, .interval, let t) where t.isInteger && t != .hugeint: fn = "interval_mul"
        case (.multiply, .interval, let t) where t.isNumeric: fn = "interval_mul_double"
        case (.multiply, let t, .interval) where t.isNumeric || t == .null:
            return try bindTemporalArithmetic(op, y, x, pos, name)
        case (.divide, .interval, let t) where t.isNumeric: fn = "interval_div"
        case (.multiply, .interval, .null), (.divide, .interval, .null):
            return BoundExpr.constant(.null, type: .interval, name: name)
        default: fn = nil
        }
        guard let fn, FunctionRegistry.isScalarFunction(fn) else {
            throw Binder.error("cannot apply \(op.rawValue) to \(x.type) and \(y.type) in \(name)", pos)
        }
        return try bindFunction(fn, [x, y], pos, name)
    }
}
