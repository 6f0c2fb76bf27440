import CPrefetch
import KuaiCore

/// The lookup of a large join build side keyed on one integer-stored key (or on several packed
/// into one, `PackedJoinKeys`), built on several threads.
///
/// Layout: open addressing over `capacity` slots of (key, local id + 1) words (power of two, load
/// at most 3/4 of the build rows), multiply-shift hash `h = key * goldenRatio64`, home slot
/// `h >> shift`. The slots are split into `2^regionBits` regions of equal size by the top bits of
/// `h`, and linear probing wraps within a region, so every key lives in its own region. The build
/// groups the rows by region first (a radix partition: counts, then a stable scatter), then builds
/// each region on one thread from its rows alone: no locks, and a region's slots (about 1 MiB)
/// stay in cache while it is built. A key's bucket is `bases[region] + local id`: the regions'
/// distinct keys numbered one after another.
///
/// A bit filter over the keys (16 bits a row, one bit a key at `h >> filterShift`, the same hash)
/// lets a probe of an absent key cost one cached bit instead of a slot miss (anti joins, selective
/// semi joins); its words are split by region as the slots are, so each region sets its own bits.
///
/// A keys-only table (`build(keysOnly: true)`, for a semi or anti join that only asks whether a
/// key is present) keeps one word a slot, the key itself (`RegionShape.empty` marks a free slot;
/// a key equal to it is remembered apart), numbers no buckets and groups no rows: `find` answers 0
/// for a present key.
///
/// Read-only after `build`: probe it from any number of threads.
final class RegionKeyTable: @unchecked Sendable {
    /// Build sides with at least this many rows use a region table (smaller tables stay in cache).
    static let minimumRows = 1 << 17

    /// The slots, the filter and their geometry (owned: freed with the table).
    private let shape: RegionShape
    /// The first bucket of each region (one entry a region).
    private let bases: [Int32]
    /// Distinct non-NULL keys, the buckets' count.
    let bucketCount: Int
    /// True when the key `RegionShape.empty` is among the keys of a keys-only table.
    private let holdsEmptyKey: Bool

    private init(shape: RegionShape, bases: [Int32], bucketCount: Int, holdsEmptyKey: Bool = false) {
        self.shape = shape
        self.bases = bases
        self.bucketCount = bucketCount
        self.holdsEmptyKey = holdsEmptyKey
    }

    deinit { shape.deallocate() }

    /// The grouped build rows: `uniqueRow[b]` (every key on one row) or the CSR
    /// `rows[offsets[b]..<offsets[b + 1]]` (build order within a bucket), as `JoinHashTable` keeps them.
    struct Buckets {
        var unique: Bool
        var uniqueRow: [Int32] = []
        var offsets: [Int32] = []
        var rows: [Int32] = []
    }

    /// Builds the table over the non-NULL values among the first `n` rows of `keys`
    /// (integer-stored) on `threads` threads, with the rows grouped by bucket (none when
    /// `keysOnly`: then the `Buckets` are empty and not unique). nil when some region would be over
    /// 7/8 full (keys whose hashes crowd into few regions): the caller then uses one
    /// `IntKeyTable`. Memory: 16 bytes a slot (8 when `keysOnly`), 2 bytes a row of filter, 16
    /// bytes a row while built (8 when `keysOnly`).
    static func build(_ keys: Column, count n: Int, threads: Int, keysOnly: Bool = false) -> (
        RegionKeyTable, Buckets
    )? {
        var capacity = 1024
        while capacity * 3 < n * 4 { capacity *= 2 }
        // regions of 2^16 slots (1 MiB), between 16 and 1024 of them
        let regionBits = min(10, max(4, capacity.trailingZeroBitCount - 16))
        let regions = 1 << regionBits
        var filterBits = 1 << 16
        while filterBits < 16 * n && filterBits < 1 << 28 { filterBits <<= 1 }
        let slotWords = keysOnly ? 1 : 2
        MemoryGuard.noteAllocation(8 * slotWords * capacity + filterBits / 8 + (keysOnly ? 8 : 20) * n)
        let part = RegionPartition(keys, count: n, regionBits: regionBits, threads: threads, withRows: !keysOnly)
        // each region clears and fills its own slots and filter words
        let shape = RegionShape(
            capacity: capacity, regionBits: regionBits, filterWords: filterBits / 64, slotWords: slotWords)
        if keysOnly { return buildKeysOnly(shape, part, threads: threads) }
        var distinct = [Int](repeating: 0, count: regions)
        var localIds = [Int32](repeating: 0, count: part.rows.count)
        distinct.withUnsafeMutableBufferPointer { d in
            localIds.withUnsafeMutableBufferPointer { ids in
                let (d, ids) = (UncheckedBox(d), UncheckedBox(ids))
                PartitionedKeyMerge.forEachPartition(regions, threads: threads) { r in
                    let range = part.start[r]..<part.start[r + 1]
                    d.value[r] = shape.fill(region: r, keys: part.keys, range, ids: ids.value)
                }
            }
        }
        part.releaseKeys()
        if distinct.contains(-1) {
            shape.deallocate()
            return nil
        }
        var bases = [Int32](repeating: 0, count: regions + 1)
        for r in 0..<regions { bases[r + 1] = bases[r] + Int32(distinct[r]) }
        let buckets = Int(bases[regions])
        let table = RegionKeyTable(shape: shape, bases: Array(bases.prefix(regions)), bucketCount: buckets)
        let grouped = groupRows(part, localIds, bases, buckets: buckets, threads: threads)
        return (table, grouped)
    }

