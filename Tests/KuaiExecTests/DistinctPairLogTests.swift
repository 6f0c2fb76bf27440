import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

/// `DistinctPairLog`: the appended (group, value) pairs of a distinct aggregate, one word each,
/// partitioned by value; `distinctPairs` over several logs (one per thread, groups mapped) must
/// give exactly the distinct pairs of a set model, sorted when asked, and refuse values whose
/// span does not fit 32 bits.
@Suite struct DistinctPairLogTests {
    typealias Pair = (group: Int32, value: Int64)

    /// A log holding `pairs` (appended in batches of 1,000 and one by one).
    func log(_ pairs: [Pair]) throws -> DistinctPairLog {
        let values = pairs.map(\.value)
        let l = try #require(DistinctPairLog(lo: values.min()!, hi: values.max()!))
        var i = 0
        while i < pairs.count {
            let batch = Array(pairs[i..<min(pairs.count, i + 1000)])
            let vs = batch.map(\.value)
            let gs = batch.map(\.group)
            // every third row of a batch marked NULL, then appended on its own
            let valid = (0..<batch.count).map { UInt8($0 % 3 == 0 ? 0 : 1) }
            #expect(l.fits(lo: vs.min()!, hi: vs.max()!))
            vs.withUnsafeBufferPointer { v in
                gs.withUnsafeBufferPointer { g in
                    valid.withUnsafeBufferPointer { ok in
                        l.append(values: v, groups: g, valid: ok, count: batch.count, lo: vs.min()!, hi: vs.max()!)
                    }
                }
            }
            for (j, p) in batch.enumerated() where valid[j] == 0 { l.append(group: p.group, value: p.value) }
            i += 1000
        }
        #expect(l.count == pairs.count)
        return l
    }

    /// The model: distinct (global group, value) pairs, sorted.
    func model(_ parts: [(pairs: [Pair], mapping: [Int32]?)]) -> [Pair] {
        var seen = Set<[Int64]>()
        var out: [Pair] = []
        for (pairs, mapping) in parts {
            for p in pairs {
                let g = mapping.map { $0[Int(p.group)] } ?? p.group
                if seen.insert([Int64(g), p.value]).inserted { out.append((g, p.value)) }
            }
        }
        return out.sorted { ($0.group, $0.value) < ($1.group, $1.value) }
    }

    func check(_ parts: [(pairs: [Pair], mapping: [Int32]?)], groups: Int, threads: Int) throws {
        let expected = model(parts)
        for sorted in [true, false] {
            let logs = try parts.map { (log: try log($0.pairs), mapping: $0.mapping) }
            let (ids, values) = try #require(
                DistinctPairLog.distinctPairs(logs, groups: groups, sorted: sorted, threads: threads))
            var got = zip(ids, values).map { Pair($0, $1) }
            if !sorted { got.sort { ($0.group, $0.value) < ($1.group, $1.value) } }
            #expect(got.count == expected.count)
            #expect(got.map(\.group) == expected.map(\.group))
            #expect(got.map(\.value) == expected.map(\.value))
            #expect(logs.allSatisfy { $0.log.count == 0 })
        }
    }

    @Test func logsOfSeveralThreadsWithMappedGroups() throws {
        var rng = SplitMix64(seed: 21)
        // thread-local groups 0..<300 mapped onto 0..<500 differently in each log; values with
        // repeats around -1000 in one log and up to 2^31 above it in the other (different bases)
        let mappingA = (0..<300).map { Int32(($0 * 7) % 500) }
        let mappingB = (0..<300).map { Int32(499 - $0) }
        let a = (0..<30_000).map { _ in Pair(Int32(rng.next() % 300), Int64(rng.next() % 4000) - 1000) }
        let b = (0..<30_000).map { _ in
            Pair(Int32(rng.next() % 300), rng.next() % 2 == 0 ? Int64(rng.next() % 4000) - 1000 : (1 << 31) + 5)
        }
        let own = (0..<5_000).map { _ in Pair(Int32(rng.next() % 500), Int64(rng.next() % 100)) }
        for threads in [1, 2] {
            try check([(own, nil), (a, mappingA), (b, mappingB)], groups: 500, threads: threads)
        }
        // one group, one value
        try check([([Pair](repeating: (0, 42), count: 5), nil)], groups: 1, threads: 2)
    }

    @Test func spanEdges() throws {
        // the widest span that fits: 2^32 - 1, from the first log's window ends
        let lo: Int64 = -(1 << 31) + 7
        let edges: [Pair] = [(0, lo), (1, lo + (1 << 32) - 1), (0, lo), (1, 7)]
        try check([(Array(edges[0..<2]), nil), (Array(edges[2...]), nil)], groups: 2, threads: 2)
        try check([([(0, .min), (1, .min + 3), (1, .min)], nil)], groups: 2, threads: 1)
        try check([([(0, .max), (1, .max - 3), (1, .max)], nil)], groups: 2, threads: 1)

        // two logs that each fit but together span 2^32: nil, logs kept
        let x = try log([(0, 0), (0, 1)])
        let y = try log([(1, 1 << 32), (1, 1 << 32)])
        #expect(DistinctPairLog.distinctPairs([(x, nil), (y, nil)], groups: 2, sorted: true) == nil)
        #expect(x.count == 2 && y.count == 2)
    }

    @Test func window() throws {
        // 0...10 in the middle of the 2^32 values stored
        let l = try #require(DistinctPairLog(lo: 0, hi: 10))
        let b: Int64 = -(((1 << 32) - 11) / 2)
        #expect(l.base == b)
        #expect(l.fits(lo: b, hi: b + (1 << 32) - 1))
        #expect(!l.fits(lo: b - 1, hi: 0))
        #expect(!l.fits(lo: 0, hi: b + (1 << 32)))
        #expect(!l.fits(lo: 5, hi: 4))
        #expect(DistinctPairLog(lo: 0, hi: 1 << 32) == nil)
        #expect(DistinctPairLog(lo: 0, hi: (1 << 32) - 1)?.base == 0)
        #expect(DistinctPairLog(lo: .min + 5, hi: .min + 5)?.base == .min)
        #expect(DistinctPairLog(lo: .max, hi: .max)?.fits(lo: .max - 5, hi: .max) == true)
        #expect(DistinctPairLog(lo: .min, hi: .max) == nil)
    }
}

