import KuaiCore

extension Kernels {
    /// Whether CAST(from AS to) is allowed (DuckDB's explicit cast table, restricted to kuai's types).
    public static func canCast(from: DataType, to: DataType) -> Bool {
        if from == to || from == .null || to == .varchar || from == .varchar { return true }
        switch (from, to) {
        case (.boolean, .integer), (.boolean, .bigint), (.boolean, .hugeint), (.boolean, .double), (.boolean, .decimal):
            return true
        case (.decimal, _): return to.isNumeric || to == .boolean
        case (.integer, _), (.bigint, _), (.hugeint, _):
            return to.isNumeric || to == .boolean
        case (.double, _): return to.isNumeric || to == .boolean
        case (.date, .timestamp), (.timestamp, .date): return true
        default: return false
        }
    }

    /// CAST / TRY_CAST of an operand (DuckDB semantics: DOUBLE to integer rounds half to even and
    /// raises when out of range; VARCHAR parses, raising `Could not convert string ...`).
    static func cast(_ x: Operand, from: DataType, to: DataType, isTry: Bool, count n: Int, expr: ScalarExpr) throws
        -> Operand
    {
        if from == to { return x }
        switch x {
        case .scalar(let v):
            if v.isNull { return .scalar(.null) }
            let c = Column.broadcast(v, type: from, count: 1)
            let r = try castColumn(c, from: from, to: to, isTry: isTry, expr: expr)
            // A HUGEINT beyond Int64 stays a column (operands are never `.hugeint` scalars).
            if let h = r.highs, r.isValid(0), h[0] != r.ints[0] >> 63 {
                return .column(Column.broadcastHugeint(r.int128(at: 0), count: n, type: to))
            }
            return .scalar(r.value(at: 0).normalized(to))
        case .column(let c):
            return .column(try castColumn(c, from: from, to: to, isTry: isTry, expr: expr))
        }
    }

    public static func integerRange(_ t: DataType) -> ClosedRange<Int64> {
        switch t {
        case .integer: return Int64(Int32.min)...Int64(Int32.max)
        case .boolean: return 0...1
        default: return Int64.min...Int64.max
        }
    }

    static func castColumn(_ c: Column, from: DataType, to: DataType, isTry: Bool, expr: ScalarExpr) throws -> Column {
        let n = c.count
        if from == .null { return Column.nulls(to, count: n) }
        if to.isDecimal { return try castToDecimal(c, from: from, to: to, isTry: isTry, expr: expr) }
        if from.isDecimal { return try castFromDecimal(c, from: from, to: to, isTry: isTry, expr: expr) }
        if c.highs != nil { return try castWide(c, to: to, isTry: isTry, expr: expr) }
        if to == .varchar { return castToVarchar(c, from: from) }
        if from == .varchar { return try castFromVarchar(c, to: to, isTry: isTry, expr: expr) }
        switch (from, to) {
        case (.date, .timestamp):
            return Column(type: .timestamp, ints: c.ints.map { $0 &* 86_400_000_000 }, validity: c.validity)
        case (.timestamp, .date):
            let perDay: Int64 = 86_400_000_000
            return Column(
                type: .date,
                ints: c.ints.map { v in
                    let d = v / perDay
                    return (v % perDay < 0) ? d - 1 : d
                }, validity: c.validity)
        case (.double, .double): return c
        case (_, .double): return Column(doubles: c.ints.map { Double($0) }, validity: c.validity)
        case (.double, .boolean):
            return Column(type: .boolean, ints: c.doubles.map { $0 != 0 ? 1 : 0 }, validity: c.validity)
        case (_, .boolean): return Column(type: .boolean, ints: c.ints.map { $0 != 0 ? 1 : 0 }, validity: c.validity)
        case (.double, _): return try castDoubleToInteger(c, to: to, isTry: isTry, expr: expr)
        default: break
        }
        // integer to integer: a range check
        let range = integerRange(to)
        if range == Int64.min...Int64.max {
            var r = c
            r.type = to
            return r
        }
        var failures = CastFailures(isTry: isTry, validity: c.validity, count: n)
        var out = c.ints
        for i in 0..<n where c.isValid(i) && !range.contains(out[i]) {
            try failures.fail(
                i,
                "Type \(physicalName(from)) with value \(out[i]) can't be cast because the value is out of range for the destination type \(physicalName(to)) in expression \(expr.name)"
            )
            out[i] = 0
        }
        return Column(type: to, ints: out, validity: failures.validity)
    }

