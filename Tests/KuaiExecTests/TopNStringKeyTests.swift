import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

/// Top-N with VARCHAR keys (the string bounds of `TopNBound`, `TopNRowBound` and `TopNFilter`):
/// over many batches the top-N equals the prefix of the full sort (itself checked against DuckDB
/// in `SortOperatorTests`), for strings that share long prefixes, empty strings, NULLs, ties,
/// both directions and NULL placements, dictionary columns (one dictionary or one a batch) and
/// flat columns, LIMIT with OFFSET, on one thread and on two.
@Suite struct TopNStringKeyTests {
    enum Form: CaseIterable { case sharedDictionary, dictionaryPerBatch, flat }

    /// A pool of strings that tie on their first 8 or more bytes, an empty one and short ones.
    static let pool: [String] = {
        var p = ["", "a", "b", "ab", "ä", "Z", "prefix", "prefix-"]
        for i in 0..<40 { p.append("a-long-shared-prefix-\(i % 7)-\(i)") }
        for i in 0..<10 { p.append("zzzzzzzzzzzz\(i)") }
        return p
    }()

    /// `n` rows of (string key, small int key, row id) in batches of 8192: string NULL 1 in 20.
    static func batches(_ n: Int, form: Form, seed: UInt64) -> [[Column]] {
        var rng = SplitMix64(seed: seed)
        let s: [String?] = (0..<n).map { _ in
            let r = Int.random(in: 0..<(pool.count + 3), using: &rng)
            return r < pool.count ? pool[r] : nil
        }
        let k: [Int64?] = (0..<n).map { _ in Int64.random(in: 0..<4, using: &rng) }
        let shared = StringDictionary()
        return stride(from: 0, to: n, by: 8192).map { start in
            let r = start..<min(n, start + 8192)
            let strings = Array(s[r])
            let col: Column
            switch form {
            case .sharedDictionary: col = strCol(strings, dict: shared)
            case .dictionaryPerBatch: col = strCol(strings)
            case .flat: col = Column(flatStrings: strings)
            }
            return [col, intCol(Array(k[r])), intCol(r.map { Int64($0) })]
        }
    }

    @Test(arguments: Form.allCases, [(true, false), (false, false), (true, true), (false, true)])
    func topNEqualsFullSortPrefix(form: Form, order: (ascending: Bool, nullsFirst: Bool)) throws {
        let n = 60_000
        let bs = Self.batches(n, form: form, seed: 5)
        let keys = [
            SortKey(column: 0, ascending: order.ascending, nullsFirst: order.nullsFirst),
            SortKey(column: 1, ascending: false),
        ]
        let full = try rows(SortOperator(child: source(bs), keys: keys)).map { $0[2] }
        for (limit, offset) in [(1, 0), (20, 0), (7, 30), (3000, 5)] {
            let want = Array(full[offset..<offset + limit])
            let serial = try rows(SortOperator(child: source(bs), keys: keys, limit: limit, offset: offset))
            #expect(serial.map { $0[2] } == want, "limit \(limit) offset \(offset)")
            let parallel = try rows(
                SortOperator(
                    child: source(bs), keys: keys, limit: limit, offset: offset, morsels: TestMorsels(bs), threads: 2))
            #expect(parallel == serial, "two threads, limit \(limit) offset \(offset)")
        }
        // one batch of all rows: its own bound (the keep-th best string) filters the rest
        var whole = [ColumnBuilder(type: .varchar), ColumnBuilder(type: .bigint), ColumnBuilder(type: .bigint)]
        for b in bs { for c in 0..<3 { whole[c].append(b[c]) } }
        var cols: [Column] = []
        for c in 0..<3 { cols.append(whole[c].take()) }
        let one = [cols]
        let top = try rows(SortOperator(child: source(one), keys: keys, limit: 25, offset: 2)).map { $0[2] }
        #expect(top == Array(full[2..<27]))
    }

