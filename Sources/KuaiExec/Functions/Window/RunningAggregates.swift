import KuaiCore

/// The running count and integer sum of a stretch of sorted positions.
private struct RunningTotals {
    var count: Int64 = 0
    var sum: Int64 = 0
    /// True when a sum left Int64 (the caller falls back to 128-bit sums).
    var overflow = false

    @inline(__always)
    mutating func add(_ other: RunningTotals) {
        count += other.count
        let (s, o) = sum.addingReportingOverflow(other.sum)
        sum = s
        overflow = overflow || o || other.overflow
    }

    @inline(__always)
    mutating func add(_ x: Int64) {
        count += 1
        let (s, o) = sum.addingReportingOverflow(x)
        sum = s
        overflow = overflow || o
    }
}

/// What `runningIntAggregate`'s first pass learns of one chunk of sorted positions.
private struct ChunkTotals {
    /// A partition starts in the chunk.
    var partitionStarts = false
    /// The totals after the chunk's last partition start (the whole chunk when none).
    var tail = RunningTotals()
    /// A peer group starts in the chunk.
    var peerStarts = false
    /// The totals before the chunk's first peer-group start (the whole chunk when none).
    var head = RunningTotals()
}

extension WindowPartitions {
    /// count(x), count(*), sum and avg of integers (DECIMAL as unscaled integers; not HUGEINT) over a
    /// running frame: `ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`, or RANGE / GROUPS
    /// `BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW` (to the end of the row's peer group; DuckDB's
    /// default frame with ORDER BY), without EXCLUDE. Computed in chunks of sorted positions on every
    /// core, whatever the partitions (one huge partition splits too): a first pass totals each chunk
    /// after its last partition start and before its first peer-group start, the carries into each
    /// chunk follow chunk by chunk, and a second pass runs each chunk from its carry. Values as
    /// `framedCount` / `framedIntSum` give them (exact sums); nil when a sum leaves Int64 (the caller
    /// then takes the 128-bit block path).
    func runningIntAggregate(_ f: WindowFunction, _ a: Column?, _ frame: WindowFrame) -> Column? {
        guard frame.start == .unboundedPreceding, frame.end == .currentRow, frame.exclusion == .noOthers,
            a == nil || a!.highs == nil
        else { return nil }
        let counting = f.kind == .count || f.kind == .countStar
        guard counting || ([.sum, .avg].contains(f.kind) && a != nil && a!.type != .double) else { return nil }
        let peers = frame.mode != .rows
        let chunks = self.chunks
        let totals = chunkTotals(a, chunks, summing: !counting, peers: peers)
        if totals.contains(where: { $0.tail.overflow || $0.head.overflow }) { return nil }
        // carried[k]: the partition's totals before chunk k; rest[k]: the totals of the peer group
        // that continues past chunk k's end, after it
        var carried = [RunningTotals](repeating: RunningTotals(), count: totals.count)
        var running = RunningTotals()
        for k in totals.indices {
            carried[k] = running
            if totals[k].partitionStarts { running = RunningTotals() }
            running.add(totals[k].tail)
        }
        var rest = [RunningTotals](repeating: RunningTotals(), count: totals.count)
        if peers {
            for k in totals.indices.reversed().dropFirst() {
                rest[k] = totals[k + 1].head
                if !totals[k + 1].peerStarts { rest[k].add(rest[k + 1]) }
            }
        }
        if running.overflow || carried.contains(where: \.overflow) || rest.contains(where: \.overflow) { return nil }
        return runningValues(f, a, chunks, carried, rest, peers: peers)
    }

