import KuaiCore

// TIMESTAMP WITH TIME ZONE functions: timezone (AT TIME ZONE), to_timestamp, make_timestamptz, the
// epoch functions of an instant and the operators on it. Functions that take a TIMESTAMPTZ apart
// in the session's zone (hour, date_part, strftime, date_trunc, ...) are the TIMESTAMP ones applied
// to the wall time: the binder rewrites them (Binder/Expressions/TimeZoneBinder.swift).

extension FunctionRegistry {
    static let timeZoneFunctions: [ScalarFunction] = [
        /// timezone(zone, TIMESTAMP): the instant at which the wall clock of `zone` shows the
        /// timestamp (`TimeZoneRules.utc(local:)`; DuckDB's `ts AT TIME ZONE zone`).
        ScalarFunction("timezone", [.varchar, .timestamp], .timestamptz) { a, _, n, _ in
            try inZone(a[0], a[1], n, result: .timestamptz) { $0.utc(local: $1) }
        },
        /// timezone(zone, TIMESTAMPTZ): the wall time of `zone` at the instant (a TIMESTAMP).
        ScalarFunction("timezone", [.varchar, .timestamptz], .timestamp) { a, _, n, _ in
            try inZone(a[0], a[1], n, result: .timestamp) { $0.local(utc: $1) }
        },
        /// to_timestamp(seconds): the instant `seconds` after 1970-01-01 00:00:00 UTC, microseconds
        /// rounded half to even; DuckDB's error beyond the INT64 range of microseconds or for NaN / inf.
        ScalarFunction("to_timestamp", [.double], .timestamptz) { a, _, n, _ in
            let x = Kernels.doubleArg(a[0])
            return try strictInts(a, n, result: .timestamptz) { i in try epochSeconds(x.at(i)) }
        },
        /// make_timestamptz(year, month, day, hour, minute, seconds): the wall time (`lenientWallTime`)
        /// read in the session's zone.
        ScalarFunction("make_timestamptz", [.bigint, .bigint, .bigint, .bigint, .bigint, .double], .timestamptz) {
            a, _, n, _ in
            let zone = SessionTimeZone.current
            let parts = a[0..<5].map { Kernels.intArg($0) }
            let seconds = Kernels.doubleArg(a[5])
            return try strictInts(a, n, result: .timestamptz) { i in
                zone.utc(
                    local: lenientWallTime(
                        parts[0].at(i), parts[1].at(i), parts[2].at(i), parts[3].at(i), parts[4].at(i), seconds.at(i)))
            }
        },
        /// make_timestamptz(year, month, day, hour, minute, seconds, zone): the wall time read in `zone`.
        ScalarFunction(
            "make_timestamptz", [.bigint, .bigint, .bigint, .bigint, .bigint, .double, .varchar], .timestamptz
        ) { a, _, n, _ in
            let parts = a[0..<5].map { Kernels.intArg($0) }
            let seconds = Kernels.doubleArg(a[5])
            let local = strictInts(Array(a[0..<6]), n, result: .timestamp) { i in
                lenientWallTime(
                    parts[0].at(i), parts[1].at(i), parts[2].at(i), parts[3].at(i), parts[4].at(i), seconds.at(i))
            }
            return try inZone(a[6], local, n, result: .timestamptz) { $0.utc(local: $1) }
        },
        /// epoch_ms / epoch_us / epoch_ns / epoch of an instant: as of the TIMESTAMP with the same
        /// microseconds (UTC), whatever the session's zone.
        ScalarFunction("epoch_ms", [.timestamptz], .bigint) { a, _, n, _ in
            mapInt(a[0], n, .bigint) { ($0 < 0 ? $0 &- 500 : $0 &+ 500) / 1000 }
        },
        ScalarFunction("epoch_us", [.timestamptz], .bigint) { a, _, _, _ in retype(a[0], .bigint) },
        ScalarFunction("epoch_ns", [.timestamptz], .bigint) { a, _, n, e in
            try checkedInt(a[0], .scalar(.int(1000)), n, .bigint, e) { $0.multipliedReportingOverflow(by: $1) }
        },
        ScalarFunction("epoch", [.timestamptz], .double) { a, _, n, _ in mapDouble(a[0], n) { $0 / 1_000_000 } },
        /// time_bucket(width, TIMESTAMPTZ): buckets of the UTC microseconds (DuckDB's default origin
        /// and zone for an instant are UTC's).
        ScalarFunction("time_bucket", [.interval, .timestamptz], .timestamptz) { a, t, n, e in
            guard let f = resolve("time_bucket", [.interval, .timestamp]) else { return .scalar(.null) }
            return retype(try f.kernel([a[0], retype(a[1], .timestamp)], [t[0], .timestamp], n, e), .timestamptz)
        },
        // TIMESTAMPTZ - TIMESTAMPTZ: the difference of the wall-clock times in the session zone, as
        // whole days and the rest in microseconds (DuckDB: '2 days' across a DST change)
        ScalarFunction("timestamptz_diff", [.timestamptz, .timestamptz], .interval) { a, _, n, _ in
            let (x, y) = (IntRows(a[0]), IntRows(a[1]))
            let zone = SessionTimeZone.current
            return try intervalKernel([x, y], n) {
                try IntervalMath.difference(
                    zone.local(utc: x.values[$0 &* x.step]), zone.local(utc: y.values[$0 &* y.step]))
            }
        },
        timestamptzPlusInterval("timestamptz_add_interval", subtract: false),
        timestamptzPlusInterval("timestamptz_sub_interval", subtract: true),
    ]

