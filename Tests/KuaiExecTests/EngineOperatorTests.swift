import KuaiCore
import Testing

@testable import KuaiExec

/// An in-memory table with zone maps that counts the column blocks it decodes.
final class ZonedTable: TableSource, @unchecked Sendable {
    let name = "z"
    let schema: Schema
    let blocks: [Batch]
    private let lock = Mutex()
    private(set) var reads: [(column: Int, block: Int)] = []

    init(schema: Schema, blocks: [Batch]) {
        self.schema = schema
        self.blocks = blocks
    }
    var rowCount: Int { blocks.reduce(0) { $0 + $1.count } }
    var blockCount: Int { blocks.count }
    func blockRowCount(_ block: Int) -> Int { blocks[block].count }
    func zoneMap(column: Int, block: Int) -> ZoneMap? {
        let c = blocks[block].columns[column]
        var lo: Value = .null
        var hi: Value = .null
        var nulls = 0
        for i in 0..<c.count {
            let v = c.value(at: i)
            if v.isNull {
                nulls += 1
                continue
            }
            if lo.isNull || less(v, lo) { lo = v }
            if hi.isNull || less(hi, v) { hi = v }
        }
        return ZoneMap(rowCount: c.count, nullCount: nulls, min: lo, max: hi)
    }
    private func less(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y
        case (.double(let x), .double(let y)): return x < y
        case (.string(let x), .string(let y)): return StringDictionary.less(x, y)
        default: return false
        }
    }
    func readColumn(_ column: Int, block: Int) throws -> Column {
        lock.withLock { reads.append((column, block)) }
        return blocks[block].columns[column]
    }
}

func makeZoned() -> ZonedTable {
    // ts ascending across 4 blocks of 4 rows; v = ts * 10; g in {M, F}
    let dict = StringDictionary(["M", "F"])
    var blocks: [Batch] = []
    for b in 0..<4 {
        let ts = (0..<4).map { Int64(b * 4 + $0) }
        blocks.append(
            Batch(columns: [
                Column(type: .bigint, ints: ts),
                Column(type: .bigint, ints: ts.map { $0 * 10 }),
                Column(codes: ts.map { Int32($0 % 2) }, dictionary: dict),
            ]))
    }
    return ZonedTable(schema: [Field("ts", .bigint), Field("v", .bigint), Field("g", .varchar)], blocks: blocks)
}

@Test func engineScanPrunesBlocksByZoneMaps() throws {
    let t = makeZoned()
    // ts >= 5 AND ts < 7: only block 1 (rows 4...7) can match.
    let ge = ScalarExpr(
        .compare(
            .greaterEqual, ScalarExpr.column(0, type: .bigint, name: "ts"), ScalarExpr.constant(.int(5), type: .integer)
        ), type: .boolean, name: "ts >= 5")
    let lt = ScalarExpr(
        .compare(.less, ScalarExpr.column(0, type: .bigint, name: "ts"), ScalarExpr.constant(.int(7), type: .integer)),
        type: .boolean, name: "ts < 7")
    let scan = TableScan(table: t, columns: [0, 1], conjuncts: [ge, lt])
    // The zone maps are tested before the first morsel: one morsel, block 1, and no worker needed.
    #expect(scan.morselCount == 1)
    var rows: [Int64] = []
    for m in 0..<scan.morselCount {
        if let b = try scan.morsel(m) { rows += b.columns[1].ints }
    }
    #expect(rows == [50, 60])
    // Pruned blocks are never read; in block 1 the predicate column is read before `v`.
    #expect(Set(t.reads.map(\.block)) == [1])
    #expect(t.reads.first?.column == 0)
}

