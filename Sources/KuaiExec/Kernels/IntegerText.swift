/// Integers written as text, read exactly as DuckDB 2.0.1's string-to-integer casts read them
/// (CAST(VARCHAR AS INTEGER / BIGINT / HUGEINT)): never through a DOUBLE, so every value of the
/// target range is exact and anything outside it is an error, not a saturated or rounded value.
///
/// Accepted (after leading and trailing white space, bytes 9-13 and 32): an optional sign, decimal
/// digits with single underscores between digits, an optional fraction `.digits` (rounded half
/// away from zero by its first digit: '2.5' -> 3, '-2.5' -> -3, '2.49' -> 2), an optional
/// exponent `e[+-]digits` scaling exactly ('1.25e1' -> 13, '15e-1' -> 2); or `0x` hexadecimal and
/// `0b` binary digits without a sign or trailing space. The digits before the fraction must fit
/// the range by themselves ('92233720368547758070e-1' is out of range for BIGINT, as in DuckDB).
enum IntegerText {
    /// The value of `text` when it is an integer within `min...max`, else nil.
    /// - Parameters: min, max: the target type's range (Kernels.integerRange, or Int128's).
    static func parse(_ text: String, min: Int128, max: Int128) -> Int128? {
        var t = text
        return t.withUTF8 { parse($0, min: min, max: max) }
    }

    @inline(__always) private static func isSpace(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }
    @inline(__always) private static func digit(_ c: UInt8) -> UInt8? { c >= 48 && c <= 57 ? c - 48 : nil }

    /// See `parse(_:min:max:)`.
    static func parse(_ u: UnsafeBufferPointer<UInt8>, min: Int128, max: Int128) -> Int128? {
        var a = 0
        while a < u.count && isSpace(u[a]) { a += 1 }
        if u.count - a >= 3, u[a] == 48, u[a + 1] | 0x20 == 120 || u[a + 1] | 0x20 == 98 {
            // 0x / 0b: no sign, nothing after the digits
            let radix: UInt128 = u[a + 1] | 0x20 == 120 ? 16 : 2
            guard let m = digits(u, from: a + 2, radix: radix, limit: UInt128(max)), m.end == u.count else {
                return nil
            }
            return Int128(m.value)
        }
        var b = u.count
        while b > a && isSpace(u[b - 1]) { b -= 1 }
        var negative = false
        if a < b && (u[a] == 45 || u[a] == 43) {
            negative = u[a] == 45
            a += 1
        }
        let limit = negative ? min.magnitude : UInt128(max)
        // integer part
        var mag: UInt128 = 0
        var i = a
        if let m = digits(u, from: a, radix: 10, limit: limit, end: b) {
            mag = m.value
            i = m.end
        } else if a < b && digit(u[a]) != nil {
            return nil  // digits out of range
        }
        let intDigits = i > a
        // fraction
        var frac = i..<i
        if i < b && u[i] == 46 {
            let start = i + 1
            i = start
            while i < b && (digit(u[i]) != nil || (u[i] == 95 && i > start && i + 1 < b && digit(u[i + 1]) != nil)) {
                i += 1
            }
            frac = start..<i
        }
        guard intDigits || !frac.isEmpty else { return nil }
        // exponent
        var exponent = 0
        if i < b && u[i] | 0x20 == 101 {
            i += 1
            var expNegative = false
            if i < b && (u[i] == 45 || u[i] == 43) {
                expNegative = u[i] == 45
                i += 1
            }
            guard let e = digits(u, from: i, radix: 10, limit: 1_000_000, end: b, saturate: true) else { return nil }
            exponent = expNegative ? -Int(e.value) : Int(e.value)
            i = e.end
        }
        guard i == b else { return nil }
        guard let m = scale(mag, fraction: u, frac, exponent: exponent, limit: limit) else { return nil }
        return negative ? Int128(truncatingIfNeeded: 0 &- m) : Int128(m)
    }

    /// Digits of `radix` from `from` (single underscores between digits), stopping at the first
    /// other byte; nil when there is no digit or the value passes `limit` (unless `saturate`).
    private static func digits(
        _ u: UnsafeBufferPointer<UInt8>, from: Int, radix: UInt128, limit: UInt128, end: Int? = nil,
        saturate: Bool = false
    ) -> (value: UInt128, end: Int)? {
        let end = end ?? u.count
        func value(_ c: UInt8) -> UInt128? {
            let v: UInt8
            if let d = digit(c) {
                v = d
            } else if c | 0x20 >= 97 && c | 0x20 <= 102 {
                v = (c | 0x20) - 87
            } else {
                return nil
            }
            return UInt128(v) < radix ? UInt128(v) : nil
        }
        var i = from
        var m: UInt128 = 0
        while i < end {
            if let d = value(u[i]) {
                let (p, o1) = m.multipliedReportingOverflow(by: radix)
                let (s, o2) = p.addingReportingOverflow(d)
                if o1 || o2 || s > limit {
                    guard saturate else { return nil }
                    m = limit
                } else {
                    m = s
                }
                i += 1
            } else if u[i] == 95 && i > from && i + 1 < end && value(u[i + 1]) != nil {
                i += 1
            } else {
                break
            }
        }
        return i > from ? (m, i) : nil
    }

    /// `mag` (the integer digits) followed by the fraction digits, times 10^exponent, rounded half
    /// away from zero by the first digit dropped; nil past `limit`.
    private static func scale(
        _ mag: UInt128, fraction u: UnsafeBufferPointer<UInt8>, _ frac: Range<Int>, exponent: Int, limit: UInt128
    ) -> UInt128? {
        var m = mag
        var f = frac.lowerBound
        func nextFractionDigit() -> UInt128 {
            while f < frac.upperBound && u[f] == 95 { f += 1 }
            guard f < frac.upperBound else { return 0 }
            defer { f += 1 }
            return UInt128(u[f] - 48)
        }
        let dropped: UInt128
        if exponent >= 0 {
            for _ in 0..<exponent {
                if m == 0 && f >= frac.upperBound { break }
                let (p, o1) = m.multipliedReportingOverflow(by: 10)
                let (s, o2) = p.addingReportingOverflow(nextFractionDigit())
                if o1 || o2 || s > limit { return nil }
                m = s
            }
            dropped = nextFractionDigit()
        } else if -exponent > 39 {
            (m, dropped) = (0, 0)  // every digit of a 128-bit value dropped, the first one a 0
        } else {
            var p: UInt128 = 1
            for _ in 1..<(-exponent) { p *= 10 }
            let q = m / p
            (m, dropped) = (q / 10, q % 10)
        }
        if dropped >= 5 {
            guard m < limit else { return nil }
            m += 1
        }
        return m
    }
}
