import KuaiCore

// The lexer of kuai's SQL dialect (Formats/query-language.md, "Lexical structure").

/// The kind of a lexical token.
public enum TokenKind: Sendable, Hashable {
    /// An unquoted word: a keyword or an identifier. `text` is as written, `upper` is its upper-case form.
    case word
    /// A `"quoted identifier"`; `text` is the name with `""` unescaped (case kept).
    case quotedIdentifier
    /// Digits only (underscores between digits removed); may exceed Int64.
    case integer
    /// A number with a decimal point and/or exponent (`1.5`, `.5`, `1.`, `1e10`), underscores removed.
    case decimal
    /// A `'string'` (`''` unescaped) or `E'escaped\n'` string; `text` is the value.
    case string
    /// Punctuation or an operator: `( ) , . ; + - * / // % ^ ** || :: = == <> != < <= > >= ~~ ~~* !~~ !~~*`.
    case symbol
    /// The end of the input.
    case endOfInput
}

/// One lexical token with its position in the query text.
public struct Token: Sendable, Hashable {
    public var kind: TokenKind
    /// The token's value: the identifier, the unescaped string, the digits, or the operator.
    public var text: String
    /// Upper-cased `text` for `.word` tokens (keyword matching); equal to `text` otherwise.
    public var upper: String
    public var position: SourcePosition
    /// Length of the token in the source, in UTF-8 bytes (for error snippets).
    public var length: Int

    public init(kind: TokenKind, text: String, upper: String? = nil, position: SourcePosition, length: Int) {
        self.kind = kind
        self.text = text
        self.upper = upper ?? text
        self.position = position
        self.length = length
    }

    /// True for a `.word` token whose upper-case form is `keyword` (given in upper case).
    @inline(__always)
    public func isWord(_ keyword: String) -> Bool { kind == .word && upper == keyword }

    /// True for a word, quoted name or string token whose text holds `needle` (lower-case ASCII)
    /// in any case.
    public func mentions(_ needle: String) -> Bool {
        guard kind == .word || kind == .quotedIdentifier || kind == .string else { return false }
        guard text.utf8.count >= needle.utf8.count else { return false }
        var (t, n) = (text, needle)
        return t.withUTF8 { b in
            n.withUTF8 { n in
                for start in 0...(b.count - n.count) {
                    var k = 0
                    while k < n.count && b[start + k] | (b[start + k] &- 65 < 26 ? 0x20 : 0) == n[k] { k += 1 }
                    if k == n.count { return true }
                }
                return false
            }
        }
    }

    /// True for a `.symbol` token whose text is `symbol`.
    @inline(__always)
    public func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }
}

/// Splits query text into tokens.
///
/// Whitespace and comments (`-- to end of line`, `/* ... */`, not nested) separate tokens and are dropped.
/// Positions are 1-based line and column (a column counts Unicode scalars, so a caret lines up under
/// non-ASCII text) plus the 0-based UTF-8 byte offset.
public enum Lexer {
    /// Tokenizes `sql`; the last token is always `.endOfInput`.
    /// - Throws: `KuaiError.syntax` at the offending position for an unterminated string, quoted
    ///   identifier or block comment, an empty quoted identifier, or a character that starts no token.
    public static func tokenize(_ sql: String) throws -> [Token] {
        var scanner = Scanner(bytes: Array(sql.utf8))
        return try scanner.run()
    }

    /// Tokenizes the bytes `range` of a larger text (one statement of a script), starting at
    /// `start` (the line, column and offset of `range.lowerBound` in the whole text): positions are
    /// those of the whole text, so an error names the script's line and column.
    /// - Throws: as `tokenize(_:)`.
    public static func tokenize(_ bytes: [UInt8], range: Range<Int>, start: SourcePosition) throws -> [Token] {
        precondition(range.lowerBound == start.offset && range.upperBound <= bytes.count)
        var scanner = Scanner(bytes: bytes, end: range.upperBound, start: start)
        return try scanner.run()
    }
}

/// Byte-level scanner state. Tracks line and column as it advances.
private struct Scanner {
    let bytes: [UInt8]
    /// End of the scanned range (exclusive): `bytes.count` for a whole text.
    let end: Int
    var index = 0
    var line = 1
    /// Byte offset where the current line starts.
    var lineStart = 0
    /// 1 + the number of Unicode scalars between `lineStart` and `index`.
    var column = 1

    init(bytes: [UInt8]) {
        self.bytes = bytes
        self.end = bytes.count
    }

    init(bytes: [UInt8], end: Int, start: SourcePosition) {
        self.bytes = bytes
        self.end = end
        self.index = start.offset
        self.line = start.line
        self.column = start.column
    }

