import KuaiCore

#if canImport(Glibc)
    import Glibc
#endif

extension Kernels {
    /// Whether CAST(from AS to) is allowed (DuckDB's explicit cast table, restricted to kuai's types).
    public static func canCast(from: DataType, to: DataType) -> Bool {
        // LIST: to VARCHAR (its text) or to a list of a castable element type; nothing else
        if case .list(let a) = from {
            if case .list(let b) = to { return canCast(from: a, to: b) }
            return to == .varchar
        }
        if to.isList { return from == .null || from == .varchar }
        // STRUCT: to VARCHAR, or to a STRUCT of as many fields with the same names (an unnamed side
        // matches by position) whose types cast; MAP: to VARCHAR or a MAP whose keys and values cast
        if case .structure(let a) = from {
            if to == .varchar { return true }
            guard case .structure(let b) = to, a.count == b.count else { return false }
            return zip(a, b).allSatisfy {
                ($0.name.isEmpty || $1.name.isEmpty || $0.name.lowercased() == $1.name.lowercased())
                    && canCast(from: $0.type, to: $1.type)
            }
        }
        if case .map(let k, let v) = from {
            if to == .varchar { return true }
            guard case .map(let k2, let v2) = to else { return false }
            return canCast(from: k, to: k2) && canCast(from: v, to: v2)
        }
        if to.isStruct || to.isMap { return from == .null }
        if from == to || from == .null || to == .varchar || from == .varchar { return true }
        if from.isNumeric || from == .boolean { return to.isNumeric || to == .boolean }
        switch (from, to) {
        case (.date, .timestamp), (.timestamp, .date), (.timestamp, .time): return true
        case (.date, .timestamptz), (.timestamptz, .date), (.timestamp, .timestamptz), (.timestamptz, .timestamp):
            return true
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
            if to.isList {
                // a list has no `Value`: the one row repeated (its child shared)
                return .column(
                    Column(
                        listOf: to.listElement ?? .null, packed: [Int64](repeating: r.ints[0], count: n),
                        child: r.listElements, validity: r.validity.map { [UInt8](repeating: $0[0], count: n) }))
            }
            // A HUGEINT beyond Int64 stays a column (operands are never `.hugeint` scalars).
            if let h = r.highs, r.isValid(0), h[0] != r.ints[0] >> 63 {
                return .column(Column.broadcastHugeint(r.int128(at: 0), count: n, type: to))
            }
            return .scalar(r.value(at: 0).normalized(to))
        case .column(let c):
            return .column(try castColumn(c, from: from, to: to, isTry: isTry, expr: expr))
        }
    }

    /// The values `t` holds in Int64 storage (`DataType.integerRange`).
    public static func integerRange(_ t: DataType) -> ClosedRange<Int64> { t.integerRange }

