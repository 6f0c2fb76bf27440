import KuaiCore

// strftime and strptime with DuckDB's format specifiers.

extension FunctionRegistry {
    static let dateFormatFunctions: [ScalarFunction] = [
        ScalarFunction("strftime", [.timestamp, .varchar], .varchar) { a, t, n, _ in
            if let k = try strftimeColumn(a, unit: 1) { return k }
            return try rowwise(a, t, n, result: .varchar) { r, i in .string(try strftime(r[0].int(i), r[1].string(i))) }
        },
        ScalarFunction("strftime", [.date, .varchar], .varchar) { a, t, n, _ in
            if let k = try strftimeColumn(a, unit: microsPerDay) { return k }
            return try rowwise(a, t, n, result: .varchar) { r, i in
                .string(try strftime(r[0].int(i) * microsPerDay, r[1].string(i)))
            }
        },
        ScalarFunction("strptime", [.varchar, .varchar], .timestamp) { a, _, n, e in try strptimeKernel(a, n, e) },
        /// try_strptime: NULL instead of the error for a text that does not match.
        ScalarFunction("try_strptime", [.varchar, .varchar], .timestamp) { a, _, n, e in
            try strptimeKernel(a, n, e, isTry: true)
        },
    ]

    /// strftime with DuckDB's specifiers (%Y %m %d %H %M %S %f %j %a %A %b %B %p %I %y %w %u %-d %-m ...)
    /// of one value, for a format that is not a constant (`StrftimePattern`).
    /// - Throws: `KuaiError.execution` for a format DuckDB rejects.
    static func strftime(_ micros: Int64, _ fmt: String) throws -> String {
        try StrftimePattern.checked(fmt).text(micros)
    }

    /// strptime(text, format) over VARCHAR operands in either form, read as bytes (no Swift
    /// `String` per row), as TIMESTAMP microseconds.
    /// - Parameter isTry: try_strptime: a text that does not match is NULL.
    /// - Throws: `KuaiError.execution` naming the first text that does not match its format
    ///   (DuckDB's "Could not parse string"), unless `isTry`; for a constant format with a specifier
    ///   DuckDB does not know (`%t`), DuckDB's "Failed to parse format specifier", also for try_strptime.
    static func strptimeKernel(_ a: [Operand], _ n: Int, _ e: ScalarExpr, isTry: Bool = false) throws -> Operand {
        if case .scalar(.string(let f)) = a[1], let error = StrftimePattern(f).error {
            throw KuaiError(.execution, error)
        }
        let text = StringArg(a[0])
        let format = StringArg(a[1])
        guard let shape = KernelShape(count: n, [text, format]) else { return .scalar(.null) }
        var valid = shape.validity
        var unmatched: [Int] = []
        var failed = -1
        var out = [Int64](repeating: 0, count: shape.rows)
        withExtendedLifetime((text.owners, format.owners)) {
            text.views.withUnsafeBufferPointer { tv in
                format.views.withUnsafeBufferPointer { fv in
                    for i in 0..<shape.rows where valid.map({ $0[i] != 0 }) ?? true {
                        let v = tv[i &* text.step].withBytes { t in fv[i &* format.step].withBytes { strptime(t, $0) } }
                        guard let v else {
                            if isTry {
                                unmatched.append(i)
                                continue
                            }
                            failed = i
                            break
                        }
                        out[i] = v
                    }
                }
            }
        }
        if failed >= 0 {
            let t = text.views[failed &* text.step].string
            let f = format.views[failed &* format.step].string
            throw KuaiError(
                .execution, "Could not parse string \"\(t)\" according to format specifier \"\(f)\" in \(e.name)")
        }
        if !unmatched.isEmpty {
            var v = valid ?? [UInt8](repeating: 1, count: shape.rows)
            for i in unmatched { v[i] = 0 }
            valid = v
        }
        return shape.result(Column(type: .timestamp, ints: out, validity: valid))
    }

