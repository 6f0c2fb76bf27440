import KuaiCore

/// DuckDB's text of values written as UTF-8 bytes into a caller's buffer, without a Swift
/// `String`: the same text as `ValueFormatter` (checked against it and against DuckDB in
/// Tests/KuaiExecTests/CastToVarcharTests.swift). Each writer returns the bytes written and never
/// writes more than `maxBytes`.
public enum TextBytes {
    /// The longest text any writer here produces (an INTERVAL with every part at its most negative,
    /// `-178956970 years -8 months -2147483648 days -2562047788:00:54.775808`, is 68 bytes).
    public static let maxBytes = 80

    /// "00" "01" ... "99".
    static let twoDigits: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 200)
        for i in 0..<100 {
            t[2 * i] = UInt8(48 + i / 10)
            t[2 * i + 1] = UInt8(48 + i % 10)
        }
        return t
    }()

    /// Decimal digits of `v` (at least `minDigits`, zero-padded) at `out`.
    @inline(__always)
    static func unsigned(_ v: UInt64, _ out: UnsafeMutablePointer<UInt8>, minDigits: Int = 1) -> Int {
        var digits = 1
        var t = v
        while t >= 10 {
            t /= 10
            digits += 1
        }
        let n = Swift.max(digits, minDigits)
        var x = v
        var i = n
        twoDigits.withUnsafeBufferPointer { td in
            while x >= 100 {
                let r = Int(x % 100)
                x /= 100
                out[i - 1] = td[2 * r + 1]
                out[i - 2] = td[2 * r]
                i -= 2
            }
            if x >= 10 {
                out[i - 1] = td[2 * Int(x) + 1]
                out[i - 2] = td[2 * Int(x)]
                i -= 2
            } else {
                out[i - 1] = UInt8(48 + x)
                i -= 1
            }
        }
        while i > 0 {
            out[i - 1] = 48
            i -= 1
        }
        return n
    }

    /// A BIGINT or INTEGER.
    @inline(__always)
    public static func int64(_ v: Int64, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        if v < 0 {
            out[0] = UInt8(ascii: "-")
            return 1 + unsigned(v.magnitude, out + 1)
        }
        return unsigned(UInt64(v), out)
    }

    /// A HUGEINT (up to 40 bytes).
    public static func int128(_ v: Int128, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        if v < 0 {
            out[0] = UInt8(ascii: "-")
            n = 1
        }
        var m = v.magnitude
        let chunk: UInt128 = 10_000_000_000_000_000_000
        if m < chunk { return n + unsigned(UInt64(m), out + n) }
        var parts: [UInt64] = []
        while m >= chunk {
            parts.append(UInt64(m % chunk))
            m /= chunk
        }
        n += unsigned(UInt64(m), out + n)
        for p in parts.reversed() { n += unsigned(p, out + n, minDigits: 19) }
        return n
    }

    /// `YYYY-MM-DD`, years before 1 as `YYYY-MM-DD (BC)` (days since 1970-01-01).
    public static func date(_ days: Int64, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        let (y, m, d) = CivilDate.civil(days)
        var n = yearMonthDay(y, m, d, out)
        if y <= 0 { n += bc(out + n) }
        return n
    }

    /// `YYYY-MM-DD HH:MM:SS[.ffffff]` of microseconds since the epoch (trailing zeros of the
    /// fraction dropped), `(BC)` after the date of years before 1 (`0002-01-01 (BC) 10:00:00`).
    public static func timestamp(_ micros: Int64, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        let (days, rem) = CivilDate.dayAndTime(ofMicros: micros)
        return timestamp(days: days, timeOfDay: rem, out)
    }

    /// `timestamp`'s text of a day (since 1970-01-01) and a time of day (microseconds in 0..<one day).
    static func timestamp(days: Int64, timeOfDay rem: Int64, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        let (y, m, d) = CivilDate.civil(days)
        var n = yearMonthDay(y, m, d, out)
        if y <= 0 { n += bc(out + n) }
        out[n] = UInt8(ascii: " ")
        n += 1
        n += time(UInt64(rem), out + n)
        return n
    }

    /// DuckDB's TIME text of microseconds since midnight: `HH:MM:SS[.ffffff]`, trailing zeros of
    /// the fraction dropped (`12:34:56.789`, `24:00:00`).
    public static func timeOfDay(_ micros: Int64, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        time(UInt64(clamping: micros), out)
    }

    /// DuckDB's TIMESTAMP WITH TIME ZONE text of the UTC instant `micros` in `zone`: the wall time
    /// as `timestamp` writes it, then the offset `+HH`, `+HH:MM` or `+HH:MM:SS` (only the parts that
    /// are not zero: `2023-11-14 22:13:20+00`, `2025-05-05 07:30:00+05:30`).
    public static func timestamptz(_ micros: Int64, _ zone: TimeZoneRules, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        let offset = zone.offset(utc: micros)
        // day and time of day apart, so that an instant near the ends of the range does not overflow
        let perDay: Int64 = 86_400_000_000
        var (days, rem) = CivilDate.dayAndTime(ofMicros: micros)
        rem += offset
        if rem < 0 {
            rem += perDay
            days -= 1
        } else if rem >= perDay {
            rem -= perDay
            days += 1
        }
        let n = timestamp(days: days, timeOfDay: rem, out)
        return n + utcOffset(offset / 1_000_000, out + n)
    }

    /// `+HH[:MM[:SS]]` of an offset in seconds east of UTC (`-05`, `+05:30`, `+08:05:43`).
    public static func utcOffset(_ seconds: Int64, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        out[0] = seconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
        let a = seconds.magnitude
        var n = 1 + unsigned(a / 3600, out + 1, minDigits: 2)
        if a % 3600 != 0 {
            out[n] = UInt8(ascii: ":")
            n += 1 + unsigned(a / 60 % 60, out + n + 1, minDigits: 2)
            if a % 60 != 0 {
                out[n] = UInt8(ascii: ":")
                n += 1 + unsigned(a % 60, out + n + 1, minDigits: 2)
            }
        }
        return n
    }

    /// DuckDB's INTERVAL text (`IntervalToStringCast::Format`): `N year(s)`, `N month(s)` (months
    /// split into years and months, each with its own sign), `N day(s)`, then the microseconds as
    /// `[-]HH:MM:SS[.ffffff]` (hours not folded into days: `36:00:00`); `00:00:00` when all are 0.
    /// Examples: `1 year 2 months 3 days 04:05:06.5`, `10 months 3 days -04:05:06.5`, `-1 day`.
    public static func interval(_ v: IntervalValue, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        func part(_ k: Int64, _ one: StaticString, _ many: StaticString) {
            guard k != 0 else { return }
            if n > 0 {
                out[n] = UInt8(ascii: " ")
                n += 1
            }
            n += int64(k, out + n)
            n += ascii(k == 1 || k == -1 ? one : many, out + n)
        }
        part(Int64(v.months / 12), " year", " years")
        part(Int64(v.months % 12), " month", " months")
        part(Int64(v.days), " day", " days")
        if v.micros != 0 {
            if n > 0 {
                out[n] = UInt8(ascii: " ")
                n += 1
            }
            if v.micros < 0 {
                out[n] = UInt8(ascii: "-")
                n += 1
            }
            n += time(v.micros.magnitude, out + n)
        } else if n == 0 {
            n = ascii("00:00:00", out)
        }
        return n
    }

    /// `true` / `false`.
    @inline(__always)
    public static func boolean(_ v: Bool, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        ascii(v ? "true" : "false", out)
    }

    /// `HH:MM:SS[.ffffff]` of microseconds within a day (hours may exceed 23 for intervals).
    static func time(_ rem: UInt64, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        let h = rem / 3_600_000_000
        let mi = (rem / 60_000_000) % 60
        let s = (rem / 1_000_000) % 60
        var frac = rem % 1_000_000
        var n = unsigned(UInt64(h), out, minDigits: 2)
        out[n] = UInt8(ascii: ":")
        n += 1 + unsigned(UInt64(mi), out + n + 1, minDigits: 2)
        out[n] = UInt8(ascii: ":")
        n += 1 + unsigned(UInt64(s), out + n + 1, minDigits: 2)
        if frac != 0 {
            var width = 6
            while frac % 10 == 0 {
                frac /= 10
                width -= 1
            }
            out[n] = UInt8(ascii: ".")
            n += 1 + unsigned(UInt64(frac), out + n + 1, minDigits: width)
        }
        return n
    }

    static func yearMonthDay(_ y: Int64, _ m: Int, _ d: Int, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        var n = unsigned(UInt64(y <= 0 ? 1 - y : y), out, minDigits: 4)
        out[n] = UInt8(ascii: "-")
        n += 1 + unsigned(UInt64(m), out + n + 1, minDigits: 2)
        out[n] = UInt8(ascii: "-")
        n += 1 + unsigned(UInt64(d), out + n + 1, minDigits: 2)
        return n
    }

    static func bc(_ out: UnsafeMutablePointer<UInt8>) -> Int { ascii(" (BC)", out) }

    /// Calls `body` once with the writer of the values of `c`, a column of `type` (any type but
    /// VARCHAR and NULL: integers, HUGEINT, DECIMAL, DOUBLE, DATE, TIMESTAMP, TIMESTAMP WITH TIME ZONE
    /// (in the session's zone, `SessionTimeZone`), INTERVAL, BOOLEAN).
    /// The writer puts the text of row `i` at `out` (room for `maxBytes`) and returns its length;
    /// validity is the caller's. The type is switched on once per column: inlined, `body` is
    /// specialised for each type's writer (CAST to VARCHAR, csv / tsv cells).
    @inlinable @inline(__always)
    public static func withValueWriter(
        _ c: Column, type: DataType, _ body: ((_ i: Int, _ out: UnsafeMutablePointer<UInt8>) -> Int) -> Void
    ) {
        switch type {
        case .double: c.doubles.withUnsafeBufferPointer { x in body { i, p in double(x[i], p) } }
        case .boolean: c.ints.withUnsafeBufferPointer { x in body { i, p in boolean(x[i] != 0, p) } }
        case .date: c.ints.withUnsafeBufferPointer { x in body { i, p in date(x[i], p) } }
        case .timestamp: c.ints.withUnsafeBufferPointer { x in body { i, p in timestamp(x[i], p) } }
        case .timestamptz:
            let zone = SessionTimeZone.current
            c.ints.withUnsafeBufferPointer { x in body { i, p in timestamptz(x[i], zone, p) } }
        case .time: c.ints.withUnsafeBufferPointer { x in body { i, p in timeOfDay(x[i], p) } }
        case .interval: body { i, p in interval(c.interval(at: i), p) }
        case .decimal(let precision, let scale):
            body { i, p in DecimalMath.write(c.int128(at: i), precision: Int(precision), scale: Int(scale), p) }
        default:
            if c.highs != nil {
                body { i, p in int128(c.int128(at: i), p) }
            } else {
                c.ints.withUnsafeBufferPointer { x in body { i, p in int64(x[i], p) } }
            }
        }
    }

    @inline(__always)
    static func ascii(_ s: StaticString, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        out.update(from: s.utf8Start, count: s.utf8CodeUnitCount)
        return s.utf8CodeUnitCount
    }
}
