import KuaiCore
import Testing

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// Strings of every length around the inline limit, with NUL bytes, non-ASCII and shared prefixes.
private let samples: [String] = {
    var out = ["", "a", "ab", "abc", "abcd", "abcde", "abcd\u{0}", "abc\u{0}", "\u{0}", "é", "中文", "😀x"]
    for n in [4, 5, 8, 11, 12, 13, 16, 17, 40, 300] {
        out.append(String(repeating: "x", count: n))
        out.append(String(repeating: "x", count: n - 1) + "y")
        out.append("pk_" + String(repeating: "9", count: n))
    }
    out.append("1_733942_1")
    out.append("1_733942_10")
    out.append("1_733942_2")
    return out
}()

@Suite struct StringVectorTests {
    @Test func viewsRoundTripEveryLength() {
        let col = Column(flatStrings: samples)
        #expect(col.isFlatString && col.count == samples.count)
        for (i, s) in samples.enumerated() {
            #expect(col.value(at: i) == .string(s))
            #expect(col.views[i].count == s.utf8.count)
            #expect(col.views[i].isInline == (s.utf8.count <= 12))
        }
    }

    @Test func shortViewsKeepOnlyTheirBytesAtEveryPlaceInAPage() throws {
        // A short string is read with two loads when its 12 bytes lie in one page, else copied byte
        // by byte: at every offset near a page's end and every length 0...12, with other bytes
        // after it, the view holds exactly its bytes and zero padding (equal to a view of a clean copy).
        let page = 4096
        var raw: UnsafeMutableRawPointer?
        try #require(posix_memalign(&raw, page, 2 * page) == 0)
        let base = try #require(raw).bindMemory(to: UInt8.self, capacity: 2 * page)
        defer { free(raw) }
        for offset in [0, 1, page - 20, page - 13, page - 12, page - 11, page - 5, page - 1] {
            for count in 0...StringView.inlineLimit {
                for i in 0..<(2 * page) { base[i] = 0xA5 }
                let text = (0..<count).map { UInt8(0x61 + $0) }
                for (i, b) in text.enumerated() { base[offset + i] = b }
                let view = StringView(bytes: base + offset, count: count)
                // The layout's fields from the bytes: prefix = bytes 0..<4, tail = bytes 4..<12, zero-padded.
                let padded = text + [UInt8](repeating: 0, count: 12 - count)
                let prefix = (0..<4).reduce(UInt32(0)) { $0 | UInt32(padded[$1]) << (8 * UInt32($1)) }
                let tail = (0..<8).reduce(UInt64(0)) { $0 | UInt64(padded[4 + $1]) << (8 * UInt64($1)) }
                #expect(view.count == count && view.isInline)
                #expect(view.withBytes { Array($0) } == text, "offset \(offset) count \(count)")
                #expect(view.prefix == prefix && view.tail == tail, "offset \(offset) count \(count)")
            }
        }
    }

    @Test func compareIsByteOrderAndEqualityIsBytes() {
        let col = Column(flatStrings: samples)
        for (i, a) in samples.enumerated() {
            for (j, b) in samples.enumerated() {
                let want = a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : (Array(a.utf8) == Array(b.utf8) ? 0 : 1)
                let got = StringView.compare(col.views[i], col.views[j])
                #expect(got.signum() == want, "\(a.debugDescription) vs \(b.debugDescription)")
                #expect(StringView.equal(col.views[i], col.views[j]) == (want == 0))
            }
        }
    }

    @Test func hashDependsOnBytesNotOnStorage() {
        // The same bytes in two different heaps hash and compare equal.
        let a = Column(flatStrings: samples)
        let b = Column(flatStrings: samples)
        for i in samples.indices {
            #expect(a.views[i].hashValue64 == b.views[i].hashValue64)
            #expect(StringView.equal(a.views[i], b.views[i]))
            var s = samples[i]
            let direct = s.withUTF8 { ByteHash.hash($0) }
            #expect(direct == a.views[i].hashValue64)
        }
    }

    @Test func gatherSliceAndNulls() {
        let col = Column(flatStrings: ["short", nil, String(repeating: "long", count: 10), "x"])
        #expect(col.nullCount == 1)
        let g = [Int32(3), 2, 1, 2].withUnsafeBufferPointer { col.gather($0) }
        #expect(
            (0..<4).map { g.value(at: $0) }
                == [
                    .string("x"), .string(String(repeating: "long", count: 10)), .null,
                    .string(String(repeating: "long", count: 10)),
                ])
        let s = col.slice(1..<3)
        #expect((0..<2).map { s.value(at: $0) } == [.null, .string(String(repeating: "long", count: 10))])
    }

    @Test func formsConvertBothWays() {
        let values: [String?] = samples + [nil] + samples.reversed()
        let flat = Column(flatStrings: values)
        let dict = flat.dictionaryEncoded()
        #expect(dict.stringForm == .dictionary && dict.dictionary!.count == samples.count)
        let back = Column(strings: values).flattened()
        #expect(back.stringForm == .flat)
        for i in values.indices {
            #expect(dict.value(at: i) == flat.value(at: i))
            #expect(back.value(at: i) == flat.value(at: i))
            if values[i] != nil { #expect(StringView.equal(back.stringView(at: i), flat.stringView(at: i))) }
        }
    }

    @Test func viewTableGivesDenseCodesThroughGrowth() {
        var b = StringVectorBuilder()
        for i in 0..<50_000 { b.append("key_\(i % 20_000)_suffix") }
        let col = b.finish()
        var table = ViewHashTable(expected: 4)
        var codes: [Int32] = []
        for i in 0..<col.count { codes.append(table.findOrInsert(col.views[i])) }
        #expect(table.distinct.count == 20_000)
        for i in 0..<col.count { #expect(codes[i] == Int32(i % 20_000)) }
        var probe = StringVectorBuilder()
        probe.append("key_19999_suffix")
        probe.append("key_20000_suffix")
        let p = probe.finish()
        #expect(table.find(p.views[0]) == 19_999 && table.find(p.views[1]) == nil)
    }
}
