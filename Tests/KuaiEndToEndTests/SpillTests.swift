import Foundation
import KuaiCore
import KuaiPlan
import KuaiTestSupport
import Testing

@testable import KuaiExec

// Distinct states that spilled give the in-memory answers. Expected values from DuckDB 2.0.1
// over the same rows:
//   CREATE TABLE t AS SELECT i::BIGINT AS i, (i % 7)::BIGINT AS g,
//     CASE WHEN i % 97 = 0 THEN NULL ELSE ((i*7919) % 3001)::BIGINT END AS a,
//     CASE WHEN i % 50 = 0 THEN NULL ELSE 'user-' || ((i*31) % 2003)
//       || CASE WHEN i % 2 = 0 THEN '-with-a-long-tail' ELSE '' END END AS s,
//     CASE WHEN i % 89 = 0 THEN NULL ELSE (i % 13)::BIGINT END AS b,
//     ((i * 37) % 1009)::DOUBLE / 8 AS x
//   FROM range(20000) r(i);
//   then the query above each expectation.

private func spillTable() -> MemoryTable {
    var batches: [Batch] = []
    for start in stride(from: 0, to: 20000, by: 2048) {
        let r = start..<min(20000, start + 2048)
        func ints(_ f: (Int) -> Int64?) -> Column {
            let xs = r.map(f)
            let v = xs.map { $0 == nil ? UInt8(0) : 1 }
            return Column(type: .bigint, ints: xs.map { $0 ?? 0 }, validity: v.contains(0) ? v : nil)
        }
        let s: [String?] = r.map { i in
            i % 50 == 0 ? nil : "user-\((i * 31) % 2003)" + (i % 2 == 0 ? "-with-a-long-tail" : "")
        }
        batches.append(
            Batch(columns: [
                ints { Int64($0) }, ints { Int64($0 % 7) }, ints { $0 % 97 == 0 ? nil : Int64(($0 * 7919) % 3001) },
                Column(strings: s), ints { $0 % 89 == 0 ? nil : Int64($0 % 13) },
                Column(doubles: r.map { Double(($0 * 37) % 1009) / 8 }),
            ]))
    }
    return MemoryTable(
        name: "t",
        schema: [
            Field("i", .bigint), Field("g", .bigint), Field("a", .bigint), Field("s", .varchar), Field("b", .bigint),
            Field("x", .double),
        ], batches: batches)
}

/// Feeds the table's batches grouped by `g` to two states of one aggregate (even batches to the
/// first, which spills after every batch unless `onlySecond`, odd ones to the second, which spills
/// once), merges them (the merge is deferred to `finalize`) and finalizes the 7 groups: the work
/// of two threads under memory pressure.
private func spilledResult(
    _ make: () -> AggregateState, input: (Batch) -> Column?, members: (Batch) -> [Column] = { _ in [] },
    onlySecond: Bool = false, spill: (AggregateState) throws -> Void
) throws -> Column {
    let states = [make(), make()]
    for (k, b) in spillTable().batches.enumerated() {
        let ids = b.columns[1].ints.map { Int32($0) }
        try ids.withUnsafeBufferPointer {
            try states[k % 2].update(input(b), order: members(b), ids: $0, count: b.count)
        }
        if (k % 2 == 0 && !onlySecond) || k == 5 { try spill(states[k % 2]) }
    }
    let identity: [Int32] = Array(0..<7)
    try identity.withUnsafeBufferPointer { try states[0].merge(states[1], mapping: $0) }
    return try states[0].finalize(groups: 7)
}

