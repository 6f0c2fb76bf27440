import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

/// `DistinctState` after spilling: the distinct (group, value) pairs come from a radix sort of
/// packed words when group and value offset fit 64 bits, else from the general sort. Both must
/// give the sorted distinct pairs; checked against a set model.
@Suite struct DistinctSpillTests {
    func pairs(_ groups: [Int32], _ values: [Int64]) -> [Int32: Set<Int64>] {
        var m: [Int32: Set<Int64>] = [:]
        for (g, v) in zip(groups, values) { m[g, default: []].insert(v) }
        return m
    }

    func check(_ groups: [Int32], _ values: [Int64], packs: Bool) throws {
        let fn = try #require(AggregateRegistry.resolve("count", .bigint))
        func spilledState() throws -> DistinctState {
            let st = DistinctState(inner: fn.make(.bigint), type: .bigint)
            let half = groups.count / 2
            try groups.withUnsafeBufferPointer {
                try st.update(
                    Column(type: .bigint, ints: Array(values[..<half])),
                    ids: UnsafeBufferPointer(rebasing: $0[..<half]), count: half)
            }
            st.spill()
            let rest = Array(groups[half...])
            try rest.withUnsafeBufferPointer {
                try st.update(Column(type: .bigint, ints: Array(values[half...])), ids: $0, count: rest.count)
            }
            return st
        }
        let st = try spilledState()
        let probe = try spilledState()
        let packed = probe.packedDistinctPairs([(probe, nil)], groups: Int(groups.max()!) + 1)
        #expect((packed != nil) == packs)
        if let (g, v) = packed {
            let expected = pairs(groups, values).flatMap { g, vs in vs.map { (g, $0) } }.sorted {
                ($0.0, $0.1) < ($1.0, $1.1)
            }
            #expect(g == expected.map(\.0))
            #expect(v == expected.map { UInt64(bitPattern: $0.1) })
        }
        let out = try st.finalize(groups: Int(groups.max()!) + 1)
        let model = pairs(groups, values)
        for g in 0...Int(groups.max()!) {
            #expect(out.ints[g] == Int64(model[Int32(g)]?.count ?? 0))
        }
    }

    @Test func packedAndGeneral() throws {
        var rng = SplitMix64(seed: 9)
        let n = 20_000
        let groups = (0..<n).map { _ in Int32(rng.next() % 7) }
        let values = (0..<n).map { _ in Int64(rng.next() % 3000) - 1500 }
        try check(groups, values, packs: true)  // negatives, several groups
        // Wide values, one group.
        try check([Int32](repeating: 0, count: n), values.map { $0 * (1 << 40) }, packs: true)
        // The low end.
        try check(
            [0, 0, 1, 2, 2], [Int64.min, Int64.min, Int64.min + 5, Int64.min + 1000, Int64.min + 1000], packs: true)
        try check([0, 3, 0, 3], [Int64.max, 7, Int64.max, 7], packs: false)  // 63-bit span plus group bits
        try check([0, 1, 0, 1], [Int64.min, Int64.max, Int64.max, Int64.min], packs: false)  // span overflows
        try check([0, 0, 1], [Int64.min, 0, -1], packs: false)  // span 2^63 overflows too
        try check([0, 0, 0, 0], [5, 5, 5, 5], packs: true)  // one pair
    }
}

/// Merged `StringDistinctState`s (one per thread, what count(DISTINCT <VARCHAR>) makes) with enough
/// pairs in all to be merged partition by partition on all cores (`PartitionedKeyMerge`), and with
/// few: strings arriving as dictionary codes in one batch and as flat views in the next (short and
/// long strings), NULL values, several groups mapped to other ids by the merge; counts checked
/// against a set model.
@Suite struct DistinctPartitionedMergeTests {
    /// Batches of strings for thread `t`: even batches dictionary-coded, odd batches flat.
    func batches(thread t: Int, rows: Int, batch: Int) -> [(groups: [Int32], strings: [String?])] {
        var rng = SplitMix64(seed: UInt64(11 + t))
        var out: [(groups: [Int32], strings: [String?])] = []
        var done = 0
        while done < rows {
            let n = min(batch, rows - done)
            let gs = (0..<n).map { _ in Int32(rng.next() % 5) }
            let ss: [String?] = (0..<n).map { _ in
                let v = rng.next() % 60_000
                if v % 97 == 0 { return nil }
                return v % 3 == 0 ? "k\(v)" : "a longer key beyond twelve bytes \(v)"
            }
            out.append((gs, ss))
            done += n
        }
        return out
    }