    /// The keys-only table over the partitioned keys `part`, its regions filled on `threads`
    /// threads; nil when some region would be over 7/8 full.
    private static func buildKeysOnly(_ shape: RegionShape, _ part: RegionPartition, threads: Int) -> (
        RegionKeyTable, Buckets
    )? {
        let regions = 1 << shape.regionBits
        // per region: its distinct keys (-1 when too full), and whether it holds the key `empty`
        var distinct = [Int](repeating: 0, count: regions)
        var emptyKey = [Bool](repeating: false, count: regions)
        distinct.withUnsafeMutableBufferPointer { d in
            emptyKey.withUnsafeMutableBufferPointer { e in
                let (d, e) = (UncheckedBox(d), UncheckedBox(e))
                PartitionedKeyMerge.forEachPartition(regions, threads: threads) { r in
                    let range = part.start[r]..<part.start[r + 1]
                    (d.value[r], e.value[r]) = shape.fillKeys(region: r, keys: part.keys, range)
                }
            }
        }
        part.releaseKeys()
        if distinct.contains(-1) {
            shape.deallocate()
            return nil
        }
        let table = RegionKeyTable(
            shape: shape, bases: [], bucketCount: distinct.reduce(0, +), holdsEmptyKey: emptyKey.contains(true))
        return (table, Buckets(unique: false))
    }

    /// The build rows grouped by bucket, region by region on `threads` threads.
    private static func groupRows(
        _ part: RegionPartition, _ localIds: [Int32], _ bases: [Int32], buckets: Int, threads: Int
    ) -> Buckets {
        let regions = bases.count - 1
        let placed = part.rows.count
        if buckets == placed {
            // every key on one row: the row of bucket bases[r] + id
            let u = [Int32](unsafeUninitializedCapacity: buckets) { u, filled in
                let box = UncheckedBox(u)
                localIds.withUnsafeBufferPointer { ids in
                    part.rows.withUnsafeBufferPointer { rows in
                        PartitionedKeyMerge.forEachPartition(regions, threads: threads) { r in
                            let base = Int(bases[r])
                            for j in part.start[r]..<part.start[r + 1] { box.value[base + Int(ids[j])] = rows[j] }
                        }
                    }
                }
                filled = buckets
            }
            return Buckets(unique: true, uniqueRow: u)
        }
        var offsets = [Int32](repeating: 0, count: buckets + 1)
        var rows = [Int32](repeating: 0, count: placed)
        offsets.withUnsafeMutableBufferPointer { off in
            rows.withUnsafeMutableBufferPointer { out in
                localIds.withUnsafeBufferPointer { ids in
                    part.rows.withUnsafeBufferPointer { order in
                        let (off, out) = (UncheckedBox(off), UncheckedBox(out))
                        PartitionedKeyMerge.forEachPartition(regions, threads: threads) { r in
                            // a counting sort of the region's rows by local id
                            let base = Int(bases[r])
                            let keysHere = Int(bases[r + 1]) - base
                            let range = part.start[r]..<part.start[r + 1]
                            var cursor = [Int32](repeating: 0, count: keysHere + 1)
                            for j in range { cursor[Int(ids[j]) + 1] += 1 }
                            cursor[0] = Int32(range.lowerBound)
                            for l in 0..<keysHere { cursor[l + 1] += cursor[l] }
                            for l in 0..<keysHere { off.value[base + l] = cursor[l] }
                            for j in range {
                                let l = Int(ids[j])
                                out.value[Int(cursor[l])] = order[j]
                                cursor[l] += 1
                            }
                        }
                    }
                }
                off[buckets] = Int32(placed)
            }
        }
        return Buckets(unique: false, offsets: offsets, rows: rows)
    }

