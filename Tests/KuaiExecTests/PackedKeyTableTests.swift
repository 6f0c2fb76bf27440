import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

/// `PackedKeyTable` (2-6 integer / VARCHAR keys packed into one Int64 with
/// per-column bases and widths chosen from the data). Every test checks the table against a
/// plain dictionary model: ids in order of first appearance, `find` with and without NULL
/// matching, `keyColumns()` in id order, across layout changes and the switch to general hashing.
@Suite struct PackedKeyTableTests {
    /// Reference model: key tuple -> id in order of first appearance (NULL is one value).
    final class Model {
        var ids: [[Int64?]: Int32] = [:]
        var keys: [[Int64?]] = []
        func insert(_ row: [Int64?]) -> Int32 {
            if let id = ids[row] { return id }
            let id = Int32(keys.count)
            ids[row] = id
            keys.append(row)
            return id
        }
        func find(_ row: [Int64?], nullsMatch: Bool) -> Int32 {
            if !nullsMatch && row.contains(where: { $0 == nil }) { return -1 }
            return ids[row] ?? -1
        }
    }

    func cols(_ rows: [[Int64?]], width: Int) -> [Column] {
        (0..<width).map { c in intCol(rows.map { $0[c] }) }
    }

    /// Feeds `batches` to a table and the model; returns the number of mismatching ids.
    func feed(_ t: any GroupKeyTable, _ m: Model, _ batches: [[[Int64?]]], width: Int) -> Int {
        var bad = 0
        for rows in batches {
            var out = [Int32](repeating: -9, count: rows.count)
            out.withUnsafeMutableBufferPointer {
                t.findOrInsert(cols(rows, width: width), rowCount: rows.count, into: $0)
            }
            for (r, id) in zip(rows, out) where m.insert(r) != id { bad += 1 }
        }
        return bad
    }

    func findMismatches(_ t: any GroupKeyTable, _ m: Model, _ rows: [[Int64?]], width: Int) -> Int {
        var bad = 0
        for nullsMatch in [false, true] {
            var out = [Int32](repeating: -9, count: rows.count)
            out.withUnsafeMutableBufferPointer {
                t.find(cols(rows, width: width), rowCount: rows.count, nullsMatch: nullsMatch, into: $0)
            }
            for (r, id) in zip(rows, out) where m.find(r, nullsMatch: nullsMatch) != id { bad += 1 }
        }
        return bad
    }

    func keyMismatches(_ t: any GroupKeyTable, _ m: Model, width: Int) -> Int {
        let k = t.keyColumns()
        var bad = 0
        if k[0].count != m.keys.count { return -1 }
        for g in 0..<m.keys.count {
            for c in 0..<width {
                let v = k[c].value(at: g)
                let e: Value = m.keys[g][c].map { .int($0) } ?? .null
                if v != e { bad += 1 }
            }
        }
        return bad
    }

    /// Values that leave the chosen field ranges batch after batch (above, below, negative, far
    /// away): the layout is re-chosen each time and ids never change; finally Int64.min/max do
    /// not fit 63 bits and the table moves to general hashing, still with the same ids.
    @Test func rangesGrowThenGeneral() {
        let t = makeGroupKeyTable(keyTypes: [.bigint, .bigint])
        let m = Model()
        let batches: [[[Int64?]]] = [
            [[1, 10], [2, 10], [1, 10], [nil, 10], [3, nil], [nil, nil]],
            [[100, 10], [1, 11], [2, 10]],  // a above the slack
            [[-50, 10], [1, 11], [100, 10], [nil, nil]],  // a below base, negative
            [[5, -1_000_000], [5, 1_000_000], [1, 10]],  // b widens a lot
            [[1 << 40, 1 << 20], [1, 10], [-(1 << 40), 3]],  // still fits 63 bits
            [[Int64.max, 0], [Int64.min, 0], [1, 10], [100, 10]],  // cannot pack: general
            [[Int64.max, 0], [Int64.min, 0], [7, 7], [nil, 10]],
        ]
        #expect(feed(t, m, batches, width: 2) == 0)
        let probe: [[Int64?]] = [
            [1, 10], [nil, 10], [3, nil], [nil, nil], [Int64.max, 0], [Int64.min, 0], [Int64.min, 1],
            [1 << 40, 1 << 20], [1 << 41, 1 << 20], [-50, 10], [-51, 10], [5, -1_000_000], [7, 7], [8, 7],
        ]
        #expect(findMismatches(t, m, probe, width: 2) == 0)
        #expect(keyMismatches(t, m, width: 2) == 0)
        #expect(t.layout == .general)
    }

