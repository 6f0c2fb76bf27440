import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// abs, round, floor, ceil, trunc, mod, sign, ln, log, exp, sqrt, power, pi, isnan, isinf.

extension FunctionRegistry {
    static let numericFunctions: [ScalarFunction] =
        [
            ScalarFunction("abs", [.tinyint], .tinyint) { a, _, n, e in try absInt(a[0], n, e, .tinyint) },
            ScalarFunction("abs", [.smallint], .smallint) { a, _, n, e in try absInt(a[0], n, e, .smallint) },
            ScalarFunction("abs", [.integer], .integer) { a, _, n, e in try absInt(a[0], n, e, .integer) },
            ScalarFunction("abs", [.bigint], .bigint) { a, _, n, e in try absInt(a[0], n, e, .bigint) },
            ScalarFunction("abs", [.hugeint], .hugeint) { a, _, n, e in try absInt(a[0], n, e, .hugeint) },
            ScalarFunction("abs", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { Swift.abs($0) } },
            ScalarFunction("round", [.tinyint], .tinyint) { a, _, _, _ in a[0] },
            ScalarFunction("round", [.smallint], .smallint) { a, _, _, _ in a[0] },
            ScalarFunction("round", [.integer], .integer) { a, _, _, _ in a[0] },
            ScalarFunction("round", [.bigint], .bigint) { a, _, _, _ in a[0] },
            ScalarFunction("round", [.hugeint], .hugeint) { a, _, _, _ in a[0] },
            ScalarFunction("round", [.double], .double) { a, _, n, _ in
                mapDouble(a[0], n) { $0.rounded(.toNearestOrAwayFromZero) }
            },
            ScalarFunction("round", [.double, .integer], .double) { a, _, n, _ in roundPrecision(a[0], a[1], n) },
            ScalarFunction("round", [.tinyint, .integer], .tinyint) { a, _, n, _ in
                try roundInteger(a[0], a[1], n, .tinyint)
            },
            ScalarFunction("round", [.smallint, .integer], .smallint) { a, _, n, _ in
                try roundInteger(a[0], a[1], n, .smallint)
            },
            ScalarFunction("round", [.integer, .integer], .integer) { a, _, n, _ in
                try roundInteger(a[0], a[1], n, .integer)
            },
            ScalarFunction("round", [.bigint, .integer], .bigint) { a, _, n, _ in
                try roundInteger(a[0], a[1], n, .bigint)
            },
            ScalarFunction("round", [.hugeint, .integer], .hugeint) { a, _, n, _ in
                try roundInteger(a[0], a[1], n, .hugeint)
            },
            ScalarFunction("floor", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { $0.rounded(.down) } },
            ScalarFunction("ceil", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { $0.rounded(.up) } },
            ScalarFunction("ceiling", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { $0.rounded(.up) } },
            ScalarFunction("mod", [.bigint, .bigint], .bigint) { a, t, n, e in
                try Kernels.arithmetic(.modulo, a[0], t[0], a[1], t[1], resultType: .bigint, count: n, expr: e)
            },
            ScalarFunction("mod", [.double, .double], .double) { a, t, n, e in
                try Kernels.arithmetic(.modulo, a[0], t[0], a[1], t[1], resultType: .double, count: n, expr: e)
            },
            ScalarFunction("ln", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { Glibc.log($0) } },
            ScalarFunction("log", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { Glibc.log10($0) } },
            ScalarFunction("log10", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { Glibc.log10($0) } },
            ScalarFunction("log2", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { Glibc.log2($0) } },
            ScalarFunction("exp", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { Glibc.exp($0) } },
            ScalarFunction("sqrt", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { $0.squareRoot() } },
            ScalarFunction("cbrt", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { Glibc.cbrt($0) } },
            ScalarFunction("power", [.double, .double], .double) { a, _, n, _ in power(a, n) },
            ScalarFunction("pow", [.double, .double], .double) { a, _, n, _ in power(a, n) },
            // sign is TINYINT for every argument type, as DuckDB declares it.
            ScalarFunction("sign", [.bigint], .tinyint) { a, _, n, _ in
                mapInt(a[0], n, .tinyint) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
            },
            ScalarFunction("sign", [.double], .tinyint) { a, _, n, _ in
                mapDoubleToInt(a[0], n, .tinyint) { sqlSign($0) }
            },
            ScalarFunction("trunc", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { $0.rounded(.towardZero) }
            },
            ScalarFunction("trunc", [.tinyint], .tinyint) { a, _, _, _ in a[0] },
            ScalarFunction("trunc", [.smallint], .smallint) { a, _, _, _ in a[0] },
            ScalarFunction("trunc", [.integer], .integer) { a, _, _, _ in a[0] },
            ScalarFunction("trunc", [.bigint], .bigint) { a, _, _, _ in a[0] },
            ScalarFunction("trunc", [.hugeint], .hugeint) { a, _, _, _ in a[0] },
            ScalarFunction("trunc", [.double, .integer], .double) { a, _, n, _ in truncPrecision(a[0], a[1], n) },
            ScalarFunction("trunc", [.tinyint, .integer], .tinyint) { a, _, n, _ in
                try roundInteger(a[0], a[1], n, .tinyint, truncate: true)
            },
            ScalarFunction("trunc", [.smallint, .integer], .smallint) { a, _, n, _ in
                try roundInteger(a[0], a[1], n, .smallint, truncate: true)
            },
            ScalarFunction("trunc", [.integer, .integer], .integer) { a, _, n, _ in
                try roundInteger(a[0], a[1], n, .integer, truncate: true)
            },
            ScalarFunction("trunc", [.bigint, .integer], .bigint) { a, _, n, _ in
                try roundInteger(a[0], a[1], n, .bigint, truncate: true)
            },
            ScalarFunction("trunc", [.hugeint, .integer], .hugeint) { a, _, n, _ in
                try roundInteger(a[0], a[1], n, .hugeint, truncate: true)
            },
            ScalarFunction("pi", [], .double) { _, _, _, _ in .scalar(.double(Double.pi)) },
            // DuckDB's random(): a DOUBLE in [0, 1) per row, drawn anew by every call
            ScalarFunction("random", [], .double, deterministic: false) { _, _, n, _ in
                .column(Column(doubles: uniformDoubles(n)))
            },
            ScalarFunction("isnan", [.double], .boolean) { a, _, n, _ in
                mapDoubleToInt(a[0], n, .boolean) { $0.isNaN ? 1 : 0 }
            },
            ScalarFunction("isinf", [.double], .boolean) { a, _, n, _ in
                mapDoubleToInt(a[0], n, .boolean) { $0.isInfinite ? 1 : 0 }
            },
            ScalarFunction("isfinite", [.double], .boolean) { a, _, n, _ in
                mapDoubleToInt(a[0], n, .boolean) { $0.isFinite ? 1 : 0 }
            },
            ScalarFunction("atan2", [.double, .double], .double) { a, _, n, _ in
                binaryDouble(a, n) { Glibc.atan2($0, $1) }
            },
            // log(b, x): the logarithm of x to base b, as DuckDB's ln(x) / ln(b)
            ScalarFunction("log", [.double, .double], .double) { a, _, n, _ in
                binaryDouble(a, n) { Glibc.log($1) / Glibc.log($0) }
            },
            ScalarFunction("nextafter", [.double, .double], .double) { a, _, n, _ in
                binaryDouble(a, n) { Glibc.nextafter($0, $1) }
            },
        ] + unaryDoubleFunctions

