import KuaiCore
import KuaiExec
import KuaiOutput
import KuaiPlan

#if canImport(Glibc)
    import Glibc
#endif

/// How kuai-query prints results.
public struct RunSettings: Sendable {
    public var format: OutputFormat
    public var display: DisplayOptions
    /// Print `Run Time (s): real 0.004` to standard error after each statement (DuckDB's `.timer on`).
    public var timer: Bool
    /// Draw the progress bar on standard error (a terminal) for statements running longer than
    /// `progressDelay` seconds.
    public var progress: Bool
    public var progressDelay: Double

    public init(
        format: OutputFormat, display: DisplayOptions = DisplayOptions(), timer: Bool = false, progress: Bool = false,
        progressDelay: Double = 2
    ) {
        self.format = format
        self.display = display
        self.timer = timer
        self.progress = progress
        self.progressDelay = progressDelay
    }
}

/// Runs SQL text with a query engine and prints each result on standard output.
public final class QueryRunner {
    public let engine: QueryEngine
    public var settings: RunSettings

    public init(engine: QueryEngine, settings: RunSettings) {
        self.engine = engine
        self.settings = settings
    }

    /// Runs one statement and prints its result. EXPLAIN prints its plan lines as they are, whatever
    /// the format.
    /// - Parameter started: monotonic time the timer counts from (default: now).
    /// - Throws: `KuaiError` from the engine (`.usage` for a result `--format chart` cannot draw).
    public func run(_ sql: String, started: Double? = nil) throws {
        let start = started ?? ProgressBar.now()
        QueryControl.reset()
        let bar = settings.progress ? ProgressBar(delay: settings.progressDelay) : nil
        bar?.start()
        defer { bar?.stop() }
        var stream: ResultStream? = nil
        var explain = false
        let output: (UnsafeBufferPointer<UInt8>) -> Void = { bytes in
            bar?.stop()
            QueryRunner.writeStdout(bytes)
        }
        try engine.execute(
            sql,
            schema: { fields in
                explain = fields == [Field("explain", .varchar)] && QueryRunner.leadingKeyword(sql) == "explain"
                if !explain {
                    stream = try ResultStream(
                        format: self.settings.format, fields: fields, display: self.settings.display, write: output)
                }
            },
            batch: { b in
                if explain {
                    for r in 0..<b.count {
                        var line = Kernels.text(b.columns[0], r) + "\n"
                        line.withUTF8 { output($0) }
                    }
                } else {
                    stream!.append(b)
                }
            })
        bar?.stop()
        stream?.finish()
        if settings.timer {
            Terminal.write(2, "Run Time (s): real " + QueryRunner.threeDecimals(ProgressBar.now() - start) + "\n")
        }
    }

    /// The first keyword of `sql`, lowercased (white space and `--` / `/* */` comments skipped).
    public static func leadingKeyword(_ sql: String) -> String {
        var rest = Substring(sql)
        while true {
            rest = rest.drop(while: { $0.isWhitespace })
            if rest.hasPrefix("--") {
                rest = rest.drop(while: { $0 != "\n" })
            } else if rest.hasPrefix("/*") {
                if let end = rest.dropFirst(2).firstRange(of: "*/") {
                    rest = rest[end.upperBound...]
                } else {
                    return ""
                }
            } else {
                break
            }
        }
        return String(rest.prefix(while: { $0.isLetter || $0 == "_" })).lowercased()
    }

    /// `x` with three decimals ("0.004").
    public static func threeDecimals(_ x: Double) -> String {
        let ms = Int((x * 1000).rounded())
        let frac = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }

    /// Writes to standard output; a closed pipe ends the program quietly (exit 0), another write
    /// error with exit 1.
    public static func writeStdout(_ bytes: UnsafeBufferPointer<UInt8>) {
        if !Terminal.write(1, bytes) { exit(errno == EPIPE ? 0 : 1) }
    }
}
