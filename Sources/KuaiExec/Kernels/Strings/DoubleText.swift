import KuaiCore

extension TextBytes {
    /// Powers of ten exactly representable as doubles (10^0 ... 10^22).
    static let exactPowersOfTen: [Double] = (0...22).map { k in
        var p = 1.0
        for _ in 0..<k { p *= 10 }
        return p
    }

    /// DuckDB's text of a DOUBLE (the layout of `ValueFormatter.double`: the shortest digits that
    /// round-trip, fixed notation for decimal exponents -4...15, else `d.ddde+XX`).
    ///
    /// Fast path: a value whose shortest form has at most 15 significant digits and a decimal
    /// exponent in -5...15 is found by scaling with exact powers of ten (`m / 10^k == d` exactly
    /// in IEEE arithmetic proves that the digits of `m` round-trip, and below 16 digits the
    /// nearest such `m` is unique). Other finite values (16-17 digits, huge or tiny) take the
    /// shortest digits of Swift's printer (`shortestDigits`).
    public static func double(_ d: Double, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        if let (digits, pointAt) = shortDecimal(d) ?? shortestDigits(d) {
            return layoutDouble(negative: d.sign == .minus, digits: digits, pointAt: pointAt, out)
        }
        var s = ValueFormatter.double(d)  // NaN, infinities, zeros
        return s.withUTF8 { b in
            out.update(from: b.baseAddress!, count: b.count)
            return b.count
        }
    }

    /// The shortest round-trip digits of a finite non-zero `d` (no trailing zeros) and the point
    /// position (value = 0.digits × 10^pointAt), read from the bytes of Swift's `description`
    /// (one String per value, no re-layout through String appends). Nil for zeros, NaN,
    /// infinities.
    public static func shortestDigits(_ d: Double) -> (UInt64, Int)? {
        guard d.isFinite, d != 0 else { return nil }
        var text = d.description
        return text.withUTF8 { b in
            let p = b.baseAddress!
            let n = b.count
            var i = p[0] == UInt8(ascii: "-") ? 1 : 0
            var digits: UInt64 = 0
            var count = 0  // significant digits taken into `digits`
            var intDigits = 0  // digits before the point, leading zeros left out
            var leadingZeros = 0  // zeros after the point before the first significant digit
            var seenPoint = false
            var exponent = 0
            while i < n {
                let c = p[i]
                i += 1
                if c == UInt8(ascii: ".") {
                    seenPoint = true
                } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                    var negative = false
                    if i < n && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) {
                        negative = p[i] == UInt8(ascii: "-")
                        i += 1
                    }
                    while i < n {
                        exponent = exponent * 10 + Int(p[i] &- 48)
                        i += 1
                    }
                    if negative { exponent = -exponent }
                } else if count == 0 && c == UInt8(ascii: "0") {
                    if seenPoint { leadingZeros += 1 }
                } else {
                    guard count < 19 else { return nil }  // never: at most 17 significant digits
                    digits = digits * 10 + UInt64(c &- 48)
                    count += 1
                    if !seenPoint { intDigits += 1 }
                }
            }
            guard count > 0 else { return nil }
            while digits >= 10 && digits % 10 == 0 { digits /= 10 }
            return (digits, (intDigits > 0 ? intDigits : -leadingZeros) + exponent)
        }
    }

    /// The significant digits of `|d|` (no trailing zeros) and the position of the decimal point
    /// relative to the first digit (value = 0.digits × 10^pointAt), when the fast path applies.
    public static func shortDecimal(_ d: Double) -> (UInt64, Int)? {
        let a = d.magnitude
        guard a.isFinite, a >= 1e-5, a < 1e15 else { return nil }
        let powers = exactPowersOfTen
        for k in 0...20 {
            let scaled = a * powers[k]
            if scaled >= 1e15 { return nil }
            let m = scaled.rounded()
            guard m / powers[k] == a else { continue }
            var digits = UInt64(m)
            var fraction = k
            while fraction > 0 && digits % 10 == 0 {
                digits /= 10
                fraction -= 1
            }
            var count = 1
            var t = digits
            while t >= 10 {
                t /= 10
                count += 1
            }
            // Trailing zeros of an integer value are not significant digits.
            var trimmed = digits
            while trimmed >= 10 && trimmed % 10 == 0 { trimmed /= 10 }
            return (trimmed, count - fraction)
        }
        return nil
    }

    /// Lays out `digits` (no trailing zeros) with the point after `pointAt` digits as DuckDB does.
    public static func layoutDouble(negative: Bool, digits: UInt64, pointAt: Int, _ out: UnsafeMutablePointer<UInt8>)
        -> Int
    {
        var buf: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &buf) { raw in
            let ds = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let count = unsigned(digits, ds)
            var n = 0
            if negative {
                out[0] = UInt8(ascii: "-")
                n = 1
            }
            let sciExp = pointAt - 1
            if sciExp < -4 || sciExp >= 16 {
                out[n] = ds[0]
                n += 1
                if count > 1 {
                    out[n] = UInt8(ascii: ".")
                    (out + n + 1).update(from: ds + 1, count: count - 1)
                    n += count
                }
                n += ascii(sciExp < 0 ? "e-" : "e+", out + n)
                n += unsigned(UInt64(abs(sciExp)), out + n, minDigits: 2)
            } else if pointAt <= 0 {
                n += ascii("0.", out + n)
                for _ in 0..<(-pointAt) {
                    out[n] = 48
                    n += 1
                }
                (out + n).update(from: ds, count: count)
                n += count
            } else {
                for k in 0..<pointAt {
                    out[n] = k < count ? ds[k] : 48
                    n += 1
                }
                out[n] = UInt8(ascii: ".")
                n += 1
                if count > pointAt {
                    (out + n).update(from: ds + pointAt, count: count - pointAt)
                    n += count - pointAt
                } else {
                    out[n] = 48
                    n += 1
                }
            }
            return n
        }
    }
}
