import KuaiCore

#if canImport(Glibc)
    import Glibc
#endif

/// Maps multi-column keys to dense group ids 0, 1, 2, ... in order of first appearance
/// (the hash table of hash aggregate, DISTINCT and join builds).
///
/// NULL is an ordinary key value here (GROUP BY puts all NULLs in one group); `find` decides
/// whether NULL keys match. DOUBLE keys compare with -0.0 = 0.0 and NaN = NaN. VARCHAR keys
/// compare by string value: codes of any dictionary are interned into the table's own
/// dictionary once per distinct code (`StringInterner`), so rows hash codes, not strings.
///
/// Layouts (open addressing, power-of-two capacity, linear probing, load <= 1/2):
/// - one integer-stored key: slots of (key, id + 1), multiply-shift hash; NULL has its own id.
/// - one VARCHAR key: a dense array interned code -> id (no hashing at all).
/// - otherwise: per-column key words (`keyWords`), combined hash, slots of
///   (high 32 hash bits, id + 1); keys compared column by column on a hash-tag match.
///
/// Not thread-safe: use one table per thread and merge by inserting `keyColumns()`.
public final class GroupKeyTable {
    /// The key types, as passed to `init`.
    public let keyTypes: [DataType]
    /// Number of distinct keys (= next group id).
    public private(set) var count: Int = 0

    private enum Mode { case int, string, general }
    private let mode: Mode
    private let interner = StringInterner()

    // .int mode
    private var intSlots: UnsafeMutablePointer<Int64>  // 2 * capacity: key, id + 1 (0 = empty)
    private var intCapacity: Int = 0
    private var intShift: UInt64 = 0
    private var intKeys: [Int64] = []
    private var nullGroup: Int32 = -1
    private var keyMin = Int64.max, keyMax = Int64.min  // over non-NULL keys
    private var direct: UnsafeMutablePointer<Int32>? = nil
    private var directMin: Int64 = 0
    private var directSize = 0
    private var directRejected = false

    // .string mode
    private var groupOfCode: [Int32] = []

    // .general mode
    private var slots: UnsafeMutablePointer<UInt64>  // capacity: (hash >> 32) << 32 | (id + 1)
    private var capacity: Int = 0
    private let stride: Int  // key columns + 1 (NULL mask word)
    /// Packed sub-mode of `.general` for 2-6 integer-stored / VARCHAR keys whose values span small
    /// ranges: each key becomes a field `value - base + 1` (0 = NULL) of `bits` bits, chosen from
    /// the values seen so far with slack on both sides, and the fields side by side form one
    /// Int64 key. Packed keys map to ids through a direct array (when the packed range is small
    /// enough for the groups seen) or an inner single-key table. A batch whose values leave a
    /// field's range re-chooses the layout from all values seen and rebuilds the index from the
    /// stored keys (ids unchanged); when the fields no longer fit 63 bits, or the inner table
    /// hashes more than 65536 keys, the table leaves the packed sub-mode for good.
    private var packing = false
    private var packLo: [Int64] = []  // per key column: smallest non-NULL value seen
    private var packHi: [Int64] = []  // largest (lo > hi: none seen yet)
    private var packBase: [Int64] = []  // field = value - base + 1
    private var packLimit: [UInt64] = []  // largest allowed value - base: 2^bits - 2
    private var packShift: [UInt64] = []
    private var packTotalBits = 0
    private var packLaidOut = false
    private var packDirect: UnsafeMutablePointer<Int32>? = nil  // 2^packTotalBits entries: id + 1, 0 = none
    private var packInner: GroupKeyTable? = nil
    /// Widest packed key (bits) indexed by a direct array (zeroed lazily by the OS: calloc).
    static let packDirectMaxBits = 24
    private var keyStore: UnsafeMutablePointer<UInt64>  // stride words per group
    private var keyStoreGroups = 0

    /// - Parameter keyTypes: one entry per key column (may be empty: then every row is group 0).
    public init(keyTypes: [DataType]) {
        self.keyTypes = keyTypes
        if keyTypes.count == 1 && keyTypes[0] == .varchar {
            mode = .string
        } else if keyTypes.count == 1 && keyTypes[0] != .double {
            mode = .int
        } else {
            mode = .general
        }
        precondition(keyTypes.count < 64, "GroupKeyTable: at most 63 key columns")
        stride = keyTypes.count + 1
        keyStore = .allocate(capacity: 1)
        intCapacity = mode == .int ? 1024 : 0
        intShift = 64 - 10
        intSlots = .allocate(capacity: max(2 * intCapacity, 1))
        intSlots.initialize(repeating: 0, count: max(2 * intCapacity, 1))
        capacity = mode == .general ? 1024 : 0
        slots = .allocate(capacity: max(capacity, 1))
        slots.initialize(repeating: 0, count: max(capacity, 1))
        if mode == .general && (2...6).contains(keyTypes.count) && !keyTypes.contains(.double) {
            packing = true
            packLo = [Int64](repeating: .max, count: keyTypes.count)
            packHi = [Int64](repeating: .min, count: keyTypes.count)
        }
    }

    deinit {
        intSlots.deallocate()
        slots.deallocate()
        keyStore.deallocate()
        direct?.deallocate()
        if let d = packDirect { free(d) }
    }

    // MARK: int mode

