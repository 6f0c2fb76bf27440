import KuaiCore

/// The build side of a hash join: the build rows in contiguous columns, a lookup from key to
/// bucket, and the build rows grouped by bucket (CSR: `offsets`, `rows`; build order within a
/// bucket). Rows with a NULL in any key column never match.
///
/// Lookup: several integer-stored keys whose build ranges fit 62 bits together are packed into
/// one BIGINT first (`PackedJoinKeys`), then looked up as a single key. A single integer key whose
/// values span at most 4x the row count (KuaiLive's ids) indexes the buckets directly (bucket =
/// key - min, no hashing); another single integer-stored (or packed) key over at least
/// `RegionKeyTable.minimumRows` build rows goes through a `RegionKeyTable`, built on several
/// threads; other keys go through a `GroupKeyTable` (bucket = key id). Read-only after `init`:
/// probe it from several threads, VARCHAR lookups each with their own interner (handed out by the
/// table).
public final class JoinHashTable: @unchecked Sendable {
    /// Build rows, one column per build-side column, `rowCount` rows each.
    public let columns: [Column]
    public let rowCount: Int
    /// Build-side key columns (indexes into `columns`) and their types.
    public let keys: [Int]
    public let keyTypes: [DataType]
    private let table: (any GroupKeyTable)?
    /// The lookup of a large hashed integer key (then `table` is nil and `isDense` false).
    private let regions: RegionKeyTable?
    private let denseMin: Int64
    /// The layout that packs the keys into one BIGINT (then the lookups see that one key).
    private let packing: PackedJoinKeys?
    /// Before a large hashed lookup on one integer-stored (or packed) key: rows whose key cannot
    /// be in the table are ruled out in cache.
    private let filter: KeyBitFilter?
    private let interners: Mutex = Mutex()
    private var freeInterners: [StringInterner] = []
    /// `rows[offsets[b]..<offsets[b+1]]` are the build rows of bucket `b` (empty when `unique`:
    /// then `uniqueRow` holds them).
    let offsets: [Int32]
    let rows: [Int32]
    /// True when every bucket holds at most one build row.
    let unique: Bool
    /// When `unique`: the build row of each bucket (-1 = empty), so a probe costs one access.
    let uniqueRow: [Int32]
    /// When not `unique` but at least half the build rows are alone in their bucket (a dimension
    /// with a few repeated keys): per bucket its row when it holds exactly one, -1 when empty, -2
    /// when several (then the CSR lists them). A probe of a lone row reads one entry instead of
    /// its offsets and then `rows` (two cache misses on a large build). Empty otherwise.
    let singleRow: [Int32]
    /// True when buckets are key - min of a single integer key.
    public let isDense: Bool
    /// True when some build row has a NULL in a key column (NOT IN's NULL rule needs it).
    public let hasNullKey: Bool
    /// The number of buckets (distinct build keys, or the key span when dense).
    public let bucketCount: Int

