import KuaiCore

@testable import KuaiExec

// Helpers for the operator tests (OPERATORS engineer): build columns/batches from literals,
// run operators, read rows back as `Value`s.

/// An INTEGER-like column from optional ints (nil = NULL).
func intCol(_ xs: [Int64?], type: DataType = .bigint) -> Column {
    let hasNull = xs.contains { $0 == nil }
    return Column(type: type, ints: xs.map { $0 ?? 0 }, validity: hasNull ? xs.map { $0 == nil ? 0 : 1 } : nil)
}

/// A DOUBLE column from optional doubles.
func dblCol(_ xs: [Double?]) -> Column {
    let hasNull = xs.contains { $0 == nil }
    return Column(doubles: xs.map { $0 ?? 0 }, validity: hasNull ? xs.map { $0 == nil ? 0 : 1 } : nil)
}

/// A VARCHAR column with its own fresh dictionary.
func strCol(_ xs: [String?]) -> Column { Column(strings: xs) }

/// A VARCHAR column whose codes point into `dict` (strings are interned there).
func strCol(_ xs: [String?], dict: StringDictionary) -> Column {
    let codes = xs.map { $0.map { dict.intern($0) } ?? 0 }
    let hasNull = xs.contains { $0 == nil }
    return Column(codes: codes, dictionary: dict, validity: hasNull ? xs.map { $0 == nil ? 0 : 1 } : nil)
}

/// An operator replaying `batches`; the schema takes names c0, c1, ... and the column types.
func source(_ batches: [[Column]]) -> BatchReplayOperator {
    let first = batches.first!
    let schema = first.enumerated().map { Field("c\($0.offset)", $0.element.type) }
    return BatchReplayOperator(schema: schema, batches: batches.map { Batch(columns: $0) })
}

/// Drains `op` into rows of boxed values.
func rows(_ op: PhysicalOperator) throws -> [[Value]] {
    var out: [[Value]] = []
    while let b = try op.next() {
        precondition(b.count > 0, "operator returned an empty batch")
        for i in 0..<b.count { out.append(b.columns.map { $0.value(at: i) }) }
    }
    return out
}

/// Row literal helpers: `.int`, `.string`, `.null`.
func int(_ x: Int64) -> Value { .int(x) }
func str(_ s: String) -> Value { .string(s) }
func dbl(_ d: Double) -> Value { .double(d) }
let nul = Value.null

/// A small deterministic PRNG (SplitMix64) for randomised tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
