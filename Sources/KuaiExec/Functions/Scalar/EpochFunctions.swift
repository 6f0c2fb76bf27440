import KuaiCore

// epoch_ms, epoch, epoch_us, make_timestamp and the fused hour(epoch_ms(...)) of the workload.

extension FunctionRegistry {
    static let epochFunctions: [ScalarFunction] = [
        ScalarFunction("epoch_ms", [.bigint], .timestamp) { a, _, n, e in try epochMsToTimestamp(a[0], n, e) },
        /// epoch_ms(TIMESTAMP): milliseconds since 1970, rounded to the nearest, halves away from
        /// zero, as DuckDB 2.0.1 (-1,500 us is -2 ms, -1,499 us -1 ms, -1 us 0 ms).
        ScalarFunction("epoch_ms", [.timestamp], .bigint) { a, _, n, _ in
            mapInt(a[0], n, .bigint) { ($0 < 0 ? $0 &- 500 : $0 &+ 500) / 1000 }
        },
        /// Fused `hour(epoch_ms(ms))`: hour of day straight from epoch milliseconds (no timestamp).
        ScalarFunction("hour_of_epoch_ms", [.bigint], .bigint) { a, _, n, e in try hourOfEpochMs(a[0], n, e) },
        /// Fused `hour(epoch_ms(ms + offset))` with a constant offset (the China-time idiom).
        ScalarFunction("hour_of_epoch_ms_plus", [.bigint, .bigint], .bigint) { a, t, n, e in
            guard case .scalar(.int(let offset)) = a[1], case .column(let c) = a[0] else {
                let sum = try Kernels.arithmetic(.add, a[0], t[0], a[1], t[1], resultType: .bigint, count: n, expr: e)
                return try hourOfEpochMs(sum, n, e)
            }
            return try hourOfEpochMsPlus(c, offset, n, e)
        },
        /// epoch(t): seconds since 1970-01-01 with the fraction, a DOUBLE.
        ScalarFunction("epoch", [.timestamp], .double) { a, _, n, _ in mapDouble(a[0], n) { $0 / 1_000_000 } },
        /// epoch(interval): the interval's length in seconds, a DOUBLE (epoch(end - start)).
        /// make_timestamp(year, month, day, hour, minute, seconds): DuckDB's checks (a day that is not
        /// in the month is "Date out of range", a time beyond 24:00:00 "Time out of range"; hour 24
        /// is the next midnight); the fraction of `seconds` rounded to the microsecond.
        ScalarFunction("make_timestamp", [.bigint, .bigint, .bigint, .bigint, .bigint, .double], .timestamp) {
            a, _, n, _ in
            let parts = a[0..<5].map { Kernels.intArg($0) }
            let seconds = Kernels.doubleArg(a[5])
            return try strictInts(a, n, result: .timestamp) { i in
                try makeTimestamp(
                    parts[0].at(i), parts[1].at(i), parts[2].at(i), parts[3].at(i), parts[4].at(i), seconds.at(i))
            }
        },
        ScalarFunction("epoch_us", [.timestamp], .bigint) { a, _, _, _ in retype(a[0], .bigint) },
        ScalarFunction("make_timestamp", [.bigint], .timestamp) { a, _, _, _ in
            // DuckDB 2.0.1: +-Int64.max are its infinite timestamps, not microseconds.
            let infinite: (Int64) -> Bool = { $0 == Int64.max || $0 == -Int64.max }
            switch a[0] {
            case .scalar(.int(let v)) where infinite(v):
                throw KuaiError(.execution, "Timestamp microseconds out of range: \(v)")
            case .column(let c) where c.type != .null:
                if let i = firstInvalid(c, where: { infinite(c.ints[$0]) }) {
                    throw KuaiError(.execution, "Timestamp microseconds out of range: \(c.ints[i])")
                }
            default: break
            }
            return retype(a[0], .timestamp)
        },
    ]

    /// One make_timestamp(year, month, day, hour, minute, seconds) as microseconds since 1970.
    /// - Throws: `KuaiError.execution` with DuckDB's "Date out of range: 2025-2-30" or "Time out of
    ///   range: 1:60:0.000000".
    static func makeTimestamp(_ y: Int64, _ m: Int64, _ d: Int64, _ h: Int64, _ mi: Int64, _ sec: Double) throws
        -> Int64
    {
        guard (1...12).contains(m), d >= 1, d <= CivilDate.daysInMonth(year: y, month: Int(m)),
            (-290_000...290_000).contains(y)
        else { throw KuaiError(.execution, "Date out of range: \(y)-\(m)-\(d)") }
        let whole = sec.rounded(.towardZero)
        let micros = whole.isFinite ? ((sec - whole) * 1_000_000).rounded() : 0
        let time = Double(h) * 3_600_000_000 + Double(mi) * 60_000_000 + whole * 1_000_000 + micros
        guard h >= 0, mi >= 0, mi < 60, sec >= 0, sec < 60, time <= 86_400_000_000 else {
            throw KuaiError(.execution, "Time out of range: \(h):\(mi):\(fixed6(sec))")
        }
        return CivilDate.days(year: y, month: Int(m), day: Int(d)) * microsPerDay + Int64(time)
    }

