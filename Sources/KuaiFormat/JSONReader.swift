/// A JSON value (RFC 8259) as `JSONReader` parses it: what `Manifest.decode` reads a manifest into.
enum JSONValue {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits an `Int`.
    case integer(Int)
    /// Any other number.
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// The members in document order: `names[i]` is the name of `values[i]`; `member(_:)` finds one.
    case object(names: [String], values: [JSONValue])

    /// The value of the member called `name` of an object (the last one when the name repeats), or nil.
    func member(_ name: String) -> JSONValue? {
        guard case .object(let names, let values) = self, let i = names.lastIndex(of: name) else { return nil }
        return values[i]
    }

    /// The text of a string, else nil.
    var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    /// The value of an integer, else nil.
    var integerValue: Int? { if case .integer(let n) = self { n } else { nil } }
}

/// A strict RFC 8259 parser over UTF-8 bytes, for the store's manifest: one value surrounded by
/// white space, strings checked as UTF-8 (escapes, surrogate pairs), nesting at most
/// `JSONReader.maxDepth` deep. The manifest is read once per store open; this parser replaces
/// Foundation's `JSONDecoder`, whose run-time type lookups cost ~1.5 ms a read in a static executable.
struct JSONReader {
    /// Deeper nesting is an error (a crafted file must not exhaust the stack).
    static let maxDepth = 256

    /// A syntax error: what was found and where (1-based line and column, in bytes).
    struct SyntaxError: Error, CustomStringConvertible {
        let message: String
        let line: Int
        let column: Int
        var description: String { "\(message) at line \(line), column \(column)" }
    }

