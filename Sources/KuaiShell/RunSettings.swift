import KuaiOutput
import KuaiPlan

/// What the user asked for on the command line or with dot commands; the display options follow
/// from it and from the terminal at the moment a statement runs (the window may be resized).
public struct DisplayRequest: Sendable {
    /// `--max-rows` / `.maxrows` (nil: 40, fewer on a short terminal window).
    public var maxRows: Int?
    /// `--max-width` / `.maxwidth` (nil: the terminal's width; no limit when not a terminal).
    public var maxWidth: Int?
    /// csv and tsv header lines (`--no-header`).
    public var header: Bool

    public init(maxRows: Int? = nil, maxWidth: Int? = nil, header: Bool = true) {
        self.maxRows = maxRows
        self.maxWidth = maxWidth
        self.header = header
    }

    /// DuckDB's CLI shows at most 40 rows (on a terminal, no more than fit its window), as wide as
    /// the terminal (no limit when standard output is not a terminal), large numbers readable on a
    /// terminal; charts are as wide as the terminal (80 otherwise) and coloured on a colour terminal.
    public func resolve() -> DisplayOptions {
        let terminal = Terminal.isTerminal(1)
        let columns = Terminal.columns(1)
        let rows = maxRows ?? (terminal ? Terminal.boxRows(lines: Terminal.lines(1)) : 40)
        let box = BoxOptions(
            maxRows: rows, maxWidth: maxWidth ?? (terminal ? columns ?? 80 : Int.max), largeNumbers: terminal)
        let chart = ChartOptions(width: maxWidth ?? columns ?? 80, maxRows: rows, colors: Terminal.hasColors(1))
        return DisplayOptions(box: box, chart: chart, header: header)
    }
}

/// How kuai-query prints results.
public struct RunSettings: Sendable {
    public var format: OutputFormat
    public var display: DisplayRequest
    /// Print `Run Time (s): real 0.004` to standard error after each statement (DuckDB's `.timer on`).
    public var timer: Bool
    /// Decimals of the timer's seconds: 3 as DuckDB prints them, up to 6 (microseconds) for timing
    /// statements that take a few milliseconds ($KUAI_TIMER_DECIMALS).
    public var timerDecimals: Int
    /// Draw the progress bar on standard error (a terminal) for statements running longer than
    /// `progressDelay` seconds.
    public var progress: Bool
    public var progressDelay: Double

    public init(
        format: OutputFormat, display: DisplayRequest = DisplayRequest(), timer: Bool = false, progress: Bool = false,
        progressDelay: Double = 2, timerDecimals: Int = 3
    ) {
        self.format = format
        self.display = display
        self.timer = timer
        self.timerDecimals = min(max(timerDecimals, 3), 6)
        self.progress = progress
        self.progressDelay = progressDelay
    }
}
