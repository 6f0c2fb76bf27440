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
    /// average shorter than `minimumAverageLength` rows. Blocks of 8 rows without a change are
    /// passed over with one test; the search stops once the first `minimumRows` rows, or the
    /// batch, hold too many runs, so that unclustered input costs about one pass over 1024 rows.
    static func of(_ ids: UnsafeBufferPointer<Int32>, count n: Int) -> GroupRuns? {
        guard n >= minimumRows else { return nil }
        let most = n / minimumAverageLength
        var starts = [Int32]()
        var runIds = [Int32]()
        starts.reserveCapacity(most)
        runIds.reserveCapacity(most)
        starts.append(0)
        runIds.append(ids[0])
        var i = 1
        while i < n {
            let end = min(n, i &+ 8)
            var changed: Int32 = 0
            if end &- i == 8 {
                for t in 0..<8 { changed |= ids[i &+ t] ^ ids[i &+ t &- 1] }
            } else {
                changed = 1
            }
            if changed != 0 {
                for j in i..<end where ids[j] != ids[j &- 1] {
                    starts.append(Int32(truncatingIfNeeded: j))
                    runIds.append(ids[j])
                }
                if starts.count > most { return nil }
            }
            // the runs that start in the first `end` rows, once they pass `minimumRows`
            if i < minimumRows && end >= minimumRows && starts.count > end / minimumAverageLength + 1 { return nil }
            i = end
        }
        return GroupRuns(starts: starts, ids: runIds, rowCount: n)
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