    /// The first pass of `runningIntAggregate`: each chunk's `ChunkTotals`.
    private func chunkTotals(_ a: Column?, _ chunks: PositionChunks, summing: Bool, peers: Bool) -> [ChunkTotals] {
        var totals = [ChunkTotals](repeating: ChunkTotals(), count: chunks.ranges.count)
        totals.withUnsafeMutableBufferPointer { out in
            chunks.forEachChunk { k, r in
                var t = ChunkTotals()
                for i in r {
                    if partStart[i] != 0 {
                        t.partitionStarts = true
                        t.tail = RunningTotals()
                    }
                    if peers && peerStart[i] != 0 { t.peerStarts = true }
                    let row = Int(perm[i])
                    guard a.map({ Self.holdsValue($0, row) }) ?? true else { continue }
                    let x = summing ? a!.ints[row] : 0
                    t.tail.add(x)
                    if peers && !t.peerStarts { t.head.add(x) }
                }
                out[k] = t
            }
        }
        return totals
    }

    /// True when row `r` of `a` is not NULL (a NULL-typed column holds no value).
    @inline(__always)
    private static func holdsValue(_ a: Column, _ r: Int) -> Bool {
        a.type != .null && (a.validity == nil || a.validity![r] != 0)
    }

    /// The second pass of `runningIntAggregate`: every chunk from its carry, in runs of positions
    /// that share a frame end (one position for ROWS, a peer group's part in the chunk otherwise);
    /// nil when a running sum leaves Int64.
    private func runningValues(
        _ f: WindowFunction, _ a: Column?, _ chunks: PositionChunks, _ carried: [RunningTotals],
        _ rest: [RunningTotals], peers: Bool
    ) -> Column? {
        let counting = f.kind == .count || f.kind == .countStar
        let average = f.kind == .avg
        let wide = a.map { !$0.type.isNarrowInteger && $0.type != .boolean } ?? false
        var decimalScale: Int? = nil
        var sumType = DataType.hugeint
        if let a, case .decimal(_, let scale) = a.type {
            decimalScale = Int(scale)
            sumType = .decimal(precision: 38, scale: scale)
        }
        var ints = average ? [] : [Int64](repeating: 0, count: count)
        var doubles = average ? [Double](repeating: 0, count: count) : []
        var validity = [UInt8](repeating: 1, count: counting ? 0 : count)
        var overflowed = [Bool](repeating: false, count: chunks.ranges.count)
        overflowed.withUnsafeMutableBufferPointer { overflowed in
            ints.withUnsafeMutableBufferPointer { o in
                doubles.withUnsafeMutableBufferPointer { d in
                    validity.withUnsafeMutableBufferPointer { v in
                        chunks.forEachChunk { k, r in
                            var running = carried[k]
                            var i = r.lowerBound
                            while i < r.upperBound {
                                if partStart[i] != 0 { running = RunningTotals() }
                                var end = i + 1
                                if peers { while end < r.upperBound && peerStart[end] == 0 { end += 1 } }
                                for j in i..<end {
                                    let row = Int(perm[j])
                                    if a.map({ Self.holdsValue($0, row) }) ?? true {
                                        running.add(counting ? 0 : a!.ints[row])
                                    }
                                }
                                var total = running
                                if peers && end == r.upperBound { total.add(rest[k]) }
                                if total.overflow {
                                    overflowed[k] = true
                                    return
                                }
                                for j in i..<end {
                                    let row = Int(perm[j])
                                    if counting {
                                        o[row] = total.count
                                    } else if total.count == 0 {
                                        v[row] = 0
                                    } else if average {
                                        let sum = Int128(total.sum)
                                        d[row] =
                                            decimalScale.map { DecimalMath.average(sum, count: total.count, scale: $0) }
                                            ?? avgDivide(sum, total.count, wide: wide)
                                    } else {
                                        o[row] = total.sum
                                    }
                                }
                                i = end
                            }
                        }
                    }
                }
            }
        }
        if overflowed.contains(true) { return nil }
        let valid = validity.contains(0) ? validity : nil
        if counting { return Column(type: .bigint, ints: ints) }
        if average { return Column(doubles: doubles, validity: valid) }
        return Column(type: sumType, ints: ints, validity: valid)
    }
}
