import KuaiCore

/// INTERVAL values written as text, read as DuckDB 2.0.1's CAST(VARCHAR AS INTERVAL) reads them
/// (`Interval::FromCString`), over UTF-8 bytes, into kuai's INTERVAL: microseconds.
///
/// The text: white space, an optional `@`, then one or more terms separated by white space, then
/// optionally `ago` (negates the whole value). A term is a number (an optional `-`, digits, an
/// optional `.` and digits: `1`, `-1.5`, `5.`; not `+7`, `.5`, `1e3`) followed by
///   - nothing (the last term only): seconds, so `'42'` is 42 seconds, not 42 microseconds;
///   - a unit, after optional white space: `microsecond(s)`/`us`, `millisecond(s)`/`ms`,
///     `second(s)`/`s`/`sec`, `minute(s)`/`m`/`min`, `hour(s)`/`h`/`hr`, `day(s)`/`d`,
///     `week(s)`/`w` (any case; DuckDB's date part names);
///   - `:` and a time `H:M[:S[.fraction]]` (`'01:02:03'`, `'-1:30'`, `'100:00:00'`).
/// A fraction of a unit is kept to the microsecond (`'1.5 hours'` is 01:30:00).
/// Months and longer units have no microsecond count (kuai's INTERVAL has no month field):
/// such text reads as not an interval here, and the cast raises an error for it (also TRY_CAST:
/// DuckDB would answer, so NULL would be a wrong answer; `namesCalendarUnit`).
enum IntervalText {
    /// CAST(text AS INTERVAL): microseconds, nil when not an interval kuai can hold.
    static func micros(_ u: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        skipSpaces(u, &i)
        if i < u.count && u[i] == UInt8(ascii: "@") {
            i += 1
            skipSpaces(u, &i)
        }
        var total: Int64 = 0
        var terms = 0
        while i < u.count {
            if terms > 0 && word(u, i, "ago") {
                i += 3
                skipSpaces(u, &i)
                guard i == u.count, total != .min else { return nil }
                return -total
            }
            guard let term = term(u, &i) else { return nil }
            let sum = total.addingReportingOverflow(term)
            guard !sum.overflow else { return nil }
            total = sum.partialValue
            terms += 1
            skipSpaces(u, &i)
        }
        return terms > 0 ? total : nil
    }

    @inline(__always) static func skipSpaces(_ u: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
        while i < u.count && TemporalText.isSpace(u[i]) { i += 1 }
    }

    /// Whether `u` holds the lower-case `w` (any case) at `i`, not followed by a letter.
    static func word(_ u: UnsafeBufferPointer<UInt8>, _ i: Int, _ w: StaticString) -> Bool {
        let n = w.utf8CodeUnitCount
        guard i + n <= u.count else { return false }
        for k in 0..<n where u[i + k] | 0x20 != w.utf8Start[k] { return false }
        return i + n == u.count || !isLetter(u[i + n])
    }