    /// make_timestamptz's wall time in microseconds, with ICU's lenient fields as DuckDB: a month
    /// beyond 1...12 moves the year, a day, hour, minute or second beyond its range carries into the
    /// next field (2025-02-30 is 2025-03-02, month 0 is December of the year before); `seconds`
    /// rounded to the microsecond.
    static func lenientWallTime(_ y: Int64, _ m: Int64, _ d: Int64, _ h: Int64, _ mi: Int64, _ sec: Double) -> Int64 {
        let year = y &+ floorDiv(m &- 1, 12)
        let month = Int(floorMod(m &- 1, 12)) + 1
        let days = CivilDate.days(year: year, month: month, day: 1) &+ (d &- 1)
        let micros = (sec * 1_000_000).rounded()
        let secondsPart = micros.isFinite && abs(micros) < 9e18 ? Int64(micros) : 0
        return days &* 86_400_000_000 &+ h &* 3_600_000_000 &+ mi &* 60_000_000 &+ secondsPart
    }

    /// True when `name` is a date part shorter than a day (hour, minute, second, millisecond,
    /// microsecond, any alias): DuckDB's ICU date_diff and date_sub count those in elapsed time.
    public static func isSubDayPart(_ name: String) -> Bool {
        switch DatePart(name) {
        case .hour?, .minute?, .second?, .millisecond?, .microsecond?: return true
        default: return false
        }
    }

    /// DuckDB's to_timestamp of one value: `seconds * 1e6` rounded half to even to Int64.
    /// - Throws: `KuaiError.execution` "Epoch seconds out of range for TIMESTAMP WITH TIME ZONE".
    static func epochSeconds(_ seconds: Double) throws -> Int64 {
        let micros = (seconds * 1_000_000).rounded(.toNearestOrEven)
        guard micros.isFinite, micros >= -9.223372036854775808e18, micros < 9.223372036854775808e18 else {
            throw KuaiError(.execution, "Epoch seconds out of range for TIMESTAMP WITH TIME ZONE")
        }
        return Int64(micros)
    }