    /// Builds the table over `columns` (`count` rows) keyed by the columns at `keys` (may be empty:
    /// then every probe row matches every build row, a cross product), on `threads` threads where
    /// the build is parallel (`RegionKeyTable`).
    /// - Parameter keysOnly: the probes only ask whether a key is present (a semi or anti join
    ///   probed from its left side, without a residual): a hashed lookup then keeps the keys alone,
    ///   the build rows are not grouped by bucket and `columns` is empty; `find` still answers -1
    ///   for an absent key and a bucket (or 0) for a present one.
    /// - Throws: `KuaiError.execution` when the build side exceeds Int32.max rows, or a key holds
    ///   HUGEINT values beyond Int64.
    public init(columns: [Column], count: Int, keys: [Int], threads: Int = 1, keysOnly: Bool = false) throws {
        guard count < Int(Int32.max) else {
            throw KuaiError(.execution, "join build side of \(count) rows is too large")
        }
        for k in keys { try requireNarrow(columns[k], "a join key") }
        self.columns = keysOnly ? [] : columns
        self.rowCount = count
        self.keys = keys
        let keyTypes = keys.map { columns[$0].type == .null ? DataType.bigint : columns[$0].type }
        self.keyTypes = keyTypes
        hasNullKey = keys.contains { k in
            let c = columns[k]
            return c.type == .null ? c.count > 0 : (c.validity?.contains(0) ?? false)
        }
        packing = PackedJoinKeys(keys.map { columns[$0] }, count: count)
        // what the lookup is keyed on: the packed key, or the key columns themselves
        var lookupColumns = columns
        var lookupKeys = keys
        var lookupTypes = keyTypes
        if let packing {
            MemoryGuard.noteAllocation(9 * count)
            lookupColumns = [packing.pack(keys.map { columns[$0] }, count: count, threads: threads)]
            lookupKeys = [0]
            lookupTypes = [.bigint]
        }
        let span = Self.denseSpan(lookupColumns, count, lookupKeys, lookupTypes)
        isDense = span != nil
        // Dense and unique (a dimension table's primary key): bucket -> row in one pass.
        if let span, let u = Self.uniqueDenseRows(lookupColumns[lookupKeys[0]], count, span) {
            table = nil
            regions = nil
            filter = nil
            denseMin = span.lo
            unique = true
            uniqueRow = u
            offsets = []
            rows = []
            singleRow = []
            bucketCount = u.count
            return
        }
        if span == nil,
            let (r, b) = Self.regionTable(lookupColumns, count, lookupKeys, lookupTypes, threads, keysOnly: keysOnly)
        {
            table = nil
            regions = r
            filter = nil
            denseMin = 0
            bucketCount = r.bucketCount
            unique = b.unique
            uniqueRow = b.uniqueRow
            offsets = b.offsets
            rows = b.rows
            singleRow = b.unique || keysOnly ? [] : Self.loneRows(b.offsets, b.rows, r.bucketCount)
            return
        }
        regions = nil
        let ids: [Int32]
        if let span {
            ids = Self.denseBuckets(lookupColumns[lookupKeys[0]], count, span.lo)
            bucketCount = Int(span.hi - span.lo) + 1
            table = nil
            filter = nil
            denseMin = span.lo
        } else {
            let t: any GroupKeyTable
            (ids, t) = Self.hashedBuckets(lookupColumns, count, lookupKeys, lookupTypes)
            bucketCount = t.count
            table = t
            // (an intHashed layout means one integer-stored key column)
            filter =
                t.layout == .intHashed && count >= KeyBitFilter.minimumRows
                    && lookupColumns[lookupKeys[0]].type != .null
                ? KeyBitFilter(lookupColumns[lookupKeys[0]], count: count) : nil
            denseMin = 0
        }
        if keysOnly && !isDense {
            // a hashed key's bucket exists only when some row has its key
            (unique, uniqueRow, offsets, rows, singleRow) = (false, [], [], [], [])
            return
        }
        let grouped = Self.groupRows(ids, bucketCount)
        unique = grouped.unique
        if unique {
            // the CSR is not needed when every bucket has at most one row
            uniqueRow = Self.bucketRows(grouped.offsets, grouped.rows, bucketCount)
            offsets = []
            rows = []
            singleRow = []
        } else {
            uniqueRow = []
            offsets = grouped.offsets
            rows = grouped.rows
            singleRow = Self.loneRows(grouped.offsets, grouped.rows, bucketCount)
        }
    }

    /// The range [lo, hi] of a single integer-stored key whose values span at most 4x the rows
    /// (at least 1024 values): such keys index the buckets directly. nil for other keys.
    private static func denseSpan(_ columns: [Column], _ count: Int, _ keys: [Int], _ keyTypes: [DataType]) -> (
        lo: Int64, hi: Int64
    )? {
        guard keys.count == 1, keyTypes[0] != .double, keyTypes[0] != .varchar, columns[keys[0]].type != .null
        else { return nil }
        let col = columns[keys[0]]
        var lo = Int64.max
        var hi = Int64.min
        col.ints.withUnsafeBufferPointer { x in
            col.validity.withUnsafeBufferPointerOrNil { v in
                for i in 0..<count {
                    if let v, v[i] == 0 { continue }
                    let k = x[i]
                    if k < lo { lo = k }
                    if k > hi { hi = k }
                }
            }
        }
        if lo > hi { return nil }
        let span = hi.subtractingReportingOverflow(lo)
        let dense =
            !span.overflow && span.partialValue < Int64(max(4 * count, 1024))
            && span.partialValue < Int64(Int32.max - 1)
        return dense ? (lo, hi) : nil
    }

    /// A `RegionKeyTable` for a single integer-stored key over at least
    /// `RegionKeyTable.minimumRows` rows, with the rows grouped by bucket; nil for other keys (or
    /// when the region table declines the keys).
    private static func regionTable(
        _ columns: [Column], _ count: Int, _ keys: [Int], _ keyTypes: [DataType], _ threads: Int, keysOnly: Bool
    ) -> (RegionKeyTable, RegionKeyTable.Buckets)? {
        guard keys.count == 1, count >= RegionKeyTable.minimumRows, PackedJoinKeys.packable(keyTypes[0]),
            columns[keys[0]].type != .null
        else { return nil }
        return RegionKeyTable.build(columns[keys[0]], count: count, threads: threads, keysOnly: keysOnly)
    }

