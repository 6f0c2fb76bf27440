#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Byte values of the CSV dialect kuai reads (RFC 4180 with `"` quotes, a comma delimiter unless
/// another is given or detected; records end in LF or CRLF).
enum CSVByte {
    static let comma: UInt8 = 0x2C
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let quote: UInt8 = 0x22
    static let minus: UInt8 = 0x2D
    static let plus: UInt8 = 0x2B
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
}

/// The bytes that give a CSV file its structure: read_csv's `delim`, `quote`, `escape` and
/// `comment` (one byte each).
public struct CSVSyntax: Sendable, Equatable {
    /// The byte that ends a field (the first of a longer delimiter).
    public var delimiter: UInt8
    /// The delimiter's bytes after its first, for a delimiter of 2 to 4 bytes (read_csv's `delim =
    /// '||'`); empty for one byte.
    public var delimiterTail: [UInt8] = []
    /// The byte that opens and closes a quoted field.
    public var quote: UInt8 = CSVByte.quote
    /// Inside a quoted field, the byte that makes the next one literal; the quote itself (the
    /// default) means a doubled quote is one literal quote.
    public var escape: UInt8 = CSVByte.quote
    /// A line whose first byte other than spaces is this one is skipped, and an unquoted one ends
    /// the record's text (the rest of the line is ignored); nil: no comments.
    public var comment: UInt8? = nil

    public init(delimiter: UInt8 = UInt8(ascii: ",")) { self.delimiter = delimiter }

    /// True for RFC 4180's quoting (`"`, doubled to escape) and no comments, whatever the delimiter:
    /// what the parser's fast paths assume.
    var isDefault: Bool {
        quote == CSVByte.quote && escape == CSVByte.quote && comment == nil && delimiterTail.isEmpty
    }

    /// The delimiter's length in bytes when one starts at `i` (where `base[i] == delimiter`), else 0.
    @inline(__always)
    func delimiterLength(_ base: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        if delimiterTail.isEmpty { return 1 }
        let n = delimiterTail.count
        guard i + n < end else { return 0 }
        for k in 0..<n where base[i + 1 + k] != delimiterTail[k] { return 0 }
        return n + 1
    }
}

