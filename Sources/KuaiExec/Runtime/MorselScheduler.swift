import Dispatch
import KuaiCore

/// Runs the morsels of a source on several threads (`DispatchQueue.concurrentPerform`), handing
/// out morsel indexes one at a time; `body(worker, batch)` gets each non-empty batch with the
/// index (0..<threads) of the worker running it, so per-worker state needs no lock.
/// The first error stops the remaining work and is rethrown. Under EXPLAIN ANALYZE, `body`'s time
/// goes to the operator that drains the source (`ProfiledSource.consumer`).
///
/// When `pieces(worker)` is true as a worker takes a morsel, `body` may get that morsel as several
/// batches (`MorselSource.morsel(_:pieces:)`), each with the morsel's index, in order on that
/// worker: for consumers that do not care where a morsel splits (a hash aggregate), not for those
/// that number rows by morsel (a top-N).
public enum MorselScheduler {
    public static func run(
        _ source: MorselSource, threads: Int, pieces: (_ worker: Int) -> Bool = { _ in false },
        _ body: (_ worker: Int, _ morsel: Int, _ batch: Batch) throws -> Void
    ) throws {
        guard let consumer = (source as? ProfiledSource)?.consumer else {
            return try runMorsels(source, threads: threads, pieces: pieces, body)
        }
        try runMorsels(source, threads: threads, pieces: pieces) { w, i, b in
            ProfileClock.enter(consumer)
            defer { ProfileClock.exit() }
            try body(w, i, b)
        }
    }

    static func runMorsels(
        _ source: MorselSource, threads: Int, pieces: (_ worker: Int) -> Bool,
        _ body: (_ worker: Int, _ morsel: Int, _ batch: Batch) throws -> Void
    ) throws {
        let total = source.morselCount
        if total == 0 { return }
        let workers = max(1, min(threads, total))
        if workers > 1 { try source.prepare() }
        if workers == 1 {
            for i in 0..<total {
                try MemoryGuard.check()
                try run(source, morsel: i, pieces: pieces(0)) { try body(0, i, $0) }
            }
            return
        }
        let shared = SchedulerState(total: total)
        try withoutActuallyEscaping(body) { body in
            try withoutActuallyEscaping(pieces) { pieces in
                let box = UncheckedBox((body, pieces))
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let (body, pieces) = box.value
                    while let i = shared.take() {
                        do {
                            try MemoryGuard.check()
                            try run(source, morsel: i, pieces: pieces(worker)) { try body(worker, i, $0) }
                        } catch {
                            shared.fail(error)
                            return
                        }
                    }
                }
            }
            if let failure = shared.failure { throw failure }
        }
    }

    /// Morsel `i` of `source` handed to `body`: in pieces when `pieces`, else whole when it has rows.
    @inline(__always)
    private static func run(
        _ source: MorselSource, morsel i: Int, pieces: Bool, _ body: (Batch) throws -> Void
    ) throws {
        if pieces { return try source.morsel(i, pieces: body) }
        if let b = try source.morsel(i), b.count > 0 { try body(b) }
    }

    /// Worker threads to use when the caller asks for `requested` (0 = every active processor).
    public static func threadCount(_ requested: Int) -> Int {
        if requested > 0 { return requested }
        return max(1, activeProcessorCount())
    }
}

/// The processors the engine's own parallel steps (sorts, window chunks, distinct merges, column
/// concatenation) spread over: the processors online (read once per process; at least 1), at
/// most `ProcessorLimit.threads` when that is set.
func activeProcessorCount() -> Int {
    let limit = ProcessorLimit.threads
    return limit > 0 ? min(limit, processorsOnline) : processorsOnline
}

/// A process-wide cap on the processors of `activeProcessorCount`: kuai-query's `--threads N`
/// sets it, so that N bounds every parallel step, not only the morsel-parallel operators that
/// take their thread count from the plan. 0 (the default) = no cap. Set it before the first
/// query; it is read, not synchronised, by running queries.
public enum ProcessorLimit {
    nonisolated(unsafe) public static var threads = 0
}

/// Shared counter and first error of one parallel run.
final class SchedulerState: @unchecked Sendable {
    private let lock = Mutex()
    private var nextIndex = 0
    private let total: Int
    private(set) var failure: Error?
    init(total: Int) { self.total = total }
    func take() -> Int? {
        lock.withLock {
            if failure != nil || nextIndex >= total { return nil }
            nextIndex += 1
            return nextIndex - 1
        }
    }
    func fail(_ e: Error) { lock.withLock { if failure == nil { failure = e } } }
}

/// Moves a non-Sendable value into concurrently executing code whose safety the caller ensures.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
