import CPrefetch
import KuaiCore

/// The `GroupKeyTable` of one integer-stored key (BIGINT, INTEGER, DATE, TIMESTAMP, BOOLEAN, ...);
/// NULL is a key of its own. Two layouts, both behind `IntKeySlots` so that each gets its own
/// specialised row loop:
/// - direct: the group of key k is `array[k - base] - 1` (0 = none yet): no hashing, 4 bytes per
///   key value. The table starts direct over [0, 4096) (hour of day, flags, small codes); a hashed
///   table switches to direct when it grows while the array over its key span is no larger than
///   the hash table would be (KuaiLive's dense ids). A key outside the array widens it while the
///   keys stay that dense, else the table hashes (for good once it had switched by growth).
/// - hashed: open addressing, slots of (key, id + 1), multiply-shift hash, linear probing,
///   power-of-two capacity, load <= 1/2 (3/4 when built once to be probed), grown before each
///   chunk of 4096 rows.
final class IntKeyTable: GroupKeyTable {
    let keyTypes: [DataType]
    let interner = StringInterner()
    /// Rows per chunk: the hashed layout makes room for a whole chunk before its loop.
    static let chunk = 4096
    /// A direct array of at most this many slots (256 KiB, within a core's L2 cache) is taken for
    /// any keys whose span it holds (`enterDirect`).
    static let smallSpan = 1 << 16
    /// The span of the direct array the table starts with: keys 0 ..< 4096.
    static let initialSpan = 4096

    private var groups = IntGroups()
    /// The direct layout, or nil when hashed.
    private var direct: DirectSlots?
    /// The hashed layout (nil while direct).
    private var hashed: HashedSlots?
    /// True once the table entered the direct layout by growth beyond `smallSpan` slots (leaving
    /// it then is for good).
    private var directByGrowth = false
    private var directRejected = false
    /// The run starts `keyRuns` found (reused from chunk to chunk).
    private var runStarts: [Int32] = []
    /// The most groups announced by `reserve` (the hashed layout is sized for them).
    private var reserved = 0

    /// The most keys per 4 slots of the hashed layout: 2 (load <= 1/2) for tables that grow
    /// while rows arrive; 3 (load <= 3/4, half the slot memory at most sizes) for a table built
    /// once and then only probed, such as a join's build side.
    private let keysPerFourSlots: Int

    /// - Parameters:
    ///   - keyType: any integer-stored type, or `.null` (every key NULL).
    ///   - denseLoad: hashed layout at load <= 3/4 instead of 1/2.
    init(keyType: DataType, denseLoad: Bool = false) {
        keyTypes = [keyType]
        keysPerFourSlots = denseLoad ? 3 : 2
        direct = DirectSlots(base: 0, size: Self.initialSpan)
    }

    /// The hashed layout's slot count (a power of two, at least 1024) for `keys` keys.
    private func hashedCapacity(for keys: Int) -> Int {
        var capacity = 1024
        while !fits(keys, capacity) { capacity *= 2 }
        return capacity
    }

    /// True when `keys` keys fit `capacity` hashed slots at this table's load.
    @inline(__always)
    private func fits(_ keys: Int, _ capacity: Int) -> Bool { keys * 4 <= capacity * keysPerFourSlots }

    deinit {
        direct?.deallocate()
        hashed?.deallocate()
    }

    var count: Int { groups.count }
    var layout: GroupKeyLayout { direct != nil ? .intDirect : .intHashed }

    func reserve(_ n: Int) {
        reserved = max(reserved, n)
        if direct == nil { growHashed(toHold: n) }
    }

    func findOrInsert(_ keys: [Column], rowCount n: Int, into ids: UnsafeMutableBufferPointer<Int32>) {
        let col = keys[0]
        if n == 0 { return }
        if col.type == .null {
            let id = groups.nullId()
            for i in 0..<n { ids[i] = id }
            return
        }
        col.ints.withUnsafeBufferPointer { xs in
            if let valid = col.validity {
                valid.withUnsafeBufferPointer { insert(xs, ValidBytes(valid: $0.baseAddress!), n, ids) }
            } else {
                insert(xs, NoNulls(), n, ids)
            }
        }
    }

