import KuaiCore

/// Keeps the rows of each input batch for which `predicate` is TRUE (selection vector, then one
/// gather per column). Stateless per batch, so it runs per morsel on any thread.
public final class FilterTransform: BatchTransform, @unchecked Sendable {
    public let predicate: ScalarExpr
    public init(predicate: ScalarExpr) { self.predicate = predicate }

    public func schema(for input: Schema) -> Schema { input }

    /// The surviving rows of `batch`, or nil when none survive.
    public func apply(_ batch: Batch) throws -> Batch? {
        let sel = try predicate.selectRows(batch, nil)
        if sel.isEmpty { return nil }
        if sel.count == batch.count { return batch }
        return sel.withUnsafeBufferPointer { batch.gather($0) }
    }

    public var explainLine: String { "Filter \(predicate.name)" }
}

/// `FilterTransform` over a morsel source.
public typealias FilterSource = TransformSource<FilterTransform>
/// `FilterTransform` over a pull operator.
public typealias FilterOperator = TransformOperator<FilterTransform>

extension TransformSource where Transform == FilterTransform {
    public convenience init(child: MorselSource, predicate: ScalarExpr) {
        self.init(child: child, transform: FilterTransform(predicate: predicate))
    }
}

extension TransformOperator where Transform == FilterTransform {
    public convenience init(child: PhysicalOperator, predicate: ScalarExpr) {
        self.init(child: child, transform: FilterTransform(predicate: predicate))
    }
}
