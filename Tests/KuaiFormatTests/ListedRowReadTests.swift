import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiFormat

/// `StoreTable.readColumn(_:block:rows:)` (a scan's late materialisation of a selective filter)
/// against the whole block gathered: bit-packed columns of widths 0, 1, 17, 40 and 64, byte-wide
/// and near-sorted (delta) columns, DATE and TIMESTAMP, NULLs, a short last block, and
/// selections that are empty, single rows, both block ends, every row and random.
@Suite struct ListedRowReadTests {
    @Test func listedRowsEqualTheGatheredBlock() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var g = SplitMix64(seed: 42)
        let n = 2 * FormatConstants.blockRows + 1234
        let columns = Self.shapes(&g, rows: n)
        let schema = columns.map { Field($0.0, $0.1) }
        let all = columns.map { intCol($0.2, type: $0.1) }
        var batches: [Batch] = []
        var s = 0
        while s < n {
            let e = min(n, s + 50_000)
            batches.append(Batch(columns: all.map { $0.slice(s..<e) }, count: e - s))
            s = e
        }
        try writeStore(dir.sub("s"), [TableSpec(name: "t", schema: schema, batches: batches)])
        let t = try Store.open(at: dir.sub("s")).table("t")
        for b in 0..<t.blockCount {
            let rows = t.blockRowCount(b)
            var selections: [[Int32]] = [
                [], [0], [Int32(rows - 1)], [0, Int32(rows - 1)], (0..<Int32(rows)).map { $0 },
            ]
            selections.append((0..<Int32(rows)).filter { _ in g.next() % 97 == 0 })
            selections.append((0..<Int32(rows)).filter { _ in g.next() % 3 == 0 })
            for c in 0..<columns.count {
                let whole = try t.readColumn(c, block: b)
                for sel in selections {
                    let got = try sel.withUnsafeBufferPointer { try t.readColumn(c, block: b, rows: $0) }
                    let want = sel.withUnsafeBufferPointer { whole.gather($0) }
                    #expect(got.type == want.type && got.count == sel.count, "\(columns[c].0) block \(b)")
                    let same = (0..<sel.count).allSatisfy { i in
                        got.isValid(i) == want.isValid(i) && (!want.isValid(i) || got.ints[i] == want.ints[i])
                    }
                    #expect(same, "\(columns[c].0) block \(b): \(sel.count) rows")
                }
            }
        }
    }

    /// `StoreTable.chunks` (a scan's filter evaluated range by range) against the whole block:
    /// every block of every column, copied or read in place in the file's mapping, in ranges of
    /// 8192 rows, of 8 and of random multiples of 8 (the last range short). The columns are those
    /// above plus a near-sorted one with NULLs and a periodic one that LZ4 compresses.
    @Test func rangesEqualTheWholeBlock() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var g = SplitMix64(seed: 7)
        let n = 2 * FormatConstants.blockRows + 1234
        let columns = Self.shapes(&g, rows: n, withSortedNullsAndRepeating: true)
        let schema = columns.map { Field($0.0, $0.1) }
        let all = columns.map { intCol($0.2, type: $0.1) }
        try writeStore(dir.sub("s"), [TableSpec(name: "t", schema: schema, batches: [Batch(columns: all, count: n)])])
        let t = try Store.open(at: dir.sub("s")).table("t")
        // the blocks cover both bit-packed encodings and LZ4 (the writer picks whole bytes only where
        // LZ4 gains from them; a range of those decodes with the whole block's `unpackBytes`)
        let infos = try (0..<columns.count).flatMap { c in
            try (0..<t.blockCount).map { try t.blockInfo(column: c, block: $0) }
        }
        #expect(infos.contains { $0.lz4 } && infos.contains { $0.encoding == .deltaBitPack && $0.lz4 == false })
        #expect(infos.contains { $0.encoding == .forBitPack })
        for b in 0..<t.blockCount {
            let rows = t.blockRowCount(b)
            var plans: [[Int]] = [[8192], [8]]
            plans.append((0..<40).map { _ in 8 * (1 + Int(g.next() % 2000)) })
            for c in 0..<columns.count {
                let whole = try t.readColumn(c, block: b)
                for (plan, inPlace) in plans.flatMap({ p in [(p, false), (p, true)] }) {
                    guard let chunks = try t.chunks(c, block: b, inPlace: inPlace) else {
                        Issue.record("\(columns[c].0) block \(b): no ranges")
                        continue
                    }
                    var start = 0
                    var k = 0
                    while start < rows {
                        let count = min(plan[k % plan.count], rows - start)
                        let got = chunks.read(start, count)
                        let same =
                            got.type == whole.type && got.count == count
                            && (0..<count).allSatisfy { i in
                                got.isValid(i) == whole.isValid(start + i) && got.ints[i] == whole.ints[start + i]
                            }
                        #expect(same, "\(columns[c].0) block \(b) rows \(start)..<\(start + count) in place \(inPlace)")
                        start += count
                        k += 1
                    }
                }
            }
        }
    }

    /// `rows` values of each column shape (name, type, values; nil is NULL): bit-packed widths 0,
    /// 1, 17, 40 and 64, byte-wide, near-sorted (delta), DATE and TIMESTAMP, some with NULLs; with
    /// `withSortedNullsAndRepeating`, also a near-sorted column with NULLs and a periodic one.
    static func shapes(_ g: inout SplitMix64, rows n: Int, withSortedNullsAndRepeating extra: Bool = false)
        -> [(String, DataType, [Int64?])]
    {
        var columns: [(String, DataType, [Int64?])] = []
        func add(_ name: String, _ type: DataType, _ value: (Int) -> Int64?) {
            columns.append((name, type, (0..<n).map(value)))
        }
        add("constant", .bigint) { _ in 7 }
        add("bit", .bigint) { _ in Int64(g.next() & 1) }
        add("ids", .bigint) { i in i % 9 == 0 ? nil : Int64(g.next() % 100_000) - 50_000 }
        add("wide", .bigint) { _ in Int64(g.next() % (1 << 40)) }
        add("extremes", .bigint) { i in i % 2 == 0 ? Int64.min : Int64.max - Int64(g.next() % 3) }
        add("bytes", .integer) { i in i % 13 == 0 ? nil : Int64(g.next() % 200) }
        add("sorted", .bigint) { i in Int64(i) * 1000 + Int64(g.next() % 10) }
        if extra {
            add("sortedNulls", .bigint) { i in i % 7 == 3 ? nil : Int64(i) * 3 - Int64(g.next() % 5) }
            add("repeating", .bigint) { i in Int64(i % 17) * 1_000_003 }
        }
        add("day", .date) { _ in 19_000 + Int64(g.next() % 900) }
        add("ts", .timestamp) { i in i % 5 == 0 ? nil : 1_746_374_400_000_000 + Int64(g.next() % 10_000_000_000) }
        return columns
    }
}
