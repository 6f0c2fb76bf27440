import KuaiCore

// translate, sha1, sha256, url_encode, url_decode, ord / unicode, bit_length, regexp_escape,
// hex / to_hex, bin / to_binary, to_base and a string's slice s[a:b] (array_slice), as DuckDB 2.0.1.
// Results are flat vectors written from bytes (`FlatStrings`); a function of one dictionary column
// runs once per dictionary entry (`ScalarExpr.eval`).

extension FunctionRegistry {
    static let stringCodeFunctions: [ScalarFunction] =
        [
            ScalarFunction("translate", [.varchar, .varchar, .varchar], .varchar) { a, _, n, _ in
                StringCodeKernels.translate(a, n)
            },
            ScalarFunction("sha1", [.varchar], .varchar) { a, _, n, _ in
                StringKernels.unary(a[0], n) { b, heap in FlatStrings.make(heap, count: 40) { SHA.sha1Hex(b, $0) } }
            },
            ScalarFunction("sha256", [.varchar], .varchar) { a, _, n, _ in
                StringKernels.unary(a[0], n) { b, heap in FlatStrings.make(heap, count: 64) { SHA.sha256Hex(b, $0) } }
            },
            ScalarFunction("url_encode", [.varchar], .varchar) { a, _, n, _ in StringCodeKernels.urlEncode(a[0], n) },
            ScalarFunction("url_decode", [.varchar], .varchar) { a, _, n, _ in
                try StringCodeKernels.urlDecode(a[0], n)
            },
            /// bit_length(s): 8 bits per byte.
            ScalarFunction("bit_length", [.varchar], .bigint) { a, _, n, _ in
                StringKernels.toInt(a[0], n, type: .bigint) { Int64($0.count) * 8 }
            },
            ScalarFunction("strip_accents", [.varchar], .varchar) { a, _, n, _ in
                StringCodeKernels.stripAccents(a[0], n)
            },
            ScalarFunction("regexp_escape", [.varchar], .varchar) { a, _, n, _ in
                StringCodeKernels.regexpEscape(a[0], n)
            },
            ScalarFunction("to_base", [.bigint, .integer], .varchar) { a, _, n, _ in try StringCodeKernels.toBase(a, n)
            },
            ScalarFunction("to_base", [.bigint, .integer, .integer], .varchar) { a, _, n, _ in
                try StringCodeKernels.toBase(a, n)
            },
            /// `s[a:b]`, `array_slice(s, a, b)` of a VARCHAR (bound by the binder's string slice).
            ScalarFunction("array_slice", [.varchar, .bigint, .bigint], .varchar) { a, _, n, _ in
                StringCodeKernels.slice(a, n)
            },
            /// overlay(s, t, a[, n]), also `overlay(s PLACING t FROM a [FOR n])`.
            ScalarFunction("overlay", [.varchar, .varchar, .bigint], .varchar) { a, _, n, _ in
                StringCodeKernels.overlay(a, n)
            },
            ScalarFunction("overlay", [.varchar, .varchar, .bigint, .bigint], .varchar) { a, _, n, _ in
                StringCodeKernels.overlay(a, n)
            },
        ] + codePointFunctions + radixFunctions

    /// The functions whose HUGEINT overloads compute on all 128 bits (`Column.highs`), so wide
    /// values may reach them (ScalarExpr's guard lets them through).
    public static let wideHugeintFunctions: [String] = [
        "hex", "to_hex", "bin", "to_binary", "gcd", "greatest_common_divisor", "lcm", "least_common_multiple",
        "round_even", "roundbankers",
    ]

    /// ord(s) / unicode(s): the code point of the first character; -1 for '' (DuckDB 2.0.1).
    static let codePointFunctions: [ScalarFunction] = ["ord", "unicode"].map { name in
        ScalarFunction(name, [.varchar], .integer) { a, _, n, _ in
            StringKernels.toInt(a[0], n, type: .integer) { $0.isEmpty ? -1 : StringBuildKernels.firstCodePoint($0) }
        }
    }

    /// hex / to_hex and bin / to_binary: of a VARCHAR, each byte as two uppercase hex digits or eight
    /// bits; of an integer, its two's complement bits (64 for the integers up to BIGINT, 128 for
    /// HUGEINT) without leading zeros ('0' for 0), as DuckDB 2.0.1.
    static let radixFunctions: [ScalarFunction] = [("hex", 4), ("to_hex", 4), ("bin", 1), ("to_binary", 1)].flatMap {
        entry in
        let (name, bits) = entry
        return [
            ScalarFunction(name, [.varchar], .varchar) { a, _, n, _ in StringCodeKernels.bytesInRadix(a[0], n, bits) },
            ScalarFunction(name, [.bigint], .varchar) { a, _, n, _ in
                StringCodeKernels.integerInRadix(a[0], n, bits, huge: false)
            },
            ScalarFunction(name, [.hugeint], .varchar) { a, _, n, _ in
                StringCodeKernels.integerInRadix(a[0], n, bits, huge: true)
            },
        ]
    }
}

