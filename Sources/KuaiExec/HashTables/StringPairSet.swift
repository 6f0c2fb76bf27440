import CPrefetch
import KuaiCore

/// A set of distinct (group id, string) pairs over the strings' bytes, with no dictionary and no
/// codes: the pairs of `agg(DISTINCT <VARCHAR>)`, as DuckDB's radix-partitioned distinct
/// aggregate keeps them.
///
/// The pairs are split into `partitionCount` partitions by the top `partitionBits` bits of the
/// string's 64-bit hash (`StringView.hashValue64`, independent of the group), so that the sets of
/// several threads merge partition by partition on all cores (`absorb(partition:from:mapping:)`)
/// and a partition's table is small enough to grow cheaply. Each partition is an open-addressing
/// table of `Entry` (24 bytes: the view, 32 bits of the pair's hash, the group; group -1 = empty),
/// linear probing, power-of-two capacity, load <= 3/4, allocated on its first pair.
///
/// Strings of at most 12 bytes live in their views; longer ones are copied into the set's
/// `heap` when first inserted (never for a string already present), or stay in the heap of a
/// merged set, which `owners` then keeps alive. Not thread-safe, except that distinct partitions
/// may be filled by `absorb` on different threads at once.
final class StringPairSet {
    /// One slot: a pair, or empty (`group == -1`).
    struct Entry {
        var view: StringView
        /// The low 32 bits of `slotHash(hash, group)` (the slot within the partition's table).
        var tag: UInt32
        var group: Int32
    }

    /// One partition's table: `mask + 1` slots (0 until its first pair).
    struct Part {
        var slots: UnsafeMutablePointer<Entry>?
        var mask = -1
        var count = 0
    }

    static let partitionBits = 6
    static let partitionCount = 1 << partitionBits
    /// Slots of a partition's table at its first pair.
    static let initialCapacity = 16

    private let parts: UnsafeMutablePointer<Part>
    /// Bytes of the strings longer than 12 bytes inserted by `insert`.
    let heap = StringHeap()
    /// The heaps of merged sets whose views this set holds.
    private(set) var owners: [StringOwner] = []
    /// Distinct pairs held (the sum of the partitions' counts).
    var count: Int { (0..<Self.partitionCount).reduce(0) { $0 + parts[$1].count } }

    init() {
        parts = .allocate(capacity: Self.partitionCount)
        parts.initialize(repeating: Part(), count: Self.partitionCount)
    }

    deinit {
        for p in 0..<Self.partitionCount { parts[p].slots?.deallocate() }
        parts.deallocate()
    }

    /// Approximate bytes held: the partitions' slots and the heap's chunks.
    var heldBytes: Int {
        (0..<Self.partitionCount).reduce(heap.allocatedBytes) { $0 + (parts[$1].mask + 1) * MemoryLayout<Entry>.stride }
    }

    /// The partition of a string of hash `h` (`StringView.hashValue64`).
    @inline(__always)
    static func partition(_ h: UInt64) -> Int { Int(truncatingIfNeeded: h >> UInt64(64 - partitionBits)) }

    /// The hash of the pair (group, string of hash `h`) whose low bits pick its slot: the low 32
    /// bits of `h` xor `groupMix(group)`.
    @inline(__always)
    static func slotHash(_ h: UInt64, _ group: Int32) -> UInt32 {
        UInt32(truncatingIfNeeded: h) ^ groupMix(group)
    }

    /// The group's part of `slotHash` (so a pair's tag moves to another group without the string's
    /// hash: `tag ^ groupMix(old) ^ groupMix(new)`).
    @inline(__always)
    static func groupMix(_ group: Int32) -> UInt32 {
        UInt32(truncatingIfNeeded: UInt64(UInt32(bitPattern: group)) &* goldenRatio64)
    }

