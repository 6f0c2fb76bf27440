import KuaiCore
import Testing

@testable import KuaiExec

/// The per-group bounded heaps of min / max / arg_max / arg_min(…, n): the kept keys are each group's n
/// largest (a model: sort every offered key), the payloads come out best first, merging two heaps keeps
/// the n largest of both, and equal keys come out in the order DuckDB 2.0.1 gives for the same rows
/// (`arg_max(x, y, 3)` of (1..5, 10) and (6, 9) is [3, 2, 1]; `arg_max(x, y, 5)` [4, 2, 5, 3, 1]).
@Suite struct TopNHeapsTests {
    /// A deterministic stream of small keys (many ties).
    static func keys(_ count: Int, seed: UInt64) -> [UInt64] {
        var s = seed
        return (0..<count).map { _ in
            s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (s >> 33) % 17
        }
    }

    static func offer(_ h: inout TopNHeaps, _ rows: [(g: Int, key: UInt64, payload: UInt64)]) {
        h.resize((rows.map(\.g).max() ?? 0) + 1)
        h.withInserter { ins in for r in rows { ins.offer(r.g, r.key, r.payload) } }
    }

    @Test(arguments: [1, 2, 3, 5, 8])
    func keepsTheLargestKeysBestFirst(_ n: Int) {
        let ks = Self.keys(400, seed: UInt64(n))
        let rows = ks.enumerated().map { (g: $0.offset % 7, key: $0.element, payload: UInt64($0.offset)) }
        var h = TopNHeaps(n: n)
        Self.offer(&h, rows)
        for g in 0..<7 {
            var out: [UInt64] = []
            var scratch: (keys: [UInt64], payloads: [UInt64]) = ([], [])
            h.sortedPayloads(g, into: &out, scratch: &scratch)
            let got = out.map { rows[Int($0)].key }
            let want = Array(rows.filter { $0.g == g }.map(\.key).sorted(by: >).prefix(n))
            #expect(got == want, "group \(g)")
        }
    }

    @Test func mergeKeepsTheLargestOfBoth() {
        let ks = Self.keys(300, seed: 42)
        let rows = ks.enumerated().map { (g: $0.offset % 3, key: $0.element, payload: UInt64($0.offset)) }
        var a = TopNHeaps(n: 4)
        var b = TopNHeaps(n: 4)
        Self.offer(&a, Array(rows.prefix(150)))
        Self.offer(&b, Array(rows.suffix(150)))
        let mapping: [Int32] = [2, 0, 1]  // b's group j is a's group mapping[j]
        a.resize(3)
        mapping.withUnsafeBufferPointer { a.merge(b, mapping: $0) }
        for g in 0..<3 {
            var out: [UInt64] = []
            var scratch: (keys: [UInt64], payloads: [UInt64]) = ([], [])
            a.sortedPayloads(g, into: &out, scratch: &scratch)
            let mine = rows.prefix(150).filter { $0.g == g }.map(\.key)
            let theirs = rows.suffix(150).filter { Int(mapping[$0.g]) == g }.map(\.key)
            #expect(out.map { rows[Int($0)].key } == Array((mine + theirs).sorted(by: >).prefix(4)))
        }
    }

    @Test func tiesComeOutInDuckDBsOrder() {
        let rows: [(UInt64, UInt64)] = [(10, 1), (10, 2), (10, 3), (10, 4), (10, 5), (9, 6)]
        for (n, want) in [(3, [3, 2, 1] as [UInt64]), (5, [4, 2, 5, 3, 1]), (1, [1])] {
            var h = TopNHeaps(n: n)
            Self.offer(&h, rows.map { (g: 0, key: $0.0, payload: $0.1) })
            var out: [UInt64] = []
            var scratch: (keys: [UInt64], payloads: [UInt64]) = ([], [])
            h.sortedPayloads(0, into: &out, scratch: &scratch)
            #expect(out == want, "n = \(n)")
        }
    }
}
