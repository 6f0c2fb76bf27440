import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

@Suite struct GroupKeyTableTests {
    func ids(_ t: any GroupKeyTable, _ keys: [Column]) -> [Int32] {
        let n = keys.first?.count ?? 0
        var out = [Int32](repeating: -9, count: n)
        out.withUnsafeMutableBufferPointer { t.findOrInsert(keys, rowCount: n, into: $0) }
        return out
    }
    func found(_ t: any GroupKeyTable, _ keys: [Column], nullsMatch: Bool = false) -> [Int32] {
        let n = keys.first?.count ?? 0
        var out = [Int32](repeating: -9, count: n)
        out.withUnsafeMutableBufferPointer { t.find(keys, rowCount: n, nullsMatch: nullsMatch, into: $0) }
        return out
    }

    // DuckDB: select x, count(*) from (values (5),(NULL),(5),(-1),(NULL)) t(x) group by x -> 3 groups, NULL one group
    @Test func singleIntKeyWithNull() {
        let t = makeGroupKeyTable(keyTypes: [.bigint])
        #expect(ids(t, [intCol([5, nil, 5, -1, nil])]) == [0, 1, 0, 2, 1])
        #expect(ids(t, [intCol([-1, 7])]) == [2, 3])
        #expect(t.count == 4)
        #expect(found(t, [intCol([7, nil, 8])]) == [3, -1, -1])
        #expect(found(t, [intCol([7, nil, 8])], nullsMatch: true) == [3, 1, -1])
        let k = t.keyColumns()
        #expect((0..<4).map { k[0].value(at: $0) } == [int(5), nul, int(-1), int(7)])
    }

    /// Keys in runs (time-clustered rows: each run's first row is looked up, the others copy its
    /// id) give the ids of first appearance, as rows one by one do: runs long and short, keys
    /// that come back after other runs, keys past the direct array (it widens, then is left for
    /// the hashed layout), a hashed table that grows during a chunk, and runs across the
    /// 4096-row chunks.
    @Test func keysInRunsGetFirstAppearanceIds() {
        var g = SplitMix64(seed: 9)
        var xs: [Int64] = []
        while xs.count < 200_000 {
            let key: Int64
            switch g.next() % 4 {
            case 0: key = Int64(g.next() % 30)  // small keys that come back
            case 1: key = Int64(xs.count / 50)  // a rising key, past the first direct span
            case 2: key = Int64(g.next() % 2_000_000) * 1_000_003  // sparse: forces hashed
            default: key = -Int64(g.next() % 5000)
            }
            let length = 1 + Int(g.next() % (g.next() % 3 == 0 ? 3 : 400))
            xs += [Int64](repeating: key, count: length)
        }
        var firstId: [Int64: Int32] = [:]
        let want = xs.map { k in
            if let id = firstId[k] { return id }
            let id = Int32(firstId.count)
            firstId[k] = id
            return id
        }
        for batch in [xs.count, 4096, 10_000] {
            let t = makeGroupKeyTable(keyTypes: [.bigint])
            var got: [Int32] = []
            var s = 0
            while s < xs.count {
                let e = min(xs.count, s + batch)
                got += ids(t, [intCol(xs[s..<e].map { $0 })])
                s = e
            }
            let firstDifference = got.count != want.count ? 0 : got.indices.first { got[$0] != want[$0] }
            #expect(firstDifference == nil, "batches of \(batch): first different row \(firstDifference ?? -1)")
            #expect(t.count == firstId.count)
        }
    }

    @Test func manyIntKeysGrow() {
        let t = makeGroupKeyTable(keyTypes: [.bigint])
        let n = 300_000
        let xs = (0..<n).map { Int64($0 % 100_000) * 7919 - 12345 }
        let got = ids(t, [intCol(xs.map { $0 })])
        #expect(t.count == 100_000)
        #expect(got == (0..<n).map { Int32($0 % 100_000) })
        #expect(t.layout == .intHashed)  // keys spread 7919 apart: hashed
        #expect(found(t, [intCol([xs[99_999], 1])]) == [99_999, -1])
    }

