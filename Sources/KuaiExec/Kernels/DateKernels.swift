import KuaiCore

/// A date or time field of date_part / EXTRACT, date_trunc and date_diff, resolved once per call
/// from its name: DuckDB 2.0.1's specifiers and their aliases (`GetDatePartSpecifier`), any case.
enum DatePart: Sendable {
    case year, month, day, hour, minute, second, millisecond, microsecond, week, quarter, decade, century
    case millennium, dayOfWeek, isoDayOfWeek, dayOfYear, isoYear, epoch, yearWeek

    /// nil for a name DuckDB does not know (or one kuai does not compute: julian, era, timezone).
    init?(_ name: String) {
        switch name.lowercased() {
        case "year", "years", "y", "yr", "yrs": self = .year
        case "month", "months", "mon", "mons": self = .month
        case "day", "days", "d", "dayofmonth": self = .day
        case "hour", "hours", "h", "hr", "hrs": self = .hour
        case "minute", "minutes", "m", "min", "mins": self = .minute
        case "second", "seconds", "s", "sec", "secs": self = .second
        case "millisecond", "milliseconds", "ms", "msec", "msecs", "msecond", "mseconds": self = .millisecond
        case "microsecond", "microseconds", "us", "usec", "usecs", "usecond", "useconds": self = .microsecond
        case "week", "weeks", "w", "weekofyear": self = .week
        case "quarter", "quarters": self = .quarter
        case "decade", "decades", "dec", "decs": self = .decade
        case "century", "centuries", "c", "cent": self = .century
        case "millennium", "millennia", "mil", "mils", "millenniums", "millenium": self = .millennium
        case "dow", "dayofweek", "weekday": self = .dayOfWeek
        case "isodow": self = .isoDayOfWeek
        case "doy", "dayofyear": self = .dayOfYear
        case "isoyear": self = .isoYear
        case "epoch": self = .epoch
        case "yearweek": self = .yearWeek
        default: return nil
        }
    }
}

/// The loops of date_part, the named part functions (year, month, ...), date_trunc and date_diff
/// over DATE (days since 1970-01-01) and TIMESTAMP (microseconds since 1970-01-01 00:00:00)
/// buffers, as DuckDB 2.0.1 computes them. The part is chosen once per batch (one specialised loop
/// per part); a row costs at most one calendar conversion (`CivilDate.civil`), no allocation and
/// no boxed value. Arithmetic that a NULL row's arbitrary bits could overflow wraps; valid DATEs
/// (±105.3 M days, `FunctionRegistry.temporalOperators`) and TIMESTAMPs cannot overflow it.
enum DateKernels {
    static let perDay: Int64 = 86_400_000_000

    /// `f(days, microseconds of the day)` of every row of a DATE (`timestamp` false: the time is 0)
    /// or TIMESTAMP operand, as a `type` column (a constant for a constant). A TIMESTAMP column
    /// is first rebased on the midnight before its smallest valid value (`midnightBase`), so
    /// that a row's day and time are one unsigned division by a constant rather than a floored
    /// signed one.
    @inline(__always)
    static func fields(
        _ x: Operand, _ n: Int, timestamp: Bool, type: DataType = .bigint,
        _ f: (_ days: Int64, _ time: UInt64) -> Int64
    ) -> Operand {
        guard timestamp else { return mapDays(x, n, type) { f($0, 0) } }
        if case .column(let c) = x, let (day0, base, _) = midnightBase(c, n) {
            let vals = c.ints.withUnsafeBufferPointer { src in
                [Int64](unsafeUninitializedCapacity: n) { out, filled in
                    for i in 0..<n {
                        let off = UInt64(bitPattern: src[i] &- base)
                        let k = off / UInt64(perDay)
                        out[i] = f(day0 &+ Int64(bitPattern: k), off &- k &* UInt64(perDay))
                    }
                    filled = n
                }
            }
            return .column(Column(type: type, ints: vals, validity: c.validity))
        }
        return FunctionRegistry.mapInt(x, n, type) { v in
            let d = FunctionRegistry.floorDiv(v, perDay)
            return f(d, UInt64(bitPattern: v &- d &* perDay))
        }
    }

