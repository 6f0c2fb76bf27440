import KuaiCore

// The INTERVAL operators the binder maps +, -, * and / onto, unary minus, to_years ... to_days,
// age, date_part / date_trunc / epoch of an INTERVAL: DuckDB 2.0.1's rules (IntervalMath), as
// typed kernels over (months, days, microseconds).

/// One INTERVAL argument of a kernel: the microseconds and, when some row has months or days, the
/// high words (`IntervalValue`), with a row step (0 for a constant).
struct IntervalRows: KernelArgument {
    let micros: [Int64]
    let highs: [Int64]?
    let step: Int
    let validity: [UInt8]?
    let isNullConstant: Bool

    init(_ op: Operand) {
        switch op {
        case .scalar(let v):
            let x = IntervalValue(v)
            micros = [x?.micros ?? 0]
            highs = x.map { $0.isMicrosOnly ? nil : [$0.high] } ?? nil
            step = 0
            validity = nil
            isNullConstant = x == nil
        case .column(let c):
            micros = c.ints
            highs = c.type == .interval ? c.highs : nil
            step = 1
            validity = c.type == .null ? [UInt8](repeating: 0, count: c.count) : c.validity
            isNullConstant = false
        }
    }

    /// Row `i` (of the kernel's rows).
    @inline(__always)
    func at(_ i: Int) -> IntervalValue {
        let k = i &* step
        guard let h = highs else { return IntervalValue(micros: micros[k]) }
        return IntervalValue(high: h[k], micros: micros[k])
    }
}

/// One DOUBLE argument of a kernel, with a row step (0 for a constant).
struct DoubleRows: KernelArgument {
    let values: [Double]
    let step: Int
    let validity: [UInt8]?
    let isNullConstant: Bool

    init(_ op: Operand) {
        switch op {
        case .scalar(let v):
            step = 0
            validity = nil
            switch v {
            case .double(let d): (values, isNullConstant) = ([d], false)
            case .int(let x): (values, isNullConstant) = ([Double(x)], false)
            case .hugeint(let x): (values, isNullConstant) = ([Double(x)], false)
            default: (values, isNullConstant) = ([0], true)
            }
        case .column(let c):
            values = c.type == .double ? c.doubles : c.int128Doubles()
            step = 1
            validity = c.type == .null ? [UInt8](repeating: 0, count: c.count) : c.validity
            isNullConstant = false
        }
    }

    @inline(__always) func at(_ i: Int) -> Double { values[i &* step] }
}

extension FunctionRegistry {
    /// A strict kernel with an INTERVAL result: `f(i)` runs for the rows where every argument is valid.
    static func intervalKernel(_ args: [any KernelArgument], _ n: Int, _ f: (Int) throws -> IntervalValue) rethrows
        -> Operand
    {
        guard let shape = KernelShape(count: n, args) else { return .scalar(.null) }
        var micros = [Int64](repeating: 0, count: shape.rows)
        var packed = [Int64](repeating: 0, count: shape.rows)
        for i in 0..<shape.rows where shape.validity.map({ $0[i] != 0 }) ?? true {
            let v = try f(i)
            micros[i] = v.micros
            packed[i] = v.packed
        }
        return shape.result(Column(intervalMicros: micros, packed: packed, validity: shape.validity))
    }

    /// A strict kernel with an integer-stored result of `type`.
    static func intKernel(
        _ args: [any KernelArgument], _ n: Int, _ type: DataType, _ f: (Int) throws -> Int64
    ) rethrows -> Operand {
        guard let shape = KernelShape(count: n, args) else { return .scalar(.null) }
        var out = [Int64](repeating: 0, count: shape.rows)
        for i in 0..<shape.rows where shape.validity.map({ $0[i] != 0 }) ?? true { out[i] = try f(i) }
        return shape.result(Column(type: type, ints: out, validity: shape.validity))
    }