    static func castColumn(_ c: Column, from: DataType, to: DataType, isTry: Bool, expr: ScalarExpr) throws -> Column {
        let n = c.count
        if from == .null { return Column.nulls(to, count: n) }
        if case .list(let a) = from {
            if to == .varchar { return listToVarchar(c) }
            guard case .list(let b) = to else { return try unimplementedCast(c, from: from, to: to, isTry: isTry) }
            // the elements cast one by one; rows keep their (offset, length)
            let child = try castColumn(c.listElements, from: a, to: b, isTry: isTry, expr: expr)
            return Column(listOf: b, packed: c.ints, child: child, validity: c.validity)
        }
        if from.isStruct || from.isMap {
            if to == .varchar { return nestedToVarchar(c) }
            guard canCast(from: from, to: to) else { return try unimplementedCast(c, from: from, to: to, isTry: isTry) }
            if case .map = to {
                // the entries cast as a STRUCT(key, value); rows keep their (offset, length)
                let entries = try castColumn(
                    c.listElements, from: from.mapEntry!, to: to.mapEntry!, isTry: isTry, expr: expr)
                return Column(mapOf: to, packed: c.ints, entries: entries, validity: c.validity)
            }
            // each field cast on its own; rows keep their indexes into the fields
            let a = from.structFields
            let b = to.structFields
            let fields = try c.structFieldColumns.enumerated().map { k, f in
                try castColumn(f, from: a[k].type, to: b[k].type, isTry: isTry, expr: expr)
            }
            return Column(structOf: to, rows: c.ints, fields: fields, validity: c.validity)
        }
        if !canCast(from: from, to: to) { return try unimplementedCast(c, from: from, to: to, isTry: isTry) }
        if to.isList { return try varcharToList(c, to: to, isTry: isTry, expr: expr) }
        if to.isDecimal { return try castToDecimal(c, from: from, to: to, isTry: isTry, expr: expr) }
        if from.isDecimal { return try castFromDecimal(c, from: from, to: to, isTry: isTry, expr: expr) }
        if c.highs != nil && from != .interval { return try castWide(c, to: to, isTry: isTry, expr: expr) }
        if to == .varchar { return castToVarchar(c, from: from) }
        if from == .varchar { return try castFromVarchar(c, to: to, isTry: isTry, expr: expr) }
        if from == .timestamptz || to == .timestamptz { return castTimeZone(c, from: from, to: to) }
        switch (from, to) {
        case (.date, .timestamp):
            return Column(type: .timestamp, ints: c.ints.map { $0 &* 86_400_000_000 }, validity: c.validity)
        case (.timestamp, .time):
            // the time of day (DuckDB: 1969-12-31 23:00:00 is 23:00:00)
            let perDay: Int64 = 86_400_000_000
            return Column(
                type: .time,
                ints: c.ints.map { v in
                    let r = v % perDay
                    return r < 0 ? r + perDay : r
                }, validity: c.validity)
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

    /// A cast between types that have no conversion (`DATE` to `SMALLINT`, `BOOLEAN` to `DATE`, anything to
    /// `INTERVAL` but VARCHAR): DuckDB binds it and fails per value, so TRY_CAST gives all NULLs and CAST
    /// gives NULLs for NULL rows but raises `Unimplemented type for cast (DATE -> SMALLINT)` for the first
    /// non-NULL row (an empty or all-NULL input succeeds).
    /// - Throws: `KuaiError.execution` when CAST meets a non-NULL value.
    static func unimplementedCast(_ c: Column, from: DataType, to: DataType, isTry: Bool) throws -> Column {
        if !isTry, (0..<c.count).contains(where: { c.isValid($0) }) {
            throw KuaiError(.execution, "Unimplemented type for cast (\(from) -> \(to))")
        }
        return Column.nulls(to, count: c.count)
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
        case .list, .structure, .map:
            // the text column owns the bytes its view points to: keep it alive while they are read
            let text = nestedToVarchar(c.slice(i..<(i + 1)))
            return withExtendedLifetime(text) { text.stringView(at: 0).string }
        case .varchar: return c.stringView(at: i).string
        case .double: return ValueFormatter.double(c.doubles[i])
        case .boolean: return c.ints[i] != 0 ? "true" : "false"
        case .date: return ValueFormatter.date(c.ints[i])
        case .timestamp: return ValueFormatter.timestamp(c.ints[i])
        case .timestamptz: return ValueFormatter.timestamptz(c.ints[i])
        case .time: return ValueFormatter.time(c.ints[i])
        case .interval: return ValueFormatter.interval(c.interval(at: i))
        case .decimal(let p, let s): return DecimalMath.text(c.int128(at: i), precision: Int(p), scale: Int(s))
        default:
            if let h = c.highs, h[i] != c.ints[i] >> 63 { return String(c.int128(at: i)) }
            return String(c.ints[i])
        }
    }

    static func castToVarchar(_ c: Column, from: DataType) -> Column {
        castToVarcharFlat(c, from: from)
    }

    /// Parses a DOUBLE the way DuckDB's string-to-double cast accepts it: leading and trailing
    /// white space (bytes 9-13 and 32) skipped, decimal digits (single underscores between digits
    /// allowed), a fraction, an exponent, inf / infinity / nan; never hexadecimal. The digits are
    /// converted with correct rounding by the C library's `strtod` (the process keeps the "C"
    /// LC_NUMERIC locale, so the decimal point is '.').
    static func parseDouble(_ u: UnsafeBufferPointer<UInt8>) -> Double? {
        @inline(__always) func isSpace(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }
        @inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        var a = 0
        var b = u.count
        while a < b && isSpace(u[a]) { a += 1 }
        while b > a && isSpace(u[b - 1]) { b -= 1 }
        guard a < b, b - a < 512 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: b - a + 1) { buf -> Double? in
            var n = 0
            for i in a..<b {
                let c = u[i]
                if c | 0x20 == UInt8(ascii: "x") || c == 0 { return nil }
                if c == UInt8(ascii: "_") {
                    guard i > a, i + 1 < b, isDigit(u[i - 1]), isDigit(u[i + 1]) else { return nil }
                    continue
                }
                buf[n] = CChar(bitPattern: c)
                n += 1
            }
            buf[n] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(buf.baseAddress!, &end)
            guard let end, end == buf.baseAddress! + n else { return nil }
            return v
        }
    }

