import KuaiCore

/// The 8-byte string bounds of a plain-string block's zone map (Formats/column-file.md, "Zone maps of
/// plain-string blocks").
///
/// A bound is at most 8 bytes of UTF-8 without NUL, written in the block header's min or max field
/// from its first byte on and zero-padded (the field read as a little-endian i64). The lower bound is
/// a prefix of the block's smallest string (so it is <= every value); the upper bound is the largest
/// string when that fits 8 bytes without NUL, else the successor of a prefix of it (the prefix with
/// its last ASCII byte below 0x7F increased by one and what follows dropped), which is greater than
/// every string starting with the prefix.
enum StringBound {
    /// The first bytes of `v` that make a lower bound: at most 8, cut at a NUL and back to the start
    /// of a UTF-8 sequence.
    static func prefix(_ v: StringView) -> [UInt8] {
        v.withBytes { b in
            var n = min(b.count, 8)
            if let z = b.prefix(n).firstIndex(of: 0) { n = z }
            if n < b.count {
                // Cut before a partial UTF-8 sequence: drop continuation bytes, then the lead byte.
                while n > 0 && b[n] & 0xC0 == 0x80 { n -= 1 }
            }
            return Array(b.prefix(n))
        }
    }

    /// The field holding `bytes` (at most 8): byte k is bits 8k..<8k+8.
    static func field(_ bytes: [UInt8]) -> Int64 {
        var x: UInt64 = 0
        for (k, b) in bytes.enumerated() { x |= UInt64(b) << (8 * UInt64(k)) }
        return Int64(bitPattern: x)
    }

    /// The lower-bound field of a block whose smallest value is `v`.
    static func lower(_ v: StringView) -> Int64 { field(prefix(v)) }

    /// The upper-bound field of a block whose largest value is `v`, or nil when none fits 8 bytes.
    static func upper(_ v: StringView) -> Int64? {
        let p = prefix(v)
        if p.count == v.count { return field(p) }
        guard let k = p.lastIndex(where: { $0 < 0x7F }) else { return nil }
        var s = Array(p[..<k])
        s.append(p[k] + 1)
        return field(s)
    }

    /// The string a field holds: its bytes up to the first zero byte; nil when they are not valid UTF-8.
    static func string(_ field: Int64) -> String? {
        let x = UInt64(bitPattern: field)
        var bytes: [UInt8] = []
        for k in 0..<8 {
            let b = UInt8(truncatingIfNeeded: x >> (8 * UInt64(k)))
            if b == 0 { break }
            bytes.append(b)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