/// The quote-aware record scanner shared by the chunk splitter, the reject path and the header
/// reader, so that all three agree on where a record ends.
///
/// State machine (RFC 4180, with the quote, escape and comment bytes of a `CSVSyntax`): a quote
/// opens a quoted field only as the first byte of a field; inside a quoted field `""` is a literal
/// quote and a lone `"` closes the field (with another escape byte, the escape makes the byte after
/// it literal); a `"` in the middle of an unquoted field is an ordinary byte (as DuckDB reads it).
/// A LF outside quotes ends a record; so does the LF after a comment byte outside quotes.
enum RecordScanner {
    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted, escapeInQuoted, comment }

    /// `recordEnd(_:from:to:syntax:)` with RFC 4180's quoting and fields ending at `delimiter`.
    static func recordEnd(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int, delimiter: UInt8) -> Int? {
        recordEnd(base, from: start, to: end, syntax: CSVSyntax(delimiter: delimiter))
    }

    /// Offset just past the LF that ends the record starting at `start`, or nil when the record
    /// does not end before `end` (no LF outside quotes).
    static func recordEnd(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int, syntax: CSVSyntax) -> Int? {
        var state = State.fieldStart
        var i = start
        let delimiter = syntax.delimiter
        let quote = syntax.quote
        let escape = syntax.escape
        // no comment byte: a value no byte compares equal to (UInt8 widened)
        let comment = syntax.comment.map(Int.init) ?? -1
        // a delimiter of several bytes: its length where its first byte is met (0: not one)
        let long = !syntax.delimiterTail.isEmpty
        while i < end {
            let b = base[i]
            switch state {
            case .fieldStart:
                if b == quote {
                    state = .quoted
                } else if b == CSVByte.lf {
                    return i + 1
                } else if Int(b) == comment {
                    state = .comment
                } else if b == delimiter && long {
                    let n = syntax.delimiterLength(base, i, end)
                    if n == 0 { state = .unquoted } else { i += n - 1 }
                } else if b != delimiter {
                    state = .unquoted
                }
            case .unquoted:
                if b == delimiter && long {
                    let n = syntax.delimiterLength(base, i, end)
                    if n > 0 {
                        state = .fieldStart
                        i += n - 1
                    }
                } else if b == delimiter {
                    state = .fieldStart
                } else if b == CSVByte.lf {
                    return i + 1
                } else if Int(b) == comment {
                    state = .comment
                }
            case .comment:
                if b == CSVByte.lf { return i + 1 }
            case .quoted:
                if b == escape && escape != quote {
                    state = .escapeInQuoted
                } else if b == quote {
                    state = .quoteInQuoted
                }
            case .escapeInQuoted:
                state = .quoted
            case .quoteInQuoted:
                if b == quote && escape == quote {
                    state = .quoted
                } else if b == delimiter && syntax.delimiterLength(base, i, end) > 0 {
                    state = .fieldStart
                    i += syntax.delimiterLength(base, i, end) - 1
                } else if b == CSVByte.lf {
                    return i + 1
                } else {
                    state = .unquoted
                }
            }
            i += 1
        }
        return nil
    }

    /// Offset of the first `quote` byte in `[from, to)`, or nil.
    static func firstQuote(_ base: UnsafePointer<UInt8>, from: Int, to: Int, quote: UInt8 = CSVByte.quote) -> Int? {
        guard to > from, let q = memchr(base + from, Int32(quote), to - from) else { return nil }
        return UnsafeRawPointer(q).assumingMemoryBound(to: UInt8.self) - base
    }

    /// The offset just past the last record that ends inside `[0, count)`, or nil when no record
    /// ends there. `base[0]` must be the start of a record; `firstQuote` is the offset of the
    /// first `"` in the range (nil when there is none).
    ///
    /// Fast path: without any quote byte this is the last LF. Otherwise the bytes before the line
    /// holding the first quote are quote-free and the state machine runs from there.
    static func lastRecordBoundary(_ base: UnsafePointer<UInt8>, count: Int, firstQuote: Int?, syntax: CSVSyntax)
        -> Int?
    {
        guard let firstQuote else {
            var i = count - 1
            while i >= 0 && base[i] != CSVByte.lf { i -= 1 }
            return i >= 0 ? i + 1 : nil
        }
        var s = firstQuote - 1
        while s >= 0 && base[s] != CSVByte.lf { s -= 1 }
        var pos = s + 1
        var last: Int? = pos > 0 ? pos : nil
        while let e = recordEnd(base, from: pos, to: count, syntax: syntax) {
            last = e
            pos = e
        }
        return last
    }

    /// `lastRecordBoundary(_:count:firstQuote:syntax:)` with RFC 4180's quoting, searching for the
    /// first quote itself.
    static func lastRecordBoundary(_ base: UnsafePointer<UInt8>, count: Int, delimiter: UInt8) -> Int? {
        lastRecordBoundary(
            base, count: count, firstQuote: firstQuote(base, from: 0, to: count),
            syntax: CSVSyntax(delimiter: delimiter))
    }

    /// Number of LF bytes in `[from, to)`.
    static func countLF(_ base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
        var n = 0
        var i = from
        while i < to {
            n &+= base[i] == CSVByte.lf ? 1 : 0
            i += 1
        }
        return n
    }
}

/// One field cut out of a record by the slow (general) path.
struct ExtractedField {
    enum Terminator { case delimiter, newline, end }
    /// The field's bytes (quotes removed, `""` unescaped); valid until the next extraction.
    var start: UnsafePointer<UInt8>
    var count: Int
    var wasQuoted: Bool
    /// Offset just past the terminator.
    var next: Int
    var terminator: Terminator
    /// LF bytes inside the quoted field.
    var newlines: Int
    /// Set when the field is malformed: the reason, in the user's terms.
    var error: String?
}

