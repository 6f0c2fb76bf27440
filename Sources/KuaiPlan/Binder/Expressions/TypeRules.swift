import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// The common type two operands are compared or combined in (nil when incompatible). `combining`:
    /// the type of a value that can come from either (CASE branches, coalesce, greatest / least, set
    /// operations, VALUES columns), where two DECIMALs too wide for 38 digits lose scale
    /// (`decimalCommonType`); comparisons keep the larger scale.
    func commonType(_ a: DataType, _ b: DataType, combining: Bool = false) -> DataType? {
        if a == b { return a }
        if a == .null { return b }
        if b == .null { return a }
        if case .list(let x) = a, case .list(let y) = b {
            // lists: the list of the elements' common type (DuckDB)
            return commonType(x, y, combining: combining).map { .list($0) }
        }
        if case .structure(let x) = a, case .structure(let y) = b, x.count == y.count {
            // structs of the same field names (in any case): each field's common type, a's names
            var fields: [Field] = []
            for (f, g) in zip(x, y) {
                guard f.name.lowercased() == g.name.lowercased(),
                    let t = commonType(f.type, g.type, combining: combining)
                else { return nil }
                fields.append(Field(f.name, t))
            }
            return .structure(fields)
        }
        if case .map(let k, let v) = a, case .map(let k2, let v2) = b {
            guard let key = commonType(k, k2, combining: combining), let value = commonType(v, v2, combining: combining)
            else { return nil }
            return .map(key, value)
        }
        if a.isNumeric && b.isNumeric {
            if a == .double || b == .double { return .double }
            if a.isDecimal || b.isDecimal { return Binder.decimalCommonType(a, b, truncatingScale: combining) }
            return a.integerRank! >= b.integerRank! ? a : b  // the wider integer type
        }
        if (a == .boolean && b.isInteger) || (b == .boolean && a.isInteger) { return a == .boolean ? b : a }
        if (a == .date && b == .timestamp) || (a == .timestamp && b == .date) { return .timestamp }
        // DATE or TIMESTAMP beside TIMESTAMPTZ: the instant (DuckDB casts through the session's zone)
        if (a == .timestamptz || b == .timestamptz) && (a == .date || a.isTimestamp) && (b == .date || b.isTimestamp) {
            return .timestamptz
        }
        return nil
    }

    /// The type of a BOOLEAN beside a number that `commonType` does not mix it with (DECIMAL, DOUBLE):
    /// the number, where DuckDB casts the BOOLEAN to it implicitly: equality comparisons, IN lists and set
    /// operations (`TRUE = 1.5` is false, `SELECT TRUE UNION ALL SELECT 2.5::DOUBLE` is DOUBLE 1.0 and
    /// 2.5); `<`, `>`, CASE, coalesce and VALUES refuse the mix, as DuckDB 2.0.1 does. nil for other types.
    static func booleanBesideNumber(_ a: DataType, _ b: DataType) -> DataType? {
        if a == .boolean && b.isNumeric { return b }
        if b == .boolean && a.isNumeric { return a }
        return nil
    }

    /// DuckDB's common DECIMAL of two numeric non-DOUBLE types (an integer type is DECIMAL(w,0), w = 3
    /// for TINYINT, 5 for SMALLINT, 10 for INTEGER, 19 for BIGINT, 38 for HUGEINT): the larger scale and the larger number of integer
    /// digits, at most 38 digits in all. `truncatingScale` (DuckDB's `MaxLogicalType` of two DECIMALs,
    /// which CASE, coalesce, greatest / least, UNION and VALUES use): when both are DECIMAL and need
    /// more than 38 digits, the integer digits stay and the scale shrinks to what is left, so
    /// DECIMAL(38,2) beside DECIMAL(18,3) is DECIMAL(38,2) (0.006 becomes 0.01); beside an integer type
    /// a DECIMAL keeps its scale (DuckDB's `DecimalSizeCheck`).
    static func decimalCommonType(_ a: DataType, _ b: DataType, truncatingScale: Bool = false) -> DataType {
        var s = max(a.decimalScale, b.decimalScale)
        let intDigits = max(a.decimalPrecision - a.decimalScale, b.decimalPrecision - b.decimalScale)
        if truncatingScale && a.isDecimal && b.isDecimal && intDigits + s > 38 { s = 38 - intDigits }
        return .decimal(precision: UInt8(min(38, intDigits + s)), scale: UInt8(s))
    }

    /// Converts `x` to `t`: a constant string (or one computed without input, `'2025-' || '05-26'`) is
    /// parsed at plan time, a NULL becomes a NULL of `t`, others get a CAST node.
    /// - Throws: `KuaiError.binding` when a constant string does not parse as `t`.
    func coerce(_ x: BoundExpr, to t: DataType, _ pos: SourcePosition) throws -> BoundExpr {
        if x.type == t || t == .null { return x }
        if let v = x.foldedValue {
            if v.isNull { return BoundExpr.constant(.null, type: t, name: x.name) }
            if case .string(let s) = v, t != .varchar { return try castConstantString(s, to: t, pos, x.name) }
        }
        return BoundExpr(.cast(x, isTry: false), type: t, name: x.name)
    }

    /// The type `x` takes beside an operand of type `other`: DuckDB types an integer literal (`5`,
    /// `-128`; not `CAST(5 AS INTEGER)` or `2 + 3`) by its value, so beside a TINYINT, SMALLINT or
    /// INTEGER it takes that type when its value fits (`tiny + 1` is TINYINT, `tiny + 1000` INTEGER,
    /// `int + -2147483648` INTEGER although that literal alone is a BIGINT). Every other expression keeps
    /// its type.
    func literalAdaptedType(_ x: BoundExpr, beside other: DataType) -> DataType {
        if other == .tinyint || other == .smallint || other == .integer, let v = integerLiteralValue(x),
            other.integerRange.contains(v)
        {
            return other
        }
        return x.type
    }

    /// `literalAdaptedType(x, beside: y.type)` for the operands of one operator, except that two integer
    /// literals keep their own types (DuckDB: `-2147483648 - 1` is BIGINT arithmetic).
    func literalAdaptedType(_ x: BoundExpr, besideOperand y: BoundExpr) -> DataType {
        if integerLiteralValue(x) != nil && integerLiteralValue(y) != nil { return x.type }
        return literalAdaptedType(x, beside: y.type)
    }

    /// The value of an integer literal as bound (a constant INTEGER or BIGINT); nil for other expressions.
    func integerLiteralValue(_ x: BoundExpr) -> Int64? {
        guard x.type == .integer || x.type == .bigint, case .constant(.int(let v)) = x.kind else { return nil }
        return v
    }

    /// True when `x` is a string literal as written (`'5'`, `('5')`): only such an operand takes the
    /// other side's type in arithmetic, a bit operator, a comparison, CASE or a function call, as DuckDB
    /// binds its STRING_LITERAL. A computed string constant (`'5' || ''`, `upper('5')`, `'5'::VARCHAR`)
    /// is a VARCHAR and does not ("No function matches", "Cannot mix values of type INTEGER and VARCHAR").
    func isStringLiteral(_ x: BoundExpr) -> Bool {
        if case .constant(.string) = x.kind { return true }
        return false
    }

    /// The common type of `exprs`, skipping untyped NULLs (`.null` when all are): DuckDB's rule for CASE
    /// branches, coalesce-like arguments and VALUES columns. With `adaptingStringConstants`, a string
    /// constant after the first typed operand adapts to it (it is cast later) instead of taking part.
    /// - Throws: `mismatch(t, u)` for two operand types without a common type.
    ///
    /// With a TINYINT or SMALLINT operand, the integer literals are taken last, each adapting to the type
    /// of the others when its value fits (`literalAdaptedType`): `coalesce(1, tiny)` is TINYINT.
    func unifiedType(
        _ exprs: [BoundExpr], adaptingStringConstants: Bool, mismatch: (DataType, DataType) -> KuaiError
    ) throws -> DataType {
        let literalsLast = exprs.contains { $0.type == .tinyint || $0.type == .smallint }
        var t: DataType = .null
        func add(_ u: DataType) throws {
            if t == .null {
                t = u
                return
            }
            guard let c = commonType(t, u, combining: true) else { throw mismatch(t, u) }
            t = c
        }
        for e in exprs where e.type != .null {
            if adaptingStringConstants && isStringLiteral(e) && t != .null && t != .varchar { continue }
            if literalsLast && integerLiteralValue(e) != nil { continue }
            try add(e.type)
        }
        if literalsLast {
            for e in exprs where integerLiteralValue(e) != nil { try add(literalAdaptedType(e, beside: t)) }
        }
        return t
    }
}