    /// DOUBLE to an integer type: rounded half to even, within the type's range (HUGEINT: the
    /// 128-bit range).
    static func castDoubleToInteger(_ c: Column, to: DataType, isTry: Bool, expr: ScalarExpr) throws -> Column {
        let n = c.count
        var failures = CastFailures(isTry: isTry, validity: c.validity, count: n)
        func outOfRange(_ i: Int) throws {
            try failures.fail(
                i,
                "Type DOUBLE with value \(ValueFormatter.double(c.doubles[i])) can't be cast because the value is out of range for the destination type \(to == .hugeint ? "INT128" : physicalName(to)) in expression \(expr.name)"
            )
        }
        if to == .hugeint {
            var out = [Int128](repeating: 0, count: n)
            for i in 0..<n where c.isValid(i) {
                let d = c.doubles[i].rounded(.toNearestOrEven)
                if d.isFinite && d >= -1.7014118346046923e38 && d < 1.7014118346046923e38, let v = Int128(exactly: d) {
                    out[i] = v
                } else {
                    try outOfRange(i)
                }
            }
            return Column(hugeints: out, validity: failures.validity)
        }
        let range = integerRange(to)
        var out = [Int64](repeating: 0, count: n)
        for i in 0..<n where c.isValid(i) {
            let d = c.doubles[i].rounded(.toNearestOrEven)
            if d.isFinite && d >= -9.223372036854775808e18 && d < 9.223372036854775808e18 && range.contains(Int64(d)) {
                out[i] = Int64(d)
            } else {
                try outOfRange(i)
            }
        }
        return Column(type: to, ints: out, validity: failures.validity)
    }

    /// The rows a cast cannot convert: TRY_CAST makes them NULL (`validity`), CAST throws.
    struct CastFailures {
        let isTry: Bool
        /// The input's validity, then with the failed rows of a TRY_CAST cleared.
        var validity: [UInt8]?
        /// Rows in all.
        let count: Int

        /// Row `i` failed: NULL under TRY_CAST, else `KuaiError.execution` with `message`.
        mutating func fail(_ i: Int, _ message: @autoclosure () -> String) throws {
            guard isTry else { throw KuaiError(.execution, message()) }
            if validity == nil { validity = [UInt8](repeating: 1, count: count) }
            validity![i] = 0
        }
    }

    /// DuckDB's text of one non-NULL value of `type`.
    public static func text(_ c: Column, _ i: Int) -> String {
        switch c.type {
        case .varchar: return c.stringView(at: i).string
        case .double: return ValueFormatter.double(c.doubles[i])
        case .boolean: return c.ints[i] != 0 ? "true" : "false"
        case .date: return ValueFormatter.date(c.ints[i])
        case .timestamp: return ValueFormatter.timestamp(c.ints[i])
        case .interval: return ValueFormatter.interval(c.ints[i])
        case .decimal(let p, let s): return DecimalMath.text(c.int128(at: i), precision: Int(p), scale: Int(s))
        default:
            if let h = c.highs, h[i] != c.ints[i] >> 63 { return String(c.int128(at: i)) }
            return String(c.ints[i])
        }
    }

    static func castToVarchar(_ c: Column, from: DataType) -> Column {
        castToVarcharFlat(c, from: from)
    }

    /// Parses an integer the way DuckDB's string-to-integer cast accepts it (`IntegerText`: exact,
    /// a decimal fraction rounds); nil when it is not a number or lies outside BIGINT.
    static func parseInteger(_ s: String) -> Int64? {
        IntegerText.parse(s, min: Int128(Int64.min), max: Int128(Int64.max)).map { Int64($0) }
    }

    /// Parses a DOUBLE the way DuckDB's string-to-double cast accepts it: decimal digits (single
    /// underscores between digits allowed), a fraction, an exponent, inf / infinity / nan; never
    /// hexadecimal (Swift's `Double("0x10")` is 16, DuckDB refuses it).
    static func parseDouble(_ s: String) -> Double? {
        let t = s.trimmingSpaces()
        let u = Array(t.utf8)
        if u.contains(where: { $0 | 0x20 == UInt8(ascii: "x") }) { return nil }
        guard u.contains(UInt8(ascii: "_")) else { return Double(t) }
        func digit(_ i: Int) -> Bool { i >= 0 && i < u.count && u[i] >= 48 && u[i] <= 57 }
        var kept: [UInt8] = []
        for (i, c) in u.enumerated() {
            if c != UInt8(ascii: "_") {
                kept.append(c)
            } else if !(digit(i - 1) && digit(i + 1)) {
                return nil
            }
        }
        return Double(String(decoding: kept, as: UTF8.self))
    }

