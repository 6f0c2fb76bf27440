import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// gcd / greatest_common_divisor, lcm / least_common_multiple, factorial, fmod, signbit,
// round_even / roundbankers, format_bytes / formatReadableSize / formatReadableDecimalSize, as DuckDB 2.0.1.

extension FunctionRegistry {
    static let numberTheoryFunctions: [ScalarFunction] =
        divisorFunctions + [
            /// factorial(n): n! as HUGEINT (INTEGER argument only, as DuckDB).
            ScalarFunction("factorial", [.integer], .hugeint) { a, _, n, _ in try NumberTheory.factorial(a[0], n) },
            /// fmod(x, y): DuckDB's floored remainder (`NumberTheory.flooredRemainder`).
            ScalarFunction("fmod", [.double, .double], .double) { a, _, n, _ in
                binaryDouble(a, n) { NumberTheory.flooredRemainder($0, $1) }
            },
            /// signbit(x): true when the sign bit of the DOUBLE is set (-0.0 and -NaN too).
            ScalarFunction("signbit", [.double], .boolean) { a, _, n, _ in
                mapDoubleToInt(a[0], n, .boolean) { $0.sign == .minus ? 1 : 0 }
            },
        ] + roundEvenFunctions + formatBytesFunctions

    /// gcd(a, b) and lcm(a, b) over BIGINT and HUGEINT (smaller integers widen), with DuckDB's
    /// overflow errors.
    static let divisorFunctions: [ScalarFunction] = [
        ("gcd", false), ("greatest_common_divisor", false), ("lcm", true), ("least_common_multiple", true),
    ].flatMap { entry in
        let (name, lcm) = entry
        return [DataType.bigint, .hugeint].map { t in
            ScalarFunction(name, [t, t], t) { a, _, n, _ in try NumberTheory.divisor(a, n, t, lcm: lcm) }
        }
    }

    /// round_even(x, digits) / roundbankers: round() with halves to the even neighbour; over DOUBLE
    /// and the integer types (their own type); a DECIMAL is refused by the binder.
    static let roundEvenFunctions: [ScalarFunction] = ["round_even", "roundbankers"].flatMap { name in
        [
            ScalarFunction(name, [.double, .integer], .double) { a, _, n, _ in NumberTheory.roundEven(a[0], a[1], n) }
        ]
            + [DataType.tinyint, .smallint, .integer, .bigint, .hugeint].map { t in
                ScalarFunction(name, [t, .integer], t) { a, _, n, _ in
                    try roundInteger(a[0], a[1], n, t, halfEven: true)
                }
            }
    }

    /// format_bytes(n) / formatReadableSize (units of 1024: KiB ...) and formatReadableDecimalSize
    /// (units of 1000: kB ...), DuckDB's BytesToHumanReadableString.
    static let formatBytesFunctions: [ScalarFunction] = [
        ("format_bytes", 1024), ("formatreadablesize", 1024), ("formatreadabledecimalsize", 1000),
    ].map { entry in
        let (name, multiplier) = entry
        return ScalarFunction(name, [.bigint], .varchar) { a, _, n, _ in
            NumberTheory.formatBytes(a[0], n, multiplier: UInt64(multiplier))
        }
    }
}

/// The loops of the functions above.
enum NumberTheory {
    /// DuckDB's abs of a gcd or lcm result: the smallest value has none.
    @inline(__always)
    static func abs<T: FixedWidthInteger & SignedInteger>(_ x: T) throws -> T {
        if x == T.min { throw KuaiError(.execution, "Overflow on abs(\(x))") }
        return x < 0 ? -x : x
    }

    /// DuckDB's GreatestCommonDivisor: Euclid's remainders from (a, b), then abs (so gcd(min, 0) is
    /// an overflow error, gcd(min, -1) is 1).
    @inline(__always)
    static func gcd<T: FixedWidthInteger & SignedInteger>(_ left: T, _ right: T) throws -> T {
        if (left == T.min && right == -1) || (left == -1 && right == T.min) { return 1 }
        var (a, b) = (left, right)
        while true {
            if a == 0 { return try abs(b) }
            b %= a
            if b == 0 { return try abs(a) }
            a %= b
        }
    }

    /// DuckDB's LeastCommonMultiple: 0 when either is 0, else |a * (b / gcd)|.
    /// - Throws: "lcm value is out of range" when the product overflows.
    @inline(__always)
    static func lcm<T: FixedWidthInteger & SignedInteger>(_ a: T, _ b: T) throws -> T {
        if a == 0 || b == 0 { return 0 }
        let (p, overflow) = a.multipliedReportingOverflow(by: b / (try gcd(a, b)))
        if overflow { throw KuaiError(.execution, "lcm value is out of range") }
        return try abs(p)
    }

    /// gcd or lcm of two BIGINT or HUGEINT operands (`t`).
    static func divisor(_ a: [Operand], _ n: Int, _ t: DataType, lcm: Bool) throws -> Operand {
        let x = Int128Rows(a[0])
        let y = Int128Rows(a[1])
        guard let shape = KernelShape(count: n, [x, y]) else { return .scalar(.null) }
        var out = [Int128](repeating: 0, count: shape.rows)
        for i in 0..<shape.rows where !StringBuildKernels.isNull(shape, i) {
            let (p, q) = (x.value(i &* x.step), y.value(i &* y.step))
            if t == .hugeint {
                out[i] = lcm ? try self.lcm(p, q) : try gcd(p, q)
            } else {
                let (p, q) = (Int64(truncatingIfNeeded: p), Int64(truncatingIfNeeded: q))
                out[i] = Int128(lcm ? try self.lcm(p, q) : try gcd(p, q))
            }
        }
        return integers(out, t, shape)
    }

