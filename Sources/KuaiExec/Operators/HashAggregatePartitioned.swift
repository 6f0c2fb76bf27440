import KuaiCore

// Partitioned GROUP BY for keys of high cardinality, as DuckDB's radix-partitioned aggregate does
// once its thread-local tables stop reducing their input. With thread-local tables, a key seen by
// both threads is a group in each table and again in the merged one, and tables of millions of
// groups miss the caches on every row. When the keys are of that kind, each thread instead
// scatters its rows (the columns the aggregate reads) into `partitionCount` partitions by a hash
// of the key (`PartitionedKeyMerge.keyPartitions`); the partitions hold disjoint keys, so each one
// is then aggregated alone, partitions in parallel, in a table sized for it, and no group is
// merged.
//
// The choice is made once per operator from a sample: each thread aggregates its first
// `partitionSampleRows` rows in a table as usual, keeping the batches. The first thread to reach
// them decides: partition when the table is hashed (a direct array is already cheap), holds at
// least 1/8 of the sampled rows as groups and its groups were still growing (1.5 times the groups
// of the first half of the sample). A single integer key never partitions: its table turns into
// a direct array once its groups fill their range (ids such as live_id), which a sample cannot
// tell, and direct tables merge without hashing. Every thread then either drops the kept batches
// and goes on with its table, or drops its table and scatters the kept batches and every later
// one. The answer is the same either way: each group's rows reach one state, in the order each
// thread read them, thread after thread.

extension HashAggregateOperator {
    /// Rows of a thread's sample (one morsel of a stored table).
    static let partitionSampleRows = 1 << 16
    /// log2 of the partitions.
    static let partitionBits = 6
    static var partitionCount: Int { 1 << partitionBits }

    /// The decision shared by the threads of one run.
    final class PartitionChoice: @unchecked Sendable {
        enum Mode { case undecided, tables, partitions }
        private let lock = Mutex()
        private var value = Mode.undecided
        var mode: Mode { lock.withLock { value } }
        /// Sets the mode when still undecided; returns the mode in force.
        func decide(_ m: Mode) -> Mode {
            lock.withLock {
                if value == .undecided { value = m }
                return value
            }
        }
    }

    /// One thread's rows scattered by partition (`batches[j]`: the batches of partition j, the
    /// columns the aggregate does not read left empty). Written by its thread, then each
    /// partition read and emptied by the thread that aggregates it.
    final class PartitionedRows: @unchecked Sendable {
        let batches: UnsafeMutableBufferPointer<[Batch]>
        init() {
            batches = .allocate(capacity: HashAggregateOperator.partitionCount)
            batches.initialize(repeating: [])
        }
        deinit {
            batches.deinitialize()
            batches.deallocate()
        }
    }

    /// True when this run may partition: several workers, grouping keys (tests: then always, with
    /// `partitionAfterRows`), other than one integer-stored key, over an input of at least
    /// `minimumPartitionedRows` rows whose read columns, held twice over (scattered rows and the
    /// result), stay well under the memory limit.
    func partitioningAllowed(rows: Int?, workers: Int) -> Bool {
        guard workers > 1, !groupColumns.isEmpty, spillAfterGroups == 0, flushAfterGroups == 0, let rows else {
            return false
        }
        if partitionAfterRows > 0 { return true }
        let keyTypes = groupColumns.map { input.schema[$0].type }
        if keyTypes.count == 1 && PackedJoinKeys.packable(keyTypes[0]) { return false }
        guard rows >= Self.minimumPartitionedRows else { return false }
        let limit = MemoryGuard.limit
        if limit == 0 { return true }
        return Double(rows) * Double(2 * 16 * spillColumns.count) <= Double(limit) * MemoryGuard.spillFraction / 2
    }

    /// Inputs with fewer rows keep thread-local tables.
    static let minimumPartitionedRows = 1 << 20