    func find(
        _ keys: [Column], rowCount n: Int, nullsMatch: Bool, into ids: UnsafeMutableBufferPointer<Int32>,
        interner: StringInterner
    ) {
        let col = keys[0]
        let nullId = nullsMatch ? groups.nullGroup : -1
        if col.type == .null {
            for i in 0..<n { ids[i] = nullId }
            return
        }
        col.ints.withUnsafeBufferPointer { xs in
            if let valid = col.validity {
                valid.withUnsafeBufferPointer { lookUp(xs, ValidBytes(valid: $0.baseAddress!), n, nullId, ids) }
            } else {
                lookUp(xs, NoNulls(), n, nullId, ids)
            }
        }
    }

    /// `find` (NULLs not matching) of the rows `rows` of `key` only, each valid: `ids[i]` for
    /// each listed row `i`; the other entries of `ids` are left as they are.
    func find(_ key: Column, rows: UnsafeBufferPointer<Int32>, into ids: UnsafeMutableBufferPointer<Int32>) {
        key.ints.withUnsafeBufferPointer { xs in
            if let d = direct {
                findListedRows(d, xs, rows, ids)
            } else {
                findListedRows(hashed!, xs, rows, ids)
            }
        }
    }

    func keyColumns() -> [Column] {
        var validity: [UInt8]? = nil
        if groups.nullGroup >= 0 || keyTypes[0] == .null {
            var v = [UInt8](repeating: keyTypes[0] == .null ? 0 : 1, count: count)
            if groups.nullGroup >= 0 { v[Int(groups.nullGroup)] = 0 }
            validity = v
        }
        return [Column(type: keyTypes[0], ints: groups.keys, validity: validity)]
    }

    // MARK: row loops

    private func lookUp<V: RowValidity>(
        _ xs: UnsafeBufferPointer<Int64>, _ validity: V, _ n: Int, _ nullId: Int32,
        _ ids: UnsafeMutableBufferPointer<Int32>
    ) {
        if let d = direct {
            findRows(d, xs, validity, n, nullId, ids)
        } else {
            findRows(hashed!, xs, validity, n, nullId, ids)
        }
    }

    /// Gives each of the `n` rows of `xs` its group id (new keys get the next id), chunk by chunk;
    /// a chunk whose keys come in runs looks each run up once (`keyRuns`).
    private func insert<V: RowValidity>(
        _ xs: UnsafeBufferPointer<Int64>, _ validity: V, _ n: Int, _ ids: UnsafeMutableBufferPointer<Int32>
    ) {
        // The groups live in a local while rows are added (no exclusivity check per row).
        var g = IntGroups()
        swap(&g, &groups)
        defer { swap(&g, &groups) }
        var i = 0
        while i < n {
            let end = min(n, i + Self.chunk)
            if V.self == NoNulls.self, keyRuns(xs, i..<end) {
                // rows in runs of one key: each run's first row is looked up, the others copy its id
                var r = 0
                let starts = runStarts
                while r < starts.count {
                    let s = Int(starts[r])
                    let e = r + 1 < starts.count ? Int(starts[r + 1]) : end
                    insertRange(xs, validity, s..<s + 1, ids, &g, upcoming: n - s)
                    let id = ids[s]
                    for j in s + 1..<e { ids[j] = id }
                    r += 1
                }
                i = end
                continue
            }
            insertRange(xs, validity, i..<end, ids, &g, upcoming: n - i)
            i = end
        }
    }

