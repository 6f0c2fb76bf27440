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
        let output: (UnsafeBufferPointer<UInt8>) -> Void = { bytes in
            bar?.stop()
            ScriptRunner.writeStdout(bytes)
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
            Terminal.write(2, "Run Time (s): real " + ScriptRunner.threeDecimals(ProgressBar.now() - started) + "\n")
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

    /// `x` with three decimals ("0.004").
    public static func threeDecimals(_ x: Double) -> String {
        let ms = Int((x * 1000).rounded())
        let frac = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
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
