import KuaiCore

extension WindowPartitions {
    /// row_number / rank / dense_rank (BIGINT) of every row, computed in chunks of sorted positions
    /// on every core (`PositionChunks`; a chunk that starts inside a partition starts from the
    /// counts carried in by the chunks before it, so one huge partition splits too).
    ///
    /// Large inputs pair (row, value) in sorted order and radix-sort the pairs by row instead of
    /// scattering values to random rows (a cache miss per row); the pairs array becomes the
    /// result column in place.
    func ranking(_ kind: WindowFunction.Kind) -> Column {
        let n = count
        let chunks = self.chunks
        let carried = rankCarries(chunks)
        if n >= 1 << 16 {
            var elems = [Int64](repeating: 0, count: n)
            var tmp = [UInt64](repeating: 0, count: n)
            elems.withUnsafeMutableBufferPointer { eb in
                eb.withMemoryRebound(to: UInt64.self) { e in
                    perm.withUnsafeBufferPointer { p in
                        chunks.forEachChunk { k, r in
                            forEachRank(kind, r, carried[k]) { i, v in
                                e[i] = UInt64(UInt32(bitPattern: p[i])) << 32 | UInt64(v)
                            }
                        }
                    }
                    tmp.withUnsafeMutableBufferPointer { t in
                        radixSortPacked(e, tmp: t, lowBit: 32, bits: 64 - UInt64(n).leadingZeroBitCount)
                    }
                    chunks.forEachChunk { _, r in for i in r { e[i] &= 0xFFFF_FFFF } }
                }
            }
            tmp = []
            return Column(type: .bigint, ints: elems)
        }
        var out = [Int64](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { o in
            perm.withUnsafeBufferPointer { p in
                chunks.forEachChunk { k, r in forEachRank(kind, r, carried[k]) { i, v in o[Int(p[i])] = v } }
            }
        }
        return Column(type: .bigint, ints: out)
    }

    /// The counters of `forEachRank` at the first position of each chunk: the row number, rank and
    /// dense rank of the position before it (zeros at a partition's start), from one parallel pass
    /// that finds each chunk's last partition start, last peer start and peer starts after the
    /// former, then a pass over the chunks.
    private func rankCarries(_ chunks: PositionChunks) -> [RankCounters] {
        let m = chunks.ranges.count
        var summaries = [(lastPart: Int, lastPeer: Int, peersAfterPart: Int64)](
            repeating: (-1, -1, 0), count: m)
        summaries.withUnsafeMutableBufferPointer { out in
            partStart.withUnsafeBufferPointer { part in
                peerStart.withUnsafeBufferPointer { peer in
                    chunks.forEachChunk { k, r in
                        var s = (lastPart: -1, lastPeer: -1, peersAfterPart: Int64(0))
                        for i in r {
                            if part[i] != 0 { (s.lastPart, s.peersAfterPart) = (i, 0) }
                            if peer[i] != 0 { (s.lastPeer, s.peersAfterPart) = (i, s.peersAfterPart + 1) }
                        }
                        out[k] = s
                    }
                }
            }
        }
        // the partition's and the peer group's first positions and the peer groups seen so far
        var (partAt, peerAt, dense) = (0, 0, Int64(0))
        return chunks.ranges.indices.map { k in
            let lo = chunks.ranges[k].lowerBound
            let c = RankCounters(
                rowNumber: Int64(lo - partAt), rank: Int64(peerAt - partAt + 1), dense: dense)
            let s = summaries[k]
            if s.lastPart >= 0 {
                (partAt, dense) = (s.lastPart, 0)
            }
            if s.lastPeer >= 0 { peerAt = s.lastPeer }
            dense += s.peersAfterPart
            return c
        }
    }

    /// Calls `body(i, value)` for every sorted position i of `range` with the value of `kind` there
    /// (row numbers restart at each partition; ranks advance at each peer group), the counters
    /// starting from `carried` (those of the position before the range).
    @inline(__always)
    private func forEachRank(
        _ kind: WindowFunction.Kind, _ range: Range<Int>, _ carried: RankCounters, _ body: (Int, Int64) -> Void
    ) {
        var rowNumber = carried.rowNumber
        var rank = carried.rank
        var dense = carried.dense
        for i in range {
            if partStart[i] != 0 {
                rowNumber = 0
                rank = 0
                dense = 0
            }
            rowNumber += 1
            if peerStart[i] != 0 {
                rank = rowNumber
                dense += 1
            }
            body(i, kind == .rowNumber ? rowNumber : (kind == .rank ? rank : dense))
        }
    }
}

/// The running counters of row_number / rank / dense_rank at a sorted position.
private struct RankCounters {
    var rowNumber: Int64
    var rank: Int64
    var dense: Int64
}