    /// Lookups while packed: values below the base, above the field, NULLs, unknown keys; and
    /// lookups on an empty table.
    @Test func findWhilePacked() {
        let t = makeGroupKeyTable(keyTypes: [.bigint, .integer])
        let m = Model()
        #expect(findMismatches(t, m, [[1, 1], [nil, nil]], width: 2) == 0)
        #expect(feed(t, m, [[[1000, -3], [1001, -3], [nil, -2], [1000, nil], [1000, -3]]], width: 2) == 0)
        #expect([.packedDirect, .packedHashed].contains(t.layout))
        let probe: [[Int64?]] = [
            [1000, -3], [1001, -3], [nil, -2], [1000, nil], [999, -3], [-1000, -3], [1000, 5000],
            [Int64.min, -3], [Int64.max, -3], [1000, Int64.min], [nil, nil], [1002, -3],
        ]
        #expect(findMismatches(t, m, probe, width: 2) == 0)
        #expect(keyMismatches(t, m, width: 2) == 0)
    }

    /// Random batches of three keys whose ranges drift (so layouts change mid-way), with NULLs,
    /// negative values and repeats; checked against the model after every batch size.
    @Test func randomDriftingRanges() {
        var rng = SplitMix64(seed: 11)
        for width in [2, 3] {
            let t = makeGroupKeyTable(keyTypes: Array(repeating: .bigint, count: width))
            let m = Model()
            var batches: [[[Int64?]]] = []
            for b in 0..<40 {
                let spread = Int64(1) << Int64(min(b, 30))
                let n = Int(rng.next() % 3000) + 1
                batches.append(
                    (0..<n).map { _ in
                        (0..<width).map { c -> Int64? in
                            if rng.next() % 17 == 0 { return nil }
                            let r = Int64(rng.next() % UInt64(c == 0 ? spread : 50))
                            return c == 1 ? r - 25 : r
                        }
                    })
            }
            #expect(feed(t, m, batches, width: width) == 0)
            let probe =
                batches[39].prefix(500) + batches[3].prefix(200)
                + [[Int64?]](repeating: Array(repeating: -7, count: width), count: 3)
            #expect(findMismatches(t, m, Array(probe), width: width) == 0)
            #expect(keyMismatches(t, m, width: width) == 0)
        }
    }

    /// Many groups of a wide and a narrow key (users x days, rows ordered by day as in KuaiLive's
    /// click table): the packed key range is small enough for the direct array, which stays in
    /// use past 65536 groups.
    @Test func manyGroupsDirect() {
        let t = makeGroupKeyTable(keyTypes: [.bigint, .bigint])
        let m = Model()
        var rng = SplitMix64(seed: 3)
        var batches: [[[Int64?]]] = []
        for day in Int64(20213)...20233 {
            for _ in 0..<4 {
                batches.append((0..<4096).map { _ in [Int64(rng.next() % 23_000) + 1, day] })
            }
        }
        #expect(feed(t, m, batches, width: 2) == 0)
        #expect(t.count > 200_000)
        #expect(t.layout == .packedDirect)
        let probe: [[Int64?]] =
            Array(batches[5].prefix(100)) + [[0, 20213], [23_001, 20233], [5, 20212], [5, 20234], [5, nil]]
        #expect(findMismatches(t, m, probe, width: 2) == 0)
        #expect(keyMismatches(t, m, width: 2) == 0)
    }