    /// DOUBLE -> DOUBLE functions of the C library, as DuckDB 2.0.1 (NaN outside a domain, never an
    /// error: asin(2) is nan, atanh(1) inf): trigonometry, hyperbolic functions, their inverses,
    /// degrees / radians, gamma / lgamma, even (away from zero to the next even integer).
    static let unaryDoubleFunctions: [ScalarFunction] = {
        let table: [(String, @Sendable (Double) -> Double)] = [
            ("sin", { Glibc.sin($0) }), ("cos", { Glibc.cos($0) }), ("tan", { Glibc.tan($0) }),
            ("asin", { Glibc.asin($0) }), ("acos", { Glibc.acos($0) }), ("atan", { Glibc.atan($0) }),
            ("cot", { 1 / Glibc.tan($0) }), ("sinh", { Glibc.sinh($0) }), ("cosh", { Glibc.cosh($0) }),
            ("tanh", { Glibc.tanh($0) }), ("asinh", { Glibc.asinh($0) }), ("acosh", { Glibc.acosh($0) }),
            ("atanh", { Glibc.atanh($0) }), ("degrees", { $0 * (180 / Double.pi) }),
            ("radians", { $0 * (Double.pi / 180) }), ("gamma", { Glibc.tgamma($0) }),
            ("lgamma", { Glibc.lgamma($0) }), ("even", { evenAwayFromZero($0) }),
        ]
        return table.map { entry in
            let f = entry.1
            return ScalarFunction(entry.0, [.double], .double) { a, _, n, _ in mapDouble(a[0], n, f) }
        }
    }()

