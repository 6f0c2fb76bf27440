/// DATE and TIMESTAMP values written as text, read as DuckDB 2.0.1's casts from VARCHAR read them
/// (its `Date::TryConvertDate` and `Timestamp::TryConvertTimestampTZ`), over UTF-8 bytes.
///
/// A date: white space, an optional `-`, year digits, a separator (`-`, `/`, `\` or a space), a
/// month of 1-2 digits, the same separator, a day of 1-2 digits, optionally ` (BC)` (any case; year
/// Y BC is year 1 - Y), or the word `epoch`. CAST(... AS DATE) then allows only trailing white
/// space, or any tail that makes the whole text a valid timestamp (the date is kept, the time
/// dropped: '2025-05-05 24:00:00' is 2025-05-05).
///
/// A timestamp: a date not directly followed by a digit, then nothing (midnight), or ` ` / `T`,
/// white space, `H:M[:S[.fraction]]` (1-2 digit fields, at most 24:00:00, more than 6 fraction
/// digits cut), then optionally `Z`, a UTC offset `±HH[[:]MM[[:]SS]]` or ` zone-name`
/// (letters, digits, `_ / + -`), then white space. CAST(... AS TIMESTAMP) ignores the offset and
/// the zone name, as DuckDB 2.0.1 (the value is the written local time); CAST(... AS TIMESTAMPTZ)
/// reads the written time in that zone (`timestampAndZone`). Infinite dates ('infinity') are not supported:
/// they read as not a date, and the casts raise an error for them even under TRY_CAST (`isInfinity`), since
/// DuckDB's answer is a value kuai cannot hold, not NULL.
public enum TemporalText {
    @inline(__always) public static func isSpace(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }

