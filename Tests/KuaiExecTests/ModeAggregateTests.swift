import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

/// mode() as counts per (group, value) (`ModeCountState`): against a model that counts with Swift
/// dictionaries (the most frequent non-NULL value, the smallest on a tie, NULL for a group without
/// values), for BIGINT, DOUBLE (-0.0 as 0.0, NaN as one value) and VARCHAR in both forms, fed in
/// several batches to one state and split over two states that are merged (two threads).
@Suite struct ModeAggregateTests {
    enum Input: CaseIterable { case bigint, double, sharedDictionary, dictionaryPerBatch, flat }

    static let strings = ["", "a", "b", "ä", "a-long-shared-prefix-1", "a-long-shared-prefix-2", "Z"]
    static let doubles: [Double] = [-0.0, 0.0, 1.5, -2, .nan, .infinity, -.infinity]

    /// Per row: group id and value index into the input's pool (nil = NULL).
    static func sample(_ n: Int, groups: Int, seed: UInt64) -> [(Int32, Int?)] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in
            let g = Int32.random(in: 0..<Int32(groups), using: &rng)
            // group g draws from a skewed range so that modes differ between groups
            let r = Int.random(in: 0..<10, using: &rng)
            let v: Int? = r == 0 ? nil : (Int(g) + r * r / 9) % 7
            return (g, g == Int32(groups - 1) ? nil : v)  // the last group has only NULLs
        }
    }

    func column(_ values: [Int?], _ input: Input, _ dict: StringDictionary) -> Column {
        switch input {
        case .bigint: return intCol(values.map { $0.map { Int64($0) * 1_000_000_007 - 3 } })
        case .double: return dblCol(values.map { $0.map { Self.doubles[$0] } })
        case .sharedDictionary: return strCol(values.map { $0.map { Self.strings[$0] } }, dict: dict)
        case .dictionaryPerBatch: return strCol(values.map { $0.map { Self.strings[$0] } })
        case .flat: return Column(flatStrings: values.map { $0.map { Self.strings[$0] } })
        }
    }

    /// The value of pool index `v` as the result column shows it.
    func value(_ v: Int, _ input: Input) -> Value {
        switch input {
        case .bigint: return .int(Int64(v) * 1_000_000_007 - 3)
        case .double: return .double(Self.doubles[v] == 0 ? 0 : Self.doubles[v])
        default: return .string(Self.strings[v])
        }
    }

    /// The model's answer per group: counts by value (-0.0 and 0.0 one value), the smallest of the
    /// most frequent in the input's order.
    func model(_ rows: [(Int32, Int?)], groups: Int, _ input: Input) -> [Value] {
        // pool indexes that are equal values: -0.0 (0) counts as 0.0 (1)
        let canonical: (Int) -> Int = { input == .double && $0 == 0 ? 1 : $0 }
        var counts = [[Int: Int]](repeating: [:], count: groups)
        for (g, v) in rows { if let v { counts[Int(g)][canonical(v), default: 0] += 1 } }
        func less(_ a: Int, _ b: Int) -> Bool {
            switch input {
            case .bigint: return a < b
            case .double: return orderedDouble(Self.doubles[a]) < orderedDouble(Self.doubles[b])
            default: return Array(Self.strings[a].utf8).lexicographicallyPrecedes(Array(Self.strings[b].utf8))
            }
        }
        return counts.map { c in
            guard let top = c.values.max() else { return .null }
            let best = c.filter { $0.value == top }.keys.sorted(by: less)[0]
            return value(best, input)
        }
    }

    func feed(_ state: AggregateState, _ rows: ArraySlice<(Int32, Int?)>, _ input: Input, _ dict: StringDictionary)
        throws
    {
        for start in stride(from: rows.startIndex, to: rows.endIndex, by: 3000) {
            let part = rows[start..<min(rows.endIndex, start + 3000)]
            let ids = part.map(\.0)
            try ids.withUnsafeBufferPointer {
                try state.update(column(part.map(\.1), input, dict), ids: $0, count: ids.count)
            }
        }
    }

    func results(_ col: Column, groups: Int) -> [Value] {
        KuaiTestSupport.rows([Batch(columns: [col], count: groups)]).map { v in
            if case .double(let d) = v[0], d.isNaN { return .double(.nan) }
            return v[0]
        }
    }

    @Test(arguments: Input.allCases)
    func countsMatchTheModel(input: Input) throws {
        let groups = 50
        let data = Self.sample(40_000, groups: groups, seed: 3)
        let type: DataType = input == .bigint ? .bigint : input == .double ? .double : .varchar
        let fn = try #require(AggregateRegistry.resolve("mode", type))
        let dict = StringDictionary()
        let want = model(data, groups: groups, input)
        // one state
        let one = fn.make(type)
        #expect(one is ModeCountState)
        try feed(one, data[...], input, dict)
        let gotOne = results(try one.finalize(groups: groups), groups: groups)
        // two states (two threads), the second's groups numbered in reverse, merged
        let a = fn.make(type)
        let b = a.makeEmpty()
        let half = data.count / 2
        try feed(a, data[..<half], input, dict)
        let reversed = data[half...].map { (Int32(groups - 1) - $0.0, $0.1) }
        try feed(b, reversed[...], input, dict)
        let mapping = (0..<groups).map { Int32(groups - 1 - $0) }
        try mapping.withUnsafeBufferPointer { try a.merge(b, mapping: $0) }
        let gotTwo = results(try a.finalize(groups: groups), groups: groups)
        let wantCmp = want.map { v -> Value in
            if case .double(let d) = v, d.isNaN { return .double(.nan) }
            return v
        }
        #expect(gotOne.map(\.description) == wantCmp.map(\.description))
        #expect(gotTwo.map(\.description) == wantCmp.map(\.description))
    }

    /// DuckDB 2.0.1: SELECT g, mode(x) FROM (VALUES (1, 'p'), (1, 'q'), (1, 'q'), (2, NULL), (3, 'z'),
    /// (3, 'y'), (3, 'z')) t(g, x) GROUP BY g ORDER BY g -> (1, 'q'), (2, NULL), (3, 'z').
    @Test func duckdbAnswers() throws {
        let fn = try #require(AggregateRegistry.resolve("mode", .varchar))
        let st = fn.make(.varchar)
        let ids: [Int32] = [0, 0, 0, 1, 2, 2, 2]
        try ids.withUnsafeBufferPointer {
            try st.update(strCol(["p", "q", "q", nil, "z", "y", "z"]), ids: $0, count: 7)
        }
        #expect(results(try st.finalize(groups: 3), groups: 3) == [str("q"), nul, str("z")])
    }
}
