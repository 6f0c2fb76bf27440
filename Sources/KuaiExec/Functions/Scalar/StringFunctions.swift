import KuaiCore

// lower, upper, length, trim, reverse, substring, left, right, replace, split_part, starts_with,
// contains, strpos, || and concat. Unary functions over a dictionary column run once per distinct string.

extension FunctionRegistry {
    static let stringFunctions: [ScalarFunction] = [
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
