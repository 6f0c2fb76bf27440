import KuaiCore
import KuaiTestSupport

@testable import KuaiExec

// Helpers for the operator tests: run operators over batches and read rows back as `Value`s
// (column and row literals such as `intCol`, `int(1)`, `nul` are in KuaiTestSupport).

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

/// The aggregate `name` over an argument of `type` in input column `column` (nil for count(*)),
/// output under `output` (default: the function's name).
func spec(
    _ name: String, _ type: DataType?, _ column: Int?, distinct: Bool = false, filter: Int? = nil,
    as output: String? = nil
) -> AggregateSpec {
    AggregateSpec(
        function: AggregateRegistry.resolve(name, type)!, inputColumn: column, distinct: distinct, filterColumn: filter,
        name: output ?? name)
}