/// Under a top-N's filter the scan reads its blocks best first by the zone maps of the first key
/// (DESC: the largest max first), so once the top-N publishes its bound from the first block the
/// other blocks are skipped unread.
@Test func engineScanReadsTheBlocksATopNWantsFirst() throws {
    for (ascending, order) in [(false, [3, 2, 1, 0]), (true, [0, 1, 2, 3])] {
        let t = makeZoned()
        let filter = TopNFilter(key: SortKey(column: 0, ascending: ascending))
        let conjunct = ScalarExpr(
            .function(filter.function(keyType: .bigint), [ScalarExpr.column(0, type: .bigint, name: "ts")]),
            type: .boolean, name: "topn_filter(ts)")
        let scan = TableScan(table: t, columns: [0, 1], conjuncts: [conjunct])
        #expect(scan.candidateBlocks == order)
        // The first block read holds the best four rows: a top-4 publishes its fourth as the bound.
        let first = try #require(try scan.morsel(0))
        let fourth = ascending ? first.columns[0].ints.sorted()[3] : first.columns[0].ints.sorted(by: >)[3]
        let bound = try #require(
            TopNBound(Batch(columns: [Column(type: .bigint, ints: [fourth])], count: 1), key: filter.key))
        filter.publish(bound)
        var later = 0
        for m in 1..<scan.morselCount { later += try scan.morsel(m)?.count ?? 0 }
        #expect(later == 0)
        #expect(Set(t.reads.map(\.block)) == [order[0]])
    }
}

@Test func engineScanSkipsWholeBlockWhenPredicateFails() throws {
    let t = makeZoned()
    // v = 55 matches no row: blocks outside [50, 70] are pruned, block 1 reads only ts... and v.
    let eq = ScalarExpr(
        .compare(.equal, ScalarExpr.column(1, type: .bigint, name: "v"), ScalarExpr.constant(.int(55), type: .integer)),
        type: .boolean, name: "v = 55")
    let scan = TableScan(table: t, columns: [0, 1], conjuncts: [eq])
    var n = 0
    for m in 0..<scan.morselCount { n += try scan.morsel(m)?.count ?? 0 }
    #expect(n == 0)
    #expect(!t.reads.contains { $0.column == 0 })  // no survivor: the other column is never decoded
}

@Test func engineHashAggregateParallelMatchesSerial() throws {
    // GROUP BY g: count(*), sum(v), avg(v), min(ts), max(ts), count(DISTINCT ts % 3)
    let t = makeZoned()
    let scan = TableScan(table: t, columns: [0, 1, 2])
    let mod = ScalarExpr(
        .arithmetic(
            .modulo, ScalarExpr.column(0, type: .bigint, name: "ts"), ScalarExpr.constant(.int(3), type: .integer)),
        type: .bigint, name: "ts % 3")
    let proj = ProjectSource(
        child: scan,
        expressions: [
            ScalarExpr.column(2, type: .varchar, name: "g"), ScalarExpr.column(1, type: .bigint, name: "v"),
            ScalarExpr.column(0, type: .bigint, name: "ts"), mod,
        ],
        names: ["g", "v", "ts", "m"])
    let specs = [
        spec("count_star", nil, nil, as: "n"), spec("sum", .bigint, 1, as: "s"), spec("avg", .bigint, 1, as: "a"),
        spec("min", .bigint, 2, as: "lo"), spec("max", .bigint, 2, as: "hi"),
        spec("count", .bigint, 3, distinct: true, as: "d"),
    ]
    for threads in [1, 2] {
        let agg = HashAggregateOperator(
            input: .morsels(proj), groupColumns: [0], groupNames: ["g"], aggregates: specs, threads: threads)
        let b = try #require(try agg.next())
        var rows: [String: [String]] = [:]
        for i in 0..<b.count {
            rows[Kernels.text(b.columns[0], i)] = (1..<b.columns.count).map { Kernels.text(b.columns[$0], i) }
        }
        // M = even ts 0..14: n 8, sum v = 560, avg 70.0, min 0, max 14, distinct ts%3 = 3
        #expect(rows["M"] == ["8", "560", "70.0", "0", "14", "3"])
        #expect(rows["F"] == ["8", "640", "80.0", "1", "15", "3"])
        #expect(try agg.next() == nil)
    }
}