    /// strptime over UTF-8 bytes with DuckDB 2.0.1's specifiers: the numbers %Y %y %m %d %H %I %M
    /// %S %j (day of the year), the fractions %f (microseconds) and %g (milliseconds), %p, the names
    /// %b %h %B (month) and %a %A (weekday, read and not checked, as DuckDB), %T %X (%H:%M:%S),
    /// %x (%Y-%m-%d), %c (%Y-%m-%d %H:%M:%S) and %%; nil when `s` does not match `f`. As DuckDB's
    /// `StrpTimeFormat::Parse`, white space before and after the text is skipped, and white space in the
    /// format matches a run of one or more white-space characters (`' 12 '` by `'%d'` is the 12th,
    /// `'2024-02-2912:00'` by `'%Y-%m-%d %H:%M'` does not match).
    static func strptime(_ s: UnsafeBufferPointer<UInt8>, _ f: UnsafeBufferPointer<UInt8>) -> Int64? {
        var p = StrptimeFields()
        var si = 0
        while si < s.count && TemporalText.isSpace(s[si]) { si += 1 }
        guard p.match(s, &si, f) else { return nil }
        while si < s.count && TemporalText.isSpace(s[si]) { si += 1 }
        guard si == s.count else { return nil }
        return p.value()
    }
}

/// The fields strptime reads (`FunctionRegistry.strptime`) and the matching of a format against
/// text, byte by byte.
struct StrptimeFields {
    var year: Int64 = 1900
    var month = 1
    var day = 1
    /// %j: used when neither %m nor %d was read (DuckDB: '2024 060 05' by '%Y %j %d' is 2024-01-05).
    var dayOfYear: Int64? = nil
    var monthOrDaySeen = false
    var hour: Int64 = 0
    var minute: Int64 = 0
    var second: Int64 = 0
    var fraction: Int64 = 0  // microseconds
    var pm: Bool? = nil

    /// The value read, microseconds since 1970-01-01; nil for a field out of range.
    func value() -> Int64? {
        guard month >= 1, month <= 12, day >= 1, day <= CivilDate.daysInMonth(year: year, month: month), hour < 24,
            minute < 60, second < 60
        else { return nil }
        var h = hour
        if let pm { h = h % 12 + (pm ? 12 : 0) }
        var days = CivilDate.days(year: year, month: month, day: day)
        if let doy = dayOfYear, !monthOrDaySeen {
            let jan1 = CivilDate.days(year: year, month: 1, day: 1)
            guard doy >= 1, doy <= CivilDate.days(year: year + 1, month: 1, day: 1) - jan1 else { return nil }
            days = jan1 + doy - 1
        }
        return days * FunctionRegistry.microsPerDay + h * 3_600_000_000 + minute * 60_000_000 + second * 1_000_000
            + fraction
    }

    /// Reads `s` from `si` by the format `f`; false when it does not match.
    mutating func match(_ s: UnsafeBufferPointer<UInt8>, _ si: inout Int, _ f: UnsafeBufferPointer<UInt8>) -> Bool {
        var fi = 0
        while fi < f.count {
            let c = f[fi]
            fi += 1
            if c != UInt8(ascii: "%") {
                if TemporalText.isSpace(c) {
                    // a run of white space in the format matches a run of at least one in the text
                    guard si < s.count && TemporalText.isSpace(s[si]) else { return false }
                    while si < s.count && TemporalText.isSpace(s[si]) { si += 1 }
                    while fi < f.count && TemporalText.isSpace(f[fi]) { fi += 1 }
                    continue
                }
                guard si < s.count && s[si] == c else { return false }
                si += 1
                continue
            }
            guard fi < f.count else { return false }
            var spec = f[fi]
            fi += 1
            if spec == UInt8(ascii: "-"), fi < f.count {
                spec = f[fi]
                fi += 1
            }
            guard field(spec, s, &si) else { return false }
        }
        return true
    }

