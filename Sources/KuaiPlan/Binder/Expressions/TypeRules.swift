import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// The common type two operands are compared or combined in (nil when incompatible).
    func commonType(_ a: DataType, _ b: DataType) -> DataType? {
        if a == b { return a }
        if a == .null { return b }
        if b == .null { return a }
        if a.isNumeric && b.isNumeric {
            if a == .double || b == .double { return .double }
            if a.isDecimal || b.isDecimal { return Binder.decimalCommonType(a, b) }
            let rank: [DataType: Int] = [.integer: 0, .bigint: 1, .hugeint: 2]
            return rank[a]! >= rank[b]! ? a : b
        }
        if (a == .boolean && b.isInteger) || (b == .boolean && a.isInteger) { return a == .boolean ? b : a }
        if (a == .date && b == .timestamp) || (a == .timestamp && b == .date) { return .timestamp }
        return nil
    }

    /// DuckDB's common DECIMAL of two numeric non-DOUBLE types (an integer type is DECIMAL(w,0), w = 10
    /// for INTEGER, 19 for BIGINT, 38 for HUGEINT): the larger scale and the larger number of integer
    /// digits, at most 38 digits in all.
    static func decimalCommonType(_ a: DataType, _ b: DataType) -> DataType {
        let s = max(a.decimalScale, b.decimalScale)
        let intDigits = max(a.decimalPrecision - a.decimalScale, b.decimalPrecision - b.decimalScale)
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

    /// True when `x` is a string constant (or computes one without input): such operands adapt to the
    /// type of the other side of a comparison, CASE or function call.
    func isStringConstant(_ x: BoundExpr) -> Bool {
        if case .string? = x.foldedValue { return true }
        return false
    }

    /// The common type of `exprs`, skipping untyped NULLs (`.null` when all are): DuckDB's rule for CASE
    /// branches, coalesce-like arguments and VALUES columns. With `adaptingStringConstants`, a string
    /// constant after the first typed operand adapts to it (it is cast later) instead of taking part.
    /// - Throws: `mismatch(t, u)` for two operand types without a common type.
    func unifiedType(
        _ exprs: [BoundExpr], adaptingStringConstants: Bool, mismatch: (DataType, DataType) -> KuaiError
    ) throws -> DataType {
        var t: DataType = .null
        for e in exprs where e.type != .null {
            if adaptingStringConstants && isStringConstant(e) && t != .null && t != .varchar { continue }
            if t == .null {
                t = e.type
                continue
            }
            guard let c = commonType(t, e.type) else { throw mismatch(t, e.type) }
            t = c
        }
        return t
    }
}