/// The general field reader: quoted fields, escapes, CRLF, comments. Keeps a scratch buffer for
/// unescaped bytes, so one instance per thread.
struct FieldExtractor {
    /// The structure bytes (delimiter, quote, escape, comment).
    let syntax: CSVSyntax
    /// The byte that ends a field (`,` by default).
    var delimiter: UInt8 { syntax.delimiter }
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity: Int

    /// A reader of RFC 4180 fields ending at `delimiter`.
    init(delimiter: UInt8) { self.init(syntax: CSVSyntax(delimiter: delimiter)) }

    init(syntax: CSVSyntax) {
        self.syntax = syntax
        scratchCapacity = 256
        scratch = .allocate(capacity: scratchCapacity + 8)
        scratch.initialize(repeating: 0, count: scratchCapacity + 8)
    }

    func deallocate() { scratch.deallocate() }

    private mutating func reserve(_ n: Int) {
        if n <= scratchCapacity { return }
        var cap = scratchCapacity
        while cap < n { cap *= 2 }
        scratch = regrownBytes(scratch, keeping: scratchCapacity, capacity: cap)
        scratchCapacity = cap
    }

    /// Reads the field starting at `pos` (the first byte of the field) of a buffer ending at `end`.
    /// An unquoted comment byte ends the field and its record: the rest of the line is skipped.
    mutating func extract(_ base: UnsafePointer<UInt8>, at pos: Int, end: Int) -> ExtractedField {
        if pos < end && base[pos] == syntax.quote {
            return extractQuoted(base, at: pos, end: end)
        }
        var i = pos
        let delimiter = syntax.delimiter
        if let comment = syntax.comment {
            while i < end {
                let b = base[i]
                if (b == delimiter && syntax.delimiterLength(base, i, end) > 0) || b == CSVByte.lf || b == comment {
                    break
                }
                i += 1
            }
            if i < end && base[i] == comment {
                var e = i
                while e < end && base[e] != CSVByte.lf { e += 1 }
                return ExtractedField(
                    start: base + pos, count: i - pos, wasQuoted: false, next: min(e + 1, end),
                    terminator: e < end ? .newline : .end, newlines: 0)
            }
        } else if !syntax.delimiterTail.isEmpty {
            while i < end {
                let b = base[i]
                if (b == delimiter && syntax.delimiterLength(base, i, end) > 0) || b == CSVByte.lf { break }
                i += 1
            }
        } else {
            while i < end {
                let b = base[i]
                if b == delimiter || b == CSVByte.lf { break }
                i += 1
            }
        }
        if i == end {
            var n = i - pos
            if n > 0 && base[i - 1] == CSVByte.cr { n -= 1 }
            return ExtractedField(
                start: base + pos, count: n, wasQuoted: false, next: end, terminator: .end, newlines: 0)
        }
        if base[i] == delimiter {
            return ExtractedField(
                start: base + pos, count: i - pos, wasQuoted: false, next: i + syntax.delimiterLength(base, i, end),
                terminator: .delimiter, newlines: 0)
        }
        var n = i - pos
        if n > 0 && base[i - 1] == CSVByte.cr { n -= 1 }
        return ExtractedField(
            start: base + pos, count: n, wasQuoted: false, next: i + 1, terminator: .newline, newlines: 0)
    }

