import KuaiCore

// year, month, ..., date_part, hour, date_trunc and date_diff over DATE (days) and TIMESTAMP (microseconds).

extension FunctionRegistry {
    static let datePartFunctions: [ScalarFunction] = {
        var rows: [ScalarFunction] = []
        let parts: [(String, String)] = [
            ("year", "year"), ("month", "month"), ("day", "day"), ("dayofmonth", "day"),
            ("minute", "minute"), ("second", "second"), ("millisecond", "millisecond"),
            ("microsecond", "microsecond"), ("dayofweek", "dow"), ("isodow", "isodow"),
            ("dayofyear", "doy"), ("week", "week"), ("weekofyear", "week"), ("quarter", "quarter"),
            ("isoyear", "isoyear"), ("weekday", "dow"), ("decade", "decade"),
            ("century", "century"), ("millennium", "millennium"),
        ]
        for (name, part) in parts { rows += partFunction(name, part) }
        rows += [
            ScalarFunction("date_part", [.varchar, .timestamp], .bigint) { a, _, n, e in
                let part = try constantString(a[0], "the date part", e).lowercased()
                guard datePart(part, 0, isTimestamp: true) != nil else {
                    throw KuaiError(.execution, "unknown date part \"\(part)\" in \(e.name)")
                }
                return mapInt(a[1], n, .bigint) { datePart(part, $0, isTimestamp: true)! }
            },
            ScalarFunction("date_part", [.varchar, .date], .bigint) { a, _, n, e in
                let part = try constantString(a[0], "the date part", e).lowercased()
                guard datePart(part, 0, isTimestamp: false) != nil else {
                    throw KuaiError(.execution, "unknown date part \"\(part)\" in \(e.name)")
                }
                return mapInt(a[1], n, .bigint) { datePart(part, $0, isTimestamp: false)! }
            },
            ScalarFunction("date_trunc", [.varchar, .timestamp], .timestamp) { a, _, n, e in
                try dateTrunc(a, n, e, isTimestamp: true)
            },
            ScalarFunction("date_trunc", [.varchar, .date], .timestamp) { a, _, n, e in
                try dateTrunc(a, n, e, isTimestamp: false)
            },
            ScalarFunction("datetrunc", [.varchar, .timestamp], .timestamp) { a, _, n, e in
                try dateTrunc(a, n, e, isTimestamp: true)
            },
            ScalarFunction("date_diff", [.varchar, .timestamp, .timestamp], .bigint) { a, t, n, e in
                try dateDiffKernel(a, t, n, e, days: false)
            },
            ScalarFunction("date_diff", [.varchar, .date, .date], .bigint) { a, t, n, e in
                try dateDiffKernel(a, t, n, e, days: true)
            },
            ScalarFunction("datediff", [.varchar, .timestamp, .timestamp], .bigint) { a, t, n, e in
                try dateDiffKernel(a, t, n, e, days: false)
            },
            ScalarFunction("datediff", [.varchar, .date, .date], .bigint) { a, t, n, e in
                try dateDiffKernel(a, t, n, e, days: true)
            },
            ScalarFunction("hour", [.timestamp], .bigint) { a, _, n, _ in
                mapInt(a[0], n, .bigint) { floorMod($0, 86_400_000_000) / 3_600_000_000 }
            },
            ScalarFunction("hour", [.date], .bigint) { a, _, n, _ in mapInt(a[0], n, .bigint) { _ in 0 } },
        ]
        return rows
    }()

    static let microsPerDay: Int64 = 86_400_000_000

    @inline(__always)
    static func dayOf(_ micros: Int64) -> Int64 { floorDiv(micros, microsPerDay) }

    /// A date part of DATE (`isTimestamp` false) or TIMESTAMP values, as BIGINT.
    static func datePart(_ part: String, _ v: Int64, isTimestamp: Bool) -> Int64? {
        let days = isTimestamp ? dayOf(v) : v
        let micros = isTimestamp ? floorMod(v, microsPerDay) : 0
        switch part {
        case "year", "years", "y", "yr", "yrs": return CivilDate.civil(days).year
        case "month", "months", "mon", "mons": return Int64(CivilDate.civil(days).month)
        case "day", "days", "d", "dayofmonth": return Int64(CivilDate.civil(days).day)
        case "hour", "hours", "h", "hr", "hrs": return micros / 3_600_000_000
        case "minute", "minutes", "m", "min", "mins": return (micros / 60_000_000) % 60
        case "second", "seconds", "s", "sec", "secs": return (micros / 1_000_000) % 60
        case "millisecond", "milliseconds", "ms": return (micros / 1_000) % 60_000
        case "microsecond", "microseconds", "us": return micros % 60_000_000
        case "dow", "dayofweek", "weekday": return floorMod(days + 4, 7)  // 1970-01-01 was a Thursday
        case "isodow":
            let w = floorMod(days + 3, 7)
            return w + 1
        case "doy", "dayofyear":
            let c = CivilDate.civil(days)
            return days - CivilDate.days(year: c.year, month: 1, day: 1) + 1
        case "quarter": return (Int64(CivilDate.civil(days).month) - 1) / 3 + 1
        case "week", "weeks", "w", "weekofyear": return isoWeek(days).week
        case "isoyear": return isoWeek(days).year
        case "epoch": return isTimestamp ? floorDiv(v, 1_000_000) : days * 86_400
        case "decade": return floorDiv(CivilDate.civil(days).year, 10)
        case "century":
            let y = CivilDate.civil(days).year
            return y > 0 ? (y - 1) / 100 + 1 : -((-y) / 100 + 1)
        case "millennium":
            let y = CivilDate.civil(days).year
            return y > 0 ? (y - 1) / 1000 + 1 : -((-y) / 1000 + 1)
        default: return nil
        }
    }