    /// DuckDB's even(x): x rounded away from zero to an even integer (even(2.5) is 4, even(3) is 4).
    @Sendable static func evenAwayFromZero(_ x: Double) -> Double {
        let up = (x < 0 ? -x : x).rounded(.up)
        let even = up.truncatingRemainder(dividingBy: 2) == 0 ? up : up + 1
        return x < 0 ? -even : even
    }

    /// A DOUBLE function of two DOUBLE operands (either a column or a constant); NULL when either is.
    static func binaryDouble(_ a: [Operand], _ n: Int, _ f: (Double, Double) -> Double) -> Operand {
        if a[0].isNullScalar || a[1].isNullScalar { return .scalar(.null) }
        let scalar = a[0].isScalar && a[1].isScalar
        let v = binaryMap(scalar ? 1 : n, Kernels.doubleArg(a[0]), Kernels.doubleArg(a[1]), f)
        return Kernels.result(v, validity: andValidity(a[0].validity, a[1].validity), scalar: scalar)
    }

    /// power(x, y) and pow: `pow` of the C library over DOUBLE operands; NULL when either is NULL,
    /// also a NULL constant (DuckDB: `power(2, NULL)` is NULL, never 1).
    static func power(_ a: [Operand], _ n: Int) -> Operand { binaryDouble(a, n) { Glibc.pow($0, $1) } }

    static func absInt(_ x: Operand, _ n: Int, _ e: ScalarExpr, _ t: DataType) throws -> Operand {
        if t == .hugeint, case .scalar(.int(let i)) = x {
            let a = Int128(i).magnitude
            if let s = Int64(exactly: a) { return .scalar(.int(s)) }
            return .column(Column.broadcastHugeint(Int128(a), count: n))
        }
        if t == .hugeint, case .column(let c) = x {
            // HUGEINT: |x| in 128 bits (only Int128.min overflows).
            var out = c.int128Values()
            for i in 0..<n where c.isValid(i) && out[i] < 0 {
                if out[i] == Int128.min {
                    throw KuaiError(.execution, "Overflow on abs(\(out[i])) in expression \(e.name)")
                }
                out[i] = -out[i]
            }
            return .column(Column(hugeints: out, validity: c.validity))
        }
        // The smallest value has no absolute value in its type: TINYINT's, SMALLINT's and BIGINT's
        // is DuckDB's overflow error, INTEGER's the cast error of its BIGINT result (DuckDB computes
        // abs(INTEGER) in 64 bits).
        let smallest = t.integerRange.lowerBound
        func failure(_ v: Int64) -> KuaiError {
            if t == .integer {
                return KuaiError(
                    .execution,
                    "Type INT64 with value \(-v) can't be cast because the value is out of range for the destination type INT32"
                )
            }
            return KuaiError(.execution, "Overflow on abs(\(v)) in expression \(e.name)")
        }
        if case .scalar(.int(let i)) = x, i == smallest { throw failure(i) }
        if case .column(let c) = x, let i = firstInvalid(c, where: { c.ints[$0] == smallest }) {
            throw failure(c.ints[i])
        }
        return mapInt(x, n, t) { $0 < 0 ? 0 &- $0 : $0 }
    }

