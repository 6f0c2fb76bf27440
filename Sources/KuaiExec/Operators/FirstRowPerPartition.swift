import KuaiCore

/// `row_number() OVER (PARTITION BY p ORDER BY o)` kept only where it is 1 (`QUALIFY ... = 1`,
/// and `SELECT DISTINCT ON (p) ... ORDER BY p, o`, which the binder writes so): of each partition,
/// the first row by the order keys, found in one pass instead of the window's sort of every row.
///
/// Drains the child; maps each row's partition keys to a group id (`GroupKeyTable`, NULL keys
/// one partition as in PARTITION BY); keeps per group the row that compares first on the order
/// keys (`TieBreakKeys`: DuckDB's order of values, NULLs as each key says), the earliest of rows
/// that tie (what the window's stable sort numbers 1). Output = the child's columns of those rows,
/// one per partition in order of the partitions' first rows, plus the row number (BIGINT 1), the
/// schema of the window it replaces. Memory: the child's rows, a group id per row, the order
/// keys' words; no permutation, no sort scratch.
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

    /// Collects the child's rows into `rows` and returns the row kept for each partition, the
    /// partitions in order of their first rows.
    private func run() throws -> [Int32] {
        var collector = BatchCollector(schema: child.schema)
        while let b = try child.next() {
            try MemoryGuard.check()
            if b.count > 0 { collector.append(b) }
        }
        let n = collector.count
        let cols = collector.take()
        guard n > 0 else { return [] }
        rows = cols
        let table = makeGroupKeyTable(keyTypes: partitionBy.map { child.schema[$0].type })
        var ids = [Int32](repeating: 0, count: n)
        ids.withUnsafeMutableBufferPointer { table.findOrInsert(partitionBy.map { cols[$0] }, rowCount: n, into: $0) }
        // an order key that is a partition key ties within every partition (DISTINCT ON's ORDER BY
        // starts with them)
        let keys = orderBy.filter { !partitionBy.contains($0.column) }
        let order = TieBreakKeys(keyChunks: keys.map { [cols[$0.column]] }, keys: keys, count: n)
        var best = [Int32](repeating: -1, count: table.count)
        best.withUnsafeMutableBufferPointer { best in
            ids.withUnsafeBufferPointer { ids in
                if order.keys.count == 1 && order.keys[0].views == nil {
                    Self.keepFirst(by: order.keys[0], ids: ids, best: best)
                    return
                }
                for i in 0..<n {
                    let g = Int(ids[i])
                    let b = best[g]
                    if b < 0 || (!order.keys.isEmpty && order.compare(i, Int(b)) < 0) { best[g] = Int32(i) }
                }
            }
        }
        return best
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
