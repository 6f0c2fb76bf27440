import KuaiCore

/// The INTERVAL operations of DuckDB 2.0.1 on `IntervalValue`s (months and days Int32,
/// microseconds Int64), each with DuckDB's overflow error. Used by the kernels in
/// Functions/Scalar/IntervalFunctions.swift, one value at a time over typed buffers.
public enum IntervalMath {
    static let microsPerDay = IntervalValue.microsPerDay

    /// DuckDB's `AddOperator` / `SubtractOperator` on intervals: part by part, checked
    /// ("Overflow in addition of INT32 (2147483647 + 1)!").
    static func add(_ a: IntervalValue, _ b: IntervalValue, subtract: Bool) throws -> IntervalValue {
        func part<T: FixedWidthInteger>(_ x: T, _ y: T) throws -> T {
            let r = subtract ? x.subtractingReportingOverflow(y) : x.addingReportingOverflow(y)
            guard !r.overflow else {
                throw KuaiError(
                    .execution,
                    "Overflow in \(subtract ? "subtraction" : "addition") of INT\(T.bitWidth) (\(x) \(subtract ? "-" : "+") \(y))!"
                )
            }
            return r.partialValue
        }
        return IntervalValue(
            months: try part(a.months, b.months), days: try part(a.days, b.days), micros: try part(a.micros, b.micros))
    }

    /// Unary minus: every part negated ("Overflow in negation of numeric value!" for a minimum).
    static func negate(_ a: IntervalValue) throws -> IntervalValue {
        guard a.months != .min, a.days != .min, a.micros != .min else {
            throw KuaiError(.execution, "Overflow in negation of numeric value!")
        }
        return IntervalValue(months: -a.months, days: -a.days, micros: -a.micros)
    }

    /// INTERVAL * BIGINT as DuckDB's `MultiplyOperator`: the factor cast to INT32 for months and days
    /// (an error when it does not fit), each part multiplied and checked.
    static func multiply(_ a: IntervalValue, _ k: Int64) throws -> IntervalValue {
        guard let k32 = Int32(exactly: k) else {
            throw KuaiError(
                .execution,
                "Type INT64 with value \(k) can't be cast because the value is out of range for the destination type INT32"
            )
        }
        func part<T: FixedWidthInteger>(_ x: T, _ y: T) throws -> T {
            let r = x.multipliedReportingOverflow(by: y)
            guard !r.overflow else {
                throw KuaiError(.execution, "Overflow in multiplication of INT\(T.bitWidth) (\(x) * \(y))!")
            }
            return r.partialValue
        }
        return IntervalValue(
            months: try part(a.months, k32), days: try part(a.days, k32), micros: try part(a.micros, k))
    }

    /// INTERVAL * DOUBLE as DuckDB's (PostgreSQL's `interval_mul`): whole months and days of the
    /// products kept, their fractions cascaded down (a month as 30 days, a day as 86,400 seconds,
    /// rounded to the microsecond on the way), never up. Nil when a part does not fit.
    static func multiply(_ a: IntervalValue, _ f: Double) -> IntervalValue? {
        func round6(_ x: Double) -> Double { (x * 1_000_000).rounded(.toNearestOrEven) / 1_000_000 }
        let m = Double(a.months) * f
        let d = Double(a.days) * f
        guard !m.isNaN, !d.isNaN, m >= -2_147_483_648, m <= 2_147_483_647, d >= -2_147_483_648, d <= 2_147_483_647
        else { return nil }
        var r = IntervalValue(months: Int32(m), days: Int32(d))
        let monthRemainder = round6((m - Double(r.months)) * 30)
        let dayRemainder = Int32(monthRemainder)
        var secRemainder = round6((d - Double(r.days) + monthRemainder - Double(dayRemainder)) * 86_400)
        if abs(secRemainder) >= 86_400 {
            let whole = Int32(secRemainder / 86_400)
            r.days = r.days &+ whole
            secRemainder -= Double(whole) * 86_400
        }
        r.days = r.days &+ dayRemainder
        let us = (Double(a.micros) * f + secRemainder * 1_000_000).rounded(.toNearestOrEven)
        guard !us.isNaN, us >= -9_223_372_036_854_775_808.0, us < 9_223_372_036_854_775_808.0 else { return nil }
        r.micros = Int64(us)
        return r
    }

    /// TIMESTAMP + INTERVAL as DuckDB's `Interval::Add`: the months first (the day clamped to the
    /// last day of the new month: 2020-01-31 + 1 month is 2020-02-29), then the days, then the
    /// microseconds. With `subtract`, the interval is negated first (DuckDB's `Interval::Invert`).
    /// - Throws: "Date and time not in timestamp range" when the result is out of range.
    public static func addToTimestamp(_ t: Int64, _ v0: IntervalValue, subtract: Bool) throws -> Int64 {
        var v = v0
        if subtract {
            guard v.months != .min, v.days != .min, v.micros != .min else {
                throw KuaiError(.execution, "Interval value is out of range")
            }
            v = IntervalValue(months: -v.months, days: -v.days, micros: -v.micros)
        }
        let (day0, time0) = CivilDate.dayAndTime(ofMicros: t)
        var day = day0
        if v.months != 0 {
            let (y0, m0, d0) = CivilDate.civil(day0)
            var year = y0 + Int64(v.months / 12)
            var month = m0 + Int(v.months % 12)
            if month > 12 {
                year += 1
                month -= 12
            } else if month <= 0 {
                year -= 1
                month += 12
            }
            day = CivilDate.days(
                year: year, month: month, day: min(d0, CivilDate.daysInMonth(year: year, month: month)))
        }
        day += Int64(v.days) + v.micros / microsPerDay
        var time = time0 + v.micros % microsPerDay
        if time >= microsPerDay {
            time -= microsPerDay
            day += 1
        } else if time < 0 {
            time += microsPerDay
            day -= 1
        }
        let r = day.multipliedReportingOverflow(by: microsPerDay)
        let s = r.partialValue.addingReportingOverflow(time)
        guard !r.overflow, !s.overflow, s.partialValue != .max, s.partialValue != .min + 1 else {
            throw KuaiError(.execution, "Date and time not in timestamp range")
        }
        return s.partialValue
    }

