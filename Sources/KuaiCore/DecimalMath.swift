/// Exact DECIMAL(p,s) arithmetic on unscaled integers (DuckDB 2.0.1's rules): the value `v` of a
/// DECIMAL(p,s) row is `v × 10^-s` with |v| < 10^p. Rounding is half away from zero everywhere
/// DuckDB rounds a DECIMAL (casts to fewer digits, to integers, round()).
public enum DecimalMath {
    /// 10^0 ... 10^38 as Int128.
    public static let pow10: [Int128] = {
        var r: [Int128] = [1]
        for _ in 1...38 { r.append(r.last! * 10) }
        return r
    }()

    /// 10^0 ... 10^38 as Double (the divisor of a DECIMAL to DOUBLE cast).
    public static let pow10Double: [Double] = (0...38).map { e in
        var d = 1.0
        for _ in 0..<e { d *= 10 }
        return d
    }

    #if arch(x86_64) || arch(i386)
        /// `pow10Double` in 80-bit extended precision (DuckDB divides by the DOUBLE power of ten).
        public static let pow10Extended: [Float80] = pow10Double.map { Float80($0) }
    #endif

    /// The DOUBLE of DECIMAL(p, `scale`) unscaled value `v` (Int64 or Int128), as DuckDB 2.0.1 casts
    /// it: `v / 10^s` divided in 80-bit extended precision (long double), then rounded to DOUBLE.
    /// Dividing in DOUBLE rounds `v` (beyond 2^53) and the quotient: about one value in eight then
    /// differs in its last bit. Platforms without Float80 divide in DOUBLE.
    @inlinable
    public static func double<T: BinaryInteger>(_ v: T, scale: Int) -> Double {
        #if arch(x86_64) || arch(i386)
            return Double(Float80(v) / pow10Extended[scale])
        #else
            return Double(v) / pow10Double[scale]
        #endif
    }

    /// `sum / (count × 10^scale)` divided in 80-bit extended precision, then rounded to DOUBLE: the
    /// average of DECIMAL(p, `scale`) values whose unscaled sum is `sum`, as DuckDB 2.0.1's grouped
    /// and window avg computes it (long double). Platforms without Float80 divide in DOUBLE.
    @inline(__always)
    public static func average(_ sum: Int128, count: Int64, scale: Int) -> Double {
        #if arch(x86_64) || arch(i386)
            return Double(Float80(sum) / (Float80(count) * pow10Extended[scale]))
        #else
            return Double(sum) / (Double(count) * pow10Double[scale])
        #endif
    }

    /// `v / d` rounded half away from zero (`d` > 0).
    @inline(__always)
    public static func divideRounded(_ v: Int128, _ d: Int128) -> Int128 {
        let q = v / d
        let r = v % d
        if r.magnitude * 2 >= d.magnitude { return v < 0 ? q - 1 : q + 1 }
        return q
    }

    /// `v × 10^(to - from)`: more digits multiply exactly (nil on leaving Int128), fewer round half
    /// away from zero.
    @inline(__always)
    public static func rescale(_ v: Int128, from: Int, to: Int) -> Int128? {
        if to == from { return v }
        if to > from {
            let r = v.multipliedReportingOverflow(by: pow10[to - from])
            return r.overflow ? nil : r.partialValue
        }
        return divideRounded(v, pow10[from - to])
    }

    /// True when `v` fits DECIMAL of `precision` digits (|v| < 10^precision).
    @inline(__always)
    public static func fits(_ v: Int128, precision: Int) -> Bool {
        v.magnitude < pow10[precision].magnitude
    }

    /// DuckDB's text of the DECIMAL value `v` with `scale` digits after the point: `-1.50`, `0.05`,
    /// `3` (scale 0); a DECIMAL(p,p) has no `0` before the point (`.5`, `-.5`), as DuckDB prints it.
    public static func text(_ v: Int128, precision: Int, scale: Int) -> String {
        var bytes = [UInt8](repeating: 0, count: 48)
        let n = bytes.withUnsafeMutableBufferPointer { write(v, precision: precision, scale: scale, $0.baseAddress!) }
        return String(decoding: bytes[0..<n], as: UTF8.self)
    }