/// The loops of the functions above.
enum StringCodeKernels {
    static let upperDigits: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)

    /// translate(s, from, to): each character of `s` found in `from` (its first occurrence) becomes
    /// the character of `to` at the same position, or is removed when `to` is shorter; by code point.
    static func translate(_ a: [Operand], _ n: Int) -> Operand {
        let s = StringArg(a[0])
        let from = StringArg(a[1])
        let to = StringArg(a[2])
        guard let shape = KernelShape(count: n, [s, from, to]) else { return .scalar(.null) }
        var buf: [UInt8] = []
        var fromPoints: [UInt32] = []
        var toRanges: [(Int, Int)] = []
        let col = FlatStrings.build(shape.rows, validity: shape.validity) { views, heap in
            for i in 0..<shape.rows where !StringBuildKernels.isNull(shape, i) {
                buf.removeAll(keepingCapacity: true)
                from.views[i &* from.step].withBytes { f in
                    fromPoints.removeAll(keepingCapacity: true)
                    var k = 0
                    while k < f.count {
                        let len = min(UTF8Bytes.sequenceLength(f, k), f.count - k)
                        fromPoints.append(UTF8Bytes.decode(f, k, len))
                        k += len
                    }
                }
                to.views[i &* to.step].withBytes { t in
                    toRanges.removeAll(keepingCapacity: true)
                    var k = 0
                    while k < t.count {
                        let len = min(UTF8Bytes.sequenceLength(t, k), t.count - k)
                        toRanges.append((k, len))
                        k += len
                    }
                    s.views[i &* s.step].withBytes { b in
                        var k = 0
                        while k < b.count {
                            let len = min(UTF8Bytes.sequenceLength(b, k), b.count - k)
                            let cp = UTF8Bytes.decode(b, k, len)
                            if let j = fromPoints.firstIndex(of: cp) {
                                if j < toRanges.count {
                                    let (at, l) = toRanges[j]
                                    buf.append(contentsOf: t[at..<(at + l)])
                                }
                            } else {
                                buf.append(contentsOf: b[k..<(k + len)])
                            }
                            k += len
                        }
                    }
                }
                views[i] = buf.withUnsafeBufferPointer {
                    FlatStrings.copy(heap, $0.baseAddress ?? RegexProgram.emptyBytes, count: $0.count)
                }
            }
        }
        return shape.result(col)
    }

    /// True for the bytes url_encode keeps: A-Z a-z 0-9 - _ . ~ (RFC 3986's unreserved characters).
    @inline(__always)
    static func isUnreserved(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: "~"):
            return true
        default: return false
        }
    }

    /// url_encode(s): every other byte as %XX (uppercase hex).
    static func urlEncode(_ x: Operand, _ n: Int) -> Operand {
        StringKernels.unary(x, n) { b, heap in
            var count = 0
            for c in b { count += isUnreserved(c) ? 1 : 3 }
            return FlatStrings.make(heap, count: count) { o in
                var k = 0
                for c in b {
                    if isUnreserved(c) {
                        o[k] = c
                        k += 1
                    } else {
                        o[k] = UInt8(ascii: "%")
                        o[k + 1] = upperDigits[Int(c >> 4)]
                        o[k + 2] = upperDigits[Int(c & 15)]
                        k += 3
                    }
                }
            }
        }
    }

    /// The value of a hex digit; nil for another byte.
    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// url_decode(s): each %XX of two hex digits becomes its byte; any other byte ('+', a '%' not
    /// followed by two hex digits) stays.
    /// - Throws: DuckDB's "Failed to decode string ... invalid UTF8" when the bytes are not UTF-8.
    static func urlDecode(_ x: Operand, _ n: Int) throws -> Operand {
        let s = StringArg(x)
        guard let shape = KernelShape(count: n, [s]) else { return .scalar(.null) }
        var buf: [UInt8] = []
        var bad = -1
        let col = FlatStrings.build(shape.rows, validity: shape.validity) { views, heap in
            for i in 0..<shape.rows where !StringBuildKernels.isNull(shape, i) {
                buf.removeAll(keepingCapacity: true)
                s.views[i &* s.step].withBytes { b in
                    var k = 0
                    while k < b.count {
                        if b[k] == UInt8(ascii: "%"), k + 2 < b.count + 0, let h = hexValue(b[k + 1]),
                            let l = hexValue(b[k + 2])
                        {
                            buf.append(h << 4 | l)
                            k += 3
                        } else {
                            buf.append(b[k])
                            k += 1
                        }
                    }
                }
                let valid = buf.withUnsafeBufferPointer { UTF8Bytes.isValid($0) }
                if !valid && bad < 0 { bad = i }
                views[i] = buf.withUnsafeBufferPointer {
                    FlatStrings.copy(heap, $0.baseAddress ?? RegexProgram.emptyBytes, count: $0.count)
                }
            }
        }
        if bad >= 0 {
            let text = s.views[bad &* s.step].string
            throw KuaiError(
                .execution, "Failed to decode string \"\(text)\" using URL decoding - decoded value is invalid UTF8")
        }
        return shape.result(col)
    }

    /// regexp_escape(s): RE2's QuoteMeta: a backslash before every byte other than A-Z a-z 0-9 _ and
    /// the bytes of non-ASCII characters; a NUL byte becomes \x00.
    static func regexpEscape(_ x: Operand, _ n: Int) -> Operand {
        func plain(_ c: UInt8) -> Bool {
            c >= 0x80 || c == UInt8(ascii: "_") || (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A)
        }
        return StringKernels.unary(x, n) { b, heap in
            var count = 0
            for c in b { count += plain(c) ? 1 : (c == 0 ? 4 : 2) }
            return FlatStrings.make(heap, count: count) { o in
                var k = 0
                for c in b {
                    if plain(c) {
                        o[k] = c
                        k += 1
                    } else if c == 0 {
                        for (j, d) in "\\x00".utf8.enumerated() { o[k + j] = d }
                        k += 4
                    } else {
                        o[k] = UInt8(ascii: "\\")
                        o[k + 1] = c
                        k += 2
                    }
                }
            }
        }
    }

    /// hex / bin of a VARCHAR: each byte as `8 / bits` digits (uppercase hex or binary).
    static func bytesInRadix(_ x: Operand, _ n: Int, _ bits: Int) -> Operand {
        let per = 8 / bits
        let mask = UInt8((1 << bits) - 1)
        return StringKernels.unary(x, n) { b, heap in
            FlatStrings.make(heap, count: b.count * per) { o in
                for (k, c) in b.enumerated() {
                    for d in 0..<per { o[k * per + d] = upperDigits[Int((c >> UInt8(bits * (per - 1 - d))) & mask)] }
                }
            }
        }
    }

    /// hex / bin of an integer operand (BIGINT or HUGEINT): the two's complement bits of its width
    /// in digits of `bits` bits, without leading zeros.
    static func integerInRadix(_ x: Operand, _ n: Int, _ bits: Int, huge: Bool) -> Operand {
        let values = Int128Rows(x)
        guard let shape = KernelShape(count: n, [values]) else { return .scalar(.null) }
        var digits = [UInt8](repeating: 0, count: 128)
        let col = FlatStrings.build(shape.rows, validity: shape.validity) { views, heap in
            for i in 0..<shape.rows where !StringBuildKernels.isNull(shape, i) {
                let v = values.value(i)
                var u = huge ? UInt128(truncatingIfNeeded: v) : UInt128(UInt64(truncatingIfNeeded: v))
                var k = 128
                repeat {
                    k -= 1
                    digits[k] = upperDigits[Int(u & UInt128((1 << bits) - 1))]
                    u >>= UInt128(bits)
                } while u != 0
                views[i] = digits.withUnsafeBufferPointer {
                    FlatStrings.copy(heap, $0.baseAddress! + k, count: 128 - k)
                }
            }
        }
        return shape.result(col)
    }

    /// to_base(number, radix[, min_length]): `number` in base `radix` (uppercase digits), left-padded
    /// with zeros to `min_length`.
    /// - Throws: DuckDB's errors for a negative number, a radix outside 2...36 and a min_length
    ///   outside 0...64 (checked in that order, per row).
    static func toBase(_ a: [Operand], _ n: Int) throws -> Operand {
        let number = IntRows(a[0])
        let radix = IntRows(a[1])
        let minimum = a.count > 2 ? IntRows(a[2]) : IntRows(.scalar(.int(0)))
        guard let shape = KernelShape(count: n, [number, radix, minimum]) else { return .scalar(.null) }
        var digits = [UInt8](repeating: 0, count: 64)
        let col = try FlatStrings.build(shape.rows, validity: shape.validity) { views, heap in
            for i in 0..<shape.rows where !StringBuildKernels.isNull(shape, i) {
                let v = number.values[i &* number.step]
                let r = radix.values[i &* radix.step]
                let m = minimum.values[i &* minimum.step]
                guard v >= 0 else {
                    throw KuaiError(.execution, "'to_base' number must be greater than or equal to 0")
                }
                guard r >= 2 && r <= 36 else { throw KuaiError(.execution, "'to_base' radix must be between 2 and 36") }
                guard m >= 0 && m <= 64 else {
                    throw KuaiError(.execution, "'to_base' min_length must be between 0 and 64")
                }
                var u = UInt64(v)
                var k = 64
                repeat {
                    k -= 1
                    digits[k] = upperDigits[Int(u % UInt64(r))]
                    u /= UInt64(r)
                } while u != 0
                while 64 - k < Int(m) {
                    k -= 1
                    digits[k] = UInt8(ascii: "0")
                }
                views[i] = digits.withUnsafeBufferPointer { FlatStrings.copy(heap, $0.baseAddress! + k, count: 64 - k) }
            }
        }
        return shape.result(col)
    }

    /// True when `cp` is in one of the sorted (first, last) ranges of `ranges`.
    static func inRanges(_ cp: UInt32, _ ranges: [UInt32]) -> Bool {
        var lo = 0
        var hi = ranges.count / 2
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[2 * mid + 1] < cp { lo = mid + 1 } else { hi = mid }
        }
        return lo < ranges.count / 2 && ranges[2 * lo] <= cp
    }

    /// The replacement of `cp` in the sorted (code point, replacement) pairs, nil when absent.
    static func replacement(_ cp: UInt32, _ pairs: [UInt32]) -> UInt32? {
        var lo = 0
        var hi = pairs.count / 2
        while lo < hi {
            let mid = (lo + hi) / 2
            if pairs[2 * mid] < cp { lo = mid + 1 } else { hi = mid }
        }
        return lo < pairs.count / 2 && pairs[2 * lo] == cp ? pairs[2 * lo + 1] : nil
    }

    /// strip_accents(s): DuckDB's (utf8proc's) decomposition with the marks stripped, recomposed: a
    /// combining mark is removed, a character with a canonical decomposition becomes its base
    /// (`StripAccentsTable`), and Hangul jamo sequences L V (T) compose into their syllable.
    static func stripAccents(_ x: Operand, _ n: Int) -> Operand {
        var buf: [UInt8] = []
        return StringKernels.unary(x, n) { b, heap in
            if UTF8Bytes.isASCII(b) {
                return FlatStrings.copy(heap, b.baseAddress ?? RegexProgram.emptyBytes, count: b.count)
            }
            buf.removeAll(keepingCapacity: true)
            var last: UInt32 = 0
            var lastAt = 0
            var k = 0
            while k < b.count {
                let len = min(UTF8Bytes.sequenceLength(b, k), b.count - k)
                var cp = UTF8Bytes.decode(b, k, len)
                k += len
                if cp >= 0x80 {
                    if inRanges(cp, StripAccentsTable.removed) { continue }
                    cp = replacement(cp, StripAccentsTable.replaced) ?? cp
                }
                if let syllable = hangulComposition(last, cp) {
                    buf.removeSubrange(lastAt...)
                    cp = syllable
                }
                lastAt = buf.count
                last = cp
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4) { t in
                    let m = UTF8Bytes.encode(cp, t.baseAddress!)
                    buf.append(contentsOf: UnsafeBufferPointer(rebasing: t[0..<m]))
                }
            }
            return buf.withUnsafeBufferPointer {
                FlatStrings.copy(heap, $0.baseAddress ?? RegexProgram.emptyBytes, count: $0.count)
            }
        }
    }

    /// The Hangul syllable of a leading jamo and a vowel jamo, or of an LV syllable and a trailing
    /// jamo (Unicode's canonical composition of Hangul, 3.12); nil otherwise.
    @inline(__always)
    static func hangulComposition(_ a: UInt32, _ b: UInt32) -> UInt32? {
        if (0x1100...0x1112).contains(a) && (0x1161...0x1175).contains(b) {
            return 0xAC00 + ((a - 0x1100) * 21 + (b - 0x1161)) * 28
        }
        if (0xAC00...0xD7A3).contains(a) && (a - 0xAC00) % 28 == 0 && (0x11A8...0x11C2).contains(b) {
            return a + (b - 0x11A7)
        }
        return nil
    }

    /// overlay(s, t, a[, n]): the first a - 1 code points of `s`, then `t`, then `s` from code point
    /// a + n (1-based; n is t's length when absent or negative; positions before the start are the
    /// start), as DuckDB 2.0.1 answers.
    static func overlay(_ a: [Operand], _ n: Int) -> Operand {
        let s = StringArg(a[0])
        let t = StringArg(a[1])
        let from = IntRows(a[2])
        let count = a.count > 3 ? IntRows(a[3]) : IntRows(.scalar(.int(-1)))
        guard let shape = KernelShape(count: n, [s, t, from, count]) else { return .scalar(.null) }
        var buf: [UInt8] = []
        let col = FlatStrings.build(shape.rows, validity: shape.validity) { views, heap in
            for i in 0..<shape.rows where !StringBuildKernels.isNull(shape, i) {
                buf.removeAll(keepingCapacity: true)
                t.views[i &* t.step].withBytes { tb in
                    var len = count.values[i &* count.step]
                    if len < 0 { len = Int64(UTF8Bytes.codePointCount(tb)) }
                    let start = from.values[i &* from.step]
                    let keep = start <= 1 ? 0 : start - 1
                    let resume = Int64(clamping: max(Int128(start) - 1 + Int128(len), 0))
                    s.views[i &* s.step].withBytes { sb in
                        let cps = Int64(UTF8Bytes.codePointCount(sb))
                        let cut = UTF8Bytes.offsetOfCodePoint(sb, Int(min(keep, cps)))
                        buf.append(contentsOf: sb[0..<cut])
                        buf.append(contentsOf: tb)
                        let tail = UTF8Bytes.offsetOfCodePoint(sb, Int(min(resume, cps)))
                        buf.append(contentsOf: sb[tail...])
                    }
                }
                views[i] = buf.withUnsafeBufferPointer {
                    FlatStrings.copy(heap, $0.baseAddress ?? RegexProgram.emptyBytes, count: $0.count)
                }
            }
        }
        return shape.result(col)
    }

    /// s[a:b] of a VARCHAR: code points a to b, with list_slice's bounds (`ListFunctions.slice`):
    /// 1-based, inclusive, a negative bound from the end, clamped to the string.
    static func slice(_ a: [Operand], _ n: Int) -> Operand {
        let s = StringArg(a[0])
        let begin = IntRows(a[1])
        let end = IntRows(a[2])
        return KernelShape.strings(count: n, [s, begin, end], owners: s.owners) { i, _ in
            let view = s.views[i &* s.step]
            let (from, to) = view.withBytes { b -> (Int, Int) in
                let ascii = UTF8Bytes.isASCII(b)
                let len = Int64(ascii ? b.count : UTF8Bytes.codePointCount(b))
                var lo = begin.values[i &* begin.step]
                var hi = end.values[i &* end.step]
                if lo < 0 { lo = len &+ lo &+ 1 }
                if hi < 0 { hi = len &+ hi &+ 1 }
                lo = max(lo, 1)
                hi = min(hi, len)
                guard hi >= lo else { return (0, 0) }
                if ascii { return (Int(lo) - 1, Int(hi)) }
                return (UTF8Bytes.offsetOfCodePoint(b, Int(lo) - 1), UTF8Bytes.offsetOfCodePoint(b, Int(hi)))
            }
            return view.slice(from, to)
        }
    }
}

/// The values of an integer operand (BIGINT or HUGEINT storage) as Int128, with `IntRows`'s row
/// convention.
struct Int128Rows {
    let column: Column?
    let constant: Int128
    let step: Int
    let validity: [UInt8]?
    let isNullConstant: Bool

    init(_ op: Operand) {
        switch op {
        case .scalar(let v):
            column = nil
            step = 0
            validity = nil
            switch v {
            case .int(let x): (constant, isNullConstant) = (Int128(x), false)
            case .hugeint(let x): (constant, isNullConstant) = (x, false)
            default: (constant, isNullConstant) = (0, true)
            }
        case .column(let c):
            column = c
            constant = 0
            step = 1
            isNullConstant = false
            validity = c.type == .null ? [UInt8](repeating: 0, count: c.count) : c.validity
        }
    }

    @inline(__always)
    func value(_ i: Int) -> Int128 {
        guard let c = column, c.type != .null else { return constant }
        if let h = c.highs { return Int128(h[i]) << 64 | Int128(UInt64(bitPattern: c.ints[i])) }
        return Int128(c.ints[i])
    }
}

extension Int128Rows: KernelArgument {}