    /// The date part named by a constant VARCHAR, for an INTERVAL (DuckDB's names).
    /// - Throws: `KuaiError.execution` (DuckDB's `"interval" units "dow" not recognized`).
    static func intervalPart(_ name: Operand, _ e: ScalarExpr) throws -> DatePartWord {
        let text = try constantString(name, "the date part", e)
        let word = Array(text.utf8)
        guard let p = word.withUnsafeBufferPointer({ DatePartWord.lookup($0) }),
            p != .other, p != .week, IntervalMath.part(p, IntervalValue()) != nil || p == .epoch
        else { throw KuaiError(.execution, "\"interval\" units \"\(text.lowercased())\" not recognized") }
        return p
    }

    static let intervalFunctions: [ScalarFunction] =
        intervalOperators + intervalConstructors + intervalParts

    /// The operators the binder maps onto (interval_add, timestamp_add_interval, ...).
    static let intervalOperators: [ScalarFunction] = [
        ScalarFunction("interval_add", [.interval, .interval], .interval) { a, _, n, _ in
            let (x, y) = (IntervalRows(a[0]), IntervalRows(a[1]))
            return try intervalKernel([x, y], n) { try IntervalMath.add(x.at($0), y.at($0), subtract: false) }
        },
        ScalarFunction("interval_sub", [.interval, .interval], .interval) { a, _, n, _ in
            let (x, y) = (IntervalRows(a[0]), IntervalRows(a[1]))
            return try intervalKernel([x, y], n) { try IntervalMath.add(x.at($0), y.at($0), subtract: true) }
        },
        ScalarFunction("interval_negate", [.interval], .interval) { a, _, n, _ in
            let x = IntervalRows(a[0])
            return try intervalKernel([x], n) { try IntervalMath.negate(x.at($0)) }
        },
        // INTERVAL * integer (the binder also maps integer * INTERVAL here), DuckDB's (INTERVAL,
        // BIGINT) overload.
        ScalarFunction("interval_mul", [.interval, .bigint], .interval) { a, _, n, _ in
            let (x, k) = (IntervalRows(a[0]), IntRows(a[1]))
            return try intervalKernel([x, k], n) { try IntervalMath.multiply(x.at($0), k.values[$0 &* k.step]) }
        },
        ScalarFunction("interval_mul_double", [.interval, .double], .interval) { a, _, n, _ in
            let (x, f) = (IntervalRows(a[0]), DoubleRows(a[1]))
            return try intervalKernel([x, f], n) {
                guard let r = IntervalMath.multiply(x.at($0), f.at($0)) else {
                    throw KuaiError(.execution, "Overflow in multiplication of INTERVAL.")
                }
                return r
            }
        },
        // INTERVAL / DOUBLE: DuckDB multiplies by 1 / divisor.
        ScalarFunction("interval_div", [.interval, .double], .interval) { a, _, n, e in
            let (x, f) = (IntervalRows(a[0]), DoubleRows(a[1]))
            return try intervalKernel([x, f], n) {
                let d = f.at($0)
                if d == 0 { throw KuaiError(.execution, "Division by zero in expression \(e.name)") }
                guard let r = IntervalMath.multiply(x.at($0), 1.0 / d) else {
                    throw KuaiError(.execution, "Overflow in INTERVAL division")
                }
                return r
            }
        },
        ScalarFunction("timestamp_diff", [.timestamp, .timestamp], .interval) { a, _, n, _ in
            let (x, y) = (IntRows(a[0]), IntRows(a[1]))
            return try intervalKernel([x, y], n) {
                try IntervalMath.difference(x.values[$0 &* x.step], y.values[$0 &* y.step])
            }
        },
        timestampPlusInterval("timestamp_add_interval", subtract: false),
        timestampPlusInterval("timestamp_sub_interval", subtract: true),
        timestampPlusInterval("date_add", subtract: false),
        ScalarFunction("age", [.timestamp, .timestamp], .interval) { a, _, n, _ in
            let (x, y) = (IntRows(a[0]), IntRows(a[1]))
            return intervalKernel([x, y], n) { IntervalMath.age(x.values[$0 &* x.step], y.values[$0 &* y.step]) }
        },
    ]