@Test func spilledDistinctStatesKeepDuckDBAnswers() throws {
    // SELECT g, count(DISTINCT s), sum(DISTINCT a), count(DISTINCT (a, s)) FROM t GROUP BY g ORDER BY g
    let count = try #require(AggregateRegistry.resolve("count", .varchar))
    let sum = try #require(AggregateRegistry.resolve("sum", .bigint))
    let before = SpillDirectory.filesOpened
    let ds = try spilledResult(
        { StringDistinctState(inner: count.make(.varchar)) }, input: { $0.columns[3] },
        spill: { try ($0 as! StringDistinctState).spillToDisk() })
    #expect(ds.ints == [2800, 2800, 2800, 2800, 2800, 2800, 2800])
    let sa = try spilledResult(
        { DistinctState(inner: sum.make(.bigint), type: .bigint) }, input: { $0.columns[2] },
        spill: { try ($0 as! DistinctState).spillToDisk() })
    #expect(sa.ints == [4_241_369, 4_240_829, 4_240_597, 4_240_365, 4_242_404, 4_242_059, 4_238_713])
    let das = try spilledResult(
        { RowDistinctCountState(memberTypes: [.bigint, .varchar]) }, input: { _ in nil },
        members: { [$0.columns[2], $0.columns[3]] }, spill: { try ($0 as! RowDistinctCountState).spillToDisk() })
    #expect(das.ints == [2858, 2857, 2857, 2857, 2857, 2857, 2857])
    #expect(SpillDirectory.filesOpened > before)  // the states did spill
}

@Test func aStateThatDidNotSpillFinishesWithTheSpilledStatesMergedIntoIt() throws {
    // The same queries as above; only the merged (second) state spilled.
    let count = try #require(AggregateRegistry.resolve("count", .varchar))
    let sum = try #require(AggregateRegistry.resolve("sum", .bigint))
    let ds = try spilledResult(
        { StringDistinctState(inner: count.make(.varchar)) }, input: { $0.columns[3] }, onlySecond: true,
        spill: { try ($0 as! StringDistinctState).spillToDisk() })
    #expect(ds.ints == [2800, 2800, 2800, 2800, 2800, 2800, 2800])
    let sa = try spilledResult(
        { DistinctState(inner: sum.make(.bigint), type: .bigint) }, input: { $0.columns[2] }, onlySecond: true,
        spill: { try ($0 as! DistinctState).spillToDisk() })
    #expect(sa.ints == [4_241_369, 4_240_829, 4_240_597, 4_240_365, 4_242_404, 4_242_059, 4_238_713])
    let das = try spilledResult(
        { RowDistinctCountState(memberTypes: [.bigint, .varchar]) }, input: { _ in nil },
        members: { [$0.columns[2], $0.columns[3]] }, onlySecond: true,
        spill: { try ($0 as! RowDistinctCountState).spillToDisk() })
    #expect(das.ints == [2858, 2857, 2857, 2857, 2857, 2857, 2857])
}

/// Two states from `make` fed the batches of `spillTable()` in turn by `feed` (grouped by column 1),
/// each expected to have set rows aside (`setAside`); the second spilled to disk when `spill`, then
/// merged into the first. Returns the first's result for the 7 groups.
private func mergedAfterSetAside<State: AggregateState>(
    spill: Bool, _ make: () -> State, setAside: (State) -> Bool, spillToDisk: (State) throws -> Void,
    feed: (State, Batch, UnsafeBufferPointer<Int32>) throws -> Void
) throws -> Column {
    let states = [make(), make()]
    for (k, b) in spillTable().batches.enumerated() {
        let ids = b.columns[1].ints.map { Int32($0) }
        try ids.withUnsafeBufferPointer { try feed(states[k % 2], b, $0) }
    }
    #expect(states.allSatisfy { setAside($0) })
    if spill { try spillToDisk(states[1]) }
    let identity: [Int32] = Array(0..<7)
    try identity.withUnsafeBufferPointer { try states[0].merge(states[1], mapping: $0) }
    return try states[0].finalize(groups: 7)
}

