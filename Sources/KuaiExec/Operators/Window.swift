import KuaiCore

/// Window functions (`f(...) OVER (PARTITION BY ... ORDER BY ... frame)`): drains the child,
/// sorts a row permutation once by (partition keys, order keys) with `sortPermutation`, finds
/// partition and peer boundaries in one pass and computes every function over the sorted
/// positions. Output = child columns ++ one column per function, in the child's row order,
/// in batches of up to 65536 rows. Memory: the child's rows, the permutation, two boundary
/// flags per row and the result columns.
public final class WindowOperator: PhysicalOperator {
    public let schema: Schema
    public let child: PhysicalOperator
    public let partitionBy: [Int]
    public let orderBy: [SortKey]
    public let functions: [WindowFunction]

    private var input: [Batch] = []
    private var results: [Column] = []
    private var count = 0
    private var batchIndex = 0
    private var position = 0
    private var done = false
    private static let batchSize = 65536

    /// - Parameters:
    ///   - partitionBy: column indexes of the child.
    ///   - orderBy: the window's ORDER BY (column indexes of the child).
    ///   - functions: output columns appended after the child's; their names are `f0`, `f1`, ...
    ///     in `schema` (the planner renames).
    public init(child: PhysicalOperator, partitionBy: [Int], orderBy: [SortKey], functions: [WindowFunction]) {
        self.child = child
        self.partitionBy = partitionBy
        self.orderBy = orderBy
        self.functions = functions
        let input = child.schema
        self.schema =
            input
            + functions.enumerated().map { i, f in
                Field("f\(i)", WindowFunction.resultType(f.kind, argumentType: f.argument.map { input[$0].type }))
            }
    }

    public func next() throws -> Batch? {
        if !done {
            try run()
            done = true
        }
        guard batchIndex < input.count else {
            input = []
            results = []
            return nil
        }
        // the child's batch as it came, plus the matching slice of every result column
        let b = input[batchIndex]
        input[batchIndex] = Batch(columns: [], count: 0)  // release it once emitted
        batchIndex += 1
        let range = position..<position + b.count
        position += b.count
        let tail = results.map { (range.count == count) ? $0 : $0.slice(range) }
        return Batch(columns: b.columns + tail, count: b.count)
    }

    private func run() throws {
        while let b = try child.next() {
            try MemoryGuard.check()
            if b.count > 0 { input.append(b) }
        }
        let n = input.reduce(0) { $0 + $1.count }
        count = n
        if n == 0 { return }
        let cols = LazyColumns(batches: input, schema: child.schema)
        let keys = partitionBy.map { SortKey(column: $0) } + orderBy
        var perm: [Int32]
        var partStart: [UInt8]? = nil
        var peerStart: [UInt8]? = nil
        if keys.isEmpty {
            perm = (0..<n).map { Int32($0) }
        } else {
            let sorted = try sortRows(
                keyChunks: keys.map { k in input.map { $0.columns[k.column] } }, count: n,
                keys: keys, markPrefixes: [partitionBy.count, keys.count])
            perm = sorted.perm
            partStart = sorted.marks[0]
            peerStart = sorted.marks[1]
        }
        // Boundaries in sorted positions: partStart[i] = 1 when a partition starts at i,
        // peerStart[i] = 1 when a peer group (same partition and order keys) starts at i.
        if partStart == nil {
            var m = [UInt8](repeating: 0, count: n)
            perm.withUnsafeBufferPointer { p in
                m.withUnsafeMutableBufferPointer { mb in
                    mb[0] = 1
                    for k in partitionBy { markChanges(cols[k], perm: p, marks: mb) }
                }
            }
            partStart = m
        }
        let needsPeers = functions.contains { f in
            switch f.kind {
            case .rank, .denseRank, .percentRank, .cumeDist: return true
            case .rowNumber, .lag, .lead, .ntile: return false
            default: return f.effectiveFrame(ordered: !orderBy.isEmpty).mode == .range
            }
        }
        if peerStart == nil && needsPeers {
            var m = partStart!
            perm.withUnsafeBufferPointer { p in
                m.withUnsafeMutableBufferPointer { mb in
                    for k in orderBy { markChanges(cols[k.column], perm: p, marks: mb) }
                }
            }
            peerStart = m
        }
        let partitions = WindowPartitions(
            columns: cols, count: n, perm: perm, partStart: partStart!, peerStart: peerStart ?? partStart!,
            orderBy: orderBy)
        results = try functions.map { try partitions.compute($0) }
    }

    public var explainLine: String {
        let p = partitionBy.map { "#\($0)" }.joined(separator: ", ")
        let o = orderBy.map(\.description).joined(separator: ", ")
        return "Window partition=[\(p)] order=[\(o)] functions=[" + functions.map(\.description).joined(separator: ", ")
            + "]"
    }
    public var children: [PhysicalOperator] { [child] }
}
