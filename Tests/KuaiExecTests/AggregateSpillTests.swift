import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

// A GROUP BY whose tables spill (forced after a few groups) gives the rows of the same GROUP BY in
// memory: keys of several types with NULLs, ordinary, DISTINCT and filtered aggregates, one and
// two threads.

/// 20000 rows in batches of 1000: k BIGINT (i % 3001, NULL every 97th), s VARCHAR (NULL every
/// 50th, long and short), v BIGINT, x DOUBLE (-0.0 and 0.0 both, NaN), f BOOLEAN.
private func spillInput() -> [Batch] {
    stride(from: 0, to: 20000, by: 1000).map { start in
        let r = start..<start + 1000
        let k = r.map { $0 % 97 == 0 ? nil : Int64(($0 * 7919) % 3001) }
        let kv = k.map { $0 == nil ? UInt8(0) : 1 }
        let s: [String?] = r.map { i in
            i % 50 == 0 ? nil : "user-\((i * 31) % 23)" + (i % 2 == 0 ? "-with-a-long-tail" : "")
        }
        return Batch(columns: [
            Column(type: .bigint, ints: k.map { $0 ?? 0 }, validity: kv),
            Column(strings: s),
            Column(type: .bigint, ints: r.map { Int64(($0 * 37) % 1009) }),
            Column(
                doubles: r.map { $0 % 5 == 0 ? ($0 % 10 == 0 ? -0.0 : 0.0) : $0 % 7 == 3 ? .nan : Double($0 % 11) / 4 }),
            Column(type: .boolean, ints: r.map { Int64($0 % 3 == 0 ? 1 : 0) }),
        ])
    }
}

private let spillSchema = [
    Field("k", .bigint), Field("s", .varchar), Field("v", .bigint), Field("x", .double), Field("f", .boolean),
]

/// The aggregate's rows as sorted text lines.
private func aggregateRows(
    groups: [Int], specs: [AggregateSpec], threads: Int, spillAfter: Int, pull: Bool = false, flushAfter: Int = 0
) throws -> [String] {
    try aggregateRun(
        groups: groups, specs: specs, threads: threads, spillAfter: spillAfter, pull: pull, flushAfter: flushAfter
    ).rows
}

/// The aggregate's rows as sorted text lines, and whether its threads partitioned their rows.
private func aggregateRun(
    groups: [Int], specs: [AggregateSpec], threads: Int, spillAfter: Int, pull: Bool = false, flushAfter: Int = 0,
    partitionAfter: Int = 0
) throws -> (rows: [String], partitioned: Bool) {
    let batches = spillInput()
    let input: AggregateInput =
        pull
        ? .pull(BatchReplayOperator(schema: spillSchema, batches: batches))
        : .morsels(BatchListSource(schema: spillSchema, batches: batches))
    let agg = HashAggregateOperator(
        input: input, groupColumns: groups, groupNames: groups.map { spillSchema[$0].name }, aggregates: specs,
        threads: threads)
    agg.spillAfterGroups = spillAfter
    agg.flushAfterGroups = flushAfter
    agg.partitionAfterRows = partitionAfter
    var lines: [String] = []
    while let b = try agg.next() {
        for i in 0..<b.count {
            // -0.0 and 0.0 are one key; which of them a group shows depends on the thread that saw it first
            let fields = b.columns.map { $0.isValid(i) ? Kernels.text($0, i) : "NULL" }
            lines.append(fields.map { $0 == "-0.0" ? "0.0" : $0 }.joined(separator: "|"))
        }
    }
    return (lines.sorted(), agg.partitionChoice.mode == .partitions)
}

@Test(arguments: [[0], [1], [0, 1], [3], [1, 3, 0]])
func spilledGroupByGivesTheInMemoryRows(groups: [Int]) throws {
    let specs = [
        spec("count_star", nil, nil), spec("sum", .bigint, 2), spec("min", .varchar, 1), spec("max", .double, 3),
        spec("avg", .bigint, 2), spec("count", .bigint, 2, distinct: true), spec("sum", .bigint, 2, filter: 4),
    ]
    let expected = try aggregateRows(groups: groups, specs: specs, threads: 1, spillAfter: 0)
    #expect(expected.count > 10)
    let before = SpillDirectory.filesOpened
    for threads in [1, 2] {
        for after in [1, 20] {
            #expect(try aggregateRows(groups: groups, specs: specs, threads: threads, spillAfter: after) == expected)
        }
    }
    #expect(try aggregateRows(groups: groups, specs: specs, threads: 1, spillAfter: 5, pull: true) == expected)
    #expect(SpillDirectory.filesOpened > before)  // the tables did spill
}

