import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

/// PartitionedKeyMerge: the groups of several thread-local tables get one global id each, equal
/// keys (whatever their storage) the same id, on one thread and on several.
@Suite struct PartitionedKeyMergeTests {
    func table(_ keyTypes: [DataType], _ keys: [Column]) -> any GroupKeyTable {
        let t = makeGroupKeyTable(keyTypes: keyTypes)
        var ids = [Int32](repeating: 0, count: keys[0].count)
        ids.withUnsafeMutableBufferPointer { t.findOrInsert(keys, rowCount: keys[0].count, into: $0) }
        return t
    }

    /// Every group of every table maps to a global row holding the same key, and the global rows
    /// are distinct: checked by rendering keys as text.
    func check(_ tables: [any GroupKeyTable], _ keyTypes: [DataType], threads: Int, distinct: Int) {
        let m = PartitionedKeyMerge.merge(tables, keyTypes: keyTypes, threads: threads)
        #expect(m.count == distinct)
        #expect(m.keys.allSatisfy { $0.count == distinct })
        func render(_ cols: [Column], _ i: Int) -> String { cols.map { "\($0.value(at: i))" }.joined(separator: "|") }
        let global = (0..<m.count).map { render(m.keys, $0) }
        #expect(Set(global).count == distinct)
        var wrong = 0
        for (t, table) in tables.enumerated() {
            let own = table.keyColumns()
            for g in 0..<table.count where render(own, g) != global[Int(m.mappings[t][g])] { wrong += 1 }
        }
        #expect(wrong == 0)
    }

    // Two integer keys with NULLs: A has (i % 50_000, i % 7 or NULL) for i < 70_000, B the same
    // for 35_000 <= i < 105_000. Distinct pairs: i -> (i % 50_000, i % 7) repeats with period
    // lcm(50_000, 7) = 350_000, so every i in 0..<105_000 is its own pair (NULL when i % 7 == 3).
    @Test(arguments: [1, 2]) func integerPairsWithNulls(threads: Int) {
        func keys(_ r: Range<Int>) -> [Column] {
            [
                intCol(r.map { Int64($0 % 50_000) }),
                intCol(r.map { $0 % 7 == 3 ? nil : Int64($0 % 7) }, type: .integer),
            ]
        }
        let types: [DataType] = [.bigint, .integer]
        check(
            [table(types, keys(0..<70_000)), table(types, keys(35_000..<105_000))], types, threads: threads,
            distinct: 105_000)
    }

    // One VARCHAR key, dictionary form in one table and flat views (longer than 12 bytes, so in a
    // heap) in the other, plus a NULL in each: equal strings meet in one group.
    @Test(arguments: [1, 2]) func stringKeysInBothForms(threads: Int) {
        let a = (0..<40_000).map { Optional("room-number-\($0)") } + [nil]
        let b = (20_000..<90_000).map { Optional("room-number-\($0)") } + [nil]
        let tables = [table([.varchar], [Column(strings: a)]), table([.varchar], [Column(flatStrings: b)])]
        check(tables, [.varchar], threads: threads, distinct: 90_001)
    }

    // HUGEINT keys stored narrow in one table and wide in the other hash alike.
    @Test func hugeintNarrowAndWide() {
        let narrow = Column(hugeints: (0..<5000).map { Int128($0) - 2500 })
        let wide = Column(hugeints: (0..<5000).map { Int128($0) } + [Int128(Int64.max) + 1, Int128(Int64.min) - 1])
        let tables = [table([.hugeint], [narrow]), table([.hugeint], [wide])]
        check(tables, [.hugeint], threads: 2, distinct: 7502)
    }
}