    /// Rows `range` through the current layout, changing the layout (direct array widened or
    /// left, hashed slots grown) whenever a key does not fit; `upcoming` rows remain in the batch.
    @inline(__always)
    private func insertRange<V: RowValidity>(
        _ xs: UnsafeBufferPointer<Int64>, _ validity: V, _ range: Range<Int>, _ ids: UnsafeMutableBufferPointer<Int32>,
        _ g: inout IntGroups, upcoming: Int
    ) {
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            if let d = direct {
                i = insertRows(d, xs, validity, i..<end, ids, &g)
                if i < end { makeRoom(for: xs[i], upcoming: upcoming - (i - range.lowerBound), g) }
                continue
            }
            if !fits(g.count + end - i, hashed!.capacity) {
                if g.count >= 256 && g.keyMin <= g.keyMax && enterDirect(lo: g.keyMin, hi: g.keyMax, end - i, g) {
                    continue
                }
                growHashed(toHold: g.count + end - i)
            }
            i = insertRows(hashed!, xs, validity, i..<end, ids, &g)
        }
    }

    /// Run starts of the keys in `range` (into `runStarts`), when the keys come in runs of one key
    /// at least `GroupRuns.minimumAverageLength` rows long on average (time-ordered rows grouped
    /// by hour or day, ids of a table written in id order); false otherwise. The first 256 rows
    /// decide for unclustered keys (`GroupRuns.runStarts`).
    private func keyRuns(_ xs: UnsafeBufferPointer<Int64>, _ range: Range<Int>) -> Bool {
        range.count >= 256 && GroupRuns.runStarts(xs, range, decidedWithin: 256, into: &runStarts)
    }

    // MARK: layout changes

    /// A key outside the direct array arrived: widens the array when the keys stay dense, else
    /// moves to the hashed layout.
    private func makeRoom(for key: Int64, upcoming: Int, _ g: IntGroups) {
        if enterDirect(lo: min(g.keyMin, key), hi: max(g.keyMax, key), upcoming, g) { return }
        leaveDirect(g)
    }

    /// Moves the table into the direct layout for keys spanning [lo, hi] with room for
    /// `upcoming` more groups. False (nothing changed) when the keys are too sparse: an array
    /// (4 bytes per key value) of more than `smallSpan` slots must not be larger than the hash
    /// table the keys would need (16-byte slots at load <= 1/2, rounded up to a power of two).
    /// One of at most `smallSpan` slots is always taken, however few the groups (DuckDB's perfect
    /// hash aggregate over a small key range): days of a decade, months, minutes of a day.
    private func enterDirect(lo: Int64, hi: Int64, _ upcoming: Int, _ g: IntGroups) -> Bool {
        if directRejected { return false }
        let span = hi.subtractingReportingOverflow(lo)
        guard !span.overflow, span.partialValue >= 0, span.partialValue < Int64(Int32.max / 2) else { return false }
        let range = Int(span.partialValue) + 1
        // slack on both sides for keys just outside the current span
        let slack = max(1024, range / 8)
        let small = range + 2 * slack <= Self.smallSpan
        if !small {
            let hashSlots = hashedCapacity(for: g.count + upcoming)
            guard g.count >= 256, range <= 4 * hashSlots else { return false }
        }
        let base = lo.subtractingReportingOverflow(Int64(slack))
        if base.overflow { return false }
        let d = DirectSlots(base: base.partialValue, size: range + 2 * slack)
        for id in 0..<g.count where Int32(id) != g.nullGroup { d.set(d.slot(g.keys[id]), g.keys[id], Int32(id)) }
        direct?.deallocate()
        direct = d
        hashed?.deallocate()
        hashed = nil
        // a small array is taken as the initial one is: leaving it is not for good
        if !small { directByGrowth = true }
        return true
    }

    /// Leaves the direct layout: hashes every key.
    private func leaveDirect(_ g: IntGroups) {
        direct?.deallocate()
        direct = nil
        directRejected = directByGrowth
        let h = HashedSlots(capacity: hashedCapacity(for: max(g.count + Self.chunk, reserved)))
        for id in 0..<g.count where Int32(id) != g.nullGroup { h.set(h.slot(g.keys[id]), g.keys[id], Int32(id)) }
        hashed = h
    }

    /// Grows the hashed layout (from nothing: 1024 slots) until `groups` keys fit at the table's load.
    private func growHashed(toHold groups: Int) {
        var h = hashed ?? HashedSlots(capacity: 1024)
        while !fits(groups, h.capacity) {
            MemoryGuard.noteAllocation(h.capacity * 32)
            let bigger = HashedSlots(capacity: h.capacity * 2)
            for s in 0..<h.capacity where h.group(s) != 0 {
                bigger.set(bigger.slot(h.key(s)), h.key(s), h.group(s) - 1)
            }
            h.deallocate()
            h = bigger
        }
        hashed = h
    }
}

/// The groups of an `IntKeyTable`: each group's key in id order (0 for the NULL group), the NULL
/// group's id (-1: none yet) and the range of the non-NULL keys.
struct IntGroups {
    var keys: [Int64] = []
    var nullGroup: Int32 = -1
    var keyMin = Int64.max
    var keyMax = Int64.min
    var count: Int { keys.count }