    /// DuckDB's string-to-BOOLEAN cast: true / t / yes / y / 1 and false / f / no / n / 0, any
    /// case, nothing else (no white space: `try_cast(' true ' AS BOOLEAN)` is NULL).
    static func parseBoolean(_ u: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard u.count <= 5 else { return nil }
        var w: UInt64 = 0
        for (k, c) in u.enumerated() { w |= UInt64(c >= 65 && c <= 90 ? c | 0x20 : c) << (8 * UInt64(k)) }
        switch w {
        case 0x65_7572_74, 0x74, 0x73_6579, 0x79, 0x31: return 1  // true t yes y 1
        case 0x65_736C_6166, 0x66, 0x6F_6E, 0x6E, 0x30: return 0  // false f no n 0
        default: return nil
        }
    }

    /// CAST / TRY_CAST from VARCHAR (DuckDB's rules per target: `IntegerText`, `parseDouble`,
    /// `ValueFormatter.parseDate` / `parseTimestamp`, `parseBoolean`), over bytes: a dictionary
    /// column parses each entry its rows use once, a flat column each row's view; no Swift String
    /// per row. Throws DuckDB's conversion error naming the first failing value unless `isTry`.
    static func castFromVarchar(_ c: Column, to: DataType, isTry: Bool, expr: ScalarExpr) throws -> Column {
        switch to {
        case .hugeint:
            let (v, valid) = try parseEach(c, isTry: isTry, expr: expr, to: to, zero: Int128(0)) {
                IntegerText.parse($0, min: .min, max: .max)
            }
            return Column(hugeints: v, validity: valid)
        case .double:
            let (v, valid) = try parseEach(c, isTry: isTry, expr: expr, to: to, zero: 0.0, parseDouble)
            return Column(doubles: v, validity: valid)
        case .date, .timestamp:
            var infinite = false
            let (v, valid) = try parseEach(c, isTry: isTry, expr: expr, to: to, zero: Int64(0)) { u in
                if let x = to == .date ? TemporalText.date(u) : TemporalText.timestamp(u) { return x }
                if TemporalText.isInfinity(u) { infinite = true }
                return nil
            }
            if infinite { throw infiniteTemporal(to, expr) }
            return Column(type: to, ints: v, validity: valid)
        case .timestamptz: return try castToTimestampTZ(c, isTry: isTry, expr: expr)
        case .time:
            let (v, valid) = try parseEach(c, isTry: isTry, expr: expr, to: to, zero: Int64(0), TemporalText.timeOfDay)
            return Column(type: .time, ints: v, validity: valid)
        case .boolean:
            let (v, valid) = try parseEach(c, isTry: isTry, expr: expr, to: to, zero: Int64(0), parseBoolean)
            return Column(type: to, ints: v, validity: valid)
        case .interval:
            // DuckDB's own message for the failing row (the last one parsed when parseEach stops).
            var failure: IntervalText.Failure? = nil
            do {
                let (v, valid) = try parseEach(c, isTry: isTry, expr: expr, to: to, zero: IntervalValue()) { u in
                    switch IntervalText.parse(u) {
                    case .value(let x):
                        failure = nil
                        return x
                    case .invalid:
                        failure = nil
                        return nil
                    case .error(let f):
                        failure = f
                        return nil
                    }
                }
                return Column(intervalMicros: v.map(\.micros), packed: v.map(\.packed), validity: valid)
            } catch let e as KuaiError {
                guard let failure else { throw e }
                throw KuaiError(.execution, "\(failure.message) in expression \(expr.name)")
            }
        default:
            let range = integerRange(to)
            let (v, valid) = try parseEach(c, isTry: isTry, expr: expr, to: to, zero: Int64(0)) {
                IntegerText.parse($0, min: Int128(range.lowerBound), max: Int128(range.upperBound)).map { Int64($0) }
            }
            return Column(type: to, ints: v, validity: valid)
        }
    }

