import CPrefetch
import KuaiCore

#if canImport(Glibc)
    import Glibc
#endif

/// The `GroupKeyTable` of 2-6 integer-stored / VARCHAR keys: while their values span small ranges,
/// the keys of a row are packed into one Int64 (`PackedFields`: per column a field
/// `value - base + 1` of a few bits, 0 = NULL, chosen from the values seen so far with slack on
/// both sides). Packed keys map to ids through a direct array (when the packed range is small
/// enough for the groups seen), else through `PackedWordSlots` (packed key and id in one hashed
/// word) while the key leaves enough bits for the ids, else an `IntKeyTable`. A batch whose
/// values leave a field's range re-chooses the fields from all values seen and rebuilds the index
/// from the stored keys (ids unchanged). When the fields no longer fit 63 bits, the word slots
/// run out of id bits, or the inner table hashes more than 65536 keys, the groups move to a
/// `GeneralKeyTable`, which serves every later call.
final class PackedKeyTable: GroupKeyTable {
    /// The key counts this layout takes.
    static let keyCounts = 2...6
    /// Groups past which a hashed inner table gives way to the general layout.
    static let hashedLimit = 1 << 16
    let keyTypes: [DataType]
    let interner = StringInterner()
    private var packedCount = 0
    private let store: RowKeyStore
    private var fields: PackedFields
    /// 2^fields.totalBits entries (calloc): id + 1 of each packed key, 0 = none.
    private var direct: UnsafeMutablePointer<Int32>?
    /// The index of packed keys when there is no direct array and the key leaves room for ids.
    private var wordSlots: PackedWordSlots?
    /// The index of packed keys when there is neither a direct array nor word slots.
    private var inner: IntKeyTable?
    /// Set once the keys no longer pack: every call goes there.
    private var general: GeneralKeyTable?
    /// Keys announced by `reserve`: an inner table is made that large (while packing may go on).
    private var reservedKeys = 0

    init(keyTypes: [DataType]) {
        precondition(Self.keyCounts.contains(keyTypes.count) && !keyTypes.contains(.double))
        self.keyTypes = keyTypes
        store = RowKeyStore(keyColumns: keyTypes.count)
        fields = PackedFields(columns: keyTypes.count)
    }

    deinit {
        direct?.deallocate()
        wordSlots?.deallocate()
    }

    var count: Int { general?.count ?? packedCount }
    var layout: GroupKeyLayout { general?.layout ?? (direct != nil ? .packedDirect : .packedHashed) }

    func growthBytes(adding n: Int) -> Int {
        if let general { return general.growthBytes(adding: n) }
        return store.growthBytes(toHold: packedCount + n) + (wordSlots?.growthBytes(toHold: packedCount + n) ?? 0)
    }

    func reserve(_ n: Int) {
        if let general { return general.reserve(n) }
        reservedKeys = max(reservedKeys, n)
        store.reserve(n, used: packedCount)
        if let w = wordSlots, n <= w.maxGroups { wordSlots = w.grown(toHold: n) }
    }

    func findOrInsert(_ keys: [Column], rowCount n: Int, into ids: UnsafeMutableBufferPointer<Int32>) {
        if n == 0 { return }
        if general == nil {
            if insertPacked(keys, n, ids) {
                // Many groups hashed by the inner table cost more memory traffic than the
                // general layout: keep packing only while small or directly indexed.
                if packedCount > Self.hashedLimit, let inner, inner.layout != .intDirect { moveToGeneral() }
                return
            }
            moveToGeneral()
        }
        general!.findOrInsert(keys, rowCount: n, into: ids)
    }

