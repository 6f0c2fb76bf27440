import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiFormat

/// Round trips of every logical type through StoreWriter and Store (Formats/column-file.md).
@Suite struct RoundTripTests {
    /// Writes one single-column table and checks the values come back exactly.
    func roundTrip(_ type: DataType, _ column: Column, expect: [Value], batchSize: Int? = nil) throws -> StoreTable {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.sub("store")
        let n = column.count
        var batches: [Batch] = []
        let step = batchSize ?? max(n, 1)
        var s = 0
        while s < n {
            let e = min(n, s + step)
            batches.append(Batch(columns: [column.slice(s..<e)], count: e - s))
            s = e
        }
        let summaries = try writeStore(path, [TableSpec(name: "t", schema: [Field("c", type)], batches: batches)])
        #expect(summaries.count == 1 && summaries[0].rows == n && summaries[0].storeBytes > 0)
        let store = try Store.open(at: path)
        let t = try store.table("t")
        #expect(t.rowCount == n)
        #expect(t.blockCount == (n + FormatConstants.blockRows - 1) / FormatConstants.blockRows)
        #expect(t.schema == [Field("c", type)])
        let got = try readValues(t, 0)
        #expect(same(got, expect), "round trip of \(type) differs")
        #expect(store.verify().isEmpty)
        return t
    }