    /// The error for a text DuckDB reads as an infinite DATE / TIMESTAMP / TIMESTAMPTZ ('infinity',
    /// '-inf': `TemporalText.isInfinity`): kuai has no infinite values, so even TRY_CAST raises it
    /// rather than answer NULL where DuckDB answers `infinity`.
    static func infiniteTemporal(_ to: DataType, _ expr: ScalarExpr) -> KuaiError {
        KuaiError(
            .execution, "infinite \(to) values ('infinity', '-infinity') are not supported in expression \(expr.name)")
    }

    /// The values of a VARCHAR column parsed by `parse` (nil: not convertible) and the validity
    /// (nil when every row is valid). NULL rows stay NULL; a failing row is NULL when `isTry`, else
    /// the error.
    private static func parseEach<T>(
        _ c: Column, isTry: Bool, expr: ScalarExpr, to: DataType, zero: T,
        _ parse: (UnsafeBufferPointer<UInt8>) -> T?
    ) throws -> ([T], [UInt8]?) {
        let n = c.count
        var out = [T](repeating: zero, count: n)
        var validity = c.validity ?? [UInt8](repeating: 1, count: n)
        var failed: Int? = nil
        if let dict = c.dictionary {
            // Each entry used by a valid row parsed once: -1 not parsed yet, 0 failed, 1 parsed.
            var state = [Int8](repeating: -1, count: dict.count)
            var parsed = [T](repeating: zero, count: dict.count)
            for i in 0..<n where validity[i] != 0 {
                let code = Int(c.codes[i])
                if state[code] < 0 {
                    var s = dict.values[code]
                    if let v = s.withUTF8({ parse($0) }) {
                        parsed[code] = v
                        state[code] = 1
                    } else {
                        state[code] = 0
                    }
                }
                if state[code] == 1 {
                    out[i] = parsed[code]
                } else if isTry {
                    validity[i] = 0
                } else {
                    failed = i
                    break
                }
            }
        } else {
            c.views.withUnsafeBufferPointer { views in
                for i in 0..<n where validity[i] != 0 {
                    if let v = views[i].withBytes({ parse($0) }) {
                        out[i] = v
                    } else if isTry {
                        validity[i] = 0
                    } else {
                        failed = i
                        break
                    }
                }
            }
        }
        if let i = failed { throw conversionError(c.stringView(at: i).string, to: to, expr: expr) }
        return (out, validity.contains(0) ? validity : nil)
    }

