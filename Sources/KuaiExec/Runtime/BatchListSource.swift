import KuaiCore

/// A morsel source over already computed batches (one morsel per batch).
public final class BatchListSource: MorselSource, @unchecked Sendable {
    public let schema: Schema
    public let batches: [Batch]
    public let label: String
    public init(schema: Schema, batches: [Batch], label: String = "Batches") {
        self.schema = schema
        self.batches = batches
        self.label = label
    }
    public var morselCount: Int { batches.count }
    public var rowBound: Int? { batches.reduce(0) { $0 + $1.count } }
    public func morsel(_ i: Int) throws -> Batch? { batches[i] }
    public var explainLine: String { label }
    public var explainChildren: [String] { [] }
}
