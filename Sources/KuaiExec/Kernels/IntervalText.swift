import KuaiCore

/// INTERVAL values written as text, read as DuckDB 2.0.1's CAST(VARCHAR AS INTERVAL) reads them
/// (`Interval::FromCString`), over UTF-8 bytes, into an `IntervalValue` (months, days, microseconds).
///
/// The text: an optional `@` (first byte), then terms separated by white space (space, tab, newline),
/// then optionally `ago` (negates every part). A term is a number (an optional `-`, digits, an
/// optional `.` and digits: `1`, `-1.5`, `5.`; not `+7` or `.5`) followed by
///   - nothing (only as the first and only term): seconds, so `'42'` is 42 seconds;
///   - a unit word after optional white space (any case; DuckDB's date part names): years
///     (`year(s)`/`y`/`yr(s)`), decades, centuries, millennia and quarters add months; `month(s)`/`mon(s)`
///     months; `week(s)`/`w` 7 days; `day(s)`/`d` days; `hour(s)`/`h`/`hr(s)` ... `microsecond(s)`/`us`
///     microseconds. A fraction goes down one part: `1.5 years` is 18 months, `1.5 months` 1 month
///     15 days, `1.5 days` 1 day 12 hours (a fraction of a microsecond is dropped);
///   - `:` and a time `H:M[:S[.fraction]]` (`'01:02:03'`, `'-1:30'`, `'100:00:00'`): microseconds;
///     it ends the text (anything after it is ignored, as DuckDB does).
/// Months and days must fit Int32 and microseconds Int64, with DuckDB's errors.
enum IntervalText {
    /// The outcome of reading one text.
    enum Parsed {
        case value(IntervalValue)
        /// Not an interval: DuckDB's "Could not convert string ... to INTERVAL".
        case invalid
        /// Not an interval, with DuckDB's own message (`Failure.message`); TRY_CAST gives NULL for it too.
        case error(Failure)
    }

    /// Why a text is no interval, for DuckDB's message (with the bytes of the word it names).
    enum Failure {
        case unknownUnit([UInt8])
        case unitNotForInterval([UInt8])
        case notInt64([UInt8])
        case notInt32(Int64)
        case outOfRange
        case fractionOutOfRange
        case agoOutOfRange

        /// DuckDB's message.
        var message: String {
            func text(_ b: [UInt8]) -> String {
                String(unsafeUninitializedCapacity: b.count) {
                    _ = $0.initialize(from: b)
                    return b.count
                }
            }
            switch self {
            case .unknownUnit(let w): return "extract specifier \"\(text(w))\" not recognized"
            case .unitNotForInterval(let w): return "extract specifier \"\(text(w))\" not supported for interval"
            case .notInt64(let w): return "Could not convert string '\(text(w))' to INT64"
            case .notInt32(let v):
                return
                    "Type INT64 with value \(v) can't be cast because the value is out of range for the destination type INT32"
            case .outOfRange: return "interval value is out of range"
            case .fractionOutOfRange: return "interval fraction is out of range"
            case .agoOutOfRange: return "AGO interval value is out of range"
            }
        }
    }

    /// CAST(text AS INTERVAL).
    static func parse(_ u: UnsafeBufferPointer<UInt8>) -> Parsed {
        var r = IntervalValue()
        var i = 0
        if i < u.count && u[i] == UInt8(ascii: "@") { i += 1 }
        var found = false
        while true {
            skipSpaces(u, &i)
            if i == u.count { return found ? .value(r) : .invalid }
            let c = u[i]
            if c | 0x20 == UInt8(ascii: "a") { return ago(u, i, r, found) }
            guard isDigit(c) || c == UInt8(ascii: "-") else { return .invalid }
            let negative = c == UInt8(ascii: "-")
            if negative { i += 1 }
            let start = i
            while i < u.count && isDigit(u[i]) { i += 1 }
            if i < u.count && u[i] == UInt8(ascii: ":") {
                guard let t = time(u, start) else { return .invalid }
                return add(&r.micros, negative ? -t : t, 1) ?? .value(r)
            }
            guard i > start else { return .invalid }
            guard let whole = number(u, start, i) else { return .error(.notInt64(Array(u[start..<i]))) }
            var fraction = 0.0
            if i < u.count && u[i] == UInt8(ascii: ".") {
                i += 1
                fraction = fractionValue(u, &i)
            }
            skipSpaces(u, &i)
            let wordStart = i
            while i < u.count && isLetter(u[i]) { i += 1 }
            let word = wordStart..<i
            let n = negative ? -whole : whole
            let f = negative ? -fraction : fraction
            if word.isEmpty && !found {
                if let e = add(&r.micros, n, 1_000_000, f) { return e }
                skipSpaces(u, &i)
                return i == u.count ? .value(r) : .invalid
            }
            if let e = addTerm(&r, n, f, u, word) { return e }
            found = true
        }
    }

