import KuaiCore

extension DecimalMath {
    /// DuckDB's `%f` text of a DOUBLE (six digits after the point) for cast error messages; values
    /// beyond 1e30 in magnitude use the shortest round-trip text instead.
    static func fixed6(_ d: Double) -> String {
        if d.isNaN { return d.sign == .minus ? "-nan" : "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        guard d.magnitude < 1e30 else { return ValueFormatter.double(d) }
        let micros = Int128(exactly: (d * 1e6).rounded(.toNearestOrEven)) ?? 0
        return text(micros, precision: 38, scale: 6)
    }
}

extension Column {
    /// A DECIMAL column of unscaled 128-bit values (`highs` only when some valid value does not fit
    /// Int64, as for HUGEINT).
    static func decimal(_ values: [Int128], type: DataType, validity: [UInt8]?) -> Column {
        var c = Column(hugeints: values, validity: validity)
        c.type = type
        return c
    }

    /// A DECIMAL column of unscaled values that all fit Int64.
    static func decimal(_ values: [Int64], type: DataType, validity: [UInt8]?) -> Column {
        Column(type: type, ints: values, validity: validity)
    }
}

extension Kernels {
    /// CAST to DECIMAL(p,s) (`to`) from any type DuckDB casts to DECIMAL, with DuckDB 2.0.1's
    /// rounding (half away from zero) and error messages:
    /// - integers and BOOLEAN: `Could not cast value 123 to DECIMAL(2,1)`;
    /// - DOUBLE: `x × 10^s` rounded; `Could not cast value 123.000000 to DECIMAL(2,1)` (NaN, inf);
    /// - DECIMAL: rescaled; `Casting value "12.5" to type DECIMAL(2,1) failed: value is out of range!`;
    /// - VARCHAR: `DecimalMath.parse`; `Could not convert string "abc" to DECIMAL(2,1)`.
    /// TRY_CAST makes failed rows NULL.
    static func castToDecimal(_ c: Column, from: DataType, to: DataType, isTry: Bool, expr: ScalarExpr) throws
        -> Column
    {
        guard case .decimal(let p8, let s8) = to else { preconditionFailure("castToDecimal to \(to)") }
        let p = Int(p8)
        let s = Int(s8)
        let n = c.count
        var failures = CastFailures(isTry: isTry, validity: c.validity, count: n)
        var out = [Int128](repeating: 0, count: n)
        let suffix = " in expression \(expr.name)"
        switch from {
        case .double:
            let scale = DecimalMath.pow10Double[s]
            let limit = DecimalMath.pow10Double[p]
            try c.doubles.withUnsafeBufferPointer { d in
                for i in 0..<n where c.isValid(i) {
                    let r = (d[i] * scale).rounded(.toNearestOrAwayFromZero)
                    if r > -limit && r < limit, let v = Int128(exactly: r) {
                        out[i] = v
                    } else {
                        try failures.fail(i, "Could not cast value \(DecimalMath.fixed6(d[i])) to \(to)\(suffix)")
                    }
                }
            }
        case .varchar:
            let dc = c.dictionaryEncoded()
            let dict = dc.dictionary!
            var parsed = [Int128?](repeating: nil, count: dict.count)
            var done = [Bool](repeating: false, count: dict.count)
            for i in 0..<n where c.isValid(i) {
                let code = Int(dc.codes[i])
                if !done[code] {
                    parsed[code] = DecimalMath.parse(dict.values[code], precision: p, scale: s)
                    done[code] = true
                }
                if let v = parsed[code] {
                    out[i] = v
                } else {
                    try failures.fail(i, "Could not convert string \"\(dict.values[code])\" to \(to)\(suffix)")
                }
            }
        case .decimal(_, let fromScale):
            let vs = c.int128Values()
            for i in 0..<n where c.isValid(i) {
                if let v = DecimalMath.rescale(vs[i], from: Int(fromScale), to: s), DecimalMath.fits(v, precision: p) {
                    out[i] = v
                } else {
                    let text = DecimalMath.text(vs[i], precision: from.decimalPrecision, scale: Int(fromScale))
                    try failures.fail(
                        i, "Casting value \"\(text)\" to type \(to) failed: value is out of range!\(suffix)")
                }
            }
        default:
            // integer types and BOOLEAN
            let vs = c.int128Values()
            for i in 0..<n where c.isValid(i) {
                if let v = DecimalMath.rescale(vs[i], from: 0, to: s), DecimalMath.fits(v, precision: p) {
                    out[i] = v
                } else {
                    try failures.fail(i, "Could not cast value \(vs[i]) to \(to)\(suffix)")
                }
            }
        }
        return Column.decimal(out, type: to, validity: failures.validity)
    }

    /// CAST from DECIMAL(p,s) (`from`) to a non-DECIMAL type: DOUBLE (`DecimalMath.double`), integers
    /// (rounded half away from zero; `Failed to cast decimal value 100 to type INT32` when out of
    /// range), BOOLEAN (non-zero), VARCHAR (`DecimalMath.text`).
    static func castFromDecimal(_ c: Column, from: DataType, to: DataType, isTry: Bool, expr: ScalarExpr) throws
        -> Column
    {
        let s = from.decimalScale
        let n = c.count
        switch to {
        case .varchar: return castToVarchar(c, from: from)
        case .double:
            if c.highs == nil {
                return Column(doubles: c.ints.map { DecimalMath.double($0, scale: s) }, validity: c.validity)
            }
            return Column(doubles: c.int128Values().map { DecimalMath.double($0, scale: s) }, validity: c.validity)
        case .boolean:
            let vs = c.int128Values()
            return Column(type: .boolean, ints: vs.map { $0 != 0 ? 1 : 0 }, validity: c.validity)
        default:
            var failures = CastFailures(isTry: isTry, validity: c.validity, count: n)
            let vs = c.int128Values()
            let divisor = DecimalMath.pow10[s]
            var out = [Int128](repeating: 0, count: n)
            let range: ClosedRange<Int128> =
                to == .hugeint
                ? Int128.min...Int128.max
                : Int128(integerRange(to).lowerBound)...Int128(integerRange(to).upperBound)
            for i in 0..<n where c.isValid(i) {
                let r = s == 0 ? vs[i] : DecimalMath.divideRounded(vs[i], divisor)
                if range.contains(r) {
                    out[i] = r
                } else {
                    try failures.fail(
                        i, "Failed to cast decimal value \(r) to type \(physicalName(to)) in expression \(expr.name)")
                }
            }
            if to == .hugeint { return Column(hugeints: out, validity: failures.validity) }
            return Column(type: to, ints: out.map { Int64(truncatingIfNeeded: $0) }, validity: failures.validity)
        }
    }
}