    /// The bucket of each of the first `n` rows of `keys` (integer-stored, the build's type), -1
    /// where the key is NULL or absent (a keys-only table: 0 where the key is present).
    func find(_ keys: Column, count n: Int, into ids: UnsafeMutableBufferPointer<Int32>) {
        // rows whose filter bit is set, then their lookups with the slot of a later row prefetched
        let shape = self.shape
        var candidates = [Int32](repeating: 0, count: n)
        var m = 0
        keys.ints.withUnsafeBufferPointer { x in
            keys.validity.withUnsafeBufferPointerOrNil { v in
                let ahead = 4 * intKeyPrefetchDistance
                for i in 0..<n {
                    if i &+ ahead < n { shape.prefetchFilter(RegionShape.hash(x[i &+ ahead])) }
                    ids[i] = -1
                    var pass = shape.filterHas(RegionShape.hash(x[i]))
                    if let v { pass &= Int(v[i]) }
                    candidates[m] = Int32(truncatingIfNeeded: i)
                    m &+= pass
                }
            }
        }
        let ahead = intKeyPrefetchDistance
        if shape.slotWords == 1 {
            let holdsEmptyKey = holdsEmptyKey
            keys.ints.withUnsafeBufferPointer { x in
                candidates.withUnsafeBufferPointer { c in
                    for j in 0..<m {
                        if j &+ ahead < m { shape.prefetchSlot(RegionShape.hash(x[Int(c[j &+ ahead])])) }
                        let i = Int(c[j])
                        let k = x[i]
                        let present =
                            k == RegionShape.empty
                            ? holdsEmptyKey : shape.slots[shape.keySlot(of: k, hash: RegionShape.hash(k))] == k
                        if present { ids[i] = 0 }
                    }
                }
            }
            return
        }
        keys.ints.withUnsafeBufferPointer { x in
            bases.withUnsafeBufferPointer { bases in
                candidates.withUnsafeBufferPointer { c in
                    for j in 0..<m {
                        if j &+ ahead < m { shape.prefetchSlot(RegionShape.hash(x[Int(c[j &+ ahead])])) }
                        let i = Int(c[j])
                        let h = RegionShape.hash(x[i])
                        let s = shape.slot(of: x[i], hash: h)
                        let g = shape.slots[2 &* s &+ 1]
                        if g != 0 { ids[i] = bases[shape.region(h)] &+ Int32(truncatingIfNeeded: g &- 1) }
                    }
                }
            }
        }
    }
}

/// The slots and bit filter of a `RegionKeyTable` and their geometry: `capacity` slots of two
/// words (key, local id + 1; 0 = empty), or of one word (the key; `empty` = free) for a keys-only
/// table, in `2^regionBits` regions, `filterWords` words of filter.
/// A key's hash `h` gives its region (top `regionBits` bits), its home slot (`h >> shift`, inside
/// its region) and its filter bit (`h >> filterShift`, inside its region's words). The build fills
/// it region by region (`fill`); the table probes it (`slot`).
private struct RegionShape: @unchecked Sendable {
    let capacity: Int
    let regionBits: Int
    let filterWords: Int
    let slots: UnsafeMutablePointer<Int64>
    let filter: UnsafeMutablePointer<UInt64>
    let shift: UInt64
    let filterShift: UInt64
    /// Slots per region - 1.
    let regionMask: Int
    /// Words a slot: 2 (key, local id + 1) or 1 (the key alone, keys-only).
    let slotWords: Int
    /// A free one-word slot.
    static let empty = Int64.min

    /// Allocates the slots and the filter (uninitialised: `fill` / `fillKeys` clears each region's
    /// part).
    init(capacity: Int, regionBits: Int, filterWords: Int, slotWords: Int) {
        self.capacity = capacity
        self.regionBits = regionBits
        self.filterWords = filterWords
        self.slotWords = slotWords
        slots = .allocate(capacity: slotWords * capacity)
        filter = .allocate(capacity: filterWords)
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        filterShift = UInt64(64 - (filterWords * 64).trailingZeroBitCount)
        regionMask = (capacity >> regionBits) - 1
    }