    /// TIMESTAMP - TIMESTAMP as DuckDB's `Interval::GetDifference`: no months; whole days of the
    /// difference (toward zero) and the rest in microseconds (`365 days 01:00:00`).
    static func difference(_ a: Int64, _ b: Int64) throws -> IntervalValue {
        let d = a.subtractingReportingOverflow(b)
        guard !d.overflow else { throw KuaiError(.execution, "Timestamp difference is out of bounds") }
        return IntervalValue(days: Int32(d.partialValue / microsPerDay), micros: d.partialValue % microsPerDay)
    }

    /// age(a, b) as DuckDB's `Interval::GetAge`: the calendar difference of the two timestamps'
    /// fields, a negative field borrowed from the next larger one (a month lends the days of the
    /// earlier timestamp's month), the sign of a < b carried by every part.
    static func age(_ a: Int64, _ b: Int64) -> IntervalValue {
        let negative = a < b
        let (da, ta) = CivilDate.dayAndTime(ofMicros: a)
        let (db, tb) = CivilDate.dayAndTime(ofMicros: b)
        let (ya, ma, dda) = CivilDate.civil(da)
        let (yb, mb, ddb) = CivilDate.civil(db)
        let s: Int64 = negative ? -1 : 1
        var year = s * (ya - yb)
        var month = s * Int64(ma - mb)
        var day = s * Int64(dda - ddb)
        var micros = s * (ta - tb)  // hours, minutes, seconds and microseconds borrow as one field
        while micros < 0 {
            micros += microsPerDay
            day -= 1
        }
        while day < 0 {
            let (y, m) = negative ? (ya, ma) : (yb, mb)
            day += Int64(CivilDate.daysInMonth(year: y, month: m))
            month -= 1
        }
        while month < 0 {
            month += 12
            year -= 1
        }
        return IntervalValue(
            months: Int32(truncatingIfNeeded: s * (year * 12 + month)), days: Int32(truncatingIfNeeded: s * day),
            micros: s * micros)
    }

    /// date_part(part, INTERVAL) as DuckDB's: year = months / 12, month = months % 12, day = days,
    /// decade/century/millennium = months / 120, 1200, 12000, quarter = months % 12 / 3 + 1,
    /// hour = micros / 1 h, minute = micros % 1 h / 1 min, second = micros % 1 min / 1 s,
    /// millisecond and microsecond = micros % 1 min in those units (C division: toward zero).
    /// Nil for a part an interval has not (dow, week, ...).
    static func part(_ p: DatePartWord, _ v: IntervalValue) -> Int64? {
        let months = Int64(v.months)
        switch p {
        case .year: return months / 12
        case .month: return months % 12
        case .day: return Int64(v.days)
        case .decade: return months / 120
        case .century: return months / 1_200
        case .millennium: return months / 12_000
        case .quarter: return months % 12 / 3 + 1
        case .hour: return v.micros / IntervalValue.microsPerHour
        case .minute: return v.micros % IntervalValue.microsPerHour / 60_000_000
        case .second: return v.micros % 60_000_000 / 1_000_000
        case .millisecond: return v.micros % 60_000_000 / 1_000
        case .microsecond: return v.micros % 60_000_000
        default: return nil
        }
    }

    /// epoch(INTERVAL) as DuckDB's: seconds, a year as 365.25 days, the other months as 30 days.
    static func epoch(_ v: IntervalValue) -> Double {
        let years = Int64(v.months / 12)
        let days = Int64(v.days) + Int64(v.months % 12) * 30
        return Double(years) * 31_557_600 + Double(days) * 86_400 + Double(v.micros) / 1_000_000
    }

    /// date_trunc(part, INTERVAL) as DuckDB's: the parts below `p` set to 0 (a year keeps whole
    /// years of months, a quarter whole quarters; hour .. millisecond truncate the microseconds).
    /// Nil for a part DuckDB does not truncate an interval to.
    static func truncate(_ p: DatePartWord, _ v: IntervalValue) -> IntervalValue? {
        let m = v.months
        switch p {
        case .millennium: return IntervalValue(months: m / 12_000 * 12_000)
        case .century: return IntervalValue(months: m / 1_200 * 1_200)
        case .decade: return IntervalValue(months: m / 120 * 120)
        case .year: return IntervalValue(months: m / 12 * 12)
        case .quarter: return IntervalValue(months: m / 3 * 3)
        case .month: return IntervalValue(months: m)
        case .day: return IntervalValue(months: m, days: v.days)
        case .hour: return IntervalValue(months: m, days: v.days, micros: v.micros / 3_600_000_000 * 3_600_000_000)
        case .minute: return IntervalValue(months: m, days: v.days, micros: v.micros / 60_000_000 * 60_000_000)
        case .second: return IntervalValue(months: m, days: v.days, micros: v.micros / 1_000_000 * 1_000_000)
        case .millisecond: return IntervalValue(months: m, days: v.days, micros: v.micros / 1_000 * 1_000)
        case .microsecond: return v
        default: return nil
        }
    }
}
