import CPrefetch
import KuaiCore

/// The slot layout shared by `PairSet` and `PairCounter`: `stride` words a slot, the value first,
/// then group id + 1 (0 = empty), then any payload; the slot of a pair by a mixed hash of both.
enum PairSlots {
    /// The first slot to probe for (`group`, `value`) in a table of `mask + 1` slots.
    @inline(__always)
    static func slot(_ group: Int32, _ value: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: fmix(value ^ (UInt64(UInt32(bitPattern: group)) &* goldenRatio64))) & mask
    }

    /// A table of twice `capacity` slots holding the slots of `old` (which is deallocated), each
    /// moved whole (`stride` words) to its probe position.
    static func grown(_ old: UnsafeMutablePointer<UInt64>, capacity: Int, stride: Int) -> UnsafeMutablePointer<UInt64> {
        let bigger = 2 * capacity
        MemoryGuard.noteAllocation(bigger * stride * 8)
        let words = UnsafeMutablePointer<UInt64>.allocate(capacity: stride * bigger)
        words.initialize(repeating: 0, count: stride * bigger)
        let mask = bigger - 1
        for i in 0..<capacity where old[stride * i + 1] != 0 {
            let g = Int32(truncatingIfNeeded: old[stride * i + 1] &- 1)
            var s = slot(g, old[stride * i], mask)
            while words[stride * s + 1] != 0 { s = (s + 1) & mask }
            for w in 0..<stride { words[stride * s + w] = old[stride * i + w] }
        }
        old.deallocate()
        return words
    }
}

/// An open-addressing set of (group id, 64-bit value) pairs: slots of two words (value, group id
/// + 1; 0 = empty), so a probe reads one cache line; linear probing, power-of-two capacity,
/// load <= 1/2, raw buffers (no bounds or uniqueness checks in the probe loop). `insert(rows:)`
/// takes a batch and prefetches the slot of a row a few rows ahead, so that the cache misses of a
/// large set overlap.
final class PairSet {
    private var words: UnsafeMutablePointer<UInt64>
    private var capacity: Int
    private(set) var count = 0

    init() {
        capacity = 1024
        words = .allocate(capacity: 2 * capacity)
        words.initialize(repeating: 0, count: 2 * capacity)
    }

    deinit { words.deallocate() }

    @inline(__always)
    private static func slot(_ group: Int32, _ value: UInt64, _ mask: Int) -> Int {
        PairSlots.slot(group, value, mask)
    }

    private func grow() {
        words = PairSlots.grown(words, capacity: capacity, stride: 2)
        capacity *= 2
    }

    @inline(__always)
    func insert(group: Int32, value: UInt64) {
        if (count + 1) * 2 > capacity { grow() }
        let mask = capacity - 1
        let tag = UInt64(UInt32(bitPattern: group)) &+ 1
        var s = PairSet.slot(group, value, mask)
        while true {
            let g = words[2 &* s &+ 1]
            if g == 0 { break }
            if g == tag && words[2 &* s] == value { return }
            s = (s &+ 1) & mask
        }
        words[2 &* s] = value
        words[2 &* s &+ 1] = tag
        count += 1
    }

    /// Inserts the pairs (`groups[i]`, `values[i]`) of the rows `range` whose `valid` byte is not
    /// 0 (every row when nil), in order, while the set holds fewer than `limit` pairs (so it never
    /// grows past them); returns the first row not inserted (`range.upperBound` when all were).
    func insert(
        rows range: Range<Int>, groups: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<UInt64>,
        valid: UnsafeBufferPointer<UInt8>?, limit: Int
    ) -> Int {
        let ahead = 8
        for i in range {
            let j = i &+ ahead
            if j < range.upperBound {
                kuai_prefetch(words + 2 &* PairSet.slot(groups[j], values[j], capacity &- 1))
            }
            if let valid, valid[i] == 0 { continue }
            if count >= limit { return i }
            insert(group: groups[i], value: values[i])
        }
        return range.upperBound
    }

    func forEachEntry(_ body: (Int32, UInt64) -> Void) {
        for i in 0..<capacity where words[2 * i + 1] != 0 {
            body(Int32(truncatingIfNeeded: words[2 * i + 1] &- 1), words[2 * i])
        }
    }

    /// Empties the set and returns its memory (back to the initial capacity).
    func removeAll() {
        words.deallocate()
        capacity = 1024
        words = .allocate(capacity: 2 * capacity)
        words.initialize(repeating: 0, count: 2 * capacity)
        count = 0
    }
}
