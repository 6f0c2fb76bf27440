/// The text of numbers in charts and report tables: tick labels, value labels, table cells.
///
/// Every chart kind formats through these functions so that one number reads the same everywhere:
/// no exponent notation, `,` between thousands, `k`/`M`/`B`/`T` (10^3, 10^6, 10^9, 10^12) on axes
/// whose largest tick is 10,000 or more, never `-0`. Pure Swift (no locale, no Foundation).
public enum NumberFormat {
    /// `v` rounded half away from zero to `decimals` digits after the point ("3.14", "-2", "0.50").
    /// Magnitudes past 9e15 after scaling (beyond exact Double integers) fall back to Swift's
    /// shortest representation; infinities and NaN print as "inf", "-inf" and "nan".
    public static func fixed(_ v: Double, decimals: Int) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        let d = max(0, min(decimals, 15))
        var scale = 1.0
        for _ in 0..<d { scale *= 10 }
        let scaled = (abs(v) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e15 else { return String(v) }
        let digits = String(UInt64(scaled))
        let negative = v < 0 && scaled != 0
        guard d > 0 else { return (negative ? "-" : "") + digits }
        let padded = String(repeating: "0", count: max(0, d + 1 - digits.count)) + digits
        let cut = padded.index(padded.endIndex, offsetBy: -d)
        return (negative ? "-" : "") + padded[..<cut] + "." + padded[cut...]
    }

    /// `fixed(v, decimals:)` with `,` between groups of three digits of the integer part
    /// (4909515 -> "4,909,515"; -1234.5 with 1 decimal -> "-1,234.5").
    public static func grouped(_ v: Double, decimals: Int = 0) -> String {
        groupDigits(fixed(v, decimals: decimals))
    }

    /// Inserts `,` between groups of three digits in the integer part of a plain decimal text
    /// ("1234567.25" -> "1,234,567.25", "-1000" -> "-1,000"). Text that is not a plain decimal
    /// number (an exponent, letters, a date) is returned unchanged.
    public static func groupDigits(_ text: String) -> String {
        var chars = Array(text)
        var start = 0
        if let first = chars.first, first == "-" || first == "+" { start = 1 }
        var end = start
        while end < chars.count, chars[end].isASCII, chars[end].isNumber { end += 1 }
        guard end > start else { return text }
        if end < chars.count {
            guard chars[end] == ".", chars[(end + 1)...].allSatisfy({ $0.isASCII && $0.isNumber }) else { return text }
        }
        var i = end - 3
        while i > start {
            chars.insert(",", at: i)
            i -= 3
        }
        return String(chars)
    }

    /// The fewest digits after the point (0 to 10) that show every multiple of `step` exactly:
    /// 5 -> 0, 0.5 -> 1, 0.25 -> 2, 0.1 -> 1.
    public static func decimals(forStep step: Double) -> Int {
        let s = abs(step)
        guard s > 0, s.isFinite else { return 0 }
        var scaled = s
        for d in 0...10 {
            if abs(scaled - scaled.rounded()) <= 1e-6 * scaled { return d }
            scaled *= 10
        }
        return 10
    }

    /// A unit suffix for numbers up to `magnitude`: ("", 1) below 10,000, else k, M, B or T.
    static func unit(forMagnitude magnitude: Double) -> (suffix: String, scale: Double) {
        if magnitude >= 1e12 { return ("T", 1e12) }
        if magnitude >= 1e9 { return ("B", 1e9) }
        if magnitude >= 1e6 { return ("M", 1e6) }
        if magnitude >= 1e4 { return ("k", 1e3) }
        return ("", 1)
    }

    /// Labels of evenly spaced linear ticks (`step` apart). One unit for all labels, chosen by the
    /// largest |tick|: 0, 250, 500 / 0, 2,500, 5,000 / 0, 10k, 20k / 0, 0.5M, 1M, 1.5M.
    public static func tickLabels(_ ticks: [Double], step: Double) -> [String] {
        let magnitude = ticks.map { abs($0) }.max() ?? 0
        let (suffix, scale) = unit(forMagnitude: magnitude)
        let d = decimals(forStep: step / scale)
        return ticks.map { t in
            if abs(t) < abs(step) * 1e-9 { return "0" }
            return grouped(t / scale, decimals: d) + suffix
        }
    }

    /// A short label of one value with at most 3 significant digits and a unit suffix from 1,000
    /// up: 0.05, 2, 15, 100, 1k, 2.5k, 10k, 1.2M. For log-axis ticks and colour-scale ends.
    public static func compact(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        let (suffix, scale): (String, Double) =
            a >= 1e12 ? ("T", 1e12) : a >= 1e9 ? ("B", 1e9) : a >= 1e6 ? ("M", 1e6) : a >= 1e3 ? ("k", 1e3) : ("", 1)
        let x = v / scale
        return trimmed(fixed(x, decimals: max(0, 2 - magnitudeExponent(abs(x))))) + suffix
    }

    /// A value label with up to 5 significant digits (at most 6 decimals), trailing zeros dropped and
    /// thousands grouped: 1234567 -> "1,234,567", 66.19 -> "66.19", 0.1234567 -> "0.12346".
    public static func value(_ v: Double) -> String {
        if !v.isFinite { return fixed(v, decimals: 0) }
        if v == v.rounded() && abs(v) < 9e15 { return grouped(v) }
        let d = min(6, max(0, 4 - magnitudeExponent(abs(v))))
        return groupDigits(trimmed(fixed(v, decimals: d)))
    }

    /// A coordinate for SVG attributes: at most 2 decimals, trailing zeros dropped ("12", "12.5").
    public static func coordinate(_ v: Double) -> String { trimmed(fixed(v, decimals: 2)) }

    /// floor(log10(a)) for a > 0, computed by comparison so that exact powers of ten are exact.
    static func magnitudeExponent(_ a: Double) -> Int {
        guard a > 0, a.isFinite else { return 0 }
        var e = 0
        var p = 1.0
        while p * 10 <= a {
            p *= 10
            e += 1
        }
        while p > a {
            p /= 10
            e -= 1
        }
        return e
    }

    /// Drops trailing zeros after a decimal point, and the point itself when nothing follows.
    static func trimmed(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = Substring(s)
        while t.last == "0" { t = t.dropLast() }
        if t.last == "." { t = t.dropLast() }
        return t == "-0" ? "0" : String(t)
    }
}
