import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

/// The dense join build partitioned and grouped on one or several threads
/// (`LoneFirstGrouping.groupDense`: rows scattered into partitions of 2^16 buckets, then each
/// thread places the rows of its own partitions and numbers its lists from its own base) holds
/// the same rows per bucket, in build order, as the one-pass grouping; lone buckets, repeated
/// keys, NULL keys, empty buckets, keys at both ends of the span, a last partition cut short, and
/// fewer partitions than threads.
@Suite struct DenseJoinGroupingTests {
    /// The build rows of every bucket, as `JoinHashTable.buildRows(ofBucket:)` reads them.
    func rowsPerBucket(_ g: JoinHashTable.Grouped) -> [[Int32]] {
        g.bucketRow.map { v in
            if v == -1 { return [] }
            if v >= 0 { return [v] }
            let k = JoinHashTable.list(ofEntry: v)
            return Array(g.listRows[Int(g.listOffsets[k])..<Int(g.listOffsets[k + 1])])
        }
    }

    @Test(arguments: [(1, 400_000), (2, 400_000), (3, 400_000), (4, 400_000), (4, 70_000), (3, 1000)])
    func sameRowsAsOnePass(threads: Int, width: Int) throws {
        var rng = SplitMix64(seed: UInt64(40 + threads))
        let n = 300_000
        let span: (lo: Int64, hi: Int64) = (1000, 1000 + Int64(width))
        var keys = (0..<n).map { _ in span.lo + Int64(rng.next() % UInt64(width + 1)) }
        keys[0] = span.lo
        keys[1] = span.hi
        keys[2] = span.hi
        var valid = [UInt8](repeating: 1, count: n)
        for i in stride(from: 5, to: n, by: 97) { valid[i] = 0 }
        let col = Column(type: .bigint, ints: keys, validity: valid)
        let one = JoinHashTable.groupDenseInOrder(col, n, span)
        let many = JoinHashTable.groupDense(col, n, span, threads: threads)
        #expect(many.unique == one.unique)
        #expect(rowsPerBucket(many) == rowsPerBucket(one))
        // every valid row is in its key's bucket, once, and no NULL-keyed row is anywhere
        let placed = rowsPerBucket(many).flatMap { $0 }
        #expect(placed.count == valid.filter { $0 != 0 }.count)
        #expect(Set(placed).count == placed.count)
    }

    @Test func uniqueKeysStayUnique() {
        let n = 300_000
        let keys = (0..<n).map { Int64(n - $0) }
        let col = Column(type: .bigint, ints: keys)
        let g = JoinHashTable.groupDense(col, n, (1, Int64(n)), threads: 2)
        #expect(g.unique)
        #expect(g.listRows.isEmpty)
        #expect(g.bucketRow[0] == Int32(n - 1))
    }
}