    static func castFromVarchar(_ c: Column, to: DataType, isTry: Bool, expr: ScalarExpr) throws -> Column {
        let c = c.dictionaryEncoded()
        let n = c.count
        let dict = c.dictionary!
        var validity = c.validity ?? [UInt8](repeating: 1, count: n)
        if to == .hugeint { return try castVarcharToHugeint(c, isTry: isTry, expr: expr) }
        // Parse each distinct code once.
        var parsedInts = [Int64](repeating: 0, count: dict.count)
        var parsedDoubles = [Double](repeating: 0, count: dict.count)
        var state = [Int8](repeating: -1, count: dict.count)  // -1 unparsed, 0 bad, 1 ok
        var ints = [Int64](repeating: 0, count: to == .double ? 0 : n)
        var doubles = [Double](repeating: 0, count: to == .double ? n : 0)
        for i in 0..<n where validity[i] != 0 {
            let code = Int(c.codes[i])
            if state[code] < 0 {
                let s = dict.values[code]
                var ok = true
                switch to {
                case .double:
                    if let d = parseDouble(s) { parsedDoubles[code] = d } else { ok = false }
                case .date:
                    if let d = ValueFormatter.parseDate(s) { parsedInts[code] = d } else { ok = false }
                case .timestamp:
                    if let d = ValueFormatter.parseTimestamp(s) { parsedInts[code] = d } else { ok = false }
                case .boolean:
                    switch s.trimmingSpaces().lowercased() {
                    case "true", "t", "1", "yes", "y": parsedInts[code] = 1
                    case "false", "f", "0", "no", "n": parsedInts[code] = 0
                    default: ok = false
                    }
                default:
                    if let v = parseInteger(s), integerRange(to).contains(v) {
                        parsedInts[code] = v
                    } else {
                        ok = false
                    }
                }
                state[code] = ok ? 1 : 0
            }
            if state[code] == 0 {
                if isTry {
                    validity[i] = 0
                    continue
                }
                let what: String
                switch to {
                case .date:
                    what = "date field value out of range: \"\(dict.values[code])\", expected format is (YYYY-MM-DD)"
                case .timestamp:
                    what =
                        "timestamp field value out of range: \"\(dict.values[code])\", expected format is (YYYY-MM-DD HH:MM:SS[.US][±HH:MM| ZONE])"
                default:
                    what =
                        "Could not convert string '\(dict.values[code])' to \(to == .boolean ? "BOOL" : physicalName(to))"
                }
                throw KuaiError(.execution, "\(what) in expression \(expr.name)")
            }
            if to == .double { doubles[i] = parsedDoubles[code] } else { ints[i] = parsedInts[code] }
        }
        let v: [UInt8]? = validity.contains(0) ? validity : nil
        return to == .double ? Column(doubles: doubles, validity: v) : Column(type: to, ints: ints, validity: v)
    }
}

extension Kernels {
    /// VARCHAR to HUGEINT: integers of the whole 128-bit range (a decimal fraction rounds, as
    /// the other integer casts).
    static func castVarcharToHugeint(_ c: Column, isTry: Bool, expr: ScalarExpr) throws -> Column {
        let c = c.dictionaryEncoded()
        let n = c.count
        let dict = c.dictionary!
        var validity = c.validity ?? [UInt8](repeating: 1, count: n)
        var parsed = [Int128?](repeating: nil, count: dict.count)
        var done = [Bool](repeating: false, count: dict.count)
        var out = [Int128](repeating: 0, count: n)
        for i in 0..<n where validity[i] != 0 {
            let code = Int(c.codes[i])
            if !done[code] {
                parsed[code] = IntegerText.parse(dict.values[code], min: .min, max: .max)
                done[code] = true
            }
            if let v = parsed[code] {
                out[i] = v
                continue
            }
            if isTry {
                validity[i] = 0
                continue
            }
            throw KuaiError(
                .execution, "Could not convert string '\(dict.values[code])' to INT128 in expression \(expr.name)")
        }
        return Column(hugeints: out, validity: validity.contains(0) ? validity : nil)
    }
}

extension Value {
    /// The value in the canonical boxed form for `type` (BOOLEAN as `.bool`).
    func normalized(_ type: DataType) -> Value {
        if type == .boolean, case .int(let i) = self { return .bool(i != 0) }
        return self
    }
}
