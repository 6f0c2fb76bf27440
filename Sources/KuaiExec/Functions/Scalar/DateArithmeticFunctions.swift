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
            ("to_days", microsPerDay), ("to_hours", 3_600_000_000), ("to_minutes", 60_000_000),
            ("to_seconds", 1_000_000),
        ]
        .map { name, unit in
            ScalarFunction(name, [.bigint], .interval) { a, _, n, e in
                try checkedInt(a[0], .scalar(.int(unit)), n, .interval, e) { $0.multipliedReportingOverflow(by: $1) }
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
            ("timestamp_diff", [.timestamp, .timestamp], .interval, { $0.subtractingReportingOverflow($1) }),
            ("timestamp_add_interval", [.timestamp, .interval], .timestamp, { $0.addingReportingOverflow($1) }),
            ("timestamp_sub_interval", [.timestamp, .interval], .timestamp, { $0.subtractingReportingOverflow($1) }),
            ("interval_add", [.interval, .interval], .interval, { $0.addingReportingOverflow($1) }),
            ("interval_sub", [.interval, .interval], .interval, { $0.subtractingReportingOverflow($1) }),
        ]

    /// A day count with its overflow flag, flagged too when it leaves ±105.3 M days.
    static func withinDateRange(_ r: (partialValue: Int64, overflow: Bool)) -> (partialValue: Int64, overflow: Bool) {
        (r.partialValue, r.overflow || !(-105_300_000...105_300_000).contains(r.partialValue))
    }
}
