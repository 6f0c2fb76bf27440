import KuaiCore

/// A join without equality keys (CROSS JOIN, or ON with only non-equi conditions): every left
/// row against every right row, kept where `predicate` (evaluated on left ++ right columns) is
/// true. Same output rules as `HashJoinOperator`; the right input is materialised.
public final class NestedLoopJoinOperator: PhysicalOperator {
    private let inner: HashJoinOperator
    /// - Parameter predicate: the ON condition over left ++ right columns (BOOLEAN, NULL = false);
    ///   nil for CROSS JOIN.
    public init(
        left: PhysicalOperator, right: PhysicalOperator, type: JoinType,
        predicate: ((Batch) throws -> Column)? = nil
    ) {
        inner = HashJoinOperator(
            left: left, right: right, type: type, leftKeys: [], rightKeys: [],
            residual: predicate, buildSide: .right)
        inner.setLabel("NestedLoopJoin")
    }
    public var schema: Schema { inner.schema }
    public func next() throws -> Batch? { try inner.next() }
    public var explainLine: String {
        "NestedLoopJoin \(inner.type.sqlName)" + (inner.residual != nil ? " predicate" : "")
    }
    public var children: [PhysicalOperator] { inner.children }
}
