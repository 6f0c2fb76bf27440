import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Converters from the bytes of one CSV field to a column value: the general (slow) path used
/// for quoted fields, fields with surrounding spaces, long numbers and type inference. The chunk
/// parser inlines its own fast paths for the common shapes and falls back to these.
enum FieldParse {
    /// Result of a conversion: the value, or the reason it failed in the user's terms.
    enum Outcome<T> {
        case value(T)
        case failure(String)

        /// Writes the value at index `row` of the `T` values at `values`; the reason when it failed.
        @inline(__always)
        func store(into values: UnsafeMutableRawPointer, at row: Int) -> String? {
            switch self {
            case .value(let v):
                values.assumingMemoryBound(to: T.self)[row] = v
                return nil
            case .failure(let reason): return reason
            }
        }
    }

    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

    /// Strips ASCII spaces and tabs at both ends (DuckDB trims them around numbers and dates).
    static func trim(_ p: UnsafePointer<UInt8>, _ n: Int) -> (UnsafePointer<UInt8>, Int) {
        var s = 0
        var e = n
        while s < e && (p[s] == CSVByte.space || p[s] == CSVByte.tab) { s += 1 }
        while e > s && (p[e - 1] == CSVByte.space || p[e - 1] == CSVByte.tab) { e -= 1 }
        return (p + s, e - s)
    }