    /// Adds the valid rows' pairs (group `ids[i]`, string `views[i]`), copying the bytes of new
    /// strings longer than 12 bytes into `heap`.
    /// - Parameters:
    ///   - views: `n` string views (their bytes need live only during the call).
    ///   - given: nil, or the `n` views' `hashValue64` (a dictionary's stored hashes).
    ///   - validity: nil (all valid) or `n` bytes, 0 = NULL (skipped).
    ///   - ids: `n` group ids, >= 0.
    func insert(
        _ views: UnsafeBufferPointer<StringView>, hashes given: UnsafeBufferPointer<UInt64>?,
        validity: UnsafeBufferPointer<UInt8>?, ids: UnsafeBufferPointer<Int32>
    ) {
        let n = views.count
        let chunk = 1024
        let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, min(n, chunk)))
        defer { hashes.deallocate() }
        var start = 0
        while start < n {
            let end = min(n, start + chunk)
            if let given {
                for i in start..<end { hashes[i - start] = given[i] }
            } else {
                for i in start..<end { hashes[i - start] = views[i].hashValue64 }
            }
            let ahead = 8
            for i in start..<end {
                if i + ahead < end {
                    let h = hashes[i + ahead - start]
                    let part = parts[Self.partition(h)]
                    if let s = part.slots {
                        kuai_prefetch(s + (Int(Self.slotHash(h, ids[i + ahead])) & part.mask))
                    }
                }
                if let validity, validity[i] == 0 { continue }
                insert(views[i], hash: hashes[i - start], group: ids[i], copy: true)
            }
            start = end
        }
    }

    /// Adds the pair (group, view) unless present; `hash` is `view.hashValue64`. `copy`: copy the
    /// bytes of a new string longer than 12 bytes into `heap` (else the caller keeps them alive).
    @inline(__always)
    private func insert(_ view: StringView, hash h: UInt64, group: Int32, copy: Bool) {
        insert(view, partition: Self.partition(h), tag: Self.slotHash(h, group), group: group, copy: copy)
    }

    /// Adds the pair (group, view) of partition `p` and slot hash `tag` unless present.
    @inline(__always)
    private func insert(_ view: StringView, partition p: Int, tag: UInt32, group: Int32, copy: Bool) {
        if parts[p].count >= (parts[p].mask + 1) - (parts[p].mask + 1) / 4 { grow(p) }
        let slots = parts[p].slots!
        let mask = parts[p].mask
        var s = Int(tag) & mask
        while true {
            let e = slots[s]
            if e.group < 0 { break }
            if e.tag == tag && e.group == group && StringView.equal(e.view, view) { return }
            s = (s &+ 1) & mask
        }
        var stored = view
        if copy && !view.isInline {
            view.withBytes { b in stored = StringView(bytes: heap.store(b.baseAddress!, count: b.count), count: b.count)
            }
        }
        slots[s] = Entry(view: stored, tag: tag, group: group)
        parts[p].count += 1
    }

    /// Grows partition `p`'s table so that it holds `pairs` pairs without growing again.
    func reserve(partition p: Int, _ pairs: Int) {
        while parts[p].count < pairs && pairs >= (parts[p].mask + 1) - (parts[p].mask + 1) / 4 { grow(p) }
    }

    /// Doubles partition `p`'s table (or makes its first one) and reinserts its pairs.
    private func grow(_ p: Int) {
        let oldCapacity = parts[p].mask + 1
        let capacity = max(Self.initialCapacity, oldCapacity * 2)
        MemoryGuard.noteAllocation(capacity * MemoryLayout<Entry>.stride)
        let slots = UnsafeMutablePointer<Entry>.allocate(capacity: capacity)
        slots.initialize(repeating: Entry(view: StringView(), tag: 0, group: -1), count: capacity)
        let mask = capacity - 1
        if let old = parts[p].slots {
            for i in 0..<oldCapacity where old[i].group >= 0 {
                var s = Int(old[i].tag) & mask
                while slots[s].group >= 0 { s = (s &+ 1) & mask }
                slots[s] = old[i]
            }
            old.deallocate()
        }
        parts[p].slots = slots
        parts[p].mask = mask
    }

    /// Adds partition `partition` of `other`'s pairs to this set's same partition, their groups
    /// mapped through `mapping` (nil = the same ids). The strings stay in `other`'s heap: call
    /// `keepAlive(_:)` with `other` once. Safe on several threads at once for distinct partitions.
    func absorb(partition p: Int, from other: StringPairSet, mapping: UnsafeBufferPointer<Int32>?) {
        let o = other.parts[p]
        guard let slots = o.slots else { return }
        // room for every pair of both at once (at most twice what distinct pairs need), instead
        // of a doubling and a reinsertion of all pairs each time the table fills
        reserve(partition: p, parts[p].count + o.count)
        // the stored tag gives the slot (moved to the mapped group): no string is hashed or read
        // again unless its tag and group match a pair already here
        for i in 0...o.mask where slots[i].group >= 0 {
            let e = slots[i]
            let g = mapping.map { $0[Int(e.group)] } ?? e.group
            let tag = g == e.group ? e.tag : e.tag ^ Self.groupMix(e.group) ^ Self.groupMix(g)
            insert(e.view, partition: p, tag: tag, group: g, copy: false)
        }
    }

    /// Keeps the bytes of `other`'s strings alive as long as this set (after `absorb`).
    func keepAlive(_ other: StringPairSet) {
        owners.append(other.heap)
        owners.append(contentsOf: other.owners)
    }

    /// Calls `body` with each pair of partition `p` (group id, view), in slot order.
    func forEachPair(partition p: Int, _ body: (Int32, StringView) -> Void) {
        let part = parts[p]
        guard let slots = part.slots else { return }
        for i in 0...part.mask where slots[i].group >= 0 { body(slots[i].group, slots[i].view) }
    }

    /// Number of pairs in partition `p`.
    func count(partition p: Int) -> Int { parts[p].count }

    /// Every heap the held views may point into (for a `Column` of them).
    var heaps: [StringOwner] { [heap] + owners }
}