    func run(rows: Int, threads: Int) throws {
        let fn = try #require(AggregateRegistry.resolve("count", .varchar))
        var model: [Int32: Set<String>] = [:]
        var states: [AggregateState] = []
        func make() -> AggregateState { StringDistinctState(inner: fn.make(.varchar)) }
        // Thread t's local group g is global group (g + t) % 5.
        for t in 0..<threads {
            let st = make()
            for (b, (gs, ss)) in batches(thread: t, rows: rows, batch: 4096).enumerated() {
                let col = b % 2 == 0 ? Column(strings: ss) : Column(flatStrings: ss)
                #expect((col.dictionary != nil) == (b % 2 == 0))
                try gs.withUnsafeBufferPointer { try st.update(col, ids: $0, count: gs.count) }
                for (g, s) in zip(gs, ss) { if let s { model[(g + Int32(t)) % 5, default: []].insert(s) } }
            }
            states.append(st)
        }
        let global = make()
        for (t, st) in states.enumerated() {
            let mapping = (0..<5).map { Int32(($0 + t) % 5) }
            try mapping.withUnsafeBufferPointer { try global.merge(st, mapping: $0) }
        }
        let out = try global.finalize(groups: 5)
        for g in 0..<5 { #expect(out.ints[g] == Int64(model[Int32(g)]?.count ?? 0), "group \(g)") }
    }

    @Test func manyPairsPartitioned() throws {
        try run(rows: 120_000, threads: 3)
        #expect(120_000 * 3 / 2 >= PartitionedKeyMerge.minimumGroups)
    }

    @Test(arguments: [2, 3])
    func fewPairs(threads: Int) throws { try run(rows: 3000, threads: threads) }
}

/// Merged integer `DistinctState`s with many pairs in all: packed into (group, value) words from
/// every state (groups mapped), radix-sorted on all cores and deduplicated, or, when the values
/// span too many bits to pack (`wide`), deduplicated partition by partition (`PartitionedKeyMerge`);
/// one state spilled, one still hashing, one empty. Counts checked against a set model.
@Suite struct DistinctPackedMergeTests {
    @Test(arguments: [false, true])
    func manyIntegerPairsFromSeveralStates(wide: Bool) throws {
        let fn = try #require(AggregateRegistry.resolve("count", .bigint))
        var model: [Int32: Set<Int64>] = [:]
        let global = DistinctState(inner: fn.make(.bigint), type: .bigint)
        var rng = SplitMix64(seed: 5)
        for t in 0..<3 {
            let st = DistinctState(inner: fn.make(.bigint), type: .bigint)
            let rows = t == 2 ? 0 : 150_000
            let gs = (0..<rows).map { _ in Int32(rng.next() % 9) }
            // wide: a span of about 2^62.6, 63 value bits and 4 group bits
            let vs = (0..<rows).map { _ in (Int64(rng.next() % 200_000) - 100_000) * (wide ? 1 << 45 : 1) }
            if t == 0 { st.spill() }
            try gs.withUnsafeBufferPointer { try st.update(Column(type: .bigint, ints: vs), ids: $0, count: rows) }
            // Thread t's local group g is global group (g + t) % 9.
            for (g, v) in zip(gs, vs) { model[(g + Int32(t)) % 9, default: []].insert(v) }
            let mapping = (0..<9).map { Int32(($0 + t) % 9) }
            try mapping.withUnsafeBufferPointer { try global.merge(st, mapping: $0) }
        }
        let out = try global.finalize(groups: 9)
        for g in 0..<9 { #expect(out.ints[g] == Int64(model[Int32(g)]?.count ?? 0), "group \(g)") }
    }
}

/// The dense form of an integer `DistinctState` is entered once its bits fit the budget of the
/// rows seen (`DistinctState.denseBudget`), the pairs hashed or appended until then moved into
/// them; a state whose bits would stay far above the budget keeps hashing. Counts checked against a
/// set model.
@Suite struct DistinctDenseBudgetTests {
    func feed(_ st: DistinctState, _ batches: [(groups: [Int32], values: [Int64])]) throws {
        for b in batches {
            try b.groups.withUnsafeBufferPointer {
                try st.update(Column(type: .bigint, ints: b.values), ids: $0, count: b.values.count)
            }
        }
    }

    @Test func entersDenseOnceEnoughRowsCame() throws {
        let fn = try #require(AggregateRegistry.resolve("count", .bigint))
        var rng = SplitMix64(seed: 11)
        // 2 groups over a span of 6M values: 12M bits, past the 2^22 floor until 190k rows came.
        var batches: [(groups: [Int32], values: [Int64])] = []
        var model: [Int32: Set<Int64>] = [:]
        for b in 0..<5 {
            let rows = b == 0 ? 70_000 : 50_000
            let gs = (0..<rows).map { _ in Int32(rng.next() % 2) }
            var vs = (0..<rows).map { _ in Int64(rng.next() % 6_000_000) + 1000 }
            if b == 0 { vs[0] = 1000 + 5_999_999 }  // the whole span from the first batch
            for (g, v) in zip(gs, vs) { model[g, default: []].insert(v) }
            batches.append((gs, vs))
        }
        let st = DistinctState(inner: fn.make(.bigint), type: .bigint)
        try feed(st, Array(batches.prefix(1)))
        #expect(st.dense == nil)
        try feed(st, Array(batches.dropFirst()))
        #expect(st.dense != nil)
        let out = try st.finalize(groups: 2)
        for g in 0..<2 { #expect(out.ints[g] == Int64(model[Int32(g)]!.count)) }
    }

    @Test func manyGroupsOverAWideRangeKeepHashing() throws {
        let fn = try #require(AggregateRegistry.resolve("count", .bigint))
        var rng = SplitMix64(seed: 12)
        let rows = 30_000
        let gs = (0..<rows).map { _ in Int32(rng.next() % 1500) }
        let vs = (0..<rows).map { _ in Int64(rng.next() % 25_000) }
        let st = DistinctState(inner: fn.make(.bigint), type: .bigint)
        try feed(st, [(gs, vs)])
        #expect(st.dense == nil)
        var model: [Int32: Set<Int64>] = [:]
        for (g, v) in zip(gs, vs) { model[g, default: []].insert(v) }
        let out = try st.finalize(groups: 1500)
        for g in 0..<1500 { #expect(out.ints[g] == Int64(model[Int32(g)]?.count ?? 0)) }
    }
}
