import KuaiCore

/// One statement of a script: where its text is in the script, before it is parsed.
public struct ScriptStatement: Sendable, Hashable {
    /// UTF-8 byte range of the statement in the script: from its first token to the last byte before
    /// its `;` (or the end of the script), trailing white space removed.
    public var range: Range<Int>
    /// Line, column and byte offset of the first byte of `range` in the script (1-based line and column).
    public var start: SourcePosition
    /// The statement's text (the bytes of `range`).
    public var text: String
}

/// A text of several statements separated by `;` (a `-f FILE`, standard input, the shell's input),
/// split lexically before anything is parsed, so that statements run one after another and a syntax
/// error in one stops the script at that statement (DuckDB's CLI behaves so).
///
/// Splitting follows the lexer's rules (Formats/query-language.md, "Lexical structure"): a `;` inside a
/// `'string'` (with `''`), an `E'escaped\'string'`, a `"quoted name"` (with `""`), a `-- comment` or a
/// `/* comment */` does not end a statement. Statements holding only white space and comments are dropped.
/// An unterminated string or comment runs to the end of the text and is reported when that statement is
/// parsed. Positions are those of the whole text, so errors name the script's line and column.
public struct SQLScript: Sendable {
    /// The whole text.
    public let text: String
    /// Its UTF-8 bytes (shared by every statement's parse).
    public let bytes: [UInt8]
    /// The statements, in order.
    public let statements: [ScriptStatement]

    public init(_ text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
        var splitter = ScriptSplitter(bytes: bytes)
        self.statements = splitter.split()
    }

    /// Parses one statement of this script. Positions in the result and in errors are script positions
    /// (`query:LINE:COLUMN` of the whole text).
    /// - Throws: `KuaiError.syntax` as `Parser.parse`.
    public func parse(_ statement: ScriptStatement) throws -> Statement {
        let tokens = try Lexer.tokenize(bytes, range: statement.range, start: statement.start)
        var state = ParserState(bytes: bytes, tokens: tokens)
        return try state.parseWholeStatement()
    }

    /// True when `text` ends a statement: it holds at least one statement and its last `;` is outside
    /// strings, quoted names and comments with only white space or comments after it (the interactive
    /// shell reads lines until this is true; as SQLite's `sqlite3_complete`).
    public static func isComplete(_ text: String) -> Bool {
        var splitter = ScriptSplitter(bytes: Array(text.utf8))
        _ = splitter.split()
        return splitter.endedWithSemicolon
    }
}

/// The byte scanner behind `SQLScript`: tracks line and column as the lexer does (columns count
/// Unicode scalars).
struct ScriptSplitter {
    let bytes: [UInt8]
    var index = 0
    var line = 1
    var column = 1
    /// After `split()`: true when the last statement was closed by a `;` and nothing but white space
    /// and comments follows.
    var endedWithSemicolon = false

    init(bytes: [UInt8]) { self.bytes = bytes }

    var position: SourcePosition { SourcePosition(line: line, column: column, offset: index) }

    mutating func advance() {
        let b = bytes[index]
        index += 1
        if b == 0x0A {
            line += 1
            column = 1
        } else if index >= bytes.count || bytes[index] & 0xC0 != 0x80 {
            column += 1
        }
    }

    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C || b == 0x0B }

    func peek(_ ahead: Int) -> UInt8 { index + ahead < bytes.count ? bytes[index + ahead] : 0 }

    /// Skips white space and comments (an unterminated `/*` comment runs to the end).
    mutating func skipSpaceAndComments() {
        while index < bytes.count {
            let b = bytes[index]
            if isSpace(b) {
                advance()
            } else if b == UInt8(ascii: "-") && peek(1) == UInt8(ascii: "-") {
                while index < bytes.count && bytes[index] != 0x0A { advance() }
            } else if b == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") {
                advance()
                advance()
                while index < bytes.count && !(bytes[index] == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/")) {
                    advance()
                }
                if index < bytes.count {
                    advance()
                    advance()
                }
            } else {
                return
            }
        }
    }

    /// Skips a quoted token starting at its opening quote (a doubled quote stands for one).
    mutating func skipQuoted(_ quote: UInt8, backslashEscapes: Bool) {
        advance()
        while index < bytes.count {
            let c = bytes[index]
            if backslashEscapes && c == UInt8(ascii: "\\") && index + 1 < bytes.count {
                advance()
                advance()
                continue
            }
            advance()
            if c == quote {
                if index < bytes.count && bytes[index] == quote {
                    advance()
                    continue
                }
                return
            }
        }
    }

    static func isIdentPart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || b >= 0x80 || (b >= 0x30 && b <= 0x39)
            || b == 0x24
    }

    mutating func split() -> [ScriptStatement] {
        var out: [ScriptStatement] = []
        endedWithSemicolon = false
        while true {
            skipSpaceAndComments()
            if index >= bytes.count { return out }
            let start = position
            var lastSignificant = index
            while index < bytes.count && bytes[index] != UInt8(ascii: ";") {
                let b = bytes[index]
                if b == UInt8(ascii: "'") {
                    let escaped =
                        index > start.offset
                        && (bytes[index - 1] == UInt8(ascii: "E") || bytes[index - 1] == UInt8(ascii: "e"))
                        && !(index - 1 > start.offset && Self.isIdentPart(bytes[index - 2]))
                    skipQuoted(b, backslashEscapes: escaped)
                    lastSignificant = index
                } else if b == UInt8(ascii: "\"") {
                    skipQuoted(b, backslashEscapes: false)
                    lastSignificant = index
                } else if (b == UInt8(ascii: "-") && peek(1) == UInt8(ascii: "-"))
                    || (b == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*"))
                {
                    skipSpaceAndComments()
                } else {
                    advance()
                    if !isSpace(b) { lastSignificant = index }
                }
            }
            let range = start.offset..<lastSignificant
            if !range.isEmpty {
                out.append(
                    ScriptStatement(range: range, start: start, text: String(decoding: bytes[range], as: UTF8.self)))
            }
            if index < bytes.count {
                advance()  // the `;`
                endedWithSemicolon = true
                let save = (index, line, column)
                skipSpaceAndComments()
                if index < bytes.count {
                    (index, line, column) = save
                    endedWithSemicolon = false
                }
            } else {
                endedWithSemicolon = false
                return out
            }
        }
    }
}