    /// Adds the group of `key`; returns its id.
    @inline(__always)
    mutating func add(_ key: Int64) -> Int32 {
        let id = Int32(truncatingIfNeeded: keys.count)
        keys.append(key)
        if key < keyMin { keyMin = key }
        if key > keyMax { keyMax = key }
        return id
    }

    /// The id of the NULL group, added on first use.
    @inline(__always)
    mutating func nullId() -> Int32 {
        if nullGroup < 0 {
            nullGroup = Int32(truncatingIfNeeded: keys.count)
            keys.append(0)
        }
        return nullGroup
    }
}

/// Where a layout of `IntKeyTable` keeps the group of each key.
protocol IntKeySlots {
    /// The slot of `key`: the one holding it or the empty one where it belongs; -1 when the
    /// layout cannot hold the key (outside a direct array).
    func slot(_ key: Int64) -> Int
    /// The group id + 1 in `slot` (0 = empty).
    func group(_ slot: Int) -> Int32
    /// Puts `key` with group `id` into the empty `slot`.
    func set(_ slot: Int, _ key: Int64, _ id: Int32)
    /// Starts loading the cache line where `key`'s probe begins (a hint; no effect on results).
    func prefetch(_ key: Int64)
    /// False when the layout fits the core's cache, where the row loops leave prefetching out
    /// (a prefetch per row then only costs instructions).
    var worthPrefetching: Bool { get }
}

/// Bytes of slots up to which an `IntKeySlots` layout is taken to stay in the core's cache (L2 of
/// 1 to 2 MiB per core on the machines kuai targets) and is not prefetched.
let intKeyCachedBytes = 256 << 10

/// Rows ahead of the current one whose slots `insertRows` and `findRows` prefetch: far enough for
/// a memory load to arrive (a probe costs a few ns once in cache), near enough to stay cached.
let intKeyPrefetchDistance = 16

/// The direct layout: group id + 1 of key k at `array[k - base]`, for k in [base, base + size).
struct DirectSlots: IntKeySlots {
    let array: UnsafeMutablePointer<Int32>
    let base: Int64
    let size: Int

    /// A zeroed array of `size` entries.
    init(base: Int64, size: Int) {
        self.base = base
        self.size = size
        MemoryGuard.noteAllocation(size * 4)
        array = .allocate(capacity: size)
        array.initialize(repeating: 0, count: size)
    }
    func deallocate() { array.deallocate() }

    @inline(__always) func slot(_ key: Int64) -> Int {
        let s = UInt64(bitPattern: key &- base)
        return s < UInt64(size) ? Int(truncatingIfNeeded: s) : -1
    }
    @inline(__always) func group(_ slot: Int) -> Int32 { array[slot] }
    @inline(__always) func set(_ slot: Int, _ key: Int64, _ id: Int32) { array[slot] = id + 1 }
    var worthPrefetching: Bool { size * 4 > intKeyCachedBytes }
    @inline(__always) func prefetch(_ key: Int64) {
        let s = slot(key)
        if s >= 0 { kuai_prefetch(array + s) }
    }
}

/// The hashed layout: `capacity` slots of (key, id + 1) words, multiply-shift hash of the key
/// (top bits of key * golden ratio), linear probing.
struct HashedSlots: IntKeySlots {
    let words: UnsafeMutablePointer<Int64>
    let capacity: Int
    let shift: UInt64

    /// `capacity` empty slots (a power of two).
    init(capacity: Int) {
        self.capacity = capacity
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        words = .allocate(capacity: 2 * capacity)
        words.initialize(repeating: 0, count: 2 * capacity)
    }
    func deallocate() { words.deallocate() }

    @inline(__always) func slot(_ key: Int64) -> Int {
        let mask = capacity &- 1
        var s = Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* goldenRatio64) >> shift)
        while words[2 &* s &+ 1] != 0 && words[2 &* s] != key { s = (s &+ 1) & mask }
        return s
    }
    @inline(__always) func group(_ slot: Int) -> Int32 { Int32(truncatingIfNeeded: words[2 &* slot &+ 1]) }
    var worthPrefetching: Bool { capacity * 16 > intKeyCachedBytes }
    @inline(__always) func key(_ slot: Int) -> Int64 { words[2 &* slot] }
    @inline(__always) func prefetch(_ key: Int64) {
        kuai_prefetch(words + 2 &* Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* goldenRatio64) >> shift))
    }
    @inline(__always) func set(_ slot: Int, _ key: Int64, _ id: Int32) {
        words[2 &* slot] = key
        words[2 &* slot &+ 1] = Int64(id) &+ 1
    }
}

