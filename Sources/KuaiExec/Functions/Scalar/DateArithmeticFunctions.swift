import KuaiCore

// make_date, to_days/to_hours/..., and the DATE/TIMESTAMP/INTERVAL operators the binder maps + and - onto.

extension FunctionRegistry {
    static let dateArithmeticFunctions: [ScalarFunction] =
        [
            ScalarFunction("make_date", [.bigint, .bigint, .bigint], .date) { a, _, n, e in
                try DateKernels.makeDate(a, n, e)
            }
        ]
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
        ]

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
