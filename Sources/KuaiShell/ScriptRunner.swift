import KuaiCore
import KuaiExec
import KuaiOutput
import KuaiPlan
import KuaiSQL

#if canImport(Glibc)
    import Glibc
#endif

/// A statement of a script that failed: the error, where the script came from and the statement.
public struct ScriptFailure: Error {
    public var error: KuaiError
    /// The script's name in messages: a file name, `stdin`, `-c`, `query`.
    public var source: String
    /// The whole script text (positions refer to it).
    public var text: String
    /// Where the failing statement starts.
    public var statementStart: SourcePosition

    /// `SOURCE:LINE:COLUMN: kind error: message` and, below it, the script line with a caret under the
    /// column. The position is the error's own (a syntax or binding error) or else the start of the
    /// failing statement, so every failure names its statement.
    public var message: String {
        let position = error.location.flatMap(sourcePosition(fromLocation:)) ?? statementStart
        let located = error.location == nil || sourcePosition(fromLocation: error.location!) != nil
        guard located else { return error.description }  // a file or store location: keep it
        return "\(source):\(position.line):\(position.column): \(error.kind.rawValue) error: \(error.message)\n"
            + caretSnippet(sql: text, position: position)
    }
}

/// Runs statements on a session and prints each result on standard output, in order: the one
/// engine behind a query argument, `-f FILE`, `-c SQL`, standard input and the interactive shell.
public final class ScriptRunner {
    public let session: Session
    public var settings: RunSettings
    /// Where results go instead of standard output (`.output FILE`, `.once FILE`); nil: stdout.
    var output: OutputTarget?

    /// A file results are written to: its descriptor, its path (in messages), and whether it serves
    /// the next statement only (`.once`).
    struct OutputTarget {
        var fd: Int32
        var path: String
        var once: Bool
    }

    public init(session: Session, settings: RunSettings) {
        self.session = session
        self.settings = settings
    }

    /// Runs the statements of `text` one after another (split as `SQLScript` splits them); each
    /// statement's result is printed before the next one runs. Stops at the first failing statement;
    /// what the statements before it changed in the store stays committed.
    /// - Parameters:
    ///   - source: the script's name in error messages.
    ///   - started: monotonic time the first statement's timer counts from (default: its start).
    /// - Throws: `ScriptFailure` for the failing statement.
    public func run(_ text: String, source: String, started: Double? = nil) throws {
        var start = started
        for piece in ScriptRunner.pieces(text) {
            switch piece {
            case .statements(let sql): try runStatements(sql, source: source, started: start)
            case .dotCommand(let line): if !runDotCommand(line) { return }
            }
            start = nil
        }
    }

    /// A part of a script: statements, or one dot command line.
    enum ScriptPiece: Equatable {
        /// SQL text, with the lines before it blank so that positions are the whole script's.
        case statements(String)
        case dotCommand(String)
    }

