/// The text of one CSV record as an error message shows it (Formats/bad-input.md, section 1):
/// the record without its line end, control characters escaped (`\t`, `\r`, `\n`, `\0`, `\xNN`)
/// so that the message stays on one line, bytes that are not UTF-8 shown as U+FFFD, and a long
/// record cut to `width` characters around the bad field, each cut marked with "…".
enum RecordExcerpt {
    /// Characters shown at most (the marks of a cut not counted).
    static let width = 100
    /// Characters kept before the bad field when the record is cut.
    static let lead = 30

    /// The excerpt of the record `base[start..<end]` (its line end, if any, included) around its
    /// field number `field` (0-based; a field past the last one means the record's end); fields end
    /// at `delimiter`.
    static func text(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int, field: Int, delimiter: UInt8)
        -> String
    {
        var e = end
        while e > start && (base[e - 1] == CSVByte.lf || base[e - 1] == CSVByte.cr) { e -= 1 }
        let f = fieldStart(base, from: start, to: e, field: field, delimiter: delimiter)
        // Only bytes near the field are decoded: a record may be megabytes long.
        var lo = max(start, f - 8 * width)
        var hi = min(e, f + 8 * width)
        while lo > start && base[lo] & 0xC0 == 0x80 { lo -= 1 }
        while hi < e && base[hi] & 0xC0 == 0x80 { hi += 1 }
        let before = escaped(base, lo, f)
        let after = escaped(base, f, hi)
        let headCount = min(before.count, max(lead, width - after.count))
        let tailCount = min(after.count, width - headCount)
        let cutHead = lo > start || headCount < before.count
        let cutTail = hi < e || tailCount < after.count
        return (cutHead ? "…" : "") + before.suffix(headCount).joined() + after.prefix(tailCount).joined()
            + (cutTail ? "…" : "")
    }

    /// Byte offset where field `field` of the record starts (quotes respected); `end` when the
    /// record has fewer fields.
    private static func fieldStart(
        _ base: UnsafePointer<UInt8>, from start: Int, to end: Int, field: Int, delimiter: UInt8
    ) -> Int {
        if field <= 0 { return start }
        var k = 0
        var quoted = false
        var i = start
        while i < end {
            let b = base[i]
            if b == CSVByte.quote {
                quoted.toggle()
            } else if b == delimiter && !quoted {
                k += 1
                if k == field { return i + 1 }
            }
            i += 1
        }
        return end
    }

    /// The characters of `base[from..<to]`, one string per Unicode scalar, control characters escaped.
    private static func escaped(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> [String] {
        guard to > from else { return [] }
        let s = String(decoding: UnsafeBufferPointer(start: base + from, count: to - from), as: UTF8.self)
        return s.unicodeScalars.map { u -> String in
            switch u.value {
            case 9: return "\\t"
            case 10: return "\\n"
            case 13: return "\\r"
            case 0: return "\\0"
            case 1..<32, 127:
                let h = String(u.value, radix: 16, uppercase: true)
                return "\\x" + (h.count < 2 ? "0" : "") + h
            default: return String(u)
            }
        }
    }
}