    /// Parses `bytes` as one JSON document.
    /// - Throws: `SyntaxError` at the first byte that breaks the grammar.
    static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(SyntaxError) -> JSONValue in
            var reader = JSONReader(bytes: buffer)
            reader.skipSpace()
            let value = try reader.value(depth: 0)
            reader.skipSpace()
            if reader.at < buffer.count { throw reader.error("unexpected text after the value") }
            return value
        }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private func error(_ message: String) -> SyntaxError {
        var line = 1
        var lineStart = 0
        for i in 0..<min(at, bytes.count) where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        let found = at < bytes.count ? message : message + " (end of file)"
        return SyntaxError(message: found, line: line, column: at - lineStart + 1)
    }

    private mutating func skipSpace() {
        while at < bytes.count {
            switch bytes[at] {
            case 0x20, 0x09, 0x0A, 0x0D: at += 1
            default: return
            }
        }
    }

    private mutating func value(depth: Int) throws(SyntaxError) -> JSONValue {
        guard at < bytes.count else { throw error("expected a value") }
        switch bytes[at] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try word("true", .bool(true))
        case UInt8(ascii: "f"): return try word("false", .bool(false))
        case UInt8(ascii: "n"): return try word("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw error("expected a value")
        }
    }

    private mutating func word(_ text: StaticString, _ value: JSONValue) throws(SyntaxError) -> JSONValue {
        let n = text.utf8CodeUnitCount
        guard at + n <= bytes.count else { throw error("expected a value") }
        for i in 0..<n where bytes[at + i] != text.utf8Start[i] { throw error("expected a value") }
        at += n
        return value
    }

    private mutating func object(depth: Int) throws(SyntaxError) -> JSONValue {
        var names: [String] = []
        var values: [JSONValue] = []
        var closed = try open(depth: depth, closedBy: UInt8(ascii: "}"))
        while !closed {
            skipSpace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw error("expected a member name") }
            names.append(try string())
            skipSpace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw error("expected ':'") }
            at += 1
            skipSpace()
            values.append(try value(depth: depth))
            closed = try itemEnd(closedBy: UInt8(ascii: "}"))
        }
        return .object(names: names, values: values)
    }

    private mutating func array(depth: Int) throws(SyntaxError) -> JSONValue {
        var elements: [JSONValue] = []
        var closed = try open(depth: depth, closedBy: UInt8(ascii: "]"))
        while !closed {
            skipSpace()
            elements.append(try value(depth: depth))
            closed = try itemEnd(closedBy: UInt8(ascii: "]"))
        }
        return .array(elements)
    }

    /// Steps over the opening byte of an object or array (at `depth`); true when `close` follows
    /// at once (it is stepped over too: the object or array is empty).
    private mutating func open(depth: Int, closedBy close: UInt8) throws(SyntaxError) -> Bool {
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth)") }
        at += 1
        skipSpace()
        guard at < bytes.count && bytes[at] == close else { return false }
        at += 1
        return true
    }

    /// Steps over what follows a member or element: `,` (false: another follows) or `close` (true).
    private mutating func itemEnd(closedBy close: UInt8) throws(SyntaxError) -> Bool {
        skipSpace()
        guard at < bytes.count, bytes[at] == close || bytes[at] == UInt8(ascii: ",") else {
            throw error("expected ',' or '\(Character(Unicode.Scalar(close)))'")
        }
        at += 1
        return bytes[at - 1] == close
    }

    /// A number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func number() throws(SyntaxError) -> JSONValue {
        let start = at
        let negative = bytes[at] == UInt8(ascii: "-")
        if negative { at += 1 }
        guard at < bytes.count, isDigit(bytes[at]) else { throw error("expected a digit") }
        // The magnitude, accumulated negative so that Int.min fits; nil once it overflows.
        var magnitude: Int? = 0
        if bytes[at] == UInt8(ascii: "0") {
            at += 1
        } else {
            while at < bytes.count && isDigit(bytes[at]) {
                let digit = Int(bytes[at] - UInt8(ascii: "0"))
                magnitude = magnitude.flatMap { m in
                    let (t, o1) = m.multipliedReportingOverflow(by: 10)
                    let (v, o2) = t.subtractingReportingOverflow(digit)
                    return o1 || o2 ? nil : v
                }
                at += 1
            }
        }
        var integral = true
        if at < bytes.count && bytes[at] == UInt8(ascii: ".") {
            integral = false
            at += 1
            guard at < bytes.count, isDigit(bytes[at]) else { throw error("expected a digit") }
            while at < bytes.count && isDigit(bytes[at]) { at += 1 }
        }
        if at < bytes.count && (bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E")) {
            integral = false
            at += 1
            if at < bytes.count && (bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-")) { at += 1 }
            guard at < bytes.count, isDigit(bytes[at]) else { throw error("expected a digit") }
            while at < bytes.count && isDigit(bytes[at]) { at += 1 }
        }
        if integral, let m = magnitude, negative || m != Int.min { return .integer(negative ? m : -m) }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
        guard let d = Double(text), d.isFinite else {
            at = start
            throw error("number out of range")
        }
        return .number(d)
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// A string starting at its opening quote; the bytes must be UTF-8 with no raw control characters.
    private mutating func string() throws(SyntaxError) -> String {
        at += 1  // "
        let start = at
        var ascii = true
        while at < bytes.count {
            let b = bytes[at]
            if b == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<at])
                at += 1
                if ascii { return String(decoding: raw, as: UTF8.self) }
                return try validated(raw, from: start)
            }
            if b == UInt8(ascii: "\\") { return try escapedString(from: start) }
            if b < 0x20 { throw error("control character in a string") }
            ascii = ascii && b < 0x80
            at += 1
        }
        throw error("unterminated string")
    }

    /// The string of the UTF-8 bytes `raw`, which start at `start`.
    /// - Throws: `SyntaxError` at `start` when they are not UTF-8.
    private mutating func validated(_ raw: UnsafeBufferPointer<UInt8>, from start: Int) throws(SyntaxError) -> String {
        guard let s = String(validating: raw, as: UTF8.self) else {
            at = start
            throw error("string is not UTF-8")
        }
        return s
    }

    /// The rest of a string that holds escapes: its bytes so far are `bytes[start..<at]`.
    private mutating func escapedString(from start: Int) throws(SyntaxError) -> String {
        var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<at]))
        while at < bytes.count {
            let b = bytes[at]
            if b == UInt8(ascii: "\"") {
                at += 1
                return try out.withUnsafeBufferPointer { (raw) throws(SyntaxError) in try validated(raw, from: start) }
            }
            if b < 0x20 { throw error("control character in a string") }
            if b != UInt8(ascii: "\\") {
                out.append(b)
                at += 1
                continue
            }
            at += 1
            guard at < bytes.count else { break }
            let e = bytes[at]
            at += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"): out.append(contentsOf: String(Character(try unicodeEscape())).utf8)
            default:
                at -= 1
                throw error("unknown escape")
            }
        }
        throw error("unterminated string")
    }

    /// The scalar of `\uXXXX` (the `\u` read), with its low surrogate `\uXXXX` when it is a high one.
    private mutating func unicodeEscape() throws(SyntaxError) -> Unicode.Scalar {
        let first = try hex4()
        if (0xDC00...0xDFFF).contains(first) { throw error("unpaired surrogate") }
        if (0xD800...0xDBFF).contains(first) {
            guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else {
                throw error("unpaired surrogate")
            }
            at += 2
            let second = try hex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw error("unpaired surrogate") }
            return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
        }
        return Unicode.Scalar(first)!
    }

    private mutating func hex4() throws(SyntaxError) -> UInt32 {
        guard at + 4 <= bytes.count else { throw error("expected 4 hex digits") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[at]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: throw error("expected 4 hex digits")
            }
            v = v << 4 | UInt32(d)
            at += 1
        }
        return v
    }
}