    /// Many groups of two keys whose packed range is too wide for a direct array (users x
    /// streamers): the packed keys and ids share one hashed word each, past 65536 groups, with
    /// NULL keys and a range that widens mid-way (the index is rebuilt, ids kept).
    @Test func manyGroupsHashedWords() {
        let t = makeGroupKeyTable(keyTypes: [.bigint, .integer])
        let m = Model()
        var rng = SplitMix64(seed: 5)
        var batches: [[[Int64?]]] = []
        for b in 0..<40 {
            let streamers: UInt64 = b < 20 ? 300_000 : 450_000
            batches.append(
                (0..<4096).map { i in
                    if i == 7 { return [nil, Int64(b)] }
                    return [Int64(rng.next() % 23_000) + 1, Int64(rng.next() % streamers) + 161]
                })
        }
        #expect(feed(t, m, batches, width: 2) == 0)
        #expect(t.count > 100_000)
        #expect(t.layout == .packedHashed)
        let probe: [[Int64?]] =
            Array(batches[3].prefix(300)) + [
                [0, 161], [23_001, 161], [5, 450_161], [nil, 3], [nil, 99], [5, nil],
            ]
        #expect(findMismatches(t, m, probe, width: 2) == 0)
        #expect(keyMismatches(t, m, width: 2) == 0)
    }

    /// Packed keys of 48 bits leave 16 bits for ids in a hashed word: past 65535 groups the table
    /// moves to general hashing, ids unchanged.
    @Test func hashedWordsRunOutOfIds() {
        let t = makeGroupKeyTable(keyTypes: [.bigint, .bigint])
        let m = Model()
        var rng = SplitMix64(seed: 9)
        let edges: [[Int64?]] = [[0, 0], [(1 << 24) - 1, (1 << 22) - 1]]
        var batches: [[[Int64?]]] = [edges]
        for _ in 0..<20 {
            batches.append((0..<4096).map { _ in [Int64(rng.next() % (1 << 24)), Int64(rng.next() % (1 << 22))] })
        }
        #expect(feed(t, m, batches, width: 2) == 0)
        #expect(t.count > 70_000)
        #expect(t.layout == .general)
        #expect(findMismatches(t, m, Array(batches[2].prefix(300)) + edges + [[-1, 0]], width: 2) == 0)
        #expect(keyMismatches(t, m, width: 2) == 0)
    }

    /// Merging per-thread tables (insert one table's keys into another) keeps ids consistent with
    /// VARCHAR and integer keys packed together.
    @Test func mergePackedTables() {
        let t1 = makeGroupKeyTable(keyTypes: [.varchar, .bigint])
        let t2 = makeGroupKeyTable(keyTypes: [.varchar, .bigint])
        var o1 = [Int32](repeating: 0, count: 3)
        var o2 = [Int32](repeating: 0, count: 4)
        o1.withUnsafeMutableBufferPointer {
            t1.findOrInsert([strCol(["x", "y", nil]), intCol([1, -2, 3])], rowCount: 3, into: $0)
        }
        o2.withUnsafeMutableBufferPointer {
            t2.findOrInsert([strCol(["y", "z", nil, "x"]), intCol([-2, 1 << 50, 3, 2])], rowCount: 4, into: $0)
        }
        var merged = [Int32](repeating: 0, count: 4)
        merged.withUnsafeMutableBufferPointer { t1.findOrInsert(t2.keyColumns(), rowCount: 4, into: $0) }
        #expect(merged == [1, 3, 2, 4])
        let k = t1.keyColumns()
        #expect(
            (0..<5).map { [k[0].value(at: $0), k[1].value(at: $0)] }
                == [
                    [str("x"), int(1)], [str("y"), int(-2)], [nul, int(3)], [str("z"), int(1 << 50)],
                    [str("x"), int(2)],
                ])
    }
}
