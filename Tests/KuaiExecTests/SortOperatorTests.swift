import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

@Suite struct SortOperatorTests {
    /// The selection behind a top-N batch's own bound: for random words with few and with many
    /// repeats, every rank's answer is the sorted array's element at that rank.
    @Test func nthSmallestIsTheSortedElement() {
        var rng = SplitMix64(seed: 11)
        for (count, spread) in [(1, 5), (2, 1), (7, 3), (100, 1000), (1000, 4), (5000, 1 << 40)] {
            let words = (0..<count).map { _ in UInt64.random(in: 0..<UInt64(spread), using: &rng) }
            let sorted = words.sorted()
            for rank in Set([0, count / 3, count / 2, count - 1]) {
                var w = words
                let got = w.withUnsafeMutableBufferPointer { nthSmallest($0, rank) }
                #expect(got == sorted[rank], "count \(count) spread \(spread) rank \(rank)")
            }
        }
    }

    // DuckDB: select x, i from (values (3,1),(NULL,2),(1,3),(3,4),(-5,5),(NULL,6),(1,7)) t(x,i) order by x desc
    @Test func intDescNullsLastStable() throws {
        let src = source([
            [intCol([3, nil, 1, 3]), intCol([1, 2, 3, 4])], [intCol([-5, nil, 1]), intCol([5, 6, 7])],
        ])
        let op = SortOperator(child: src, keys: [SortKey(column: 0, ascending: false)])
        #expect(
            try rows(op) == [
                [int(3), int(1)], [int(3), int(4)], [int(1), int(3)], [int(1), int(7)], [int(-5), int(5)],
                [nul, int(2)], [nul, int(6)],
            ])
    }

    // DuckDB: ... order by x nulls first
    @Test func intAscNullsFirst() throws {
        let src = source([[intCol([3, nil, 1, 3, -5, nil, 1]), intCol([1, 2, 3, 4, 5, 6, 7])]])
        let op = SortOperator(child: src, keys: [SortKey(column: 0, ascending: true, nullsFirst: true)])
        #expect(try rows(op).map { $0[1] } == [int(2), int(6), int(5), int(3), int(7), int(1), int(4)])
    }

    // DuckDB: select x from (values (9223372036854775807),(-9223372036854775808),(NULL),(0)) t(x) order by x
    @Test func fullInt64RangeWithNull() throws {
        let src = source([[intCol([Int64.max, Int64.min, nil, 0])]])
        #expect(
            try rows(SortOperator(child: src, keys: [SortKey(column: 0)])) == [
                [int(Int64.min)], [int(0)], [int(Int64.max)], [nul],
            ])
        let src2 = source([[intCol([Int64.max, Int64.min, nil, 0])]])
        #expect(
            try rows(SortOperator(child: src2, keys: [SortKey(column: 0, ascending: false, nullsFirst: true)]))
                == [[nul], [int(Int64.max)], [int(0)], [int(Int64.min)]])
    }

    // DuckDB: select s, i from (values ('b',1),('B',2),(NULL,3),('a',4),('ä',5),('',6),('ab',7),('a',8),('Z',9)) t(s,i) order by s, i
    // -> [('', 6), ('B', 2), ('Z', 9), ('a', 4), ('a', 8), ('ab', 7), ('b', 1), ('ä', 5), (None, 3)]
    @Test func stringsByteOrderAcrossDictionaries() throws {
        // three batches, three different dictionaries
        let src = source([
            [strCol(["b", "B", nil]), intCol([1, 2, 3])],
            [strCol(["a", "ä", ""]), intCol([4, 5, 6])],
            [strCol(["ab", "a", "Z"]), intCol([7, 8, 9])],
        ])
        let op = SortOperator(child: src, keys: [SortKey(column: 0)])
        #expect(
            try rows(op) == [
                [str(""), int(6)], [str("B"), int(2)], [str("Z"), int(9)], [str("a"), int(4)], [str("a"), int(8)],
                [str("ab"), int(7)], [str("b"), int(1)], [str("ä"), int(5)], [nul, int(3)],
            ])
    }

    // DuckDB: ... order by s desc nulls first
    // -> [(None, 3), ('ä', 5), ('b', 1), ('ab', 7), ('a', 4), ('a', 8), ('Z', 9), ('B', 2), ('', 6)]
    @Test func stringsDescNullsFirstSharedDictionary() throws {
        let dict = StringDictionary()
        let src = source([
            [strCol(["b", "B", nil], dict: dict), intCol([1, 2, 3])],
            [strCol(["a", "ä", ""], dict: dict), intCol([4, 5, 6])],
            [strCol(["ab", "a", "Z"], dict: dict), intCol([7, 8, 9])],
        ])
        let op = SortOperator(child: src, keys: [SortKey(column: 0, ascending: false, nullsFirst: true)])
        #expect(try rows(op).map { $0[1] } == [int(3), int(5), int(1), int(7), int(4), int(8), int(9), int(2), int(6)])
    }

    // DuckDB: select x from (values ('nan'::double),(1.0),('inf'::double),(-0.0),(0.0),(NULL),('-inf'::double),(-1.0)) t(x) order by x
    // -> [(-inf,), (-1.0,), (0.0,), (0.0,), (1.0,), (inf,), (nan,), (None,)]; desc: nan, inf, 1, 0, 0, -1, -inf, NULL
    @Test func doubleOrder() throws {
        let xs: [Double?] = [.nan, 1, .infinity, -0.0, 0.0, nil, -.infinity, -1]
        let asc = try rows(
            SortOperator(child: source([[dblCol(xs), intCol([0, 1, 2, 3, 4, 5, 6, 7])]]), keys: [SortKey(column: 0)]))
        #expect(asc.map { $0[1] } == [int(6), int(7), int(3), int(4), int(1), int(2), int(0), int(5)])
        let desc = try rows(
            SortOperator(
                child: source([[dblCol(xs), intCol([0, 1, 2, 3, 4, 5, 6, 7])]]),
                keys: [SortKey(column: 0, ascending: false)]))
        #expect(desc.map { $0[1] } == [int(0), int(2), int(1), int(3), int(4), int(7), int(6), int(5)])
    }

    // DuckDB: select x, y, i from (values (1,'b',1),(2,'a',2),(1,'a',3),(NULL,'c',4),(2,NULL,5),(1,'b',6)) t(x,y,i) order by x desc, y
    // -> [(2, 'a', 2), (2, None, 5), (1, 'a', 3), (1, 'b', 1), (1, 'b', 6), (None, 'c', 4)]
    @Test func multiKey() throws {
        let src = source([
            [intCol([1, 2, 1, nil, 2, 1]), strCol(["b", "a", "a", "c", nil, "b"]), intCol([1, 2, 3, 4, 5, 6])]
        ])
        let op = SortOperator(child: src, keys: [SortKey(column: 0, ascending: false), SortKey(column: 1)])
        #expect(try rows(op).map { $0[2] } == [int(2), int(5), int(3), int(1), int(6), int(4)])
    }

    /// Reference order: a comparison sort over boxed values (independent of the radix path).
    static func referenceOrder(_ a: [Int64?], _ b: [Int64?], _ keys: [SortKey]) -> [Int] {
        func cmp(_ x: Int64?, _ y: Int64?, _ k: SortKey) -> Int {
            switch (x, y) {
            case (nil, nil): return 0
            case (nil, _): return k.nullsFirst ? -1 : 1
            case (_, nil): return k.nullsFirst ? 1 : -1
            case (let x?, let y?): return x == y ? 0 : ((x < y) == k.ascending ? -1 : 1)
            }
        }
        let cols = [a, b]
        return Array(0..<a.count).sorted { i, j in
            for k in keys {
                let c = cmp(cols[k.column][i], cols[k.column][j], k)
                if c != 0 { return c < 0 }
            }
            return i < j
        }
    }

    @Test(arguments: [1, 7, 1000])
    func randomAgainstReferenceAndTopN(limit: Int) throws {
        var rng = SplitMix64(seed: 42)
        let n = 20_000
        let a: [Int64?] = (0..<n).map { _ in
            Int.random(in: 0..<10, using: &rng) == 0 ? nil : Int64.random(in: -50...50, using: &rng)
        }
        let b: [Int64?] = (0..<n).map { _ in
            Int.random(in: 0..<20, using: &rng) == 0 ? nil : Int64.random(in: Int64.min...Int64.max, using: &rng)
        }
        let keys = [SortKey(column: 0, ascending: false, nullsFirst: true), SortKey(column: 1)]
        let expected = Self.referenceOrder(a, b, keys).map { Int64($0) }
        func batches() -> [[Column]] {
            stride(from: 0, to: n, by: 3000).map { s in
                let e = min(n, s + 3000)
                return [intCol(Array(a[s..<e])), intCol(Array(b[s..<e])), intCol((s..<e).map { Int64($0) })]
            }
        }
        let full = try rows(SortOperator(child: source(batches()), keys: keys)).map { r -> Int64 in
            if case .int(let x) = r[2] { return x }
            return -1
        }
        #expect(full == expected)
        // top-nul with a small buffer threshold forced by many batches: same prefix as the full sort
        let top = try rows(SortOperator(child: source(batches()), keys: keys, limit: limit, offset: 3)).map {
            r -> Int64 in
            if case .int(let x) = r[2] { return x }
            return -1
        }
        #expect(top == Array(expected[3..<min(n, 3 + limit)]))
    }

    /// Top-nul over many batches (compaction and the first-key bound filter) equals the prefix of
    /// the full sort, for DOUBLE keys with NULLs/NaN in both directions and NULL placements.
    @Test(arguments: [(true, false), (false, false), (true, true), (false, true)])
    func topNEqualsFullSortPrefix(ascending: Bool, nullsFirst: Bool) throws {
        var rng = SplitMix64(seed: 11)
        let n = 160_000
        let xs: [Double?] = (0..<n).map { _ in
            switch Int.random(in: 0..<100, using: &rng) {
            case 0: return nil
            case 1: return .nan
            default: return Double(Int.random(in: -1000...1000, using: &rng)) / 4
            }
        }
        let ys: [Int64?] = (0..<n).map { _ in Int64.random(in: 0..<5, using: &rng) }
        func batches() -> [[Column]] {
            stride(from: 0, to: n, by: 8192).map { s in
                let e = min(n, s + 8192)
                return [dblCol(Array(xs[s..<e])), intCol(Array(ys[s..<e])), intCol((s..<e).map { Int64($0) })]
            }
        }
        let keys = [
            SortKey(column: 0, ascending: ascending, nullsFirst: nullsFirst), SortKey(column: 1, ascending: false),
        ]
        let full = try rows(SortOperator(child: source(batches()), keys: keys)).map { $0[2] }
        let top = try rows(SortOperator(child: source(batches()), keys: keys, limit: 25, offset: 2)).map { $0[2] }
        #expect(top == Array(full[2..<27]))
        // one batch of all rows (a GROUP BY's output): taken in slices, the same prefix
        let whole = [[dblCol(xs), intCol(ys), intCol((0..<n).map { Int64($0) })]]
        let topOfOne = try rows(SortOperator(child: source(whole), keys: keys, limit: 25, offset: 2)).map { $0[2] }
        #expect(topOfOne == Array(full[2..<27]))
    }

    @Test func topNCompactionKeepsStability() throws {
        // 200k rows with 3 distinct keys: compaction runs several times; ties keep input order.
        let n = 200_000
        let keys = (0..<n).map { Int64($0 % 3) }
        let ids = (0..<n).map { Int64($0) }
        let bs = stride(from: 0, to: n, by: 10_000).map { s in
            [intCol(Array(keys[s..<s + 10_000]).map { $0 }), intCol(Array(ids[s..<s + 10_000]).map { $0 })]
        }
        let op = SortOperator(child: source(bs), keys: [SortKey(column: 0, ascending: false)], limit: 5, offset: 0)
        #expect(
            try rows(op) == [
                [int(2), int(2)], [int(2), int(5)], [int(2), int(8)], [int(2), int(11)], [int(2), int(14)],
            ])
    }

    /// The parallel top-N (a morsel source on two threads) equals the one-thread top-N, ties in
    /// the source's order, for limits below and above a compaction's threshold.
    @Test(arguments: [1, 5, 70_000])
    func parallelTopNKeepsTheSourceOrderOfTies(limit: Int) throws {
        let n = 200_000
        let bs: [[Column]] = stride(from: 0, to: n, by: 10_000).map { (s: Int) -> [Column] in
            let r = s..<(s + 10_000)
            let k: [Int64] = r.map { Int64($0 % 3) }
            let id: [Int64] = r.map { Int64($0) }
            return [intCol(k), intCol(id)]
        }
        let keys = [SortKey(column: 0, ascending: false)]
        let serial = try rows(SortOperator(child: source(bs), keys: keys, limit: limit, offset: 2))
        let parallel = try rows(
            SortOperator(
                child: source(bs), keys: keys, limit: limit, offset: 2, morsels: TestMorsels(bs), threads: 2))
        #expect(serial.count == min(limit, n - 2))
        #expect(parallel == serial)
    }

    @Test func limitZeroAndEmptyInput() throws {
        #expect(
            try rows(SortOperator(child: source([[intCol([1, 2])]]), keys: [SortKey(column: 0)], limit: 0)).isEmpty)
        #expect(try rows(SortOperator(child: source([[intCol([])]]), keys: [SortKey(column: 0)])).isEmpty)
        #expect(
            try rows(SortOperator(child: source([[intCol([1, 2])]]), keys: [SortKey(column: 0)], offset: 5)).isEmpty)
    }

    @Test func largeOutputIsBatched() throws {
        let n = 150_000
        let op = SortOperator(child: source([[intCol((0..<n).map { Int64(n - $0) })]]), keys: [SortKey(column: 0)])
        var sizes: [Int] = []
        var last: Int64 = 0
        var sorted = true
        while let b = try op.next() {
            sizes.append(b.count)
            for x in b.columns[0].ints {
                if x < last { sorted = false }
                last = x
            }
        }
        #expect(sizes == [65536, 65536, n - 131072])
        #expect(sorted)
    }
}