    /// `ago` at `i`: the parts negated when only white space follows.
    static func ago(_ u: UnsafeBufferPointer<UInt8>, _ i0: Int, _ r: IntervalValue, _ found: Bool) -> Parsed {
        var i = i0
        guard i + 3 <= u.count, u[i + 1] | 0x20 == UInt8(ascii: "g"), u[i + 2] | 0x20 == UInt8(ascii: "o") else {
            return .invalid
        }
        i += 3
        skipSpaces(u, &i)
        guard i == u.count, found else { return .invalid }
        guard r.months != .min, r.days != .min, r.micros != .min else {
            return .error(.agoOutOfRange)
        }
        return .value(IntervalValue(months: -r.months, days: -r.days, micros: -r.micros))
    }

    /// Adds `n` units named by `word` (with the fraction `f` of one unit) to `r`, as DuckDB's
    /// `FromCString` does per date part; nil when it fits, else the outcome to return.
    static func addTerm(
        _ r: inout IntervalValue, _ n: Int64, _ f: Double, _ u: UnsafeBufferPointer<UInt8>, _ word: Range<Int>
    ) -> Parsed? {
        guard let unit = DatePartWord.lookup(UnsafeBufferPointer(rebasing: u[word])) else {
            return .error(.unknownUnit(Array(u[word])))
        }
        switch unit {
        case .millennium: return add(&r.months, n, 12_000, f)
        case .century: return add(&r.months, n, 1_200, f)
        case .decade: return add(&r.months, n, 120, f)
        case .year: return add(&r.months, n, 12, f)
        case .quarter:
            let month = Int64(Int32(truncatingIfNeeded: Int64(f * 3)))
            return add(&r.months, n, 3) ?? add(&r.months, month, 1) ?? add(&r.days, 0, 30, f * 3 - Double(month))
        case .month:
            let day = Int64(Int32(truncatingIfNeeded: Int64(f * 30)))
            return add(&r.months, n, 1) ?? add(&r.days, day, 1)
                ?? add(&r.micros, 0, IntervalValue.microsPerDay, f * 30 - Double(day))
        case .week:
            let day = Int64(Int32(truncatingIfNeeded: Int64(f * 7)))
            return add(&r.days, n, 7) ?? add(&r.days, day, 1)
                ?? add(&r.micros, 0, IntervalValue.microsPerDay, f * 7 - Double(day))
        case .day: return add(&r.days, n, 1) ?? add(&r.micros, 0, IntervalValue.microsPerDay, f)
        case .hour: return add(&r.micros, n, IntervalValue.microsPerHour, f)
        case .minute: return add(&r.micros, n, 60_000_000, f)
        case .second: return add(&r.micros, n, 1_000_000, f)
        case .millisecond: return add(&r.micros, n, 1_000, f)
        case .microsecond: return add(&r.micros, n, 1)
        default: return .error(.unitNotForInterval(Array(u[word])))
        }
    }

    /// DuckDB's `IntervalTryAddition`: `target += n * multiplier + round(fraction * multiplier)`,
    /// checked; nil when it fits, else the error.
    static func add<T: FixedWidthInteger>(_ target: inout T, _ n: Int64, _ multiplier: Int64, _ fraction: Double = 0)
        -> Parsed?
    {
        let p = n.multipliedReportingOverflow(by: multiplier)
        guard !p.overflow else { return .error(.outOfRange) }
        guard let a = T(exactly: p.partialValue) else { return .error(.notInt32(p.partialValue)) }
        let s = target.addingReportingOverflow(a)
        guard !s.overflow else { return .error(.outOfRange) }
        target = s.partialValue
        guard abs(fraction) > 1e-10 else { return nil }
        let x = (fraction * Double(multiplier)).rounded()
        guard let b = T(exactly: Int64(x)) else { return .error(.notInt32(Int64(x))) }
        let t = target.addingReportingOverflow(b)
        guard !t.overflow else { return .error(.fractionOutOfRange) }
        target = t.partialValue
        return nil
    }

