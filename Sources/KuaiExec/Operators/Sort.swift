import KuaiCore

/// ORDER BY (with optional LIMIT/OFFSET = top-N): drains the child, sorts, emits batches of up
/// to 65536 rows.
///
/// Order as DuckDB: per key ASC/DESC with NULLS FIRST/LAST as given, VARCHAR in byte order,
/// DOUBLE with -0.0 = 0.0 and NaN above +inf; ties keep input order (stable).
/// Full sort: contiguous columns + radix sort of a row permutation by packed normalised keys.
/// With `limit`: the kept rows are compacted to the best `limit + offset` whenever the buffer
/// reaches max(4 * (limit + offset), 65536) rows, so memory stays bounded by the limit.
public final class SortOperator: PhysicalOperator {
    public let schema: Schema
    public let child: PhysicalOperator
    public let keys: [SortKey]
    public let limit: Int?
    public let offset: Int

    private var output: [Column] = []
    private var perm: [Int32] = []
    private var position = 0
    private var end = 0
    private var done = false
    private static let batchSize = 65536

    /// - Parameters:
    ///   - keys: column indexes of the child's output; at least one.
    ///   - limit: rows to emit after `offset` (nil = all).
    ///   - offset: rows to skip first.
    public init(child: PhysicalOperator, keys: [SortKey], limit: Int? = nil, offset: Int = 0) {
        self.child = child
        self.schema = child.schema
        self.keys = keys
        self.limit = limit
        self.offset = max(0, offset)
    }

    private func run() throws {
        done = true
        if let limit, limit <= 0 { return }
        var collector = BatchCollector(schema: schema)
        if let limit {
            let keep = limit.addingReportingOverflow(offset).overflow ? Int.max : limit + offset
            let threshold = keep > (Int.max / 8) ? Int.max : max(4 * keep, 65536)
            // After a compaction that kept `keep` rows, rows whose first key is strictly worse
            // than the last kept row's cannot enter the result: they are dropped on arrival.
            var bound: TopNBound? = nil
            while let whole = try child.next() {
                try MemoryGuard.check()
                // A large batch (a GROUP BY's whole output) is taken a slice at a time, so that
                // the bound set by the first compaction filters the rest instead of one sort of all.
                for start in stride(from: 0, to: whole.count, by: threshold) {
                    let end = min(whole.count, start + threshold)
                    var b =
                        end - start == whole.count
                        ? whole : Batch(columns: whole.columns.map { $0.slice(start..<end) }, count: end - start)
                    if let bound {
                        guard let filtered = bound.filter(b) else { continue }
                        b = filtered
                    }
                    collector.append(b)
                    if collector.count >= threshold {
                        let n = collector.count
                        let cols = collector.take()
                        let p = try sortPermutation(cols, count: n, keys: keys)
                        let kept = gatherBatch(cols, perm: p, range: 0..<min(keep, n))
                        collector.append(kept)
                        if kept.count == keep { bound = TopNBound(kept, key: keys[0]) }
                    }
                }
            }
        } else {
            while let b = try child.next() {
                try MemoryGuard.check()
                collector.append(b)
            }
        }
        let n = collector.count
        output = collector.take()
        perm = try sortPermutation(output, count: n, keys: keys)
        position = min(offset, n)
        end = limit.map { position + min(n - position, $0) } ?? n  // no position + limit: LIMIT may be Int64.max
    }

    public func next() throws -> Batch? {
        if !done { try run() }
        guard position < end else {
            output = []
            perm = []
            return nil
        }
        let stop = min(end, position + Self.batchSize)
        let b = gatherBatch(output, perm: perm, range: position..<stop)
        position = stop
        return b
    }

    public var explainLine: String {
        let k = keys.map(\.description).joined(separator: ", ")
        if let limit { return "TopN limit=\(limit) offset=\(offset) keys=[\(k)]" }
        return "Sort keys=[\(k)]" + (offset > 0 ? " offset=\(offset)" : "")
    }
    public var children: [PhysicalOperator] { [child] }
}
