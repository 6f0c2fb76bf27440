import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

/// `StringPairSet`: distinct (group, string) pairs by their bytes, checked against a set model:
/// inline and long strings (whose source bytes are gone after `insert`), the empty string, NULL
/// rows skipped, non-ASCII bytes, stored hashes, and partitions absorbed from another set with a
/// group mapping.
@Suite struct StringPairSetTests {
    /// Pairs of a set as (group, string) values.
    func contents(_ set: StringPairSet) -> [String: Int] {
        var out: [String: Int] = [:]
        for p in 0..<StringPairSet.partitionCount {
            set.forEachPair(partition: p) { g, v in out["\(g)|\(v.string)", default: 0] += 1 }
        }
        return out
    }

    /// Inserts `rows` (nil = NULL) into `set` from a column built for the call only.
    func insert(_ set: StringPairSet, _ rows: [(Int32, String?)], storedHashes: Bool = false) {
        let col = Column(flatStrings: rows.map(\.1))
        let ids = rows.map(\.0)
        col.views.withUnsafeBufferPointer { v in
            col.validity.withUnsafeBufferPointerOrNil { valid in
                ids.withUnsafeBufferPointer { ids in
                    let hashes = v.map(\.hashValue64)
                    hashes.withUnsafeBufferPointer { h in
                        set.insert(v, hashes: storedHashes ? h : nil, validity: valid, ids: ids)
                    }
                }
            }
        }
    }

    @Test func edgeStrings() {
        let set = StringPairSet()
        let long = String(repeating: "é", count: 40)
        let rows: [(Int32, String?)] = [
            (0, ""), (0, nil), (0, "a"), (0, "a "), (0, ""), (1, ""), (0, long), (0, long), (0, "xxxxxxxxxxxx"),
            (0, "xxxxxxxxxxxxx"), (0, "xxxxxxxxxxxxx"), (2, "xxxxxxxxxxxxx"), (0, "🙂"), (0, nil),
            (0, String(repeating: "y", count: 20) + "a"), (0, String(repeating: "y", count: 20) + "b"),
        ]
        insert(set, rows)
        insert(set, rows, storedHashes: true)  // all present already
        var model = Set<String>()
        for (g, s) in rows { if let s { model.insert("\(g)|\(s)") } }
        let got = contents(set)
        #expect(Set(got.keys) == model)
        #expect(got.values.allSatisfy { $0 == 1 })
        #expect(set.count == model.count)
    }

    @Test func absorbWithMapping() {
        var rng = SplitMix64(seed: 11)
        let a = StringPairSet()
        let b = StringPairSet()
        var model = Set<String>()
        func key(_ v: UInt64) -> String { v % 2 == 0 ? "k\(v)" : "a longer key beyond twelve bytes \(v)" }
        for _ in 0..<20 {
            let rowsA = (0..<2000).map { _ in (Int32(rng.next() % 3), key(rng.next() % 5000)) }
            let rowsB = (0..<2000).map { _ in (Int32(rng.next() % 3), key(rng.next() % 5000)) }
            insert(a, rowsA)
            insert(b, rowsB)
            for (g, s) in rowsA { model.insert("\(g)|\(s)") }
            for (g, s) in rowsB { model.insert("\((g + 1) % 3)|\(s)") }
        }
        let mapping: [Int32] = [1, 2, 0]
        mapping.withUnsafeBufferPointer { m in
            for p in 0..<StringPairSet.partitionCount {
                a.reserve(partition: p, a.count(partition: p) + b.count(partition: p))
                a.absorb(partition: p, from: b, mapping: m)
            }
        }
        a.keepAlive(b)
        let got = contents(a)
        #expect(Set(got.keys) == model)
        #expect(got.values.allSatisfy { $0 == 1 })
        #expect(a.count == model.count)
    }
}