/// Adds rows `range` of `xs` to the groups through `slots` (ids into `ids`); returns the first
/// row not done: the end of the range, or a row whose key the layout cannot hold.
@inline(__always)
func insertRows<S: IntKeySlots, V: RowValidity>(
    _ slots: S, _ xs: UnsafeBufferPointer<Int64>, _ validity: V, _ range: Range<Int>,
    _ ids: UnsafeMutableBufferPointer<Int32>, _ groups: inout IntGroups
) -> Int {
    // one loop with prefetching, one without (constant-folded into each copy)
    if slots.worthPrefetching { return insertRows(slots, xs, validity, range, ids, &groups, prefetching: true) }
    return insertRows(slots, xs, validity, range, ids, &groups, prefetching: false)
}

@inline(__always)
private func insertRows<S: IntKeySlots, V: RowValidity>(
    _ slots: S, _ xs: UnsafeBufferPointer<Int64>, _ validity: V, _ range: Range<Int>,
    _ ids: UnsafeMutableBufferPointer<Int32>, _ groups: inout IntGroups, prefetching: Bool
) -> Int {
    var i = range.lowerBound
    let ahead = prefetching ? range.upperBound &- intKeyPrefetchDistance : Int.min
    while i < range.upperBound {
        if prefetching && i < ahead { slots.prefetch(xs[i &+ intKeyPrefetchDistance]) }
        if !validity.isValid(i) {
            ids[i] = groups.nullId()
            i &+= 1
            continue
        }
        let k = xs[i]
        let s = slots.slot(k)
        if s < 0 { return i }
        let g = slots.group(s)
        if g != 0 {
            ids[i] = g &- 1
        } else {
            let id = groups.add(k)
            slots.set(s, k, id)
            ids[i] = id
        }
        i &+= 1
    }
    return i
}

/// `findRows` of the listed rows `rows` (valid keys) only, the slot of a later row prefetched.
@inline(__always)
func findListedRows<S: IntKeySlots>(
    _ slots: S, _ xs: UnsafeBufferPointer<Int64>, _ rows: UnsafeBufferPointer<Int32>,
    _ ids: UnsafeMutableBufferPointer<Int32>
) {
    let m = rows.count
    for j in 0..<m {
        let ahead = j &+ intKeyPrefetchDistance
        if ahead < m { slots.prefetch(xs[Int(rows[ahead])]) }
        let i = Int(rows[j])
        let s = slots.slot(xs[i])
        ids[i] = s < 0 ? -1 : slots.group(s) &- 1
    }
}

/// The group id of each of `n` rows (-1: absent; a NULL row gets `nullId`).
func findRows<S: IntKeySlots, V: RowValidity>(
    _ slots: S, _ xs: UnsafeBufferPointer<Int64>, _ validity: V, _ n: Int, _ nullId: Int32,
    _ ids: UnsafeMutableBufferPointer<Int32>
) {
    if slots.worthPrefetching {
        findRows(slots, xs, validity, n, nullId, ids, prefetching: true)
    } else {
        findRows(slots, xs, validity, n, nullId, ids, prefetching: false)
    }
}

@inline(__always)
private func findRows<S: IntKeySlots, V: RowValidity>(
    _ slots: S, _ xs: UnsafeBufferPointer<Int64>, _ validity: V, _ n: Int, _ nullId: Int32,
    _ ids: UnsafeMutableBufferPointer<Int32>, prefetching: Bool
) {
    for i in 0..<n {
        // rows that are not looked up (NULL, or ruled out by a join's `KeyBitFilter`) are not prefetched
        let ahead = i &+ intKeyPrefetchDistance
        if prefetching && ahead < n && validity.isValid(ahead) { slots.prefetch(xs[ahead]) }
        if !validity.isValid(i) {
            ids[i] = nullId
            continue
        }
        let s = slots.slot(xs[i])
        ids[i] = s < 0 ? -1 : slots.group(s) &- 1
    }
}
