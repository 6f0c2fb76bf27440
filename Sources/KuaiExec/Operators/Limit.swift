import KuaiCore

/// LIMIT / OFFSET without ORDER BY: skips `offset` rows, then passes at most `limit` rows
/// (nil = no limit), slicing the batch that crosses a boundary. Stops pulling from the child
/// once the limit is reached.
public final class LimitOperator: PhysicalOperator {
    public let schema: Schema
    public let child: PhysicalOperator
    public let limit: Int?
    public let offset: Int
    private var skipped = 0
    private var emitted = 0

    /// - Parameters:
    ///   - limit: rows to pass after the offset (nil = all).
    ///   - offset: rows to skip first (negative counts as 0).
    public init(child: PhysicalOperator, limit: Int?, offset: Int) {
        self.child = child
        self.schema = child.schema
        self.limit = limit
        self.offset = max(0, offset)
    }

    public func next() throws -> Batch? {
        while true {
            if let limit, emitted >= limit { return nil }
            guard var b = try child.next() else { return nil }
            var start = 0
            if skipped < offset {
                let skip = min(offset - skipped, b.count)
                skipped += skip
                start = skip
                if start == b.count { continue }
            }
            var stop = b.count
            // No start + limit: LIMIT may be Int64.max.
            if let limit { stop = start + min(stop - start, limit - emitted) }
            b = b.slice(start..<stop)
            emitted += b.count
            return b
        }
    }

    public var explainLine: String {
        "Limit " + (limit.map { "limit=\($0)" } ?? "limit=none") + " offset=\(offset)"
    }
    public var children: [PhysicalOperator] { [child] }
}
