import KuaiCore

// era, julian, nanosecond of DATE and TIMESTAMP, make_timestamp_ms, and version(), as DuckDB 2.0.1.

extension FunctionRegistry {
    /// The day number of 0001-01-01 (days since 1970-01-01): era 1 starts there.
    static let firstDayOfEraOne = CivilDate.days(year: 1, month: 1, day: 1)
    /// The Julian day number of 1970-01-01.
    static let julianDayOfEpoch = 2_440_588.0

    static let eraJulianFunctions: [ScalarFunction] = [
        /// era(d): 1 from 0001-01-01 on (AD), 0 before (BC, year 0 included).
        ScalarFunction("era", [.date], .bigint) { a, _, n, _ in
            mapInt(a[0], n, .bigint) { $0 >= firstDayOfEraOne ? 1 : 0 }
        },
        ScalarFunction("era", [.timestamp], .bigint) { a, _, n, _ in
            mapInt(a[0], n, .bigint) { dayOf($0) >= firstDayOfEraOne ? 1 : 0 }
        },
        /// julian(d): the Julian day number as DOUBLE, with the time of day as its fraction.
        ScalarFunction("julian", [.date], .double) { a, _, n, _ in mapDouble(a[0], n) { $0 + julianDayOfEpoch } },
        ScalarFunction("julian", [.timestamp], .double) { a, _, n, _ in
            mapIntToDouble(a[0], n) { micros in
                let day = dayOf(micros)
                let time = micros &- day &* microsPerDay
                return Double(day) + julianDayOfEpoch + Double(time) / Double(microsPerDay)
            }
        },
        /// nanosecond(t): the nanoseconds within the minute (seconds included); 0 for a DATE.
        ScalarFunction("nanosecond", [.timestamp], .bigint) { a, _, n, _ in
            mapInt(a[0], n, .bigint) { floorMod($0, 60_000_000) &* 1000 }
        },
        ScalarFunction("nanosecond", [.date], .bigint) { a, _, n, _ in mapInt(a[0], n, .bigint) { _ in 0 } },
        /// make_timestamp_ms(ms): the TIMESTAMP `ms` milliseconds after 1970-01-01 00:00:00.
        /// - Throws: DuckDB's "Could not convert Timestamp(MS) to Timestamp(US)" out of range.
        ScalarFunction("make_timestamp_ms", [.bigint], .timestamp) { a, _, n, _ in
            let v = IntRows(a[0])
            return try strictInts([a[0]], n, result: .timestamp) { i in
                let (us, overflow) = v.values[i &* v.step].multipliedReportingOverflow(by: 1000)
                guard !overflow, us != Int64.max, us != -Int64.max else {
                    throw KuaiError(.execution, "Could not convert Timestamp(MS) to Timestamp(US)")
                }
                return us
            }
        },
        /// version(): the DuckDB release whose dialect and answers kuai follows ('v2.0.1').
        ScalarFunction("version", [], .varchar) { _, _, _, _ in .scalar(.string("v2.0.1")) },
    ]

    /// Applies `f` to each value of an integer-stored operand, giving DOUBLE.
    static func mapIntToDouble(_ x: Operand, _ n: Int, _ f: (Int64) -> Double) -> Operand {
        switch x {
        case .scalar(let v):
            guard case .int(let i) = v else { return .scalar(.null) }
            return .scalar(.double(f(i)))
        case .column(let c):
            let vals = c.ints.withUnsafeBufferPointer { src in
                [Double](unsafeUninitializedCapacity: n) { out, filled in
                    for i in 0..<n { out[i] = f(src[i]) }
                    filled = n
                }
            }
            return .column(Column(doubles: vals, validity: c.validity))
        }
    }
}
