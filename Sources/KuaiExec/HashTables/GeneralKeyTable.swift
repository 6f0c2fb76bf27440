import CPrefetch
import KuaiCore

/// The `GroupKeyTable` of any key shape (DOUBLE keys, several keys that do not pack): each row's
/// key words (`keyWords`, one per column plus a NULL mask) are hashed together; slots of
/// (high 32 hash bits, id + 1), open addressing, linear probing, power-of-two capacity,
/// load <= 1/2; keys compared word by word against `RowKeyStore` on a hash-tag match.
final class GeneralKeyTable: GroupKeyTable {
    let keyTypes: [DataType]
    let interner: StringInterner
    var layout: GroupKeyLayout { .general }
    private(set) var count: Int
    private let store: RowKeyStore
    /// `capacity` slots: (hash >> 32) << 32 | (id + 1), 0 = empty.
    private var slots: UnsafeMutablePointer<UInt64>
    private var capacity: Int

    /// A table over `keyTypes` (VARCHAR keys interned with `interner`) holding the `count` groups
    /// already in `store` (a `PackedKeyTable` moving here), hashed afresh.
    init(
        keyTypes: [DataType], interner: StringInterner = StringInterner(), store: RowKeyStore? = nil, count: Int = 0
    ) {
        self.keyTypes = keyTypes
        self.interner = interner
        self.store = store ?? RowKeyStore(keyColumns: keyTypes.count)
        self.count = count
        capacity = 1024
        while count * 2 > capacity { capacity *= 2 }
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: 0, count: capacity)
        let mask = capacity - 1
        for g in 0..<count {
            let tag = self.store.hash(g) >> 32
            var s = Int(truncatingIfNeeded: tag) & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = (tag << 32) | UInt64(g + 1)
        }
    }

    deinit { slots.deallocate() }

    func reserve(_ n: Int) {
        while n * 2 > capacity { grow() }
        store.reserve(n, used: count)
    }

    func findOrInsert(_ keys: [Column], rowCount n: Int, into ids: UnsafeMutableBufferPointer<Int32>) {
        if n == 0 { return }
        withPrepared(keys, n, insert: true, interner: interner) { rowWords, hashes, _ in
            insert(n, rowWords, hashes, ids)
        }
    }

    /// Inserts the prepared rows (`prepare`) in chunks of 4096, growing the slots and the key
    /// store before each chunk.
    private func insert(
        _ n: Int, _ rowWords: UnsafeMutablePointer<UInt64>, _ hashes: UnsafeMutablePointer<UInt64>,
        _ ids: UnsafeMutableBufferPointer<Int32>
    ) {
        let stride = store.stride
        var i = 0
        while i < n {
            let end = min(n, i + 4096)
            while (count + end - i) * 2 > capacity { grow() }
            store.reserve(count + end - i, used: count)
            let (slots, mask, ks) = (self.slots, capacity - 1, store.words)
            var c = count
            while i < end {
                Self.prefetch(i, end, hashes, slots, mask, ks, stride)
                let tag = hashes[i] >> 32
                let row = rowWords + i * stride
                let (s, g) = Self.probe(tag, row, slots, mask, ks, stride)
                if g >= 0 {
                    ids[i] = Int32(g)
                } else {
                    slots[s] = (tag << 32) | UInt64(c + 1)
                    (ks + c * stride).initialize(from: row, count: stride)
                    ids[i] = Int32(c)
                    c += 1
                }
                i += 1
            }
            count = c
        }
    }

    func find(
        _ keys: [Column], rowCount n: Int, nullsMatch: Bool, into ids: UnsafeMutableBufferPointer<Int32>,
        interner: StringInterner
    ) {
        if n == 0 { return }
        let stride = store.stride
        let (slots, mask, ks) = (self.slots, capacity - 1, store.words)
        withPrepared(keys, n, insert: false, interner: interner) { rowWords, hashes, unknown in
            for i in 0..<n {
                Self.prefetch(i, n, hashes, slots, mask, ks, stride)
                let row = rowWords + i * stride
                if unknown[i] != 0 || (!nullsMatch && row[stride - 1] != 0) {
                    ids[i] = -1
                    continue
                }
                ids[i] = Int32(Self.probe(hashes[i] >> 32, row, slots, mask, ks, stride).group)
            }
        }
    }

    /// Calls `body` with the batch's row-major key words, row hashes and unknown-string flags
    /// (`prepare`), in scratch buffers freed afterwards.
    private func withPrepared(
        _ keys: [Column], _ n: Int, insert: Bool, interner: StringInterner,
        _ body: (UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<UInt64>, UnsafeMutableBufferPointer<UInt8>) -> Void
    ) {
        let rowWords = UnsafeMutablePointer<UInt64>.allocate(capacity: n * store.stride)
        let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        let unknown = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: n)
        defer {
            rowWords.deallocate()
            hashes.deallocate()
            unknown.deallocate()
        }
        prepare(keys, n, insert: insert, interner: interner, rowWords, hashes, unknown)
        body(rowWords, hashes, unknown)
    }

    func keyColumns() -> [Column] { store.keyColumns(keyTypes, count: count, dictionary: interner.target) }

    /// The slot holding the key `row` (whose hash tag is `tag`) and its group, or the empty slot
    /// where it belongs and group -1.
    /// (`slots` with `mask + 1` entries; `keys`: the stored keys, `stride` words each.)
    @inline(__always)
    private static func probe(
        _ tag: UInt64, _ row: UnsafePointer<UInt64>, _ slots: UnsafeMutablePointer<UInt64>, _ mask: Int,
        _ keys: UnsafePointer<UInt64>, _ stride: Int
    ) -> (slot: Int, group: Int) {
        var s = Int(truncatingIfNeeded: tag) & mask
        while true {
            let v = slots[s]
            if v == 0 { return (s, -1) }
            if v >> 32 == tag {
                let g = Int(v & 0xFFFF_FFFF) - 1
                if RowKeyStore.equals(keys + g * stride, row, stride) { return (s, g) }
            }
            s = (s + 1) & mask
        }
    }

    /// Prefetches for the probes ahead of row `i` (rows before `end`): the home slot of row
    /// i + 16, and the stored key that the (by then cached) home slot of row i + 8 points to, so
    /// that a probe's two cache misses (slot, then stored key) overlap with the rows before it.
    @inline(__always)
    private static func prefetch(
        _ i: Int, _ end: Int, _ hashes: UnsafeMutablePointer<UInt64>, _ slots: UnsafeMutablePointer<UInt64>,
        _ mask: Int, _ keys: UnsafePointer<UInt64>, _ stride: Int
    ) {
        if i &+ 16 < end { kuai_prefetch(slots + (Int(truncatingIfNeeded: hashes[i &+ 16] >> 32) & mask)) }
        if i &+ 8 < end {
            let v = slots[Int(truncatingIfNeeded: hashes[i &+ 8] >> 32) & mask]
            if v != 0 { kuai_prefetch(keys + (Int(v & 0xFFFF_FFFF) &- 1) &* stride) }
        }
    }

    func growthBytes(adding n: Int) -> Int {
        var slotBytes = 0
        var c = capacity
        while (count + n) * 2 > c {
            c *= 2
            slotBytes = c * 8
        }
        return slotBytes + store.growthBytes(toHold: count + n)
    }

    private func grow() {
        let newCapacity = capacity * 2
        MemoryGuard.noteAllocation(newCapacity * 8)
        let newSlots = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity)
        newSlots.initialize(repeating: 0, count: newCapacity)
        let mask = newCapacity - 1
        for s in 0..<capacity where slots[s] != 0 {
            let v = slots[s]
            var i = Int(truncatingIfNeeded: v >> 32) & mask  // the slot comes from the stored hash tag
            while newSlots[i] != 0 { i = (i + 1) & mask }
            newSlots[i] = v
        }
        slots.deallocate()
        slots = newSlots
        capacity = newCapacity
    }

    /// Row-major key words of one batch (`n * stride` words, as `RowKeyStore`) and each row's
    /// hash (`RowKeyStore.hash`, computed column by column). Rows whose VARCHAR key is unknown
    /// to the table (lookups) get `unknown[i] = 1`.
    private func prepare(
        _ keys: [Column], _ n: Int, insert: Bool, interner: StringInterner, _ rowWords: UnsafeMutablePointer<UInt64>,
        _ hashes: UnsafeMutablePointer<UInt64>, _ unknown: UnsafeMutableBufferPointer<UInt8>
    ) {
        let k = keys.count
        let stride = store.stride
        let words = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
        let nulls = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: n)
        defer {
            words.deallocate()
            nulls.deallocate()
        }
        for i in 0..<n {
            rowWords[i * stride + k] = 0
            hashes[i] = RowKeyStore.seed
        }
        unknown.initialize(repeating: 0)
        for c in 0..<k {
            keyWords(keys[c], interner: interner, insert: insert, words: words, nulls: nulls, unknown: unknown)
            let bit = UInt64(1) << UInt64(c)
            for i in 0..<n {
                let w = words[i]
                rowWords[i * stride + c] = w
                if nulls[i] != 0 { rowWords[i * stride + k] |= bit }
                hashes[i] = hashCombine(hashes[i], w)
            }
        }
        for i in 0..<n { hashes[i] = fmix(hashCombine(hashes[i], rowWords[i * stride + k])) }
    }
}