    /// `fields` of an `f` of the day alone (year, month, week, date_trunc to days or longer):
    /// over a column whose days span fewer than half its rows (a batch's usually do), `f` runs
    /// once per day of the span and each row looks its day up (`mapDays` for DATE); else each
    /// row's day is floored on its own.
    @inline(__always)
    static func dayFields(
        _ x: Operand, _ n: Int, timestamp: Bool, type: DataType = .bigint, _ f: (_ days: Int64) -> Int64
    ) -> Operand {
        guard timestamp else { return mapDays(x, n, type, f) }
        if case .column(let c) = x, let (day0, base, days) = midnightBase(c, n), days <= n / 2 {
            let table = (0..<days).map { f(day0 &+ Int64($0)) }
            let last = UInt64(days - 1)
            let vals = c.ints.withUnsafeBufferPointer { src in
                table.withUnsafeBufferPointer { t in
                    [Int64](unsafeUninitializedCapacity: n) { out, filled in
                        for i in 0..<n {
                            // a NULL row's bits may fall outside the span: clamped to its last day
                            let k = UInt64(bitPattern: src[i] &- base) / UInt64(perDay)
                            out[i] = t[Int(truncatingIfNeeded: min(k, last))]
                        }
                        filled = n
                    }
                }
            }
            return .column(Column(type: type, ints: vals, validity: c.validity))
        }
        return FunctionRegistry.mapInt(x, n, type) { v in f(FunctionRegistry.floorDiv(v, perDay)) }
    }

    /// For a TIMESTAMP column of at least 256 rows with a valid value: the day of the midnight at
    /// or before its smallest valid value, that midnight in microseconds, and the days from it
    /// through the largest valid value. nil when there is no valid row or the span does not fit
    /// (then the row loops floor each value on its own).
    static func midnightBase(_ c: Column, _ n: Int) -> (day: Int64, base: Int64, days: Int)? {
        guard n >= 256, let (lo, hi) = valueRange(c, count: n) else { return nil }
        let day0 = FunctionRegistry.floorDiv(lo, perDay)
        let base = day0.multipliedReportingOverflow(by: perDay)
        guard !base.overflow else { return nil }
        let span = hi.subtractingReportingOverflow(base.partialValue)
        guard !span.overflow, span.partialValue / perDay < Int64(Int32.max) else { return nil }
        return (day0, base.partialValue, Int(span.partialValue / perDay) + 1)
    }

    /// `FunctionRegistry.mapInt` of `f` over a DATE operand (days): when a column of at least 4096
    /// rows spans fewer days than half its rows (a batch's dates usually do), `f` is evaluated once
    /// per day of the span and each row looks its day up, so that the civil calendar of year, month,
    /// quarter or ISO week runs per distinct day, not per row. NULL rows are looked up as any other
    /// (their result is masked by the validity kept).
    static func mapDays(_ x: Operand, _ n: Int, _ type: DataType, _ f: (Int64) -> Int64) -> Operand {
        guard case .column(let c) = x, n >= 4096 else { return FunctionRegistry.mapInt(x, n, type, f) }
        let (lo, hi) = c.ints.withUnsafeBufferPointer { s in
            var (lo, hi) = (Int64.max, Int64.min)
            for i in 0..<n {
                lo = min(lo, s[i])
                hi = max(hi, s[i])
            }
            return (lo, hi)
        }
        let span = hi.subtractingReportingOverflow(lo)
        guard !span.overflow, span.partialValue < Int64(n / 2) else { return FunctionRegistry.mapInt(x, n, type, f) }
        let days = Int(span.partialValue) + 1
        let table = [Int64](unsafeUninitializedCapacity: days) { t, filled in
            for j in 0..<days { t[j] = f(lo &+ Int64(j)) }
            filled = days
        }
        let vals = c.ints.withUnsafeBufferPointer { src in
            table.withUnsafeBufferPointer { t in
                [Int64](unsafeUninitializedCapacity: n) { out, filled in
                    for i in 0..<n { out[i] = t[Int(truncatingIfNeeded: src[i] &- lo)] }
                    filled = n
                }
            }
        }
        return .column(Column(type: type, ints: vals, validity: c.validity))
    }

