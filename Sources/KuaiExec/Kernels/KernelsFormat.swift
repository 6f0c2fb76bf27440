import KuaiCore

/// Text forms of values exactly as DuckDB 2.0.1 prints them (CSV output, CAST to VARCHAR).
///
/// - DOUBLE: the shortest digits that round-trip; fixed notation when the decimal exponent is in
///   [-4, 15] (`100.0`, `0.0001`, `1000000000000000.0`), otherwise scientific with a signed
///   exponent of at least two digits (`1e+16`, `1e-05`, `1.2345678901234568e+17`); `inf`, `-inf`,
///   `nan` (`-nan` when the sign bit is set, as `-CAST('nan' AS DOUBLE)` and `sqrt(-1)` give),
///   `-0.0`. (Checked against DuckDB's `COPY ... TO 'x.csv'`.)
/// - DATE: `YYYY-MM-DD` (proleptic Gregorian, days since 1970-01-01).
/// - TIMESTAMP: `YYYY-MM-DD HH:MM:SS` plus `.` and the microseconds without trailing zeros
///   when non-zero (`2025-05-04 16:00:00.022`, `... 16:00:00.1`).
public enum ValueFormatter {
    /// DuckDB's text of a DOUBLE: the shortest round-trip digits of Swift's printer
    /// (`TextBytes.shortestDigits`) laid out as DuckDB does (`TextBytes.layoutDouble`).
    public static func double(_ d: Double) -> String {
        if d.isNaN { return d.sign == .minus ? "-nan" : "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let (digits, pointAt) = TextBytes.shortestDigits(d)!  // finite and non-zero
        // at most a sign, 17 digits, a point and a 5-byte exponent, or "-0.000" and 17 digits
        var buf: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &buf) { raw in
            let p = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let n = TextBytes.layoutDouble(negative: d.sign == .minus, digits: digits, pointAt: pointAt, p)
            return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        }
    }

    static func pad(_ v: Int64, _ width: Int, into out: inout String) {
        let s = String(v)
        if s.utf8.count < width { for _ in 0..<(width - s.utf8.count) { out += "0" } }
        out += s
    }

    /// `YYYY-MM-DD`; years before 1 print as DuckDB does (`YYYY-MM-DD (BC)`).
    public static func date(_ days: Int64) -> String {
        let (y, m, d) = CivilDate.civil(days)
        var out = ""
        if y <= 0 {
            pad(1 - y, 4, into: &out)
        } else {
            pad(y, 4, into: &out)
        }
        out += "-"
        pad(Int64(m), 2, into: &out)
        out += "-"
        pad(Int64(d), 2, into: &out)
        if y <= 0 { out += " (BC)" }
        return out
    }

    /// `YYYY-MM-DD HH:MM:SS[.ffffff]` of microseconds since the epoch; years before 1 as DuckDB
    /// prints them (`YYYY-MM-DD (BC) HH:MM:SS`).
    /// TIMESTAMP WITH TIME ZONE text of the UTC instant `micros` in the session's zone
    /// (`TextBytes.timestamptz`: `2023-11-14 22:13:20+00`).
    public static func timestamptz(_ micros: Int64) -> String {
        var buf = [UInt8](repeating: 0, count: TextBytes.maxBytes)
        let n = buf.withUnsafeMutableBufferPointer {
            TextBytes.timestamptz(micros, SessionTimeZone.current, $0.baseAddress!)
        }
        return String(decoding: buf[0..<n], as: UTF8.self)
    }

    /// DuckDB's TIME text of microseconds since midnight (`12:34:56.789`).
    public static func time(_ micros: Int64) -> String {
        var out = ""
        appendTime(micros, into: &out)
        return out
    }

    public static func timestamp(_ micros: Int64) -> String {
        let (days, rem) = CivilDate.dayAndTime(ofMicros: micros)
        let (y, m, d) = CivilDate.civil(days)
        var out = ""
        pad(y <= 0 ? 1 - y : y, 4, into: &out)
        out += "-"
        pad(Int64(m), 2, into: &out)
        out += "-"
        pad(Int64(d), 2, into: &out)
        if y <= 0 { out += " (BC)" }
        out += " "
        appendTime(rem, into: &out)
        return out
    }

    /// `HH:MM:SS[.ffffff]` of microseconds within a day.
    static func appendTime(_ rem: Int64, into out: inout String) {
        let h = rem / 3_600_000_000
        let mi = (rem / 60_000_000) % 60
        let s = (rem / 1_000_000) % 60
        var frac = rem % 1_000_000
        pad(h, 2, into: &out)
        out += ":"
        pad(mi, 2, into: &out)
        out += ":"
        pad(s, 2, into: &out)
        if frac != 0 {
            var width = 6
            while frac % 10 == 0 {
                frac /= 10
                width -= 1
            }
            out += "."
            pad(frac, width, into: &out)
        }
    }

    /// DuckDB's INTERVAL text (`TextBytes.interval`): `1 year 2 months 3 days 04:05:06.5`, `36:00:00`.
    public static func interval(_ v: IntervalValue) -> String {
        String(unsafeUninitializedCapacity: TextBytes.maxBytes) { TextBytes.interval(v, $0.baseAddress!) }
    }

    /// A DATE from text as DuckDB 2.0.1's CAST(VARCHAR AS DATE) reads it (`TemporalText.date`),
    /// in days since 1970-01-01; nil when it is not a date.
    public static func parseDate(_ s: String) -> Int64? {
        var s = s
        return s.withUTF8 { TemporalText.date($0) }
    }

    /// A TIMESTAMP from text as DuckDB 2.0.1's CAST(VARCHAR AS TIMESTAMP) reads it
    /// (`TemporalText.timestamp`), in microseconds since 1970-01-01 00:00:00; nil when it is not one.
    public static func parseTimestamp(_ s: String) -> Int64? {
        var s = s
        return s.withUTF8 { TemporalText.timestamp($0) }
    }
}