    @inline(__always) static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }

    /// One term at `i` (advanced past it) in microseconds.
    static func term(_ u: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Int64? {
        var negative = false
        if i < u.count && u[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard let whole = digits(u, &i, max: 18) else { return nil }
        if i < u.count && u[i] == UInt8(ascii: ":") {
            guard let t = time(u, &i, hours: whole) else { return nil }
            return negative ? -t : t
        }
        var fraction: Int64 = 0  // the fraction of a unit, in millionths
        if i < u.count && u[i] == UInt8(ascii: ".") {
            i += 1
            fraction = TemporalText.fractionDigits(u, &i)
        }
        skipSpaces(u, &i)
        var unit: Int64 = 1_000_000
        if i < u.count && isLetter(u[i]) {
            let start = i
            while i < u.count && isLetter(u[i]) { i += 1 }
            guard let perUnit = unitMicros(UnsafeBufferPointer(rebasing: u[start..<i])) else { return nil }
            unit = perUnit
        } else if i < u.count {
            return nil  // a bare number must be the last term
        }
        let a = whole.multipliedReportingOverflow(by: unit)
        guard !a.overflow else { return nil }
        let v = a.partialValue + Int64((Double(fraction) * Double(unit) / 1_000_000).rounded())
        return negative ? -v : v
    }

    /// Up to `max` decimal digits at `i` (at least one), as a number.
    static func digits(_ u: UnsafeBufferPointer<UInt8>, _ i: inout Int, max: Int) -> Int64? {
        var v: Int64 = 0
        var k = 0
        while i < u.count && TemporalText.isDigit(u[i]) {
            guard k < max else { return nil }
            v = v * 10 + Int64(u[i] - 48)
            k += 1
            i += 1
        }
        return k == 0 ? nil : v
    }

    /// `:M[:S[.fraction]]` after `hours` (at the `:`), in microseconds.
    static func time(_ u: UnsafeBufferPointer<UInt8>, _ i: inout Int, hours: Int64) -> Int64? {
        i += 1
        guard let minutes = digits(u, &i, max: 2) else { return nil }
        var seconds: Int64 = 0
        var fraction: Int64 = 0
        if i < u.count && u[i] == UInt8(ascii: ":") {
            i += 1
            guard let s = digits(u, &i, max: 2) else { return nil }
            seconds = s
            if i < u.count && u[i] == UInt8(ascii: ".") {
                i += 1
                fraction = TemporalText.fractionDigits(u, &i)
            }
        }
        let h = hours.multipliedReportingOverflow(by: 3_600_000_000)
        guard !h.overflow else { return nil }
        return h.partialValue + minutes * 60_000_000 + seconds * 1_000_000 + fraction
    }

    /// The unit words and their microseconds (DuckDB's date part names and abbreviations).
    static let units: [(word: [UInt8], micros: Int64)] = [
        (["microsecond", "microseconds", "us", "usec", "usecs"], 1),
        (["millisecond", "milliseconds", "ms", "msec", "msecs"], 1_000),
        (["second", "seconds", "s", "sec", "secs"], 1_000_000),
        (["minute", "minutes", "m", "min", "mins"], 60_000_000),
        (["hour", "hours", "h", "hr", "hrs"], 3_600_000_000),
        (["day", "days", "d"], 86_400_000_000),
        (["week", "weeks", "w"], 7 * 86_400_000_000),
    ].flatMap { names, micros in names.map { (Array($0.utf8), Int64(micros)) } }

    /// The words of units kuai's INTERVAL cannot hold (months and longer).
    static let calendarUnits: [[UInt8]] = [
        "year", "years", "y", "yr", "yrs", "month", "months", "mon", "mons", "quarter", "quarters", "decade",
        "decades", "century", "centuries", "millennium", "millennia",
    ].map { Array($0.utf8) }

    /// Whether the text names a month or longer unit (`'1 month'`, `'2 years 3 days'`): such text is
    /// an interval to DuckDB that kuai cannot hold, so the cast raises an error, never a NULL.
    /// Text without a digit (`'year'`) is no interval to DuckDB either.
    static func namesCalendarUnit(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        guard u.contains(where: TemporalText.isDigit) else { return false }
        var i = 0
        while i < u.count {
            guard isLetter(u[i]) else {
                i += 1
                continue
            }
            let start = i
            while i < u.count && isLetter(u[i]) { i += 1 }
            let w = UnsafeBufferPointer(rebasing: u[start..<i])
            if calendarUnits.contains(where: { isWord(w, $0) }) { return true }
        }
        return false
    }

    /// Microseconds of one unit named by a word (any case), nil for another word.
    static func unitMicros(_ w: UnsafeBufferPointer<UInt8>) -> Int64? {
        units.first { isWord(w, $0.word) }?.micros
    }

    /// True when `w` is `word` (lowercase ASCII) in any case.
    static func isWord(_ w: UnsafeBufferPointer<UInt8>, _ word: [UInt8]) -> Bool {
        w.count == word.count && w.indices.allSatisfy { w[$0] | 0x20 == word[$0] }
    }
}
