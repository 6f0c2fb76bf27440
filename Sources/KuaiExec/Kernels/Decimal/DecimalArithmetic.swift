import KuaiCore

extension Kernels {
    /// `x op y` for a DECIMAL(p,s) result (`+ - * %`; the binder has rescaled the operands of
    /// `+ - %` to the result's scale, and `*` adds the operands' scales, so every operator works on
    /// the unscaled integers as they are; integer operands are their own unscaled values).
    ///
    /// A result that does not fit p digits is DuckDB's error (`Overflow in multiplication of
    /// DECIMAL(18) (a * b)`), which only happens where DuckDB caps the width (18 for a product of
    /// two narrow decimals, 38); `%` by zero is `divisionByZero`. Results of at most 18 digits from
    /// narrow operands are computed in Int64, others in 128 bits.
    static func decimalArithmetic(
        _ op: ArithmeticOp, _ x: Operand, _ y: Operand, resultType: DataType, count n0: Int, expr: ScalarExpr
    ) throws -> Operand {
        let p = resultType.decimalPrecision
        let bothScalar = x.isScalar && y.isScalar
        let n = bothScalar ? 1 : n0
        let validity = andValidity(x.validity, y.validity)
        if p <= 18 && !isWide(x) && !isWide(y) && !isHugeScalar(x) && !isHugeScalar(y) {
            let a = intArg(x)
            let b = intArg(y)
            let limit = Int64(DecimalMath.pow10[p])
            var bad: UInt8 = 0
            let vals: [Int64]
            switch op {
            case .add: vals = binaryMap(n, a, b, &+)
            case .subtract: vals = binaryMap(n, a, b, &-)
            case .multiply:
                vals = binaryMap(n, a, b) { u, v in
                    let r = u.multipliedReportingOverflow(by: v)
                    bad |= r.overflow || r.partialValue <= -limit || r.partialValue >= limit ? 1 : 0
                    return r.partialValue
                }
            case .modulo, .divide, .integerDivide:
                vals = binaryMap(n, a, b) { u, v in
                    if v == 0 {
                        bad = 1
                        return 0
                    }
                    return v == -1 ? 0 : u % v
                }
            }
            if bad == 0 {
                if bothScalar {
                    if let v = validity, v[0] == 0 { return .scalar(.null) }
                    return .scalar(.int(vals[0]))
                }
                return .column(Column.decimal(vals, type: resultType, validity: validity))
            }
            // an overflow or a zero divisor: the 128-bit path finds the row and reports it
        }
        return try wideDecimalArithmetic(op, x, y, resultType: resultType, count: n0, expr: expr)
    }

    /// True for a scalar operand holding a 128-bit value.
    @inline(__always)
    static func isHugeScalar(_ o: Operand) -> Bool {
        if case .scalar(.hugeint) = o { return true }
        return false
    }

    /// `decimalArithmetic` in 128 bits, checking every valid row against the result's p digits.
    static func wideDecimalArithmetic(
        _ op: ArithmeticOp, _ x: Operand, _ y: Operand, resultType: DataType, count n0: Int, expr: ScalarExpr
    ) throws -> Operand {
        let p = resultType.decimalPrecision
        let (out, validity, bothScalar) = try int128Rows(op, x, y, count: n0, expr: expr) { u, v, r in
            guard let r, DecimalMath.fits(r, precision: p) else { throw decimalOverflow(op, p, u, v) }
        }
        if bothScalar {
            if let v = validity, v[0] == 0 { return .scalar(.null) }
            if let s = Int64(exactly: out[0]) { return .scalar(.int(s)) }
            return .column(Column.decimal([Int128](repeating: out[0], count: n0), type: resultType, validity: nil))
        }
        return .column(Column.decimal(out, type: resultType, validity: validity))
    }

    /// DuckDB's error for a DECIMAL result beyond its width: `Overflow in multiplication of
    /// DECIMAL(18) (999999999999999995 * 10). You might want to add an explicit cast to a bigger
    /// decimal.` (unscaled operands, as DuckDB prints them).
    static func decimalOverflow(_ op: ArithmeticOp, _ p: Int, _ u: Int128, _ v: Int128) -> KuaiError {
        let word: String
        switch op {
        case .add: word = "addition"
        case .subtract: word = "subtraction"
        case .multiply: word = "multiplication"
        default: word = "modulo"
        }
        return KuaiError(
            .execution,
            "Overflow in \(word) of DECIMAL(\(p)) (\(u) \(op.rawValue) \(v)). You might want to add an explicit cast to a bigger decimal."
        )
    }
}
