import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

/// Quantiles of one argument share one value store (`shareQuantileValues`): only the first state
/// of each (argument, FILTER, type) keeps values, and every quantile's answer equals that of a
/// state of its own, also after merging thread-local states and with several groups.
@Suite struct QuantileSharingTests {
    func spec(_ name: String, _ q: Double, input: Int, filter: Int? = nil, distinct: Bool = false) throws
        -> AggregateSpec
    {
        let f = try #require(AggregateRegistry.resolve(name, .bigint, parameters: [.double(q)]))
        return AggregateSpec(function: f, inputColumn: input, distinct: distinct, filterColumn: filter, name: name)
    }

    @Test func sharedStatesAnswerAsOwnStates() throws {
        let specs = [
            try spec("quantile_cont", 0.5, input: 0), try spec("quantile_cont", 0.9, input: 0),
            try spec("quantile_disc", 0.99, input: 0), try spec("quantile_disc", 0.5, input: 1),
            try spec("quantile_cont", 0.25, input: 0, filter: 2),
            try spec("quantile_disc", 0.3, input: 0, distinct: true),
        ]
        let shared = makeAggregateStates(specs)
        #expect(shared.map { ($0 as? QuantileState)?.feedsStore ?? true } == [true, false, false, true, true, true])
        var rng = SplitMix64(seed: 5)
        let groups = 3
        // two "threads" of shared states, merged into the first; own states see every row directly
        let other = makeAggregateStates(specs)
        let own = specs.map { $0.makeState() }
        for (t, states) in [shared, other].enumerated() {
            for _ in 0..<4 {
                let n = 5000
                let ids = (0..<n).map { _ in Int32(rng.next() % UInt64(groups)) }
                let a = (0..<n).map { _ in Int64(rng.next() % 100_000) - 50_000 }
                let validity = (0..<n).map { _ in UInt8(rng.next() % 10 == 0 ? 0 : 1) }
                let cols = [
                    Column(type: .bigint, ints: a, validity: validity), Column(type: .bigint, ints: a.map { $0 / 7 }),
                ]
                for (k, s) in specs.enumerated() {
                    let input = cols[s.inputColumn!]
                    let sel = s.filterColumn == nil ? Array(0..<n) : (0..<n).filter { a[$0] % 2 == 0 }
                    let sub = sel.map { Int32($0) }.withUnsafeBufferPointer { input.gather($0) }
                    let subIds = sel.map { ids[$0] }
                    try subIds.withUnsafeBufferPointer { try states[k].update(sub, ids: $0, count: sel.count) }
                    try subIds.withUnsafeBufferPointer { try own[k].update(sub, ids: $0, count: sel.count) }
                }
            }
            _ = t
        }
        let identity = (0..<Int32(groups)).map { $0 }
        for k in specs.indices {
            shared[k].resize(groups)
            try identity.withUnsafeBufferPointer { try shared[k].merge(other[k], mapping: $0) }
        }
        for k in specs.indices {
            let got = try shared[k].finalize(groups: groups)
            let want = try own[k].finalize(groups: groups)
            for g in 0..<groups { #expect(got.value(at: g) == want.value(at: g), "aggregate \(k) group \(g)") }
        }
    }
}

/// `OrderStatistic.values` gives what a full sort puts at each position, for value shapes that
/// exercise its recursion: uniform words, a tight cluster with far outliers, many duplicates,
/// all equal, small inputs and signed-order words around the sign flip.
@Suite struct OrderStatisticTests {
    @Test(arguments: 0..<6)
    func radixSelectionEqualsSortedPositions(shape: Int) {
        var rng = SplitMix64(seed: UInt64(100 + shape))
        let n = [200_000, 100_000, 50_000, 3_000, 40, 70_000][shape]
        let xs: [UInt64] = (0..<n).map { i in
            switch shape {
            case 0: return UInt64.random(in: 0...UInt64.max, using: &rng)
            case 1: return i % 1000 == 0 ? UInt64.random(in: 0...UInt64.max, using: &rng) : 5_000 + UInt64(i % 977)
            case 2: return UInt64.random(in: 0..<7, using: &rng) << 40
            case 3: return 42
            case 4: return UInt64.random(in: 0..<10, using: &rng)
            default: return UInt64(bitPattern: Int64.random(in: -1000...1000, using: &rng)) ^ (1 << 63)
            }
        }
        let sorted = xs.sorted()
        let ks = [0, n - 1, n / 2, n / 2 + 1, n / 10, (n * 9) / 10, (n * 99) / 100].filter { $0 < n }
        let got = xs.withUnsafeBufferPointer { OrderStatistic.values($0, at: ks) }
        #expect(got == ks.map { sorted[$0] })
    }
}