    /// Writes `text(v, precision:scale:)` to `out` (at least 42 bytes) and returns its length.
    public static func write(_ v: Int128, precision: Int, scale: Int, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        let negative = v < 0
        let m = v.magnitude
        var nd = 0  // digits of |v|
        var t = m
        while t > 0 {
            t /= 10
            nd += 1
        }
        // integer digits: at least one unless precision == scale
        let intDigits = max(nd - scale, precision > scale ? 1 : 0)
        let total = (negative ? 1 : 0) + intDigits + (scale > 0 ? scale + 1 : 0)
        var k = total
        if m <= UInt128(UInt64.max) {
            writeDigits(UInt64(m), count: scale + intDigits, scale: scale, before: &k, out)
        } else {
            writeDigits(m, count: scale + intDigits, scale: scale, before: &k, out)
        }
        if scale > 0 && intDigits == 0 {
            k -= 1
            out[k] = UInt8(ascii: ".")
        }
        if negative { out[0] = UInt8(ascii: "-") }
        return total
    }

    /// Writes the last `count` decimal digits of `m` backwards, ending just before `out[k]`, with a
    /// point after the `scale` lowest ones (when `scale` > 0); `k` ends at the first byte written.
    @inline(__always)
    private static func writeDigits<M: FixedWidthInteger & UnsignedInteger>(
        _ m: M, count: Int, scale: Int, before k: inout Int, _ out: UnsafeMutablePointer<UInt8>
    ) {
        var m = m
        for d in 0..<count {
            if d == scale && scale > 0 {
                k -= 1
                out[k] = UInt8(ascii: ".")
            }
            k -= 1
            out[k] = UInt8(truncatingIfNeeded: m % 10) + 48
            m /= 10
        }
    }

    /// Parses text as DuckDB's CAST(VARCHAR AS DECIMAL(p,s)) reads it: white space around, an
    /// optional sign, digits (single underscores between digits), an optional `.fraction`, an
    /// optional exponent `e[+-]digits`; at least one digit. Digits beyond the scale round half away
    /// from zero. Nil when the text is not such a number or the value does not fit p digits.
    public static func parse(_ text: String, precision: Int, scale: Int) -> Int128? {
        var t = text
        return t.withUTF8 { parse($0, precision: precision, scale: scale) }
    }

    /// See `parse(_:precision:scale:)`.
    public static func parse(_ u: UnsafeBufferPointer<UInt8>, precision: Int, scale: Int) -> Int128? {
        @inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        @inline(__always) func isSpace(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }
        var a = 0
        var b = u.count
        while a < b && isSpace(u[a]) { a += 1 }
        while b > a && isSpace(u[b - 1]) { b -= 1 }
        var negative = false
        if a < b && (u[a] == 45 || u[a] == 43) {
            negative = u[a] == 45
            a += 1
        }
        var digits: [UInt8] = []  // significant digits, leading zeros dropped
        var fractionDigits = 0
        var sawDigit = false
        var inFraction = false
        var i = a
        while i < b {
            let c = u[i]
            if isDigit(c) {
                sawDigit = true
                if !(digits.isEmpty && c == 48) { digits.append(c - 48) }
                if inFraction { fractionDigits += 1 }
            } else if c == 95 {
                guard i > a, isDigit(u[i - 1]), i + 1 < b, isDigit(u[i + 1]) else { return nil }
            } else if c == 46 && !inFraction {
                inFraction = true
            } else {
                break
            }
            i += 1
        }
        guard sawDigit else { return nil }
        var exponent = 0
        if i < b {
            guard u[i] | 0x20 == UInt8(ascii: "e"), i + 1 < b else { return nil }
            i += 1
            var eNegative = false
            if u[i] == 45 || u[i] == 43 {
                eNegative = u[i] == 45
                i += 1
            }
            guard i < b else { return nil }
            while i < b {
                guard isDigit(u[i]) else { return nil }
                exponent = min(exponent * 10 + Int(u[i] - 48), 10_000)
                i += 1
            }
            if eNegative { exponent = -exponent }
        }
        // value = digits × 10^(exponent - fractionDigits); unscaled = digits × 10^shift
        let shift = exponent - fractionDigits + scale
        var kept = digits.count + shift  // digits left after the shift
        if kept > precision { return nil }
        var roundUp = false
        if shift < 0 {
            if kept < 0 {
                kept = 0
            } else if kept < digits.count {
                roundUp = digits[kept] >= 5
            }
            digits.removeLast(digits.count - max(kept, 0))
        }
        var v: Int128 = 0
        for d in digits { v = v * 10 + Int128(d) }
        if shift > 0 { v *= pow10[min(shift, 38)] }
        if roundUp { v += 1 }
        guard fits(v, precision: precision) else { return nil }
        return negative ? -v : v
    }
}