    /// The row bound: rows that tie with the last kept row on the string key and lose on the next
    /// key are dropped, rows that win on it are kept, in byte order with NULLs placed as the key says.
    @Test func rowBoundComparesEveryKey() throws {
        let kept = Batch(columns: [Column(flatStrings: ["a-long-shared-prefix-x"]), intCol([5])], count: 1)
        let keys = [SortKey(column: 0), SortKey(column: 1, ascending: false)]
        let bound = try #require(TopNRowBound(kept, keys: keys))
        let strings: [String?] = [
            "a-long-shared-prefix-x", "a-long-shared-prefix-x", "a-long-shared-prefix-x", "a-long-shared-prefix-w",
            "a-long-shared-prefix-y", nil, "", "a-long-shared-prefix-x",
        ]
        let k: [Int64?] = [6, 5, 4, 0, 9, 9, 0, nil]
        let b = Batch(columns: [strCol(strings), intCol(k)], count: strings.count)
        let out = try #require(bound.filter(b))
        // kept: larger second key (6), equal (5), smaller first key, empty string; dropped: 4 (worse),
        // "...y", NULL string (last), NULL second key (last among equal strings)
        #expect(out.columns[1].ints == [6, 5, 0, 0])
        #expect(bound.filter(Batch(columns: [strCol(["b"]), intCol([1])], count: 1))?.count == nil)
    }

    /// The first-key bound of a batch: the `keep`-th best string exactly for a dictionary column,
    /// its first 8 bytes for a flat one; each lets through the rows not strictly worse.
    @Test func batchBoundOfStrings() throws {
        let strings: [String?] = ["pear", "apple", nil, "apple-pie-with-cream", "apple-pie-with-cake", "fig", ""]
        for col in [strCol(strings), Column(flatStrings: strings)] {
            let exact = col.dictionary != nil
            for (ascending, keep, want) in [
                // the 8-byte prefix "apple-pi" of the third best ties both pies: a flat column lets both in
                (
                    true, 3,
                    exact
                        ? ["apple", "apple-pie-with-cake", ""]
                        : ["apple", "apple-pie-with-cream", "apple-pie-with-cake", ""]
                ),
                (false, 2, ["pear", "fig"]),
            ] {
                let key = SortKey(column: 0, ascending: ascending)
                let bound = try #require(TopNBound(best: keep, of: col, count: col.count, key: key))
                let out = try #require(bound.filter(Batch(columns: [col], count: col.count)))
                let got = (0..<out.count).map { out.columns[0].stringView(at: $0).string }
                #expect(got == want, "ascending \(ascending), dictionary \(exact)")
            }
        }
    }

    /// The runtime filter on a stored VARCHAR key: zone maps of string edges rule blocks in and out
    /// and rank them; NULL keys pass only when NULLs sort first.
    @Test func filterZoneMapsOfStrings() throws {
        let filter = TopNFilter(key: SortKey(column: 0))
        let f = filter.function(keyType: .varchar)
        #expect(f.zoneRule != nil && f.zoneOrder != nil)
        let kept = Batch(columns: [Column(flatStrings: ["mango"])], count: 1)
        filter.publish(try #require(TopNBound(kept, key: SortKey(column: 0))))
        func zm(_ lo: String, _ hi: String, nulls: Int = 0) -> ZoneMap {
            ZoneMap(rowCount: 10, nullCount: nulls, min: .string(lo), max: .string(hi))
        }
        #expect(filter.mayPass(zm("apple", "zebra")))
        #expect(filter.mayPass(zm("mango", "zebra")))
        #expect(!filter.mayPass(zm("mangp", "zebra")))
        #expect(!filter.mayPass(zm("mango-and-more", "zz")))
        #expect(try #require(filter.rank(zm("a", "b"))) < (try #require(filter.rank(zm("b", "c")))))
        let col = strCol(["kiwi", nil, "mango", "melon", "", "mango-x"])
        let pass = try #require(filter.passing(col, count: col.count))
        #expect(pass.ints == [1, 0, 1, 0, 1, 0])
    }
}
