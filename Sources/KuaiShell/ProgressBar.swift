import KuaiExec
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A progress bar on standard error while a query runs, as DuckDB's CLI draws one: after the query
/// has run for `delay` seconds (DuckDB: 2 s), a line
///
///      42% ▕█████████████████████████▍                                  ▏
///
/// redrawn every 0.1 s with the share of the planned table blocks that the scans have read
/// (QueryControl), erased when the query ends. Only when standard error is a terminal: never in a
/// pipe or a file.
public final class ProgressBar: @unchecked Sendable {
    /// Blocks of the bar (DuckDB's default width).
    static let width = 60
    static let partials = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
    let delay: Double
    private let stopped = Atomic<Bool>(false)
    private var thread: pthread_t? = nil
    /// Set by the drawing thread; read after it is joined.
    private var drawn = false

    /// - Parameter delay: seconds before the bar appears.
    public init(delay: Double = 2) {
        self.delay = delay
    }

    /// Starts watching the query that is about to run.
    public func start() {
        let unmanaged = Unmanaged.passRetained(self)
        var t = pthread_t()
        let rc = pthread_create(
            &t, nil,
            { arg in
                let bar = Unmanaged<ProgressBar>.fromOpaque(arg!).takeRetainedValue()
                bar.loop()
                return nil
            }, unmanaged.toOpaque())
        if rc == 0 {
            thread = t
        } else {
            unmanaged.release()
        }
    }

    /// Stops drawing and erases the bar; call before anything is written to standard output.
    public func stop() {
        guard let t = thread else { return }
        stopped.store(true, ordering: .relaxed)
        pthread_join(t, nil)
        thread = nil
        if drawn {
            Terminal.write(2, "\r" + String(repeating: " ", count: ProgressBar.width + 8) + "\r")
            drawn = false
        }
    }

    func loop() {
        let start = ProgressBar.now()
        while !stopped.load(ordering: .relaxed) {
            usleep(20_000)
            if stopped.load(ordering: .relaxed) { break }
            let elapsed = ProgressBar.now() - start
            guard elapsed >= delay else { continue }
            let (done, total) = QueryControl.progress
            guard total > 0 else { continue }
            Terminal.write(2, "\r" + ProgressBar.line(percent: min(100, done * 100 / total)))
            drawn = true
            usleep(80_000)
        }
    }

    /// ` 42% ▕████▍     ▏`: the percentage right-aligned in 4 characters and a bar of `width` cells
    /// in eighths.
    public static func line(percent: Int) -> String {
        let p = max(0, min(100, percent))
        var s = String(repeating: " ", count: p < 10 ? 2 : (p < 100 ? 1 : 0)) + "\(p)% ▕"
        let eighths = width * 8 * p / 100
        s += String(repeating: "█", count: eighths / 8)
        var cells = eighths / 8
        if cells < width {
            s += partials[eighths % 8]
            cells += 1
        }
        s += String(repeating: " ", count: width - cells) + "▏"
        return s
    }

    /// Monotonic clock in seconds (CLOCK_MONOTONIC).
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