    func deallocate() {
        slots.deallocate()
        filter.deallocate()
    }

    /// The multiply-shift hash of a key (its top bits are used).
    @inline(__always) static func hash(_ key: Int64) -> UInt64 { UInt64(bitPattern: key) &* goldenRatio64 }

    /// The region of hash `h`.
    @inline(__always) func region(_ h: UInt64) -> Int { Int(truncatingIfNeeded: h >> UInt64(64 - regionBits)) }

    /// The slot holding `key` (of hash `h`), or the empty slot of its region where it belongs.
    @inline(__always) func slot(of key: Int64, hash h: UInt64) -> Int {
        var s = Int(truncatingIfNeeded: h >> shift)
        while slots[2 &* s &+ 1] != 0 && slots[2 &* s] != key { s = (s & ~regionMask) | ((s &+ 1) & regionMask) }
        return s
    }

    /// One-word slots: the slot holding `key` (of hash `h`, not `empty`), or the free slot of its
    /// region where it belongs.
    @inline(__always) func keySlot(of key: Int64, hash h: UInt64) -> Int {
        var s = Int(truncatingIfNeeded: h >> shift)
        while slots[s] != Self.empty && slots[s] != key { s = (s & ~regionMask) | ((s &+ 1) & regionMask) }
        return s
    }

    /// Sets every word of region `r`'s slots to `word` (0: two-word slots; `empty`: one-word slots)
    /// and clears its filter words; returns its slots.
    private func clear(region r: Int, slotsTo word: Int64) -> Int {
        let size = regionMask + 1
        (slots + slotWords * r * size).initialize(repeating: word, count: slotWords * size)
        let wordsPer = filterWords >> regionBits
        (filter + r * wordsPer).initialize(repeating: 0, count: wordsPer)
        return size
    }

    /// Sets the filter bit of hash `h` (the build of the region holding it).
    @inline(__always) private func setFilterBit(_ h: UInt64) {
        let b = Int(truncatingIfNeeded: h >> filterShift)
        filter[b >> 6] |= 1 << UInt64(b & 63)
    }

    /// 1 when the filter bit of hash `h` is set, else 0.
    @inline(__always) func filterHas(_ h: UInt64) -> Int {
        let b = Int(truncatingIfNeeded: h >> filterShift)
        return Int(truncatingIfNeeded: filter[b >> 6] >> UInt64(b & 63)) & 1
    }

    @inline(__always) func prefetchSlot(_ h: UInt64) {
        kuai_prefetch(slots + slotWords &* Int(truncatingIfNeeded: h >> shift))
    }
    @inline(__always) func prefetchFilter(_ h: UInt64) {
        kuai_prefetch(filter + Int(truncatingIfNeeded: h >> (filterShift &+ 6)))
    }

    /// Zeroes region `r`'s slots and filter words, then adds the keys `keys[range]` (the region's
    /// rows, in build order) to it: their local ids go to `ids[range]`. Returns the region's
    /// distinct keys, or -1 when they would fill more than 7/8 of its slots.
    func fill(
        region r: Int, keys: UnsafeMutablePointer<Int64>, _ range: Range<Int>, ids: UnsafeMutableBufferPointer<Int32>
    ) -> Int {
        let size = clear(region: r, slotsTo: 0)
        let most = size - size / 8
        var count: Int64 = 0
        let ahead = intKeyPrefetchDistance
        for j in range {
            if j &+ ahead < range.upperBound { prefetchSlot(Self.hash(keys[j &+ ahead])) }
            let k = keys[j]
            let h = Self.hash(k)
            let s = slot(of: k, hash: h)
            if slots[2 &* s &+ 1] == 0 {
                if count >= most { return -1 }
                count &+= 1
                slots[2 &* s] = k
                slots[2 &* s &+ 1] = count
                setFilterBit(h)
            }
            ids[j] = Int32(truncatingIfNeeded: slots[2 &* s &+ 1] &- 1)
        }
        return Int(count)
    }