    /// Int128 results as a column (or constant) of integer type `t`.
    static func integers(_ out: [Int128], _ t: DataType, _ shape: KernelShape) -> Operand {
        if shape.allConstant {
            return .scalar(Int64(exactly: out[0]).map { .int($0) } ?? .hugeint(out[0]))
        }
        if t == .hugeint { return .column(Column(hugeints: out, validity: shape.validity)) }
        return .column(Column(type: t, ints: out.map { Int64(truncatingIfNeeded: $0) }, validity: shape.validity))
    }

    /// factorial(n) as HUGEINT: 1 for 0; n <= 33 fits.
    /// - Throws: DuckDB's "factorial of a negative number is undefined" and "Value out of range".
    static func factorial(_ x: Operand, _ n: Int) throws -> Operand {
        let v = IntRows(x)
        guard let shape = KernelShape(count: n, [v]) else { return .scalar(.null) }
        var out = [Int128](repeating: 0, count: shape.rows)
        for i in 0..<shape.rows where !StringBuildKernels.isNull(shape, i) {
            let k = v.values[i &* v.step]
            if k < 0 { throw KuaiError(.execution, "factorial of a negative number is undefined") }
            var r: Int128 = 1
            var f: Int128 = 2
            while f <= Int128(k) {
                let (p, overflow) = r.multipliedReportingOverflow(by: f)
                if overflow { throw KuaiError(.execution, "Value out of range") }
                r = p
                f += 1
            }
            out[i] = r
        }
        return integers(out, .hugeint, shape)
    }

    /// DuckDB 2.0.1's fmod(x, y): the C library's fmod moved to the sign of y (+ y when the signs
    /// differ), so fmod(-5.5, 2) is 0.5 and fmod(1, -inf) is -inf; a zero remainder is +0.0; NaN for
    /// y = 0 or an infinite x (the C library's NaN, printed -nan).
    @Sendable static func flooredRemainder(_ x: Double, _ y: Double) -> Double {
        var r = Glibc.fmod(x, y)
        if r != 0 && (y < 0) != (r < 0) { r += y }
        return r == 0 ? 0 : r
    }

    /// round_even(x, digits) of a DOUBLE: the exact binary value of x times 10^digits rounded half to
    /// even, as the nearest double divided by 10^digits (x * 10^digits is rounded once by the
    /// multiplication: when that lands on a half, the product's rounding error, a fused multiply-add,
    /// says on which side the exact value lies); for negative digits x / 10^-digits rounded half to
    /// even times 10^-digits. NaN and infinities are themselves, an overflowing scale gives x (0 for
    /// negative digits). Checked against DuckDB 2.0.1 on thousands of values.
    static func roundEven(_ x: Operand, _ p: Operand, _ n: Int) -> Operand {
        if p.isNullScalar || x.isNullScalar { return .scalar(.null) }
        let scalar = x.isScalar && p.isScalar
        let vals = binaryMap(scalar ? 1 : n, Kernels.doubleArg(x), Kernels.intArg(p)) { input, precision in
            if !input.isFinite { return input }
            if precision < 0 {
                let modifier = FunctionRegistry.powerOfTen(-precision)
                let r = (input / modifier).rounded(.toNearestOrEven) * modifier
                return r.isInfinite || r.isNaN ? 0 : r
            }
            let modifier = FunctionRegistry.powerOfTen(precision)
            let scaled = input * modifier
            var whole = scaled.rounded(.toNearestOrEven)
            let truncated = scaled.rounded(.towardZero)
            if Swift.abs(scaled - truncated) == 0.5 {
                let error = (-scaled).addingProduct(input, modifier)  // exact product - scaled
                if error != 0 { whole = (error > 0) == (scaled > 0) ? truncated + (scaled > 0 ? 1 : -1) : truncated }
            }
            let r = whole / modifier
            return r.isInfinite || r.isNaN ? input : r
        }
        return Kernels.result(vals, validity: andValidity(x.validity, p.validity), scalar: scalar)
    }

    static let byteUnits: [[StaticString]] = [
        ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"], ["bytes", "kB", "MB", "GB", "TB", "PB"],
    ]

    /// DuckDB's BytesToHumanReadableString of |v| (a '-' before a negative v): whole bytes below
    /// the first unit ('1 byte', '2 bytes'), else the largest unit with one truncated decimal.
    static func formatBytes(_ x: Operand, _ n: Int, multiplier: UInt64) -> Operand {
        let v = IntRows(x)
        var text = [UInt8](repeating: 0, count: 48)
        var parts = [UInt64](repeating: 0, count: 6)
        return KernelShape.strings(count: n, [v]) { i, heap in
            let value = v.values[i &* v.step]
            parts[0] = value.magnitude
            for k in 1..<6 {
                parts[k] = parts[k - 1] / multiplier
                parts[k - 1] %= multiplier
            }
            return text.withUnsafeMutableBufferPointer { buf in
                let o = buf.baseAddress!
                var len = 0
                if value < 0 {
                    o[0] = UInt8(ascii: "-")
                    len = 1
                }
                let unit = byteUnits[multiplier == 1000 ? 1 : 0]
                if let k = (1..<6).reversed().first(where: { parts[$0] != 0 }) {
                    len += TextBytes.unsigned(parts[k], o + len)
                    o[len] = UInt8(ascii: ".")
                    len += 1
                    len += TextBytes.unsigned(parts[k - 1] * 10 / multiplier, o + len)
                    o[len] = UInt8(ascii: " ")
                    len += 1
                    len += TextBytes.ascii(unit[k], o + len)
                } else {
                    len += TextBytes.unsigned(parts[0], o + len)
                    len += TextBytes.ascii(parts[0] == 1 ? " byte" : " bytes", o + len)
                }
                return FlatStrings.copy(heap, o, count: len)
            }
        }
    }
}