    /// Day of the year, 1-366.
    @inline(__always)
    static func dayOfYear(_ d: Int64) -> Int64 {
        d &- CivilDate.days(year: CivilDate.civil(d).year, month: 1, day: 1) &+ 1
    }

    /// DuckDB's century / millennium of a year (`per` 100 or 1000): year 1 is in the first, year 0
    /// (1 BC) in the -1st.
    @inline(__always)
    static func era(_ y: Int64, _ per: Int64) -> Int64 { y > 0 ? (y &- 1) / per &+ 1 : y / per &- 1 }

    /// ISO week-year * 100 + week (DuckDB's yearweek; the week is subtracted for ISO years before 1, year 0
    /// included: the 52nd week of ISO year 0 is -52).
    @inline(__always)
    static func yearWeek(_ d: Int64) -> Int64 {
        let w = FunctionRegistry.isoWeek(d)
        return w.year &* 100 &+ (w.year <= 0 ? -w.week : w.week)
    }

    /// The first day (a Monday) of ISO week-year `y`: the Monday of the week holding January 4.
    @inline(__always)
    static func isoYearStart(_ y: Int64) -> Int64 {
        let jan4 = CivilDate.days(year: y, month: 1, day: 4)
        return jan4 &- FunctionRegistry.floorMod(jan4 &+ 3, 7)
    }

    /// date_part(part, x) and the named part functions, as BIGINT (DuckDB's integer parts).
    static func extract(_ part: DatePart, _ x: Operand, _ n: Int, timestamp: Bool) -> Operand {
        let ts = timestamp
        switch part {
        case .year: return dayFields(x, n, timestamp: ts) { d in CivilDate.civil(d).year }
        case .month: return dayFields(x, n, timestamp: ts) { d in Int64(CivilDate.civil(d).month) }
        case .day: return dayFields(x, n, timestamp: ts) { d in Int64(CivilDate.civil(d).day) }
        case .hour: return fields(x, n, timestamp: ts) { _, t in Int64(t / 3_600_000_000) }
        case .minute: return fields(x, n, timestamp: ts) { _, t in Int64(t / 60_000_000 % 60) }
        case .second: return fields(x, n, timestamp: ts) { _, t in Int64(t / 1_000_000 % 60) }
        case .millisecond: return fields(x, n, timestamp: ts) { _, t in Int64(t / 1_000 % 60_000) }
        case .microsecond: return fields(x, n, timestamp: ts) { _, t in Int64(t % 60_000_000) }
        case .dayOfWeek: return dayFields(x, n, timestamp: ts) { d in FunctionRegistry.floorMod(d &+ 4, 7) }
        case .isoDayOfWeek: return dayFields(x, n, timestamp: ts) { d in FunctionRegistry.floorMod(d &+ 3, 7) &+ 1 }
        case .dayOfYear: return dayFields(x, n, timestamp: ts) { d in dayOfYear(d) }
        case .week: return dayFields(x, n, timestamp: ts) { d in FunctionRegistry.isoWeek(d).week }
        case .isoYear: return dayFields(x, n, timestamp: ts) { d in FunctionRegistry.isoWeek(d).year }
        case .yearWeek: return dayFields(x, n, timestamp: ts) { d in yearWeek(d) }
        case .quarter: return dayFields(x, n, timestamp: ts) { d in Int64((CivilDate.civil(d).month - 1) / 3 + 1) }
        case .decade: return dayFields(x, n, timestamp: ts) { d in CivilDate.civil(d).year / 10 }
        case .century: return dayFields(x, n, timestamp: ts) { d in era(CivilDate.civil(d).year, 100) }
        case .millennium: return dayFields(x, n, timestamp: ts) { d in era(CivilDate.civil(d).year, 1000) }
        case .epoch: return fields(x, n, timestamp: ts) { d, t in d &* 86_400 &+ Int64(t / 1_000_000) }
        }
    }

