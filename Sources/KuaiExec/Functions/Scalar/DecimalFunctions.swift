import KuaiCore

// round, floor, ceil, ceiling, trunc, abs, sign over DECIMAL(p,s): exact, on the unscaled integers.

extension FunctionRegistry {
    /// How a DECIMAL loses digits: half away from zero (round), toward -inf (floor), toward +inf
    /// (ceil), toward zero (trunc).
    enum DecimalRounding {
        case halfAway, down, up, towardZero
    }

    /// The overload of `name` for a DECIMAL(p,s) argument, typed as DuckDB 2.0.1 types it; nil
    /// when `name` is not one of these functions.
    /// - round/floor/ceil/ceiling/trunc(x): DECIMAL(p,0).
    /// - round(x, d) and trunc(x, d) with a constant d: x unchanged when d >= s; DECIMAL(p,d)
    ///   rounded (cut toward zero) to d digits when 0 <= d < s; DECIMAL(p,0) rounded (cut) to a
    ///   multiple of 10^-d when d < 0 (round of a DECIMAL(p,0) with -d <= p: DECIMAL(p+1,0)).
    /// - abs(x): DECIMAL(p,s); sign(x): INTEGER (DuckDB's TINYINT) -1, 0 or 1.
    /// - Parameter digits: round's or trunc's constant second argument (nil: none given).
    public static func decimalOverload(_ name: String, _ type: DataType, digits: Int64?) -> ScalarFunction? {
        guard case .decimal(let p, let s8) = type else { return nil }
        let s = Int(s8)
        func rounding(_ mode: DecimalRounding, keep: Int, zeros: Int, params: [DataType], widen: Bool = false)
            -> ScalarFunction
        {
            let out = DataType.decimal(precision: widen ? Swift.min(p + 1, 38) : p, scale: UInt8(keep))
            return ScalarFunction(name, params, out) { a, _, n, _ in
                decimalRound(a[0], n, from: s, keep: keep, zeros: zeros, mode, out)
            }
        }
        switch (name, digits) {
        case ("round", nil): return rounding(.halfAway, keep: 0, zeros: 0, params: [type])
        case ("floor", nil): return rounding(.down, keep: 0, zeros: 0, params: [type])
        case ("ceil", nil), ("ceiling", nil): return rounding(.up, keep: 0, zeros: 0, params: [type])
        case ("trunc", nil): return rounding(.towardZero, keep: 0, zeros: 0, params: [type])
        case ("round", let d?), ("trunc", let d?):
            let mode: DecimalRounding = name == "trunc" ? .towardZero : .halfAway
            if d >= Int64(s) { return ScalarFunction(name, [type, .integer], type) { a, _, _, _ in a[0] } }
            if d >= 0 { return rounding(mode, keep: Int(d), zeros: 0, params: [type, .integer]) }
            // round of a DECIMAL(p,0) to -d <= p digits can carry into a new digit (round(999, -1) =
            // 1000): DuckDB 2.0.1 types it DECIMAL(p+1,0).
            let widen = name == "round" && s == 0 && -d <= Int64(p)
            return rounding(mode, keep: 0, zeros: Int(Swift.min(-d, 38)), params: [type, .integer], widen: widen)
        case ("abs", nil):
            return ScalarFunction(name, [type], type) { a, _, n, _ in
                mapDecimal(a[0], n, type) { $0 < 0 ? -$0 : $0 }
            }
        case ("sign", nil):
            return ScalarFunction(name, [type], .tinyint) { a, _, n, _ in
                mapDecimal(a[0], n, .tinyint) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
            }
        default: return nil
        }
    }

    /// `f` over every unscaled value of a DECIMAL operand, as `type` (a DECIMAL or an integer type
    /// whose values fit Int64).
    static func mapDecimal(_ x: Operand, _ n: Int, _ type: DataType, _ f: (Int128) -> Int128) -> Operand {
        switch x {
        case .scalar(let v):
            let r: Int128
            switch v {
            case .int(let i): r = f(Int128(i))
            case .hugeint(let i): r = f(i)
            default: return .scalar(.null)
            }
            if let i = Int64(exactly: r) { return .scalar(.int(i)) }
            // a value beyond Int64 is a column (operands are never `.hugeint` scalars)
            return .column(Column.decimal([Int128](repeating: r, count: n), type: type, validity: nil))
        case .column(let c):
            if c.highs == nil, type.decimalPrecision <= 18 || !type.isDecimal {
                let vals = c.ints.withUnsafeBufferPointer { src in
                    [Int64](unsafeUninitializedCapacity: n) { out, filled in
                        for i in 0..<n { out[i] = Int64(truncatingIfNeeded: f(Int128(src[i]))) }
                        filled = n
                    }
                }
                return .column(Column(type: type, ints: vals, validity: c.validity))
            }
            return .column(Column.decimal(c.int128Values().map(f), type: type, validity: c.validity))
        }
    }

    /// Drops digits of unscaled DECIMAL values of scale `from`, keeping `keep` digits after the point
    /// (then `zeros` more digits before it become zero: round(x, -2)), rounding by `mode`.
    static func decimalRound(
        _ x: Operand, _ n: Int, from: Int, keep: Int, zeros: Int, _ mode: DecimalRounding, _ out: DataType
    ) -> Operand {
        let dropped = from - keep + zeros
        guard dropped > 0 else { return x }
        let overflowDigits = dropped > 38
        let divisor = overflowDigits ? 1 : DecimalMath.pow10[dropped]
        let back = DecimalMath.pow10[Swift.min(zeros, 38)]
        return mapDecimal(x, n, out) { v in
            if overflowDigits { return 0 }
            var q = v / divisor
            let r = v % divisor
            switch mode {
            case .halfAway: if r.magnitude * 2 >= divisor.magnitude { q += v < 0 ? -1 : 1 }
            case .down: if r < 0 { q -= 1 }
            case .up: if r > 0 { q += 1 }
            case .towardZero: break
            }
            return q * back
        }
    }
}
