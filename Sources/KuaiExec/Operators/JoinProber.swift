import KuaiCore

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
    /// Per build column: the probe column that holds the same value on every matched pair, or
    /// nil. A key of an integer-stored type that is the same on both sides (integers, dates,
    /// timestamps, DECIMAL of one scale; not DOUBLE, whose -0.0 matches 0.0, nor VARCHAR) is equal
    /// on both sides of a match, so the output of matched pairs reuses the probe's gathered
    /// column for it instead of gathering the build's (a random gather over the build rows:
    /// room's live_id for each of 18M events).
    let buildKeyTwins: [Int?]

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
        var twins = [Int?](repeating: nil, count: table.columns.count)
        for (k, b) in table.keys.enumerated() where b < twins.count {
            let t = buildSchema[b].type
            if t == probeSchema[probeKeys[k]].type && PackedJoinKeys.packable(t) { twins[b] = probeKeys[k] }
        }
        buildKeyTwins = twins
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
    /// `matched`: every pair is a match (no -1), so the build's key columns are the probe's
    /// (`buildKeyTwins`).
    func joined(
        _ probe: Batch, _ pIdx: UnsafeBufferPointer<Int32>, _ bIdx: UnsafeBufferPointer<Int32>, matched: Bool = false
    ) -> Batch {
        let pCols = probe.columns.map { gatherNullable($0, pIdx) }
        let bCols = buildColumns(twinsFrom: matched ? pCols : nil) { gatherNullable($0, bIdx) }
        return Batch(columns: probeIsLeft ? pCols + bCols : bCols + pCols, count: pIdx.count)
    }

    /// The build side's output columns: for a key with a twin (`buildKeyTwins`), the probe
    /// column `probeColumns[twin]` when the rows are all matched pairs (`probeColumns` given),
    /// else `gather(build column)`.
    private func buildColumns(twinsFrom probeColumns: [Column]?, gather: (Column) -> Column) -> [Column] {
        table.columns.enumerated().map { j, c in
            if let probeColumns, let twin = buildKeyTwins[j] { return probeColumns[twin] }
            return gather(c)
        }
    }

    /// Processes one probe batch; calls `emit` with each non-empty output batch.
    func process(_ batch: Batch, emit: (Batch) throws -> Void) throws {
        let n = batch.count
        if n == 0 { return }
        if nullAware && type == .anti && probeIsLeft { return try processNotIn(batch, emit: emit) }
        for k in probeKeys { try requireNarrow(batch.columns[k], "a join key") }
        let keyCols = zip(probeKeys, table.keyTypes).map { coerceKey(batch.columns[$0.0], to: $0.1) }
        let interner = table.takeInterner()
        defer { table.returnInterner(interner) }

        // ids: the bucket per probe row, or for a unique table the build row itself
        var ids = [Int32](repeating: -1, count: n)
        ids.withUnsafeMutableBufferPointer {
            if table.unique {
                table.findUniqueRows(keyCols, rowCount: n, interner: interner, into: $0)
            } else {
                table.find(keyCols, rowCount: n, interner: interner, into: $0)
            }
        }
        // Unique build keys, no residual: at most one match per probe row, one output batch.
        if table.unique && residual == nil { return try emitUniqueMatches(batch, ids, emit: emit) }
        // Semi/anti join without residual: a selection of the probe batch.
        if probeFilters && residual == nil {
            return try emitRows(batch, found: ids, want: type == .semi, emit: emit)
        }
        var probeMatched = [UInt8](repeating: 0, count: (probeOuter || probeFilters) ? n : 0)
        if probeFilters && !table.unique {
            try matchInRounds(batch, ids, &probeMatched)
        } else {
            try emitPairs(batch, ids, &probeMatched, emit: emit)
        }
        if probeOuter {
            var sel: [Int32] = []
            for i in 0..<n where probeMatched[i] == 0 { sel.append(Int32(i)) }
            if !sel.isEmpty {
                let none = [Int32](repeating: -1, count: sel.count)
                try emit(sel.withUnsafeBufferPointer { p in none.withUnsafeBufferPointer { b in joined(batch, p, b) } })
            }
        } else if probeFilters {
            let want: UInt8 = type == .semi ? 1 : 0
            try emitRows(batch, where: { probeMatched[$0] == want }, emit: emit)
        }
    }

    /// `x NOT IN (set)` (an anti join with NOT IN's NULL rule, probe = left): all rows when the
    /// set is empty; none when it holds a NULL; else the rows with non-NULL keys not in the set.
    private func processNotIn(_ batch: Batch, emit: (Batch) throws -> Void) throws {
        if table.rowCount == 0 { return try emit(batch) }
        if table.hasNullKey { return }
        var sel: [Int32] = []
        for i in 0..<batch.count
        where !probeKeys.contains(where: { !batch.columns[$0].isValid(i) || batch.columns[$0].type == .null }) {
            sel.append(Int32(i))
        }
        if sel.isEmpty { return }
        let nonNull = sel.count == batch.count ? batch : sel.withUnsafeBufferPointer { batch.gather($0) }
        nullAware = false
        defer { nullAware = true }
        try process(nonNull, emit: emit)
    }

    /// `emitRows` of the rows whose `found` entry is a match (>= 0) when `want`, else of the
    /// others: a branch-free selection (a semi or anti join's whole output).
    private func emitRows(_ batch: Batch, found: [Int32], want: Bool, emit: (Batch) throws -> Void) throws {
        let n = batch.count
        let flip: Int32 = want ? 0 : -1  // the sign bit of found[i] ^ flip is set for the rows kept
        let sel = [Int32](unsafeUninitializedCapacity: n) { out, filled in
            found.withUnsafeBufferPointer { f in
                var k = 0
                for i in 0..<n {
                    out[k] = Int32(truncatingIfNeeded: i)
                    k &+= Int(truncatingIfNeeded: ~(f[i] ^ flip) &>> 31) & 1
                }
                filled = k
            }
        }
        try emitSelected(batch, sel, emit: emit)
    }

    /// Emits the rows of `batch` for which `keep(i)` holds (the batch itself when all do).
    @inline(__always)
    private func emitRows(_ batch: Batch, where keep: (Int) -> Bool, emit: (Batch) throws -> Void) throws {
        var sel: [Int32] = []
        sel.reserveCapacity(batch.count)
        for i in 0..<batch.count where keep(i) { sel.append(Int32(i)) }
        try emitSelected(batch, sel, emit: emit)
    }

    /// Emits the rows `sel` (ascending) of `batch`: the batch itself when they are all its rows,
    /// nothing when there are none.
    private func emitSelected(_ batch: Batch, _ sel: [Int32], emit: (Batch) throws -> Void) throws {
        if sel.count == batch.count {
            try emit(batch)
        } else if !sel.isEmpty {
            try emit(sel.withUnsafeBufferPointer { batch.gather($0) })
        }
    }

    /// The output of a probe batch against a unique build side without residual: `bIdx[i]` is
    /// the build row matching probe row i, or -1.
    private func emitUniqueMatches(_ batch: Batch, _ bIdx: [Int32], emit: (Batch) throws -> Void) throws {
        let n = batch.count
        var matches = 0
        for i in 0..<n where bIdx[i] >= 0 { matches += 1 }
        if probeFilters {
            let want = type == .semi
            if (want && matches == 0) || (!want && matches == n) { return }
            return try emitRows(batch, found: bIdx, want: want, emit: emit)
        }
        if buildMatched != nil { for b in bIdx where b >= 0 { buildMatched![Int(b)] = 1 } }
        if !emitsPairs { return }  // semi/anti built on the left: only the marks matter
        if probeOuter || matches == n {
            // every probe row stays: the probe columns pass through untouched (and stand for the
            // build's key columns when every row matched)
            let bCols = bIdx.withUnsafeBufferPointer { b in
                buildColumns(twinsFrom: matches == n ? batch.columns : nil) { gatherNullable($0, b) }
            }
            return try emit(Batch(columns: probeIsLeft ? batch.columns + bCols : bCols + batch.columns, count: n))
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
                let bCols = buildColumns(twinsFrom: pCols) { $0.gather(b) }
                return Batch(columns: probeIsLeft ? pCols + bCols : bCols + pCols, count: p.count)
            }
        }
        try emit(out)
    }

    /// Empty probe and build row lists for the pairs of a batch of `rows` rows (room for up to
    /// `chunkSize` pairs, or 4 per row).
    private static func pairBuffers(rows n: Int) -> ([Int32], [Int32]) {
        var p: [Int32] = []
        var b: [Int32] = []
        p.reserveCapacity(min(chunkSize, 4 * n))
        b.reserveCapacity(min(chunkSize, 4 * n))
        return (p, b)
    }

    /// Enumerates the (probe row, build row) pairs of the batch (`ids`: bucket, or build row of
    /// a unique table, per probe row) in chunks of up to `chunkSize` pairs; each chunk goes
    /// through `flushPairs`.
    private func emitPairs(
        _ batch: Batch, _ ids: [Int32], _ probeMatched: inout [UInt8], emit: (Batch) throws -> Void
    ) throws {
        let n = batch.count
        var (pIdx, bIdx) = Self.pairBuffers(rows: n)
        if table.unique {
            for i in 0..<n where ids[i] >= 0 {
                pIdx.append(Int32(i))
                bIdx.append(ids[i])
                if pIdx.count >= Self.chunkSize { try flushPairs(batch, &pIdx, &bIdx, &probeMatched, emit: emit) }
            }
        } else {
            // a semi / anti join built on the left only asks whether each build row matches: build
            // rows already marked are not paired again (without a residual a bucket is marked whole)
            let skipMarked = !emitsPairs && buildMatched != nil
            if !skipMarked { return try emitPairsInStages(batch, ids, &probeMatched, emit: emit) }
            try table.bucketRow.withUnsafeBufferPointer { lone in
                try table.listOffsets.withUnsafeBufferPointer { off in
                    try table.listRows.withUnsafeBufferPointer { rows in
                        for i in 0..<n {
                            let g = Int(ids[i])
                            if g < 0 { continue }
                            // a row alone in its bucket is read off `bucketRow`; else the bucket's list
                            let single = JoinHashTable.entry(lone, bucket: g)
                            if single == -1 { continue }
                            if single >= 0 {
                                if skipMarked && buildMatched![Int(single)] != 0 { continue }
                                pIdx.append(Int32(i))
                                bIdx.append(single)
                                if pIdx.count >= Self.chunkSize {
                                    try flushPairs(batch, &pIdx, &bIdx, &probeMatched, emit: emit)
                                }
                                continue
                            }
                            let list = JoinHashTable.list(ofEntry: single)
                            var r = Int(off[list])
                            let e = Int(off[list + 1])
                            if skipMarked && residual == nil && buildMatched![Int(rows[r])] != 0 { continue }
                            while r < e {
                                let take = min(e - r, Self.chunkSize - pIdx.count)
                                for k in r..<r + take where !skipMarked || buildMatched![Int(rows[k])] == 0 {
                                    pIdx.append(Int32(i))
                                    bIdx.append(rows[k])
                                }
                                r += take
                                if pIdx.count >= Self.chunkSize {
                                    try flushPairs(batch, &pIdx, &bIdx, &probeMatched, emit: emit)
                                }
                            }
                        }
                    }
                }
            }
        }
        try flushPairs(batch, &pIdx, &bIdx, &probeMatched, emit: emit)
    }

    /// `emitPairs` of a table that is not `unique`, in three passes over the batch's rows: the
    /// bucket entry of each row with a bucket, then the list range of each entry that is a list,
    /// then the pairs. Each pass is a loop whose loads do not wait on one another, so the cache
    /// misses of a large table (`bucketRow`, then `listOffsets`, then `listRows`, each too large
    /// for the caches when a fact table is the build side) overlap instead of following one
    /// another row by row. Pairs come in the same order as the one-pass loop's.
    private func emitPairsInStages(
        _ batch: Batch, _ ids: [Int32], _ probeMatched: inout [UInt8], emit: (Batch) throws -> Void
    ) throws {
        let n = batch.count
        var (pIdx, bIdx) = Self.pairBuffers(rows: n)
        let hitRows = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        let first = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        let end = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        defer {
            hitRows.deallocate()
            first.deallocate()
            end.deallocate()
        }
        // 1. the entry of each row's bucket (a lone build row, or a list)
        var hits = 0
        table.bucketRow.withUnsafeBufferPointer { lone in
            ids.withUnsafeBufferPointer { ids in
                for i in 0..<n {
                    let g = Int(ids[i])
                    if g < 0 { continue }
                    let e = JoinHashTable.entry(lone, bucket: g)
                    hitRows[hits] = Int32(truncatingIfNeeded: i)
                    first[hits] = e
                    hits &+= e == -1 ? 0 : 1
                }
            }
        }
        // 2. a lone row is its own range (end -1); a list its range in `listRows`
        table.listOffsets.withUnsafeBufferPointer { off in
            for k in 0..<hits {
                let e = first[k]
                if e >= 0 {
                    end[k] = -1
                } else {
                    let list = JoinHashTable.list(ofEntry: e)
                    first[k] = off[list]
                    end[k] = off[list + 1]
                }
            }
        }
        // 3. the pairs, flushed a chunk at a time
        try table.listRows.withUnsafeBufferPointer { rows in
            for k in 0..<hits {
                let p = hitRows[k]
                if end[k] < 0 {
                    pIdx.append(p)
                    bIdx.append(first[k])
                } else {
                    var r = Int(first[k])
                    let e = Int(end[k])
                    while r < e {
                        let take = min(e - r, Self.chunkSize - pIdx.count)
                        for j in r..<r + take {
                            pIdx.append(p)
                            bIdx.append(rows[j])
                        }
                        r += take
                        if pIdx.count >= Self.chunkSize {
                            try flushPairs(batch, &pIdx, &bIdx, &probeMatched, emit: emit)
                        }
                    }
                }
                if pIdx.count >= Self.chunkSize { try flushPairs(batch, &pIdx, &bIdx, &probeMatched, emit: emit) }
            }
        }
        try flushPairs(batch, &pIdx, &bIdx, &probeMatched, emit: emit)
    }

    /// Semi / anti join probed from the left with a residual: marks in `probeMatched` the probe rows
    /// (`ids`: bucket per row, -1 for none) with a candidate that passes the residual, checking no
    /// candidate of a row after its first match. Candidates are tried in rounds: each unmatched row
    /// with candidates left gives `step` more of them (1 in the first round, then doubling, and at
    /// least an even share of `chunkSize`; half from the front of its untried range, half from the
    /// back), and each chunk of up to `chunkSize` pairs is one
    /// vectorised residual evaluation. Rows of a bucket with many duplicates that match early thus
    /// cost a pair or two, and a row that never matches costs its candidates plus at most doubling.
    private func matchInRounds(_ batch: Batch, _ ids: [Int32], _ probeMatched: inout [UInt8]) throws {
        let n = batch.count
        // next[i] ..< end[i]: the candidates (positions in `table.listRows`) probe row i has not
        // tried; a row alone in its bucket is the one candidate, paired in the first chunks
        var next = [Int32](repeating: 0, count: n)
        var end = [Int32](repeating: 0, count: n)
        var active: [Int32] = []
        active.reserveCapacity(n)
        var pIdx: [Int32] = []
        var bIdx: [Int32] = []
        pIdx.reserveCapacity(min(Self.chunkSize, 2 * n))
        bIdx.reserveCapacity(min(Self.chunkSize, 2 * n))
        try table.bucketRow.withUnsafeBufferPointer { lone in
            try table.listOffsets.withUnsafeBufferPointer { off in
                for i in 0..<n where ids[i] >= 0 {
                    let g = Int(ids[i])
                    let single = JoinHashTable.entry(lone, bucket: g)
                    if single >= 0 {
                        pIdx.append(Int32(i))
                        bIdx.append(single)
                        if pIdx.count >= Self.chunkSize {
                            try flushPairs(batch, &pIdx, &bIdx, &probeMatched, emit: { _ in })
                        }
                    } else if single <= -2 {
                        let list = JoinHashTable.list(ofEntry: single)
                        (next[i], end[i]) = (off[list], off[list + 1])
                        active.append(Int32(i))
                    }
                }
            }
        }
        try flushPairs(batch, &pIdx, &bIdx, &probeMatched, emit: { _ in })
        var step = 1
        while !active.isEmpty {
            try table.listRows.withUnsafeBufferPointer { rows in
                for a in active {
                    let i = Int(a)
                    let (r, e) = (Int(next[i]), Int(end[i]))
                    let take = min(step, e - r, Self.chunkSize - pIdx.count)
                    // half from each end: a residual that picks the earliest or the latest build row
                    // of a bucket kept in time order then matches in the first rounds
                    let front = (take + 1) / 2
                    for k in r..<r + front {
                        pIdx.append(a)
                        bIdx.append(rows[k])
                    }
                    for k in e - (take - front)..<e {
                        pIdx.append(a)
                        bIdx.append(rows[k])
                    }
                    next[i] = Int32(r + front)
                    end[i] = Int32(e - (take - front))
                    if pIdx.count >= Self.chunkSize {
                        try flushPairs(batch, &pIdx, &bIdx, &probeMatched, emit: { _ in })
                    }
                }
            }
            try flushPairs(batch, &pIdx, &bIdx, &probeMatched, emit: { _ in })
            var kept = 0
            for a in active where probeMatched[Int(a)] == 0 && next[Int(a)] < end[Int(a)] {
                active[kept] = a
                kept += 1
            }
            active.removeLast(active.count - kept)
            if !active.isEmpty { step = max(2 * step, Self.chunkSize / active.count) }
        }
    }

    /// One chunk of candidate pairs: filtered by the residual (NULL = false), marked as matched
    /// (probe rows of an outer / semi / anti probe side, build rows when tracked) and emitted
    /// as left ++ right columns (not for semi / anti joins). Empties `pIdx` and `bIdx`.
    private func flushPairs(
        _ batch: Batch, _ pIdx: inout [Int32], _ bIdx: inout [Int32], _ probeMatched: inout [UInt8],
        emit: (Batch) throws -> Void
    ) throws {
        if pIdx.isEmpty { return }
        defer {
            pIdx.removeAll(keepingCapacity: true)
            bIdx.removeAll(keepingCapacity: true)
        }
        // the pairs as left ++ right columns (what the residual and the output see); semi/anti
        // joins built on the left without a residual only need the match marks
        let needsPairs = emitsPairs || residual != nil
        let out =
            needsPairs
            ? pIdx.withUnsafeBufferPointer { p in
                bIdx.withUnsafeBufferPointer { b in joined(batch, p, b, matched: true) }
            }
            : Batch(columns: [], count: 0)
        guard let residual else {
            if !probeMatched.isEmpty { for p in pIdx { probeMatched[Int(p)] = 1 } }
            if buildMatched != nil { for b in bIdx { buildMatched![Int(b)] = 1 } }
            if emitsPairs { try emit(out) }
            return
        }
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
