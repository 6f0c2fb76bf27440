import Dispatch
import Foundation
import KuaiCore
import Synchronization

/// The (group, value) pairs a `DistinctState` appends once its hash set is left (they may
/// repeat), for integer-stored values (BIGINT, DATE, TIMESTAMP, ...; not DOUBLE) lying within 2^32
/// of `base`: each pair is one word, `group << 32 | (value - base)`, in one of
/// `partitionCount` partitions chosen by a hash of the value alone. Every copy of a value thus
/// lands in the same partition of every thread's log, whatever its (thread-local) group id, and
/// `distinctPairs` makes the pairs of all logs distinct one partition at a time, each in a hash
/// set that stays in cache, on all cores: one write of 8 bytes a row on the way in and one read
/// on the way out, no sort of all the rows (DuckDB's radix-partitioned distinct aggregate).
///
/// Memory: 8 bytes a pair (each partition a buffer grown by `realloc`), freed partition by
/// partition as `distinctPairs` consumes it.
final class DistinctPairLog {
    /// log2 of `partitionCount`.
    static let partitionBits = 8
    static let partitionCount = 1 << partitionBits
    /// The lowest value a pair may hold; `fits` tells whether a range of values can be stored.
    let base: Int64
    /// The smallest and largest value appended (lo > hi while empty).
    private(set) var lo = Int64.max
    private(set) var hi = Int64.min
    /// Pairs appended (repeats included).
    private(set) var count = 0
    private let buffers: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    private let counts: UnsafeMutablePointer<Int>
    private let capacities: UnsafeMutablePointer<Int>

    /// A log for values around `lo...hi` (the first values to store): a window of 2^32 values
    /// with `lo...hi` in its middle. nil when `lo...hi` itself spans 2^32 or more.
    init?(lo: Int64, hi: Int64) {
        let span = hi.subtractingReportingOverflow(lo)
        guard lo <= hi, !span.overflow, span.partialValue < 1 << 32 else { return nil }
        let b = lo.subtractingReportingOverflow(((1 << 32) - 1 - span.partialValue) / 2)
        base = b.overflow ? Int64.min : b.partialValue
        let n = Self.partitionCount
        buffers = .allocate(capacity: n)
        buffers.initialize(repeating: nil, count: n)
        counts = .allocate(capacity: n)
        counts.initialize(repeating: 0, count: n)
        capacities = .allocate(capacity: n)
        capacities.initialize(repeating: 0, count: n)
    }

    deinit {
        for p in 0..<Self.partitionCount { free(buffers[p]) }
        buffers.deallocate()
        counts.deallocate()
        capacities.deallocate()
    }

    /// True when every value of `lo...hi` can be stored (`base <= lo`, `hi - base < 2^32`).
    func fits(lo: Int64, hi: Int64) -> Bool {
        guard lo >= base, lo <= hi else { return false }
        let span = hi.subtractingReportingOverflow(base)
        return !span.overflow && span.partialValue < 1 << 32
    }

    /// Bytes held by the partition buffers.
    private(set) var heldBytes = 0