    /// `name(TIMESTAMP, INTERVAL)`: the timestamp moved by the interval (`IntervalMath.addToTimestamp`).
    static func timestampPlusInterval(_ name: String, subtract: Bool) -> ScalarFunction {
        ScalarFunction(name, [.timestamp, .interval], .timestamp) { a, _, n, _ in
            let (t, x) = (IntRows(a[0]), IntervalRows(a[1]))
            return try intKernel([t, x], n, .timestamp) {
                try IntervalMath.addToTimestamp(t.values[$0 &* t.step], x.at($0), subtract: subtract)
            }
        }
    }

    /// to_years(n) ... to_microseconds(n): n units as an INTERVAL, as DuckDB's: years and longer
    /// and quarters in months, weeks and days in days (the count must fit INTEGER, the product the
    /// part: "Interval value 200000000 years out of range"), hours ... microseconds in microseconds.
    static let intervalConstructors: [ScalarFunction] =
        [
            ("to_millennia", "millennia", 12_000, 0), ("to_centuries", "centuries", 1_200, 0),
            ("to_decades", "decades", 120, 0), ("to_years", "years", 12, 0), ("to_quarters", "quarters", 3, 0),
            ("to_months", "months", 1, 0), ("to_weeks", "weeks", 7, 1), ("to_days", "days", 1, 1),
            ("to_hours", "hours", 3_600_000_000, 2), ("to_minutes", "minutes", 60_000_000, 2),
            ("to_microseconds", "microseconds", 1, 2),
        ].map { (name: String, unit: String, size: Int64, field: Int) in
            ScalarFunction(name, [.bigint], .interval) { a, _, n, _ in
                let x = IntRows(a[0])
                return try intervalKernel([x], n) { i in
                    let k = x.values[i &* x.step]
                    if field < 2 && Int32(exactly: k) == nil {
                        throw KuaiError(
                            .execution,
                            "Type INT64 with value \(k) can't be cast because the value is out of range for the destination type INT32"
                        )
                    }
                    let p = k.multipliedReportingOverflow(by: size)
                    guard !p.overflow, field == 2 || Int32(exactly: p.partialValue) != nil else {
                        throw KuaiError(.execution, "Interval value \(k) \(unit) out of range")
                    }
                    let v = p.partialValue
                    return field == 0
                        ? IntervalValue(months: Int32(v))
                        : field == 1 ? IntervalValue(days: Int32(v)) : IntervalValue(micros: v)
                }
            }
        }

    /// date_part / extract / year() ... of an INTERVAL, epoch(INTERVAL), date_trunc(part, INTERVAL).
    static let intervalParts: [ScalarFunction] =
        [
            ScalarFunction("date_part", [.varchar, .interval], .bigint) { a, _, n, e in
                let p = try intervalPart(a[0], e)
                let x = IntervalRows(a[1])
                return intKernel([x], n, .bigint) { IntervalMath.part(p, x.at($0)) ?? 0 }
            },
            ScalarFunction("epoch", [.interval], .double) { a, _, n, _ in
                let x = IntervalRows(a[0])
                guard let shape = KernelShape(count: n, [x]) else { return .scalar(.null) }
                var out = [Double](repeating: 0, count: shape.rows)
                for i in 0..<shape.rows { out[i] = IntervalMath.epoch(x.at(i)) }
                return shape.result(Column(doubles: out, validity: shape.validity))
            },
            ScalarFunction("date_trunc", [.varchar, .interval], .interval) { a, _, n, e in
                let p = try intervalPart(a[0], e)
                let x = IntervalRows(a[1])
                return try intervalKernel([x], n) {
                    guard let r = IntervalMath.truncate(p, x.at($0)) else {
                        throw KuaiError(.execution, "Specifier type not implemented for DATETRUNC")
                    }
                    return r
                }
            },
        ]
        + [
            ("year", DatePartWord.year), ("month", .month), ("day", .day), ("hour", .hour), ("minute", .minute),
            ("second", .second), ("millisecond", .millisecond), ("microsecond", .microsecond),
            ("quarter", .quarter), ("decade", .decade), ("century", .century), ("millennium", .millennium),
        ].map { name, p in
            ScalarFunction(name, [.interval], .bigint) { a, _, n, _ in
                let x = IntervalRows(a[0])
                return intKernel([x], n, .bigint) { IntervalMath.part(p, x.at($0)) ?? 0 }
            }
        }
}