    /// The digits `u[start..<end]` as an Int64 (nil when too large).
    static func number(_ u: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        var v: Int64 = 0
        for k in start..<end {
            let m = v.multipliedReportingOverflow(by: 10)
            let a = m.partialValue.addingReportingOverflow(Int64(u[k] - 48))
            guard !m.overflow, !a.overflow else { return nil }
            v = a.partialValue
        }
        return v
    }

    /// The digits after a `.` at `i` (advanced past them) as a fraction in [0, 1).
    static func fractionValue(_ u: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Double {
        var digits: UInt64 = 0
        var scale = 1.0
        var k = 0
        while i < u.count && isDigit(u[i]) {
            if k < 18 {
                digits = digits * 10 + UInt64(u[i] - 48)
                scale *= 10
                k += 1
            }
            i += 1
        }
        return Double(digits) / scale
    }

    /// DuckDB's `Time::TryConvertInterval` from `start` (the first hour digit): `H:M[:S[.fraction]]`,
    /// minutes and seconds below 60, in microseconds; the rest of the text is ignored.
    static func time(_ u: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int64? {
        var i = start
        guard let hours = digits(u, &i, max: 9), i < u.count, u[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        guard let minutes = digits(u, &i, max: 2), minutes < 60 else { return nil }
        var seconds: Int64 = 0
        var fraction: Int64 = 0
        if i < u.count && u[i] == UInt8(ascii: ":") {
            i += 1
            guard let s = digits(u, &i, max: 2), s < 60 else { return nil }
            seconds = s
            if i < u.count && u[i] == UInt8(ascii: ".") {
                i += 1
                fraction = TemporalText.fractionDigits(u, &i)
            }
        }
        return hours * IntervalValue.microsPerHour + minutes * 60_000_000 + seconds * 1_000_000 + fraction
    }

    /// Up to `max` decimal digits at `i` (at least one), as a number.
    static func digits(_ u: UnsafeBufferPointer<UInt8>, _ i: inout Int, max: Int) -> Int64? {
        var v: Int64 = 0
        var k = 0
        while i < u.count && isDigit(u[i]) {
            guard k < max else { return nil }
            v = v * 10 + Int64(u[i] - 48)
            k += 1
            i += 1
        }
        return k == 0 ? nil : v
    }

    @inline(__always) static func skipSpaces(_ u: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
        while i < u.count && (u[i] == 32 || u[i] == 9 || u[i] == 10) { i += 1 }
    }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    @inline(__always) static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }
}

/// DuckDB's date part names (`TryGetDatePartSpecifier`), as INTERVAL text and date_part read them.
enum DatePartWord: Sendable {
    case millennium, century, decade, year, quarter, month, week, day, hour, minute, second, millisecond
    case microsecond, epoch, other

    /// The words of each part (lower case).
    static let words: [(word: [UInt8], part: DatePartWord)] = [
        (["year", "yr", "y", "years", "yrs"], DatePartWord.year),
        (["month", "mon", "months", "mons"], .month),
        (["day", "days", "d", "dayofmonth"], .day),
        (["decade", "dec", "decades", "decs"], .decade),
        (["century", "cent", "centuries", "c"], .century),
        (["millennium", "mil", "millenniums", "millennia", "mils", "millenium"], .millennium),
        (["microseconds", "microsecond", "us", "usec", "usecs", "usecond", "useconds"], .microsecond),
        (["milliseconds", "millisecond", "ms", "msec", "msecs", "msecond", "mseconds"], .millisecond),
        (["second", "sec", "seconds", "secs", "s"], .second),
        (["minute", "min", "minutes", "mins", "m"], .minute),
        (["hour", "hr", "hours", "hrs", "h"], .hour),
        (["week", "weeks", "w", "weekofyear"], .week),
        (["quarter", "quarters"], .quarter),
        (["epoch"], .epoch),
        (
            [
                "dow", "dayofweek", "weekday", "isodow", "doy", "dayofyear", "yearweek", "isoyear", "era", "timezone",
                "timezone_hour", "timezone_minute", "julian", "jd",
            ], .other
        ),
    ].flatMap { names, part in names.map { (Array($0.utf8), part) } }

    /// The part a word names (any case), nil for an unknown word.
    static func lookup(_ w: UnsafeBufferPointer<UInt8>) -> DatePartWord? {
        words.first { e in w.count == e.word.count && w.indices.allSatisfy { w[$0] | 0x20 == e.word[$0] } }?.part
    }
}
