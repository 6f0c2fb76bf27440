import Dispatch
import KuaiCore

/// The build side of a hash join: the build rows in contiguous columns, a lookup from key to
/// bucket, and the build rows grouped by bucket (`bucketRow` for a bucket of one row, lists for
/// buckets of several, build order within a list). Rows with a NULL in any key column never match.
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
    /// be in the table are ruled out in cache, and only the others are looked up in `table`
    /// (the same table as an `IntKeyTable`).
    private let filter: (bits: KeyBitFilter, table: IntKeyTable)?
    private let interners: Mutex = Mutex()
    private var freeInterners: [StringInterner] = []
    /// True when every bucket holds at most one build row.
    let unique: Bool
    /// Per bucket: its build row when it holds exactly one, -1 when it is empty, and -2 - k when
    /// it holds several: they are list k, `listRows[listOffsets[k]..<listOffsets[k + 1]]`, in
    /// build order. A probe of a lone row (every row when `unique`) thus reads one entry. Empty
    /// when every bucket's rows are a list numbered as the bucket (k = b; a hashed build with few
    /// lone rows), and for a keys-only table.
    let bucketRow: [Int32]
    let listOffsets: [Int32]
    let listRows: [Int32]
    /// True when buckets are key - min of a single integer key.
    public let isDense: Bool
    /// A dense table of many buckets (`denseBitsMinimum`) of which at most half hold rows: one bit
    /// per bucket, set when it holds some. A probe tests the bit (the bits stay in a near cache
    /// level; `bucketRow` does not) and reads `bucketRow` only when it is set: a fact table's
    /// keys probed by the rows of a larger table (11.8M rooms against the 1.4M rooms clicked)
    /// mostly miss. Empty otherwise.
    private let denseBits: [UInt64]
    /// Dense tables of fewer buckets keep no `denseBits` (their `bucketRow` is cached anyway).
    static let denseBitsMinimum = 1 << 21
    /// A keys-only table of one integer-stored key too sparse to be dense but spanning at most
    /// `presenceSpanLimit(rows:)` values (a semi join's `IN (SELECT id ... WHERE rare)`): bit
    /// `key - denseMin` is set when some build row has that key. A probe is one bit test, exact,
    /// with no hashing and no table (then `table`, `regions` and `filter` are nil). Empty otherwise.
    private let keyPresence: [UInt64]
    /// Bit `j` set when word `j` of `keyPresence` is not zero, when `keyPresence` is larger than a
    /// first-level cache (`presenceSummaryWords`): probes test this summary first, in cache, and
    /// only the rows it passes read their `keyPresence` word. Empty otherwise.
    private let presenceSummary: [UInt64]
    static let presenceSummaryWords = 1 << 12
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
        let range = Self.keyRange(lookupColumns, count, lookupKeys, lookupTypes)
        let span = range.flatMap { Self.isDenseSpan($0, rows: count) ? $0 : nil }
        isDense = span != nil
        // A dense key (a dimension table's id): bucket = key - min, rows grouped in one pass.
        if let span {
            let g =
                keysOnly
                ? Self.denseFirstRows(lookupColumns[lookupKeys[0]], count, span)
                : Self.groupDense(lookupColumns[lookupKeys[0]], count, span, threads: threads)
            (table, regions, filter, denseMin) = (nil, nil, nil, span.lo)
            (unique, bucketRow, listOffsets, listRows) = (g.unique, g.bucketRow, g.listOffsets, g.listRows)
            bucketCount = g.bucketRow.count
            denseBits = Self.presenceBits(g.bucketRow, threads: max(1, threads))
            keyPresence = []
            presenceSummary = []
            return
        }
        denseBits = []
        if keysOnly, let range, let bits = Self.keyPresence(lookupColumns[lookupKeys[0]], count, range) {
            (table, regions, filter, denseMin, keyPresence) = (nil, nil, nil, range.lo, bits.words)
            presenceSummary = Self.summary(of: bits.words)
            (unique, bucketRow, listOffsets, listRows) = (false, [], [], [])
            bucketCount = bits.keys
            return
        }
        denseMin = 0
        keyPresence = []
        presenceSummary = []
        if let (r, b) = Self.regionTable(lookupColumns, count, lookupKeys, lookupTypes, threads, keysOnly: keysOnly) {
            (table, regions, filter) = (nil, r, nil)
            bucketCount = r.bucketCount
            let g = Self.listsPerBucket(b, keysOnly: keysOnly)
            (unique, bucketRow, listOffsets, listRows) = (g.unique, g.bucketRow, g.listOffsets, g.listRows)
            return
        }
        regions = nil
        let (ids, t) = Self.hashedBuckets(lookupColumns, count, lookupKeys, lookupTypes)
        bucketCount = t.count
        table = t
        // (an intHashed layout means one integer-stored key column)
        if let ints = t as? IntKeyTable, t.layout == .intHashed, count >= KeyBitFilter.minimumRows,
            lookupColumns[lookupKeys[0]].type != .null
        {
            filter = (KeyBitFilter(lookupColumns[lookupKeys[0]], count: count), ints)
        } else {
            filter = nil
        }
        if keysOnly {
            // a hashed key's bucket exists only when some row has its key
            (unique, bucketRow, listOffsets, listRows) = (false, [], [], [])
            return
        }
        var grouping = LoneFirstGrouping(buckets: bucketCount)
        ids.withUnsafeBufferPointer { idp in
            grouping.withSlots(rows: count) { slots in
                for i in 0..<count where idp[i] >= 0 { slots.add(row: i, bucket: Int(idp[i])) }
            }
        }
        let g = grouping.finish()
        (unique, bucketRow, listOffsets, listRows) = (g.unique, g.bucketRow, g.listOffsets, g.listRows)
    }

    /// Whether a key range spans at most 4x the rows (at least 1024 values): such keys index the
    /// buckets directly.
    private static func isDenseSpan(_ range: (lo: Int64, hi: Int64), rows count: Int) -> Bool {
        let span = range.hi.subtractingReportingOverflow(range.lo)
        return !span.overflow && span.partialValue < Int64(max(4 * count, 1024))
            && span.partialValue < Int64(Int32.max - 1)
    }

    /// The most values a `keyPresence` bitmap spans for `rows` build rows: 64 bits a row (a
    /// hashed table takes more than 8 bytes a key); from `KeyBitFilter.minimumRows` rows on, at
    /// least 2^24 bits (2 MiB, a second-level cache), where a hashed build would probe through a
    /// filter and then the table.
    static func presenceSpanLimit(rows: Int) -> Int64 {
        Int64(rows >= KeyBitFilter.minimumRows ? max(64 * rows, 1 << 24) : 64 * rows)
    }

    /// The `keyPresence` bits of the valid values of `col` (`count` rows, all within `range`),
    /// and how many distinct values they hold; nil when the range spans more than
    /// `presenceSpanLimit(rows:)` values.
    private static func keyPresence(_ col: Column, _ count: Int, _ range: (lo: Int64, hi: Int64)) -> (
        words: [UInt64], keys: Int
    )? {
        let span = range.hi.subtractingReportingOverflow(range.lo)
        guard !span.overflow, span.partialValue < presenceSpanLimit(rows: count) else { return nil }
        let lo = range.lo
        var words = [UInt64](repeating: 0, count: Int(span.partialValue) / 64 + 1)
        words.withUnsafeMutableBufferPointer { w in
            col.ints.withUnsafeBufferPointer { x in
                col.validity.withUnsafeBufferPointerOrNil { v in
                    for i in 0..<count where v.map({ $0[i] != 0 }) ?? true {
                        let b = Int(x[i] &- lo)
                        w[b >> 6] |= 1 << UInt64(b & 63)
                    }
                }
            }
        }
        return (words, words.reduce(0) { $0 + $1.nonzeroBitCount })
    }

    /// `presenceSummary` of `words`: empty for at most `presenceSummaryWords` words.
    private static func summary(of words: [UInt64]) -> [UInt64] {
        guard words.count > presenceSummaryWords else { return [] }
        var s = [UInt64](repeating: 0, count: (words.count + 63) / 64)
        for (j, w) in words.enumerated() where w != 0 { s[j >> 6] |= 1 << UInt64(j & 63) }
        return s
    }

    /// The range [lo, hi] of the valid values of a single integer-stored key; nil for other keys
    /// and when every key is NULL.
    private static func keyRange(_ columns: [Column], _ count: Int, _ keys: [Int], _ keyTypes: [DataType]) -> (
        lo: Int64, hi: Int64
    )? {
        guard keys.count == 1, keyTypes[0] != .double, keyTypes[0] != .varchar, columns[keys[0]].type != .null
        else { return nil }
        return valueRange(columns[keys[0]], count: count)
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

    typealias Grouped = LoneFirstGrouping.Grouped

    /// Dense builds of at least this many rows are partitioned first and grouped on every thread.
    static let parallelDenseRows = 1 << 18

    /// `denseBits` of a dense table's `bucketRow`: empty for fewer than `denseBitsMinimum`
    /// buckets or when more than half of them hold rows (the bits would rule out few probes).
    private static func presenceBits(_ bucketRow: [Int32], threads: Int) -> [UInt64] {
        let n = bucketRow.count
        guard n >= denseBitsMinimum else { return [] }
        let wordCount = (n + 63) / 64
        var bits = [UInt64](repeating: 0, count: wordCount)
        var held = [Int](repeating: 0, count: threads)
        bucketRow.withUnsafeBufferPointer { u in
            bits.withUnsafeMutableBufferPointer { w in
                held.withUnsafeMutableBufferPointer { h in
                    let box = UncheckedBox((u, w, h))
                    // each thread its own run of words
                    DispatchQueue.concurrentPerform(iterations: threads) { t in
                        let (u, w, h) = box.value
                        var count = 0
                        for word in t * wordCount / threads..<(t + 1) * wordCount / threads {
                            let b = word << 6
                            var x: UInt64 = 0
                            for k in 0..<min(64, n - b) where u[b + k] != -1 { x |= 1 << UInt64(k) }
                            w[word] = x
                            count += x.nonzeroBitCount
                        }
                        h[t] = count
                    }
                }
            }
        }
        return 2 * held.reduce(0, +) > n ? [] : bits
    }

    /// For a build whose probes only ask whether a key is present (`keysOnly`): each bucket of a
    /// dense key holds its first row and no list, so the table is `unique` (the probes' unique
    /// path tests `bucketRow[key - lo] >= 0`). A semi / anti join over a fact table's repeated
    /// keys stored every row in lists before.
    private static func denseFirstRows(_ col: Column, _ count: Int, _ span: (lo: Int64, hi: Int64)) -> Grouped {
        let buckets = Int(span.hi - span.lo) + 1
        MemoryGuard.noteAllocation(4 * buckets)
        var first = [Int32](repeating: -1, count: buckets)
        first.withUnsafeMutableBufferPointer { u in
            col.ints.withUnsafeBufferPointer { x in
                col.validity.withUnsafeBufferPointerOrNil { v in
                    for i in (0..<count).reversed() {
                        if let v, v[i] == 0 { continue }
                        u[Int(truncatingIfNeeded: x[i] &- span.lo)] = Int32(truncatingIfNeeded: i)
                    }
                }
            }
        }
        return .init(unique: true, bucketRow: first, listOffsets: [], listRows: [])
    }

    /// The build rows of a dense key grouped by bucket (key - lo): from `parallelDenseRows` rows
    /// on, partitioned first and placed on every thread (`LoneFirstGrouping.groupDense`), else in
    /// one pass over the key (`groupDenseInOrder`).
    static func groupDense(_ col: Column, _ count: Int, _ span: (lo: Int64, hi: Int64), threads: Int) -> Grouped {
        if count >= parallelDenseRows {
            return col.ints.withUnsafeBufferPointer { x in
                col.validity.withUnsafeBufferPointerOrNil { v in
                    LoneFirstGrouping.groupDense(
                        keys: UnsafeBufferPointer(rebasing: x[0..<count]),
                        valid: v.map { UnsafeBufferPointer(rebasing: $0[0..<count]) }, lo: span.lo,
                        buckets: Int(span.hi - span.lo) + 1, threads: max(1, threads))
                }
            }
        }
        return groupDenseInOrder(col, count, span)
    }

    /// `groupDense` in one pass over the key on one thread (what the partitioned grouping must
    /// equal).
    static func groupDenseInOrder(_ col: Column, _ count: Int, _ span: (lo: Int64, hi: Int64)) -> Grouped {
        var grouping = LoneFirstGrouping(buckets: Int(span.hi - span.lo) + 1)
        col.ints.withUnsafeBufferPointer { x in
            col.validity.withUnsafeBufferPointerOrNil { v in
                grouping.withSlots(rows: count) { slots in
                    for i in 0..<count {
                        if let v, v[i] == 0 { continue }
                        slots.add(row: i, bucket: Int(truncatingIfNeeded: x[i] &- span.lo))
                    }
                }
            }
        }
        return grouping.finish()
    }

    /// The bucket of each build row through a `GroupKeyTable` of the keys (inserted in chunks of
    /// 65536 rows; -1 for a row with a NULL key), and the table.
    private static func hashedBuckets(_ columns: [Column], _ count: Int, _ keys: [Int], _ keyTypes: [DataType]) -> (
        [Int32], any GroupKeyTable
    ) {
        // a single integer key: slots at load <= 1/2, where a key that is absent costs 2.5 slots
        // on average (3/4 and 8.5 slots for a large table, to halve its memory)
        let t =
            keyTypes.count == 1 && PackedJoinKeys.packable(keyTypes[0])
            ? IntKeyTable(keyType: keyTypes[0], denseLoad: count >= RegionKeyTable.minimumRows)
            : makeGroupKeyTable(keyTypes: keyTypes)
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
            // a row with a NULL key never matches: it is in no bucket (the table groups NULLs)
            for k in keys {
                if columns[k].type == .null { idp.update(repeating: -1) }
                columns[k].validity.withUnsafeBufferPointerOrNil { v in
                    guard let v else { return }
                    for i in 0..<count where v[i] == 0 { idp[i] = -1 }
                }
            }
        }
        return (ids, t)
    }

    /// The region table's grouped rows as `bucketRow` and lists: its CSR numbers the lists by
    /// bucket; lone rows are read off it when they are at least half the rows (else `bucketRow` is
    /// empty and the CSR serves them as well).
    private static func listsPerBucket(_ b: RegionKeyTable.Buckets, keysOnly: Bool) -> Grouped {
        if b.unique { return .init(unique: true, bucketRow: b.uniqueRow, listOffsets: [], listRows: []) }
        if keysOnly { return .init(unique: false, bucketRow: [], listOffsets: [], listRows: []) }
        let buckets = b.offsets.count - 1
        var lone = 0
        b.offsets.withUnsafeBufferPointer { off in
            for g in 0..<buckets where off[g + 1] - off[g] == 1 { lone += 1 }
        }
        if lone * 2 < b.rows.count {
            return .init(unique: false, bucketRow: [], listOffsets: b.offsets, listRows: b.rows)
        }
        MemoryGuard.noteAllocation(4 * buckets)
        var u = [Int32](repeating: -1, count: buckets)
        b.offsets.withUnsafeBufferPointer { off in
            b.rows.withUnsafeBufferPointer { r in
                u.withUnsafeMutableBufferPointer { ub in
                    for g in 0..<buckets {
                        let size = off[g + 1] - off[g]
                        if size == 1 { ub[g] = r[Int(off[g])] } else if size > 1 { ub[g] = Self.entry(ofList: g) }
                    }
                }
            }
        }
        return .init(unique: false, bucketRow: u, listOffsets: b.offsets, listRows: b.rows)
    }

    /// The `bucketRow` entry of bucket `b`, read through `lone` (the table's `bucketRow`): the
    /// bucket's row, -1, or -2 - its list (the list numbered as the bucket when `lone` is empty).
    @inline(__always)
    static func entry(_ lone: UnsafeBufferPointer<Int32>, bucket b: Int) -> Int32 {
        lone.isEmpty ? entry(ofList: b) : lone[b]
    }

    /// The list of an `entry` of -2 or less, and the entry of list `k`.
    @inline(__always)
    static func list(ofEntry v: Int32) -> Int { Int(-2 - v) }
    @inline(__always)
    static func entry(ofList k: Int) -> Int32 { Int32(truncatingIfNeeded: -2 - k) }

    /// The build rows of bucket `b` (a bucket `find` answered), in build order.
    func buildRows(ofBucket b: Int) -> ArraySlice<Int32> {
        let v = bucketRow.withUnsafeBufferPointer { Self.entry($0, bucket: b) }
        if v >= 0 { return [v] }
        if v == -1 { return [] }
        let list = Self.list(ofEntry: v)
        return listRows[Int(listOffsets[list])..<Int(listOffsets[list + 1])]
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
    /// were (`packing`).
    private func lookupKeys(_ probeKeys: [Column], count n: Int) -> [Column] {
        packing.map { [$0.pack(probeKeys, count: n)] } ?? probeKeys
    }

    /// `table.find` of the first `n` rows of the lookup keys; with a `filter`, only the rows whose
    /// bit is set are looked up (the others are -1, as NULL keys are).
    private func find(
        in table: any GroupKeyTable, _ keys: [Column], _ n: Int, _ interner: StringInterner,
        into ids: UnsafeMutableBufferPointer<Int32>
    ) {
        guard let filter else {
            table.find(keys, rowCount: n, nullsMatch: false, into: ids, interner: interner)
            return
        }
        let rows = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        defer { rows.deallocate() }
        let m = filter.bits.candidates(keys[0], count: n, into: rows)
        ids.baseAddress!.update(repeating: -1, count: n)
        filter.table.find(keys[0], rows: UnsafeBufferPointer(rebasing: rows[0..<m]), into: ids)
    }

    /// For a `unique` table: the matching build row per probe row, or -1.
    func findUniqueRows(
        _ probeKeys: [Column], rowCount n: Int, interner: StringInterner?,
        into out: UnsafeMutableBufferPointer<Int32>
    ) {
        precondition(unique)
        let probeKeys = lookupKeys(probeKeys, count: n)
        bucketRow.withUnsafeBufferPointer { u in
            if let regions {
                regions.find(probeKeys[0], count: n, into: out)
                for i in 0..<n where out[i] >= 0 { out[i] = u[Int(out[i])] }
                return
            }
            if let table {
                find(in: table, probeKeys, n, interner!, into: out)
                for i in 0..<n where out[i] >= 0 { out[i] = u[Int(out[i])] }
                return
            }
            let col = probeKeys[0]
            let lo = denseMin
            let span = UInt64(u.count)
            col.ints.withUnsafeBufferPointer { x in
                if !denseBits.isEmpty {
                    denseBits.withUnsafeBufferPointer { w in
                        for i in 0..<n {
                            let b = UInt64(bitPattern: x[i] &- lo)
                            let held = b < span && (w[Int(b >> 6)] >> (b & 63)) & 1 != 0
                            out[i] = held && col.isValid(i) ? u[Int(b)] : -1
                        }
                    }
                } else if let v = col.validity {
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

    /// `find` through `keyPresence`: 0 for a valid key whose bit is set, else -1. The rows whose
    /// bit is set in the summary (when there is one; then checked in `keyPresence`), or in
    /// `keyPresence` itself, are listed first: by the vector bit test (`VectorKernels.bits`) when
    /// the processor has it, else by its scalar twin `rowsWithBit`.
    private func findPresent(_ col: Column, count n: Int, into ids: UnsafeMutableBufferPointer<Int32>) {
        ids.baseAddress!.update(repeating: -1, count: n)
        let lo = denseMin
        let span = UInt64(keyPresence.count) &* 64
        let summary = !presenceSummary.isEmpty
        col.ints.withUnsafeBufferPointer { x in
            keyPresence.withUnsafeBufferPointer { w in
                presenceSummary.withUnsafeBufferPointer { s in
                    col.validity.withUnsafeBufferPointerOrNil { v in
                        let bits = summary ? s.baseAddress! : w.baseAddress!
                        let shift = summary ? 6 : 0
                        let rows =
                            VectorKernels.isAvailable
                            ? VectorKernels.bits(
                                x.baseAddress!, v?.baseAddress, n, lo: lo, span: span, bits: bits, shift: shift)
                            : Self.rowsWithBit(x, v, n, lo: lo, span: span, bits: bits, shift: shift)
                        for r in rows {
                            let i = Int(r)
                            if summary {
                                let b = UInt64(bitPattern: x[i] &- lo)
                                ids[i] = Int32(truncatingIfNeeded: w[Int(b >> 6)] >> (b & 63)) & 1 &- 1
                            } else {
                                ids[i] = 0
                            }
                        }
                    }
                }
            }
        }
    }

    /// The rows `i < n`, valid (`v` nil: all), whose `d = x[i] - lo` (wrapping, unsigned) is below
    /// `span` and whose bit `d >> shift` is set in `bits`, ascending: `kuai_select_bits` row by
    /// row, branch-free.
    static func rowsWithBit(
        _ x: UnsafeBufferPointer<Int64>, _ v: UnsafeBufferPointer<UInt8>?, _ n: Int, lo: Int64, span: UInt64,
        bits: UnsafePointer<UInt64>, shift: Int
    ) -> [Int32] {
        [Int32](unsafeUninitializedCapacity: n) { rows, filled in
            var m = 0
            for i in 0..<n {
                let d = UInt64(bitPattern: x[i] &- lo)
                let bit = min(d, span &- 1) >> UInt64(shift)  // any bit: `d < span` decides
                var pass = Int(truncatingIfNeeded: bits[Int(bit >> 6)] >> (bit & 63)) & 1
                pass &= d < span ? 1 : 0
                if let v { pass &= Int(v[i]) }
                rows[m] = Int32(truncatingIfNeeded: i)
                m &+= pass
            }
            filled = m
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
        if !keyPresence.isEmpty { return findPresent(probeKeys[0], count: n, into: ids) }
        if let regions {
            regions.find(probeKeys[0], count: n, into: ids)
            return
        }
        if let table {
            find(in: table, probeKeys, n, interner!, into: ids)
            return
        }
        precondition(!unique)
        let col = probeKeys[0]
        let lo = denseMin
        let span = UInt64(bucketRow.count)
        col.ints.withUnsafeBufferPointer { x in
            bucketRow.withUnsafeBufferPointer { u in
                if !denseBits.isEmpty {
                    denseBits.withUnsafeBufferPointer { w in
                        for i in 0..<n {
                            let b = UInt64(bitPattern: x[i] &- lo)
                            let held = b < span && (w[Int(b >> 6)] >> (b & 63)) & 1 != 0
                            ids[i] = held && col.isValid(i) ? Int32(truncatingIfNeeded: b) : -1
                        }
                    }
                } else if let v = col.validity {
                    for i in 0..<n {
                        let b = UInt64(bitPattern: x[i] &- lo)
                        ids[i] = (v[i] != 0 && b < span && u[Int(b)] != -1) ? Int32(truncatingIfNeeded: b) : -1
                    }
                } else {
                    for i in 0..<n {
                        let b = UInt64(bitPattern: x[i] &- lo)
                        ids[i] = (b < span && u[Int(b)] != -1) ? Int32(truncatingIfNeeded: b) : -1
                    }
                }
            }
        }
    }
}
