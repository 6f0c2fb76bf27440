import KuaiCore

/// Keeps the rows of each input batch for which `predicate` is TRUE (selection vector, then one
/// gather per column). Stateless per batch, so it runs per morsel on any thread.
public final class FilterTransform: @unchecked Sendable {
    public let predicate: ScalarExpr
    public init(predicate: ScalarExpr) { self.predicate = predicate }

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
public final class FilterSource: MorselSource, @unchecked Sendable {
    public let child: MorselSource
    public let filter: FilterTransform
    public init(child: MorselSource, predicate: ScalarExpr) {
        self.child = child
        self.filter = FilterTransform(predicate: predicate)
    }
    public var schema: Schema { child.schema }
    public var morselCount: Int { child.morselCount }
    public func morsel(_ i: Int) throws -> Batch? {
        guard let b = try child.morsel(i), b.count > 0 else { return nil }
        return try filter.apply(b)
    }
    public var explainLine: String { filter.explainLine }
    public var explainChildren: [String] { [child.explainLine] + child.explainChildren.map { "  " + $0 } }
}

/// `FilterTransform` over a pull operator.
public final class FilterOperator: PhysicalOperator {
    public let child: PhysicalOperator
    public let filter: FilterTransform
    public init(child: PhysicalOperator, predicate: ScalarExpr) {
        self.child = child
        self.filter = FilterTransform(predicate: predicate)
    }
    public var schema: Schema { child.schema }
    public func next() throws -> Batch? {
        while let b = try child.next() {
            if let out = try filter.apply(b), out.count > 0 { return out }
        }
        return nil
    }
    public var explainLine: String { filter.explainLine }
    public var children: [PhysicalOperator] { [child] }
}
