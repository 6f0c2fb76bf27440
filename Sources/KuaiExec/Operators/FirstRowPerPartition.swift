import KuaiCore

/// `row_number() OVER (PARTITION BY p ORDER BY o)` kept only where it is 1 (`QUALIFY ... = 1`,
/// and `SELECT DISTINCT ON (p) ... ORDER BY p, o`, which the binder writes so): of each partition,
/// the first row by the order keys, found in one pass instead of the window's sort of every row.
///
/// Drains the child a batch at a time; maps each row's partition keys to a group id
/// (`GroupKeyTable`, NULL keys one partition as in PARTITION BY); keeps per group the row that
/// compares first on the order keys (`TieBreakKeys`: DuckDB's order of values, NULLs as each key
/// says), the earliest of rows that tie (what the window's stable sort numbers 1). Output = the
/// child's columns of those rows, one per partition in order of the partitions' first rows, plus
/// the row number (BIGINT 1), the schema of the window it replaces. Memory: each batch's first
/// rows per partition (reduced again past twice the partitions), a row id per partition; not
/// the child's rows, no permutation, no sort scratch.
public final class FirstRowPerPartitionOperator: PhysicalOperator {
    public let schema: Schema
    public let child: PhysicalOperator
    public let partitionBy: [Int]
    public let orderBy: [SortKey]
    /// The child's rows (after `run`) and the row kept for each partition, in output order.
    private var rows: [Column] = []
    private var kept: [Int32]? = nil
    private var emitted = 0
    private static let batchSize = 65536

    /// - Parameters:
    ///   - partitionBy: column indexes of the child (may be empty: one partition).
    ///   - orderBy: the window's ORDER BY (column indexes of the child; may be empty: the first
    ///     row to arrive).
    public init(child: PhysicalOperator, partitionBy: [Int], orderBy: [SortKey]) {
        self.child = child
        self.partitionBy = partitionBy
        self.orderBy = orderBy
        schema = child.schema + [Field("f0", .bigint)]
    }

    /// The kept rows a batch at a time, gathered as they are asked for (the child's rows are
    /// released after the last batch).
    public func next() throws -> Batch? {
        if kept == nil { kept = try run() }
        let all = kept!
        guard emitted < all.count else {
            rows = []
            return nil
        }
        let end = min(all.count, emitted + Self.batchSize)
        let batch = all[emitted..<end].withUnsafeBufferPointer { sel in rows.map { $0.gather(sel) } }
        let n = end - emitted
        emitted = end
        return Batch(columns: batch + [Column.broadcast(.int(1), type: .bigint, count: n)], count: n)
    }

    /// Reduces the child's rows batch by batch to the first row of each partition and returns the
    /// rows kept (`rows` holds them, the partitions in order of their first rows).
    ///
    /// Each batch keeps its first row of each partition it holds (a candidate); the candidates,
    /// in input order, are reduced the same way when they pass twice the partition count, and at
    /// the end to row ids. A row of a later batch wins only by comparing first, so ties keep the
    /// earliest row as before. A batch whose rows mostly start partitions is kept whole. Memory:
    /// the candidates and a row id per partition; every row only when most rows start one.
    private func run() throws -> [Int32] {
        let table = makeGroupKeyTable(keyTypes: partitionBy.map { child.schema[$0].type })
        // an order key that is a partition key ties within every partition (DISTINCT ON's ORDER BY
        // starts with them)
        let keys = orderBy.filter { !partitionBy.contains($0.column) }
        var candidates = BatchCollector(schema: child.schema)
        var candidateIds: [Int32] = []
        var best: [Int32] = []
        /// Reduces `candidates` to one row per partition, in partition order.
        func reduce() {
            guard candidates.count > 0 else { return }
            let cols = candidates.take()
            let kept = candidateIds.withUnsafeBufferPointer { ids in
                Self.firstRows(cols, ids: ids, keys: keys, best: &best, partitionOrder: true)
            }
            kept.withUnsafeBufferPointer { sel in
                candidates.append(Batch(columns: cols.map { $0.gather(sel) }, count: sel.count))
                candidateIds = sel.map { candidateIds[Int($0)] }
            }
        }
        while let b = try child.next() {
            try MemoryGuard.check()
            guard b.count > 0 else { continue }
            var ids = [Int32](repeating: 0, count: b.count)
            let before = table.count
            ids.withUnsafeMutableBufferPointer {
                table.findOrInsert(partitionBy.map { b.columns[$0] }, rowCount: b.count, into: $0)
            }
            if best.count < table.count { best += repeatElement(-1, count: table.count - best.count) }
            // most rows start a new partition (one row per key, as live_id in room): nothing to drop
            let fresh = (table.count - before) * 2 > b.count
            let kept =
                fresh
                ? []
                : ids.withUnsafeBufferPointer { ids in
                    Self.firstRows(b.columns, ids: ids, keys: keys, best: &best, partitionOrder: false)
                }
            if fresh || kept.count * 2 > b.count {
                // most rows are first rows here: keep the batch whole rather than copy them
                candidates.append(b)
                candidateIds += ids
            } else {
                kept.withUnsafeBufferPointer { sel in
                    candidates.append(Batch(columns: b.columns.map { $0.gather(sel) }, count: sel.count))
                    for r in sel { candidateIds.append(ids[Int(r)]) }
                }
            }
            if candidates.count >= max(Self.batchSize, 2 * table.count) { reduce() }
        }
        // the last reduction keeps row ids only: `next` gathers the kept rows a batch at a time
        guard candidates.count > 0 else { return [] }
        rows = candidates.take()
        return candidateIds.withUnsafeBufferPointer { ids in
            Self.firstRows(rows, ids: ids, keys: keys, best: &best, partitionOrder: true)
        }
    }