    @inline(__always)
    private func intSlot(_ key: Int64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* goldenRatio64) >> intShift)
    }

    private func growInt() {
        let newCap = intCapacity * 2
        let newSlots = UnsafeMutablePointer<Int64>.allocate(capacity: 2 * newCap)
        newSlots.initialize(repeating: 0, count: 2 * newCap)
        let oldSlots = intSlots
        let oldCap = intCapacity
        intSlots = newSlots
        intCapacity = newCap
        intShift -= 1
        let mask = newCap - 1
        for s in 0..<oldCap where oldSlots[2 * s + 1] != 0 {
            let k = oldSlots[2 * s]
            var i = intSlot(k)
            while newSlots[2 * i + 1] != 0 { i = (i + 1) & mask }
            newSlots[2 * i] = k
            newSlots[2 * i + 1] = oldSlots[2 * s + 1]
        }
        oldSlots.deallocate()
    }

    // Direct mode (one integer key whose values are dense, e.g. KuaiLive's ids): the group of
    // key k is direct[k - directMin] - 1 (0 = none yet); no hashing, 4 bytes per key value.
    // The table starts hashed and switches when it grows while the array over its key span
    // is no larger than the hash table would be; a key far outside the span switches it back.

    /// Tries to move the int-mode table into direct mode for keys spanning [lo, hi] with room for
    /// `upcoming` more groups. Returns false (and changes nothing) when the keys are too sparse.
    private func tryDirect(lo: Int64, hi: Int64, upcoming: Int) -> Bool {
        if directRejected { return false }
        let span = hi.subtractingReportingOverflow(lo)
        guard !span.overflow, span.partialValue >= 0, span.partialValue < Int64(Int32.max / 2) else { return false }
        let range = Int(span.partialValue) + 1
        // The direct array (4 bytes per key value) must not be larger than the hash table the
        // keys would need (16-byte slots at load <= 1/2, rounded up to a power of two).
        let groups = count + upcoming
        var hashSlots = 1024
        while hashSlots < 2 * groups { hashSlots *= 2 }
        guard count >= 256, range <= 4 * hashSlots else { return false }
        // slack on both sides for keys just outside the current span
        let slack = max(1024, range / 8)
        let newMin = lo.subtractingReportingOverflow(Int64(slack))
        if newMin.overflow { return false }
        let size = range + 2 * slack
        let d = UnsafeMutablePointer<Int32>.allocate(capacity: size)
        d.initialize(repeating: 0, count: size)
        for g in 0..<intKeys.count where Int32(g) != nullGroup {
            d[Int(intKeys[g] &- newMin.partialValue)] = Int32(g + 1)
        }
        // copy existing groups; keys of the current direct table (if any) are in intKeys too
        direct?.deallocate()
        direct = d
        directMin = newMin.partialValue
        directSize = size
        if intCapacity > 0 {
            intSlots.deallocate()
            intSlots = .allocate(capacity: 1)
            intSlots.initialize(to: 0)
            intCapacity = 0
        }
        return true
    }

    /// Leaves direct mode: rebuilds the hash slots from the keys.
    private func leaveDirect() {
        direct?.deallocate()
        direct = nil
        directSize = 0
        directRejected = true
        var cap = 1024
        while cap < 2 * (count + 4096) { cap *= 2 }
        intSlots.deallocate()
        intSlots = .allocate(capacity: 2 * cap)
        intSlots.initialize(repeating: 0, count: 2 * cap)
        intCapacity = cap
        intShift = UInt64(64 - cap.trailingZeroBitCount)
        let mask = cap - 1
        for g in 0..<intKeys.count where Int32(g) != nullGroup {
            let k = intKeys[g]
            var i = intSlot(k)
            while intSlots[2 * i + 1] != 0 { i = (i + 1) & mask }
            intSlots[2 * i] = k
            intSlots[2 * i + 1] = Int64(g + 1)
        }
    }

    private func intFindOrInsert(_ col: Column, rowCount n: Int, into ids: UnsafeMutableBufferPointer<Int32>) {
        let allNull = col.type == .null
        var keys = intKeys
        intKeys = []
        defer { intKeys = keys }
        col.ints.withUnsafeBufferPointer { xs in
            col.validity.withUnsafeBufferPointerOrNil { valid in
                var i = 0
                while i < n {
                    let chunk = min(n - i, 4096)
                    let end = i + chunk
                    if let d = direct {
                        // direct mode: keys inside [directMin, directMin + directSize)
                        let lo = directMin
                        let size = UInt64(directSize)
                        var c = count
                        while i < end {
                            if allNull || (valid != nil && valid![i] == 0) {
                                if nullGroup < 0 {
                                    nullGroup = Int32(c)
                                    c += 1
                                    keys.append(0)
                                }
                                ids[i] = nullGroup
                                i += 1
                                continue
                            }
                            let k = xs[i]
                            let slot = UInt64(bitPattern: k &- lo)
                            if slot >= size { break }  // outside: widen or leave direct mode below
                            let g = d[Int(slot)]
                            if g != 0 {
                                ids[i] = g - 1
                            } else {
                                d[Int(slot)] = Int32(c + 1)
                                ids[i] = Int32(c)
                                c += 1
                                keys.append(k)
                                if k < keyMin { keyMin = k }
                                if k > keyMax { keyMax = k }
                            }
                            i += 1
                        }
                        count = c
                        if i < end {
                            let k = xs[i]
                            intKeys = keys
                            if !tryDirect(lo: min(keyMin, k), hi: max(keyMax, k), upcoming: n - i) { leaveDirect() }
                            keys = intKeys
                            intKeys = []
                        }
                        continue
                    }
                    // hash mode: grow before a chunk so the chunk cannot overflow the load factor
                    if (count + chunk) * 2 > intCapacity {
                        intKeys = keys
                        let switched =
                            count >= 256 && keyMin <= keyMax && tryDirect(lo: keyMin, hi: keyMax, upcoming: chunk)
                        if !switched { while (count + chunk) * 2 > intCapacity { growInt() } }
                        keys = intKeys
                        intKeys = []
                        if switched { continue }
                    }
                    let slots = intSlots
                    let mask = intCapacity - 1
                    let shift = intShift
                    var c = count
                    var kmin = keyMin
                    var kmax = keyMax
                    while i < end {
                        if allNull || (valid != nil && valid![i] == 0) {
                            if nullGroup < 0 {
                                nullGroup = Int32(c)
                                c += 1
                                keys.append(0)
                            }
                            ids[i] = nullGroup
                            i += 1
                            continue
                        }
                        let k = xs[i]
                        var s = Int(truncatingIfNeeded: (UInt64(bitPattern: k) &* goldenRatio64) >> shift)
                        while true {
                            let id = slots[2 * s + 1]
                            if id == 0 {
                                slots[2 * s] = k
                                slots[2 * s + 1] = Int64(c + 1)
                                ids[i] = Int32(c)
                                c += 1
                                keys.append(k)
                                if k < kmin { kmin = k }
                                if k > kmax { kmax = k }
                                break
                            }
                            if slots[2 * s] == k {
                                ids[i] = Int32(id - 1)
                                break
                            }
                            s = (s + 1) & mask
                        }
                        i += 1
                    }
                    count = c
                    keyMin = kmin
                    keyMax = kmax
                }
            }
        }
    }

    private func intFind(_ col: Column, rowCount n: Int, nullsMatch: Bool, into ids: UnsafeMutableBufferPointer<Int32>)
    {
        let allNull = col.type == .null
        let slots = intSlots
        let mask = intCapacity - 1
        col.ints.withUnsafeBufferPointer { xs in
            col.validity.withUnsafeBufferPointerOrNil { valid in
                if let d = direct {
                    let lo = directMin
                    let size = UInt64(directSize)
                    for i in 0..<n {
                        if allNull || (valid != nil && valid![i] == 0) {
                            ids[i] = nullsMatch ? nullGroup : -1
                            continue
                        }
                        let slot = UInt64(bitPattern: xs[i] &- lo)
                        ids[i] = slot < size ? d[Int(slot)] - 1 : -1
                    }
                    return
                }
                for i in 0..<n {
                    if allNull || (valid != nil && valid![i] == 0) {
                        ids[i] = nullsMatch ? nullGroup : -1
                        continue
                    }
                    let k = xs[i]
                    var s = intSlot(k)
                    var result: Int32 = -1
                    while true {
                        let id = slots[2 * s + 1]
                        if id == 0 { break }
                        if slots[2 * s] == k {
                            result = Int32(id - 1)
                            break
                        }
                        s = (s + 1) & mask
                    }
                    ids[i] = result
                }
            }
        }
    }

    // MARK: string mode

    private func stringFindOrInsert(_ col: Column, rowCount n: Int, into ids: UnsafeMutableBufferPointer<Int32>) {
        let tmp = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(n, 1))
        defer { tmp.deallocate() }
        let validity = col.validity
        interner.intern(col, rows: n, into: tmp)
        let dictCount = interner.target.count
        if groupOfCode.count < dictCount {
            groupOfCode.append(contentsOf: repeatElement(-1, count: dictCount - groupOfCode.count))
        }
        groupOfCode.withUnsafeMutableBufferPointer { g in
            for i in 0..<n {
                if validity != nil && validity![i] == 0 {
                    if nullGroup < 0 {
                        nullGroup = Int32(count)
                        count += 1
                        intKeys.append(-1)
                    }
                    ids[i] = nullGroup
                    continue
                }
                let t = Int(tmp[i])
                var id = g[t]
                if id < 0 {
                    id = Int32(count)
                    count += 1
                    g[t] = id
                    intKeys.append(Int64(t))
                }
                ids[i] = id
            }
        }
    }

    private func stringFind(
        _ col: Column, rowCount n: Int, nullsMatch: Bool, into ids: UnsafeMutableBufferPointer<Int32>,
        interner: StringInterner
    ) {
        let tmp = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(n, 1))
        defer { tmp.deallocate() }
        let validity = col.validity
        interner.lookup(col, rows: n, into: tmp)
        groupOfCode.withUnsafeBufferPointer { g in
            for i in 0..<n {
                if validity != nil && validity![i] == 0 {
                    ids[i] = nullsMatch ? nullGroup : -1
                    continue
                }
                let t = Int(tmp[i])
                ids[i] = (t >= 0 && t < g.count) ? g[t] : -1
            }
        }
    }

    // MARK: general mode
    //
    // Keys are stored row-major: group g owns words [g * stride, (g + 1) * stride), one word per
    // key column plus a last word whose bit c is set when column c is NULL.

    private func growGeneral() {
        let newCap = capacity * 2
        let newSlots = UnsafeMutablePointer<UInt64>.allocate(capacity: newCap)
        newSlots.initialize(repeating: 0, count: newCap)
        let mask = newCap - 1
        for s in 0..<capacity where slots[s] != 0 {
            let v = slots[s]
            var i = Int(truncatingIfNeeded: v >> 32) & mask  // the slot comes from the stored hash tag
            while newSlots[i] != 0 { i = (i + 1) & mask }
            newSlots[i] = v
        }
        slots.deallocate()
        slots = newSlots
        capacity = newCap
    }

    private func reserveKeyStore(_ groups: Int) {
        if groups <= keyStoreGroups { return }
        let newGroups = max(groups, keyStoreGroups * 2, 256)
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: newGroups * stride)
        if keyStoreGroups > 0 { p.moveInitialize(from: keyStore, count: count * stride) }
        keyStore.deallocate()
        keyStore = p
        keyStoreGroups = newGroups
    }

    /// Row-major key words of one batch (`n * stride` words) and the combined hash per row.
    /// Rows whose VARCHAR key is unknown to the table (lookup mode) get `unknown[i] = 1`.
    private func prepare(
        _ keys: [Column], rowCount n: Int, insert: Bool, interner: StringInterner,
        rowWords: UnsafeMutablePointer<UInt64>, hashes: UnsafeMutablePointer<UInt64>,
        unknown: UnsafeMutableBufferPointer<UInt8>
    ) {
        let k = keys.count
        let stride = self.stride
        let words = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
        let nulls = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: n)
        defer {
            words.deallocate()
            nulls.deallocate()
        }
        for i in 0..<n {
            rowWords[i * stride + k] = 0
            hashes[i] = 0x1234_5678_9ABC_DEF1
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

    @inline(__always)
    private func keysEqual(group g: Int, row: UnsafeMutablePointer<UInt64>) -> Bool {
        let stored = keyStore + g * stride
        for c in 0..<stride where stored[c] != row[c] { return false }
        return true
    }

    /// Column-major key words of a batch (`words[c * n + i]`, NULL = word 0 and `nulls` byte 1).
    private func columnWords(
        _ keys: [Column], rowCount n: Int, insert: Bool, interner: StringInterner,
        words: UnsafeMutableBufferPointer<UInt64>, nulls: UnsafeMutableBufferPointer<UInt8>,
        unknown: UnsafeMutableBufferPointer<UInt8>
    ) {
        unknown.initialize(repeating: 0)
        for c in 0..<keys.count {
            keyWords(
                keys[c], interner: interner, insert: insert,
                words: UnsafeMutableBufferPointer(rebasing: words[c * n..<(c + 1) * n]),
                nulls: UnsafeMutableBufferPointer(rebasing: nulls[c * n..<(c + 1) * n]), unknown: unknown)
        }
    }

    /// Leaves the packed sub-mode: hashes every stored key into the general slots.
    private func leavePacked() {
        packing = false
        if let d = packDirect { free(d) }
        packDirect = nil
        packInner = nil
        while count * 2 > capacity { growGeneral() }
        let mask = capacity - 1
        for g in 0..<count {
            let row = keyStore + g * stride
            var h: UInt64 = 0x1234_5678_9ABC_DEF1
            for c in 0..<(stride - 1) { h = hashCombine(h, row[c]) }
            h = fmix(hashCombine(h, row[stride - 1]))
            let tag = h >> 32
            var s = Int(truncatingIfNeeded: tag) & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = (tag << 32) | UInt64(g + 1)
        }
    }

    /// Chooses each packed field's base and width for the values in [packLo, packHi] plus slack
    /// (a quarter of the span, at least 16 values) on both sides; widest fields in the low bits.
    /// False (nothing changed) when the fields need more than 63 bits together.
    private func choosePackLayout() -> Bool {
        let k = packLo.count
        var base = [Int64](repeating: 0, count: k)
        var bits = [Int](repeating: 0, count: k)
        for c in 0..<k {
            var lo = packLo[c]
            var hi = packHi[c]
            if lo > hi {
                lo = 0
                hi = 0
            }  // only NULLs so far
            let span = hi.subtractingReportingOverflow(lo)
            if span.overflow || span.partialValue >= 1 << 60 { return false }
            let pad = max(UInt64(span.partialValue) / 4, 16)
            let b = lo.subtractingReportingOverflow(Int64(pad))
            base[c] = b.overflow ? Int64.min : b.partialValue
            // hi >= base, so hi - base is exact as UInt64; the largest field is top + 1
            let top = UInt64(bitPattern: hi &- base[c]) + pad
            bits[c] = 64 - (top + 1).leadingZeroBitCount
        }
        let total = bits.reduce(0, +)
        if total > 63 { return false }
        let order = (0..<k).sorted { bits[$0] != bits[$1] ? bits[$0] > bits[$1] : $0 < $1 }
        var shift = [UInt64](repeating: 0, count: k)
        var at = 0
        for c in order {
            shift[c] = UInt64(at)
            at += bits[c]
        }
        packBase = base
        packLimit = bits.map { (UInt64(1) << UInt64($0)) &- 2 }
        packShift = shift
        packTotalBits = total
        packLaidOut = true
        return true
    }

    /// Whether a direct array of 2^packTotalBits entries is worth it for `groups` groups: always
    /// up to 2^16 entries, otherwise up to 2^packDirectMaxBits and at most 64 entries per group.
    private func packDirectAllowed(groups: Int) -> Bool {
        if packTotalBits <= 16 { return true }
        return packTotalBits <= GroupKeyTable.packDirectMaxBits && (1 << packTotalBits) <= 64 * groups
    }

    /// Smallest and largest of `n` signed words (lo > hi when n == 0); four independent
    /// accumulators so the compare chains overlap.
    private static func range(_ w: UnsafePointer<UInt64>, _ n: Int) -> (Int64, Int64) {
        var lo0 = Int64.max
        var lo1 = Int64.max
        var lo2 = Int64.max
        var lo3 = Int64.max
        var hi0 = Int64.min
        var hi1 = Int64.min
        var hi2 = Int64.min
        var hi3 = Int64.min
        var i = 0
        while i + 4 <= n {
            let a = Int64(bitPattern: w[i])
            let b = Int64(bitPattern: w[i + 1])
            let c = Int64(bitPattern: w[i + 2])
            let d = Int64(bitPattern: w[i + 3])
            lo0 = min(lo0, a)
            hi0 = max(hi0, a)
            lo1 = min(lo1, b)
            hi1 = max(hi1, b)
            lo2 = min(lo2, c)
            hi2 = max(hi2, c)
            lo3 = min(lo3, d)
            hi3 = max(hi3, d)
            i += 4
        }
        while i < n {
            let a = Int64(bitPattern: w[i])
            lo0 = min(lo0, a)
            hi0 = max(hi0, a)
            i += 1
        }
        return (min(min(lo0, lo1), min(lo2, lo3)), max(max(hi0, hi1), max(hi2, hi3)))
    }

    /// `range` over the rows whose NULL byte is 0.
    private static func range(_ w: UnsafePointer<UInt64>, _ nulls: UnsafePointer<UInt8>, _ n: Int) -> (Int64, Int64) {
        var lo0 = Int64.max
        var lo1 = Int64.max
        var hi0 = Int64.min
        var hi1 = Int64.min
        var i = 0
        while i + 2 <= n {
            let a = Int64(bitPattern: w[i])
            let b = Int64(bitPattern: w[i + 1])
            let an = nulls[i] != 0
            let bn = nulls[i + 1] != 0
            lo0 = min(lo0, an ? .max : a)
            hi0 = max(hi0, an ? .min : a)
            lo1 = min(lo1, bn ? .max : b)
            hi1 = max(hi1, bn ? .min : b)
            i += 2
        }
        if i < n && nulls[i] == 0 {
            let a = Int64(bitPattern: w[i])
            lo0 = min(lo0, a)
            hi0 = max(hi0, a)
        }
        return (min(lo0, lo1), max(hi0, hi1))
    }

    /// The packed key of stored group `g` under the current layout (its values fit).
    @inline(__always)
    private func packStoredKey(_ g: Int) -> Int64 {
        let row = keyStore + g * stride
        let k = stride - 1
        let mask = row[k]
        var key: UInt64 = 0
        for c in 0..<k where mask & (1 << UInt64(c)) == 0 {
            key |= (UInt64(bitPattern: Int64(bitPattern: row[c]) &- packBase[c]) &+ 1) << packShift[c]
        }
        return Int64(bitPattern: key)
    }

    /// Rebuilds the packed index (direct array or inner table) from the stored keys, for the
    /// current layout and `count + upcoming` groups. Ids are unchanged.
    private func rebuildPackIndex(upcoming: Int) {
        if let d = packDirect { free(d) }
        packDirect = nil
        packInner = nil
        if packDirectAllowed(groups: count + upcoming) {
            let size = 1 << packTotalBits
            guard let raw = calloc(size, MemoryLayout<Int32>.stride) else { fatalError("GroupKeyTable: out of memory") }
            let d = raw.bindMemory(to: Int32.self, capacity: size)
            for g in 0..<count { d[Int(packStoredKey(g))] = Int32(g + 1) }
            packDirect = d
            return
        }
        let inner = GroupKeyTable(keyTypes: [.bigint])
        if count > 0 {
            inner.reserve(count + upcoming)
            let ks = (0..<count).map { packStoredKey($0) }
            var tmp = [Int32](repeating: 0, count: count)
            tmp.withUnsafeMutableBufferPointer {
                inner.findOrInsert([Column(type: .bigint, ints: ks)], rowCount: count, into: $0)
            }
        }
        packInner = inner
    }

    /// findOrInsert in the packed sub-mode; false (nothing done) when the keys cannot be packed
    /// any more (then the caller leaves the sub-mode).
    private func packedFindOrInsert(_ keys: [Column], rowCount n: Int, into ids: UnsafeMutableBufferPointer<Int32>)
        -> Bool
    {
        let k = keys.count
        if keys.allSatisfy({ $0.validity == nil && $0.type != .varchar && $0.type != .null && $0.type != .double }) {
            // integer-stored columns without NULLs: read the values in place (no word copies)
            let zeros = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
            zeros.initialize(repeating: 0, count: n)
            defer { zeros.deallocate() }
            return GroupKeyTable.withIntPointers(keys[...], []) { ptrs in
                packedFindOrInsert(
                    k, rowCount: n, words: ptrs,
                    nulls: [UnsafePointer<UInt8>](repeating: UnsafePointer(zeros), count: k),
                    noNulls: [Bool](repeating: true, count: k), into: ids)
            }
        }
        let words = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: k * n)
        let nulls = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: k * n)
        let unknown = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: n)
        defer {
            words.deallocate()
            nulls.deallocate()
            unknown.deallocate()
        }
        columnWords(keys, rowCount: n, insert: true, interner: interner, words: words, nulls: nulls, unknown: unknown)
        let w = UnsafePointer(words.baseAddress!)
        let nl = UnsafePointer(nulls.baseAddress!)
        return packedFindOrInsert(
            k, rowCount: n, words: (0..<k).map { w + $0 * n }, nulls: (0..<k).map { nl + $0 * n },
            noNulls: keys.map { $0.validity == nil && $0.type != .null }, into: ids)
    }

    /// Calls `body` with the value pointers of integer-stored `cols` (as key words).
    private static func withIntPointers<R>(
        _ cols: ArraySlice<Column>, _ acc: [UnsafePointer<UInt64>],
        _ body: ([UnsafePointer<UInt64>]) -> R
    ) -> R {
        guard let first = cols.first else { return body(acc) }
        return first.ints.withUnsafeBufferPointer { b in
            let p = UnsafeRawPointer(b.baseAddress ?? UnsafePointer(bitPattern: 8)!).assumingMemoryBound(
                to: UInt64.self)
            return withIntPointers(cols.dropFirst(), acc + [p], body)
        }
    }

    /// findOrInsert in the packed sub-mode over key words `words[c][i]` and NULL bytes
    /// `nulls[c][i]` (`noNulls[c]`: column c has none).
    private func packedFindOrInsert(
        _ k: Int, rowCount n: Int, words: [UnsafePointer<UInt64>], nulls: [UnsafePointer<UInt8>],
        noNulls: [Bool], into ids: UnsafeMutableBufferPointer<Int32>
    ) -> Bool {
        let packedKeys = UnsafeMutableBufferPointer<Int64>.allocate(capacity: n)
        defer { packedKeys.deallocate() }
        // the batch's value range per column (signed), checked against the layout
        var fits = packLaidOut
        for c in 0..<k {
            let wc = words[c]
            let nc = nulls[c]
            let (lo, hi) = noNulls[c] ? GroupKeyTable.range(wc, n) : GroupKeyTable.range(wc, nc, n)
            if lo > hi { continue }
            if lo < packLo[c] { packLo[c] = lo }
            if hi > packHi[c] { packHi[c] = hi }
            if fits && (lo < packBase[c] || UInt64(bitPattern: hi &- packBase[c]) > packLimit[c]) { fits = false }
        }
        if !fits {
            if !choosePackLayout() { return false }
            rebuildPackIndex(upcoming: n)
        } else if packDirect == nil && packDirectAllowed(groups: count + n) {
            rebuildPackIndex(upcoming: n)
        }
        // pack: every non-NULL value is within its field's range now
        let pk = packedKeys.baseAddress!
        for c in 0..<k {
            let wc = words[c]
            let nc = nulls[c]
            let b = packBase[c]
            let sh = packShift[c]
            if c == 0 {
                for i in 0..<n {
                    let f: UInt64 = nc[i] != 0 ? 0 : UInt64(bitPattern: Int64(bitPattern: wc[i]) &- b) &+ 1
                    pk[i] = Int64(bitPattern: f << sh)
                }
            } else {
                for i in 0..<n {
                    let f: UInt64 = nc[i] != 0 ? 0 : UInt64(bitPattern: Int64(bitPattern: wc[i]) &- b) &+ 1
                    pk[i] |= Int64(bitPattern: f << sh)
                }
            }
        }
        reserveKeyStore(count + n)
        @inline(__always) func store(_ i: Int, as g: Int) {
            let row = keyStore + g * stride
            var mask: UInt64 = 0
            for col in 0..<k {
                row[col] = words[col][i]
                if nulls[col][i] != 0 { mask |= 1 << UInt64(col) }
            }
            row[k] = mask
        }
        if let d = packDirect {
            var c = count
            for i in 0..<n {
                let slot = Int(pk[i])
                let g = d[slot]
                if g != 0 {
                    ids[i] = g - 1
                    continue
                }
                d[slot] = Int32(c + 1)
                ids[i] = Int32(c)
                store(i, as: c)
                c += 1
            }
            count = c
            return true
        }
        let inner = packInner!
        let before = inner.count
        inner.findOrInsert([Column(type: .bigint, ints: Array(packedKeys))], rowCount: n, into: ids)
        if inner.count > before {
            // new groups appear in id order: store their keys
            var next = Int32(before)
            for i in 0..<n where ids[i] == next {
                store(i, as: count)
                count += 1
                next += 1
            }
        }
        return true
    }

    /// find in the packed sub-mode (reads only: safe from several threads with their own interners).
    private func packedFind(
        _ keys: [Column], rowCount n: Int, nullsMatch: Bool, into ids: UnsafeMutableBufferPointer<Int32>,
        interner: StringInterner
    ) {
        if !packLaidOut {
            for i in 0..<n { ids[i] = -1 }
            return
        }
        let k = keys.count
        let words = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: k * n)
        let nulls = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: k * n)
        let unknown = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: n)
        var packedKeys = [Int64](repeating: 0, count: n)
        defer {
            words.deallocate()
            nulls.deallocate()
            unknown.deallocate()
        }
        columnWords(keys, rowCount: n, insert: false, interner: interner, words: words, nulls: nulls, unknown: unknown)
        // rows with a value outside its field's range (or a NULL when NULLs do not match, or an
        // unknown string) were never inserted: mark them unknown
        packedKeys.withUnsafeMutableBufferPointer { pk in
            for c in 0..<k {
                let b = packBase[c]
                let sh = packShift[c]
                let limit = packLimit[c]
                for i in 0..<n {
                    if nulls[c * n + i] != 0 {
                        if !nullsMatch { unknown[i] = 1 }
                        continue
                    }
                    let v = Int64(bitPattern: words[c * n + i])
                    if v < b || UInt64(bitPattern: v &- b) > limit {
                        unknown[i] = 1
                        continue
                    }
                    pk[i] |= Int64(bitPattern: (UInt64(bitPattern: v &- b) &+ 1) << sh)
                }
            }
            if let d = packDirect {
                for i in 0..<n { ids[i] = unknown[i] != 0 ? -1 : d[Int(pk[i])] - 1 }
                return
            }
        }
        if packDirect != nil { return }
        packInner!.find([Column(type: .bigint, ints: packedKeys)], rowCount: n, nullsMatch: false, into: ids)
        for i in 0..<n where unknown[i] != 0 { ids[i] = -1 }
    }

    private func generalFindOrInsert(_ keys: [Column], rowCount n: Int, into ids: UnsafeMutableBufferPointer<Int32>) {
        if packing {
            if packedFindOrInsert(keys, rowCount: n, into: ids) {
                // Many groups hashed by the inner table cost more memory traffic than the
                // general layout: keep packing only while small or directly indexed.
                if count > 1 << 16 && packDirect == nil && !(packInner?.usesDirectIndex ?? false) { leavePacked() }
                return
            }
            leavePacked()
        }
        let stride = self.stride
        let rowWords = UnsafeMutablePointer<UInt64>.allocate(capacity: n * stride)
        let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        let unknown = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: n)
        defer {
            rowWords.deallocate()
            hashes.deallocate()
            unknown.deallocate()
        }
        prepare(
            keys, rowCount: n, insert: true, interner: interner, rowWords: rowWords, hashes: hashes, unknown: unknown)
        var i = 0
        while i < n {
            let chunk = min(n - i, 4096)
            while (count + chunk) * 2 > capacity { growGeneral() }
            reserveKeyStore(count + chunk)
            let slots = self.slots
            let mask = capacity - 1
            let end = i + chunk
            while i < end {
                let tag = hashes[i] >> 32
                let row = rowWords + i * stride
                var s = Int(truncatingIfNeeded: tag) & mask
                while true {
                    let v = slots[s]
                    if v == 0 {
                        let id = count
                        slots[s] = (tag << 32) | UInt64(id + 1)
                        (keyStore + id * stride).initialize(from: row, count: stride)
                        count += 1
                        ids[i] = Int32(id)
                        break
                    }
                    if v >> 32 == tag {
                        let g = Int(v & 0xFFFF_FFFF) - 1
                        if keysEqual(group: g, row: row) {
                            ids[i] = Int32(g)
                            break
                        }
                    }
                    s = (s + 1) & mask
                }
                i += 1
            }
        }
    }

    private func generalFind(
        _ keys: [Column], rowCount n: Int, nullsMatch: Bool, into ids: UnsafeMutableBufferPointer<Int32>,
        interner: StringInterner
    ) {
        if packing {
            packedFind(keys, rowCount: n, nullsMatch: nullsMatch, into: ids, interner: interner)
            return
        }
        let stride = self.stride
        let k = keys.count
        let rowWords = UnsafeMutablePointer<UInt64>.allocate(capacity: n * stride)
        let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        let unknown = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: n)
        defer {
            rowWords.deallocate()
            hashes.deallocate()
            unknown.deallocate()
        }
        prepare(
            keys, rowCount: n, insert: false, interner: interner, rowWords: rowWords, hashes: hashes, unknown: unknown)
        let mask = capacity - 1
        for i in 0..<n {
            ids[i] = -1
            let row = rowWords + i * stride
            if unknown[i] != 0 || (!nullsMatch && row[k] != 0) { continue }
            let tag = hashes[i] >> 32
            var s = Int(truncatingIfNeeded: tag) & mask
            while true {
                let v = slots[s]
                if v == 0 { break }
                if v >> 32 == tag {
                    let g = Int(v & 0xFFFF_FFFF) - 1
                    if keysEqual(group: g, row: row) {
                        ids[i] = Int32(g)
                        break
                    }
                }
                s = (s + 1) & mask
            }
        }
    }

    // MARK: public API

    /// True while the single integer key is indexed directly (tests, EXPLAIN ANALYZE).
    var usesDirectIndex: Bool { direct != nil }
    /// True while multi-column keys are packed into one word (tests).
    var usesPackedKeys: Bool { packing }
    /// True while packed keys are indexed by the direct array (tests).
    var usesPackedDirect: Bool { packDirect != nil }

    /// Sizes the table for `n` distinct keys in all, so inserting them never rehashes.
    public func reserve(_ n: Int) {
        switch mode {
        case .int: if direct == nil { while n * 2 > intCapacity { growInt() } }
        case .general:
            if packing {
                reserveKeyStore(n)
                return
            }
            while n * 2 > capacity { growGeneral() }
            reserveKeyStore(n)
        case .string: break
        }
    }

    /// Writes the group id of each of the first `rowCount` rows of `keys` into `ids`, adding new
    /// keys with the next ids. `keys[c]` must have type `keyTypes[c]` (any integer-stored type
    /// compares by its Int64 value; VARCHAR of any dictionary compares by string).
    /// - Parameters:
    ///   - keys: one column per key, each with at least `rowCount` rows.
    ///   - ids: at least `rowCount` entries.
    public func findOrInsert(_ keys: [Column], rowCount: Int, into ids: UnsafeMutableBufferPointer<Int32>) {
        precondition(keys.count == keyTypes.count, "GroupKeyTable: wrong number of key columns")
        if rowCount == 0 { return }
        switch mode {
        case .int: intFindOrInsert(keys[0], rowCount: rowCount, into: ids)
        case .string: stringFindOrInsert(keys[0], rowCount: rowCount, into: ids)
        case .general:
            if keys.isEmpty {
                if count == 0 { count = 1 }
                for i in 0..<rowCount { ids[i] = 0 }
                return
            }
            generalFindOrInsert(keys, rowCount: rowCount, into: ids)
        }
    }

    /// Writes the group id of each row's key, or -1 when the key is absent. A row with a NULL
    /// in any key column gets -1 unless `nullsMatch` (then NULL equals NULL, as in GROUP BY).
    public func find(_ keys: [Column], rowCount: Int, nullsMatch: Bool, into ids: UnsafeMutableBufferPointer<Int32>) {
        find(keys, rowCount: rowCount, nullsMatch: nullsMatch, into: ids, interner: interner)
    }

    /// A lookup interner over this table's strings, for `find(_:rowCount:nullsMatch:into:interner:)`
    /// from other threads (one interner per thread).
    public func makeLookupInterner() -> StringInterner { StringInterner(target: interner.target) }

    /// `find` with a caller-owned lookup interner (from `makeLookupInterner()`): safe to call from
    /// several threads at once when no thread inserts.
    public func find(
        _ keys: [Column], rowCount: Int, nullsMatch: Bool, into ids: UnsafeMutableBufferPointer<Int32>,
        interner: StringInterner
    ) {
        precondition(keys.count == keyTypes.count, "GroupKeyTable: wrong number of key columns")
        if rowCount == 0 { return }
        switch mode {
        case .int: intFind(keys[0], rowCount: rowCount, nullsMatch: nullsMatch, into: ids)
        case .string: stringFind(keys[0], rowCount: rowCount, nullsMatch: nullsMatch, into: ids, interner: interner)
        case .general:
            if keys.isEmpty {
                for i in 0..<rowCount { ids[i] = count > 0 ? 0 : -1 }
                return
            }
            generalFind(keys, rowCount: rowCount, nullsMatch: nullsMatch, into: ids, interner: interner)
        }
    }

    /// The distinct keys in id order: one column per key of `keyTypes`, `count` rows.
    /// VARCHAR keys point into the table's own dictionary (each string once).
    public func keyColumns() -> [Column] {
        switch mode {
        case .int:
            var validity: [UInt8]? = nil
            if nullGroup >= 0 || keyTypes[0] == .null {
                var v = [UInt8](repeating: 1, count: count)
                if keyTypes[0] == .null { v = [UInt8](repeating: 0, count: count) }
                if nullGroup >= 0 { v[Int(nullGroup)] = 0 }
                validity = v
            }
            return [Column(type: keyTypes[0], ints: intKeys, validity: validity)]
        case .string:
            var validity: [UInt8]? = nil
            if nullGroup >= 0 {
                var v = [UInt8](repeating: 1, count: count)
                v[Int(nullGroup)] = 0
                validity = v
            }
            let codes = intKeys.map { $0 < 0 ? Int32(0) : Int32($0) }
            return [Column(codes: codes, dictionary: interner.target, validity: validity)]
        case .general:
            var out: [Column] = []
            let n = count
            let stride = self.stride
            let k = keyTypes.count
            let ks = keyStore
            for c in 0..<k {
                let bit = UInt64(1) << UInt64(c)
                var anyNull = false
                for g in 0..<n where ks[g * stride + k] & bit != 0 {
                    anyNull = true
                    break
                }
                let validity: [UInt8]? =
                    anyNull
                    ? [UInt8](unsafeUninitializedCapacity: n) { v, len in
                        for g in 0..<n { v[g] = ks[g * stride + k] & bit != 0 ? 0 : 1 }
                        len = n
                    } : nil
                switch keyTypes[c] {
                case .double:
                    let d = [Double](unsafeUninitializedCapacity: n) { v, len in
                        for g in 0..<n { v[g] = Double(bitPattern: ks[g * stride + c]) }
                        len = n
                    }
                    out.append(Column(doubles: d, validity: validity))
                case .varchar:
                    let codes = [Int32](unsafeUninitializedCapacity: n) { v, len in
                        for g in 0..<n { v[g] = Int32(truncatingIfNeeded: ks[g * stride + c]) }
                        len = n
                    }
                    out.append(Column(codes: codes, dictionary: interner.target, validity: validity))
                default:
                    let ints = [Int64](unsafeUninitializedCapacity: n) { v, len in
                        for g in 0..<n { v[g] = Int64(bitPattern: ks[g * stride + c]) }
                        len = n
                    }
                    out.append(Column(type: keyTypes[c], ints: ints, validity: validity))
                }
            }
            return out
        }
    }
}