    /// date_trunc(part, x): the start of the part holding each value, as a TIMESTAMP (a DATE is
    /// truncated as its midnight). Weeks start on Monday; decades, centuries and millennia at years
    /// that are multiples of 10, 100 and 1000 (DuckDB truncates the year toward zero).
    static func truncate(_ part: DatePart, _ x: Operand, _ n: Int, timestamp: Bool) -> Operand {
        let ts = timestamp
        let t: DataType = .timestamp
        @inline(__always) func yearStart(_ y: Int64) -> Int64 { CivilDate.days(year: y, month: 1, day: 1) &* perDay }
        switch part {
        case .microsecond: return fields(x, n, timestamp: ts, type: t) { d, t in d &* perDay &+ Int64(t) }
        case .millisecond: return fields(x, n, timestamp: ts, type: t) { d, t in d &* perDay &+ Int64(t / 1000 * 1000) }
        case .second, .epoch:
            return fields(x, n, timestamp: ts, type: t) { d, t in d &* perDay &+ Int64(t / 1_000_000 * 1_000_000) }
        case .minute:
            return fields(x, n, timestamp: ts, type: t) { d, t in d &* perDay &+ Int64(t / 60_000_000 * 60_000_000) }
        case .hour:
            return fields(x, n, timestamp: ts, type: t) { d, t in
                d &* perDay &+ Int64(t / 3_600_000_000 * 3_600_000_000)
            }
        case .day, .dayOfWeek, .isoDayOfWeek, .dayOfYear:
            return dayFields(x, n, timestamp: ts, type: t) { d in d &* perDay }
        case .week, .yearWeek:
            return dayFields(x, n, timestamp: ts, type: t) { d in (d &- FunctionRegistry.floorMod(d &+ 3, 7)) &* perDay
            }
        case .month:
            return dayFields(x, n, timestamp: ts, type: t) { d in (d &- Int64(CivilDate.civil(d).day) &+ 1) &* perDay }
        case .quarter:
            return dayFields(x, n, timestamp: ts, type: t) { d in
                let c = CivilDate.civil(d)
                return CivilDate.days(year: c.year, month: (c.month - 1) / 3 * 3 + 1, day: 1) &* perDay
            }
        case .year: return dayFields(x, n, timestamp: ts, type: t) { d in yearStart(CivilDate.civil(d).year) }
        case .decade:
            return dayFields(x, n, timestamp: ts, type: t) { d in yearStart(CivilDate.civil(d).year / 10 &* 10) }
        case .century:
            return dayFields(x, n, timestamp: ts, type: t) { d in yearStart(CivilDate.civil(d).year / 100 &* 100) }
        case .millennium:
            return dayFields(x, n, timestamp: ts, type: t) { d in yearStart(CivilDate.civil(d).year / 1000 &* 1000) }
        case .isoYear:
            return dayFields(x, n, timestamp: ts, type: t) { d in
                isoYearStart(FunctionRegistry.isoWeek(d).year) &* perDay
            }
        }
    }

