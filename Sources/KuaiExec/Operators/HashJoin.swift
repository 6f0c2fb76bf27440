import KuaiCore

/// The kinds of join. `semi`/`anti` keep the left rows that have / have no match (left columns
/// only); `cross` pairs every left row with every right row.
public enum JoinType: String, Sendable, Hashable {
    case inner, left, right, full, semi, anti, cross

    /// `INNER`, `LEFT`, ... (EXPLAIN).
    public var sqlName: String { rawValue.uppercased() }
}

/// Which input the hash table is built on. `.auto` builds on the smaller input (see
/// `HashJoinOperator`).
public enum BuildSide: String, Sendable, Hashable {
    case auto, left, right
}

// MARK: - Hash table of the build side

/// The build side of a hash join: the build rows in contiguous columns, a lookup from key to
/// bucket, and the build rows grouped by bucket (CSR: `offsets`, `rows`; build order within a
/// bucket). Rows with a NULL in any key column never match.
///
/// Lookup: a single integer key whose values span at most 4x the row count (KuaiLive's ids)
/// indexes the buckets directly (bucket = key - min, no hashing); other keys go through a
/// `GroupKeyTable` (bucket = key id). Read-only after `init`: probe it from several threads,
/// VARCHAR lookups each with their own interner (handed out by the table).
public final class JoinHashTable: @unchecked Sendable {
    /// Build rows, one column per build-side column, `rowCount` rows each.
    public let columns: [Column]
    public let rowCount: Int
    /// Build-side key columns (indexes into `columns`) and their types.
    public let keys: [Int]
    public let keyTypes: [DataType]
    private let table: GroupKeyTable?
    private let denseMin: Int64
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
    /// True when buckets are key - min of a single integer key.
    public let isDense: Bool
    /// True when some build row has a NULL in a key column (NOT IN's NULL rule needs it).
    public let hasNullKey: Bool
    /// The number of buckets (distinct build keys, or the key span when dense).
    public let bucketCount: Int

