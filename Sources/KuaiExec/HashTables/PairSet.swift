import KuaiCore

/// An open-addressing set of (group id, 64-bit value) pairs; linear probing, power-of-two
/// capacity, load <= 1/2, raw buffers (no bounds or uniqueness checks in the probe loop).
final class PairSet {
    private var values: UnsafeMutablePointer<UInt64>
    private var groups: UnsafeMutablePointer<Int32>  // -1 = empty slot
    private var capacity: Int
    private(set) var count = 0

    init() {
        capacity = 1024
        values = .allocate(capacity: capacity)
        groups = .allocate(capacity: capacity)
        groups.initialize(repeating: -1, count: capacity)
        values.initialize(repeating: 0, count: capacity)
    }

    deinit {
        values.deallocate()
        groups.deallocate()
    }

    @inline(__always)
    private static func slot(_ group: Int32, _ value: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: fmix(value ^ (UInt64(UInt32(bitPattern: group)) &* goldenRatio64))) & mask
    }

    private func grow() {
        let oldV = values
        let oldG = groups
        let oldCap = capacity
        capacity *= 2
        MemoryGuard.noteAllocation(capacity * 12)
        values = .allocate(capacity: capacity)
        groups = .allocate(capacity: capacity)
        groups.initialize(repeating: -1, count: capacity)
        values.initialize(repeating: 0, count: capacity)
        let mask = capacity - 1
        for i in 0..<oldCap where oldG[i] >= 0 {
            var s = PairSet.slot(oldG[i], oldV[i], mask)
            while groups[s] >= 0 { s = (s + 1) & mask }
            groups[s] = oldG[i]
            values[s] = oldV[i]
        }
        oldV.deallocate()
        oldG.deallocate()
    }

    @inline(__always)
    func insert(group: Int32, value: UInt64) {
        if (count + 1) * 2 > capacity { grow() }
        let mask = capacity - 1
        var s = PairSet.slot(group, value, mask)
        while true {
            let g = groups[s]
            if g < 0 { break }
            if g == group && values[s] == value { return }
            s = (s + 1) & mask
        }
        groups[s] = group
        values[s] = value
        count += 1
    }

    func forEachEntry(_ body: (Int32, UInt64) -> Void) {
        for i in 0..<capacity where groups[i] >= 0 { body(groups[i], values[i]) }
    }

    /// Empties the set and returns its memory (back to the initial capacity).
    func removeAll() {
        values.deallocate()
        groups.deallocate()
        capacity = 1024
        values = .allocate(capacity: capacity)
        groups = .allocate(capacity: capacity)
        groups.initialize(repeating: -1, count: capacity)
        values.initialize(repeating: 0, count: capacity)
        count = 0
    }
}