    /// ISO 8601 week number and week-based year of a day.
    static func isoWeek(_ days: Int64) -> (year: Int64, week: Int64) {
        let isodow = floorMod(days + 3, 7) + 1  // 1 = Monday
        let thursday = days - isodow + 4  // the Thursday of this ISO week
        let y = CivilDate.civil(thursday).year
        let jan1 = CivilDate.days(year: y, month: 1, day: 1)
        return (y, (thursday - jan1) / 7 + 1)
    }

    static func partFunction(_ name: String, _ part: String) -> [ScalarFunction] {
        [
            ScalarFunction(name, [.timestamp], .bigint) { a, _, n, _ in
                mapInt(a[0], n, .bigint) { datePart(part, $0, isTimestamp: true) ?? 0 }
            },
            ScalarFunction(name, [.date], .bigint) { a, _, n, _ in
                mapInt(a[0], n, .bigint) { datePart(part, $0, isTimestamp: false) ?? 0 }
            },
        ]
    }

    /// date_trunc(part, micros) as DuckDB: truncates to the start of the part (week = Monday).
    static func truncate(_ part: String, _ micros: Int64) -> Int64? {
        let days = dayOf(micros)
        let c = CivilDate.civil(days)
        switch part {
        case "microsecond", "microseconds", "us": return micros
        case "millisecond", "milliseconds", "ms": return floorDiv(micros, 1_000) * 1_000
        case "second", "seconds", "s", "sec": return floorDiv(micros, 1_000_000) * 1_000_000
        case "minute", "minutes", "m", "min": return floorDiv(micros, 60_000_000) * 60_000_000
        case "hour", "hours", "h", "hr": return floorDiv(micros, 3_600_000_000) * 3_600_000_000
        case "day", "days", "d", "dayofmonth": return days * microsPerDay
        case "week", "weeks", "w": return (days - floorMod(days + 3, 7)) * microsPerDay
        case "month", "months", "mon": return CivilDate.days(year: c.year, month: c.month, day: 1) * microsPerDay
        case "quarter":
            return CivilDate.days(year: c.year, month: (c.month - 1) / 3 * 3 + 1, day: 1) * microsPerDay
        case "year", "years", "y", "yr": return CivilDate.days(year: c.year, month: 1, day: 1) * microsPerDay
        case "decade": return CivilDate.days(year: floorDiv(c.year, 10) * 10, month: 1, day: 1) * microsPerDay
        default: return nil
        }
    }

    static func dateTrunc(_ a: [Operand], _ n: Int, _ e: ScalarExpr, isTimestamp: Bool) throws -> Operand {
        let part = try constantString(a[0], "the date part", e).lowercased()
        guard truncate(part, 0) != nil else {
            throw KuaiError(.execution, "unknown date part \"\(part)\" in \(e.name)")
        }
        return mapInt(a[1], n, .timestamp) { v in truncate(part, isTimestamp ? v : v * microsPerDay)! }
    }

    /// date_diff(part, start, end): the number of part boundaries between two values
    /// (days, months, years by calendar fields; hours and smaller by truncated microseconds).
    static func dateDiff(_ part: String, _ a: Int64, _ b: Int64) -> Int64? {
        let da = dayOf(a)
        let db = dayOf(b)
        let ca = CivilDate.civil(da)
        let cb = CivilDate.civil(db)
        switch part {
        case "year", "years", "y", "yr": return cb.year - ca.year
        case "quarter": return (cb.year * 4 + Int64((cb.month - 1) / 3)) - (ca.year * 4 + Int64((ca.month - 1) / 3))
        case "month", "months", "mon": return (cb.year * 12 + Int64(cb.month)) - (ca.year * 12 + Int64(ca.month))
        case "week", "weeks", "w": return (db - da) / 7
        case "day", "days", "d", "dayofmonth": return db - da
        case "hour", "hours", "h", "hr": return floorDiv(b, 3_600_000_000) - floorDiv(a, 3_600_000_000)
        case "minute", "minutes", "m", "min": return floorDiv(b, 60_000_000) - floorDiv(a, 60_000_000)
        case "second", "seconds", "s", "sec": return floorDiv(b, 1_000_000) - floorDiv(a, 1_000_000)
        case "millisecond", "milliseconds", "ms": return floorDiv(b, 1_000) - floorDiv(a, 1_000)
        case "microsecond", "microseconds", "us":
            let r = b.subtractingReportingOverflow(a)
            return r.overflow ? nil : r.partialValue
        default: return nil
        }
    }

    static func dateDiffKernel(_ a: [Operand], _ t: [DataType], _ n: Int, _ e: ScalarExpr, days: Bool) throws -> Operand
    {
        let part = try constantString(a[0], "the date part", e).lowercased()
        guard dateDiff(part, 0, 0) != nil else {
            throw KuaiError(.execution, "unknown date part \"\(part)\" in \(e.name)")
        }
        return try rowwise(a, t, n, result: .bigint) { r, i in
            var x = r[1].int(i)
            var y = r[2].int(i)
            if days {
                // Defensive: a DATE beyond about ±292,000 years would overflow as microseconds.
                let (xm, o1) = x.multipliedReportingOverflow(by: microsPerDay)
                let (ym, o2) = y.multipliedReportingOverflow(by: microsPerDay)
                if o1 || o2 { throw KuaiError(.execution, "Date out of range in \(e.name)") }
                (x, y) = (xm, ym)
            }
            guard let d = dateDiff(part, x, y) else {
                throw KuaiError(.execution, "Overflow in \(e.name): the result is out of range")
            }
            return .int(d)
        }
    }
}