    @Test func emptyTableOfEveryType() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let types: [DataType] = [.boolean, .integer, .bigint, .double, .varchar, .date, .timestamp]
        let schema = types.enumerated().map { Field("c\($0.offset)", $0.element) }
        try writeStore(dir.sub("s"), [TableSpec(name: "empty", schema: schema, batches: [])])
        let store = try Store.open(at: dir.sub("s"))
        let t = try store.table("empty")
        #expect(t.rowCount == 0 && t.blockCount == 0)
        #expect(t.schema == schema)
        #expect(store.verify().isEmpty)
        #expect(t.zoneMap(column: 0, block: 0) == nil)
        #expect(throws: KuaiError.self) { try t.readColumn(0, block: 0) }
    }

    @Test(arguments: [DataType.boolean, .integer, .bigint, .double, .varchar, .date, .timestamp])
    func allNullColumn(_ type: DataType) throws {
        let n = 70_000
        let t = try roundTrip(type, Column.nulls(type, count: n), expect: Array(repeating: .null, count: n))
        let z = t.zoneMap(column: 0, block: 0)!
        #expect(
            z
                == ZoneMap(
                    rowCount: FormatConstants.blockRows, nullCount: FormatConstants.blockRows, min: .null, max: .null))
        let c = try t.readColumn(0, block: 1)
        #expect(c.nullCount == n - FormatConstants.blockRows)
    }

    @Test(arguments: [65_535, 65_536, 65_537, 2 * 65_536 + 1])
    func blockBoundaries(_ n: Int) throws {
        let v: [Int64?] = (0..<n).map { Int64($0) * 3 - 100_000 }
        let t = try roundTrip(.bigint, intCol(v), expect: boxed(.bigint, v), batchSize: 10_000)
        let last = t.blockCount - 1
        #expect(t.blockRowCount(last) == n - last * FormatConstants.blockRows)
        let z = t.zoneMap(column: 0, block: last)!
        #expect(z.min == .int(Int64(last * FormatConstants.blockRows) * 3 - 100_000))
        #expect(z.max == .int(Int64(n - 1) * 3 - 100_000))
    }

    @Test func bigintExtremesAndNegatives() throws {
        var v: [Int64?] = [Int64.min, Int64.max, -1, 0, 1, nil, -124, Int64.min + 1, Int64.max - 1, nil]
        var g = SplitMix64(seed: 42)
        for _ in 0..<1000 { v.append(Int64(bitPattern: g.next())) }
        let t = try roundTrip(.bigint, intCol(v), expect: boxed(.bigint, v))
        let z = t.zoneMap(column: 0, block: 0)!
        #expect(z.min == .int(Int64.min) && z.max == .int(Int64.max) && z.nullCount == 2)
    }

    @Test func extremesAlternatingStressDelta() throws {
        // Deltas that overflow Int64 (wrap-around) must still round-trip.
        let v: [Int64?] = (0..<5000).map { $0 % 2 == 0 ? Int64.min : Int64.max }
        _ = try roundTrip(.bigint, intCol(v), expect: boxed(.bigint, v))
        let w: [Int64?] = (0..<5000).map { Int64.max - Int64($0) }
        _ = try roundTrip(.bigint, intCol(w), expect: boxed(.bigint, w))
    }

    @Test func smallRangesPickNarrowEncodings() throws {
        // live_type-like: -124, 1, 2 with NULLs.
        var g = SplitMix64(seed: 7)
        let v: [Int64?] = (0..<100_000).map { i in
            if i % 97 == 0 { return nil }
            return [-124, 1, 2][Int(g.next() % 3)]
        }
        let t = try roundTrip(.integer, intCol(v, type: .integer), expect: boxed(.integer, v))
        let info = try t.blockInfo(column: 0, block: 0)
        #expect(info.storedBytes < 65_536, "3 distinct values must take under a byte a row")
    }

    @Test func constantColumn() throws {
        let v: [Int64?] = Array(repeating: 1_748_275_200_000, count: 70_000)
        let t = try roundTrip(.bigint, intCol(v), expect: boxed(.bigint, v))
        let info = try t.blockInfo(column: 0, block: 0)
        #expect(info.storedBytes <= 32)
    }

    @Test func nearSortedTimestampsChooseDelta() throws {
        // click.timestamp-like: epoch ms, increasing by small steps, several rows per millisecond.
        var g = SplitMix64(seed: 3)
        var ts: Int64 = 1_746_374_400_022
        let v: [Int64?] = (0..<65_536).map { _ in
            let r = g.next() % 10
            if r < 4 { return ts }  // same millisecond (one screen of rooms)
            ts += Int64(g.next() % 50)
            if r == 9 { return ts - Int64(g.next() % 5) }  // a little out of order
            return ts
        }
        let t = try roundTrip(.bigint, intCol(v), expect: boxed(.bigint, v))
        let info = try t.blockInfo(column: 0, block: 0)
        #expect(info.encoding == .deltaBitPack)
        #expect(info.storedBytes < 65_536 * 2)
    }

    @Test func randomIdsChooseBitPacking() throws {
        var g = SplitMix64(seed: 5)
        let v: [Int64?] = (0..<65_536).map { _ in Int64(g.next() % 1_000_000) }
        let t = try roundTrip(.bigint, intCol(v), expect: boxed(.bigint, v))
        let info = try t.blockInfo(column: 0, block: 0)
        #expect(info.encoding == .forBitPack)
        // 20 bits a row (+ prefix).
        #expect(info.storedBytes <= 65_536 * 20 / 8 + 64)
    }

    @Test func dateAndTimestampAndBoolean() throws {
        let d: [Int64?] = [-719_528, 0, 20_000, nil, 19_000, 2_932_896]
        _ = try roundTrip(.date, intCol(d, type: .date), expect: boxed(.date, d))
        let ts: [Int64?] = [1_746_374_400_022_000, nil, -62_135_596_800_000_000, 0]
        _ = try roundTrip(.timestamp, intCol(ts, type: .timestamp), expect: boxed(.timestamp, ts))
        let b: [Int64?] = (0..<70_001).map { $0 % 5 == 0 ? nil : Int64($0 % 3 == 0 ? 1 : 0) }
        let t = try roundTrip(.boolean, intCol(b, type: .boolean), expect: boxed(.boolean, b))
        let z = t.zoneMap(column: 0, block: 0)!
        #expect(z.min == .bool(false) && z.max == .bool(true))
    }

    @Test func doublesWithNaNInfinityAndSignedZero() throws {
        let v: [Double?] = [
            1.5, -0.0, 0.0, .infinity, -.infinity, nil, .nan, 1e-308, -1e308, .leastNonzeroMagnitude, 3.25,
        ]
        let t = try roundTrip(.double, dblCol(v), expect: v.map { $0.map(Value.double) ?? .null })
        let z = t.zoneMap(column: 0, block: 0)!
        #expect(z.min == .double(-.infinity))
        if case .double(let m) = z.max {
            #expect(m.isNaN, "NaN sorts last, as in DuckDB")
        } else {
            Issue.record("max not double")
        }
        let c = try t.readColumn(0, block: 0)
        #expect(c.doubles[1].sign == .minus, "-0.0 keeps its sign")
    }

    @Test func doublesWithoutNaN() throws {
        var g = SplitMix64(seed: 11)
        let v: [Double?] = (0..<70_000).map { i in i % 10 == 0 ? nil : Double(Int64(g.next() % 10_000)) / 7 }
        let t = try roundTrip(.double, dblCol(v), expect: v.map { $0.map(Value.double) ?? .null })
        let z = t.zoneMap(column: 0, block: 0)!
        let valid = v[0..<65_536].compactMap { $0 }
        #expect(z.min == .double(valid.min()!) && z.max == .double(valid.max()!))
    }

    @Test func emptyStringIsNotNull() throws {
        let s: [String?] = ["", nil, "a", "", nil, "é中文", "a"]
        let t = try roundTrip(.varchar, Column(strings: s), expect: s.map { $0.map(Value.string) ?? .null })
        let z = t.zoneMap(column: 0, block: 0)!
        #expect(z.min == .string("") && z.max == .string("é中文") && z.nullCount == 2)
        let dict = try t.dictionary(column: 0)!
        #expect(dict.count == 3)
    }

    @Test func dictionaryOfOneValue() throws {
        let s: [String?] = Array(repeating: "M", count: 70_000)
        let t = try roundTrip(.varchar, Column(strings: s), expect: s.map { .string($0!) }, batchSize: 30_000)
        #expect(try t.dictionary(column: 0)!.count == 1)
        #expect(try t.blockInfo(column: 0, block: 0).storedBytes <= 32)
        // Every block shares one dictionary object.
        let a = try t.readColumn(0, block: 0)
        let b = try t.readColumn(0, block: 1)
        #expect(a.dictionary === b.dictionary)
    }

    @Test func dictionaryOf100kValues() throws {
        let n = 150_000
        let s: [String?] = (0..<n).map { i in i >= 100_000 && i % 1000 == 999 ? nil : "value-\((i * 7919) % 100_000)" }
        let t = try roundTrip(
            .varchar, Column(strings: s), expect: s.map { $0.map(Value.string) ?? .null }, batchSize: 40_000)
        // Block 0 brings more than blockRows / 8 new strings: the dictionary keeps them, and later
        // blocks are plain strings whose zone maps are string bounds (Formats/column-file.md).
        let firstBlock = Set(s[0..<FormatConstants.blockRows].compactMap { $0 })
        #expect(try t.dictionary(column: 0)!.count == firstBlock.count)
        for b in 0..<t.blockCount {
            let lo = b * FormatConstants.blockRows
            let hi = min(n, lo + FormatConstants.blockRows)
            let vals = s[lo..<hi].compactMap { $0 }
            let z = t.zoneMap(column: 0, block: b)!
            let mn = vals.min { StringDictionary.less($0, $1) }!
            let mx = vals.max { StringDictionary.less($0, $1) }!
            if b == 0 {
                #expect(z.min == .string(mn) && z.max == .string(mx))
                continue
            }
            #expect(try t.blockInfo(column: 0, block: b).encoding == .plainStrings)
            guard case .string(let lower) = z.min, case .string(let upper) = z.max else {
                Issue.record("block \(b): no string bounds")
                continue
            }
            #expect(!StringDictionary.less(mn, lower) && !StringDictionary.less(upper, mx))
        }
    }

    @Test func perBatchDictionariesAreRecoded() throws {
        // Each batch has its own dictionary with the same strings in different code order.
        let dir = TempDir()
        defer { dir.cleanup() }
        let bands = ["10-100", "100-1000", "0", "5000+", "1000-10000"]
        var batches: [Batch] = []
        var expect: [Value] = []
        var g = SplitMix64(seed: 9)
        for k in 0..<7 {
            let order = bands.shuffled(using: &g)
            let dict = StringDictionary(order)
            let n = 20_000 + k
            var codes = [Int32](repeating: 0, count: n)
            var validity = [UInt8](repeating: 1, count: n)
            for i in 0..<n {
                if i % 13 == 0 {
                    validity[i] = 0
                    codes[i] = 99
                    expect.append(.null)
                    continue
                }
                codes[i] = Int32(g.next() % UInt64(order.count))
                expect.append(.string(order[Int(codes[i])]))
            }
            batches.append(Batch(columns: [Column(codes: codes, dictionary: dict, validity: validity)]))
        }
        try writeStore(dir.sub("s"), [TableSpec(name: "user", schema: [Field("fans_num", .varchar)], batches: batches)])
        let t = try Store.open(at: dir.sub("s")).table("user")
        #expect(same(try readValues(t, 0), expect))
        #expect(try t.dictionary(column: 0)!.count == bands.count)
    }

    @Test func reusedGrowingBatchDictionary() throws {
        // One dictionary object shared by batches and growing between them.
        let dir = TempDir()
        defer { dir.cleanup() }
        let dict = StringDictionary()
        var batches: [Batch] = []
        var expect: [Value] = []
        for k in 0..<5 {
            var codes: [Int32] = []
            for i in 0..<30_000 {
                let s = "s\((i + k * 1000) % (2000 * (k + 1)))"
                codes.append(dict.intern(s))
                expect.append(.string(s))
            }
            batches.append(Batch(columns: [Column(codes: codes, dictionary: dict)]))
        }
        try writeStore(dir.sub("s"), [TableSpec(name: "t", schema: [Field("c", .varchar)], batches: batches)])
        let t = try Store.open(at: dir.sub("s")).table("t")
        #expect(same(try readValues(t, 0), expect))
    }

    @Test func multiColumnTableWithManyBatchSizes() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let schema: Schema = [
            Field("user_id", .bigint), Field("live_type", .integer), Field("category", .varchar),
            Field("price", .double), Field("reg", .date), Field("flag", .boolean),
        ]
        var g = SplitMix64(seed: 1)
        let n = 200_003
        let ids: [Int64?] = (0..<n).map { _ in Int64(g.next() % 30_000) }
        let lt: [Int64?] = (0..<n).map { i in i % 50 == 0 ? nil : Int64(i % 3 == 0 ? -124 : 1) }
        let cats = ["other", "shop", "game", "music"]
        let cat: [String?] = (0..<n).map { i in i % 77 == 0 ? nil : cats[Int(g.next() % 4)] }
        let price: [Double?] = (0..<n).map { i in i % 5 == 0 ? nil : Double(i) * 0.5 }
        let reg: [Int64?] = (0..<n).map { _ in 19_000 + Int64(g.next() % 500) }
        let flag: [Int64?] = (0..<n).map { i in Int64(i & 1) }
        let all: [Column] = [
            intCol(ids), intCol(lt, type: .integer), Column(strings: cat), dblCol(price),
            intCol(reg, type: .date), intCol(flag, type: .boolean),
        ]
        var batches: [Batch] = []
        var s = 0
        for size in [1, 2, 65_535, 100_000, 7, 34_458].cycled(until: n) {
            let e = min(n, s + size)
            if e <= s { break }
            batches.append(Batch(columns: all.map { $0.slice(s..<e) }, count: e - s))
            s = e
        }
        #expect(s == n)
        try writeStore(dir.sub("s"), [TableSpec(name: "room", schema: schema, batches: batches)])
        let store = try Store.open(at: dir.sub("s"))
        let t = try store.table("ROOM")  // case-insensitive fallback
        #expect(t.name == "room")
        #expect(same(try readValues(t, 0), boxed(.bigint, ids)))
        #expect(same(try readValues(t, 1), boxed(.integer, lt)))
        #expect(same(try readValues(t, 2), cat.map { $0.map(Value.string) ?? .null }))
        #expect(same(try readValues(t, 3), price.map { $0.map(Value.double) ?? .null }))
        #expect(same(try readValues(t, 4), boxed(.date, reg)))
        #expect(same(try readValues(t, 5), boxed(.boolean, flag)))
        #expect(store.verify().isEmpty)
        #expect(t.nullCount(column: 1) == lt.filter { $0 == nil }.count)
        #expect(t.sourcePath == "/src/room.csv" && t.sourceBytes == 123)
    }

    @Test func twoTablesAndUnknownTableError() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        try writeStore(
            dir.sub("s"),
            [
                TableSpec(
                    name: "user", schema: [Field("id", .bigint)],
                    batches: [Batch(columns: [intCol([1, 2])])]),
                TableSpec(
                    name: "like", schema: [Field("id", .bigint)], batches: [Batch(columns: [intCol([3])])]),
            ])
        let store = try Store.open(at: dir.sub("s"))
        #expect(store.tableNames == ["user", "like"])
        do {
            _ = try store.table("clicks")
            Issue.record("expected an error")
        } catch let e as KuaiError {
            #expect(e.kind == .binding && e.message.contains("user") && e.message.contains("like"))
        }
    }

    /// A column whose first block brings more than blockRows / 8 new strings switches to plain
    /// strings from the next block on (Formats/column-file.md, "VARCHAR: dictionary or plain"); a
    /// categorical column keeps its dictionary. Values (NULLs included) come back in both cases,
    /// written in batches of 2,048 rows as a query's result is.
    @Test func highCardinalityStringsSwitchToPlainBlocks() throws {
        let n = 3 * FormatConstants.blockRows + 100
        let keys: [String?] = (0..<n).map { $0 % 1000 == 7 ? nil : "\($0 / 3)_\($0 % 3)_1" }
        let t = try roundTrip(
            .varchar, Column(flatStrings: keys), expect: keys.map { $0.map(Value.string) ?? .null }, batchSize: 2048)
        #expect(try t.blockInfo(column: 0, block: 0).encoding != .plainStrings)
        for b in 1..<t.blockCount { #expect(try t.blockInfo(column: 0, block: b).encoding == .plainStrings) }

        let labels: [String?] = (0..<n).map { ["click", "like", nil, "gift"][$0 % 4] }
        let c = try roundTrip(
            .varchar, Column(flatStrings: labels), expect: labels.map { $0.map(Value.string) ?? .null },
            batchSize: 2048)
        for b in 0..<c.blockCount { #expect(try c.blockInfo(column: 0, block: b).encoding != .plainStrings) }
    }

    /// The string bounds of plain blocks equal those of the block's smallest and largest strings
    /// (Formats/column-file.md, "Zone maps of plain-string blocks"), also for strings that share
    /// their first 8 bytes, hold NUL bytes or cut a UTF-8 sequence at byte 8.
    @Test func plainBlockBoundsOfTrickyStrings() throws {
        let tricky = [
            "ab", "ab\u{0}", "ab\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}x", "abcdefgh", "abcdefghé", "abcdefgé", "abcdefg",
            "zzzzzzzz", "zzzzzzzzz", "zzzzzzz", "\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}", "ééééé",
            "a", "", "b\u{0}", "一二三四五",
        ]
        var g = SplitMix64(seed: 11)
        let first = FormatConstants.blockRows
        for trial in 0..<6 {
            // A first block of distinct strings switches the column to plain; then 4,000 tricky rows.
            var rows: [String?] = (0..<first).map { "f\($0)" }
            let pool = trial < 3 ? tricky : Array(tricky.prefix(4 + trial))
            for _ in 0..<4_000 { rows.append(g.next() % 10 == 0 ? nil : pool[Int(g.next() % UInt64(pool.count))]) }
            let t = try roundTrip(
                .varchar, Column(flatStrings: rows), expect: rows.map { $0.map(Value.string) ?? .null }, batchSize: 2048
            )
            #expect(try t.blockInfo(column: 0, block: 1).encoding == .plainStrings)
            let block = Column(flatStrings: Array(rows[first...]))
            var views = (0..<block.count).filter { block.validity?[$0] != 0 }.map { block.stringView(at: $0) }
            views.sort { StringView.compare($0, $1) < 0 }
            let want = StringBound.upper(views.last!).map { (StringBound.lower(views[0]), $0) }
            let got = t.zoneMap(column: 0, block: 1)
            if let want {
                #expect(got?.min == StringBound.string(want.0).map(Value.string))
                #expect(got?.max == StringBound.string(want.1).map(Value.string))
            } else {
                #expect(got == nil)
            }
        }
    }

    @Test func oddNamesAreSafeFileNames() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let schema: Schema = [
            Field("a/b", .bigint), Field("..", .bigint), Field("A", .bigint), Field("a", .bigint), Field("", .bigint),
        ]
        let cols = (0..<5).map { intCol([Int64($0)]) }
        try writeStore(dir.sub("s"), [TableSpec(name: "../x", schema: schema, batches: [Batch(columns: cols)])])
        let t = try Store.open(at: dir.sub("s")).table("../x")
        for i in 0..<5 { #expect(try readValues(t, i) == [.int(Int64(i))]) }
        for i in 0..<5 { #expect(Store.isSafeRelativePath(t.columnFilePath(i))) }
    }
}

extension Array {
    /// Repeats the elements until their sum reaches `total` (for batch-size patterns).
    func cycled(until total: Int) -> [Element] where Element == Int {
        var out: [Int] = []
        var sum = 0
        var i = 0
        while sum < total {
            out.append(self[i % count])
            sum += self[i % count]
            i += 1
        }
        return out
    }
}