    /// The partition of `value` (the same in every log).
    @inline(__always)
    static func partition(of value: Int64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: value) &* goldenRatio64) >> UInt64(64 - partitionBits))
    }

    @inline(__always)
    private func push(_ word: UInt64, _ p: Int) {
        let c = counts[p]
        if c == capacities[p] { grow(p) }
        buffers[p]![c] = word
        counts[p] = c &+ 1
    }

    private func grow(_ p: Int) {
        let cap = max(512, 2 * capacities[p])
        MemoryGuard.noteAllocation((cap - capacities[p]) * 8)
        guard let b = realloc(buffers[p], cap * 8) else { fatalError("out of memory growing a distinct pair log") }
        buffers[p] = b.assumingMemoryBound(to: UInt64.self)
        heldBytes += (cap - capacities[p]) * 8
        capacities[p] = cap
    }

    /// Appends one pair.
    /// - Precondition: `fits(lo: value, hi: value)`.
    @inline(__always)
    func append(group: Int32, value: Int64) {
        lo = min(lo, value)
        hi = max(hi, value)
        push(UInt64(UInt32(bitPattern: group)) << 32 | UInt64(bitPattern: value &- base), Self.partition(of: value))
        count += 1
    }

    /// Appends the pairs (`groups[i]`, `values[i]`) of the first `n` rows whose `valid` byte is
    /// not 0 (every row when nil), whose values span `lo...hi`.
    /// - Precondition: `fits(lo: lo, hi: hi)`.
    func append(
        values: UnsafeBufferPointer<Int64>, groups: UnsafeBufferPointer<Int32>, valid: UnsafeBufferPointer<UInt8>?,
        count n: Int, lo: Int64, hi: Int64
    ) {
        self.lo = min(self.lo, lo)
        self.hi = max(self.hi, hi)
        let base = base
        for i in 0..<n {
            if let valid, valid[i] == 0 { continue }
            let v = values[i]
            push(UInt64(UInt32(bitPattern: groups[i])) << 32 | UInt64(bitPattern: v &- base), Self.partition(of: v))
            count &+= 1
        }
    }

    /// Calls `body(group, value word)` for every pair, partition by partition.
    func forEachPair(_ body: (Int32, UInt64) -> Void) {
        for p in 0..<Self.partitionCount {
            guard let b = buffers[p] else { continue }
            for i in 0..<counts[p] {
                let w = b[i]
                body(Int32(truncatingIfNeeded: w >> 32), UInt64(bitPattern: base &+ Int64(w & 0xFFFF_FFFF)))
            }
        }
    }

    /// The pairs of partition `p` (valid until `release(partition:)` or the log's end).
    func pairs(partition p: Int) -> UnsafeBufferPointer<UInt64> {
        UnsafeBufferPointer(start: buffers[p], count: counts[p])
    }

    /// Frees partition `p`'s buffer (its pairs are gone). Threads may release different
    /// partitions of one log at once: only the partition's own entries change here, and the
    /// totals (`count`, `heldBytes`) follow in `recount`, on one thread, afterwards.
    func release(partition p: Int) {
        free(buffers[p])
        buffers[p] = nil
        capacities[p] = 0
        counts[p] = 0
    }

    /// Sets `count` and `heldBytes` from the partitions (after `release(partition:)`).
    func recount() {
        count = (0..<Self.partitionCount).reduce(0) { $0 + counts[$1] }
        heldBytes = (0..<Self.partitionCount).reduce(0) { $0 + capacities[$1] * 8 }
    }

    /// The distinct pairs of `logs` (each with the mapping of its groups into `0..<groups`, nil =
    /// already global): group ids and values, in (group, value) order when `sorted`, in no set
    /// order otherwise. Each partition (the same partition of every log) is made distinct on its
    /// own in an open-addressing set of words `group << valueBits | (value - lo)`, partitions
    /// handed to `threads` threads; the logs' partitions are freed as they are read, so the logs
    /// are empty afterwards. nil, the logs untouched, when the values of all logs span 2^32 or
    /// more (the words would not fit).
    static func distinctPairs(
        _ logs: [(log: DistinctPairLog, mapping: [Int32]?)], groups: Int, sorted: Bool,
        threads: Int = activeProcessorCount()
    ) -> (ids: [Int32], values: [Int64])? {
        let filled = logs.filter { $0.log.count > 0 }
        if filled.isEmpty { return ([], []) }
        let lo = filled.map(\.log.lo).min()!
        let hi = filled.map(\.log.hi).max()!
        let span = hi.subtractingReportingOverflow(lo)
        if span.overflow || span.partialValue >= 1 << 32 { return nil }
        let vbits = 64 - UInt64(span.partialValue).leadingZeroBitCount
        let gbits = 64 - UInt64(max(groups - 1, 0)).leadingZeroBitCount
        let parts = partitionCount
        // partition p writes its distinct words from starts[p] on (room for all its pairs)
        var starts = [Int](repeating: 0, count: parts + 1)
        for p in 0..<parts { starts[p + 1] = starts[p] + filled.reduce(0) { $0 + $1.log.counts[p] } }
        let total = starts[parts]
        let words = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: total)
        defer { words.deallocate() }
        var found = [Int](repeating: 0, count: parts)
        let shared = UncheckedBox((filled, words, starts))
        found.withUnsafeMutableBufferPointer { f in
            let f = UncheckedBox(f)
            // each thread takes the next partition until none is left, in one set it keeps
            let next = PartitionCounter()
            let run = { @Sendable (_: Int) in
                let (filled, words, starts) = shared.value
                let set = WordSet()
                while true {
                    let p = next.take()
                    if p >= parts { break }
                    f.value[p] = distinctPartition(
                        p, of: filled, lo: lo, valueBits: UInt64(vbits), set: set,
                        into: words.baseAddress! + starts[p])
                }
            }
            if threads <= 1 { run(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: run) }
        }
        for l in filled { l.log.recount() }
        // the distinct words of every partition, moved together
        var distinct = 0
        for p in 0..<parts {
            if starts[p] != distinct {
                memmove(words.baseAddress! + distinct, words.baseAddress! + starts[p], found[p] * 8)
            }
            distinct += found[p]
        }
        let keys = UnsafeMutableBufferPointer(rebasing: words[0..<distinct])
        if sorted && distinct > 1 {
            let tmp = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: distinct)
            parallelRadixSortRecords(
                PackedRows(words: keys, shift: 0), scratch: PackedRows(words: tmp, shift: 0), bits: vbits + gbits,
                threads: threads)
            tmp.deallocate()
        }
        let vmask: UInt64 = vbits == 0 ? 0 : UInt64.max >> UInt64(64 - vbits)
        var ids = [Int32](repeating: 0, count: distinct)
        var values = [Int64](repeating: 0, count: distinct)
        ids.withUnsafeMutableBufferPointer { ip in
            values.withUnsafeMutableBufferPointer { vp in
                for i in 0..<distinct {
                    let k = keys[i]
                    ip[i] = Int32(truncatingIfNeeded: k >> UInt64(vbits))
                    vp[i] = lo &+ Int64(bitPattern: k & vmask)
                }
            }
        }
        return (ids, values)
    }

    /// Partition `p` of every log made distinct in `set` (emptied first): writes its distinct
    /// words (`group << valueBits | (value - lo)`, groups mapped) to `out` in first-seen order,
    /// frees the partition in every log, and returns how many it wrote.
    private static func distinctPartition(
        _ p: Int, of logs: [(log: DistinctPairLog, mapping: [Int32]?)], lo: Int64, valueBits: UInt64,
        set: WordSet, into out: UnsafeMutablePointer<UInt64>
    ) -> Int {
        let pairs = logs.reduce(0) { $0 + $1.log.counts[p] }
        if pairs == 0 { return 0 }
        set.reset(expecting: pairs)
        var n = 0
        for (log, mapping) in logs {
            let rows = log.pairs(partition: p)
            let delta = log.base &- lo  // value - lo = offset + delta
            func insert(_ m: UnsafeBufferPointer<Int32>?) {
                for w in rows {
                    let local = Int32(truncatingIfNeeded: w >> 32)
                    let g = m.map { $0[Int(local)] } ?? local
                    let off = UInt64(bitPattern: Int64(w & 0xFFFF_FFFF) &+ delta)
                    let key = UInt64(UInt32(bitPattern: g)) << valueBits | off
                    if set.insert(key) {
                        out[n] = key
                        n &+= 1
                    }
                }
            }
            if let mapping { mapping.withUnsafeBufferPointer { insert($0) } } else { insert(nil) }
            log.release(partition: p)
        }
        set.noteDistinct(n, of: pairs)
        return n
    }
}

