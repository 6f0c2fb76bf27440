import KuaiCore
import Synchronization

/// Progress and interruption of the running query, shared between the scans and the shell.
///
/// - Progress: every `TableScan` adds its block count to `totalBlocks` when it is planned and counts
///   each block it has read (or skipped by a zone map) in `doneBlocks`; the share done is what the
///   progress bar of kuai-query shows (DuckDB's progress bar is the share of rows scanned).
/// - Interruption: `interrupt()` (called from a SIGINT handler: a lock-free store) makes the next
///   `MemoryGuard.check()` between morsels throw, so Ctrl-C stops a query within one batch.
public enum QueryControl {
    private static let total = Atomic<Int>(0)
    private static let done = Atomic<Int>(0)
    private static let interrupted = Atomic<Bool>(false)

    /// Clears the progress and the interruption before a statement runs.
    public static func reset() {
        total.store(0, ordering: .relaxed)
        done.store(0, ordering: .relaxed)
        interrupted.store(false, ordering: .relaxed)
    }

    /// A scan of `blocks` blocks was planned.
    public static func addBlocks(_ blocks: Int) { total.add(blocks, ordering: .relaxed) }

    /// A scan finished one block.
    @inline(__always)
    public static func blockDone() { done.add(1, ordering: .relaxed) }

    /// Blocks read so far and blocks planned.
    public static var progress: (done: Int, total: Int) {
        (done.load(ordering: .relaxed), total.load(ordering: .relaxed))
    }

    /// Asks the running query to stop (async-signal-safe).
    public static func interrupt() { interrupted.store(true, ordering: .relaxed) }

    /// True once `interrupt()` was called since the last `reset()`.
    public static var isInterrupted: Bool { interrupted.load(ordering: .relaxed) }

    /// Throws `KuaiError.execution` "Interrupted" when the query was asked to stop.
    @inline(__always)
    public static func checkInterrupt() throws {
        if interrupted.load(ordering: .relaxed) { throw KuaiError(.execution, "Interrupted") }
    }
}