    /// For a dense key without repeats: the build row of each bucket (key - lo), -1 where none.
    /// nil when some key repeats.
    private static func uniqueDenseRows(_ col: Column, _ count: Int, _ span: (lo: Int64, hi: Int64)) -> [Int32]? {
        MemoryGuard.noteAllocation(4 * (Int(span.hi - span.lo) + 1))
        var u = [Int32](repeating: -1, count: Int(span.hi - span.lo) + 1)
        var duplicate = false
        col.ints.withUnsafeBufferPointer { x in
            col.validity.withUnsafeBufferPointerOrNil { v in
                u.withUnsafeMutableBufferPointer { ub in
                    for i in 0..<count {
                        if let v, v[i] == 0 { continue }
                        let slot = Int(truncatingIfNeeded: x[i] &- span.lo)
                        if ub[slot] >= 0 {
                            duplicate = true
                            break
                        }
                        ub[slot] = Int32(i)
                    }
                }
            }
        }
        return duplicate ? nil : u
    }

    /// The bucket of each build row of a dense key: key - lo (-1 for a NULL key).
    private static func denseBuckets(_ col: Column, _ count: Int, _ lo: Int64) -> [Int32] {
        MemoryGuard.noteAllocation(4 * count)
        var ids = [Int32](repeating: -1, count: count)
        col.ints.withUnsafeBufferPointer { x in
            col.validity.withUnsafeBufferPointerOrNil { v in
                ids.withUnsafeMutableBufferPointer { idp in
                    for i in 0..<count {
                        if let v, v[i] == 0 { continue }
                        idp[i] = Int32(truncatingIfNeeded: x[i] &- lo)
                    }
                }
            }
        }
        return ids
    }

    /// The bucket of each build row through a `GroupKeyTable` of the keys (inserted in chunks of
    /// 65536 rows), and the table.
    private static func hashedBuckets(_ columns: [Column], _ count: Int, _ keys: [Int], _ keyTypes: [DataType]) -> (
        [Int32], any GroupKeyTable
    ) {
        // a single integer key: slots at load <= 3/4 (built once, then only probed)
        let t =
            keyTypes.count == 1 && PackedJoinKeys.packable(keyTypes[0])
            ? IntKeyTable(keyType: keyTypes[0], denseLoad: true) : makeGroupKeyTable(keyTypes: keyTypes)
        t.reserve(count)
        MemoryGuard.noteAllocation(4 * count)
        var ids = [Int32](repeating: -1, count: count)
        let chunk = 65536
        ids.withUnsafeMutableBufferPointer { idp in
            var start = 0
            while start < count {
                let end = min(count, start + chunk)
                let keyCols = keys.map { k -> Column in
                    let c = columns[k].type == .null ? Column.nulls(.bigint, count: columns[k].count) : columns[k]
                    return (start == 0 && end == count) ? c : c.slice(start..<end)
                }
                t.findOrInsert(
                    keyCols, rowCount: end - start, into: UnsafeMutableBufferPointer(rebasing: idp[start..<end]))
                start = end
            }
        }
        return (ids, t)
    }

    /// Counting sort of the build rows by bucket (rows without a bucket, -1, left out): the CSR
    /// `rows[offsets[b]..<offsets[b + 1]]` in build order, and whether no bucket has two rows.
    private static func groupRows(_ ids: [Int32], _ buckets: Int) -> (offsets: [Int32], rows: [Int32], unique: Bool) {
        let count = ids.count
        MemoryGuard.noteAllocation(4 * (buckets + 1 + count))  // offsets, then the row lists
        var offsets = [Int32](repeating: 0, count: buckets + 1)
        var placed = 0
        var isUnique = true
        ids.withUnsafeBufferPointer { idp in
            offsets.withUnsafeMutableBufferPointer { off in
                for i in 0..<count where idp[i] >= 0 {
                    let b = Int(idp[i]) + 1
                    off[b] += 1
                    if off[b] > 1 { isUnique = false }
                    placed += 1
                }
                for g in 0..<buckets { off[g + 1] += off[g] }
            }
        }
        var rows = [Int32](repeating: 0, count: placed)
        if placed > 0 {
            var cursor = [Int32](offsets[0..<buckets])
            ids.withUnsafeBufferPointer { idp in
                rows.withUnsafeMutableBufferPointer { r in
                    cursor.withUnsafeMutableBufferPointer { cur in
                        for i in 0..<count where idp[i] >= 0 {
                            let g = Int(idp[i])
                            r[Int(cur[g])] = Int32(i)
                            cur[g] += 1
                        }
                    }
                }
            }
        }
        return (offsets, rows, isUnique)
    }

