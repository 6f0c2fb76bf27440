import KuaiCore

/// `agg(DISTINCT x)` over VARCHAR: remembers the distinct (group, string) pairs by their bytes in a
/// `StringPairSet` (no dictionary, no codes) and feeds each pair once to the wrapped aggregate at
/// the end (count(DISTINCT x) = count of pairs). DuckDB's rules: NULLs are skipped, strings are
/// equal when their bytes are (any length, the empty string included).
///
/// Each row costs one hash of its string (dictionary columns reuse the dictionary's stored hashes)
/// and one probe; the bytes of a string longer than 12 bytes are copied only when it is new.
/// Merging the states of several threads is deferred to `finalize`, where partition `p` of every
/// state goes into this state's partition `p`, partitions in parallel (the strings stay in the
/// merged states' heaps).
///
/// Under memory pressure (`MemoryGuard.shouldSpill`) the pairs move to radix-partitioned spill
/// files (`SpilledPairs`: group id, then the string's length-prefixed bytes), and `finalize` then
/// deduplicates every state's pairs one spill partition at a time.
final class StringDistinctState: AggregateState, SpillsDistinctKeys {
    let inner: AggregateState
    var pairs = StringPairSet()
    /// Pairs moved to disk (this state's own file first; merged states' files with their group
    /// mapping), read back partition by partition by `finalize`.
    var spills: [SpilledPairs] = []
    /// States merged into this one, with the mapping of their groups, not yet combined.
    var pending: [(state: StringDistinctState, mapping: [Int32])] = []

    /// The (group, code of `memoDictionary`) pairs whose strings this state holds (in memory or
    /// spilled), one byte at `group * memoCodes + code` (1 = held): rows of a dictionary column
    /// look their pair up here and only the first row of each pair is hashed and inserted.
    private var memo: [UInt8] = []
    private var memoDictionary: StringDictionary?
    /// The dictionary's size when the memo was made (a grown dictionary starts a new memo).
    private var memoCodes = 0
    /// Memo bytes at most (groups x dictionary strings); larger batches are inserted row by row.
    static let memoLimit = 1 << 20

    init(inner: AggregateState) {
        self.inner = inner
    }

    func resize(_ groups: Int) {}