    private mutating func extractQuoted(_ base: UnsafePointer<UInt8>, at pos: Int, end: Int) -> ExtractedField {
        var i = pos + 1
        var n = 0
        var newlines = 0
        reserve(64)
        while true {
            if i >= end {
                return ExtractedField(
                    start: UnsafePointer(scratch), count: n, wasQuoted: true, next: end, terminator: .end,
                    newlines: newlines,
                    error:
                        "unterminated quoted field (no closing \(describeByte(syntax.quote)) before the end of the file)"
                )
            }
            let b = base[i]
            if b == syntax.escape && syntax.escape != syntax.quote && i + 1 < end {
                reserve(n + 1)
                scratch[n] = base[i + 1]
                if base[i + 1] == CSVByte.lf { newlines += 1 }
                n += 1
                i += 2
                continue
            }
            if b == syntax.quote {
                if syntax.escape == syntax.quote && i + 1 < end && base[i + 1] == syntax.quote {
                    reserve(n + 1)
                    scratch[n] = syntax.quote
                    n += 1
                    i += 2
                    continue
                }
                i += 1
                break
            }
            if b == CSVByte.lf { newlines += 1 }
            reserve(n + 1)
            scratch[n] = b
            n += 1
            i += 1
        }
        let field = UnsafePointer(scratch)
        if i >= end {
            return ExtractedField(
                start: field, count: n, wasQuoted: true, next: end, terminator: .end, newlines: newlines)
        }
        let t = base[i]
        if t == delimiter && syntax.delimiterLength(base, i, end) > 0 {
            return ExtractedField(
                start: field, count: n, wasQuoted: true, next: i + syntax.delimiterLength(base, i, end),
                terminator: .delimiter, newlines: newlines)
        }
        if t == CSVByte.lf {
            return ExtractedField(
                start: field, count: n, wasQuoted: true, next: i + 1, terminator: .newline, newlines: newlines)
        }
        if t == CSVByte.cr && (i + 1 == end || base[i + 1] == CSVByte.lf) {
            let next = min(i + 2, end)
            return ExtractedField(
                start: field, count: n, wasQuoted: true, next: next, terminator: i + 1 == end ? .end : .newline,
                newlines: newlines)
        }
        return ExtractedField(
            start: field, count: n, wasQuoted: true, next: i, terminator: .delimiter, newlines: newlines,
            error:
                "unexpected character \(describeByte(t)) after the closing quote of a quoted field (expected \(describeByte(delimiter)) or end of line)"
        )
    }
}

/// A record split into owned fields (a header line, the field count of a too-long record).
struct SplitRecord {
    var fields: [[UInt8]]
    /// Offset just past the record.
    var next: Int
    /// LF bytes consumed (1 for an ordinary record, more with quoted newlines, 0 at end of input).
    var lines: Int
    /// A malformed field: its 0-based index and the reason.
    var error: (field: Int, reason: String)?
}

/// Splits the record starting at `pos` into owned fields (`RecordFields.split`, each field then
/// copied into its own array).
func splitRecord(_ base: UnsafePointer<UInt8>, at pos: Int, end: Int, extractor: inout FieldExtractor) -> SplitRecord {
    var r = RecordFields()
    _ = r.split(base, at: pos, end: end, extractor: &extractor)
    return SplitRecord(
        fields: (0..<r.count).map { Array(r.bytes[r.ends[$0]..<r.ends[$0 + 1]]) }, next: r.next, lines: r.lines,
        error: r.error)
}

/// One record's fields copied into a reused byte buffer: field `i` is `bytes[ends[i]..<ends[i + 1]]`.
/// Splitting a record allocates nothing once the buffers have grown (the type-inference sample
/// splits every record so; `splitRecord` copies the fields out).
struct RecordFields {
    var bytes: [UInt8] = []
    /// Field boundaries: `count + 1` offsets into `bytes`, starting at 0.
    var ends: [Int] = [0]
    /// Offset just past the record.
    var next = 0
    /// LF bytes consumed (1 for an ordinary record, more with quoted newlines, 0 at end of input).
    var lines = 0
    /// A malformed field: its 0-based index and the reason.
    var error: (field: Int, reason: String)?

    /// Fields in the last record split.
    var count: Int { ends.count - 1 }