    /// Dense integer keys switch the table to direct indexing; a far-away key switches it back.
    /// Ids must stay the order of first appearance throughout.
    @Test func denseKeysDirectModeAndBack() {
        let t = makeGroupKeyTable(keyTypes: [.bigint])
        var rng = SplitMix64(seed: 5)
        var expected: [Int64: Int32] = [:]
        var mismatches = 0
        var nextId: Int32 = 0
        var nullId: Int32? = nil
        func feed(_ xs: [Int64?]) {
            let got = ids(t, [intCol(xs)])
            for (x, id) in zip(xs, got) {
                guard let x else {
                    if nullId == nil {
                        nullId = nextId
                        nextId += 1
                    }
                    if id != nullId { mismatches += 1 }
                    continue
                }
                if let e = expected[x] {
                    if id != e { mismatches += 1 }
                } else {
                    if id != nextId { mismatches += 1 }  // ids in order of first appearance
                    expected[x] = id
                    nextId += 1
                }
            }
        }
        // dense keys 1000..<51000 in random order, several batches, some NULLs
        for _ in 0..<10 {
            feed(
                (0..<20_000).map { _ in
                    Int.random(in: 0..<50, using: &rng) == 0 ? nil : Int64.random(in: 1000..<51_000, using: &rng)
                })
        }
        #expect(t.layout == .intDirect)
        feed([999, 51_000, 60_000])  // just outside the span: widened, still direct
        #expect(t.layout == .intDirect)
        feed([2_000_000_000_000, 1000, 60_000])  // a far outlier: back to hashing
        #expect(t.layout == .intHashed)
        feed((0..<5000).map { Int64($0) * 7 })
        // every key maps to one id, ids are 0..<count, keyColumns agrees with the ids
        let k = t.keyColumns()[0]
        #expect(k.count == t.count)
        #expect(mismatches == 0)
        var keyMismatches = 0
        for (x, id) in expected where k.ints[Int(id)] != x || !k.isValid(Int(id)) { keyMismatches += 1 }
        #expect(keyMismatches == 0)
        #expect(t.count == expected.count + 1)  // + the NULL group
        // find agrees with findOrInsert
        let probe: [Int64?] = [1000, 50_999, 2_000_000_000_000, 7, 123_456_789, nil]
        #expect(found(t, [intCol(probe)]) == probe.map { $0.flatMap { expected[$0] } ?? -1 })
    }

    /// Few groups over a small span (the first days of 148 months, about 4,500 days from day
    /// 15,706 on) take a direct array however few they are: no hashing per row.
    @Test func fewKeysOverASmallSpanGoDirect() {
        let t = makeGroupKeyTable(keyTypes: [.date])
        let months = (0..<148).map { Int64(15_706 + ($0 * 4_500) / 147) }
        let xs = (0..<20_000).map { months[($0 * 31) % 148] }
        let got = ids(t, [intCol(xs, type: .date)])
        #expect(t.layout == .intDirect)
        var first: [Int64: Int32] = [:]
        let want = xs.map { x -> Int32 in
            if let id = first[x] { return id }
            first[x] = Int32(first.count)
            return first[x]!
        }
        #expect(got == want)
        #expect(t.count == 148)
        #expect(found(t, [intCol([months[5], 15_705, 0, nil], type: .date)]) == [first[months[5]]!, -1, -1, -1])
    }

    @Test func denseKeysStayDirect() {
        let t = makeGroupKeyTable(keyTypes: [.integer])
        let n = 200_000
        let xs = (0..<n).map { Int64(($0 * 7919) % 100_000) + 5 }
        let got = ids(t, [intCol(xs, type: .integer)])
        #expect(t.count == 100_000)
        // first appearance order: row i < 100000 introduces key xs[i] (7919 is coprime with 100000)
        #expect(got == (0..<n).map { Int32($0 % 100_000) })
        #expect(t.layout == .intDirect)
        #expect(found(t, [intCol([xs[5], 4, 100_005, nil], type: .integer)], nullsMatch: true) == [5, -1, -1, -1])
    }