    /// `x` with six decimals, as C's "%f" writes it (for DuckDB's messages).
    static func fixed6(_ x: Double) -> String {
        guard x.isFinite, Swift.abs(x) < 1e15 else { return "\(x)" }
        let scaled = Int64((Swift.abs(x) * 1_000_000).rounded())
        let fraction = String(scaled % 1_000_000)
        return (x < 0 ? "-" : "") + "\(scaled / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count)
            + fraction
    }

    static let maxEpochMs = Int64.max / 1000

    static func epochMsToTimestamp(_ x: Operand, _ n: Int, _ e: ScalarExpr) throws -> Operand {
        try checkEpochMsRange(x, e)
        return mapInt(x, n, .timestamp) { $0 &* 1000 }
    }

    static func checkEpochMsRange(_ x: Operand, _ e: ScalarExpr) throws {
        switch x {
        case .scalar(let v):
            if case .int(let i) = v, i > maxEpochMs || i < -maxEpochMs {
                throw KuaiError(
                    .execution,
                    "Overflow in epoch_ms: \(i) milliseconds is out of the TIMESTAMP range in expression \(e.name)")
            }
        case .column(let c):
            // the valid rows' range first; the first failing row only when it fails
            if let (lo, hi) = valueRange(c, count: c.ints.count), lo < -maxEpochMs || hi > maxEpochMs,
                let i = firstInvalid(c, where: { c.ints[$0] > maxEpochMs || c.ints[$0] < -maxEpochMs })
            {
                throw KuaiError(
                    .execution,
                    "Overflow in epoch_ms: \(c.ints[i]) milliseconds is out of the TIMESTAMP range in expression \(e.name)"
                )
            }
        }
    }

    /// hour(epoch_ms(ms + offset)). The valid rows' range is taken first: it checks the
    /// addition's overflow and the TIMESTAMP range once (the error names the first failing row,
    /// as DuckDB's row by row check), and when the rows span less than 2^32 ms (49 days) from the
    /// midnight before the smallest, each hour is two 32-bit divisions by constants of the
    /// offset from that midnight (eight rows a step with AVX-512, `VectorKernels.timePart`); else
    /// floorMod(ms + offset, 86,400,000) / 3,600,000 per row.
    static func hourOfEpochMsPlus(_ c: Column, _ offset: Int64, _ n: Int, _ e: ScalarExpr) throws -> Operand {
        guard let (lo, hi) = valueRange(c, count: n) else {
            return .column(Column(type: .bigint, ints: [Int64](repeating: 0, count: n), validity: c.validity))
        }
        let (a, oa) = lo.addingReportingOverflow(offset)
        let (b, ob) = hi.addingReportingOverflow(offset)
        if oa || ob || a < -maxEpochMs || b > maxEpochMs {
            let sum = try Kernels.arithmetic(
                .add, .column(c), .bigint, .scalar(.int(offset)), .bigint, resultType: .bigint, count: n, expr: e)
            try checkEpochMsRange(sum, e)
        }
        let midnight = floorDiv(a, 86_400_000) * 86_400_000
        let vals = c.ints.withUnsafeBufferPointer { src in
            [Int64](unsafeUninitializedCapacity: n) { out, filled in
                if b - midnight <= Int64(UInt32.max) {
                    // ms + offset - midnight is exact mod 2^32 and, on valid rows, below 2^32
                    let shift = offset &- midnight
                    if VectorKernels.isAvailable {
                        VectorKernels.timePart(
                            src.baseAddress!, n, shift: shift, divisor: 3_600_000, modulus: 24, into: out.baseAddress!)
                    } else {
                        for i in 0..<n {
                            let sinceMidnight = UInt32(truncatingIfNeeded: src[i] &+ shift)
                            out[i] = Int64(sinceMidnight / 3_600_000 % 24)
                        }
                    }
                } else {
                    for i in 0..<n { out[i] = floorMod(src[i] &+ offset, 86_400_000) / 3_600_000 }
                }
                filled = n
            }
        }
        return .column(Column(type: .bigint, ints: vals, validity: c.validity))
    }

    /// hour(epoch_ms(ms)) = floorMod(ms, 86_400_000) / 3_600_000, with the TIMESTAMP range check
    /// of epoch_ms (the column case is `hourOfEpochMsPlus` with offset 0).
    static func hourOfEpochMs(_ x: Operand, _ n: Int, _ e: ScalarExpr) throws -> Operand {
        guard case .column(let c) = x else {
            try checkEpochMsRange(x, e)
            return mapInt(x, n, .bigint) { v in floorMod(v, 86_400_000) / 3_600_000 }
        }
        return try hourOfEpochMsPlus(c, 0, n, e)
    }
}