    /// The value whose difference is date_diff's count of `part` boundaries (DuckDB 2.0.1: the
    /// difference of the truncated values), for each row of a DATE or TIMESTAMP operand.
    static func diffKey(_ part: DatePart, _ x: Operand, _ n: Int, timestamp: Bool) -> Operand {
        let ts = timestamp
        // Units below a day: the count of whole units since 1970, floored (a DATE is its midnight).
        @inline(__always) func units(_ u: Int64) -> Operand {
            fields(x, n, timestamp: ts) { d, t in d &* (perDay / u) &+ Int64(t / UInt64(u)) }
        }
        switch part {
        case .year: return dayFields(x, n, timestamp: ts) { d in CivilDate.civil(d).year }
        case .quarter:
            return dayFields(x, n, timestamp: ts) { d in
                let c = CivilDate.civil(d)
                return c.year &* 4 &+ Int64((c.month - 1) / 3)
            }
        case .month:
            return dayFields(x, n, timestamp: ts) { d in
                let c = CivilDate.civil(d)
                return c.year &* 12 &+ Int64(c.month)
            }
        case .decade: return dayFields(x, n, timestamp: ts) { d in CivilDate.civil(d).year / 10 }
        case .century: return dayFields(x, n, timestamp: ts) { d in CivilDate.civil(d).year / 100 }
        case .millennium: return dayFields(x, n, timestamp: ts) { d in CivilDate.civil(d).year / 1000 }
        case .isoYear: return dayFields(x, n, timestamp: ts) { d in FunctionRegistry.isoWeek(d).year }
        case .week, .yearWeek, .day, .dayOfWeek, .isoDayOfWeek, .dayOfYear:
            return dayFields(x, n, timestamp: ts) { d in d }
        case .hour: return units(3_600_000_000)
        case .minute: return units(60_000_000)
        case .second, .epoch: return units(1_000_000)
        case .millisecond: return units(1_000)
        case .microsecond: return units(1)
        }
    }

    /// date_diff(part, start, end) over DATE (`timestamp` false) or TIMESTAMP operands, as BIGINT.
    /// Weeks are whole 7-day spans between the days (DuckDB's `DateDiff::WeekOperator`).
    /// - Throws: `KuaiError.execution` when a microsecond difference leaves BIGINT.
    static func diff(
        _ part: DatePart, _ a: Operand, _ b: Operand, _ n: Int, timestamp: Bool, _ e: ScalarExpr
    ) throws -> Operand {
        let ka = diffKey(part, a, n, timestamp: timestamp)
        let kb = diffKey(part, b, n, timestamp: timestamp)
        switch part {
        case .week, .yearWeek:
            return try FunctionRegistry.checkedInt(ka, kb, n, .bigint, e) { x, y in ((y &- x) / 7, false) }
        default:
            return try FunctionRegistry.checkedInt(ka, kb, n, .bigint, e) { x, y in y.subtractingReportingOverflow(x) }
        }
    }

    /// date_sub(part, start, end) over DATE (`timestamp` false, a day at its midnight) or TIMESTAMP
    /// operands, as BIGINT: the number of whole `part`s from start to end, as DuckDB 2.0.1's
    /// `DateSub` (unlike date_diff, which counts boundaries crossed). Month-based parts (month,
    /// quarter, year, isoyear, decade, century, millennium) count whole months (`wholeMonths`) and
    /// divide; the others divide the microseconds between (day, dow, isodow, doy: days; week,
    /// yearweek: 7 days), truncated toward zero.
    /// - Throws: `KuaiError.execution` when the microseconds between leave BIGINT.
    static func sub(
        _ part: DatePart, _ a: Operand, _ b: Operand, _ n: Int, timestamp: Bool, _ e: ScalarExpr
    ) throws -> Operand {
        let ka = fields(a, n, timestamp: timestamp) { d, t in d &* perDay &+ Int64(t) }
        let kb = fields(b, n, timestamp: timestamp) { d, t in d &* perDay &+ Int64(t) }
        let months: Int64
        var unit: Int64 = 1
        switch part {
        case .month: months = 1
        case .quarter: months = 3
        case .year, .isoYear: months = 12
        case .decade: months = 120
        case .century: months = 1_200
        case .millennium: months = 12_000
        default:
            months = 0
            switch part {
            case .week, .yearWeek: unit = 7 * perDay
            case .hour: unit = 3_600_000_000
            case .minute: unit = 60_000_000
            case .second, .epoch: unit = 1_000_000
            case .millisecond: unit = 1_000
            case .microsecond: unit = 1
            default: unit = perDay  // day, dow, isodow, doy
            }
        }
        if months > 0 {
            return try FunctionRegistry.checkedInt(ka, kb, n, .bigint, e) { s, t in (wholeMonths(s, t) / months, false)
            }
        }
        return try FunctionRegistry.checkedInt(ka, kb, n, .bigint, e) { s, t in
            let d = t.subtractingReportingOverflow(s)
            return (d.partialValue / unit, d.overflow)
        }
    }