    /// The first row by `keys` of each partition among rows `0..<ids.count` of `columns` (`ids`:
    /// their partition ids), the earliest of rows that tie: in order of the partitions' first rows
    /// here, or of the partition ids when `partitionOrder`. `best` (one entry per partition id, all
    /// -1) is scratch, left all -1.
    private static func firstRows(
        _ columns: [Column], ids: UnsafeBufferPointer<Int32>, keys: [SortKey], best: inout [Int32],
        partitionOrder: Bool
    ) -> [Int32] {
        let n = ids.count
        let order = TieBreakKeys(keyChunks: keys.map { [columns[$0.column]] }, keys: keys, count: n)
        return best.withUnsafeMutableBufferPointer { best in
            if order.keys.count == 1 && order.keys[0].views == nil {
                keepFirst(by: order.keys[0], ids: ids, best: best)
            } else {
                for i in 0..<n {
                    let g = Int(ids[i])
                    let b = best[g]
                    if b < 0 || (!order.keys.isEmpty && order.compare(i, Int(b)) < 0) { best[g] = Int32(i) }
                }
            }
            var kept: [Int32] = []
            if partitionOrder {
                // every partition id up to the largest here, in id order
                let top = ids.reduce(-1) { max($0, Int($1)) }
                for g in 0...max(top, 0) where best[g] >= 0 {
                    kept.append(best[g])
                    best[g] = -1
                }
            } else {
                for i in 0..<n {
                    let g = Int(ids[i])
                    if best[g] >= 0 {
                        kept.append(best[g])
                        best[g] = -1
                    }
                }
            }
            return kept
        }
    }

    /// The loop of `run` for one order key held as order-preserving words: `TieBreakKeys.compare`
    /// for that key, inlined.
    private static func keepFirst(
        by key: TieBreakKeys.Key, ids: UnsafeBufferPointer<Int32>, best: UnsafeMutableBufferPointer<Int32>
    ) {
        let (ascending, nullsFirst) = (key.ascending, key.nullsFirst)
        key.words.withUnsafeBufferPointer { w in
            key.isNull.withUnsafeBufferPointer { nulls in
                let hasNulls = !nulls.isEmpty
                for i in 0..<ids.count {
                    let g = Int(ids[i])
                    let b = Int(best[g])
                    if b < 0 {
                        best[g] = Int32(i)
                        continue
                    }
                    let ni = hasNulls && nulls[i] != 0
                    let nb = hasNulls && nulls[b] != 0
                    let first: Bool
                    if ni || nb {
                        first = ni != nb && ni == nullsFirst
                    } else {
                        first = ascending ? w[i] < w[b] : w[i] > w[b]
                    }
                    if first { best[g] = Int32(i) }
                }
            }
        }
    }

    public var explainLine: String {
        "FirstRowPerPartition partition=[" + partitionBy.map { "#\($0)" }.joined(separator: ", ") + "] order=["
            + orderBy.map(\.description).joined(separator: ", ") + "]"
    }
    public var children: [PhysicalOperator] { [child] }
}