    /// 10^p as DuckDB's std::pow(10, p) gives it (exact for |p| <= 22).
    static func powerOfTen(_ p: Int64) -> Double {
        var r = 1.0
        let m = Swift.min(Swift.abs(p), 400)
        for _ in 0..<m { r *= 10 }
        return p < 0 ? 1 / r : r
    }

    /// DuckDB 2.0.1's round(DOUBLE, INTEGER): the exact binary value of x rounded to p decimals, halves
    /// away from zero, as the nearest double (x / 10^-p rounded, times 10^-p, for p < 0). x * 10^p is
    /// rounded once by the multiplication; when that lands exactly on a half the product's rounding
    /// error (a fused multiply-add) says on which side the exact value lies: round(255.5435, 3) is
    /// 255.543, as the double 255.5435 is 255.54349999999999454...
    static func roundPrecision(_ x: Operand, _ p: Operand, _ n: Int) -> Operand {
        if p.isNullScalar || x.isNullScalar { return .scalar(.null) }
        func one(_ input: Double, _ precision: Int64) -> Double {
            if !input.isFinite { return input }  // NaN and infinities are their own rounding (DuckDB 2.0.1)
            if precision < 0 {
                let modifier = powerOfTen(-precision)
                let r = (input / modifier).rounded(.toNearestOrAwayFromZero) * modifier
                return r.isInfinite || r.isNaN ? 0 : r
            }
            let modifier = powerOfTen(precision)
            let scaled = input * modifier
            var whole = scaled.rounded(.toNearestOrAwayFromZero)
            let truncated = scaled.rounded(.towardZero)
            if Swift.abs(scaled - truncated) == 0.5 {
                let error = (-scaled).addingProduct(input, modifier)  // exact product - scaled
                if (scaled > 0 && error < 0) || (scaled < 0 && error > 0) { whole = truncated }
            }
            let r = whole / modifier
            return r.isInfinite || r.isNaN ? input : r
        }
        if case .scalar(.int(let prec)) = p {
            return mapDouble(x, n) { one($0, prec) }
        }
        let xs = Kernels.doubleArg(x)
        let ps = Kernels.intArg(p)
        let vals = binaryMap(n, xs, ps, one)
        return .column(Column(doubles: vals, validity: andValidity(x.validity, p.validity)))
    }

    /// DuckDB's trunc(DOUBLE, INTEGER): `x` cut toward zero to `precision` decimal digits (to a
    /// multiple of 10^-precision when negative): trunc(2.675, 2) = 2.67, trunc(-123.4, -1) = -120.0;
    /// NaN, the infinities and a result that is not finite (a precision beyond the exponent range)
    /// give `x`; NULL when either argument is NULL.
    static func truncPrecision(_ x: Operand, _ p: Operand, _ n: Int) -> Operand {
        if p.isNullScalar || x.isNullScalar { return .scalar(.null) }
        func one(_ input: Double, _ precision: Int64) -> Double {
            let r: Double
            if precision < 0 {
                let modifier = powerOfTen(-precision)
                r = (input / modifier).rounded(.towardZero) * modifier
            } else {
                let modifier = powerOfTen(precision)
                r = (input * modifier).rounded(.towardZero) / modifier
            }
            return r.isFinite ? r : input
        }
        if case .scalar(.int(let prec)) = p {
            return mapDouble(x, n) { one($0, prec) }
        }
        let vals = binaryMap(n, Kernels.doubleArg(x), Kernels.intArg(p), one)
        return .column(Column(doubles: vals, validity: andValidity(x.validity, p.validity)))
    }

