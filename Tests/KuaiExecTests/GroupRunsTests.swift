import Testing

@testable import KuaiExec

// `GroupRuns.of`: which batches of group ids come as runs, and the runs' starts and groups.

private func runs(_ ids: [Int32]) -> GroupRuns? {
    ids.withUnsafeBufferPointer { GroupRuns.of($0, count: ids.count) }
}

/// The (group, rows) of each run, in order.
private func listed(_ r: GroupRuns) -> [(Int, Range<Int>)] {
    var out: [(Int, Range<Int>)] = []
    r.eachRun { out.append(($0, $1)) }
    return out
}

@Test func clusteredIdsComeAsRuns() throws {
    // 4,000 rows: groups 3, 0, 3 (back again), 7 in runs of 1000, 1500, 500, 1000
    let ids =
        [Int32](repeating: 3, count: 1000) + [Int32](repeating: 0, count: 1500)
        + [Int32](repeating: 3, count: 500) + [Int32](repeating: 7, count: 1000)
    let r = try #require(runs(ids))
    #expect(r.rowCount == 4000)
    #expect(r.starts == [0, 1000, 2500, 3000])
    #expect(r.ids == [3, 0, 3, 7])
    let l = listed(r)
    #expect(l.map(\.0) == [3, 0, 3, 7])
    #expect(l.map(\.1) == [0..<1000, 1000..<2500, 2500..<3000, 3000..<4000])
}

@Test func oneGroupIsOneRun() throws {
    let r = try #require(runs([Int32](repeating: 5, count: 2048)))
    #expect(r.starts == [0])
    #expect(r.ids == [5])
    #expect(listed(r).map(\.1) == [0..<2048])
}

@Test func runsAtTheAverageLengthLimit() throws {
    // runs of exactly 16 rows: accepted; of 15 rows: rejected
    let sixteen = (0..<4096).map { Int32($0 / 16) }
    let r = try #require(runs(sixteen))
    #expect(r.starts.count == 256)
    #expect(r.starts.last == 4080)
    #expect(runs((0..<4096).map { Int32($0 / 15) }) == nil)
}

@Test func shortOrUnclusteredBatchesHaveNoRuns() {
    #expect(runs([Int32](repeating: 1, count: 1023)) == nil)  // shorter than `minimumRows`
    #expect(runs((0..<8192).map { Int32($0 % 24) }) == nil)  // every row another group
    // clustered after an unclustered first 1024 rows: the first rows decide
    let mixed = (0..<1024).map { Int32($0 % 7) } + [Int32](repeating: 2, count: 60000)
    #expect(runs(mixed) == nil)
}