    /// Builds the table over `columns` (`count` rows) keyed by the columns at `keys` (may be empty:
    /// then every probe row matches every build row, a cross product).
    /// - Throws: `KuaiError.execution` when the build side exceeds Int32.max rows.
    public init(columns: [Column], count: Int, keys: [Int]) throws {
        guard count < Int(Int32.max) else {
            throw KuaiError(.execution, "join build side of \(count) rows is too large")
        }
        for k in keys { try requireNarrow(columns[k], "a join key") }
        self.columns = columns
        self.rowCount = count
        self.keys = keys
        self.keyTypes = keys.map { columns[$0].type == .null ? .bigint : columns[$0].type }
        hasNullKey = keys.contains { k in
            let c = columns[k]
            return c.type == .null ? c.count > 0 : (c.validity?.contains(0) ?? false)
        }
        // Dense candidate: one integer-stored key whose values span at most 4x the rows.
        var lo = Int64.max
        var hi = Int64.min
        var dense = false
        if keys.count == 1, keyTypes[0] != .double, keyTypes[0] != .varchar, columns[keys[0]].type != .null {
            let col = columns[keys[0]]
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
            if lo <= hi {
                let span = hi.subtractingReportingOverflow(lo)
                dense =
                    !span.overflow && span.partialValue < Int64(max(4 * count, 1024))
                    && span.partialValue < Int64(Int32.max - 1)
            }
        }
        // Dense and unique (a dimension table's primary key): bucket -> row in one pass.
        if dense {
            let col = columns[keys[0]]
            let span = Int(hi - lo) + 1
            var u = [Int32](repeating: -1, count: span)
            var duplicate = false
            col.ints.withUnsafeBufferPointer { x in
                col.validity.withUnsafeBufferPointerOrNil { v in
                    u.withUnsafeMutableBufferPointer { ub in
                        for i in 0..<count {
                            if let v, v[i] == 0 { continue }
                            let slot = Int(truncatingIfNeeded: x[i] &- lo)
                            if ub[slot] >= 0 {
                                duplicate = true
                                break
                            }
                            ub[slot] = Int32(i)
                        }
                    }
                }
            }
            if !duplicate {
                table = nil
                denseMin = lo
                isDense = true
                unique = true
                uniqueRow = u
                offsets = []
                rows = []
                bucketCount = span
                return
            }
        }
        var ids = [Int32](repeating: -1, count: count)
        var buckets = 0
        if dense {
            let col = columns[keys[0]]
            buckets = Int(hi - lo) + 1
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
            table = nil
            denseMin = lo
        } else {
            let t = GroupKeyTable(keyTypes: keyTypes)
            t.reserve(count)
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
            buckets = t.count
            table = t
            denseMin = 0
        }
        isDense = dense
        // counting sort of build rows by bucket (rows without a bucket are left out)
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
        self.unique = isUnique
        self.bucketCount = buckets
        if isUnique {
            var u = [Int32](repeating: -1, count: buckets)
            offsets.withUnsafeBufferPointer { off in
                rows.withUnsafeBufferPointer { r in
                    u.withUnsafeMutableBufferPointer { ub in
                        for b in 0..<buckets where off[b + 1] > off[b] { ub[b] = r[Int(off[b])] }
                    }
                }
            }
            uniqueRow = u
            // the CSR is not needed when every bucket has at most one row
            self.offsets = []
            self.rows = []
        } else {
            uniqueRow = []
            self.offsets = offsets
            self.rows = rows
        }
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

    /// For a `unique` table: the matching build row per probe row, or -1.
    func findUniqueRows(
        _ probeKeys: [Column], rowCount n: Int, interner: StringInterner?,
        into out: UnsafeMutableBufferPointer<Int32>
    ) {
        precondition(unique)
        uniqueRow.withUnsafeBufferPointer { u in
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

/// Converts a probe key column to the storage of the build key type `to` (integer <-> DOUBLE;
/// a NULL-typed column becomes NULLs of `to`), so keys of different numeric types compare by value.
func coerceKey(_ col: Column, to type: DataType) -> Column {
    if col.type == .null { return Column.nulls(type, count: col.count) }
    let fromDouble = col.type == .double
    let toDouble = type == .double
    if fromDouble == toDouble { return col }
    if toDouble {
        return Column(doubles: col.ints.map { Double($0) }, validity: col.validity)
    }
    // DOUBLE probe against an integer build key: only integral values can match.
    var validity = col.validity ?? [UInt8](repeating: 1, count: col.count)
    var ints = [Int64](repeating: 0, count: col.count)
    for i in 0..<col.count {
        let d = col.doubles[i]
        if d.rounded() == d && abs(d) < 9.2e18 { ints[i] = Int64(d) } else { validity[i] = 0 }
    }
    return Column(type: type, ints: ints, validity: validity)
}

/// Rows `indexes` of `col`, where -1 means NULL (outer-join padding).
func gatherNullable(_ col: Column, _ indexes: UnsafeBufferPointer<Int32>) -> Column {
    let n = indexes.count
    if col.count == 0 { return Column.nulls(col.type, count: n) }
    var hasMissing = false
    for i in 0..<n where indexes[i] < 0 {
        hasMissing = true
        break
    }
    if !hasMissing { return col.gather(indexes) }
    var safe = [Int32](repeating: 0, count: n)
    var anyNull = false
    for i in 0..<n {
        let x = indexes[i]
        if x < 0 { anyNull = true } else { safe[i] = x }
    }
    var out = safe.withUnsafeBufferPointer { col.gather($0) }
    if anyNull {
        var v = out.validity ?? [UInt8](repeating: 1, count: n)
        for i in 0..<n where indexes[i] < 0 { v[i] = 0 }
        out.validity = v
    }
    return out
}

// MARK: - Probe kernel

/// Probes one batch at a time against a `JoinHashTable` and emits joined batches. Shared by
/// `HashJoinOperator` (one prober) and `HashJoinProbeSource` (one prober per morsel).
///
/// Output columns are always left ++ right (semi/anti: left only), whichever side is the probe.
final class JoinProber {
    let table: JoinHashTable
    let type: JoinType
    let probeIsLeft: Bool
    let probeKeys: [Int]
    let probeSchema: Schema
    let buildSchema: Schema
    let residual: ((Batch) throws -> Column)?
    /// Per build row: 1 once it matched (kept only when the build side is outer or semi/anti).
    var buildMatched: [UInt8]?
    /// Anti join with NOT IN's NULL rule (probe = left): see `HashJoinOperator.init`.
    var nullAware = false
    static let chunkSize = 65536

    init(
        table: JoinHashTable, type: JoinType, probeIsLeft: Bool, probeKeys: [Int], probeSchema: Schema,
        buildSchema: Schema, residual: ((Batch) throws -> Column)?, trackBuild: Bool
    ) {
        self.table = table
        self.type = type
        self.probeIsLeft = probeIsLeft
        self.probeKeys = probeKeys
        self.probeSchema = probeSchema
        self.buildSchema = buildSchema
        self.residual = residual
        self.buildMatched = trackBuild ? [UInt8](repeating: 0, count: table.rowCount) : nil
    }

    /// True when unmatched probe rows are emitted padded with NULLs.
    var probeOuter: Bool {
        type == .full || (type == .left && probeIsLeft) || (type == .right && !probeIsLeft)
    }
    /// True when the probe side is the left side of a semi/anti join.
    var probeFilters: Bool { (type == .semi || type == .anti) && probeIsLeft }
    /// False for semi/anti joins: they emit input rows, never pairs.
    var emitsPairs: Bool { type != .semi && type != .anti }

    /// The joined batch of pairs (probe row, build row); -1 on either side pads with NULLs.
    func joined(_ probe: Batch, _ pIdx: UnsafeBufferPointer<Int32>, _ bIdx: UnsafeBufferPointer<Int32>) -> Batch {
        let pCols = probe.columns.map { gatherNullable($0, pIdx) }
        let bCols = table.columns.map { gatherNullable($0, bIdx) }
        return Batch(columns: probeIsLeft ? pCols + bCols : bCols + pCols, count: pIdx.count)
    }

    /// Processes one probe batch; calls `emit` with each non-empty output batch.
    func process(_ batch: Batch, emit: (Batch) throws -> Void) throws {
        let n = batch.count
        if n == 0 { return }
        if nullAware && type == .anti && probeIsLeft {
            // x NOT IN (set): all rows when the set is empty; none when it holds a NULL;
            // else the rows with non-NULL keys that are not in the set.
            if table.rowCount == 0 {
                try emit(batch)
                return
            }
            if table.hasNullKey { return }
            var sel: [Int32] = []
            for i in 0..<n
            where !probeKeys.contains(where: { !batch.columns[$0].isValid(i) || batch.columns[$0].type == .null }) {
                sel.append(Int32(i))
            }
            if sel.isEmpty { return }
            let nonNull = sel.count == n ? batch : sel.withUnsafeBufferPointer { batch.gather($0) }
            let inner = nullAware
            nullAware = false
            defer { nullAware = inner }
            try process(nonNull, emit: emit)
            return
        }
        for k in probeKeys { try requireNarrow(batch.columns[k], "a join key") }
        let keyCols = zip(probeKeys, table.keyTypes).map { coerceKey(batch.columns[$0.0], to: $0.1) }
        let interner = table.takeInterner()
        defer { table.returnInterner(interner) }

        // Unique build keys, no residual: at most one match per probe row, one output batch.
        if table.unique && residual == nil {
            var bIdx = [Int32](repeating: -1, count: n)
            bIdx.withUnsafeMutableBufferPointer {
                table.findUniqueRows(keyCols, rowCount: n, interner: interner, into: $0)
            }
            var matches = 0
            for i in 0..<n where bIdx[i] >= 0 { matches += 1 }
            if probeFilters {
                let want = type == .semi
                if (want && matches == n) || (!want && matches == 0) {
                    try emit(batch)
                    return
                }
                if (want && matches == 0) || (!want && matches == n) { return }
                var sel: [Int32] = []
                sel.reserveCapacity(want ? matches : n - matches)
                for i in 0..<n where (bIdx[i] >= 0) == want { sel.append(Int32(i)) }
                try emit(sel.withUnsafeBufferPointer { batch.gather($0) })
                return
            }
            if buildMatched != nil { for b in bIdx where b >= 0 { buildMatched![Int(b)] = 1 } }
            if !emitsPairs { return }  // semi/anti built on the left: only the marks matter
            if probeOuter || matches == n {
                // every probe row stays: the probe columns pass through untouched
                let bCols = bIdx.withUnsafeBufferPointer { b in table.columns.map { gatherNullable($0, b) } }
                try emit(Batch(columns: probeIsLeft ? batch.columns + bCols : bCols + batch.columns, count: n))
                return
            }
            if matches == 0 { return }
            var sel: [Int32] = []
            var bSel: [Int32] = []
            sel.reserveCapacity(matches)
            bSel.reserveCapacity(matches)
            for i in 0..<n where bIdx[i] >= 0 {
                sel.append(Int32(i))
                bSel.append(bIdx[i])
            }
            let out = sel.withUnsafeBufferPointer { p in
                bSel.withUnsafeBufferPointer { b in
                    let pCols = batch.columns.map { $0.gather(p) }
                    let bCols = table.columns.map { $0.gather(b) }
                    return Batch(columns: probeIsLeft ? pCols + bCols : bCols + pCols, count: p.count)
                }
            }
            try emit(out)
            return
        }

        // ids: the bucket per probe row, or for a unique table the build row itself
        var ids = [Int32](repeating: -1, count: n)
        ids.withUnsafeMutableBufferPointer {
            if table.unique {
                table.findUniqueRows(keyCols, rowCount: n, interner: interner, into: $0)
            } else {
                table.find(keyCols, rowCount: n, interner: interner, into: $0)
            }
        }

        // Semi/anti join without residual: a selection of the probe batch.
        if probeFilters && residual == nil {
            let want = type == .semi
            var sel: [Int32] = []
            sel.reserveCapacity(n)
            for i in 0..<n where (ids[i] >= 0) == want { sel.append(Int32(i)) }
            if sel.count == n {
                try emit(batch)
            } else if !sel.isEmpty {
                try emit(sel.withUnsafeBufferPointer { batch.gather($0) })
            }
            return
        }

        var probeMatched = [UInt8](repeating: 0, count: (probeOuter || probeFilters) ? n : 0)
        var pIdx: [Int32] = []
        var bIdx: [Int32] = []
        pIdx.reserveCapacity(min(Self.chunkSize, 4 * n))
        bIdx.reserveCapacity(min(Self.chunkSize, 4 * n))

        func flush() throws {
            if pIdx.isEmpty { return }
            // the pairs as left ++ right columns (what the residual and the output see); semi/anti
            // joins built on the left without a residual only need the match marks
            let needsPairs = emitsPairs || residual != nil
            let out =
                needsPairs
                ? pIdx.withUnsafeBufferPointer { p in bIdx.withUnsafeBufferPointer { b in joined(batch, p, b) } }
                : Batch(columns: [], count: 0)
            if let residual {
                let flag = try residual(out)
                var keep: [Int32] = []
                keep.reserveCapacity(pIdx.count)
                flag.ints.withUnsafeBufferPointer { f in
                    for j in 0..<pIdx.count where f[j] != 0 && flag.isValid(j) { keep.append(Int32(j)) }
                }
                for j in keep {
                    if !probeMatched.isEmpty { probeMatched[Int(pIdx[Int(j)])] = 1 }
                    if buildMatched != nil { buildMatched![Int(bIdx[Int(j)])] = 1 }
                }
                if emitsPairs && !keep.isEmpty {
                    try emit(keep.count == pIdx.count ? out : keep.withUnsafeBufferPointer { out.gather($0) })
                }
            } else {
                if !probeMatched.isEmpty { for p in pIdx { probeMatched[Int(p)] = 1 } }
                if buildMatched != nil { for b in bIdx { buildMatched![Int(b)] = 1 } }
                if emitsPairs { try emit(out) }
            }
            pIdx.removeAll(keepingCapacity: true)
            bIdx.removeAll(keepingCapacity: true)
        }

        if table.unique {
            for i in 0..<n where ids[i] >= 0 {
                pIdx.append(Int32(i))
                bIdx.append(ids[i])
                if pIdx.count >= Self.chunkSize { try flush() }
            }
        } else {
            try table.offsets.withUnsafeBufferPointer { off in
                try table.rows.withUnsafeBufferPointer { rows in
                    for i in 0..<n {
                        let g = Int(ids[i])
                        if g < 0 { continue }
                        let s = Int(off[g])
                        let e = Int(off[g + 1])
                        var r = s
                        while r < e {
                            let take = min(e - r, Self.chunkSize - pIdx.count)
                            for k in r..<r + take {
                                pIdx.append(Int32(i))
                                bIdx.append(rows[k])
                            }
                            r += take
                            if pIdx.count >= Self.chunkSize { try flush() }
                        }
                    }
                }
            }
        }
        try flush()

        if probeOuter {
            var sel: [Int32] = []
            for i in 0..<n where probeMatched[i] == 0 { sel.append(Int32(i)) }
            if !sel.isEmpty {
                let none = [Int32](repeating: -1, count: sel.count)
                try emit(sel.withUnsafeBufferPointer { p in none.withUnsafeBufferPointer { b in joined(batch, p, b) } })
            }
        } else if probeFilters {
            let want: UInt8 = type == .semi ? 1 : 0
            var sel: [Int32] = []
            for i in 0..<n where probeMatched[i] == want { sel.append(Int32(i)) }
            if !sel.isEmpty { try emit(sel.count == n ? batch : sel.withUnsafeBufferPointer { batch.gather($0) }) }
        }
    }

    /// After the last probe batch: the build rows the join still owes (unmatched rows of an outer
    /// build side padded with NULLs; matched / unmatched build rows of a semi / anti join built
    /// on the left), in build order, in batches of up to 65536 rows.
    func finish(emit: (Batch) throws -> Void) throws {
        guard let matched = buildMatched else { return }
        let semiAnti = type == .semi || type == .anti
        let want: UInt8 = type == .semi ? 1 : 0
        var sel: [Int32] = []
        for r in 0..<table.rowCount where matched[r] == want { sel.append(Int32(r)) }
        var start = 0
        while start < sel.count {
            let end = min(sel.count, start + Self.chunkSize)
            try sel.withUnsafeBufferPointer { s in
                let b = UnsafeBufferPointer(rebasing: s[start..<end])
                let bCols = table.columns.map { $0.gather(b) }
                if semiAnti {
                    try emit(Batch(columns: bCols, count: b.count))
                } else {
                    let pCols = probeSchema.map { Column.nulls($0.type, count: b.count) }
                    try emit(Batch(columns: probeIsLeft ? pCols + bCols : bCols + pCols, count: b.count))
                }
            }
            start = end
        }
    }
}

// MARK: - Operator

/// Equi-join by hash: builds a `JoinHashTable` on one input, streams the other through it.
///
/// - Output columns: left columns ++ right columns (semi/anti: left columns only).
/// - Keys: `leftKeys[i]` of the left input equals `rightKeys[i]` of the right input; NULL keys
///   never match; integer types compare by value (DOUBLE against integer by value); VARCHAR keys
///   by string value (codes are translated once per distinct code when dictionaries differ).
/// - `residual`: the other ON conditions, evaluated on the joined batch (left ++ right columns)
///   of candidate pairs; it returns a BOOLEAN column where NULL counts as false. A LEFT join row
///   whose candidates all fail is emitted with NULLs, as in SQL.
/// - Anti join: left rows with no matching right row, including rows with a NULL key (NOT EXISTS
///   semantics; NOT IN's NULL rule is the planner's job).
/// - Build side: `.right`/`.left` as given. `.auto` materialises the right input, then buffers left
///   batches until the left exceeds the right's row count: if the left ends first it is the build
///   side, otherwise the right is. Planners that know row counts should pass the side.
/// - Empty key lists give a nested-loop (cross product + residual) join.
public final class HashJoinOperator: PhysicalOperator {
    public let schema: Schema
    public let left: PhysicalOperator
    public let right: PhysicalOperator
    public let type: JoinType
    public let leftKeys: [Int]
    public let rightKeys: [Int]
    public let residual: ((Batch) throws -> Column)?
    public let requestedBuildSide: BuildSide
    /// NOT IN semantics for an anti join (see `init`).
    public let nullAware: Bool
    /// The side the table was built on (after the first `next()` for `.auto`).
    public private(set) var buildSide: BuildSide
    private var label: String

    private var prober: JoinProber?
    private var pendingProbe: [Batch] = []
    private var probeInput: PhysicalOperator?
    private var output: [Batch] = []
    private var outputIndex = 0
    private var started = false
    private var finished = false

    /// - Parameter nullAware: for `.anti` only, NOT IN semantics as DuckDB: no rows when the
    ///   right side has a NULL key, all left rows when the right side is empty, otherwise the
    ///   left rows with non-NULL keys and no match. Builds on the right.
    public init(
        left: PhysicalOperator, right: PhysicalOperator, type: JoinType, leftKeys: [Int], rightKeys: [Int],
        residual: ((Batch) throws -> Column)? = nil, buildSide: BuildSide = .auto, nullAware: Bool = false
    ) {
        precondition(leftKeys.count == rightKeys.count, "HashJoin: key lists differ in length")
        self.nullAware = nullAware && type == .anti
        self.left = left
        self.right = right
        self.type = type
        self.leftKeys = leftKeys
        self.rightKeys = rightKeys
        self.residual = residual
        self.requestedBuildSide = self.nullAware ? .right : buildSide
        self.buildSide = self.requestedBuildSide
        self.schema = (type == .semi || type == .anti) ? left.schema : left.schema + right.schema
        self.label = "HashJoin"
    }

    /// Internal: the label used by `NestedLoopJoinOperator`.
    func setLabel(_ l: String) { label = l }

    private func start() throws {
        started = true
        var side = requestedBuildSide
        var buildCols: [Column] = []
        var buildCount = 0
        if side == .auto {
            let r = try materializeColumns(right)
            var leftBuffered: [Batch] = []
            var leftCount = 0
            var leftDone = false
            while leftCount <= r.count {
                guard let b = try left.next() else {
                    leftDone = true
                    break
                }
                try MemoryGuard.check()
                leftBuffered.append(b)
                leftCount += b.count
            }
            if leftDone && leftCount < r.count {
                side = .left
                var c = BatchCollector(schema: left.schema)
                for b in leftBuffered { c.append(b) }
                buildCount = c.count
                buildCols = c.take()
                probeInput = BatchReplayOperator(schema: right.schema, columns: r.columns, count: r.count)
            } else {
                side = .right
                buildCols = r.columns
                buildCount = r.count
                pendingProbe = leftBuffered
                probeInput = leftDone ? nil : left
            }
        } else if side == .right {
            (buildCols, buildCount) = try materializeColumns(right)
            probeInput = left
        } else {
            (buildCols, buildCount) = try materializeColumns(left)
            probeInput = right
        }
        buildSide = side
        let probeIsLeft = side == .right
        let table = try JoinHashTable(columns: buildCols, count: buildCount, keys: probeIsLeft ? rightKeys : leftKeys)
        let trackBuild: Bool
        switch type {
        case .full: trackBuild = true
        case .left, .semi, .anti: trackBuild = !probeIsLeft
        case .right: trackBuild = probeIsLeft
        case .inner, .cross: trackBuild = false
        }
        prober = JoinProber(
            table: table, type: type, probeIsLeft: probeIsLeft,
            probeKeys: probeIsLeft ? leftKeys : rightKeys,
            probeSchema: probeIsLeft ? left.schema : right.schema,
            buildSchema: probeIsLeft ? right.schema : left.schema,
            residual: residual, trackBuild: trackBuild)
        prober?.nullAware = nullAware
    }

    public func next() throws -> Batch? {
        if !started { try start() }
        while true {
            if outputIndex < output.count {
                outputIndex += 1
                let b = output[outputIndex - 1]
                if outputIndex == output.count {
                    output.removeAll(keepingCapacity: true)
                    outputIndex = 0
                }
                return b
            }
            if finished { return nil }
            guard let prober else { return nil }
            var probeBatch: Batch? = nil
            if !pendingProbe.isEmpty {
                probeBatch = pendingProbe.removeFirst()
            } else if let input = probeInput {
                probeBatch = try input.next()
                if probeBatch == nil { probeInput = nil }
            }
            if var b = probeBatch {
                // Without keys every probe row meets every build row: probe a slice whose pairs fill about one
                // output chunk, so that output streams (a LIMIT above stops the product early).
                let buildRows = prober.table.rowCount
                if leftKeys.isEmpty && buildRows > 0 && b.count > 1 && b.count * buildRows > JoinProber.chunkSize {
                    let rows = max(1, JoinProber.chunkSize / buildRows)
                    if rows < b.count {
                        let rest = Batch(columns: b.columns.map { $0.slice(rows..<b.count) }, count: b.count - rows)
                        pendingProbe.insert(rest, at: 0)
                        b = Batch(columns: b.columns.map { $0.slice(0..<rows) }, count: rows)
                    }
                }
                try prober.process(b) { output.append($0) }
            } else {
                try prober.finish { output.append($0) }
                finished = true
                self.prober = nil
            }
        }
    }

    public var explainLine: String {
        var keys = zip(leftKeys, rightKeys).map { "#\($0.0)=#\($0.1)" }.joined(separator: ", ")
        if keys.isEmpty { keys = "" }
        return "\(label) \(type.sqlName)\(nullAware ? " null-aware" : "") build=\(buildSide.rawValue) keys=[\(keys)]"
            + (residual != nil ? " residual" : "")
    }
    public var children: [PhysicalOperator] { [left, right] }
}

/// A join without equality keys (CROSS JOIN, or ON with only non-equi conditions): every left
/// row against every right row, kept where `predicate` (evaluated on left ++ right columns) is
/// true. Same output rules as `HashJoinOperator`; the right input is materialised.
public final class NestedLoopJoinOperator: PhysicalOperator {
    private let inner: HashJoinOperator
    /// - Parameter predicate: the ON condition over left ++ right columns (BOOLEAN, NULL = false);
    ///   nil for CROSS JOIN.
    public init(
        left: PhysicalOperator, right: PhysicalOperator, type: JoinType,
        predicate: ((Batch) throws -> Column)? = nil
    ) {
        inner = HashJoinOperator(
            left: left, right: right, type: type, leftKeys: [], rightKeys: [],
            residual: predicate, buildSide: .right)
        inner.setLabel("NestedLoopJoin")
    }
    public var schema: Schema { inner.schema }
    public func next() throws -> Batch? { try inner.next() }
    public var explainLine: String {
        "NestedLoopJoin \(inner.type.sqlName)" + (inner.residual != nil ? " predicate" : "")
    }
    public var children: [PhysicalOperator] { inner.children }
}

// MARK: - Morsel-parallel probe

/// The probe side of a hash join as a `MorselSource`: each morsel of `probe` is joined against a
/// table built beforehand, so scan -> filter -> probe -> aggregate runs on every core.
///
/// Supported join types: inner, left (probe = left input), semi, anti (probe = left input), and
/// cross/inner with empty keys. Build-side outer joins (right/full) need global match flags: use
/// `HashJoinOperator` for those. Output of one morsel is one batch (left ++ right columns).
public final class HashJoinProbeSource: MorselSource, @unchecked Sendable {
    public let probe: MorselSource
    public let table: JoinHashTable
    public let type: JoinType
    public let probeKeys: [Int]
    public let schema: Schema
    private let buildSchema: Schema
    private let residual: ((Batch) throws -> Column)?
    public let nullAware: Bool

    /// - Parameters:
    ///   - probe: the left input (its morsels are probed independently).
    ///   - build: the right input's rows, keyed by the right keys (`JoinHashTable(columns:count:keys:)`).
    ///   - buildSchema: the right input's schema.
    ///   - probeKeys: key column indexes of the left input, parallel to `build.keys`.
    /// - Precondition: `type` is inner, left, semi, anti or cross.
    ///   - nullAware: NOT IN semantics for `.anti` (see `HashJoinOperator.init`).
    public init(
        probe: MorselSource, build: JoinHashTable, buildSchema: Schema, type: JoinType, probeKeys: [Int],
        residual: ((Batch) throws -> Column)? = nil, nullAware: Bool = false
    ) {
        self.nullAware = nullAware && type == .anti
        precondition(
            [.inner, .left, .semi, .anti, .cross].contains(type), "HashJoinProbeSource: \(type) needs HashJoinOperator")
        self.probe = probe
        self.table = build
        self.type = type
        self.probeKeys = probeKeys
        self.buildSchema = buildSchema
        self.residual = residual
        self.schema = (type == .semi || type == .anti) ? probe.schema : probe.schema + buildSchema
    }

    public var morselCount: Int { probe.morselCount }

    public func morsel(_ i: Int) throws -> Batch? {
        guard let b = try probe.morsel(i), b.count > 0 else { return nil }
        let prober = JoinProber(
            table: table, type: type, probeIsLeft: true, probeKeys: probeKeys,
            probeSchema: probe.schema, buildSchema: buildSchema, residual: residual, trackBuild: false)
        prober.nullAware = nullAware
        var parts: [Batch] = []
        try prober.process(b) { parts.append($0) }
        if parts.isEmpty { return nil }
        if parts.count == 1 { return parts[0] }
        var c = BatchCollector(schema: schema)
        for p in parts { c.append(p) }
        let n = c.count
        return Batch(columns: c.take(), count: n)
    }

    public var explainLine: String {
        let keys = zip(probeKeys, table.keys).map { "#\($0.0)=#\($0.1)" }.joined(separator: ", ")
        return "HashJoinProbe \(type.sqlName) build=right keys=[\(keys)]" + (residual != nil ? " residual" : "")
    }
    public var explainChildren: [String] { [probe.explainLine] + probe.explainChildren.map { "  " + $0 } }
}
