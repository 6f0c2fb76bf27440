import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

@Suite struct ArgMinMaxTests {
    /// The running-best state of fixed-width arguments gives what the row-store state gives (which
    /// sorts every row): random groups, `y` values distinct within the data, NULLs in `x` and `y`,
    /// two threads' states merged through a group mapping, for arg_max, arg_min and the `_null`
    /// variants, over BIGINT and DOUBLE `x` and `y`.
    @Test func runningBestEqualsTheSortedRows() throws {
        var rng = SplitMix64(seed: 11)
        for (xType, yType) in [(DataType.bigint, DataType.bigint), (.double, .bigint), (.bigint, .double)] {
            for largest in [true, false] {
                for keepsNull in [false, true] {
                    let fixed = ArgMinMaxFixedState(largest: largest, type: xType, keepsNullArgument: keepsNull)
                    let rows = ArgMinMaxState(largest: largest, type: xType, keepsNullArgument: keepsNull)
                    let groups = 50
                    let ys = (0..<2_000).shuffled(using: &rng)
                    // two halves: the second fills a fresh state (another thread's) merged into the first
                    let targets: [AggregateState] = [fixed, rows]
                    for part in 0..<2 {
                        let range = (part * 1_000)..<((part + 1) * 1_000)
                        let ids = range.map { _ in Int32.random(in: 0..<Int32(groups), using: &rng) }
                        let xValid = range.map { _ in UInt8(Int.random(in: 0..<10, using: &rng) == 0 ? 0 : 1) }
                        let yValid = range.map { _ in UInt8(Int.random(in: 0..<10, using: &rng) == 0 ? 0 : 1) }
                        let x =
                            xType == .double
                            ? Column(doubles: range.map { Double($0) / 4 }, validity: xValid)
                            : Column(type: .bigint, ints: range.map { Int64($0) * 3 }, validity: xValid)
                        let y =
                            yType == .double
                            ? Column(doubles: range.map { Double(ys[$0]) - 999.5 }, validity: yValid)
                            : Column(type: .bigint, ints: range.map { Int64(ys[$0]) - 1_000 }, validity: yValid)
                        for target in targets {
                            let state = part == 0 ? target : target.makeEmpty()
                            state.resize(groups)
                            try ids.withUnsafeBufferPointer {
                                try state.update(x, order: [y], ids: $0, count: ids.count)
                            }
                            if part == 1 {
                                let identity = (0..<Int32(groups)).map { $0 }
                                try identity.withUnsafeBufferPointer { try target.merge(state, mapping: $0) }
                            }
                        }
                    }
                    let a = try fixed.finalize(groups: groups)
                    let b = try rows.finalize(groups: groups)
                    for g in 0..<groups {
                        #expect(
                            a.value(at: g) == b.value(at: g),
                            "group \(g) largest \(largest) null \(keepsNull) \(xType) \(yType)")
                    }
                }
            }
        }
    }

    /// Among equal `y` the first row met wins, also when it comes from the merged state.
    @Test func tiesKeepTheFirstRow() throws {
        let s = ArgMinMaxFixedState(largest: true, type: .bigint, keepsNullArgument: false)
        s.resize(1)
        let ids: [Int32] = [0, 0, 0]
        try ids.withUnsafeBufferPointer {
            try s.update(
                Column(type: .bigint, ints: [1, 2, 3]), order: [Column(type: .bigint, ints: [5, 7, 7])], ids: $0,
                count: 3)
        }
        #expect(try s.finalize(groups: 1).value(at: 0) == .int(2))
    }
}