    /// Whether `u` is a text DuckDB 2.0.1 reads as an infinite DATE, TIMESTAMP or TIMESTAMPTZ: exactly
    /// `inf`, `infinity`, `-inf` or `-infinity` in any letter case (no white space, no `+`).
    public static func isInfinity(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        if i < u.count && u[i] == UInt8(ascii: "-") { i += 1 }
        let rest = u.count - i
        guard rest == 3 || rest == 8 else { return false }
        let word: StaticString = "infinity"
        return (0..<rest).allSatisfy { u[i + $0] | 0x20 == word.utf8Start[$0] }
    }
    @inline(__always) public static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    /// The digits at `i` (after a decimal point) as millionths: digits past the sixth are dropped,
    /// fewer are scaled up; `i` ends after the last digit.
    public static func fractionDigits(_ u: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Int64 {
        var v: Int64 = 0
        var k = 0
        while i < u.count && isDigit(u[i]) {
            if k < 6 {
                v = v * 10 + Int64(u[i] - 48)
                k += 1
            }
            i += 1
        }
        while k < 6 {
            v *= 10
            k += 1
        }
        return v
    }

    /// CAST(text AS DATE): days since 1970-01-01, nil when not a date.
    public static func date(_ u: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let (days, end) = datePrefix(u) else { return nil }
        var i = end
        while i < u.count && isSpace(u[i]) { i += 1 }
        if i == u.count { return days }
        return timestamp(u) != nil ? days : nil
    }

    /// CAST(text AS TIMESTAMP): microseconds since 1970-01-01 00:00:00, nil when not a timestamp.
    public static func timestamp(_ u: UnsafeBufferPointer<UInt8>) -> Int64? { timestampAndZone(u)?.micros }

    /// What follows the time of a timestamp text: nothing, `Z`, a UTC offset (seconds east), or a
    /// zone name (its byte range in the text).
    public enum ZoneSuffix: Equatable, Sendable {
        case none, utc
        case offset(Int64)
        case name(Range<Int>)
    }

    /// The written (wall-clock) microseconds of a timestamp text and the zone written after it;
    /// nil when not a timestamp. CAST(... AS TIMESTAMP) keeps the wall time and drops the zone;
    /// CAST(... AS TIMESTAMPTZ) reads the wall time in it.
    public static func timestampAndZone(_ u: UnsafeBufferPointer<UInt8>) -> (micros: Int64, zone: ZoneSuffix)? {
        guard let (days, end) = datePrefix(u) else { return nil }
        var i = end
        if i < u.count && isDigit(u[i]) { return nil }
        let midnight = days * 86_400_000_000
        if i == u.count { return (midnight, .none) }
        if u[i] == 32 || u[i] == UInt8(ascii: "T") { i += 1 }
        guard let micros = time(u, &i), micros <= 86_400_000_000 else { return nil }
        if i == u.count { return (midnight + micros, .none) }
        guard let zone = zoneTail(u, i) else { return nil }
        return (midnight + micros, zone)
    }

    /// CAST(text AS TIME), as DuckDB 2.0.1's `Time::TryConvertTime`: microseconds since midnight, nil
    /// when not a time. White space, `H:M[:S[.fraction]]` (1-2 digit fields, at most 24:00:00,
    /// digits past the sixth of the fraction dropped), optionally `Z` or a UTC offset (ignored; a
    /// zone name is refused), then white space; otherwise a whole timestamp text, whose time of
    /// day is taken ('2024-01-01 12:00:00' is 12:00:00, '2024-01-01' midnight).
    public static func timeOfDay(_ u: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        if let micros = time(u, &i), micros <= 86_400_000_000 {
            if i == u.count { return micros }
            if let zone = zoneTail(u, i) {
                if case .name = zone {} else { return micros }
            }
        }
        guard let micros = timestamp(u) else { return nil }
        let perDay: Int64 = 86_400_000_000
        let r = micros % perDay
        return r < 0 ? r + perDay : r
    }

    /// A CSV field read as a TIMESTAMP by type inference and by the reader of an inferred TIMESTAMP
    /// column (Formats/bad-input.md): microseconds of the written wall time, or nil. The field must
    /// read as DuckDB 2.0.1's CSV sniffer reads a TIMESTAMP: a timestamp text (see the type's
    /// comment) with no UTC offset or `Z` (DuckDB makes those TIMESTAMP WITH TIME ZONE, which kuai's
    /// reader does not infer) and no zone name other than `UTC`; not `(BC)`, `epoch` or infinity;
    /// and a text without a time of day must be a `YYYY-MM-DD` date (other date shapes are DATE
    /// formats for DuckDB, VARCHAR for kuai).
    public static func csvTimestamp(_ u: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        while i < u.count && isSpace(u[i]) { i += 1 }
        guard i < u.count, isDigit(u[i]) || u[i] == UInt8(ascii: "-") else { return nil }
        guard let (micros, zone) = timestampAndZone(u) else { return nil }
        switch zone {
        case .none: break
        case .name(let r):
            guard r.count == 3, u[r.lowerBound] | 0x20 == UInt8(ascii: "u"),
                u[r.lowerBound + 1] | 0x20 == UInt8(ascii: "t"),
                u[r.lowerBound + 2] | 0x20 == UInt8(ascii: "c")
            else { return nil }
        case .utc, .offset: return nil
        }
        var hasTime = false
        for b in u {
            if b == UInt8(ascii: "(") { return nil }
            if b == UInt8(ascii: ":") { hasTime = true }
        }
        if !hasTime {
            var j = u.count
            while j > i && isSpace(u[j - 1]) { j -= 1 }
            guard j - i == 10, u[i + 4] == UInt8(ascii: "-"), u[i + 7] == UInt8(ascii: "-") else { return nil }
        }
        return micros
    }

    /// A CSV field read as a TIME by type inference and by the reader of an inferred TIME column:
    /// microseconds since midnight, or nil. As DuckDB 2.0.1's sniffer (`Time::TryConvertTime`,
    /// strict): white space, `H:M[:S[.fraction]]` (at most 24:00:00), white space, and nothing else:
    /// no date, no offset.
    public static func csvTime(_ u: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        guard let micros = time(u, &i), micros <= 86_400_000_000 else { return nil }
        while i < u.count && isSpace(u[i]) { i += 1 }
        return i == u.count ? micros : nil
    }

    /// The date at the start of `u` and the index after it (after ` (BC)` when present).
    public static func datePrefix(_ u: UnsafeBufferPointer<UInt8>) -> (days: Int64, end: Int)? {
        var i = 0
        while i < u.count && isSpace(u[i]) { i += 1 }
        var negative = false
        if i < u.count && u[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < u.count else { return nil }
        if !isDigit(u[i]) {
            // 'epoch' followed only by white space
            let word: [UInt8] = Array("epoch".utf8)
            guard !negative, u.count - i >= 5, (0..<5).allSatisfy({ u[i + $0] | 0x20 == word[$0] }) else { return nil }
            i += 5
            while i < u.count && isSpace(u[i]) { i += 1 }
            return i == u.count ? (0, i) : nil
        }
        var year: Int64 = 0
        while i < u.count && isDigit(u[i]) {
            year = year * 10 + Int64(u[i] - 48)
            guard year <= 290_000 else { return nil }
            i += 1
        }
        guard i < u.count else { return nil }
        let sep = u[i]
        guard sep == UInt8(ascii: "-") || sep == UInt8(ascii: "/") || sep == UInt8(ascii: "\\") || sep == 32 else {
            return nil
        }
        i += 1
        guard let month = twoDigits(u, &i), i < u.count, u[i] == sep else { return nil }
        i += 1
        guard let day = twoDigits(u, &i) else { return nil }
        if negative { year = -year }
        // ' (BC)'
        if u.count - i >= 5, isSpace(u[i]), u[i + 1] == UInt8(ascii: "("), u[i + 2] | 0x20 == UInt8(ascii: "b"),
            u[i + 3] | 0x20 == UInt8(ascii: "c"), u[i + 4] == UInt8(ascii: ")")
        {
            guard !negative, year != 0 else { return nil }
            year = 1 - year
            i += 5
        }
        // Years within ±290,000 (as make_date): a date's microseconds then fit Int64.
        guard year >= -290_000, month >= 1, month <= 12, day >= 1,
            day <= Int64(CivilDate.daysInMonth(year: year, month: Int(month)))
        else { return nil }
        return (CivilDate.days(year: year, month: Int(month), day: Int(day)), i)
    }

    /// One or two digits at `i`.
    private static func twoDigits(_ u: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Int64? {
        guard i < u.count, isDigit(u[i]) else { return nil }
        var v = Int64(u[i] - 48)
        i += 1
        if i < u.count && isDigit(u[i]) {
            v = v * 10 + Int64(u[i] - 48)
            i += 1
        }
        return v
    }

    /// `H:M[:S[.fraction]]` after white space, in microseconds (minutes and seconds below 60). As DuckDB
    /// 2.0.1, a colon may end the time: `12:` is 12:00:00 and `12:30:` 12:30:00.
    private static func time(_ u: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Int64? {
        while i < u.count && isSpace(u[i]) { i += 1 }
        guard let h = twoDigits(u, &i), i < u.count, u[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        guard i < u.count, isDigit(u[i]) else { return h * 3_600_000_000 }
        guard let m = twoDigits(u, &i), m < 60 else { return nil }
        var s: Int64 = 0
        var frac: Int64 = 0
        if i < u.count && u[i] == UInt8(ascii: ":") {
            i += 1
            guard i < u.count, isDigit(u[i]) else { return (h * 60 + m) * 60_000_000 }
            guard let v = twoDigits(u, &i), v < 60 else { return nil }
            s = v
            if i < u.count && u[i] == UInt8(ascii: ".") {
                i += 1
                frac = fractionDigits(u, &i)
            }
        }
        return ((h * 60 + m) * 60 + s) * 1_000_000 + frac
    }

    /// The zone ending the text at `u[i...]`: `Z`, a UTC offset or ` zone-name`, then only white
    /// space; nil when it is not a valid ending.
    private static func zoneTail(_ u: UnsafeBufferPointer<UInt8>, _ start: Int) -> ZoneSuffix? {
        var i = start
        var zone = ZoneSuffix.none
        if u[i] == UInt8(ascii: "Z") {
            i += 1
            zone = .utc
        } else if let (seconds, end) = utcOffset(u, i) {
            i = end
            zone = .offset(seconds)
        } else {
            guard u[i] == 32 else { return nil }
            i += 1
            let nameStart = i
            while i < u.count {
                let c = u[i]
                let zoneByte =
                    isDigit(c) || (c | 0x20 >= 97 && c | 0x20 <= 122) || c == UInt8(ascii: "_")
                    || c == UInt8(ascii: "/") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-")
                guard zoneByte else { break }
                i += 1
            }
            if i > nameStart { zone = .name(nameStart..<i) }
        }
        while i < u.count && isSpace(u[i]) { i += 1 }
        return i == u.count ? zone : nil
    }

    /// The UTC offset `±HH[[:]MM[[:]SS]]` at `start` in seconds east of UTC, and the index after
    /// it; nil when there is none.
    private static func utcOffset(_ u: UnsafeBufferPointer<UInt8>, _ start: Int) -> (Int64, Int)? {
        var i = start
        guard u.count - i >= 3, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-"), isDigit(u[i + 1]),
            isDigit(u[i + 2])
        else { return nil }
        let sign: Int64 = u[i] == UInt8(ascii: "-") ? -1 : 1
        var seconds = Int64(u[i + 1] - 48) * 36_000 + Int64(u[i + 2] - 48) * 3_600
        i += 3
        for unit: Int64 in [60, 1] {
            var j = i
            if j < u.count && u[j] == UInt8(ascii: ":") { j += 1 }
            guard u.count - j >= 2, isDigit(u[j]), isDigit(u[j + 1]) else {
                return (sign * seconds, j > i ? j : i)  // a lone ':' is consumed, as DuckDB does
            }
            seconds += (Int64(u[j] - 48) * 10 + Int64(u[j + 1] - 48)) * unit
            i = j + 2
        }
        return (sign * seconds, i)
    }
}