    /// `consume`'s part while `p` samples (after the batch of `n` rows went into its table, the
    /// table holding `before` groups before it): keeps the batch, decides once the sample is
    /// complete, and follows the decision.
    func sampled(_ p: Partial, _ batch: Batch, count n: Int, groupsBefore before: Int) throws {
        p.kept.append(batch)
        let sampleRows = partitionAfterRows > 0 ? partitionAfterRows : Self.partitionSampleRows
        let half = sampleRows / 2
        let rowsBefore = p.rowsInTable - n
        if rowsBefore < half && p.rowsInTable >= half {
            // groups take ids in order of first appearance: the groups of the first `k` rows
            var most = Int32(before - 1)
            for i in 0..<(half - rowsBefore) { most = max(most, p.ids[i]) }
            p.groupsAtHalf = Int(most) + 1
        }
        var mode = partitionChoice.mode
        if mode == .undecided && p.rowsInTable >= sampleRows {
            mode = partitionChoice.decide(partitionAfterRows > 0 || growsLikeDistinct(p) ? .partitions : .tables)
        }
        try follow(mode, p)
    }

    /// True when `p`'s sampled table shows keys of high cardinality (see the notes above).
    private func growsLikeDistinct(_ p: Partial) -> Bool {
        switch p.table.layout {
        case .intDirect, .packedDirect: return false
        default: break
        }
        let groups = p.table.count
        return groups * 8 >= p.rowsInTable && 2 * groups >= 3 * p.groupsAtHalf
    }

    /// Makes a sampling `p` follow `mode`: keep its table (drop the kept batches), or partition
    /// (drop the table, scatter the kept batches). Nothing while undecided.
    func follow(_ mode: PartitionChoice.Mode, _ p: Partial) throws {
        switch mode {
        case .undecided: return
        case .tables:
            p.sampling = false
            p.kept = []
        case .partitions:
            p.sampling = false
            p.reset()
            let rows = PartitionedRows()
            p.partitions = rows
            let kept = p.kept
            p.kept = []
            for b in kept { scatter(b, into: rows) }
        }
    }

    /// Appends the rows of `batch` to `rows`, partition by partition (the columns the aggregate
    /// reads).
    func scatter(_ batch: Batch, into rows: PartitionedRows) {
        let n = batch.count
        let part = PartitionedKeyMerge.keyPartitions(
            groupColumns.map { batch.columns[$0] }, count: n, bits: Self.partitionBits)
        let (order, start) = PartitionedKeyMerge.groupByPartition(part, partitions: Self.partitionCount)
        order.withUnsafeBufferPointer { o in
            for j in 0..<Self.partitionCount where start[j + 1] > start[j] {
                rows.batches[j].append(gatherUsed(batch, UnsafeBufferPointer(rebasing: o[start[j]..<start[j + 1]])))
            }
        }
    }

    /// The result of a partitioned run: each partition's rows (every thread's, thread after
    /// thread) aggregated in a table of its own, partitions in parallel; one batch a non-empty
    /// partition. Frees each partition's rows once aggregated.
    /// - Throws: a state's error, or `KuaiError` when the query is interrupted.
    func partitionedResult(_ partials: [Partial]) throws -> [Batch] {
        let keyTypes = groupColumns.map { input.schema[$0].type }
        let sources = partials.compactMap(\.partitions)
        var out = [Batch?](repeating: nil, count: Self.partitionCount)
        let failure = SchedulerState(total: 0)
        out.withUnsafeMutableBufferPointer { out in
            let out = UncheckedBox(out)
            PartitionedKeyMerge.forEachPartition(Self.partitionCount, threads: threads) { j in
                do {
                    try QueryControl.checkInterrupt()
                    let q = Partial(keyTypes: keyTypes, specs: aggregates, maySpill: false)
                    for s in sources {
                        for b in s.batches[j] { try consume(q, b) }
                        s.batches[j] = []
                    }
                    out.value[j] = try output(q.table.keyColumns(), q.states, q.table.count)
                } catch {
                    failure.fail(error)
                }
            }
        }
        if let e = failure.failure { throw e }
        return out.compactMap { $0 }
    }
}
