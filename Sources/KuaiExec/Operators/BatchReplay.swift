import KuaiCore

/// Replays a fixed list of batches (tests, materialised CTEs, results computed in memory).
/// Empty batches are skipped.
public final class BatchReplayOperator: PhysicalOperator {
    public let schema: Schema
    private let batches: [Batch]
    private var position = 0
    private let label: String

    /// - Parameter label: the EXPLAIN name (e.g. "CTE rooms").
    public init(schema: Schema, batches: [Batch], label: String = "Replay") {
        self.schema = schema
        self.batches = batches.filter { $0.count > 0 }
        self.label = label
    }

    /// Replays `columns` (all of `count` rows) in batches of at most `batchSize` rows.
    public convenience init(
        schema: Schema, columns: [Column], count: Int, batchSize: Int = 65536, label: String = "Replay"
    ) {
        var batches: [Batch] = []
        var start = 0
        while start < count {
            let end = min(count, start + batchSize)
            if start == 0 && end == count {
                batches.append(Batch(columns: columns, count: count))
            } else {
                batches.append(Batch(columns: columns.map { $0.slice(start..<end) }, count: end - start))
            }
            start = end
        }
        self.init(schema: schema, batches: batches, label: label)
    }

    public func next() throws -> Batch? {
        guard position < batches.count else { return nil }
        position += 1
        return batches[position - 1]
    }

    public var explainLine: String { "\(label) rows=\(batches.reduce(0) { $0 + $1.count })" }
    public var children: [PhysicalOperator] { [] }
}