    /// Applies `f(zone, value)` to each row of the integer-stored `value` with the zone named by
    /// `zone` (a constant: read once; a column: each distinct name read once, `zoneIndexes`). A NULL
    /// zone or value gives NULL.
    /// - Throws: `KuaiError.execution` (DuckDB's `Unknown TimeZone 'x'!`) for an unknown name on a row
    ///   whose value is not NULL.
    static func inZone(
        _ zone: Operand, _ value: Operand, _ n0: Int, result: DataType, _ f: (TimeZoneRules, Int64) -> Int64
    ) throws -> Operand {
        if zone.isNullScalar || value.isNullScalar { return .scalar(.null) }
        let x = Kernels.intArg(value)
        if case .scalar(.string(let name)) = zone {
            guard let rules = TimeZoneRules.named(name) else { throw TimeZoneRules.unknownZone(name) }
            return strictInts([value], n0, result: result) { i in f(rules, x.at(i)) }
        }
        guard case .column(let zc) = zone else { return .scalar(.null) }
        let (rules, index) = try zoneIndexes(zc, rowsOf: value.validity, n0)
        return strictInts([zone, value], n0, result: result) { i in f(rules[Int(index[i])], x.at(i)) }
    }

    /// The zones a VARCHAR column names, each read once, and each row's index into them (rows that
    /// are NULL, or whose `validity` is 0, get index 0 and are not looked at).
    /// - Throws: `Unknown TimeZone 'x'!` for the first unknown name of a row that counts.
    static func zoneIndexes(_ c: Column, rowsOf validity: [UInt8]?, _ n: Int) throws -> ([TimeZoneRules], [Int32]) {
        var rules: [TimeZoneRules] = [TimeZoneRules.fixed("UTC", seconds: 0)]
        var index = [Int32](repeating: 0, count: n)
        var previous: StringView? = nil
        // dictionary code -> index into `rules` (-1: not read yet)
        var byCode = [Int32](repeating: -1, count: c.dictionary?.count ?? 0)
        for i in 0..<n where c.isValid(i) && (validity?[i] ?? 1) != 0 {
            if let d = c.dictionary {
                let code = c.codes[i]
                if byCode[Int(code)] >= 0 {
                    index[i] = byCode[Int(code)]
                    continue
                }
                guard let r = TimeZoneRules.named(d[code]) else {
                    throw TimeZoneRules.unknownZone(d[code])
                }
                rules.append(r)
                byCode[Int(code)] = Int32(rules.count - 1)
                index[i] = Int32(rules.count - 1)
                continue
            }
            let v = c.stringView(at: i)
            if let p = previous, StringView.equal(p, v) {
                index[i] = Int32(rules.count - 1)
                continue
            }
            let name = v.string
            guard let r = TimeZoneRules.named(name) else { throw TimeZoneRules.unknownZone(name) }
            rules.append(r)
            previous = v
            index[i] = Int32(rules.count - 1)
        }
        return (rules, index)
    }

    /// `name(TIMESTAMPTZ, INTERVAL)`: as DuckDB's ICU arithmetic, the months and days move the
    /// wall-clock time in the session zone (`IntervalMath.addToTimestamp`, the day clamped to the
    /// month's end), then the microseconds move the instant (`+ INTERVAL 1 DAY` keeps 12:00 across a
    /// DST change, `+ INTERVAL 24 HOUR` does not); `subtract` negates the interval first.
    static func timestamptzPlusInterval(_ name: String, subtract: Bool) -> ScalarFunction {
        ScalarFunction(name, [.timestamptz, .interval], .timestamptz) { a, _, n, _ in
            let (t, x) = (IntRows(a[0]), IntervalRows(a[1]))
            let zone = SessionTimeZone.current
            return try intKernel([t, x], n, .timestamptz) { i in
                var v = x.at(i)
                if subtract { v = try IntervalMath.negate(v) }
                var u = t.values[i &* t.step]
                if !v.isMicrosOnly {
                    let wall = try IntervalMath.addToTimestamp(
                        zone.local(utc: u), IntervalValue(months: v.months, days: v.days), subtract: false)
                    u = zone.utc(local: wall)
                }
                let r = u.addingReportingOverflow(v.micros)
                guard !r.overflow else { throw KuaiError(.execution, "Date and time not in timestamp range") }
                return r.partialValue
            }
        }
    }
}
