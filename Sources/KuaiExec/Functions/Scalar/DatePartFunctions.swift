import KuaiCore

// year, month, ..., date_part, hour, date_trunc, date_diff and date_sub over DATE (days) and TIMESTAMP (microseconds);
// the loops are DateKernels (Kernels/DateKernels.swift), the part resolved once per batch.

extension FunctionRegistry {
    static let datePartFunctions: [ScalarFunction] = {
        var rows: [ScalarFunction] = []
        let parts: [(String, DatePart)] = [
            ("year", .year), ("month", .month), ("day", .day), ("dayofmonth", .day), ("minute", .minute),
            ("second", .second), ("millisecond", .millisecond), ("microsecond", .microsecond),
            ("dayofweek", .dayOfWeek), ("isodow", .isoDayOfWeek), ("dayofyear", .dayOfYear), ("week", .week),
            ("weekofyear", .week), ("quarter", .quarter), ("isoyear", .isoYear), ("weekday", .dayOfWeek),
            ("decade", .decade), ("century", .century), ("millennium", .millennium), ("yearweek", .yearWeek),
        ]
        for (name, part) in parts { rows += partFunction(name, part) }
        // date_diff counts part boundaries crossed, date_sub whole parts between (DateKernels), each
        // under two names and over TIMESTAMP and DATE
        let differences: [(String, Bool)] = [
            ("date_diff", false), ("datediff", false), ("date_sub", true), ("datesub", true),
        ]
        for (name, whole) in differences {
            for (type, timestamp) in [(DataType.timestamp, true), (.date, false)] {
                rows.append(
                    ScalarFunction(name, [.varchar, type, type], .bigint) { a, _, n, e in
                        try withPart(a, n, e, type: .bigint, whole ? "DATESUB" : "DATEDIFF") { part, x, m in
                            whole
                                ? try DateKernels.sub(part, x[0], x[1], m, timestamp: timestamp, e)
                                : try DateKernels.diff(part, x[0], x[1], m, timestamp: timestamp, e)
                        }
                    })
            }
        }
        rows += [
            ScalarFunction("date_part", [.varchar, .timestamp], .bigint) { a, _, n, e in
                DateKernels.extract(try datePart(a[0], e), a[1], n, timestamp: true)
            },
            ScalarFunction("date_part", [.varchar, .date], .bigint) { a, _, n, e in
                DateKernels.extract(try datePart(a[0], e), a[1], n, timestamp: false)
            },
            truncation("date_trunc", timestamp: true), truncation("date_trunc", timestamp: false),
            truncation("datetrunc", timestamp: true),
            ScalarFunction("hour", [.timestamp], .bigint) { a, _, n, _ in
                DateKernels.extract(.hour, a[0], n, timestamp: true)
            },
            ScalarFunction("hour", [.date], .bigint) { a, _, n, _ in
                DateKernels.extract(.hour, a[0], n, timestamp: false)
            },
        ]
        return rows
    }()

    /// date_trunc(part, x) over TIMESTAMP or DATE (`timestamp` false), as TIMESTAMP; the part a constant
    /// or one per row (`withPart`).
    static func truncation(_ name: String, timestamp: Bool) -> ScalarFunction {
        ScalarFunction(name, [.varchar, timestamp ? .timestamp : .date], .timestamp) { a, _, n, e in
            try withPart(a, n, e, type: .timestamp, "DATETRUNC") { part, x, m in
                DateKernels.truncate(part, x[0], m, timestamp: timestamp)
            }
        }
    }

    /// The part named by a constant VARCHAR argument.
    /// - Throws: `KuaiError.execution` for a part that is not a constant or not a known name.
    static func datePart(_ name: Operand, _ e: ScalarExpr) throws -> DatePart {
        let text = try constantString(name, "the date part", e)
        guard let part = DatePart(text) else {
            throw KuaiError(.execution, "unknown date part \"\(text.lowercased())\" in \(e.name)")
        }
        return part
    }

    static let microsPerDay: Int64 = 86_400_000_000

    @inline(__always)
    static func dayOf(_ micros: Int64) -> Int64 { floorDiv(micros, microsPerDay) }

    /// ISO 8601 week number and week-based year of a day (wrapping arithmetic: a NULL row's
    /// arbitrary bits must not trap).
    @inline(__always)
    static func isoWeek(_ days: Int64) -> (year: Int64, week: Int64) {
        let isodow = floorMod(days &+ 3, 7) &+ 1  // 1 = Monday
        let thursday = days &- isodow &+ 4  // the Thursday of this ISO week
        let y = CivilDate.civil(thursday).year
        let jan1 = CivilDate.days(year: y, month: 1, day: 1)
        return (y, (thursday &- jan1) / 7 &+ 1)
    }

    static func partFunction(_ name: String, _ part: DatePart) -> [ScalarFunction] {
        [
            ScalarFunction(name, [.timestamp], .bigint) { a, _, n, _ in
                DateKernels.extract(part, a[0], n, timestamp: true)
            },
            ScalarFunction(name, [.date], .bigint) { a, _, n, _ in
                DateKernels.extract(part, a[0], n, timestamp: false)
            },
        ]
    }
}