    /// DuckDB's round(integer type, INTEGER): `x` itself for precision >= 0; for
    /// precision -k the multiple of 10^k nearest to `x`, halves away from zero, computed exactly
    /// (round(1250, -2) = 1300, round(x, -k) = 0 once 10^k exceeds twice |x|).
    /// - Throws: `KuaiError.execution` "Overflow in ROUND of integer" when the rounded value is outside
    ///   `type` (round(2147483647, -1) as INTEGER), as DuckDB's Out of Range error.
    /// With `truncate` (trunc(integer type, INTEGER)) the multiple of 10^k toward zero instead
    /// (trunc(-129, -1) = -120), which never overflows.
    static func roundInteger(
        _ x: Operand, _ p: Operand, _ n: Int, _ type: DataType, truncate: Bool = false, halfEven: Bool = false
    ) throws -> Operand {
        if p.isNullScalar || x.isNullScalar { return .scalar(.null) }
        let m = x.isScalar && p.isScalar ? 1 : n
        let xs: [Int128]
        switch x {
        case .column(let c): xs = c.int128Values()
        case .scalar(.hugeint(let v)): xs = [Int128](repeating: v, count: m)
        case .scalar(.int(let v)): xs = [Int128](repeating: Int128(v), count: m)
        case .scalar: return .scalar(.null)
        }
        let ps: [Int64]
        switch Kernels.intArg(p) {
        case .col(let c): ps = c
        case .scalar(let v): ps = [Int64](repeating: v, count: m)
        }
        let validity = andValidity(x.validity, p.validity)
        let (lo, hi): (Int128, Int128) =
            type == .hugeint
            ? (Int128.min, Int128.max)
            : (Int128(type.integerRange.lowerBound), Int128(type.integerRange.upperBound))
        var out = [Int128](repeating: 0, count: m)
        for i in 0..<m where validity.map({ $0[i] != 0 }) ?? true {
            guard
                let r = truncate
                    ? truncatedToPower(xs[i], ps[i]) : roundedToPower(xs[i], ps[i], halfEven: halfEven),
                r >= lo && r <= hi
            else {
                throw KuaiError(.execution, "Overflow in \(halfEven ? "ROUND_EVEN" : "ROUND") of integer")
            }
            out[i] = r
        }
        if m == 1 && x.isScalar && p.isScalar {
            return .scalar(Int64(exactly: out[0]).map { .int($0) } ?? .hugeint(out[0]))
        }
        if type == .hugeint { return .column(Column(hugeints: out, validity: validity)) }
        return .column(Column(type: type, ints: out.map { Int64(truncatingIfNeeded: $0) }, validity: validity))
    }

    /// `x` cut to a multiple of 10^-precision toward zero (`x` for precision >= 0).
    static func truncatedToPower(_ x: Int128, _ precision: Int64) -> Int128? {
        if precision >= 0 { return x }
        if precision < -38 { return 0 }  // |x| < 10^39
        var power: Int128 = 1
        for _ in 0..<Int(-precision) { power *= 10 }
        return x / power * power
    }

    /// `x` rounded to a multiple of 10^-precision (halves away from zero); nil when that overflows 128 bits.
    static func roundedToPower(_ x: Int128, _ precision: Int64, halfEven: Bool = false) -> Int128? {
        if precision >= 0 { return x }
        // |x| < 2^127 < 5 * 10^38: every x rounds to 0 at 10^39 and beyond.
        if precision < -38 { return 0 }
        var power: Int128 = 1
        for _ in 0..<Int(-precision) { power *= 10 }
        var q = x / power
        let r = (x % power).magnitude
        if r * 2 > UInt128(power) || (r * 2 == UInt128(power) && (!halfEven || q & 1 != 0)) { q += x < 0 ? -1 : 1 }
        let (v, overflow) = q.multipliedReportingOverflow(by: power)
        return overflow ? nil : v
    }

    static func sqlSign(_ d: Double) -> Int64 { d > 0 ? 1 : (d < 0 ? -1 : 0) }
}

/// `n` pseudo-random DOUBLEs uniform in [0, 1) (53 random bits each): a SplitMix64 sequence
/// seeded from the system's generator once a call.
func uniformDoubles(_ n: Int) -> [Double] {
    var state = UInt64.random(in: .min ... .max)
    return [Double](unsafeUninitializedCapacity: n) { out, filled in
        for i in 0..<n {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            out[i] = Double(z >> 11) * 0x1p-53
        }
        filled = n
    }
}
