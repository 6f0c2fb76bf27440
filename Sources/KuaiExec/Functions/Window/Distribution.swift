import KuaiCore

extension WindowPartitions {
    /// ntile(n) (BIGINT), percent_rank() and cume_dist() (DOUBLE) of every row, as DuckDB 2.0.1
    /// computes them (they ignore the frame):
    /// - ntile: rows of a partition of `N` rows numbered 0..<N split into min(n, N) buckets, the
    ///   first `N mod buckets` of them one row larger;
    /// - percent_rank: (rank - 1) / (N - 1), 0 for a one-row partition;
    /// - cume_dist: (rows up to the end of the row's peer group) / N.
    ///
    /// Every position's value depends only on its partition's and peer group's bounds
    /// (`groupStarts`, `groupEnds`), so the positions are computed in chunks on every core.
    func distribution(_ f: WindowFunction) -> Column {
        let n = count
        let partStarts = groupStarts(partStart)
        let partEnds = groupEnds(partStart)
        let peerBounds =
            f.kind == .ntile ? [] : (f.kind == .percentRank ? groupStarts(peerStart) : groupEnds(peerStart))
        var ints = f.kind == .ntile ? [Int64](repeating: 0, count: n) : []
        var doubles = f.kind == .ntile ? [] : [Double](repeating: 0, count: n)
        ints.withUnsafeMutableBufferPointer { ints in
            doubles.withUnsafeMutableBufferPointer { doubles in
                chunks.forEachChunk { _, r in
                    for i in r {
                        let begin = Int64(partStarts[i])
                        let total = Int64(partEnds[i]) - begin
                        let at = Int64(i) - begin
                        let row = Int(perm[i])
                        switch f.kind {
                        case .ntile:
                            let buckets = min(Int64(f.offset), total)
                            let size = total / buckets
                            let large = total - buckets * size
                            let smallStart = large * (size + 1)
                            ints[row] = at < smallStart ? 1 + at / (size + 1) : 1 + large + (at - smallStart) / size
                        case .percentRank:
                            let rank = Int64(peerBounds[i]) - begin + 1
                            doubles[row] = total > 1 ? Double(rank - 1) / Double(total - 1) : 0
                        default:
                            doubles[row] = Double(Int64(peerBounds[i]) - begin) / Double(total)
                        }
                    }
                }
            }
        }
        return f.kind == .ntile ? Column(type: .bigint, ints: ints) : Column(doubles: doubles)
    }
}
