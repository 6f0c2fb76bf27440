import CPrefetch
import KuaiCore

/// An open-addressing table counting (group id, 64-bit value) pairs: slots of three words (value,
/// group id + 1 with 0 = empty, count; `PairSlots`), so a probe reads one cache line; linear probing,
/// power-of-two capacity, load <= 1/2, raw buffers (no bounds or uniqueness checks in the probe
/// loop). `add(rows:)` takes a batch and prefetches the slot of a row a few rows ahead, so that
/// the cache misses of a large table overlap (many groups, such as one per user).
///
/// Memory: 24 bytes a slot, at most 48 bytes a distinct pair (1024 slots at least).
final class PairCounter {
    private var words: UnsafeMutablePointer<UInt64>
    private var capacity: Int
    /// Distinct pairs held.
    private(set) var count = 0

    init() {
        capacity = 1024
        words = .allocate(capacity: 3 * capacity)
        words.initialize(repeating: 0, count: 3 * capacity)
    }

    deinit { words.deallocate() }

    @inline(__always)
    private static func slot(_ group: Int32, _ value: UInt64, _ mask: Int) -> Int {
        PairSlots.slot(group, value, mask)
    }

    private func grow() {
        words = PairSlots.grown(words, capacity: capacity, stride: 3)
        capacity *= 2
    }

    /// Adds `times` to the count of (`group`, `value`) (a new pair starts at 0).
    @inline(__always)
    func add(group: Int32, value: UInt64, times: UInt64 = 1) {
        if (count + 1) * 2 > capacity { grow() }
        let mask = capacity - 1
        let tag = UInt64(UInt32(bitPattern: group)) &+ 1
        var s = PairCounter.slot(group, value, mask)
        while true {
            let g = words[3 &* s &+ 1]
            if g == 0 { break }
            if g == tag && words[3 &* s] == value {
                words[3 &* s &+ 2] &+= times
                return
            }
            s = (s &+ 1) & mask
        }
        words[3 &* s] = value
        words[3 &* s &+ 1] = tag
        words[3 &* s &+ 2] = times
        count += 1
    }

    /// Counts the pairs (`groups[i]`, `values[i]`) of the first `n` rows whose `valid` byte is not
    /// 0 (every row when nil).
    func add(
        rows n: Int, groups: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<UInt64>,
        valid: UnsafeBufferPointer<UInt8>?
    ) {
        let ahead = 8
        let large = capacity >= 1 << 15  // a table that fits the cache gains nothing from prefetching
        for i in 0..<n {
            if large {
                let j = i &+ ahead
                if j < n { kuai_prefetch(words + 3 &* PairCounter.slot(groups[j], values[j], capacity &- 1)) }
            }
            if let valid, valid[i] == 0 { continue }
            add(group: groups[i], value: values[i])
        }
    }

    /// Calls `body(group, value, count)` for each pair held (in slot order).
    func forEachPair(_ body: (Int32, UInt64, UInt64) -> Void) {
        for i in 0..<capacity where words[3 * i + 1] != 0 {
            body(Int32(truncatingIfNeeded: words[3 * i + 1] &- 1), words[3 * i], words[3 * i + 2])
        }
    }
}
