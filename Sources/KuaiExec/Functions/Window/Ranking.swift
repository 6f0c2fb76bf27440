import KuaiCore

extension WindowPartitions {
    /// row_number / rank / dense_rank (BIGINT) of every row.
    ///
    /// Large inputs pair (row, value) in sorted order and radix-sort the pairs by row instead of
    /// scattering values to random rows (a cache miss per row); the pairs array becomes the
    /// result column in place.
    func ranking(_ kind: WindowFunction.Kind) -> Column {
        let n = count
        if n >= 1 << 16 {
            var elems = [Int64](repeating: 0, count: n)
            var tmp = [UInt64](repeating: 0, count: n)
            elems.withUnsafeMutableBufferPointer { eb in
                eb.withMemoryRebound(to: UInt64.self) { e in
                    perm.withUnsafeBufferPointer { p in
                        forEachRank(kind) { i, v in e[i] = UInt64(UInt32(bitPattern: p[i])) << 32 | UInt64(v) }
                    }
                    tmp.withUnsafeMutableBufferPointer { t in
                        radixSortPacked(e, tmp: t, lowBit: 32, bits: 64 - UInt64(n).leadingZeroBitCount)
                    }
                    for r in 0..<n { e[r] &= 0xFFFF_FFFF }
                }
            }
            tmp = []
            return Column(type: .bigint, ints: elems)
        }
        var out = [Int64](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { o in
            perm.withUnsafeBufferPointer { p in
                forEachRank(kind) { i, v in o[Int(p[i])] = v }
            }
        }
        return Column(type: .bigint, ints: out)
    }

    /// Calls `body(i, value)` for every sorted position i with the value of `kind` there
    /// (row numbers restart at each partition; ranks advance at each peer group).
    @inline(__always)
    private func forEachRank(_ kind: WindowFunction.Kind, _ body: (Int, Int64) -> Void) {
        var rowNumber: Int64 = 0
        var rank: Int64 = 0
        var dense: Int64 = 0
        for i in 0..<count {
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
