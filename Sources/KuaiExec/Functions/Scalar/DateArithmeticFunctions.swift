import KuaiCore

// make_date, to_days/to_hours/..., and the DATE/TIMESTAMP/INTERVAL operators the binder maps + and - onto.

extension FunctionRegistry {
    static let dateArithmeticFunctions: [ScalarFunction] =
        [
            ScalarFunction("make_date", [.bigint, .bigint, .bigint], .date) { a, _, n, e in
                try DateKernels.makeDate(a, n, e)
            }
        ]
        // to_days(n) ... to_seconds(n): n units as an INTERVAL (microseconds). Checked: a wrapped
        // product would be a silently wrong interval (DuckDB raises an error).
        + [
            ("to_weeks", 7 * microsPerDay), ("to_days", microsPerDay), ("to_hours", 3_600_000_000),
            ("to_minutes", 60_000_000), ("to_microseconds", 1),
        ]
        .map { name, unit in
            ScalarFunction(name, [.bigint], .interval) { a, _, n, e in
                try checkedInt(a[0], .scalar(.int(unit)), n, .interval, e) { $0.multipliedReportingOverflow(by: $1) }
            }
        }
        // to_seconds(x) and to_milliseconds(x) take a DOUBLE, as DuckDB's: to_milliseconds(1.5) is
        // 1,500 microseconds.
        + [("to_seconds", "seconds", 1_000_000.0), ("to_milliseconds", "milliseconds", 1_000.0)].map {
            name, unit, micros in
            ScalarFunction(name, [.double], .interval) { a, _, n, _ in
                let x = Kernels.doubleArg(a[0])
                return try strictInts(a, n, result: .interval) { i in try intervalOfDouble(x.at(i), micros, unit) }
            }
        }
        + temporalOperators.map { name, parameters, result, op in
            ScalarFunction(name, parameters, result) { a, _, n, e in try checkedInt(a[0], a[1], n, result, e, op) }
        }
        + [
            // INTERVAL * integer (the binder also maps integer * INTERVAL here), as DuckDB's
            // (INTERVAL, BIGINT) overload: the factor must fit INTEGER (DuckDB casts it to INT32 for
            // the months and days fields), the product Int64.
            ScalarFunction("interval_mul", [.interval, .bigint], .interval) { a, _, n, e in
                try checkedInt(a[0], a[1], n, .interval, e) { micros, k in
                    Int64(Int32.min)...Int64(Int32.max) ~= k ? micros.multipliedReportingOverflow(by: k) : (0, true)
                }
            },
            ScalarFunction("interval_mul_double", [.interval, .double], .interval) { a, _, n, e in
                try intervalTimesDouble(a[0], a[1], n, e, divide: false)
            },
            ScalarFunction("interval_div", [.interval, .double], .interval) { a, _, n, e in
                try intervalTimesDouble(a[0], a[1], n, e, divide: true)
            },
        ]

    /// Operators on dates, timestamps and intervals (the binder maps `+` and `-` onto these): name,
    /// parameter types, result type and the checked operation (overflow is DuckDB's error).
    /// A DATE stays within about ±290,000 years (|days| <= 105.3 M, as parseDate and make_date) so
    /// that every later days-to-microseconds step (timestamps, date_trunc, strftime) cannot
    /// overflow Int64.
    static let temporalOperators:
        [(String, [DataType], DataType, @Sendable (Int64, Int64) -> (partialValue: Int64, overflow: Bool))] = [
            ("date_add_days", [.date, .bigint], .date, { withinDateRange($0.addingReportingOverflow($1)) }),
            ("date_sub_days", [.date, .bigint], .date, { withinDateRange($0.subtractingReportingOverflow($1)) }),
            ("date_diff_days", [.date, .date], .bigint, { $0.subtractingReportingOverflow($1) }),
            ("timestamp_diff", [.timestamp, .timestamp], .interval, { $0.subtractingReportingOverflow($1) }),
            ("timestamp_add_interval", [.timestamp, .interval], .timestamp, { $0.addingReportingOverflow($1) }),
            ("timestamp_sub_interval", [.timestamp, .interval], .timestamp, { $0.subtractingReportingOverflow($1) }),
            ("interval_add", [.interval, .interval], .interval, { $0.addingReportingOverflow($1) }),
            ("interval_sub", [.interval, .interval], .interval, { $0.subtractingReportingOverflow($1) }),
        ]

    /// INTERVAL * DOUBLE and INTERVAL / DOUBLE as DuckDB computes them for an interval of microseconds
    /// (its `interval_t` with no months or days): `nearbyint(micros * f)` (round half to even), where
    /// `f` is the factor, or `1.0 / divisor` for a division.
    /// - Throws: `KuaiError.execution` for a division by zero (DuckDB's error) and for a product that
    ///   is NaN or outside Int64 ("Overflow in multiplication of INTERVAL.", "Overflow in INTERVAL
    ///   division"), for rows where neither side is NULL.
    static func intervalTimesDouble(_ x: Operand, _ y: Operand, _ n0: Int, _ e: ScalarExpr, divide: Bool) throws
        -> Operand
    {
        if x.isNullScalar || y.isNullScalar { return .scalar(.null) }
        let scalar = x.isScalar && y.isScalar
        let n = scalar ? 1 : n0
        let validity = andValidity(x.validity, y.validity)
        // 2^63 as a Double: products at or beyond it do not fit Int64.
        let limit = 9_223_372_036_854_775_808.0
        // Per row: the product, and 0 fine, 1 a division by zero, 2 out of range (an error only where
        // neither side is NULL).
        let rows = binaryMap(n, Kernels.intArg(x), Kernels.doubleArg(y)) { micros, d -> (Int64, UInt8) in
            if divide && d == 0 { return (0, 1) }
            let r = (Double(micros) * (divide ? 1.0 / d : d)).rounded(.toNearestOrEven)
            return r.isFinite && r >= -limit && r < limit ? (Int64(r), 0) : (0, 2)
        }
        let vals = rows.map(\.0)
        let status = rows.map(\.1)
        for i in 0..<n where status[i] != 0 && (validity?[i] ?? 1) != 0 {
            if status[i] == 1 { throw KuaiError(.execution, "Division by zero in expression \(e.name)") }
            throw KuaiError(
                .execution, divide ? "Overflow in INTERVAL division" : "Overflow in multiplication of INTERVAL.")
        }
        return Kernels.result(vals, type: .interval, validity: validity, scalar: scalar)
    }

    /// `x` units of `micros` microseconds each as an INTERVAL, rounded to the microsecond.
    /// - Throws: `KuaiError.execution` "Interval value 1e+300 seconds out of range" (DuckDB's) when
    ///   it does not fit.
    static func intervalOfDouble(_ x: Double, _ micros: Double, _ unit: String) throws -> Int64 {
        let v = (x * micros).rounded()
        guard v.isFinite, v >= -9_223_372_036_854_775_808.0, v < 9_223_372_036_854_775_808.0 else {
            throw KuaiError(.execution, "Interval value \(fixed6(x)) \(unit) out of range")
        }
        return Int64(v)
    }

    /// A day count with its overflow flag, flagged too when it leaves ±105.3 M days.
    static func withinDateRange(_ r: (partialValue: Int64, overflow: Bool)) -> (partialValue: Int64, overflow: Bool) {
        (r.partialValue, r.overflow || !(-105_300_000...105_300_000).contains(r.partialValue))
    }
}
