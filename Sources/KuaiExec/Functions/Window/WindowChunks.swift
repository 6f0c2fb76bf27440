import KuaiCore

extension WindowPartitions {
    /// The chunks of `0..<count` the functions of this window split their work into: `chunking`,
    /// else about four per thread (`PositionChunks(count:)`).
    var chunks: PositionChunks { chunking ?? PositionChunks(count: count) }

    /// `starts[i]`: the first sorted position of the group that holds i, where `marks[j] = 1` starts
    /// a group (partitions: `partStart`, peers: `peerStart`); on every core.
    func groupStarts(_ marks: [UInt8]) -> [Int32] {
        let chunks = self.chunks
        let carried = chunks.lastMarkBefore(marks)
        var starts = [Int32](repeating: 0, count: count)
        starts.withUnsafeMutableBufferPointer { out in
            marks.withUnsafeBufferPointer { m in
                chunks.forEachChunk { k, r in
                    var s = carried[k]
                    for i in r {
                        if m[i] != 0 { s = i }
                        out[i] = Int32(s)
                    }
                }
            }
        }
        return starts
    }

    /// `ends[i]`: the end (exclusive) of the group that holds sorted position i (`groupStarts`'
    /// groups); on every core.
    func groupEnds(_ marks: [UInt8]) -> [Int32] {
        let chunks = self.chunks
        let carried = chunks.firstMarkAfter(marks, count: count)
        var ends = [Int32](repeating: 0, count: count)
        ends.withUnsafeMutableBufferPointer { out in
            marks.withUnsafeBufferPointer { m in
                chunks.forEachChunk { k, r in
                    var e = carried[k]
                    for i in r.reversed() {
                        out[i] = Int32(e)
                        if m[i] != 0 { e = i }
                    }
                }
            }
        }
        return ends
    }
}