/// `DistinctState`s of two threads past their hash sets (their pairs in logs), merged with a
/// group mapping: count, sum and first (which takes its input sorted) of the distinct values per
/// group equal a set model's, also when one state meets a value outside its log's window (its
/// pairs move to the general arrays) or its values and the other's span 2^32.
@Suite struct DistinctLoggedStateTests {
    func run(_ name: String, values: (Int, Int) -> Int64, groups: Int) throws {
        let fn = try #require(AggregateRegistry.resolve(name, .bigint))
        let rows = 100_000
        var rng = SplitMix64(seed: 5)
        let g = (0..<2).map { _ in (0..<rows).map { _ in Int32(rng.next() % UInt64(groups)) } }
        let v = (0..<2).map { t in (0..<rows).map { values(t, $0) } }
        let mapping = (0..<groups).map { Int32(groups - 1 - $0) }
        let states = (0..<2).map { _ in DistinctState(inner: fn.make(.bigint), type: .bigint) }
        for t in 0..<2 {
            for start in stride(from: 0, to: rows, by: 2048) {
                let end = min(rows, start + 2048)
                try Array(g[t][start..<end]).withUnsafeBufferPointer {
                    try states[t].update(
                        Column(type: .bigint, ints: Array(v[t][start..<end])), ids: $0, count: end - start)
                }
            }
        }
        #expect(states[0].spilled && states[1].spilled)
        try mapping.withUnsafeBufferPointer { try states[0].merge(states[1], mapping: $0) }
        let out = try states[0].finalize(groups: groups)
        var model = [Set<Int64>](repeating: [], count: groups)
        for i in 0..<rows {
            model[Int(g[0][i])].insert(v[0][i])
            model[Int(mapping[Int(g[1][i])])].insert(v[1][i])
        }
        for k in 0..<groups {
            switch name {
            case "count": #expect(out.ints[k] == Int64(model[k].count))
            case "first": #expect(out.ints[k] == model[k].min())
            default: #expect(Int128(out.ints[k]) == model[k].reduce(Int128(0)) { $0 + Int128($1) })
            }
        }
    }

    @Test func mergedLogs() throws {
        for name in ["count", "sum", "first"] {
            // mostly new pairs: both states leave their sets after the first rows
            try run(name, values: { t, i in Int64(t * 1_000_003 + i * 13) - 5_000_000 }, groups: 97)
            // (values spread too widely for the dense bits) one state meets a value far outside
            // its window near the end
            try run(name, values: { t, i in t == 1 && i == 99_000 ? 1 << 40 : Int64(i * 7919) }, groups: 31)
            // each state's values fit its window, together they span more than 2^32
            try run(name, values: { t, i in Int64(t) << 33 + Int64(i * 7919) }, groups: 31)
        }
    }
}
