import KuaiCore

/// ORDER BY (with optional LIMIT/OFFSET = top-N): drains the child, sorts, emits batches of up
/// to 65536 rows.
///
/// Order as DuckDB: per key ASC/DESC with NULLS FIRST/LAST as given, VARCHAR in byte order,
/// DOUBLE with -0.0 = 0.0 and NaN above +inf; ties keep input order (stable).
/// Full sort: contiguous columns + radix sort of a row permutation by packed normalised keys.
/// With `limit`: the kept rows are compacted to the best `limit + offset` whenever the buffer
/// reaches max(4 * (limit + offset), 1024) rows, so memory stays bounded by the limit.
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
    private let morsels: MorselSource?
    private let threads: Int
    /// With `limit`: where the top-N publishes its bound on the first key for the scan below
    /// (`TopNFilter`; set by the planner when it placed the filter there).
    public var topNFilter: TopNFilter?

    /// - Parameters:
    ///   - keys: column indexes of the child's output; at least one.
    ///   - limit: rows to emit after `offset` (nil = all).
    ///   - offset: rows to skip first.
    ///   - morsels: with `limit`, the morsel source `child` drives: the top-N then runs on
    ///     `threads` threads, one buffer each (`runParallelTopN`), instead of pulling `child`.
    public init(
        child: PhysicalOperator, keys: [SortKey], limit: Int? = nil, offset: Int = 0, morsels: MorselSource? = nil,
        threads: Int = 1
    ) {
        self.child = child
        self.schema = child.schema
        self.keys = keys
        self.limit = limit
        self.offset = max(0, offset)
        self.morsels = morsels
        self.threads = threads
    }

    /// Top-N over `source` on `threads` threads: each worker keeps a `TopNBuffer` of its rows
    /// tagged with their position in the source (morsel << 32 | row), ordered by the keys and
    /// then the position; the union of the buffers holds the best `keep` rows, which are sorted
    /// the same way at the end, so ties keep the source's order as the one-thread path does.
    private func runParallelTopN(_ source: MorselSource, keep: Int) throws {
        let tagged = schema + [Field("#position", .bigint)]
        let tagKeys = keys + [SortKey(column: schema.count)]
        let workers = (0..<threads).map { _ in TopNWorker(TopNBuffer(schema: tagged, keys: tagKeys, keep: keep)) }
        for w in workers { w.buffer.shared = topNFilter }
        try MorselScheduler.run(source, threads: threads) { w, i, b in
            try MemoryGuard.check()
            let base = Int64(i) << 32
            let position = Column(type: .bigint, ints: (0..<b.count).map { base | Int64($0) })
            try workers[w].buffer.add(Batch(columns: b.columns + [position], count: b.count))
        }
        var all = BatchCollector(schema: tagged)
        for worker in workers {
            let n = worker.buffer.count
            all.append(Batch(columns: worker.buffer.take(), count: n))
        }
        let n = all.count
        let cols = all.take()
        emit(Array(cols.dropLast()), count: n, perm: try sortPermutation(cols, count: n, keys: tagKeys))
    }

    /// Sets up `next` to return rows `offset ..< offset + limit` of `columns` (`n` rows) in
    /// `perm` order.
    private func emit(_ columns: [Column], count n: Int, perm: [Int32]) {
        output = columns
        self.perm = perm
        position = min(offset, n)
        end = limit.map { position + min(n - position, $0) } ?? n  // no position + limit: LIMIT may be Int64.max
    }

    private func run() throws {
        done = true
        if let limit, limit <= 0 { return }
        var collector = BatchCollector(schema: schema)
        if let limit {
            let keep = limit.addingReportingOverflow(offset).overflow ? Int.max : limit + offset
            if let morsels, threads > 1 { return try runParallelTopN(morsels, keep: keep) }
            var buffer = TopNBuffer(schema: schema, keys: keys, keep: keep)
            buffer.shared = topNFilter
            while let b = try child.next() {
                try MemoryGuard.check()
                try buffer.add(b)
            }
            let n = buffer.count
            collector.append(Batch(columns: buffer.take(), count: n))
        } else {
            while let b = try child.next() {
                try MemoryGuard.check()
                collector.append(b)
            }
        }
        let n = collector.count
        let columns = collector.take()
        emit(columns, count: n, perm: try sortPermutation(columns, count: n, keys: keys))
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

/// One worker's top-N buffer (each worker of `runParallelTopN` touches only its own).
private final class TopNWorker: @unchecked Sendable {
    var buffer: TopNBuffer
    init(_ buffer: TopNBuffer) { self.buffer = buffer }
}
