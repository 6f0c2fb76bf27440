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
    /// average shorter than `minimumAverageLength` rows (`runStarts`, deciding within the first
    /// `minimumRows` rows).
    static func of(_ ids: UnsafeBufferPointer<Int32>, count n: Int) -> GroupRuns? {
        guard n >= minimumRows else { return nil }
        var starts: [Int32] = []
        starts.reserveCapacity(n / minimumAverageLength + 1)
        guard runStarts(ids, 0..<n, decidedWithin: minimumRows, into: &starts) else { return nil }
        return GroupRuns(starts: starts, ids: starts.map { ids[Int($0)] }, rowCount: n)
    }

    /// The starts of the runs of equal values in `xs[range]` (into `starts`, emptied first) when
    /// the runs are on average at least `minimumAverageLength` values long; false otherwise.
    /// Blocks of 8 values without a change are passed over with one test, and the search stops
    /// once the first `probe` values, or the range, hold too many runs: unclustered input costs
    /// about one pass over `probe` values. Group ids of a batch (`of`) and integer GROUP BY keys
    /// (`IntKeyTable`, each run looked up once) are found in runs so.
    static func runStarts<T: FixedWidthInteger>(
        _ xs: UnsafeBufferPointer<T>, _ range: Range<Int>, decidedWithin probe: Int, into starts: inout [Int32]
    ) -> Bool {
        let most = range.count / minimumAverageLength
        starts.removeAll(keepingCapacity: true)
        starts.append(Int32(truncatingIfNeeded: range.lowerBound))
        var i = range.lowerBound + 1
        let first = range.lowerBound + probe
        while i < range.upperBound {
            let end = min(range.upperBound, i &+ 8)
            var changed: T = 1
            if end &- i == 8 {
                changed = 0
                for t in 0..<8 { changed |= xs[i &+ t] ^ xs[i &+ t &- 1] }
            }
            if changed != 0 {
                for j in i..<end where xs[j] != xs[j &- 1] { starts.append(Int32(truncatingIfNeeded: j)) }
                if starts.count > most { return false }
            }
            // the runs that start in the first `probe` values, once the search passes them
            if i < first && end >= first && starts.count > probe / minimumAverageLength + 1 { return false }
            i = end
        }
        return true
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
