import Testing
import KuaiCore
@testable import KuaiExec

@Suite struct OperatorHashTableTests {
    func ids(_ t: GroupKeyTable, _ keys: [Column]) -> [Int32] {
        let n = keys.first?.count ?? 0
        var out = [Int32](repeating: -9, count: n)
        out.withUnsafeMutableBufferPointer { t.findOrInsert(keys, rowCount: n, into: $0) }
        return out
    }
    func found(_ t: GroupKeyTable, _ keys: [Column], nullsMatch: Bool = false) -> [Int32] {
        let n = keys.first?.count ?? 0
        var out = [Int32](repeating: -9, count: n)
        out.withUnsafeMutableBufferPointer { t.find(keys, rowCount: n, nullsMatch: nullsMatch, into: $0) }
        return out
    }

    // DuckDB: select x, count(*) from (values (5),(NULL),(5),(-1),(NULL)) t(x) group by x -> 3 groups, NULL one group
    @Test func singleIntKeyWithNull() {
        let t = GroupKeyTable(keyTypes: [.bigint])
        #expect(ids(t, [intCol([5, nil, 5, -1, nil])]) == [0, 1, 0, 2, 1])
        #expect(ids(t, [intCol([-1, 7])]) == [2, 3])
        #expect(t.count == 4)
        #expect(found(t, [intCol([7, nil, 8])]) == [3, -1, -1])
        #expect(found(t, [intCol([7, nil, 8])], nullsMatch: true) == [3, 1, -1])
        let k = t.keyColumns()
        #expect((0..<4).map { k[0].value(at: $0) } == [I(5), N, I(-1), I(7)])
    }

    @Test func manyIntKeysGrow() {
        let t = GroupKeyTable(keyTypes: [.bigint])
        let n = 300_000
        let xs = (0..<n).map { Int64($0 % 100_000) * 7919 - 12345 }
        let got = ids(t, [intCol(xs.map { $0 })])
        #expect(t.count == 100_000)
        #expect(got == (0..<n).map { Int32($0 % 100_000) })
        #expect(found(t, [intCol([xs[99_999], 1])]) == [99_999, -1])
    }

    // Strings compare by value across dictionaries; NULL is one group.
    @Test func stringKeyAcrossDictionaries() {
        let t = GroupKeyTable(keyTypes: [.varchar])
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
        #expect((0..<5).map { k.value(at: $0) } == [S("a"), S("b"), N, S("c"), S("zz")])
    }

    // DuckDB: select x, y, count(*) from (values (1,'a'),(1,NULL),(NULL,'a'),(1,'a'),(NULL,NULL),(NULL,NULL)) t(x,y) group by all
    // -> 4 groups: (1,a):2, (1,NULL):1, (NULL,a):1, (NULL,NULL):2
    @Test func multiColumnKeys() {
        let t = GroupKeyTable(keyTypes: [.integer, .varchar])
        let got = ids(t, [intCol([1, 1, nil, 1, nil, nil], type: .integer), strCol(["a", nil, "a", "a", nil, nil])])
        #expect(got == [0, 1, 2, 0, 3, 3])
        #expect(found(t, [intCol([1, nil, 1], type: .integer), strCol(["a", "a", nil])]) == [0, -1, -1])
        #expect(found(t, [intCol([1, nil, 1], type: .integer), strCol(["a", "a", nil])], nullsMatch: true) == [0, 2, 1])
        let k = t.keyColumns()
        #expect(k[0].type == .integer && k[1].type == .varchar)
        #expect((0..<4).map { [k[0].value(at: $0), k[1].value(at: $0)] } == [[I(1), S("a")], [I(1), N], [N, S("a")], [N, N]])
    }

    // DuckDB: select x, count(*) from (values ('nan'::double),(1.0),('-nan'::double),(-0.0),(0.0),(NULL)) t(x) group by x
    // -> [(0.0, 2), (1.0, 1), (nan, 2), (None, 1)]
    @Test func doubleKeys() {
        let t = GroupKeyTable(keyTypes: [.double])
        let got = ids(t, [dblCol([.nan, 1, -.nan, -0.0, 0.0, nil])])
        #expect(got == [0, 1, 0, 2, 2, 3])
        #expect(t.count == 4)
    }

    @Test func manyMultiColumnKeysGrow() {
        let t = GroupKeyTable(keyTypes: [.bigint, .bigint])
        let n = 200_000
        let a = (0..<n).map { Int64($0 % 1000) }
        let b = (0..<n).map { Int64(($0 / 1000) % 50) }
        let got = ids(t, [intCol(a), intCol(b)])
        #expect(t.count == 50_000)
        #expect(got[0] == 0 && got[1] == 1 && got[50_000] == 0 && got[1000] == 1000)
        let k = t.keyColumns()
        #expect(k[0].count == 50_000 && k[0].ints[1234] == 234 && k[1].ints[1234] == 1)
    }

    @Test func noKeys() {
        let t = GroupKeyTable(keyTypes: [])
        var out = [Int32](repeating: 5, count: 3)
        out.withUnsafeMutableBufferPointer { t.findOrInsert([], rowCount: 3, into: $0) }
        #expect(out == [0, 0, 0] && t.count == 1)
    }

    @Test func mergeThroughKeyColumns() {
        // per-thread tables merged by inserting one table's keys into another
        let t1 = GroupKeyTable(keyTypes: [.varchar, .bigint])
        let t2 = GroupKeyTable(keyTypes: [.varchar, .bigint])
        _ = ids(t1, [strCol(["x", "y"]), intCol([1, 2])])
        _ = ids(t2, [strCol(["y", "z", nil]), intCol([2, 3, nil])])
        let merged = ids(t1, t2.keyColumns())
        #expect(merged == [1, 2, 3])
        #expect(t1.count == 4)
    }
}
