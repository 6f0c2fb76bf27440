import KuaiCore

// make_date, to_days/to_hours/..., and the DATE/TIMESTAMP/INTERVAL operators the binder maps + and - onto.

extension FunctionRegistry {
    static let dateArithmeticFunctions: [ScalarFunction] = [
        ScalarFunction("make_date", [.bigint, .bigint, .bigint], .date) { a, t, n, e in
            try rowwise(a, t, n, result: .date) { r, i in
                let y = r[0].int(i)
                let m = r[1].int(i)
                let d = r[2].int(i)
                guard y >= -290_000, y <= 290_000, m >= 1, m <= 12, d >= 1,
                    d <= Int64(ValueFormatter.daysInMonth(y, Int(m)))
                else {
                    throw KuaiError(.execution, "Date out of range: \(y)-\(m)-\(d) in \(e.name)")
                }
                return .int(ValueFormatter.days(year: y, month: Int(m), day: Int(d)))
            }
        },
        // Checked: a wrapped product would be a silently wrong interval (DuckDB raises an error).
        ScalarFunction("to_days", [.bigint], .interval) { a, _, n, e in
            try checkedInt(a[0], .scalar(.int(microsPerDay)), n, .interval, e) {
                $0.multipliedReportingOverflow(by: $1)
            }
        },
        ScalarFunction("to_hours", [.bigint], .interval) { a, _, n, e in
            try checkedInt(a[0], .scalar(.int(3_600_000_000)), n, .interval, e) {
                $0.multipliedReportingOverflow(by: $1)
            }
        },
        ScalarFunction("to_minutes", [.bigint], .interval) { a, _, n, e in
            try checkedInt(a[0], .scalar(.int(60_000_000)), n, .interval, e) {
                $0.multipliedReportingOverflow(by: $1)
            }
        },
        ScalarFunction("to_seconds", [.bigint], .interval) { a, _, n, e in
            try checkedInt(a[0], .scalar(.int(1_000_000)), n, .interval, e) {
                $0.multipliedReportingOverflow(by: $1)
            }
        },
        // Operators on dates, timestamps and intervals (the binder maps `+` and `-` onto these).
        // A DATE stays within about ±290,000 years (|days| <= 105.3 M, as parseDate and
        // make_date) so that every later days-to-microseconds step (timestamps, date_trunc,
        // strftime) cannot overflow Int64.
        ScalarFunction("date_add_days", [.date, .bigint], .date) { a, _, n, e in
            try checkedInt(a[0], a[1], n, .date, e) {
                let r = $0.addingReportingOverflow($1)
                return (r.partialValue, r.overflow || !(-105_300_000...105_300_000).contains(r.partialValue))
            }
        },
        ScalarFunction("date_sub_days", [.date, .bigint], .date) { a, _, n, e in
            try checkedInt(a[0], a[1], n, .date, e) {
                let r = $0.subtractingReportingOverflow($1)
                return (r.partialValue, r.overflow || !(-105_300_000...105_300_000).contains(r.partialValue))
            }
        },
        ScalarFunction("date_diff_days", [.date, .date], .bigint) { a, _, n, e in
            try checkedInt(a[0], a[1], n, .bigint, e) { $0.subtractingReportingOverflow($1) }
        },
        ScalarFunction("timestamp_diff", [.timestamp, .timestamp], .interval) { a, _, n, e in
            try checkedInt(a[0], a[1], n, .interval, e) { $0.subtractingReportingOverflow($1) }
        },
        ScalarFunction("timestamp_add_interval", [.timestamp, .interval], .timestamp) { a, _, n, e in
            try checkedInt(a[0], a[1], n, .timestamp, e) { $0.addingReportingOverflow($1) }
        },
        ScalarFunction("timestamp_sub_interval", [.timestamp, .interval], .timestamp) { a, _, n, e in
            try checkedInt(a[0], a[1], n, .timestamp, e) { $0.subtractingReportingOverflow($1) }
        },
        ScalarFunction("interval_add", [.interval, .interval], .interval) { a, _, n, e in
            try checkedInt(a[0], a[1], n, .interval, e) { $0.addingReportingOverflow($1) }
        },
        ScalarFunction("interval_sub", [.interval, .interval], .interval) { a, _, n, e in
            try checkedInt(a[0], a[1], n, .interval, e) { $0.subtractingReportingOverflow($1) }
        },
    ]
}
