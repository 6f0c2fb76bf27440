import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

/// min/max of VARCHAR per group: while the input is coded in one dictionary the state keeps codes
/// (and returns a dictionary-coded column); another dictionary, a grown dictionary or a merge with
/// a state of other strings must give the same answer as comparing the strings by bytes.
@Suite struct MinMaxStringTests {
    static let pool = ["", "a", "ab", "abc", "b", "Z", "zz", "é", "éa", "中", "中文", "a\u{0}b", "~", "0", "10", "9"]

    /// Byte-wise (UTF-8) order, DuckDB's VARCHAR order.
    static func less(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }

    struct Rows {
        var groups: [Int32] = []
        var strings: [String?] = []
    }

    static func rows(_ rng: inout SplitMix64, _ n: Int, groups: Int, from pool: [String]) -> Rows {
        var r = Rows()
        for _ in 0..<n {
            r.groups.append(Int32(rng.next() % UInt64(groups)))
            r.strings.append(rng.next() % 7 == 0 ? nil : pool[Int(rng.next() % UInt64(pool.count))])
        }
        return r
    }

    /// `rows` as a column coded in `dictionary` (interning what it lacks).
    static func column(_ r: Rows, _ dictionary: StringDictionary) -> Column {
        let codes = r.strings.map { $0.map { dictionary.intern($0) } ?? 0 }
        let validity: [UInt8]? = r.strings.contains(nil) ? r.strings.map { $0 == nil ? 0 : 1 } : nil
        return Column(codes: codes, dictionary: dictionary, validity: validity)
    }

    static func model(_ batches: [Rows], groups: Int, isMax: Bool) -> [String?] {
        var best = [String?](repeating: nil, count: groups)
        for b in batches {
            for (g, s) in zip(b.groups, b.strings) {
                guard let s else { continue }
                if let cur = best[Int(g)], isMax ? !less(cur, s) : !less(s, cur) { continue }
                best[Int(g)] = s
            }
        }
        return best
    }

    static func strings(_ c: Column, _ groups: Int) -> [String?] {
        (0..<groups).map {
            if case .string(let s) = c.value(at: $0) { return s }
            return nil
        }
    }

    static func state(_ isMax: Bool) throws -> AggregateState {
        let fn = try #require(AggregateRegistry.resolve(isMax ? "max" : "min", .varchar))
        return fn.make(.varchar)
    }

    static func feed(_ st: AggregateState, _ r: Rows, _ c: Column, groups: Int) throws {
        st.resize(groups)
        try r.groups.withUnsafeBufferPointer { try st.update(c, ids: $0, count: r.groups.count) }
    }

    @Test(arguments: [false, true]) func oneDictionaryStaysCoded(isMax: Bool) throws {
        var rng = SplitMix64(seed: 41)
        let dict = StringDictionary()
        for s in Self.pool.shuffled(using: &rng) { _ = dict.intern(s) }  // codes not in byte order
        let batches = (0..<3).map { _ in Self.rows(&rng, 500, groups: 40, from: Self.pool) }
        let st = try Self.state(isMax)
        for b in batches { try Self.feed(st, b, Self.column(b, dict), groups: 40) }
        let out = try st.finalize(groups: 40)
        #expect(out.dictionary === dict)
        #expect(Self.strings(out, 40) == Self.model(batches, groups: 40, isMax: isMax))
    }

    @Test(arguments: [false, true]) func anotherDictionaryOrAGrownOneGivesTheSameAnswer(isMax: Bool) throws {
        var rng = SplitMix64(seed: 42)
        let first = Array(Self.pool.prefix(8))
        let dict = StringDictionary()
        let a = Self.rows(&rng, 400, groups: 25, from: first)
        let b = Self.rows(&rng, 400, groups: 25, from: Self.pool)  // grows `dict` (new codes, new ranks)
        let c = Self.rows(&rng, 400, groups: 25, from: Array(Self.pool.reversed()))
        let st = try Self.state(isMax)
        try Self.feed(st, a, Self.column(a, dict), groups: 25)
        try Self.feed(st, b, Self.column(b, dict), groups: 25)
        try Self.feed(st, c, Self.column(c, StringDictionary()), groups: 25)  // another dictionary: views
        #expect(Self.strings(try st.finalize(groups: 25), 25) == Self.model([a, b, c], groups: 25, isMax: isMax))
    }

    @Test(arguments: [false, true]) func mergedStatesOfOneOrSeveralDictionaries(isMax: Bool) throws {
        var rng = SplitMix64(seed: 43)
        let dict = StringDictionary()
        for s in Self.pool.reversed() { _ = dict.intern(s) }
        let batches = (0..<4).map { _ in Self.rows(&rng, 300, groups: 12, from: Self.pool) }
        // Thread t's group g is global group (g + 5 t) % 30; the last thread reads another dictionary.
        func run(lastDictionary: StringDictionary) throws -> [String?] {
            let global = try Self.state(isMax)
            global.resize(30)
            for (t, b) in batches.enumerated() {
                let st = try Self.state(isMax)
                try Self.feed(st, b, Self.column(b, t == 3 ? lastDictionary : dict), groups: 12)
                let mapping = (0..<12).map { Int32(($0 + 5 * t) % 30) }
                try mapping.withUnsafeBufferPointer { try global.merge(st, mapping: $0) }
            }
            return Self.strings(try global.finalize(groups: 30), 30)
        }
        let mapped = batches.enumerated().map { t, b in
            Rows(groups: b.groups.map { ($0 + 5 * Int32(t)) % 30 }, strings: b.strings)
        }
        let expected = Self.model(mapped, groups: 30, isMax: isMax)
        #expect(try run(lastDictionary: dict) == expected)
        #expect(try run(lastDictionary: StringDictionary()) == expected)
    }
}