    /// Reads the field of one specifier at `si`.
    mutating func field(_ spec: UInt8, _ s: UnsafeBufferPointer<UInt8>, _ si: inout Int) -> Bool {
        func num(_ maxDigits: Int) -> Int64? {
            var v: Int64 = 0
            var k = 0
            var neg = false
            if si < s.count && s[si] == UInt8(ascii: "-") && maxDigits > 4 {
                neg = true
                si += 1
            }
            while si < s.count, s[si] >= 48, s[si] <= 57, k < maxDigits {
                v = v * 10 + Int64(s[si] - 48)
                k += 1
                si += 1
            }
            return k == 0 ? nil : (neg ? -v : v)
        }
        func composite(_ format: StaticString) -> Bool {
            match(s, &si, UnsafeBufferPointer(start: format.utf8Start, count: format.utf8CodeUnitCount))
        }
        switch spec {
        case UInt8(ascii: "Y"), UInt8(ascii: "y"), UInt8(ascii: "m"), UInt8(ascii: "d"), UInt8(ascii: "j"),
            UInt8(ascii: "H"), UInt8(ascii: "I"), UInt8(ascii: "M"), UInt8(ascii: "S"):
            guard let v = num(spec == UInt8(ascii: "Y") ? 4 : spec == UInt8(ascii: "j") ? 3 : 2) else { return false }
            set(spec, v)
        case UInt8(ascii: "f"), UInt8(ascii: "g"):
            return readFraction(s, &si, maxDigits: spec == UInt8(ascii: "f") ? 6 : 3)
        case UInt8(ascii: "p"):
            guard s.count - si >= 2 else { return false }
            let a = s[si] & 0xDF
            guard (a == UInt8(ascii: "A") || a == UInt8(ascii: "P")) && s[si + 1] & 0xDF == UInt8(ascii: "M") else {
                return false
            }
            pm = a == UInt8(ascii: "P")
            si += 2
        case UInt8(ascii: "b"), UInt8(ascii: "h"), UInt8(ascii: "B"):
            guard let m = Self.name(CalendarKernels.monthNames, s, &si, abbreviated: spec != UInt8(ascii: "B")) else {
                return false
            }
            month = m + 1
        case UInt8(ascii: "a"), UInt8(ascii: "A"):
            return Self.name(CalendarKernels.dayNames, s, &si, abbreviated: spec == UInt8(ascii: "a")) != nil
        case UInt8(ascii: "T"), UInt8(ascii: "X"): return composite("%H:%M:%S")
        case UInt8(ascii: "x"): return composite("%Y-%m-%d")
        case UInt8(ascii: "c"): return composite("%Y-%m-%d %H:%M:%S")
        case UInt8(ascii: "%"):
            guard si < s.count && s[si] == UInt8(ascii: "%") else { return false }
            si += 1
        default: return false
        }
        return true
    }

    /// Stores the number `v` read for the numeric specifier `spec`.
    mutating func set(_ spec: UInt8, _ v: Int64) {
        switch spec {
        case UInt8(ascii: "Y"): year = v
        case UInt8(ascii: "y"): year = v < 69 ? 2000 + v : 1900 + v
        case UInt8(ascii: "m"):
            month = Int(v)
            monthOrDaySeen = true
        case UInt8(ascii: "d"):
            day = Int(v)
            monthOrDaySeen = true
        case UInt8(ascii: "j"): dayOfYear = v
        case UInt8(ascii: "H"), UInt8(ascii: "I"): hour = v
        case UInt8(ascii: "M"): minute = v
        default: second = v
        }
    }

    /// A fraction of a second of 1 to `maxDigits` digits at `si` (more do not match, as in
    /// DuckDB), as microseconds.
    mutating func readFraction(_ s: UnsafeBufferPointer<UInt8>, _ si: inout Int, maxDigits: Int) -> Bool {
        var v: Int64 = 0
        var k = 0
        while si < s.count, s[si] >= 48, s[si] <= 57 {
            if k < 6 {
                v = v * 10 + Int64(s[si] - 48)
            }
            k += 1
            si += 1
        }
        if k == 0 || k > maxDigits { return false }
        for _ in Swift.min(k, 6)..<6 { v *= 10 }
        fraction = v
        return true
    }

    /// The index of the name among `names` (English, any case) at `si`, its first three letters
    /// when `abbreviated`; nil when none matches.
    static func name(_ names: [[UInt8]], _ s: UnsafeBufferPointer<UInt8>, _ si: inout Int, abbreviated: Bool) -> Int? {
        for (k, full) in names.enumerated() {
            let n = abbreviated ? 3 : full.count
            guard s.count - si >= n else { continue }
            var same = true
            for j in 0..<n where s[si + j] | 0x20 != full[j] | 0x20 {
                same = false
                break
            }
            if same {
                si += n
                return k
            }
        }
        return nil
    }
}

/// strptime for readers outside the expression engine (read_csv's `dateformat` and
/// `timestampformat`), with the specifiers and white-space rules of `FunctionRegistry.strptime`.
public struct StrptimeFormat: Sendable {
    /// The format as written.
    public let text: String
    private let bytes: [UInt8]

    /// - Throws: `KuaiError.execution` with DuckDB's "Unrecognized format for strftime/strptime"
    ///   for a specifier DuckDB does not know.
    public init(_ text: String) throws {
        if let error = StrftimePattern(text).error { throw KuaiError(.execution, error) }
        self.text = text
        bytes = Array(text.utf8)
    }

    /// The wall time of `s` read by the format, microseconds since 1970-01-01; nil when it does not match.
    public func parse(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        bytes.withUnsafeBufferPointer { FunctionRegistry.strptime(s, $0) }
    }
}
