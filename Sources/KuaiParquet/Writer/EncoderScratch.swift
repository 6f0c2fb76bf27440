import KuaiCore

/// Buffers a column chunk's encoding reuses from the chunks encoded before it: the dense values
/// and levels, the dictionary's hash table, distinct values and indices, and a page before and
/// after compression. A fresh allocation of these sizes (up to a MiB each) is faulted in and
/// cleared by the kernel page by page on first touch, about a quarter of the time of encoding a
/// small table's chunk; a reused buffer is already mapped. A task takes a set from
/// `EncoderScratch.take()` and gives it back when done; the pool keeps as many sets as were in use
/// at once (one per core encoding), at most `kept`.
final class EncoderScratch: @unchecked Sendable {
    var ints: [Int64] = []
    var doubles: [Double] = []
    var codes: [Int32] = []
    var levels: [UInt8] = []
    /// The dictionary's open-addressing table: per slot an index into `distinct`, -1 when empty.
    var slots: [Int32] = []
    var distinct: [UInt64] = []
    var indices: [UInt32] = []
    /// A page being assembled, before compression.
    var page: [UInt8] = []
    /// The compressed page (its first bytes; the array is as long as the largest bound yet).
    var compressed: [UInt8] = []

    /// Idle sets kept for reuse; one given back when this many are idle is freed.
    static let kept = max(2, processorsOnline)
    private static let pool = Pool()

    /// A set no other task uses until it is given back.
    static func take() -> EncoderScratch { pool.take() }

    /// Returns `scratch` to the pool (after its last use by this task).
    static func give(_ scratch: EncoderScratch) { pool.give(scratch) }

    private final class Pool: @unchecked Sendable {
        private let lock = Mutex()
        private var idle: [EncoderScratch] = []
        func take() -> EncoderScratch { lock.withLock { idle.popLast() } ?? EncoderScratch() }
        func give(_ scratch: EncoderScratch) {
            lock.withLock { if idle.count < EncoderScratch.kept { idle.append(scratch) } }
        }
    }
}

extension Array where Element: BitwiseCopyable {
    /// Makes the array at least `n` elements long, keeping its storage when it is (the elements
    /// are then stale values of an earlier use; the caller writes before it reads). A longer
    /// array is made with its elements left uninitialised: only the pages written are touched.
    mutating func ensureCount(_ n: Int) {
        if count >= n { return }
        self = [Element](unsafeUninitializedCapacity: n) { _, initialized in initialized = n }
    }
}
