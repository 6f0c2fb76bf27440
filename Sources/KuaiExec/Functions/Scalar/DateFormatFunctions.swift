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
    ]

    /// strftime with DuckDB's specifiers (%Y %m %d %H %M %S %f %j %a %A %b %B %p %I %y %w %u %-d %-m ...)
    /// of one value, for a format that is not a constant (`StrftimePattern`).
    /// - Throws: `KuaiError.execution` for a format DuckDB rejects.
    static func strftime(_ micros: Int64, _ fmt: String) throws -> String {
        try StrftimePattern.checked(fmt).text(micros)
    }

    /// strptime(text, format) over VARCHAR operands in either form, read as bytes (no Swift
    /// `String` per row), as TIMESTAMP microseconds.
    /// - Throws: `KuaiError.execution` naming the first text that does not match its format
    ///   (DuckDB's "Could not parse string").
    static func strptimeKernel(_ a: [Operand], _ n: Int, _ e: ScalarExpr) throws -> Operand {
        let text = StringArg(a[0])
        let format = StringArg(a[1])
        guard let shape = KernelShape(count: n, [text, format]) else { return .scalar(.null) }
        let valid = shape.validity
        var failed = -1
        var out = [Int64](repeating: 0, count: shape.rows)
        withExtendedLifetime((text.owners, format.owners)) {
            text.views.withUnsafeBufferPointer { tv in
                format.views.withUnsafeBufferPointer { fv in
                    for i in 0..<shape.rows where valid.map({ $0[i] != 0 }) ?? true {
                        let v = tv[i &* text.step].withBytes { t in fv[i &* format.step].withBytes { strptime(t, $0) } }
                        guard let v else {
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
        return shape.result(Column(type: .timestamp, ints: out, validity: valid))
    }

    /// strptime for the numeric specifiers (%Y %m %d %H %M %S %f %y %j) and %p over UTF-8 bytes;
    /// nil when `s` does not match `f`.
    static func strptime(_ s: UnsafeBufferPointer<UInt8>, _ f: UnsafeBufferPointer<UInt8>) -> Int64? {
        var si = 0
        var fi = 0
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
        while fi < f.count {
            let c = f[fi]
            fi += 1
            if c != UInt8(ascii: "%") {
                if c == UInt8(ascii: " ") {
                    while si < s.count && s[si] == UInt8(ascii: " ") { si += 1 }
                    continue
                }
                guard si < s.count && s[si] == c else { return nil }
                si += 1
                continue
            }
            guard fi < f.count else { return nil }
            var spec = f[fi]
            fi += 1
            if spec == UInt8(ascii: "-"), fi < f.count {
                spec = f[fi]
                fi += 1
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
                while si < s.count, s[si] >= 48, s[si] <= 57 {
                    if k < 6 {
                        v = v * 10 + Int64(s[si] - 48)
                        k += 1
                    }
                    si += 1
                }
                if k == 0 { return nil }
                while k < 6 {
                    v *= 10
                    k += 1
                }
                us = v
            case UInt8(ascii: "p"):
                guard s.count - si >= 2 else { return nil }
                let a = s[si] & 0xDF
                let b = s[si + 1] & 0xDF
                guard (a == UInt8(ascii: "A") || a == UInt8(ascii: "P")) && b == UInt8(ascii: "M") else { return nil }
                pm = a == UInt8(ascii: "P")
                si += 2
            case UInt8(ascii: "%"):
                guard si < s.count && s[si] == UInt8(ascii: "%") else { return nil }
                si += 1
            default: return nil
            }
        }
        guard si == s.count, mo >= 1, mo <= 12, d >= 1, d <= CivilDate.daysInMonth(year: y, month: mo), h < 24,
            mi < 60, sec < 60
        else { return nil }
        if let pm { h = h % 12 + (pm ? 12 : 0) }
        return CivilDate.days(year: y, month: mo, day: d) * microsPerDay + h * 3_600_000_000 + mi * 60_000_000
            + sec * 1_000_000 + us
    }
}