    func find(
        _ keys: [Column], rowCount n: Int, nullsMatch: Bool, into ids: UnsafeMutableBufferPointer<Int32>,
        interner: StringInterner
    ) {
        if let general { return general.find(keys, rowCount: n, nullsMatch: nullsMatch, into: ids, interner: interner) }
        if n == 0 { return }
        if !fields.laidOut {
            for i in 0..<n { ids[i] = -1 }
            return
        }
        var packed = [Int64](repeating: 0, count: n)
        Self.withColumnWords(keys, n, insert: false, interner: interner) { words, nulls, unknown in
            // rows with a value outside its field (or a NULL when NULLs do not match, or an
            // unknown string) were never inserted: marked unknown
            packed.withUnsafeMutableBufferPointer { pk in
                lookUpPacked(keys.count, n, nullsMatch, words, nulls, unknown, pk, ids)
            }
        }
    }

    /// `find` of packed keys: the packed key of each row (`pk`) and its id through the index;
    /// -1 for rows marked `unknown` and rows whose values lie outside the fields.
    private func lookUpPacked(
        _ k: Int, _ n: Int, _ nullsMatch: Bool, _ words: UnsafeMutableBufferPointer<UInt64>,
        _ nulls: UnsafeMutableBufferPointer<UInt8>, _ unknown: UnsafeMutableBufferPointer<UInt8>,
        _ pk: UnsafeMutableBufferPointer<Int64>, _ ids: UnsafeMutableBufferPointer<Int32>
    ) {
        for c in 0..<k {
            let (b, sh, limit) = (fields.base[c], fields.shift[c], fields.limit[c])
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
        if let d = direct {
            for i in 0..<n { ids[i] = unknown[i] != 0 ? -1 : d[Int(pk[i])] - 1 }
            return
        }
        if let w = wordSlots {
            for i in 0..<n {
                if i &+ 16 < n { w.prefetch(pk[i &+ 16]) }
                ids[i] = unknown[i] != 0 ? -1 : w.probe(pk[i]).group
            }
            return
        }
        inner!.find([Column(type: .bigint, ints: Array(pk))], rowCount: n, nullsMatch: false, into: ids)
        for i in 0..<n where unknown[i] != 0 { ids[i] = -1 }
    }

    func keyColumns() -> [Column] {
        general?.keyColumns() ?? store.keyColumns(keyTypes, count: packedCount, dictionary: interner.target)
    }

    // MARK: inserting packed keys

    /// findOrInsert while packing; false (nothing done) when the keys cannot be packed any more.
    private func insertPacked(_ keys: [Column], _ n: Int, _ ids: UnsafeMutableBufferPointer<Int32>) -> Bool {
        let k = keys.count
        if keys.allSatisfy({ $0.validity == nil && $0.type != .varchar && $0.type != .null }) {
            // integer-stored columns without NULLs: read the values in place (no word copies)
            let zeros = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
            zeros.initialize(repeating: 0, count: n)
            defer { zeros.deallocate() }
            return Self.withIntPointers(keys[...], []) { ptrs in
                let batch = PackedBatchWords(
                    words: ptrs, nulls: [UnsafePointer<UInt8>](repeating: UnsafePointer(zeros), count: k),
                    noNulls: [Bool](repeating: true, count: k))
                return insertPacked(batch, n, ids)
            }
        }
        return Self.withColumnWords(keys, n, insert: true, interner: interner) { words, nulls, _ in
            let w = UnsafePointer(words.baseAddress!)
            let nl = UnsafePointer(nulls.baseAddress!)
            let batch = PackedBatchWords(
                words: (0..<k).map { w + $0 * n }, nulls: (0..<k).map { nl + $0 * n },
                noNulls: keys.map { $0.validity == nil && $0.type != .null })
            return insertPacked(batch, n, ids)
        }
    }

    /// findOrInsert of one batch's key words while packing (see `insertPacked(_:_:_:)`).
    private func insertPacked(_ batch: PackedBatchWords, _ n: Int, _ ids: UnsafeMutableBufferPointer<Int32>) -> Bool {
        guard relayout(batch, n) else { return false }
        let packed = UnsafeMutableBufferPointer<Int64>.allocate(capacity: n)
        defer { packed.deallocate() }
        pack(batch, n, into: packed)
        store.reserve(packedCount + n, used: packedCount)
        if let d = direct {
            var c = packedCount
            for i in 0..<n {
                if i &+ 16 < n { kuai_prefetch(d + Int(packed[i &+ 16])) }
                let slot = Int(packed[i])
                let g = d[slot]
                if g != 0 {
                    ids[i] = g - 1
                    continue
                }
                d[slot] = Int32(c + 1)
                ids[i] = Int32(c)
                batch.store(i, into: store.row(c))
                c += 1
            }
            packedCount = c
            return true
        }
        if wordSlots != nil { return insertWords(batch, n, packed, ids) }
        // The inner table gives ids in first-appearance order too, so they are this table's ids;
        // its new groups appear in id order: store their keys.
        let inner = inner!
        let before = inner.count
        inner.findOrInsert([Column(type: .bigint, ints: Array(packed))], rowCount: n, into: ids)
        var next = Int32(before)
        for i in 0..<n where ids[i] == next {
            batch.store(i, into: store.row(packedCount))
            packedCount += 1
            next += 1
        }
        return true
    }

    /// The word-slot part of `insertPacked`: false (nothing done) when the ids would outgrow
    /// the words' id bits.
    private func insertWords(
        _ batch: PackedBatchWords, _ n: Int, _ packed: UnsafeMutableBufferPointer<Int64>,
        _ ids: UnsafeMutableBufferPointer<Int32>
    ) -> Bool {
        guard packedCount + n <= wordSlots!.maxGroups else { return false }
        let w = wordSlots!.grown(toHold: packedCount + n)
        wordSlots = w
        var c = packedCount
        for i in 0..<n {
            if i &+ 16 < n { w.prefetch(packed[i &+ 16]) }
            let key = packed[i]
            let (s, g) = w.probe(key)
            if g >= 0 {
                ids[i] = g
                continue
            }
            w.set(s, key, c)
            ids[i] = Int32(c)
            batch.store(i, into: store.row(c))
            c += 1
        }
        packedCount = c
        return true
    }

    /// Widens the value ranges by the batch's; re-chooses the fields (and rebuilds the index)
    /// when a value leaves them, and moves to a direct array once one is worth it. False when
    /// the fields no longer fit 63 bits.
    private func relayout(_ batch: PackedBatchWords, _ n: Int) -> Bool {
        var fits = true
        for c in 0..<keyTypes.count {
            let (lo, hi) = batch.range(c, n)
            if lo > hi { continue }
            let holds = fields.see(c, lo: lo, hi: hi)
            fits = fits && holds
        }
        if !fits || !fields.laidOut {
            if !fields.choose() { return false }
            rebuildIndex(upcoming: n)
        } else if direct == nil && fields.directAllowed(groups: packedCount + n) {
            rebuildIndex(upcoming: n)
        }
        return true
    }

    /// The packed key of each of `n` rows (every non-NULL value is within its field).
    private func pack(_ batch: PackedBatchWords, _ n: Int, into pk: UnsafeMutableBufferPointer<Int64>) {
        for c in 0..<keyTypes.count {
            let wc = batch.words[c]
            let nc = batch.nulls[c]
            let b = fields.base[c]
            let sh = fields.shift[c]
            // the field of row i (0 for NULL), shifted into place: set by the first column, or-ed
            // in by the others
            @inline(__always) func place(_ field: (Int) -> UInt64) {
                if c == 0 {
                    for i in 0..<n { pk[i] = Int64(bitPattern: field(i) << sh) }
                } else {
                    for i in 0..<n { pk[i] |= Int64(bitPattern: field(i) << sh) }
                }
            }
            if batch.noNulls[c] {
                // no NULL test: one vectorisable subtract, add and shift a row
                place { i in UInt64(bitPattern: Int64(bitPattern: wc[i]) &- b) &+ 1 }
            } else {
                place { i in nc[i] != 0 ? 0 : UInt64(bitPattern: Int64(bitPattern: wc[i]) &- b) &+ 1 }
            }
        }
    }

    /// Rebuilds the index of packed keys (direct array or inner table) from the stored keys,
    /// for the current fields and `packedCount + upcoming` groups. Ids are unchanged.
    private func rebuildIndex(upcoming: Int) {
        if let d = direct { d.deallocate() }
        direct = nil
        inner = nil
        wordSlots?.deallocate()
        wordSlots = nil
        if fields.directAllowed(groups: packedCount + upcoming) {
            let size = 1 << fields.totalBits
            // Zeroed by writing, not calloc: calloc's fresh pages map the shared zero page on the
            // first lookup and take a copy-on-write fault (with a TLB flush on every core) on the
            // first insert; written pages fault once, cheaply.
            let d = UnsafeMutablePointer<Int32>.allocate(capacity: size)
            d.initialize(repeating: 0, count: size)
            for g in 0..<packedCount { d[Int(fields.pack(store.row(g)))] = Int32(g + 1) }
            direct = d
            return
        }
        let groups = max(packedCount + upcoming, reservedKeys)
        if fields.totalBits <= 64 - PackedWordSlots.minimumIdBits
            && groups < 1 << (64 - fields.totalBits) - 1
        {
            let w = PackedWordSlots(keyBits: fields.totalBits, groups: groups)
            for g in 0..<packedCount {
                let key = fields.pack(store.row(g))
                w.set(w.probe(key).slot, key, g)
            }
            wordSlots = w
            return
        }
        let table = IntKeyTable(keyType: .bigint)
        table.reserve(max(packedCount + upcoming, min(reservedKeys, Self.hashedLimit)))
        if packedCount > 0 {
            let keys = (0..<packedCount).map { fields.pack(store.row($0)) }
            var tmp = [Int32](repeating: 0, count: packedCount)
            tmp.withUnsafeMutableBufferPointer {
                table.findOrInsert([Column(type: .bigint, ints: keys)], rowCount: packedCount, into: $0)
            }
        }
        inner = table
    }

    /// Leaves packing for good: the stored keys go to a `GeneralKeyTable` (same ids).
    private func moveToGeneral() {
        general = GeneralKeyTable(keyTypes: keyTypes, interner: interner, store: store, count: packedCount)
        if let d = direct { d.deallocate() }
        direct = nil
        inner = nil
        wordSlots?.deallocate()
        wordSlots = nil
    }

    /// Calls `body` with the column-major key words of a batch (`words[c * n + i]`, NULL = word 0
    /// and `nulls` byte 1) and the rows whose VARCHAR key the table lacks (`unknown`, lookups), in
    /// scratch buffers freed afterwards.
    private static func withColumnWords<R>(
        _ keys: [Column], _ n: Int, insert: Bool, interner: StringInterner,
        _ body: (
            UnsafeMutableBufferPointer<UInt64>, UnsafeMutableBufferPointer<UInt8>, UnsafeMutableBufferPointer<UInt8>
        )
            -> R
    ) -> R {
        let words = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: keys.count * n)
        let nulls = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: keys.count * n)
        let unknown = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: n)
        defer {
            words.deallocate()
            nulls.deallocate()
            unknown.deallocate()
        }
        unknown.initialize(repeating: 0)
        for c in 0..<keys.count {
            keyWords(
                keys[c], interner: interner, insert: insert,
                words: UnsafeMutableBufferPointer(rebasing: words[c * n..<(c + 1) * n]),
                nulls: UnsafeMutableBufferPointer(rebasing: nulls[c * n..<(c + 1) * n]), unknown: unknown)
        }
        return body(words, nulls, unknown)
    }

    /// Calls `body` with the value pointers of integer-stored `cols` (as key words).
    private static func withIntPointers<R>(
        _ cols: ArraySlice<Column>, _ acc: [UnsafePointer<UInt64>], _ body: ([UnsafePointer<UInt64>]) -> R
    ) -> R {
        guard let first = cols.first else { return body(acc) }
        return first.ints.withUnsafeBufferPointer { b in
            let p = UnsafeRawPointer(b.baseAddress ?? UnsafePointer(bitPattern: 8)!).assumingMemoryBound(
                to: UInt64.self)
            return withIntPointers(cols.dropFirst(), acc + [p], body)
        }
    }
}
