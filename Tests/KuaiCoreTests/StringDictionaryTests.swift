import KuaiCore
import Testing

/// Values around the 12-byte inline limit, with NUL bytes, non-ASCII and shared prefixes.
private let words: [String] = [
    "", "a", "b", "ab", "abc\u{0}", "abcdefghijkl", "abcdefghijklm", "abcdefghijkm", "é", "中文", "😀",
    String(repeating: "z", count: 100), "pk_123456789012", "pk_123456789013",
]

@Suite struct StringDictionaryTests {
    @Test func internGivesDenseCodesInFirstOccurrenceOrder() {
        let d = StringDictionary()
        for w in words + words.reversed() { d.intern(w) }
        #expect(d.count == words.count)
        #expect(d.values == words)
        for (i, w) in words.enumerated() {
            #expect(d.code(of: w) == Int32(i))
            #expect(d[Int32(i)] == w)
            #expect(d.views[i].string == w)
        }
        #expect(d.code(of: "absent") == nil)
        #expect(d.code(of: "abcdefghijklmn") == nil)
    }

    @Test func viewsInternedFromATemporaryBufferAreCopied() {
        let d = StringDictionary()
        let long = String(repeating: "q", count: 40)
        do {
            let col = Column(flatStrings: [long, "short"])
            #expect(d.intern(col.views[0]) == 0)
            #expect(d.intern(col.views[1]) == 1)
            #expect(d.intern(col.views[0]) == 0)
        }
        // The column and its heap are gone; the dictionary holds its own copy.
        #expect(d.values == [long, "short"])
    }

    @Test func dictionaryOverViewsKeepsItsOwnersAlive() {
        var dict: StringDictionary
        do {
            let flat = Column(flatStrings: words)
            dict = StringDictionary(views: flat.views, owners: flat.heaps)
        }
        #expect(dict.values == words)
        #expect(dict.code(of: String(repeating: "z", count: 100)) == 11)
    }

    @Test func ranksAndSortednessFollowByteOrder() {
        let d = StringDictionary(["b", "a", "é", "B", "", "ab"])
        let order = d.values.indices.sorted {
            Array(d.values[$0].utf8).lexicographicallyPrecedes(Array(d.values[$1].utf8))
        }
        let ranks = d.sortRanks
        for (rank, code) in order.enumerated() { #expect(ranks[code] == Int32(rank)) }
        #expect(!d.isSorted)
        #expect(StringDictionary(["", "B", "a", "ab", "b", "é"]).isSorted)
        let growing = StringDictionary(["a", "b"])
        #expect(growing.isSorted)
        growing.intern("0")
        #expect(!growing.isSorted)
    }

    @Test func manyValuesThroughIndexGrowth() {
        let d = StringDictionary()
        for i in 0..<30_000 { #expect(d.intern("value-\(i)-with-a-long-tail") == Int32(i)) }
        for i in stride(from: 0, to: 30_000, by: 997) { #expect(d.code(of: "value-\(i)-with-a-long-tail") == Int32(i)) }
        let built = StringDictionary((0..<1000).map { "v\($0)" })
        #expect(built.code(of: "v999") == 999 && built.intern("v5") == 5 && built.intern("new") == 1000)
    }
}