    /// A BIGINT: optional spaces, optional `+` or `-`, one or more ASCII digits, optional spaces.
    /// Values outside -9223372036854775808...9223372036854775807 fail with "too large".
    static func bigint(_ p0: UnsafePointer<UInt8>, _ n0: Int) -> Outcome<Int64> {
        let (p, n) = trim(p0, n0)
        var i = 0
        var negative = false
        if n > 0 && (p[0] == CSVByte.minus || p[0] == CSVByte.plus) {
            negative = p[0] == CSVByte.minus
            i = 1
        }
        if i == n { return .failure("expected a BIGINT (64-bit integer), found \(describeField(p0, n0))") }
        var magnitude: UInt64 = 0
        var overflow = false
        while i < n {
            let d = p[i] &- 0x30
            if d > 9 { return .failure("expected a BIGINT (64-bit integer), found \(describeField(p0, n0))") }
            if !overflow {
                let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(d))
                if o1 || o2 { overflow = true } else { magnitude = a }
            }
            i += 1
        }
        let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        if overflow || magnitude > limit {
            return .failure(
                "number too large for BIGINT (range -9223372036854775808 to 9223372036854775807): \(describeField(p0, n0))"
            )
        }
        if negative { return .value(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)) }
        return .value(Int64(magnitude))
    }

    /// A DATE written `YYYY-MM-DD` (a valid Gregorian calendar date), optional surrounding
    /// spaces; the value is days since 1970-01-01.
    static func date(_ p0: UnsafePointer<UInt8>, _ n0: Int) -> Outcome<Int64> {
        let (p, n) = trim(p0, n0)
        if let v = strictDate(p, n) { return .value(v) }
        return .failure("expected a DATE written YYYY-MM-DD, found \(describeField(p0, n0))")
    }

    /// A field of an inferred TIMESTAMP column (`TemporalText.csvTimestamp`): microseconds.
    static func timestamp(_ p: UnsafePointer<UInt8>, _ n: Int) -> Outcome<Int64> {
        if let v = TemporalText.csvTimestamp(UnsafeBufferPointer(start: p, count: n)) { return .value(v) }
        return .failure("expected a TIMESTAMP written YYYY-MM-DD HH:MM:SS[.ffffff], found \(describeField(p, n))")
    }

    /// A field of an inferred TIME column (`TemporalText.csvTime`): microseconds since midnight.
    static func time(_ p: UnsafePointer<UInt8>, _ n: Int) -> Outcome<Int64> {
        if let v = TemporalText.csvTime(UnsafeBufferPointer(start: p, count: n)) { return .value(v) }
        return .failure("expected a TIME written HH:MM[:SS[.ffffff]], found \(describeField(p, n))")
    }

    /// Exactly ten bytes `YYYY-MM-DD` with a valid month and day, or nil.
    @inline(__always)
    static func strictDate(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        guard n == 10, isDigit(p[0]), isDigit(p[1]), isDigit(p[2]), isDigit(p[3]), p[4] == CSVByte.minus,
            isDigit(p[5]), isDigit(p[6]), p[7] == CSVByte.minus, isDigit(p[8]), isDigit(p[9])
        else { return nil }
        let y = Int(p[0] &- 48) * 1000 + Int(p[1] &- 48) * 100 + Int(p[2] &- 48) * 10 + Int(p[3] &- 48)
        let m = Int(p[5] &- 48) * 10 + Int(p[6] &- 48)
        let d = Int(p[8] &- 48) * 10 + Int(p[9] &- 48)
        guard m >= 1 && m <= 12 && d >= 1 && d <= CivilDate.daysInMonth(year: Int64(y), month: m) else { return nil }
        return CivilDate.days(year: Int64(y), month: m, day: d)
    }

    /// True when the bytes match `[+-]?(digits[.digits?]|.digits)([eE][+-]?digits)?`.
    static func isDecimalNumber(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        if i < n && (p[i] == CSVByte.minus || p[i] == CSVByte.plus) { i += 1 }
        var digits = 0
        while i < n && isDigit(p[i]) {
            i += 1
            digits += 1
        }
        if i < n && p[i] == 0x2E {
            i += 1
            while i < n && isDigit(p[i]) {
                i += 1
                digits += 1
            }
        }
        if digits == 0 { return false }
        if i < n && (p[i] == 0x65 || p[i] == 0x45) {
            i += 1
            if i < n && (p[i] == CSVByte.minus || p[i] == CSVByte.plus) { i += 1 }
            var e = 0
            while i < n && isDigit(p[i]) {
                i += 1
                e += 1
            }
            if e == 0 { return false }
        }
        return i == n
    }

    /// A DOUBLE: a decimal number as `isDecimalNumber` accepts (optional surrounding spaces),
    /// converted with correct rounding by the C library's `strtod`.
    static func double(_ p0: UnsafePointer<UInt8>, _ n0: Int) -> Outcome<Double> {
        let (p, n) = trim(p0, n0)
        guard isDecimalNumber(p, n) else {
            return .failure("expected a DOUBLE (decimal number), found \(describeField(p0, n0))")
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf in
            UnsafeMutableRawPointer(buf.baseAddress!).copyMemory(from: p, byteCount: n)
            buf[n] = 0
            return .value(strtod(buf.baseAddress!, nil))
        }
    }

    /// A BOOLEAN, as DuckDB 2.0.1's CSV reader reads one: `true`, `t`, `yes` (1) or `false`, `f`, `no`
    /// (0), in any letter case (optional surrounding spaces). `y`, `n`, `1` and `0` are not booleans here.
    static func boolean(_ p0: UnsafePointer<UInt8>, _ n0: Int) -> Outcome<Int64> {
        let (p, n) = trim(p0, n0)
        @inline(__always) func lower(_ i: Int) -> UInt8 { p[i] | 0x20 }
        switch n {
        case 1:
            if lower(0) == UInt8(ascii: "t") { return .value(1) }
            if lower(0) == UInt8(ascii: "f") { return .value(0) }
        case 2:
            if lower(0) == UInt8(ascii: "n") && lower(1) == UInt8(ascii: "o") { return .value(0) }
        case 3:
            if lower(0) == UInt8(ascii: "y") && lower(1) == UInt8(ascii: "e") && lower(2) == UInt8(ascii: "s") {
                return .value(1)
            }
        case 4:
            if lower(0) == 0x74 && lower(1) == 0x72 && lower(2) == 0x75 && lower(3) == 0x65 { return .value(1) }
        case 5:
            if lower(0) == 0x66 && lower(1) == 0x61 && lower(2) == 0x6C && lower(3) == 0x73 && lower(4) == 0x65 {
                return .value(0)
            }
        default: break
        }
        return .failure("expected a BOOLEAN (true, false, t, f, yes or no), found \(describeField(p0, n0))")
    }
}
