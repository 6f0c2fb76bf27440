/// UTF-8 helpers of the string kernels: code point decoding and encoding over raw bytes, ASCII
/// tests a word at a time, and DuckDB's one-to-one case mapping (`CaseMappingTable.swift`).
///
/// Invalid bytes (a stray continuation byte, a truncated sequence) are taken as one code point
/// each and copied unchanged, so no kernel reads past a string's end or drops bytes.
enum UTF8Bytes {
    /// True when every byte of `b` is below 0x80.
    @inline(__always)
    static func isASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let p = b.baseAddress else { return true }
        let raw = UnsafeRawPointer(p)
        let n = b.count
        var acc: UInt64 = 0
        var i = 0
        while i + 8 <= n {
            acc |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < n {
            acc |= UInt64(p[i])
            i += 1
        }
        return acc & 0x8080_8080_8080_8080 == 0
    }

    /// True when `b` is well-formed UTF-8 (no stray or missing continuation byte, no overlong form,
    /// no surrogate, nothing above U+10FFFF), as DuckDB's UTF-8 check of a string.
    static func isValid(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < b.count {
            if b[i] < 0x80 {
                i += 1
                continue
            }
            let len = sequenceLength(b, i)
            if len == 1 { return false }
            let cp = decode(b, i, len)
            let least: UInt32 = len == 2 ? 0x80 : (len == 3 ? 0x800 : 0x10000)
            if cp < least || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) { return false }
            i += len
        }
        return true
    }

    /// Code points in `b` (bytes that do not continue a sequence), as DuckDB's length() counts.
    @inline(__always)
    static func codePointCount(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        var n = 0
        for x in b where x & 0xC0 != 0x80 { n += 1 }
        return n
    }

    /// The byte length of the sequence that starts with `lead` and is complete in `b[i...]`
    /// (1 for ASCII and for an invalid or truncated sequence).
    @inline(__always)
    static func sequenceLength(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let lead = b[i]
        let want: Int
        if lead < 0xC2 {
            return 1
        } else if lead < 0xE0 {
            want = 2
        } else if lead < 0xF0 {
            want = 3
        } else if lead < 0xF5 {
            want = 4
        } else {
            return 1
        }
        if i + want > b.count { return 1 }
        for k in 1..<want where b[i + k] & 0xC0 != 0x80 { return 1 }
        return want
    }

    /// The code point of the `len`-byte sequence at `b[i]` (`len` from `sequenceLength`).
    @inline(__always)
    static func decode(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ len: Int) -> UInt32 {
        switch len {
        case 1: return UInt32(b[i])
        case 2: return UInt32(b[i] & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F)
        case 3: return UInt32(b[i] & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F)
        default:
            return UInt32(b[i] & 0x07) << 18 | UInt32(b[i + 1] & 0x3F) << 12 | UInt32(b[i + 2] & 0x3F) << 6
                | UInt32(b[i + 3] & 0x3F)
        }
    }

    /// Bytes of the UTF-8 encoding of `cp`.
    @inline(__always)
    static func encodedLength(_ cp: UInt32) -> Int {
        cp < 0x80 ? 1 : (cp < 0x800 ? 2 : (cp < 0x10000 ? 3 : 4))
    }

    /// Writes the UTF-8 encoding of `cp` at `out`; returns the bytes written.
    @inline(__always)
    static func encode(_ cp: UInt32, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        if cp < 0x80 {
            out[0] = UInt8(cp)
            return 1
        }
        if cp < 0x800 {
            out[0] = UInt8(0xC0 | cp >> 6)
            out[1] = UInt8(0x80 | cp & 0x3F)
            return 2
        }
        if cp < 0x10000 {
            out[0] = UInt8(0xE0 | cp >> 12)
            out[1] = UInt8(0x80 | (cp >> 6) & 0x3F)
            out[2] = UInt8(0x80 | cp & 0x3F)
            return 3
        }
        out[0] = UInt8(0xF0 | cp >> 18)
        out[1] = UInt8(0x80 | (cp >> 12) & 0x3F)
        out[2] = UInt8(0x80 | (cp >> 6) & 0x3F)
        out[3] = UInt8(0x80 | cp & 0x3F)
        return 4
    }

    /// Byte offset of code point `k` (0-based) in `b`, or `b.count` when `b` has at most `k`.
    @inline(__always)
    static func offsetOfCodePoint(_ b: UnsafeBufferPointer<UInt8>, _ k: Int) -> Int {
        var seen = 0
        var i = 0
        while i < b.count {
            if seen == k { return i }
            i += sequenceLength(b, i)
            seen += 1
        }
        return b.count
    }

    /// True for DuckDB's trim() whitespace: the code points of Unicode category Zs (space separators).
    @inline(__always)
    static func isSpaceSeparator(_ cp: UInt32) -> Bool {
        switch cp {
        case 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}

/// DuckDB 2.0.1's upper() and lower() per code point (one code point to one code point).
enum CaseMapping {
    /// Upper and lower of every code point below 0x800 (one and two byte UTF-8), packed as
    /// `upper << 32 | lower`.
    static let small: [UInt64] = {
        var t = (0..<UInt64(0x800)).map { $0 << 32 | $0 }
        let triples = caseMappingTriples
        var k = 0
        while k < triples.count && triples[k] < 0x800 {
            t[Int(triples[k])] = UInt64(triples[k + 1]) << 32 | UInt64(triples[k + 2])
            k += 3
        }
        return t
    }()

    /// Code points from 0x800 on that have a mapping, sorted, and their (upper, lower).
    static let large: (points: [UInt32], upper: [UInt32], lower: [UInt32]) = {
        var p: [UInt32] = []
        var u: [UInt32] = []
        var l: [UInt32] = []
        let triples = caseMappingTriples
        var k = 0
        while k < triples.count {
            if triples[k] >= 0x800 {
                p.append(triples[k])
                u.append(triples[k + 1])
                l.append(triples[k + 2])
            }
            k += 3
        }
        return (p, u, l)
    }()

    /// upper (`toUpper`) or lower of one code point.
    @inline(__always)
    static func map(_ cp: UInt32, toUpper: Bool) -> UInt32 {
        if cp < 0x800 {
            let e = small[Int(cp)]
            return toUpper ? UInt32(truncatingIfNeeded: e >> 32) : UInt32(truncatingIfNeeded: e)
        }
        let t = large
        var lo = 0
        var hi = t.points.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if t.points[mid] < cp { lo = mid + 1 } else { hi = mid }
        }
        guard lo < t.points.count, t.points[lo] == cp else { return cp }
        return toUpper ? t.upper[lo] : t.lower[lo]
    }

    /// Bytes of `b` after case mapping (`b` not all ASCII).
    static func mappedLength(_ b: UnsafeBufferPointer<UInt8>, toUpper: Bool) -> Int {
        var i = 0
        var n = 0
        while i < b.count {
            let len = UTF8Bytes.sequenceLength(b, i)
            if len == 1 {
                n += 1
            } else {
                n += UTF8Bytes.encodedLength(map(UTF8Bytes.decode(b, i, len), toUpper: toUpper))
            }
            i += len
        }
        return n
    }

    /// Writes `b` case-mapped at `out` (exactly `mappedLength(b)` bytes).
    static func write(_ b: UnsafeBufferPointer<UInt8>, toUpper: Bool, _ out: UnsafeMutablePointer<UInt8>) {
        var i = 0
        var o = 0
        while i < b.count {
            let len = UTF8Bytes.sequenceLength(b, i)
            if len == 1 {
                out[o] = asciiMap(b[i], toUpper: toUpper)
                o += 1
            } else {
                o += UTF8Bytes.encode(map(UTF8Bytes.decode(b, i, len), toUpper: toUpper), out + o)
            }
            i += len
        }
    }

    /// One ASCII byte mapped (other bytes unchanged).
    @inline(__always)
    static func asciiMap(_ c: UInt8, toUpper: Bool) -> UInt8 {
        if toUpper { return c &- 0x61 < 26 ? c &- 32 : c }
        return c &- 0x41 < 26 ? c &+ 32 : c
    }
}
