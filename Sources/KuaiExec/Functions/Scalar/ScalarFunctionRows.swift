import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads one argument row by row (slow path for functions on strings and mixed arguments;
/// single-VARCHAR-column expressions reach these kernels once per dictionary value).
struct ArgReader {
    let op: Operand
    let type: DataType

    @inline(__always)
    func isNull(_ i: Int) -> Bool {
        switch op {
        case .scalar(let v): return v.isNull
        case .column(let c): return c.type == .null || (c.validity.map { $0[i] == 0 } ?? false)
        }
    }

    func int(_ i: Int) -> Int64 {
        switch op {
        case .scalar(let v):
            switch v {
            case .int(let x): return x
            case .bool(let b): return b ? 1 : 0
            case .double(let d): return Int64(d)
            default: return 0
            }
        case .column(let c): return c.type == .double ? Int64(c.doubles[i]) : c.ints[i]
        }
    }

    func double(_ i: Int) -> Double {
        switch op {
        case .scalar(let v):
            switch v {
            case .int(let x): return Double(x)
            case .double(let d): return d
            case .bool(let b): return b ? 1 : 0
            default: return 0
            }
        case .column(let c): return c.type == .double ? c.doubles[i] : Double(c.ints[i])
        }
    }

    func string(_ i: Int) -> String {
        switch op {
        case .scalar(let v):
            if case .string(let s) = v { return s }
            return ""
        case .column(let c):
            if c.type == .varchar { return c.dictionary![c.codes[i]] }
            return Kernels.text(c, i)
        }
    }

    func value(_ i: Int) -> Value {
        if isNull(i) { return .null }
        switch op {
        case .scalar(let v): return v
        case .column(let c): return c.value(at: i)
        }
    }
}

extension FunctionRegistry {
    /// Evaluates `f` row by row; a nil result is NULL. With `strict`, a NULL argument gives NULL
    /// without calling `f`. Returns a scalar when every argument is a scalar.
    static func rowwise(
        _ args: [Operand], _ types: [DataType], _ n0: Int, result: DataType, strict: Bool = true,
        _ f: ([ArgReader], Int) throws -> Value?
    ) rethrows -> Operand {
        let allScalar = args.allSatisfy(\.isScalar)
        let n = allScalar ? 1 : n0
        let readers = zip(args, types).map { ArgReader(op: $0, type: $1) }
        var scatter = ColumnScatter(type: result, count: n, dictionary: nil)
        var values: [Value] = []
        values.reserveCapacity(n)
        for i in 0..<n {
            if strict && readers.contains(where: { $0.isNull(i) }) {
                values.append(.null)
                continue
            }
            values.append(try f(readers, i) ?? .null)
        }
        if allScalar { return .scalar(values[0]) }
        // Build the column (strings through one dictionary).
        switch result {
        case .varchar:
            let col = Column(
                strings: values.map { v -> String? in
                    if case .string(let s) = v { return s }
                    return nil
                })
            return .column(col)
        default:
            for (i, v) in values.enumerated() where !v.isNull { scatter.scatter(.scalar(v), rows: [Int32(i)]) }
            return .column(scatter.finish())
        }
    }

    /// A unary VARCHAR -> VARCHAR function evaluated once per distinct code.
    static func mapString(_ x: Operand, _ n: Int, _ f: (String) -> String) -> Operand {
        switch x {
        case .scalar(let v):
            if case .string(let s) = v { return .scalar(.string(f(s))) }
            return .scalar(.null)
        case .column(let c):
            let src = c.dictionary!
            let out = StringDictionary()
            var map = [Int32](repeating: -1, count: src.count)
            var codes = [Int32](repeating: 0, count: n)
            for i in 0..<n {
                if let v = c.validity, v[i] == 0 { continue }
                let k = Int(c.codes[i])
                if map[k] < 0 { map[k] = out.intern(f(src.values[k])) }
                codes[i] = map[k]
            }
            return .column(Column(codes: codes, dictionary: out, validity: c.validity))
        }
    }

    /// A unary VARCHAR -> integer function evaluated once per distinct code.
    static func mapStringToInt(_ x: Operand, _ n: Int, _ type: DataType, _ f: (String) -> Int64) -> Operand {
        switch x {
        case .scalar(let v):
            if case .string(let s) = v { return .scalar(.int(f(s))) }
            return .scalar(.null)
        case .column(let c):
            let src = c.dictionary!
            var memo = [Int64?](repeating: nil, count: src.count)
            var vals = [Int64](repeating: 0, count: n)
            for i in 0..<n {
                if let v = c.validity, v[i] == 0 { continue }
                let k = Int(c.codes[i])
                if memo[k] == nil { memo[k] = f(src.values[k]) }
                vals[i] = memo[k]!
            }
            return .column(Column(type: type, ints: vals, validity: c.validity))
        }
    }

    // MARK: - strings

    /// DuckDB's substring: 1-based `start`; start 0 or negative counts as DuckDB does
    /// (negative from the end); a negative length takes characters before `start`.
    static func substring(_ s: String, _ start0: Int64, _ length0: Int64?) -> String {
        // Clamp so that no arithmetic below can overflow (positions beyond the string are empty).
        let start = Swift.max(Swift.min(start0, 1 << 40), -(1 << 40))
        let length = length0.map { Swift.max(Swift.min($0, 1 << 40), -(1 << 40)) }
        let chars = Array(s.unicodeScalars)
        let len = Int64(chars.count)
        var begin: Int64
        var end: Int64
        if start > 0 { begin = start - 1 } else if start == 0 { begin = -1 } else { begin = len + start }
        if let length {
            if length >= 0 {
                end = begin + length
            } else {
                end = begin
                begin = begin + length
            }
        } else {
            end = len
        }
        begin = max(0, min(begin, len))
        end = max(0, min(end, len))
        if end <= begin { return "" }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: chars[Int(begin)..<Int(end)])
        return String(out)
    }

    static func splitPart(_ s: String, _ sep: String, _ index: Int64) -> String {
        if sep.isEmpty { return index == 1 || index == -1 ? s : "" }
        let parts = s.splitAll(sep)
        if index > 0 { return index <= parts.count ? parts[Int(index) - 1] : "" }
        if index < 0 {
            let k = parts.count + Int(index)
            return k >= 0 ? parts[k] : ""
        }
        return ""
    }

    static let stringRows: [ScalarFunction] = [
        ScalarFunction("lower", [.varchar], .varchar) { a, _, n, _ in mapString(a[0], n) { $0.lowercased() } },
        ScalarFunction("lcase", [.varchar], .varchar) { a, _, n, _ in mapString(a[0], n) { $0.lowercased() } },
        ScalarFunction("upper", [.varchar], .varchar) { a, _, n, _ in mapString(a[0], n) { $0.uppercased() } },
        ScalarFunction("ucase", [.varchar], .varchar) { a, _, n, _ in mapString(a[0], n) { $0.uppercased() } },
        ScalarFunction("length", [.varchar], .bigint) { a, _, n, _ in
            mapStringToInt(a[0], n, .bigint) { Int64($0.unicodeScalars.count) }
        },
        ScalarFunction("len", [.varchar], .bigint) { a, _, n, _ in
            mapStringToInt(a[0], n, .bigint) { Int64($0.unicodeScalars.count) }
        },
        ScalarFunction("strlen", [.varchar], .bigint) { a, _, n, _ in
            mapStringToInt(a[0], n, .bigint) { Int64($0.utf8.count) }
        },
        ScalarFunction("trim", [.varchar], .varchar) { a, _, n, _ in mapString(a[0], n) { $0.trimmingSpaces() } },
        ScalarFunction("reverse", [.varchar], .varchar) { a, _, n, _ in mapString(a[0], n) { String($0.reversed()) } },
        ScalarFunction("substr", [.varchar, .bigint], .varchar) { a, t, n, _ in
            rowwise(a, t, n, result: .varchar) { r, i in .string(substring(r[0].string(i), r[1].int(i), nil)) }
        },
        ScalarFunction("substr", [.varchar, .bigint, .bigint], .varchar) { a, t, n, _ in
            rowwise(a, t, n, result: .varchar) { r, i in .string(substring(r[0].string(i), r[1].int(i), r[2].int(i))) }
        },
        ScalarFunction("substring", [.varchar, .bigint], .varchar) { a, t, n, _ in
            rowwise(a, t, n, result: .varchar) { r, i in .string(substring(r[0].string(i), r[1].int(i), nil)) }
        },
        ScalarFunction("substring", [.varchar, .bigint, .bigint], .varchar) { a, t, n, _ in
            rowwise(a, t, n, result: .varchar) { r, i in .string(substring(r[0].string(i), r[1].int(i), r[2].int(i))) }
        },
        ScalarFunction("left", [.varchar, .bigint], .varchar) { a, t, n, _ in
            rowwise(a, t, n, result: .varchar) { r, i in
                let k = Swift.max(Swift.min(r[1].int(i), 1 << 40), -(1 << 40))
                let s = r[0].string(i)
                return .string(k >= 0 ? substring(s, 1, k) : substring(s, 1, max(0, Int64(s.unicodeScalars.count) + k)))
            }
        },
        ScalarFunction("right", [.varchar, .bigint], .varchar) { a, t, n, _ in
            rowwise(a, t, n, result: .varchar) { r, i in
                let k = Swift.max(Swift.min(r[1].int(i), 1 << 40), -(1 << 40))
                let s = r[0].string(i)
                let len = Int64(s.unicodeScalars.count)
                return .string(k >= 0 ? substring(s, max(1, len - k + 1), k) : substring(s, -k + 1, nil))
            }
        },
        ScalarFunction("replace", [.varchar, .varchar, .varchar], .varchar) { a, t, n, _ in
            rowwise(a, t, n, result: .varchar) { r, i in
                let from = r[1].string(i)
                return .string(
                    from.isEmpty ? r[0].string(i) : r[0].string(i).splitAll(from).joined(separator: r[2].string(i)))
            }
        },
        ScalarFunction("split_part", [.varchar, .varchar, .bigint], .varchar) { a, t, n, _ in
            rowwise(a, t, n, result: .varchar) { r, i in .string(splitPart(r[0].string(i), r[1].string(i), r[2].int(i)))
            }
        },
        ScalarFunction("starts_with", [.varchar, .varchar], .boolean) { a, t, n, _ in
            rowwise(a, t, n, result: .boolean) { r, i in .bool(r[0].string(i).utf8.starts(with: r[1].string(i).utf8)) }
        },
        ScalarFunction("contains", [.varchar, .varchar], .boolean) { a, t, n, _ in
            rowwise(a, t, n, result: .boolean) { r, i in
                let s = r[0].string(i)
                let p = r[1].string(i)
                return .bool(p.isEmpty || s.splitAll(p).count > 1)
            }
        },
        ScalarFunction("strpos", [.varchar, .varchar], .bigint) { a, t, n, _ in
            rowwise(a, t, n, result: .bigint) { r, i in
                let s = r[0].string(i)
                let p = r[1].string(i)
                let parts = s.splitAll(p)
                if p.isEmpty { return .int(1) }
                return .int(parts.count > 1 ? Int64(parts[0].unicodeScalars.count + 1) : 0)
            }
        },
        /// `a || b`: NULL when either side is NULL.
        ScalarFunction("concat_op", [.varchar, .varchar], .varchar) { a, t, n, _ in
            rowwise(a, t, n, result: .varchar) { r, i in .string(r[0].string(i) + r[1].string(i)) }
        },
        /// concat(...): NULL arguments are skipped.
        ScalarFunction("concat", [.varchar], .varchar, variadic: true) { a, t, n, _ in
            rowwise(a, t, n, result: .varchar, strict: false) { r, i in
                var s = ""
                for x in r where !x.isNull(i) { s += x.string(i) }
                return .string(s)
            }
        },
    ]

    // MARK: - math

    static func sqlSign(_ d: Double) -> Int64 { d > 0 ? 1 : (d < 0 ? -1 : 0) }

    static let mathRows: [ScalarFunction] = [
        ScalarFunction("ln", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { Glibc.log($0) } },
        ScalarFunction("log", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { Glibc.log10($0) } },
        ScalarFunction("log10", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { Glibc.log10($0) } },
        ScalarFunction("log2", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { Glibc.log2($0) } },
        ScalarFunction("exp", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { Glibc.exp($0) } },
        ScalarFunction("sqrt", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { $0.squareRoot() } },
        ScalarFunction("cbrt", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { Glibc.cbrt($0) } },
        ScalarFunction("power", [.double, .double], .double) { a, _, n, _ in
            let v = binaryMap(a[0].isScalar && a[1].isScalar ? 1 : n, Kernels.doubleArg(a[0]), Kernels.doubleArg(a[1]))
            { Glibc.pow($0, $1) }
            return Kernels.result(
                v, validity: andValidity(a[0].validity, a[1].validity), scalar: a[0].isScalar && a[1].isScalar)
        },
        ScalarFunction("pow", [.double, .double], .double) { a, _, n, _ in
            let v = binaryMap(a[0].isScalar && a[1].isScalar ? 1 : n, Kernels.doubleArg(a[0]), Kernels.doubleArg(a[1]))
            { Glibc.pow($0, $1) }
            return Kernels.result(
                v, validity: andValidity(a[0].validity, a[1].validity), scalar: a[0].isScalar && a[1].isScalar)
        },
        ScalarFunction("sign", [.bigint], .integer) { a, _, n, _ in
            mapInt(a[0], n, .integer) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
        },
        ScalarFunction("sign", [.double], .integer) { a, t, n, _ in
            rowwise(a, t, n, result: .integer) { r, i in .int(sqlSign(r[0].double(i))) }
        },
        ScalarFunction("trunc", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { $0.rounded(.towardZero) } },
        ScalarFunction("trunc", [.bigint], .bigint) { a, _, _, _ in a[0] },
        ScalarFunction("pi", [], .double) { _, _, _, _ in .scalar(.double(Double.pi)) },
        ScalarFunction("isnan", [.double], .boolean) { a, t, n, _ in
            rowwise(a, t, n, result: .boolean) { r, i in .bool(r[0].double(i).isNaN) }
        },
        ScalarFunction("isinf", [.double], .boolean) { a, t, n, _ in
            rowwise(a, t, n, result: .boolean) { r, i in .bool(r[0].double(i).isInfinite) }
        },
    ]

    // MARK: - time

    static let microsPerDay: Int64 = 86_400_000_000

    @inline(__always)
    static func dayOf(_ micros: Int64) -> Int64 { floorDiv(micros, microsPerDay) }

    /// A date part of DATE (`isTimestamp` false) or TIMESTAMP values, as BIGINT.
    static func datePart(_ part: String, _ v: Int64, isTimestamp: Bool) -> Int64? {
        let days = isTimestamp ? dayOf(v) : v
        let micros = isTimestamp ? floorMod(v, microsPerDay) : 0
        switch part {
        case "year", "years", "y", "yr", "yrs": return ValueFormatter.civil(days).year
        case "month", "months", "mon", "mons": return Int64(ValueFormatter.civil(days).month)
        case "day", "days", "d", "dayofmonth": return Int64(ValueFormatter.civil(days).day)
        case "hour", "hours", "h", "hr", "hrs": return micros / 3_600_000_000
        case "minute", "minutes", "m", "min", "mins": return (micros / 60_000_000) % 60
        case "second", "seconds", "s", "sec", "secs": return (micros / 1_000_000) % 60
        case "millisecond", "milliseconds", "ms": return (micros / 1_000) % 60_000
        case "microsecond", "microseconds", "us": return micros % 60_000_000
        case "dow", "dayofweek", "weekday": return floorMod(days + 4, 7)  // 1970-01-01 was a Thursday
        case "isodow":
            let w = floorMod(days + 3, 7)
            return w + 1
        case "doy", "dayofyear":
            let c = ValueFormatter.civil(days)
            return days - ValueFormatter.days(year: c.year, month: 1, day: 1) + 1
        case "quarter": return (Int64(ValueFormatter.civil(days).month) - 1) / 3 + 1
        case "week", "weeks", "w", "weekofyear": return isoWeek(days).week
        case "isoyear": return isoWeek(days).year
        case "epoch": return isTimestamp ? floorDiv(v, 1_000_000) : days * 86_400
        case "decade": return floorDiv(ValueFormatter.civil(days).year, 10)
        case "century":
            let y = ValueFormatter.civil(days).year
            return y > 0 ? (y - 1) / 100 + 1 : -((-y) / 100 + 1)
        case "millennium":
            let y = ValueFormatter.civil(days).year
            return y > 0 ? (y - 1) / 1000 + 1 : -((-y) / 1000 + 1)
        default: return nil
        }
    }

    /// ISO 8601 week number and week-based year of a day.
    static func isoWeek(_ days: Int64) -> (year: Int64, week: Int64) {
        let isodow = floorMod(days + 3, 7) + 1  // 1 = Monday
        let thursday = days - isodow + 4  // the Thursday of this ISO week
        let y = ValueFormatter.civil(thursday).year
        let jan1 = ValueFormatter.days(year: y, month: 1, day: 1)
        return (y, (thursday - jan1) / 7 + 1)
    }

    static func partFunction(_ name: String, _ part: String) -> [ScalarFunction] {
        [
            ScalarFunction(name, [.timestamp], .bigint) { a, _, n, _ in
                mapInt(a[0], n, .bigint) { datePart(part, $0, isTimestamp: true) ?? 0 }
            },
            ScalarFunction(name, [.date], .bigint) { a, _, n, _ in
                mapInt(a[0], n, .bigint) { datePart(part, $0, isTimestamp: false) ?? 0 }
            },
        ]
    }

    static func constantString(_ o: Operand, _ what: String, _ e: ScalarExpr) throws -> String {
        guard case .scalar(.string(let s)) = o else {
            throw KuaiError(.execution, "\(what) must be a constant string in \(e.name)")
        }
        return s
    }

    /// date_trunc(part, micros) as DuckDB: truncates to the start of the part (week = Monday).
    static func truncate(_ part: String, _ micros: Int64) -> Int64? {
        let days = dayOf(micros)
        let c = ValueFormatter.civil(days)
        switch part {
        case "microsecond", "microseconds", "us": return micros
        case "millisecond", "milliseconds", "ms": return floorDiv(micros, 1_000) * 1_000
        case "second", "seconds", "s", "sec": return floorDiv(micros, 1_000_000) * 1_000_000
        case "minute", "minutes", "m", "min": return floorDiv(micros, 60_000_000) * 60_000_000
        case "hour", "hours", "h", "hr": return floorDiv(micros, 3_600_000_000) * 3_600_000_000
        case "day", "days", "d", "dayofmonth": return days * microsPerDay
        case "week", "weeks", "w": return (days - floorMod(days + 3, 7)) * microsPerDay
        case "month", "months", "mon": return ValueFormatter.days(year: c.year, month: c.month, day: 1) * microsPerDay
        case "quarter":
            return ValueFormatter.days(year: c.year, month: (c.month - 1) / 3 * 3 + 1, day: 1) * microsPerDay
        case "year", "years", "y", "yr": return ValueFormatter.days(year: c.year, month: 1, day: 1) * microsPerDay
        case "decade": return ValueFormatter.days(year: floorDiv(c.year, 10) * 10, month: 1, day: 1) * microsPerDay
        default: return nil
        }
    }

    static func dateTrunc(_ a: [Operand], _ n: Int, _ e: ScalarExpr, isTimestamp: Bool) throws -> Operand {
        let part = try constantString(a[0], "the date part", e).lowercased()
        guard truncate(part, 0) != nil else {
            throw KuaiError(.execution, "unknown date part \"\(part)\" in \(e.name)")
        }
        return mapInt(a[1], n, .timestamp) { v in truncate(part, isTimestamp ? v : v * microsPerDay)! }
    }

    /// date_diff(part, start, end): the number of part boundaries between two values
    /// (days, months, years by calendar fields; hours and smaller by truncated microseconds).
    static func dateDiff(_ part: String, _ a: Int64, _ b: Int64) -> Int64? {
        let da = dayOf(a)
        let db = dayOf(b)
        let ca = ValueFormatter.civil(da)
        let cb = ValueFormatter.civil(db)
        switch part {
        case "year", "years", "y", "yr": return cb.year - ca.year
        case "quarter": return (cb.year * 4 + Int64((cb.month - 1) / 3)) - (ca.year * 4 + Int64((ca.month - 1) / 3))
        case "month", "months", "mon": return (cb.year * 12 + Int64(cb.month)) - (ca.year * 12 + Int64(ca.month))
        case "week", "weeks", "w": return (db - da) / 7
        case "day", "days", "d", "dayofmonth": return db - da
        case "hour", "hours", "h", "hr": return floorDiv(b, 3_600_000_000) - floorDiv(a, 3_600_000_000)
        case "minute", "minutes", "m", "min": return floorDiv(b, 60_000_000) - floorDiv(a, 60_000_000)
        case "second", "seconds", "s", "sec": return floorDiv(b, 1_000_000) - floorDiv(a, 1_000_000)
        case "millisecond", "milliseconds", "ms": return floorDiv(b, 1_000) - floorDiv(a, 1_000)
        case "microsecond", "microseconds", "us":
            let r = b.subtractingReportingOverflow(a)
            return r.overflow ? nil : r.partialValue
        default: return nil
        }
    }

    static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ]

    /// strftime with DuckDB's specifiers (%Y %m %d %H %M %S %f %j %a %A %b %B %p %I %y %w %u %-d %-m ...).
    static func strftime(_ micros: Int64, _ fmt: String) -> String {
        let days = dayOf(micros)
        let rem = floorMod(micros, microsPerDay)
        let c = ValueFormatter.civil(days)
        let h = rem / 3_600_000_000
        let mi = (rem / 60_000_000) % 60
        let s = (rem / 1_000_000) % 60
        let us = rem % 1_000_000
        let dow = Int(floorMod(days + 4, 7))
        func p2(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        func pn(_ v: Int64, _ w: Int) -> String {
            let t = String(v)
            return String(repeating: "0", count: max(0, w - t.count)) + t
        }
        var out = ""
        var it = Array(fmt.unicodeScalars)[...]
        while let ch = it.first {
            it = it.dropFirst()
            if ch != "%" {
                out.unicodeScalars.append(ch)
                continue
            }
            guard var spec = it.first else {
                out += "%"
                break
            }
            it = it.dropFirst()
            var noPad = false
            if spec == "-", let nx = it.first {
                noPad = true
                spec = nx
                it = it.dropFirst()
            }
            switch spec {
            case "Y": out += String(c.year)
            case "y": out += p2(floorMod(c.year, 100))
            case "m": out += noPad ? String(c.month) : p2(Int64(c.month))
            case "d": out += noPad ? String(c.day) : p2(Int64(c.day))
            case "e": out += c.day < 10 ? " \(c.day)" : "\(c.day)"
            case "H": out += noPad ? String(h) : p2(h)
            case "I":
                let h12 = h % 12 == 0 ? 12 : h % 12
                out += noPad ? String(h12) : p2(h12)
            case "M": out += noPad ? String(mi) : p2(mi)
            case "S": out += noPad ? String(s) : p2(s)
            case "f": out += pn(us, 6)
            case "g": out += pn(us / 1000, 3)
            case "n": out += pn(us * 1000, 9)
            case "p": out += h < 12 ? "AM" : "PM"
            case "j":
                let doy = days - ValueFormatter.days(year: c.year, month: 1, day: 1) + 1
                out += noPad ? String(doy) : pn(doy, 3)
            case "a": out += String(dayNames[dow].prefix(3))
            case "A": out += dayNames[dow]
            case "b", "h": out += String(monthNames[c.month - 1].prefix(3))
            case "B": out += monthNames[c.month - 1]
            case "w": out += String(dow)
            case "u": out += String(dow == 0 ? 7 : dow)
            case "V": out += p2(isoWeek(days).week)
            case "G": out += String(isoWeek(days).year)
            case "U":
                let doy = days - ValueFormatter.days(year: c.year, month: 1, day: 1)
                out += p2((doy + 7 - Int64(dow)) / 7)
            case "W":
                let doy = days - ValueFormatter.days(year: c.year, month: 1, day: 1)
                out += p2((doy + 7 - Int64((dow + 6) % 7)) / 7)
            case "z": out += "+00"
            case "Z": break
            case "c":
                out +=
                    ValueFormatter.date(days) + " "
                    + {
                        var t = ""
                        ValueFormatter.appendTime(rem - us, into: &t)
                        return t
                    }()
            case "x": out += ValueFormatter.date(days)
            case "X":
                var t = ""
                ValueFormatter.appendTime(rem - us, into: &t)
                out += t
            case "%": out += "%"
            default:
                out += "%"
                out.unicodeScalars.append(spec)
            }
        }
        return out
    }

    /// strptime for the numeric specifiers (%Y %m %d %H %M %S %f %y %j); nil when `s` does not match.
    static func strptime(_ s: String, _ fmt: String) -> Int64? {
        var str = Array(s.utf8)[...]
        var f = Array(fmt.utf8)[...]
        var y: Int64 = 1900
        var mo = 1
        var d = 1
        var h: Int64 = 0
        var mi: Int64 = 0
        var sec: Int64 = 0
        var us: Int64 = 0
        var pm: Bool? = nil
        func num(_ maxDigits: Int) -> Int64? {
            var v: Int64 = 0
            var k = 0
            var neg = false
            if str.first == UInt8(ascii: "-") && maxDigits > 4 {
                neg = true
                str = str.dropFirst()
            }
            while let c = str.first, c >= 48, c <= 57, k < maxDigits {
                v = v * 10 + Int64(c - 48)
                k += 1
                str = str.dropFirst()
            }
            return k == 0 ? nil : (neg ? -v : v)
        }
        while let c = f.first {
            f = f.dropFirst()
            if c != UInt8(ascii: "%") {
                if c == UInt8(ascii: " ") {
                    while str.first == UInt8(ascii: " ") { str = str.dropFirst() }
                    continue
                }
                guard str.first == c else { return nil }
                str = str.dropFirst()
                continue
            }
            guard var spec = f.first else { return nil }
            f = f.dropFirst()
            if spec == UInt8(ascii: "-"), let nx = f.first {
                spec = nx
                f = f.dropFirst()
            }
            switch spec {
            case UInt8(ascii: "Y"):
                guard let v = num(4) else { return nil }
                y = v
            case UInt8(ascii: "y"):
                guard let v = num(2) else { return nil }
                y = v < 69 ? 2000 + v : 1900 + v
            case UInt8(ascii: "m"):
                guard let v = num(2) else { return nil }
                mo = Int(v)
            case UInt8(ascii: "d"), UInt8(ascii: "e"):
                guard let v = num(2) else { return nil }
                d = Int(v)
            case UInt8(ascii: "H"), UInt8(ascii: "I"):
                guard let v = num(2) else { return nil }
                h = v
            case UInt8(ascii: "M"):
                guard let v = num(2) else { return nil }
                mi = v
            case UInt8(ascii: "S"):
                guard let v = num(2) else { return nil }
                sec = v
            case UInt8(ascii: "f"):
                var v: Int64 = 0
                var k = 0
                while let c = str.first, c >= 48, c <= 57 {
                    if k < 6 {
                        v = v * 10 + Int64(c - 48)
                        k += 1
                    }
                    str = str.dropFirst()
                }
                if k == 0 { return nil }
                while k < 6 {
                    v *= 10
                    k += 1
                }
                us = v
            case UInt8(ascii: "p"):
                let t = String(decoding: str.prefix(2), as: UTF8.self).uppercased()
                guard t == "AM" || t == "PM" else { return nil }
                pm = t == "PM"
                str = str.dropFirst(2)
            case UInt8(ascii: "%"):
                guard str.first == UInt8(ascii: "%") else { return nil }
                str = str.dropFirst()
            default: return nil
            }
        }
        guard str.isEmpty, mo >= 1, mo <= 12, d >= 1, d <= ValueFormatter.daysInMonth(y, mo), h < 24, mi < 60, sec < 60
        else { return nil }
        if let pm { h = h % 12 + (pm ? 12 : 0) }
        return ValueFormatter.days(year: y, month: mo, day: d) * microsPerDay + h * 3_600_000_000 + mi * 60_000_000
            + sec * 1_000_000 + us
    }

    static let timeRows: [ScalarFunction] = {
        var rows: [ScalarFunction] = []
        let parts: [(String, String)] = [
            ("year", "year"), ("month", "month"), ("day", "day"), ("dayofmonth", "day"),
            ("minute", "minute"), ("second", "second"), ("millisecond", "millisecond"),
            ("microsecond", "microsecond"), ("dayofweek", "dow"), ("isodow", "isodow"),
            ("dayofyear", "doy"), ("week", "week"), ("weekofyear", "week"), ("quarter", "quarter"),
            ("isoyear", "isoyear"), ("weekday", "dow"), ("decade", "decade"),
            ("century", "century"), ("millennium", "millennium"),
        ]
        for (name, part) in parts { rows += partFunction(name, part) }
        rows += [
            ScalarFunction("date_part", [.varchar, .timestamp], .bigint) { a, _, n, e in
                let part = try constantString(a[0], "the date part", e).lowercased()
                guard datePart(part, 0, isTimestamp: true) != nil else {
                    throw KuaiError(.execution, "unknown date part \"\(part)\" in \(e.name)")
                }
                return mapInt(a[1], n, .bigint) { datePart(part, $0, isTimestamp: true)! }
            },
            ScalarFunction("date_part", [.varchar, .date], .bigint) { a, _, n, e in
                let part = try constantString(a[0], "the date part", e).lowercased()
                guard datePart(part, 0, isTimestamp: false) != nil else {
                    throw KuaiError(.execution, "unknown date part \"\(part)\" in \(e.name)")
                }
                return mapInt(a[1], n, .bigint) { datePart(part, $0, isTimestamp: false)! }
            },
            ScalarFunction("date_trunc", [.varchar, .timestamp], .timestamp) { a, _, n, e in
                try dateTrunc(a, n, e, isTimestamp: true)
            },
            ScalarFunction("date_trunc", [.varchar, .date], .timestamp) { a, _, n, e in
                try dateTrunc(a, n, e, isTimestamp: false)
            },
            ScalarFunction("datetrunc", [.varchar, .timestamp], .timestamp) { a, _, n, e in
                try dateTrunc(a, n, e, isTimestamp: true)
            },
            ScalarFunction("date_diff", [.varchar, .timestamp, .timestamp], .bigint) { a, t, n, e in
                try dateDiffKernel(a, t, n, e, days: false)
            },
            ScalarFunction("date_diff", [.varchar, .date, .date], .bigint) { a, t, n, e in
                try dateDiffKernel(a, t, n, e, days: true)
            },
            ScalarFunction("datediff", [.varchar, .timestamp, .timestamp], .bigint) { a, t, n, e in
                try dateDiffKernel(a, t, n, e, days: false)
            },
            ScalarFunction("datediff", [.varchar, .date, .date], .bigint) { a, t, n, e in
                try dateDiffKernel(a, t, n, e, days: true)
            },
            ScalarFunction("strftime", [.timestamp, .varchar], .varchar) { a, t, n, _ in
                rowwise(a, t, n, result: .varchar) { r, i in .string(strftime(r[0].int(i), r[1].string(i))) }
            },
            ScalarFunction("strftime", [.date, .varchar], .varchar) { a, t, n, _ in
                rowwise(a, t, n, result: .varchar) { r, i in
                    .string(strftime(r[0].int(i) * microsPerDay, r[1].string(i)))
                }
            },
            ScalarFunction("strptime", [.varchar, .varchar], .timestamp) { a, t, n, e in
                try rowwise(a, t, n, result: .timestamp) { r, i in
                    guard let v = strptime(r[0].string(i), r[1].string(i)) else {
                        throw KuaiError(
                            .execution,
                            "Could not parse string \"\(r[0].string(i))\" according to format specifier \"\(r[1].string(i))\" in \(e.name)"
                        )
                    }
                    return .int(v)
                }
            },
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
            ScalarFunction("epoch", [.timestamp], .double) { a, t, n, _ in
                rowwise(a, t, n, result: .double) { r, i in .double(Double(r[0].int(i)) / 1_000_000) }
            },
            ScalarFunction("epoch_us", [.timestamp], .bigint) { a, _, _, _ in retype(a[0], .bigint) },
            ScalarFunction("make_timestamp", [.bigint], .timestamp) { a, _, _, _ in retype(a[0], .timestamp) },
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
        return rows
    }()

    static func retype(_ x: Operand, _ t: DataType) -> Operand {
        if case .column(var c) = x {
            c.type = t
            return .column(c)
        }
        return x
    }

    static func dateDiffKernel(_ a: [Operand], _ t: [DataType], _ n: Int, _ e: ScalarExpr, days: Bool) throws -> Operand
    {
        let part = try constantString(a[0], "the date part", e).lowercased()
        guard dateDiff(part, 0, 0) != nil else {
            throw KuaiError(.execution, "unknown date part \"\(part)\" in \(e.name)")
        }
        return try rowwise(a, t, n, result: .bigint) { r, i in
            var x = r[1].int(i)
            var y = r[2].int(i)
            if days {
                // Defensive: a DATE beyond about ±292,000 years would overflow as microseconds.
                let (xm, o1) = x.multipliedReportingOverflow(by: microsPerDay)
                let (ym, o2) = y.multipliedReportingOverflow(by: microsPerDay)
                if o1 || o2 { throw KuaiError(.execution, "Date out of range in \(e.name)") }
                (x, y) = (xm, ym)
            }
            guard let d = dateDiff(part, x, y) else {
                throw KuaiError(.execution, "Overflow in \(e.name): the result is out of range")
            }
            return .int(d)
        }
    }

    /// Integer operator with an overflow check, result type `t`.
    static func checkedInt(
        _ x: Operand, _ y: Operand, _ n0: Int, _ t: DataType, _ e: ScalarExpr,
        _ f: (Int64, Int64) -> (partialValue: Int64, overflow: Bool)
    ) throws -> Operand {
        if x.isNullScalar || y.isNullScalar { return .scalar(.null) }
        let scalar = x.isScalar && y.isScalar
        let n = scalar ? 1 : n0
        let validity = andValidity(x.validity, y.validity)
        var bad = -1
        let vals = binaryMap(n, Kernels.intArg(x), Kernels.intArg(y)) { p, q -> Int64 in
            let r = f(p, q)
            return r.overflow ? Int64.min : r.partialValue
        }
        for i in 0..<n where vals[i] == Int64.min && (validity?[i] ?? 1) != 0 {
            bad = i
            break
        }
        if bad >= 0 { throw KuaiError(.execution, "Overflow in \(e.name): the result is out of range") }
        return Kernels.result(vals, type: t, validity: validity, scalar: scalar)
    }

    // MARK: - generic functions (result type = common type of the arguments)

    /// coalesce, nullif, greatest, least, ifnull over arguments of one type `t` (chosen by the binder).
    public static func generic(_ name: String, _ t: DataType, arity: Int) -> ScalarFunction? {
        let params = [DataType](repeating: t, count: max(arity, 1))
        switch name {
        case "coalesce", "ifnull":
            return ScalarFunction(name, params, t) { a, _, n, e in
                if let first = a.first, case .scalar(let v) = first, !v.isNull { return first }
                if a.allSatisfy(\.isScalar) {
                    for x in a { if case .scalar(let v) = x, !v.isNull { return x } }
                    return .scalar(.null)
                }
                var out = ColumnScatter(type: t, count: n, dictionary: e.stableDictionary)
                var remaining = Array(0..<Int32(n))
                for x in a {
                    if remaining.isEmpty { break }
                    var take: [Int32] = []
                    var rest: [Int32] = []
                    let r = ArgReader(op: x, type: t)
                    for i in remaining { if r.isNull(Int(i)) { rest.append(i) } else { take.append(i) } }
                    if !take.isEmpty {
                        switch x {
                        case .scalar: out.scatter(x, rows: take)
                        case .column(let c):
                            out.scatter(.column(take.withUnsafeBufferPointer { c.gather($0) }), rows: take)
                        }
                    }
                    remaining = rest
                }
                return .column(out.finish())
            }
        case "nullif":
            guard arity == 2 else { return nil }
            return ScalarFunction(name, params, t) { a, types, n, _ in
                let eq = Kernels.compare(.equal, a[0], t, a[1], t, count: n)
                return rowwise([a[0], eq], [t, .boolean], n, result: t, strict: false) { r, i in
                    if r[0].isNull(i) { return nil }
                    if !r[1].isNull(i) && r[1].int(i) != 0 { return nil }
                    return r[0].value(i)
                }
            }
        case "greatest", "least":
            let isMax = name == "greatest"
            return ScalarFunction(name, params, t) { a, types, n, _ in
                rowwise(a, types, n, result: t, strict: false) { r, i in
                    var best: Value? = nil
                    for x in r where !x.isNull(i) {
                        let v = x.value(i)
                        if let b = best {
                            let c = compareValues(v, b, t)
                            if isMax ? c > 0 : c < 0 { best = v }
                        } else {
                            best = v
                        }
                    }
                    return best
                }
            }
        default:
            return nil
        }
    }

    static func compareValues(_ a: Value, _ b: Value, _ t: DataType) -> Int {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.double(let x), .double(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.string(let x), .string(let y)): return x == y ? 0 : (StringDictionary.less(x, y) ? -1 : 1)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
        default: return 0
        }
    }
}

extension String {
    /// Splits at every occurrence of `separator` (byte-wise, no Foundation); keeps empty parts.
    func splitAll(_ separator: String) -> [String] {
        let s = Array(utf8)
        let p = Array(separator.utf8)
        guard !p.isEmpty, s.count >= p.count else { return [self] }
        var parts: [String] = []
        var start = 0
        var i = 0
        while i + p.count <= s.count {
            var match = true
            for k in 0..<p.count where s[i + k] != p[k] {
                match = false
                break
            }
            if match {
                parts.append(String(decoding: s[start..<i], as: UTF8.self))
                i += p.count
                start = i
            } else {
                i += 1
            }
        }
        parts.append(String(decoding: s[start..<s.count], as: UTF8.self))
        return parts
    }
}