    /// Splits the record starting at `pos`: fields end at the extractor's delimiter, the record at LF
    /// (a CR before it dropped) or at `end`, and a delimiter as the input's last byte adds an empty
    /// last field. False
    /// when a field is malformed (an unterminated quote, a character after a closing quote): then
    /// `error` names it, the fields end with it, and `next` is the end of the record.
    mutating func split(_ base: UnsafePointer<UInt8>, at pos: Int, end: Int, extractor: inout FieldExtractor) -> Bool {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        ends.append(0)
        lines = 0
        error = nil
        var i = pos
        while true {
            let f = extractor.extract(base, at: i, end: end)
            bytes.append(contentsOf: UnsafeBufferPointer(start: f.start, count: f.count))
            ends.append(bytes.count)
            lines += f.newlines
            if let e = f.error {
                next = RecordScanner.recordEnd(base, from: pos, to: end, syntax: extractor.syntax) ?? end
                lines = RecordScanner.countLF(base, from: pos, to: next)
                error = (count - 1, e)
                return false
            }
            i = f.next
            switch f.terminator {
            case .delimiter:
                if i >= end {
                    ends.append(bytes.count)
                    next = end
                    return true
                }
                continue
            case .newline:
                next = i
                lines += 1
                return true
            case .end:
                next = end
                return true
            }
        }
    }
}

/// A printable description of one byte for error messages.
func describeByte(_ b: UInt8) -> String {
    if b >= 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
    let hex = String(b, radix: 16, uppercase: true)
    return "0x" + (hex.count < 2 ? "0" + hex : hex)
}

/// A printable description of a field's bytes for error messages: the text in quotes (cut at 40
/// characters), or what makes it not text.
func describeField(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
    let buf = UnsafeBufferPointer(start: p, count: n)
    if buf.contains(0) { return "binary data (a NUL byte): not a CSV text file" }
    guard let s = String(validating: buf, as: UTF8.self) else {
        return "bytes that are not valid UTF-8: not a CSV text file"
    }
    if s.count > 40 { return "'\(s.prefix(40))...'" }
    return "'\(s)'"
}

/// True when the bytes contain NUL or are not valid UTF-8 (the signs of a binary file).
func isBinary(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    if n == 0 { return false }
    if memchr(p, 0, n) != nil { return true }
    return String(validating: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) == nil
}

/// Word-at-a-time (SWAR) scanning over 8 bytes loaded little-endian. Callers guarantee that 8
/// bytes are readable at the pointer (chunk buffers, arenas and scratch buffers carry padding).
enum SWAR {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Powers of ten 10^0 ... 10^8.
    static let pow10: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]

    /// The leading run of ASCII digits in the 8 bytes at `p` (at most 8): its value and length.
    @inline(__always)
    static func digits8(_ p: UnsafePointer<UInt8>) -> (value: UInt64, count: Int) {
        let w = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
        let a = w ^ 0x3030_3030_3030_3030
        // High bit of a byte set when the byte is not a digit (a > 9). Carries from a byte >= 0x8A
        // only reach later bytes, so the first flagged byte is exact.
        let nonDigit = ((a &+ 0x7676_7676_7676_7676) | a) & highs
        let n = nonDigit == 0 ? 8 : nonDigit.trailingZeroBitCount &>> 3
        if n == 0 { return (0, 0) }
        // Move the n digits to the top bytes (zeros below act as leading zeros), then combine
        // pairs, quads and octets.
        return (combine8(a &<< UInt64(truncatingIfNeeded: (8 &- n) &* 8)), n)
    }

    /// The value of 8 digit values (bytes 0...9, the first byte most significant).
    @inline(__always)
    static func combine8(_ a: UInt64) -> UInt64 {
        var v = a
        v = (v &* 10 &+ (v &>> 8)) & 0x00FF_00FF_00FF_00FF
        v = (v &* 100 &+ (v &>> 16)) & 0x0000_FFFF_0000_FFFF
        v = (v &* 10_000 &+ (v &>> 32)) & 0x0000_0000_FFFF_FFFF
        return v
    }

    /// Offset of the first `delimiter` or LF at or after `p` (the buffer must contain one).
    @inline(__always)
    static func findDelimiter(_ p: UnsafePointer<UInt8>, _ delimiter: UInt8) -> Int {
        var i = 0
        let d = ones &* UInt64(delimiter)
        while true {
            let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            let x = w ^ d
            let y = w ^ (ones &* UInt64(CSVByte.lf))
            let m = ((x &- ones) & ~x & highs) | ((y &- ones) & ~y & highs)
            if m != 0 { return i &+ (m.trailingZeroBitCount &>> 3) }
            i &+= 8
        }
    }
}