    /// The whole months from `start` to `end` (microseconds since 1970; negative when end is
    /// earlier), as DuckDB's `DateSub::MonthOperator`: the calendar months between, one fewer when
    /// end's day and time of the month are before start's; when end is the last day of its month,
    /// a start on a later day of its month counts as that last day (Jan 31 to Feb 29 is a month).
    static func wholeMonths(_ start: Int64, _ end: Int64) -> Int64 {
        if start > end { return -wholeMonths(end, start) }
        let endDay = FunctionRegistry.floorDiv(end, perDay)
        let endTime = end &- endDay &* perDay
        let startDay = FunctionRegistry.floorDiv(start, perDay)
        let startTime = start &- startDay &* perDay
        let e = CivilDate.civil(endDay)
        let s = CivilDate.civil(startDay)
        var startDate = s.day
        let endMonthDays = CivilDate.daysInMonth(year: e.year, month: e.month)
        if e.day == endMonthDays && startDate > endMonthDays { startDate = endMonthDays }
        let borrow: Int64 = e.day < startDate || (e.day == startDate && endTime < startTime) ? 1 : 0
        return (e.year &- s.year) &* 12 &+ Int64(e.month &- s.month) &- borrow
    }

    /// make_date(year, month, day) over BIGINT operands, as DATE days.
    /// - Throws: `KuaiError.execution` for a month or day outside the calendar, or a year beyond
    ///   ±290,000 (DuckDB's "Date out of range").
    static func makeDate(_ a: [Operand], _ n: Int, _ e: ScalarExpr) throws -> Operand {
        let y = IntRows(a[0])
        let m = IntRows(a[1])
        let d = IntRows(a[2])
        guard let shape = KernelShape(count: n, [y, m, d]) else { return .scalar(.null) }
        let rows = shape.rows
        let valid = shape.validity
        var bad: (Int64, Int64, Int64)? = nil
        let out = y.values.withUnsafeBufferPointer { yv in
            m.values.withUnsafeBufferPointer { mv in
                d.values.withUnsafeBufferPointer { dv in
                    [Int64](unsafeUninitializedCapacity: rows) { out, filled in
                        for i in 0..<rows {
                            let yy = yv[i &* y.step]
                            let mm = mv[i &* m.step]
                            let dd = dv[i &* d.step]
                            out[i] = 0
                            if let valid, valid[i] == 0 { continue }
                            guard yy >= -290_000, yy <= 290_000, mm >= 1, mm <= 12, dd >= 1,
                                dd <= Int64(CivilDate.daysInMonth(year: yy, month: Int(mm)))
                            else {
                                if bad == nil { bad = (yy, mm, dd) }
                                continue
                            }
                            out[i] = CivilDate.days(year: yy, month: Int(mm), day: Int(dd))
                        }
                        filled = rows
                    }
                }
            }
        }
        if let (yy, mm, dd) = bad {
            throw KuaiError(.execution, "Date out of range: \(yy)-\(mm)-\(dd) in \(e.name)")
        }
        return shape.result(Column(type: .date, ints: out, validity: valid))
    }
}