@Test(arguments: [[0], [1], [0, 1], [3], [1, 3, 0]])
func flushedGroupByGivesTheInMemoryRows(groups: [Int]) throws {
    // Tables set aside every few groups (the same key then stands in several of them), alone and
    // together with spilling; `first` checks that a group's rows keep their order on one thread.
    let specs = [
        spec("count_star", nil, nil), spec("sum", .bigint, 2), spec("min", .varchar, 1), spec("max", .double, 3),
        spec("count", .bigint, 2, distinct: true), spec("sum", .bigint, 2, filter: 4), spec("first", .bigint, 2),
    ]
    let expected = try aggregateRows(groups: groups, specs: specs, threads: 1, spillAfter: 0, pull: true)
    #expect(expected.count > 10)
    for after in [1, 7, 500] {
        let one = try aggregateRows(
            groups: groups, specs: specs, threads: 1, spillAfter: 0, pull: true, flushAfter: after)
        #expect(one == expected)
        let spilled = try aggregateRows(
            groups: groups, specs: specs, threads: 1, spillAfter: after * 3, pull: true, flushAfter: after)
        #expect(spilled == expected)
    }
    // with two threads `first` depends on which thread took which rows: compare without it
    let unordered = Array(specs.dropLast())
    let expected2 = try aggregateRows(groups: groups, specs: unordered, threads: 2, spillAfter: 0)
    for after in [1, 500] {
        #expect(
            try aggregateRows(groups: groups, specs: unordered, threads: 2, spillAfter: 0, flushAfter: after)
                == expected2)
        #expect(
            try aggregateRows(groups: groups, specs: unordered, threads: 2, spillAfter: 900, flushAfter: after)
                == expected2)
    }
}

@Test(arguments: [[0], [1], [0, 1], [3], [1, 3, 0], [4, 2]])
func partitionedGroupByGivesTheTablesRows(groups: [Int]) throws {
    // Two threads scatter their rows into partitions after a sample of 1 to 10 batches (the first
    // thread to sample them decides for both; a thread with fewer rows follows at the end; of the
    // 20 batches one thread takes at least 10); VARCHAR keys come from a dictionary per batch, so
    // equal strings must meet by their bytes.
    let specs = [
        spec("count_star", nil, nil), spec("sum", .bigint, 2), spec("min", .varchar, 1), spec("max", .double, 3),
        spec("avg", .bigint, 2), spec("count", .bigint, 2, distinct: true), spec("sum", .bigint, 2, filter: 4),
    ]
    let expected = try aggregateRows(groups: groups, specs: specs, threads: 1, spillAfter: 0)
    #expect(expected.count > 10)
    for after in [1000, 2000, 5000, 10000] {
        let run = try aggregateRun(groups: groups, specs: specs, threads: 2, spillAfter: 0, partitionAfter: after)
        #expect(run.partitioned)
        #expect(run.rows == expected)
    }
    // one thread never partitions
    let one = try aggregateRun(groups: groups, specs: specs, threads: 1, spillAfter: 0, partitionAfter: 1000)
    #expect(!one.partitioned)
    #expect(one.rows == expected)
}

@Test func spilledDistinctGivesTheInMemoryRows() throws {
    // SELECT DISTINCT k, s, v: a GROUP BY without aggregates.
    let expected = try aggregateRows(groups: [0, 1, 2], specs: [], threads: 2, spillAfter: 0)
    #expect(expected.count > 10000)
    #expect(try aggregateRows(groups: [0, 1, 2], specs: [], threads: 2, spillAfter: 100) == expected)
    #expect(try aggregateRows(groups: [0, 1, 2], specs: [], threads: 1, spillAfter: 3000) == expected)
}

@Test func generalKeyTableReportsTheBytesOfItsNextGrowth() {
    // 100 keys in 1024 slots: 10 more fit; 10000 more need 32768 slots (8 bytes each) and rows.
    let t = GeneralKeyTable(keyTypes: [.double, .bigint])
    let keys = [Column(doubles: (0..<100).map { Double($0) / 2 }), Column(type: .bigint, ints: Array(0..<100))]
    var ids = [Int32](repeating: 0, count: 100)
    ids.withUnsafeMutableBufferPointer { t.findOrInsert(keys, rowCount: 100, into: $0) }
    #expect(t.count == 100)
    #expect(t.growthBytes(adding: 10) == 0)
    #expect(t.growthBytes(adding: 10_000) >= 32768 * 8 + 10_100 * 3 * 8)
    let packed = makeGroupKeyTable(keyTypes: [.bigint, .bigint])
    #expect(packed.growthBytes(adding: 1) > 0)  // no row storage yet
}

@Test func tablesAreSetAsideOnlyWhenTheWholeInputFitsWellUnderTheLimit() {
    // keys (k, s, v) and one aggregate: 24 + 24 + 16 = 64 bytes a group, twice: 128 bytes a row
    let agg = HashAggregateOperator(
        input: .morsels(BatchListSource(schema: spillSchema, batches: [])), groupColumns: [0, 1, 2],
        groupNames: ["k", "s", "v"], aggregates: [spec("count_star", nil, nil)], threads: 1)
    #expect(agg.setAsideFits(rows: 1 << 40, limit: 0))
    #expect(!agg.setAsideFits(rows: nil, limit: 0))  // unknown input size (a join)
    // 1 GiB spills at 0.6 GiB: half of it is 2.5 M rows of 128 bytes
    #expect(agg.setAsideFits(rows: 2_000_000, limit: 1 << 30))
    #expect(!agg.setAsideFits(rows: 3_000_000, limit: 1 << 30))
}
