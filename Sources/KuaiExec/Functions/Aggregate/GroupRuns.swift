/// The rows of a batch as runs of one group: run r is rows `starts[r] ..< starts[r + 1]` (the
/// last run ends at `rowCount`), all in group `ids[r]`.
///
/// Input clustered by its grouping keys (hours or days of time-ordered events, ids of a table
/// written in id order) gives few long runs. The aggregate operator then hands them to the states
/// that use them (`AggregateState.usesRuns`): count adds a run's length, integer sums add a run's
/// values in one vectorised loop, with no group id loaded and no accumulator stored per row (which
/// row by row, with consecutive rows in one group, also waits on the previous row's store).
public struct GroupRuns {
    public let starts: [Int32]
    public let ids: [Int32]
    public let rowCount: Int

    /// Batches shorter than this are not looked at (the fixed costs would not pay).
    static let minimumRows = 1024
    /// Runs must be this long on average, else `of` gives nil (row by row is as fast).
    static let minimumAverageLength = 16

    /// The runs of the group ids `ids[0..<n]`; nil when the batch is short or its runs are on
    /// average shorter than `minimumAverageLength` rows. The first `minimumRows` rows are looked at
    /// first, so that unclustered input costs about one pass over them.
    static func of(_ ids: UnsafeBufferPointer<Int32>, count n: Int) -> GroupRuns? {
        guard n >= minimumRows else { return nil }
        let most = n / minimumAverageLength
        if changes(ids, 0, minimumRows) > minimumRows / minimumAverageLength { return nil }
        let runCount = 1 + changes(ids, 0, n)
        guard runCount <= most else { return nil }
        var starts = [Int32](repeating: 0, count: runCount)
        var runIds = [Int32](repeating: 0, count: runCount)
        starts.withUnsafeMutableBufferPointer { s in
            runIds.withUnsafeMutableBufferPointer { r in
                var k = 0
                r[0] = ids[0]
                for i in 1..<n where ids[i] != ids[i &- 1] {
                    k &+= 1
                    s[k] = Int32(truncatingIfNeeded: i)
                    r[k] = ids[i]
                }
            }
        }
        return GroupRuns(starts: starts, ids: runIds, rowCount: n)
    }

    /// The rows i in `from + 1 ..< to` whose id differs from row i - 1's (a branch-free loop).
    @inline(__always)
    private static func changes(_ ids: UnsafeBufferPointer<Int32>, _ from: Int, _ to: Int) -> Int {
        var c = 0
        var i = from &+ 1
        while i < to {
            c &+= ids[i] != ids[i &- 1] ? 1 : 0
            i &+= 1
        }
        return c
    }

    /// Calls `body(group, rows)` for each run in row order.
    @inline(__always)
    func eachRun(_ body: (Int, Range<Int>) throws -> Void) rethrows {
        try starts.withUnsafeBufferPointer { s in
            try ids.withUnsafeBufferPointer { g in
                let m = s.count
                for r in 0..<m {
                    let end = r &+ 1 < m ? Int(s[r &+ 1]) : rowCount
                    try body(Int(g[r]), Int(s[r])..<end)
                }
            }
        }
    }
}