    /// CAST(VARCHAR AS TIMESTAMPTZ): the written time read in the zone written after it (`Z`, an
    /// offset `+08`, `+05:30`, a name `Asia/Shanghai`), else in the session's zone, as UTC
    /// microseconds. The zone name is looked up only for texts that carry one.
    /// - Throws: DuckDB's conversion error, or `Unknown TimeZone 'x'!` for a name ICU does not know.
    static func castToTimestampTZ(_ c: Column, isTry: Bool, expr: ScalarExpr) throws -> Column {
        let zone = SessionTimeZone.current
        var unknown: String? = nil
        // the zone of the last name read, reused while the next rows name the same zone
        var lastName: [UInt8] = []
        var lastRules: TimeZoneRules? = nil
        do {
            var infinite = false
            let (v, valid) = try parseEach(c, isTry: isTry, expr: expr, to: .timestamptz, zero: Int64(0)) { u in
                guard let (local, suffix) = TemporalText.timestampAndZone(u) else {
                    if TemporalText.isInfinity(u) { infinite = true }
                    return nil
                }
                switch suffix {
                case .none: return zone.utc(local: local)
                case .utc: return local
                case .offset(let seconds): return local &- seconds * 1_000_000
                case .name(let r):
                    let bytes = UnsafeBufferPointer(rebasing: u[r])
                    if let rules = lastRules, bytes.elementsEqual(lastName) { return rules.utc(local: local) }
                    let name = String(decoding: bytes, as: UTF8.self)
                    guard let rules = TimeZoneRules.named(name) else {
                        unknown = name
                        return nil
                    }
                    lastName = Array(bytes)
                    lastRules = rules
                    return rules.utc(local: local)
                }
            }
            if infinite { throw infiniteTemporal(.timestamptz, expr) }
            return Column(type: .timestamptz, ints: v, validity: valid)
        } catch let e as KuaiError {
            if let unknown { throw TimeZoneRules.unknownZone(unknown) }
            throw e
        }
    }

    /// Casts to and from TIMESTAMPTZ through the session's zone, as DuckDB's ICU casts: TIMESTAMP
    /// (and DATE, at midnight) is a wall time there; TIMESTAMPTZ to TIMESTAMP is the wall time
    /// there, to DATE its date.
    static func castTimeZone(_ c: Column, from: DataType, to: DataType) -> Column {
        let zone = SessionTimeZone.current
        let perDay: Int64 = 86_400_000_000
        let out: [Int64]
        switch (from, to) {
        case (.timestamp, .timestamptz): out = c.ints.map { zone.utc(local: $0) }
        case (.date, .timestamptz): out = c.ints.map { zone.utc(local: $0 &* perDay) }
        case (.timestamptz, .timestamp): out = c.ints.map { zone.local(utc: $0) }
        case (.timestamptz, .date):
            out = c.ints.map { v in
                let l = zone.local(utc: v)
                return l >= 0 ? l / perDay : (l + 1) / perDay - 1
            }
        default: out = c.ints
        }
        return Column(type: to, ints: out, validity: c.validity)
    }

    /// DuckDB's error for a VARCHAR that does not convert to `to`.
    private static func conversionError(_ text: String, to: DataType, expr: ScalarExpr) -> KuaiError {
        let what: String
        switch to {
        case .date:
            what = "date field value out of range: \"\(text)\", expected format is (YYYY-MM-DD)"
        case .timestamp, .timestamptz:
            what =
                "timestamp field value out of range: \"\(text)\", expected format is (YYYY-MM-DD HH:MM:SS[.US][±HH:MM| ZONE])"
        case .time:
            what = "time field value out of range: \"\(text)\", expected format is ([YYYY-MM-DD ]HH:MM:SS[.MS])"
        case .hugeint:
            what = "Could not convert string '\(text)' to INT128"
        default:
            what = "Could not convert string '\(text)' to \(to == .boolean ? "BOOL" : physicalName(to))"
        }
        return KuaiError(.execution, "\(what) in expression \(expr.name)")
    }
}

extension Value {
    /// The value in the canonical boxed form for `type` (BOOLEAN as `.bool`).
    func normalized(_ type: DataType) -> Value {
        if type == .boolean, case .int(let i) = self { return .bool(i != 0) }
        return self
    }
}