    func makeEmpty() -> AggregateState { StringDistinctState(inner: inner.makeEmpty()) }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        pending.append((other as! StringDistinctState, Array(mapping)))
    }

    /// Adds the pairs (group `ids[i]`, string of row `i`) of the `n` first rows of the VARCHAR
    /// column `input` (either form); NULL rows are skipped.
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) throws {
        guard let input, input.type != .null, n > 0 else { return }
        let rows = UnsafeBufferPointer(rebasing: ids[0..<n])
        input.validity.withUnsafeBufferPointerOrNil { v in
            let valid = v.map { UnsafeBufferPointer(rebasing: $0[0..<n]) }
            if let dictionary = input.dictionary {
                input.codes.withUnsafeBufferPointer { c in
                    let codes = UnsafeBufferPointer(rebasing: c[0..<n])
                    if !insertMemoised(codes, dictionary, valid, rows) { insertCoded(codes, dictionary, valid, rows) }
                }
            } else {
                input.views.withUnsafeBufferPointer { views in
                    pairs.insert(UnsafeBufferPointer(rebasing: views[0..<n]), hashes: nil, validity: valid, ids: rows)
                }
            }
        }
        if MemoryGuard.shouldSpill(holding: heldBytes) { try spillToDisk() }
    }

    /// `insertCoded` through `memo`: only the valid rows whose (group, code) pair the memo does
    /// not hold yet are inserted. False, nothing done, when the memo would pass `memoLimit` bytes.
    private func insertMemoised(
        _ codes: UnsafeBufferPointer<Int32>, _ dictionary: StringDictionary, _ valid: UnsafeBufferPointer<UInt8>?,
        _ ids: UnsafeBufferPointer<Int32>
    ) -> Bool {
        let d = dictionary.count
        let groups = Int(ids.max() ?? 0) + 1
        guard d > 0, groups * d <= Self.memoLimit else { return false }
        if memoDictionary !== dictionary || memoCodes != d {
            memoDictionary = dictionary
            memoCodes = d
            memo = []
        }
        if memo.count < groups * d { memo.append(contentsOf: repeatElement(0, count: groups * d - memo.count)) }
        var newCodes: [Int32] = []
        var newIds: [Int32] = []
        memo.withUnsafeMutableBufferPointer { m in
            for i in 0..<codes.count where valid == nil || valid![i] != 0 {
                let c = Int(codes[i])
                let k = Int(ids[i]) * d + c
                if c >= 0 && c < d && m[k] == 0 {
                    m[k] = 1
                    newCodes.append(codes[i])
                    newIds.append(ids[i])
                }
            }
        }
        if newCodes.isEmpty { return true }
        newCodes.withUnsafeBufferPointer { c in
            newIds.withUnsafeBufferPointer { insertCoded(c, dictionary, nil, $0) }
        }
        return true
    }

    /// Inserts the strings of `codes` of `dictionary` (its stored hashes reused when it keeps
    /// them); a code outside the dictionary (as a NULL row may hold) is never looked at.
    private func insertCoded(
        _ codes: UnsafeBufferPointer<Int32>, _ dictionary: StringDictionary, _ valid: UnsafeBufferPointer<UInt8>?,
        _ ids: UnsafeBufferPointer<Int32>
    ) {
        let all = dictionary.views
        let stored = dictionary.storedHashes
        let n = codes.count
        var views = [StringView](repeating: StringView(), count: n)
        var hashes = [UInt64](repeating: 0, count: stored == nil ? 0 : n)
        all.withUnsafeBufferPointer { a in
            for i in 0..<n {
                let c = Int(codes[i])
                if c >= 0 && c < a.count { views[i] = a[c] }
            }
        }
        if let stored {
            stored.withUnsafeBufferPointer { s in
                for i in 0..<n {
                    let c = Int(codes[i])
                    hashes[i] = c >= 0 && c < s.count ? s[c] : StringView().hashValue64
                }
            }
        }
        withExtendedLifetime(dictionary) {
            views.withUnsafeBufferPointer { v in
                hashes.withUnsafeBufferPointer { h in
                    pairs.insert(v, hashes: stored == nil ? nil : h, validity: valid, ids: ids)
                }
            }
        }
    }

    /// Approximate bytes held in memory: the set's slots and copied strings.
    var heldBytes: Int { pairs.heldBytes }

    func finalize(groups: Int) throws -> Column {
        if !spills.isEmpty || pending.contains(where: { !$0.state.spills.isEmpty }) {
            return try finalizeSpilled(groups: groups)
        }
        inner.resize(groups)
        let others = pending
        pending = []
        if !others.isEmpty {
            let total = others.reduce(pairs.count) { $0 + $1.state.pairs.count }
            let threads = total >= PartitionedKeyMerge.minimumGroups ? activeProcessorCount() : 1
            let pairs = self.pairs
            PartitionedKeyMerge.forEachPartition(StringPairSet.partitionCount, threads: threads) { p in
                pairs.reserve(
                    partition: p, others.reduce(pairs.count(partition: p)) { $0 + $1.state.pairs.count(partition: p) })
                for o in others {
                    o.mapping.withUnsafeBufferPointer { pairs.absorb(partition: p, from: o.state.pairs, mapping: $0) }
                }
            }
            for o in others { pairs.keepAlive(o.state.pairs) }
        }
        try feedInner(pairs)
        pairs = StringPairSet()
        return try inner.finalize(groups: groups)
    }

    /// Feeds every pair of `set`, partition by partition, to the wrapped aggregate, in chunks of
    /// at most `feedChunk` pairs (a chunk's views and group ids, not every pair's at once: 20 bytes
    /// a distinct string, 250 MB for 12.7 M of them).
    private func feedInner(_ set: StringPairSet) throws {
        let n = set.count
        if n == 0 { return }
        var ids = [Int32]()
        var views = [StringView]()
        ids.reserveCapacity(min(n, Self.feedChunk))
        views.reserveCapacity(min(n, Self.feedChunk))
        func flush() throws {
            if ids.isEmpty { return }
            let col = Column(views: views, heaps: set.heaps)
            try ids.withUnsafeBufferPointer { try inner.update(col, order: [col], ids: $0, count: $0.count) }
            ids.removeAll(keepingCapacity: true)
            views.removeAll(keepingCapacity: true)
        }
        for p in 0..<StringPairSet.partitionCount {
            var failure: Error? = nil
            set.forEachPair(partition: p) { g, v in
                ids.append(g)
                views.append(v)
                if ids.count >= Self.feedChunk && failure == nil {
                    do { try flush() } catch { failure = error }
                }
            }
            if let failure { throw failure }
        }
        try flush()
    }

    /// Pairs handed to the wrapped aggregate per call of `feedInner`.
    static let feedChunk = 1 << 16

    /// Moves every pair held in memory to this state's own spill file (made on first use) and
    /// empties the set. Records: the group (Int32), then the string's length-prefixed bytes,
    /// partitioned by `hashValue64` of the string.
    /// - Throws: `KuaiError.execution` when the spill file cannot be created or written.
    func spillToDisk() throws {
        if pairs.count == 0 { return }
        try writeSpillRecords { write in
            for p in 0..<StringPairSet.partitionCount {
                pairs.forEachPair(partition: p) { g, view in
                    write(g, view.hashValue64) { record in view.withBytes { record.append(string: $0) } }
                }
            }
        }
        pairs = StringPairSet()
        MemoryGuard.returnFreedMemory()
    }

    /// `finalize` after a spill: the pairs still in memory (this state's and the pending states')
    /// go to disk, then each spill partition in turn is read from every file, made distinct in a
    /// fresh set and fed to the wrapped aggregate. Memory: one partition's distinct pairs.
    func finalizeSpilled(groups: Int) throws -> Column {
        inner.resize(groups)
        var part = StringPairSet()
        try readSpillPartitions { reader, mapping in
            var views: [StringView] = []
            var ids: [Int32] = []
            while !reader.atEnd {
                let g = reader.read(Int32.self)
                ids.append(mapping.map { $0[Int(g)] } ?? g)
                let b = reader.readString()
                views.append(StringView(bytes: b.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: b.count))
            }
            // the views point into the file's bytes: inserted (long strings copied) while they live
            views.withUnsafeBufferPointer { v in
                ids.withUnsafeBufferPointer { part.insert(v, hashes: nil, validity: nil, ids: $0) }
            }
        } partitionDone: {
            try feedInner(part)
            part = StringPairSet()
        }
        return try inner.finalize(groups: groups)
    }
}
