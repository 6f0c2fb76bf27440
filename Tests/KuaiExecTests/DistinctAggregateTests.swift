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
        let st = DistinctState(inner: fn.make(.bigint), type: .bigint)
        let half = groups.count / 2
        try groups.withUnsafeBufferPointer {
            try st.update(
                Column(type: .bigint, ints: Array(values[..<half])), ids: UnsafeBufferPointer(rebasing: $0[..<half]),
                count: half)
        }
        st.spill()
        let rest = Array(groups[half...])
        try rest.withUnsafeBufferPointer {
            try st.update(Column(type: .bigint, ints: Array(values[half...])), ids: $0, count: rest.count)
        }
        let packed = st.packedDistinctPairs()
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