    /// Per bucket of a CSR: its row when it holds exactly one, -1 when empty, -2 when several (a
    /// CSR without repeats gives `uniqueRow`).
    private static func bucketRows(_ offsets: [Int32], _ rows: [Int32], _ buckets: Int) -> [Int32] {
        MemoryGuard.noteAllocation(4 * buckets)
        var u = [Int32](repeating: -1, count: buckets)
        offsets.withUnsafeBufferPointer { off in
            rows.withUnsafeBufferPointer { r in
                u.withUnsafeMutableBufferPointer { ub in
                    for b in 0..<buckets {
                        let size = off[b + 1] - off[b]
                        if size == 1 { ub[b] = r[Int(off[b])] } else if size > 1 { ub[b] = -2 }
                    }
                }
            }
        }
        return u
    }

    /// `singleRow` of a CSR with repeats: `bucketRows`, or empty when fewer than half the rows are
    /// alone in their bucket (the CSR serves them as well).
    private static func loneRows(_ offsets: [Int32], _ rows: [Int32], _ buckets: Int) -> [Int32] {
        var lone = 0
        offsets.withUnsafeBufferPointer { off in
            for b in 0..<buckets where off[b + 1] - off[b] == 1 { lone += 1 }
        }
        return lone * 2 < rows.count ? [] : bucketRows(offsets, rows, buckets)
    }

    /// Takes a lookup interner for probing VARCHAR keys (cached per dictionary); give it back with
    /// `returnInterner` so the next probe reuses its code maps.
    func takeInterner() -> StringInterner? {
        guard let table else { return nil }
        return interners.withLock { freeInterners.popLast() } ?? table.makeLookupInterner()
    }
    func returnInterner(_ i: StringInterner?) {
        guard let i else { return }
        interners.withLock { freeInterners.append(i) }
    }

    /// The probe key columns as the lookup sees them: packed into one BIGINT when the build keys
    /// were (`packing`), rows that cannot match marked NULL when a `filter` screens them.
    private func lookupKeys(_ probeKeys: [Column], count n: Int) -> [Column] {
        let keys = packing.map { [$0.pack(probeKeys, count: n)] } ?? probeKeys
        return filter.map { [$0.screen(keys[0], count: n)] } ?? keys
    }

    /// For a `unique` table: the matching build row per probe row, or -1.
    func findUniqueRows(
        _ probeKeys: [Column], rowCount n: Int, interner: StringInterner?,
        into out: UnsafeMutableBufferPointer<Int32>
    ) {
        precondition(unique)
        let probeKeys = lookupKeys(probeKeys, count: n)
        uniqueRow.withUnsafeBufferPointer { u in
            if let regions {
                regions.find(probeKeys[0], count: n, into: out)
                for i in 0..<n where out[i] >= 0 { out[i] = u[Int(out[i])] }
                return
            }
            if let table {
                table.find(probeKeys, rowCount: n, nullsMatch: false, into: out, interner: interner!)
                for i in 0..<n where out[i] >= 0 { out[i] = u[Int(out[i])] }
                return
            }
            let col = probeKeys[0]
            let lo = denseMin
            let span = UInt64(u.count)
            col.ints.withUnsafeBufferPointer { x in
                if let v = col.validity {
                    for i in 0..<n {
                        let b = UInt64(bitPattern: x[i] &- lo)
                        out[i] = (v[i] != 0 && b < span) ? u[Int(b)] : -1
                    }
                } else {
                    for i in 0..<n {
                        let b = UInt64(bitPattern: x[i] &- lo)
                        out[i] = b < span ? u[Int(b)] : -1
                    }
                }
            }
        }
    }

    /// For a table that is not `unique`: the bucket per probe row, -1 when the row cannot match
    /// (absent key, empty bucket, NULL key).
    /// - Parameter probeKeys: one column per key, already of a storage matching `keyTypes`.
    func find(
        _ probeKeys: [Column], rowCount n: Int, interner: StringInterner?,
        into ids: UnsafeMutableBufferPointer<Int32>
    ) {
        let probeKeys = lookupKeys(probeKeys, count: n)
        if let regions {
            regions.find(probeKeys[0], count: n, into: ids)
            return
        }
        if let table {
            table.find(probeKeys, rowCount: n, nullsMatch: false, into: ids, interner: interner!)
            return
        }
        precondition(!unique)
        let col = probeKeys[0]
        let lo = denseMin
        let span = UInt64(offsets.count - 1)
        col.ints.withUnsafeBufferPointer { x in
            offsets.withUnsafeBufferPointer { off in
                if let v = col.validity {
                    for i in 0..<n {
                        let b = UInt64(bitPattern: x[i] &- lo)
                        ids[i] =
                            (v[i] != 0 && b < span && off[Int(b) + 1] > off[Int(b)]) ? Int32(truncatingIfNeeded: b) : -1
                    }
                } else {
                    for i in 0..<n {
                        let b = UInt64(bitPattern: x[i] &- lo)
                        ids[i] = (b < span && off[Int(b) + 1] > off[Int(b)]) ? Int32(truncatingIfNeeded: b) : -1
                    }
                }
            }
        }
    }
}