    /// One-word slots: clears region `r`'s slots and filter words, then adds the keys
    /// `keys[range]` (the region's rows) to it. Returns the region's distinct keys, or -1 when they
    /// would fill more than 7/8 of its slots, and whether the key `empty` is among them (it takes
    /// no slot).
    func fillKeys(region r: Int, keys: UnsafeMutablePointer<Int64>, _ range: Range<Int>) -> (Int, Bool) {
        let size = clear(region: r, slotsTo: Self.empty)
        let most = size - size / 8
        var count = 0
        var holdsEmpty = false
        let ahead = intKeyPrefetchDistance
        for j in range {
            if j &+ ahead < range.upperBound { prefetchSlot(Self.hash(keys[j &+ ahead])) }
            let k = keys[j]
            let h = Self.hash(k)
            if k == Self.empty {
                if !holdsEmpty { count &+= 1 }
                holdsEmpty = true
                setFilterBit(h)
                continue
            }
            let s = keySlot(of: k, hash: h)
            if slots[s] == Self.empty {
                if count >= most { return (-1, false) }
                count &+= 1
                slots[s] = k
                setFilterBit(h)
            }
        }
        return (count, holdsEmpty)
    }
}

/// The valid rows of a key column grouped by region (the top `regionBits` bits of the key's
/// hash), stable within a region: region r's keys and row numbers are at `start[r]..<start[r + 1]`.
/// Counted and scattered on `threads` threads, each over its own run of rows.
private final class RegionPartition: @unchecked Sendable {
    /// The keys in region order (freed by `releaseKeys`).
    let keys: UnsafeMutablePointer<Int64>
    private var released = false
    /// The row number of each key (empty when built without them).
    let rows: [Int32]
    let start: [Int]

    /// - Parameter withRows: also keep each key's row number (a keys-only table needs none).
    init(_ column: Column, count n: Int, regionBits: Int, threads: Int, withRows: Bool = true) {
        let regions = 1 << regionBits
        let chunks = max(1, min(threads * 4, n >> 14))
        let rshift = UInt64(64 - regionBits)
        func chunkRange(_ c: Int) -> Range<Int> { (c * n / chunks)..<((c + 1) * n / chunks) }
        @inline(__always) func region(_ key: Int64) -> Int { Int(truncatingIfNeeded: RegionShape.hash(key) >> rshift) }
        // counts[c * regions + r]: rows of chunk c in region r; then where chunk c writes them
        var counts = [Int](repeating: 0, count: chunks * regions)
        column.ints.withUnsafeBufferPointer { x in
            column.validity.withUnsafeBufferPointerOrNil { v in
                counts.withUnsafeMutableBufferPointer { cnt in
                    let cnt = UncheckedBox(cnt)
                    PartitionedKeyMerge.forEachPartition(chunks, threads: threads) { c in
                        let at = c * regions
                        for i in chunkRange(c) where v.map({ $0[i] != 0 }) ?? true {
                            cnt.value[at + region(x[i])] += 1
                        }
                    }
                }
            }
        }
        let start = counts.withUnsafeMutableBufferPointer { scatterOffsets($0, chunks: chunks, buckets: regions) }
        let next = start[regions]
        let keys = UnsafeMutablePointer<Int64>.allocate(capacity: max(1, next))
        let rows = [Int32](unsafeUninitializedCapacity: withRows ? next : 0) { rows, filled in
            let out = UncheckedBox((keys, rows))
            column.ints.withUnsafeBufferPointer { x in
                column.validity.withUnsafeBufferPointerOrNil { v in
                    counts.withUnsafeBufferPointer { cnt in
                        PartitionedKeyMerge.forEachPartition(chunks, threads: threads) { c in
                            var cursor = Array(cnt[(c * regions)..<((c + 1) * regions)])
                            cursor.withUnsafeMutableBufferPointer { cur in
                                for i in chunkRange(c) where v.map({ $0[i] != 0 }) ?? true {
                                    let r = region(x[i])
                                    let to = cur[r]
                                    out.value.0[to] = x[i]
                                    if withRows { out.value.1[to] = Int32(truncatingIfNeeded: i) }
                                    cur[r] = to &+ 1
                                }
                            }
                        }
                    }
                }
            }
            filled = withRows ? next : 0
        }
        self.keys = keys
        self.rows = rows
        self.start = start
    }

    /// Frees the grouped keys (once the regions are built).
    func releaseKeys() {
        if !released { keys.deallocate() }
        released = true
    }

    deinit { releaseKeys() }
}