    /// `text` cut at its dot command lines: a line whose first non-blank character is "." where no
    /// statement is pending (the SQL before it is only white space and comments, or ends a
    /// statement: `SQLScript.isComplete`), as DuckDB's CLI reads a script. A script without such a
    /// line is one piece.
    static func pieces(_ text: String) -> [ScriptPiece] {
        guard hasDotLine(text) else { return [.statements(text)] }
        var out: [ScriptPiece] = []
        var pending = ""
        var blankLines = 0  // lines before `pending` starts
        var line = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let candidate = raw.drop(while: { $0 == " " || $0 == "\t" })
            let pendingIsBlank = candidate.hasPrefix(".") && SQLScript(pending).statements.isEmpty
            if candidate.hasPrefix("."), pendingIsBlank || SQLScript.isComplete(pending) {
                if !pendingIsBlank {
                    out.append(.statements(String(repeating: "\n", count: blankLines) + pending))
                }
                out.append(.dotCommand(String(candidate).trimmed))
                pending = ""
                blankLines = line + 1
            } else {
                pending += raw + "\n"
            }
            line += 1
        }
        if !SQLScript(pending).statements.isEmpty || out.isEmpty {
            out.append(.statements(String(repeating: "\n", count: blankLines) + pending))
        }
        return out
    }

    /// True when some line of `text` begins with "." after spaces and tabs.
    static func hasDotLine(_ text: String) -> Bool {
        var lineStart = true
        for b in text.utf8 {
            if b == UInt8(ascii: "\n") {
                lineStart = true
            } else if lineStart && b == UInt8(ascii: ".") {
                return true
            } else if b != UInt8(ascii: " ") && b != UInt8(ascii: "\t") {
                lineStart = false
            }
        }
        return false
    }

    /// Runs the statements of `text` in order (see `run`).
    func runStatements(_ text: String, source: String, started: Double?) throws {
        let script = SQLScript(text)
        var first = true
        for s in script.statements {
            let start = first ? started ?? ProgressBar.now() : ProgressBar.now()
            first = false
            do {
                try run(try script.parse(s), started: start)
            } catch let e as KuaiError {
                throw ScriptFailure(error: e, source: source, text: text, statementStart: s.start)
            }
        }
    }

    /// Runs one statement and prints its result (nothing for statements that return no rows, as
    /// DuckDB's CLI). EXPLAIN prints its plan lines as they are, whatever the format.
    /// - Throws: `KuaiError` from the session (`.usage` for a result `--format chart` cannot draw).
    public func run(_ statement: Statement, started: Double) throws {
        QueryControl.reset()
        let bar = settings.progress ? ProgressBar(delay: settings.progressDelay) : nil
        bar?.start()
        defer { bar?.stop() }
        defer { if output?.once == true { closeOutput() } }
        let target = output
        let output: (UnsafeBufferPointer<UInt8>) -> Void = { bytes in
            bar?.stop()
            if let target { ScriptRunner.writeFile(target, bytes) } else { ScriptRunner.writeStdout(bytes) }
        }
        if case .rows(let rows) = try session.execute(statement) {
            if statement.isExplain {
                try printLines(rows, output)
            } else {
                let stream = try ResultStream(
                    format: settings.format, fields: rows.schema, display: settings.display.resolve(), write: output)
                while let b = try rows.next() { stream.append(b) }
                bar?.stop()
                stream.finish()
            }
        }
        bar?.stop()
        if settings.timer {
            let seconds = ScriptRunner.decimals(ProgressBar.now() - started, settings.timerDecimals)
            Terminal.write(2, "Run Time (s): real " + seconds + "\n")
        }
    }

    /// The first column's values, one per line (EXPLAIN's and EXPLAIN ANALYZE's plan).
    func printLines(_ rows: ResultRows, _ output: (UnsafeBufferPointer<UInt8>) -> Void) throws {
        while let b = try rows.next() {
            for r in 0..<b.count {
                var line = Kernels.text(b.columns[0], r) + "\n"
                line.withUTF8 { output($0) }
            }
        }
    }

    /// `x` (≥ 0) rounded to `digits` decimals, 1 to 9 ("0.004" for 0.0041 and 3; the timer's line).
    public static func decimals(_ x: Double, _ digits: Int) -> String {
        var scale = 1
        for _ in 0..<digits { scale *= 10 }
        let units = Int((x * Double(scale)).rounded())
        let frac = String(units % scale)
        return "\(units / scale)." + String(repeating: "0", count: digits - frac.count) + frac
    }

    /// Text of a dot command's answer (`.tables`, `.schema`, `.print`), written where results go.
    func emit(_ text: String) {
        var t = text
        t.withUTF8 { b in
            if let output { ScriptRunner.writeFile(output, b) } else { ScriptRunner.writeStdout(b) }
        }
    }

    /// Ends a `.output` / `.once` redirection (closes the file).
    func closeOutput() {
        if let output { close(output.fd) }
        output = nil
    }

    /// Writes to the file of `.output` / `.once`; a write error ends the program with a message
    /// naming the file and exit status 1.
    static func writeFile(_ target: OutputTarget, _ bytes: UnsafeBufferPointer<UInt8>) {
        if Terminal.write(target.fd, bytes) { return }
        Terminal.write(
            2, "kuai-query: io error: cannot write the result to \(target.path) (\(String(cString: strerror(errno))))\n"
        )
        exit(1)
    }

    /// Writes to standard output; a closed pipe ends the program quietly (exit 0), another write
    /// error (a full disk, a closed descriptor) with a message on stderr and exit 1.
    public static func writeStdout(_ bytes: UnsafeBufferPointer<UInt8>) {
        if Terminal.write(1, bytes) { return }
        let e = errno
        if e == EPIPE { exit(0) }
        Terminal.write(
            2, "kuai-query: io error: cannot write the result to standard output (\(String(cString: strerror(e))))\n")
        exit(1)
    }
}

extension Statement {
    /// EXPLAIN and EXPLAIN ANALYZE: printed as their plan's lines whatever the format.
    var isExplain: Bool {
        switch self {
        case .explain, .explainAnalyze: return true
        default: return false
        }
    }
}