    // Strings compare by value across dictionaries; NULL is one group.
    @Test func stringKeyAcrossDictionaries() {
        let t = makeGroupKeyTable(keyTypes: [.varchar])
        #expect(ids(t, [strCol(["a", "b", nil, "a"])]) == [0, 1, 2, 0])
        #expect(ids(t, [strCol(["b", "c", nil])]) == [1, 3, 2])
        #expect(found(t, [strCol(["c", "zz", nil, "a"])]) == [3, -1, -1, 0])
        #expect(found(t, [strCol([nil, "zz"])], nullsMatch: true) == [2, -1])
        // "zz" inserted after a failed lookup through the same dictionary must be found later
        let d = StringDictionary()
        #expect(found(t, [strCol(["zz"], dict: d)]) == [-1])
        #expect(ids(t, [strCol(["zz"])]) == [4])
        #expect(found(t, [strCol(["zz"], dict: d)]) == [4])
        let k = t.keyColumns()[0]
        #expect((0..<5).map { k.value(at: $0) } == [str("a"), str("b"), nul, str("c"), str("zz")])
    }

    // DuckDB: select x, y, count(*) from (values (1,'a'),(1,NULL),(NULL,'a'),(1,'a'),(NULL,NULL),(NULL,NULL)) t(x,y) group by all
    // -> 4 groups: (1,a):2, (1,NULL):1, (NULL,a):1, (NULL,NULL):2
    @Test func multiColumnKeys() {
        let t = makeGroupKeyTable(keyTypes: [.integer, .varchar])
        let got = ids(t, [intCol([1, 1, nil, 1, nil, nil], type: .integer), strCol(["a", nil, "a", "a", nil, nil])])
        #expect(got == [0, 1, 2, 0, 3, 3])
        #expect(found(t, [intCol([1, nil, 1], type: .integer), strCol(["a", "a", nil])]) == [0, -1, -1])
        #expect(
            found(t, [intCol([1, nil, 1], type: .integer), strCol(["a", "a", nil])], nullsMatch: true) == [0, 2, 1])
        let k = t.keyColumns()
        #expect(k[0].type == .integer && k[1].type == .varchar)
        #expect(
            (0..<4).map { [k[0].value(at: $0), k[1].value(at: $0)] } == [
                [int(1), str("a")], [int(1), nul], [nul, str("a")], [nul, nul],
            ])
    }

    // DuckDB: select x, count(*) from (values ('nan'::double),(1.0),('-nan'::double),(-0.0),(0.0),(NULL)) t(x) group by x
    // -> [(0.0, 2), (1.0, 1), (nan, 2), (None, 1)]
    @Test func doubleKeys() {
        let t = makeGroupKeyTable(keyTypes: [.double])
        let got = ids(t, [dblCol([.nan, 1, -.nan, -0.0, 0.0, nil])])
        #expect(got == [0, 1, 0, 2, 2, 3])
        #expect(t.count == 4)
    }

    /// 100k groups of two small keys: packed at first, moved to general hashing past 65536 groups
    /// in the middle of the input; ids stay in first-appearance order.
    @Test func manyMultiColumnKeysGrow() {
        let t = makeGroupKeyTable(keyTypes: [.bigint, .bigint])
        let n = 300_000
        let a = (0..<n).map { Int64($0 % 1000) }
        let b = (0..<n).map { Int64(($0 / 1000) % 100) }
        var got: [Int32] = []
        for s in stride(from: 0, to: n, by: 30_000) {
            got += ids(t, [intCol(Array(a[s..<s + 30_000])), intCol(Array(b[s..<s + 30_000]))])
        }
        #expect(t.count == 100_000)
        #expect(got == (0..<n).map { Int32($0 % 100_000) })
        let k = t.keyColumns()
        #expect(k[0].count == 100_000 && k[0].ints[71_234] == 234 && k[1].ints[71_234] == 71)
        #expect(found(t, [intCol([999, 5, 1000]), intCol([99, 70, 0])]) == [99_999, 70_005, -1])
    }

    /// Two small keys start packed into one word; a batch with a negative key moves the table to
    /// general hashing. Ids and lookups stay consistent across the switch.
    @Test func packedKeysThenGeneral() {
        let t = makeGroupKeyTable(keyTypes: [.bigint, .varchar])
        let first = ids(t, [intCol([1, 2, 1, nil, 2]), strCol(["a", "a", "a", "b", nil])])
        #expect(first == [0, 1, 0, 2, 3])
        #expect(found(t, [intCol([2, -5, nil]), strCol(["a", "a", "b"])]) == [1, -1, -1])
        #expect(found(t, [intCol([nil, 2]), strCol(["b", nil])], nullsMatch: true) == [2, 3])
        let second = ids(t, [intCol([-5, 1, 2, 1_000_000_000_000]), strCol(["a", "a", nil, "zz"])])
        #expect(second == [4, 0, 3, 5])
        #expect(t.count == 6)
        #expect(
            found(t, [intCol([-5, nil, 1_000_000_000_000, 3]), strCol(["a", "b", "zz", "a"])], nullsMatch: true) == [
                4, 2, 5, -1,
            ])
        let k = t.keyColumns()
        #expect(
            (0..<6).map { [k[0].value(at: $0), k[1].value(at: $0)] }
                == [
                    [int(1), str("a")], [int(2), str("a")], [nul, str("b")], [int(2), nul], [int(-5), str("a")],
                    [int(1_000_000_000_000), str("zz")],
                ])
    }

    @Test func noKeys() {
        let t = makeGroupKeyTable(keyTypes: [])
        var out = [Int32](repeating: 5, count: 3)
        out.withUnsafeMutableBufferPointer { t.findOrInsert([], rowCount: 3, into: $0) }
        #expect(out == [0, 0, 0] && t.count == 1)
    }

    @Test func mergeThroughKeyColumns() {
        // per-thread tables merged by inserting one table's keys into another
        let t1 = makeGroupKeyTable(keyTypes: [.varchar, .bigint])
        let t2 = makeGroupKeyTable(keyTypes: [.varchar, .bigint])
        _ = ids(t1, [strCol(["x", "y"]), intCol([1, 2])])
        _ = ids(t2, [strCol(["y", "z", nil]), intCol([2, 3, nil])])
        let merged = ids(t1, t2.keyColumns())
        #expect(merged == [1, 2, 3])
        #expect(t1.count == 4)
    }

    // MARK: the implementation chosen for a key shape

    @Test(
        arguments: [
            ([], GroupKeyLayout.none, "NoKeyTable"),
            ([.bigint], .intDirect, "IntKeyTable"),
            ([.date], .intDirect, "IntKeyTable"),
            ([.null], .intDirect, "IntKeyTable"),
            ([.varchar], .string, "StringKeyTable"),
            ([.double], .general, "GeneralKeyTable"),
            ([.bigint, .varchar], .packedHashed, "PackedKeyTable"),
            ([.integer, .bigint, .boolean, .varchar, .date, .timestamp], .packedHashed, "PackedKeyTable"),
            ([.bigint, .double], .general, "GeneralKeyTable"),
            ([DataType](repeating: .bigint, count: 7), .general, "GeneralKeyTable"),
            ([.hugeint], .packedHashed, "HugeintKeyTable"),
            ([.varchar, .hugeint], .packedHashed, "HugeintKeyTable"),
        ] as [([DataType], GroupKeyLayout, String)])
    func layoutForKeyShape(_ types: [DataType], _ layout: GroupKeyLayout, _ name: String) {
        let t = makeGroupKeyTable(keyTypes: types)
        #expect(String(describing: type(of: t)) == name)
        #expect(t.layout == layout)
        #expect(t.keyTypes == types)
        #expect(t.count == 0)
    }

    /// One integer key starts with a direct array over 0..<4096. A key outside it widens the array
    /// while the span fits `IntKeyTable.smallSpan` slots, however few the groups; a key beyond that
    /// before 256 groups moves the table to hashing, but not for good: once the keys turn out dense
    /// the hashed table switches to direct as it grows. Ids stay in first-appearance order.
    @Test func intKeysLeaveTheInitialArrayAndComeBack() {
        let t = makeGroupKeyTable(keyTypes: [.bigint])
        #expect(ids(t, [intCol([3, 0, 4095, 3, nil])]) == [0, 1, 2, 0, 3])
        #expect(t.layout == .intDirect)
        #expect(ids(t, [intCol([10_000, 4095])]) == [4, 2])
        #expect(t.layout == .intDirect)
        #expect(ids(t, [intCol([100_000, 10_000])]) == [5, 4])
        #expect(t.layout == .intHashed)
        let dense = (0..<20_000).map { Int64($0) }
        let got = ids(t, [intCol(dense)])
        #expect(t.layout == .intDirect)
        let first: [Int64: Int32] = [3: 0, 0: 1, 4095: 2, 10_000: 4, 100_000: 5]
        var next: Int32 = 6
        var expected: [Int32] = []
        for x in dense {
            if let id = first[x] {
                expected.append(id)
            } else {
                expected.append(next)
                next += 1
            }
        }
        #expect(got == expected)
        #expect(found(t, [intCol([3, 10_000, 19_999, 20_000, nil])], nullsMatch: true) == [0, 4, next - 1, -1, 3])
        #expect(t.keyColumns()[0].value(at: 3) == nul)
    }

    /// `reserve` before inserting sparse keys: the hashed layout is sized once; ids and lookups
    /// as without it.
    @Test func reserveThenSparseKeys() {
        let t = makeGroupKeyTable(keyTypes: [.bigint])
        t.reserve(50_000)
        let xs = (0..<50_000).map { Int64($0) * 1_000_003 - 7 }
        #expect(ids(t, [intCol(xs)]) == (0..<50_000).map { Int32($0) })
        #expect(t.layout == .intHashed)
        #expect(found(t, [intCol([xs[49_999], 0])]) == [49_999, -1])
    }

    /// HUGEINT keys compare in 128 bits: values with equal low words are different groups;
    /// `keyColumns()` gives the values back (narrow where they fit Int64).
    @Test func hugeintKeysGroupByAllBits() {
        let t = makeGroupKeyTable(keyTypes: [.hugeint, .varchar])
        let big = (Int128(1) << 64) + 5
        let keys = [hugeCol([5, big, 5, nil, big]), strCol(["a", "a", "a", "a", "b"])]
        #expect(ids(t, keys) == [0, 1, 0, 2, 3])
        #expect(found(t, [hugeCol([big, 5, nil]), strCol(["a", "b", "a"])], nullsMatch: true) == [1, -1, 2])
        let k = t.keyColumns()
        #expect(k[0].type == .hugeint)
        #expect((0..<4).map { k[0].value(at: $0) } == [int(5), huge(big), nul, huge(big)])
        #expect((0..<4).map { k[1].value(at: $0) } == [str("a"), str("a"), str("a"), str("b")])
    }

    @Test func noKeysFindBeforeAndAfterInsert() {
        let t = makeGroupKeyTable(keyTypes: [])
        #expect(found(t, []) == [])
        var out = [Int32](repeating: 5, count: 2)
        out.withUnsafeMutableBufferPointer { t.find([], rowCount: 2, nullsMatch: false, into: $0) }
        #expect(out == [-1, -1])
        out.withUnsafeMutableBufferPointer { t.findOrInsert([], rowCount: 0, into: $0) }
        #expect(t.count == 0)
        out.withUnsafeMutableBufferPointer { t.findOrInsert([], rowCount: 2, into: $0) }
        out.withUnsafeMutableBufferPointer { t.find([], rowCount: 2, nullsMatch: false, into: $0) }
        #expect(out == [0, 0] && t.count == 1)
    }
}