@Test func rowDistinctCountWithTablesSetAsideKeepsDuckDBAnswers() throws {
    // count(DISTINCT (a, s)) GROUP BY g as above, almost every row a new key: with small tables
    // set aside while rows arrive (and, the second time, spilled with them), then merged.
    let saved = RowDistinctCountState.setAsideKeys
    RowDistinctCountState.setAsideKeys = 1000
    defer { RowDistinctCountState.setAsideKeys = saved }
    for spill in [false, true] {
        let merged = try mergedAfterSetAside(
            spill: spill, { RowDistinctCountState(memberTypes: [.bigint, .varchar]) },
            setAside: { !$0.setAside.isEmpty }, spillToDisk: { try $0.spillToDisk() },
            feed: { state, b, ids in
                try state.update(nil, order: [b.columns[2], b.columns[3]], ids: ids, count: b.count)
            })
        #expect(merged.ints == [2858, 2857, 2857, 2857, 2857, 2857, 2857])
    }
}

@Test func spillFolderOfADeadProcessIsRemovedOnTheNextStart() throws {
    let base = NSTemporaryDirectory() + "kuai-spill-test-\(getpid())"
    let stale = base + "/kuai_temp_2147483646"  // no such process
    try FileManager.default.createDirectory(atPath: stale, withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: stale + "/spill_1.bin", contents: Data([1, 2, 3]))
    let other = base + "/keep_me"
    try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: base) }
    SpillDirectory.removeStale(in: base)
    #expect(!FileManager.default.fileExists(atPath: stale))
    #expect(FileManager.default.fileExists(atPath: other))
}

@Test func partitionedSpillReadsBackEachPartitionWithItsRecords() throws {
    let spill = try PartitionedSpill()
    let record: [UInt8] = [1, 2, 3, 4, 5]
    for h in [UInt64(0), .max, 1 << 63] { try record.withUnsafeBytes { try spill.append($0, hash: h) } }
    #expect(try spill.read(partition: 0) == record)
    #expect(try spill.read(partition: PartitionedSpill.partitionCount - 1) == record)
    #expect(try spill.read(partition: PartitionedSpill.partitionCount / 2) == record)
    #expect(try spill.read(partition: 1).isEmpty)
}

/// kuai-query with every distinct state forced to spill after each batch ($KUAI_SPILL_TEST_BYTES)
/// gives DuckDB 2.0.1's answer (the same rows as above, made by range()) and leaves no
/// kuai_temp_PID folder behind; with --temp-directory naming a plain file the spill fails with an
/// error naming the option (which shows that the spill path was taken).
@Test func forcedSpillsThroughTheCLIGiveDuckDBsAnswer() throws {
    let sql = """
        SELECT g, count(DISTINCT s) AS ds, sum(DISTINCT a) AS sa, count(DISTINCT (a, s)) AS das FROM (
          SELECT i % 7 AS g, CASE WHEN i % 97 = 0 THEN NULL ELSE (i * 7919) % 3001 END AS a,
            CASE WHEN i % 50 = 0 THEN NULL ELSE 'user-' || ((i * 31) % 2003)
              || CASE WHEN i % 2 = 0 THEN '-with-a-long-tail' ELSE '' END END AS s
          FROM range(20000) t(i)) GROUP BY g ORDER BY g
        """
    let tmp = TempDir(prefix: "kuai-spill-cli")
    defer { tmp.cleanup() }
    let folder = tmp.sub("spill")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let store = try TerminalStore.store()
    let env = ["KUAI_SPILL_TEST_BYTES": "1"]
    let r = try runTool(.query, ["--store", store, "--format", "csv", "--temp-directory", folder, sql], env: env)
    #expect(
        r.status == 0
            && r.out == """
                g,ds,sa,das
                0,2800,4241369,2858
                1,2800,4240829,2857
                2,2800,4240597,2857
                3,2800,4240365,2857
                4,2800,4242404,2857
                5,2800,4242059,2857
                6,2800,4238713,2857

                """,
        "\(r)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    let plainFile = tmp.sub("not-a-folder")
    _ = FileManager.default.createFile(atPath: plainFile, contents: Data())
    let bad = try runTool(.query, ["--store", store, "--temp-directory", plainFile, sql], env: env)
    #expect(bad.status != 0 && bad.err.contains("--temp-directory"), "\(bad)")
}
