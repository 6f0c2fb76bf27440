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
        let columns: [(String, DataType, [Int64?])] = [
            ("constant", .bigint, (0..<n).map { _ in 7 }),
            ("bit", .bigint, (0..<n).map { _ in Int64(g.next() & 1) }),
            ("ids", .bigint, (0..<n).map { i in i % 9 == 0 ? nil : Int64(g.next() % 100_000) - 50_000 }),
            ("wide", .bigint, (0..<n).map { _ in Int64(g.next() % (1 << 40)) }),
            ("extremes", .bigint, (0..<n).map { i in i % 2 == 0 ? Int64.min : Int64.max - Int64(g.next() % 3) }),
            ("bytes", .integer, (0..<n).map { i in i % 13 == 0 ? nil : Int64(g.next() % 200) }),
            ("sorted", .bigint, (0..<n).map { i in Int64(i) * 1000 + Int64(g.next() % 10) }),
            ("day", .date, (0..<n).map { _ in 19_000 + Int64(g.next() % 900) }),
            (
                "ts", .timestamp,
                (0..<n).map { i in i % 5 == 0 ? nil : 1_746_374_400_000_000 + Int64(g.next() % 10_000_000_000) }
            ),
        ]
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
}