@Test func engineAggregateWithoutGroupsOnEmptyInputGivesOneRow() throws {
    let empty = BatchListSource(schema: [Field("x", .bigint)], batches: [])
    let specs = [spec("count_star", nil, nil, as: "n"), spec("sum", .bigint, 0, as: "s")]
    let agg = HashAggregateOperator(
        input: .morsels(empty), groupColumns: [], groupNames: [], aggregates: specs, threads: 2)
    let b = try #require(try agg.next())
    #expect(b.count == 1)
    #expect(b.columns[0].ints == [0])
    #expect(b.columns[1].isValid(0) == false)
}

@Test func engineSumWidensPastInt64() throws {
    // DuckDB: sum(BIGINT) is HUGEINT; 2 * Int64.max = 18446744073709551614 (no overflow).
    let src = BatchListSource(
        schema: [Field("x", .bigint)], batches: [Batch(columns: [Column(type: .bigint, ints: [Int64.max, Int64.max])])])
    let specs = [spec("sum", .bigint, 0, as: "s")]
    let agg = HashAggregateOperator(
        input: .morsels(src), groupColumns: [], groupNames: [], aggregates: specs, threads: 1)
    let b = try #require(try agg.next())
    #expect(b.columns[0].type == .hugeint)
    #expect(b.columns[0].isWide)
    #expect(b.columns[0].int128(at: 0) == Int128(Int64.max) * 2)
    #expect(b.columns[0].value(at: 0) == .hugeint(Int128(Int64.max) * 2))
}

@Test func engineFilterAndMorselDriverKeepTableOrder() throws {
    let t = makeZoned()
    let scan = TableScan(table: t, columns: [0, 2])
    let pred = ScalarExpr(
        .compare(
            .equal, ScalarExpr.column(1, type: .varchar, name: "g"), ScalarExpr.constant(.string("F"), type: .varchar)),
        type: .boolean, name: "g = 'F'")
    let driver = MorselDriver(source: FilterSource(child: scan, predicate: pred), threads: 2)
    var ts: [Int64] = []
    while let b = try driver.next() { ts += b.columns[0].ints }
    #expect(ts == [1, 3, 5, 7, 9, 11, 13, 15])
}

@Test func engineCountDistinctSpillsToSortAndStaysExact() throws {
    // Same answer from the hash set and from the append-then-sort path (both results are exact).
    let values: [Int64] = (0..<5000).map { Int64(($0 * 7919) % 1231) }  // 1231 distinct values
    let groups: [Int64] = (0..<5000).map { Int64($0 % 3) }
    let src = BatchListSource(
        schema: [Field("g", .bigint), Field("v", .bigint)],
        batches: stride(from: 0, to: 5000, by: 1000).map {
            Batch(columns: [
                Column(type: .bigint, ints: Array(groups[$0..<$0 + 1000])),
                Column(type: .bigint, ints: Array(values[$0..<$0 + 1000])),
            ])
        })
    var expected: [Int64: Set<Int64>] = [:]
    for i in 0..<5000 { expected[groups[i], default: []].insert(values[i]) }
    let saved = DistinctState.hashLimit
    defer { DistinctState.hashLimit = saved }
    for limit in [1 << 20, 64] {
        DistinctState.hashLimit = limit
        let specs = [spec("count", .bigint, 1, distinct: true, as: "d")]
        let agg = HashAggregateOperator(
            input: .morsels(src), groupColumns: [0], groupNames: ["g"], aggregates: specs, threads: 2)
        let b = try #require(try agg.next())
        for i in 0..<b.count {
            #expect(b.columns[1].ints[i] == Int64(expected[b.columns[0].ints[i]]!.count))
        }
    }
}