    var position: SourcePosition { SourcePosition(line: line, column: column, offset: index) }

    @inline(__always) func peek(_ ahead: Int = 0) -> UInt8 {
        let i = index + ahead
        return i < end ? bytes[i] : 0
    }

    /// Moves one byte forward, keeping line/column current.
    @inline(__always) mutating func advance() {
        let b = bytes[index]
        index += 1
        if b == UInt8(ascii: "\n") {
            line += 1
            column = 1
            lineStart = index
        } else if index >= end || bytes[index] & 0xC0 != 0x80 {
            // Count a column once a whole scalar has been passed (the next byte is not a continuation byte).
            column += 1
        }
    }

    @inline(__always) mutating func advance(_ n: Int) { for _ in 0..<n { advance() } }

    func text(_ from: Int, _ to: Int) -> String { String(decoding: bytes[from..<to], as: UTF8.self) }

    static func isIdentStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || b >= 0x80
    }
    static func isIdentPart(_ b: UInt8) -> Bool { isIdentStart(b) || isDigit(b) || b == 0x24 }
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    func error(_ message: String, at position: SourcePosition) -> KuaiError {
        KuaiError(.syntax, message, at: position.description)
    }

    mutating func run() throws -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity((end - index) / 3 + 2)
        while true {
            try skipSpaceAndComments()
            if index >= end {
                tokens.append(Token(kind: .endOfInput, text: "", position: position, length: 0))
                return tokens
            }
            tokens.append(try next())
        }
    }

    mutating func skipSpaceAndComments() throws {
        while index < end {
            let b = bytes[index]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C || b == 0x0B {
                advance()
            } else if b == UInt8(ascii: "-") && peek(1) == UInt8(ascii: "-") {
                while index < end && bytes[index] != 0x0A { advance() }
            } else if b == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") {
                let start = position
                advance(2)
                while true {
                    if index >= end { throw error("unterminated /* comment", at: start) }
                    if bytes[index] == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/") {
                        advance(2)
                        break
                    }
                    advance()
                }
            } else {
                return
            }
        }
    }

    mutating func next() throws -> Token {
        let start = position
        let b = bytes[index]
        // E'...' escape string.
        if (b == UInt8(ascii: "E") || b == UInt8(ascii: "e")) && peek(1) == UInt8(ascii: "'") {
            advance()
            let value = try quoted(
                quote: UInt8(ascii: "'"), backslashEscapes: true, start: start, what: "string literal")
            return Token(kind: .string, text: value, position: start, length: index - start.offset)
        }
        if Scanner.isIdentStart(b) {
            while index < end && Scanner.isIdentPart(bytes[index]) { advance() }
            let word = text(start.offset, index)
            return Token(
                kind: .word, text: word, upper: word.uppercased(), position: start, length: index - start.offset)
        }
        if Scanner.isDigit(b) || (b == UInt8(ascii: ".") && Scanner.isDigit(peek(1))) {
            return number(start: start)
        }
        switch b {
        case UInt8(ascii: "'"):
            let value = try quoted(quote: b, backslashEscapes: false, start: start, what: "string literal")
            return Token(kind: .string, text: value, position: start, length: index - start.offset)
        case UInt8(ascii: "\""):
            let value = try quoted(quote: b, backslashEscapes: false, start: start, what: "quoted identifier")
            if value.isEmpty { throw error("zero-length quoted identifier", at: start) }
            return Token(kind: .quotedIdentifier, text: value, position: start, length: index - start.offset)
        default:
            break
        }
        // LIKE operators spelled as symbols: `~~` `~~*` `!~~` `!~~*`; regular expressions `~*` `!~` `!~*`.
        if b == UInt8(ascii: "~") || b == UInt8(ascii: "!") {
            let tilde = UInt8(ascii: "~")
            let skip = b == UInt8(ascii: "!") ? 1 : 0
            if peek(skip) == tilde && peek(skip + 1) == tilde {
                var length = skip + 2
                if peek(length) == UInt8(ascii: "*") {
                    length += 1
                } else if skip == 0 && peek(length) == tilde {
                    length += 1  // `~~~`: GLOB
                }
                let op = text(index, index + length)
                advance(length)
                return Token(kind: .symbol, text: op, position: start, length: length)
            }
            // regular expression matches: `~*`, `!~`, `!~*` (`~` alone is a one-character symbol)
            if peek(skip) == tilde && (skip == 1 || peek(1) == UInt8(ascii: "*")) {
                let length = skip + 1 + (peek(skip + 1) == UInt8(ascii: "*") ? 1 : 0)
                let op = text(index, index + length)
                advance(length)
                return Token(kind: .symbol, text: op, position: start, length: length)
            }
        }
        // Operators, longest match first.
        let two: String?
        switch (b, peek(1)) {
        case (UInt8(ascii: "/"), UInt8(ascii: "/")): two = "//"
        case (UInt8(ascii: "|"), UInt8(ascii: "|")): two = "||"
        case (UInt8(ascii: ":"), UInt8(ascii: ":")): two = "::"
        case (UInt8(ascii: ":"), UInt8(ascii: "=")): two = ":="  // a named argument: `f(a, b := 2)`
        case (UInt8(ascii: "<"), UInt8(ascii: "=")): two = "<="
        case (UInt8(ascii: ">"), UInt8(ascii: "=")): two = ">="
        case (UInt8(ascii: "<"), UInt8(ascii: ">")): two = "<>"
        case (UInt8(ascii: "!"), UInt8(ascii: "=")): two = "!="
        case (UInt8(ascii: "="), UInt8(ascii: "=")): two = "=="
        case (UInt8(ascii: "*"), UInt8(ascii: "*")): two = "**"
        case (UInt8(ascii: "<"), UInt8(ascii: "<")): two = "<<"
        case (UInt8(ascii: ">"), UInt8(ascii: ">")): two = ">>"
        case (UInt8(ascii: "^"), UInt8(ascii: "@")): two = "^@"  // starts_with
        default: two = nil
        }
        if let two {
            advance(2)
            return Token(kind: .symbol, text: two, position: start, length: 2)
        }
        switch b {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: ";"),
            UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "%"),
            UInt8(ascii: "^"), UInt8(ascii: "="), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"),
            UInt8(ascii: "|"), UInt8(ascii: "~"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: ":"),
            UInt8(ascii: "{"), UInt8(ascii: "}"):
            advance()
            return Token(kind: .symbol, text: String(UnicodeScalar(b)), position: start, length: 1)
        default:
            let shown: String
            if b >= 0x20 && b < 0x7F {
                shown = "\"\(String(UnicodeScalar(b)))\""
            } else {
                shown = "byte 0x" + String(b, radix: 16, uppercase: true)
            }
            throw error("at or near \(shown): unexpected character", at: start)
        }
    }

    /// Reads digits with optional `_` separators between digits; returns them without separators.
    mutating func digits(into out: inout [UInt8]) {
        while index < end {
            let c = bytes[index]
            if Scanner.isDigit(c) {
                out.append(c)
                advance()
            } else if c == UInt8(ascii: "_") && !out.isEmpty && Scanner.isDigit(out[out.count - 1])
                && Scanner.isDigit(peek(1))
            {
                advance()
            } else {
                return
            }
        }
    }

    mutating func number(start: SourcePosition) -> Token {
        var out: [UInt8] = []
        var isDecimal = false
        digits(into: &out)
        if peek() == UInt8(ascii: ".") && !(peek(1) == UInt8(ascii: ".")) {
            isDecimal = true
            out.append(UInt8(ascii: "."))
            advance()
            digits(into: &out)
        }
        // Exponent only when digits follow (`1e5`, `1E-3`); `1e` alone is `1` then the word `e`.
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            var ahead = 1
            if peek(1) == UInt8(ascii: "+") || peek(1) == UInt8(ascii: "-") { ahead = 2 }
            if Scanner.isDigit(peek(ahead)) {
                isDecimal = true
                out.append(UInt8(ascii: "e"))
                if ahead == 2 { out.append(peek(1)) }
                advance(ahead)
                digits(into: &out)
            }
        }
        let value = String(decoding: out, as: UTF8.self)
        return Token(kind: isDecimal ? .decimal : .integer, text: value, position: start, length: index - start.offset)
    }

    /// Reads a quoted token starting at the opening quote; a doubled quote stands for one.
    mutating func quoted(quote: UInt8, backslashEscapes: Bool, start: SourcePosition, what: String) throws -> String {
        advance()  // opening quote
        var out: [UInt8] = []
        while true {
            if index >= end { throw error("unterminated \(what)", at: start) }
            let c = bytes[index]
            if c == quote {
                if peek(1) == quote {
                    out.append(quote)
                    advance(2)
                    continue
                }
                advance()
                return String(decoding: out, as: UTF8.self)
            }
            if backslashEscapes && c == UInt8(ascii: "\\") && index + 1 < end {
                let e = bytes[index + 1]
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "0"): out.append(0x00)
                default:
                    // `\\`, `\'` and any other escaped byte stand for themselves; a multi-byte scalar
                    // is copied whole by the loop below.
                    if e & 0x80 != 0 {
                        advance()
                        continue
                    }
                    out.append(e)
                }
                advance(2)
                continue
            }
            out.append(c)
            advance()
        }
    }
}
