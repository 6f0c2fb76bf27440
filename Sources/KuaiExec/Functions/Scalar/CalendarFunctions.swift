import KuaiCore

// dayname, monthname, last_day, date_add, time_bucket over DATE (days) and TIMESTAMP
// (microseconds), as DuckDB 2.0.1. A DATE argument of a TIMESTAMP parameter is cast by the binder.

extension FunctionRegistry {
    static let calendarFunctions: [ScalarFunction] = [
        ScalarFunction("dayname", [.date], .varchar) { a, _, n, _ in CalendarKernels.name(a[0], n, day: true) },
        ScalarFunction("dayname", [.timestamp], .varchar) { a, _, n, _ in
            CalendarKernels.name(mapInt(a[0], n, .date) { dayOf($0) }, n, day: true)
        },
        ScalarFunction("monthname", [.date], .varchar) { a, _, n, _ in CalendarKernels.name(a[0], n, day: false) },
        ScalarFunction("monthname", [.timestamp], .varchar) { a, _, n, _ in
            CalendarKernels.name(mapInt(a[0], n, .date) { dayOf($0) }, n, day: false)
        },
        /// last_day: the last day of the month, a DATE.
        ScalarFunction("last_day", [.date], .date) { a, _, n, _ in mapInt(a[0], n, .date, CalendarKernels.lastDay) },
        ScalarFunction("last_day", [.timestamp], .date) { a, _, n, _ in
            mapInt(a[0], n, .date) { CalendarKernels.lastDay(dayOf($0)) }
        },
        ScalarFunction("time_bucket", [.interval, .timestamp], .timestamp) { a, _, n, e in
            try CalendarKernels.timeBucket(a, n, e, date: false)
        },
        ScalarFunction("time_bucket", [.interval, .date], .date) { a, _, n, e in
            try CalendarKernels.timeBucket(a, n, e, date: true)
        },
    ]
}

/// The loops of the calendar functions.
enum CalendarKernels {
    static let dayNames: [[UInt8]] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        .map { Array($0.utf8) }
    static let monthNames: [[UInt8]] = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December",
    ].map { Array($0.utf8) }

    /// The day names and the month names as dictionaries (codes: 0 = Sunday, 0 = January), shared
    /// by every dayname and monthname column.
    static let dayDictionary = dictionary(dayNames)
    static let monthDictionary = dictionary(monthNames)

    /// A dictionary of `names` (each at most `StringView.inlineLimit` bytes, held in its view).
    private static func dictionary(_ names: [[UInt8]]) -> StringDictionary {
        let views = names.map { name in
            name.withUnsafeBufferPointer { StringView(bytes: $0.baseAddress!, count: $0.count) }
        }
        return StringDictionary(views: views, owners: [])
    }

    /// The English day (`day`) or month name of each DATE (days since 1970-01-01), as codes into
    /// `dayDictionary` or `monthDictionary` (a name is never copied per row).
    static func name(_ x: Operand, _ n: Int, day: Bool) -> Operand {
        let rows = IntRows(x)
        guard let shape = KernelShape(count: n, [rows]) else { return .scalar(.null) }
        let codes = [Int32](unsafeUninitializedCapacity: shape.rows) { out, filled in
            for i in 0..<shape.rows {
                if let v = shape.validity, v[i] == 0 {
                    out[i] = 0
                    continue
                }
                let d = rows.values[i &* rows.step]
                out[i] =
                    day
                    ? Int32(truncatingIfNeeded: FunctionRegistry.floorMod(d &+ 4, 7))
                    : Int32(truncatingIfNeeded: CivilDate.civil(d).month - 1)
            }
            filled = shape.rows
        }
        return shape.result(
            Column(codes: codes, dictionary: day ? dayDictionary : monthDictionary, validity: shape.validity))
    }

    /// The last day of the month of `days`.
    @inline(__always)
    static func lastDay(_ days: Int64) -> Int64 {
        let c = CivilDate.civil(days)
        return CivilDate.days(year: c.year, month: c.month, day: CivilDate.daysInMonth(year: c.year, month: c.month))
    }

    /// DuckDB's origin of time_bucket for intervals of days and smaller: 2000-01-03 00:00:00 (a Monday), in
    /// microseconds since 1970-01-01.
    static let origin: Int64 = 946_857_600_000_000

    /// time_bucket(width, t): the start of the `width`-long bucket holding `t`, buckets counted
    /// from `origin` (DATE in and out for a DATE `t`).
    /// - Throws: `KuaiError.execution` for a width that is not positive.
    static func timeBucket(_ a: [Operand], _ n: Int, _ e: ScalarExpr, date: Bool) throws -> Operand {
        let width = IntervalRows(a[0])
        let t = IntRows(a[1])
        guard let shape = KernelShape(count: n, [width, t]) else { return .scalar(.null) }
        var out = [Int64](repeating: 0, count: shape.rows)
        let perDay = FunctionRegistry.microsPerDay
        for i in 0..<shape.rows where shape.validity.map({ $0[i] != 0 }) ?? true {
            // a width of days and microseconds is their sum (DuckDB); months bucket by calendar months
            let parts = width.at(i)
            guard parts.months == 0 else {
                throw KuaiError(.execution, "time_bucket with a width of months is not supported in \(e.name)")
            }
            let w = Int64(parts.days) &* perDay &+ parts.micros
            guard w > 0 else { throw KuaiError(.execution, "Period must be greater than 0 in \(e.name)") }
            let v = t.values[i &* t.step]
            let micros = date ? v * perDay : v
            let bucket = origin + FunctionRegistry.floorDiv(micros - origin, w) * w
            out[i] = date ? FunctionRegistry.floorDiv(bucket, perDay) : bucket
        }
        return shape.result(Column(type: date ? .date : .timestamp, ints: out, validity: shape.validity))
    }
}