/// The next partition for the thread that asks (each partition handed out once).
private final class PartitionCounter: Sendable {
    private let next = Atomic<Int>(0)
    func take() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}

/// An open-addressing set of 64-bit words below 2^63 (`UInt64.max` marks an empty slot): linear
/// probing, power-of-two capacity, load at most 1/2 (doubling), fmix64 hash. Reused partition
/// after partition (`reset`), sized from the share of distinct words the partitions before had,
/// so that a partition neither grows its set nor clears more slots than it fills.
private final class WordSet {
    private var slots: UnsafeMutablePointer<UInt64>
    private var allocated = 16
    private var mask = 15
    private var count = 0
    /// Words inserted and found distinct over the partitions so far.
    private var seenWords = 0
    private var seenDistinct = 0

    init() {
        slots = .allocate(capacity: allocated)
    }

    deinit { slots.deallocate() }

    /// Empties the set, sized for `words` insertions: twice the distinct words expected (all of
    /// them until a partition was seen, at most 2^14 then).
    func reset(expecting words: Int) {
        let expected =
            seenWords == 0
            ? min(words, 1 << 13) : max(16, Int(Double(words) * Double(seenDistinct) / Double(seenWords) * 1.2))
        let capacity = 1 << (Int.bitWidth - (2 * expected - 1).leadingZeroBitCount)
        if capacity > allocated {
            slots.deallocate()
            slots = .allocate(capacity: capacity)
            allocated = capacity
        }
        slots.initialize(repeating: .max, count: capacity)
        mask = capacity - 1
        count = 0
    }

    /// Records that a partition of `words` words had `distinct` distinct ones (for `reset`).
    func noteDistinct(_ distinct: Int, of words: Int) {
        seenWords += words
        seenDistinct += distinct
    }

    /// Adds `key`; true when it was not there.
    @inline(__always)
    func insert(_ key: UInt64) -> Bool {
        var s = Int(truncatingIfNeeded: fmix(key)) & mask
        while true {
            let k = slots[s]
            if k == key { return false }
            if k == .max { break }
            s = (s &+ 1) & mask
        }
        slots[s] = key
        count &+= 1
        if 2 &* count > mask { grow() }
        return true
    }

    private func grow() {
        let old = slots
        let oldCapacity = mask + 1
        mask = 2 * oldCapacity - 1
        allocated = max(allocated, mask + 1)
        slots = .allocate(capacity: allocated)
        slots.initialize(repeating: .max, count: mask + 1)
        for i in 0..<oldCapacity where old[i] != .max {
            var s = Int(truncatingIfNeeded: fmix(old[i])) & mask
            while slots[s] != .max { s = (s &+ 1) & mask }
            slots[s] = old[i]
        }
        old.deallocate()
    }
}
