import KuaiCore

/// Computes one output column per expression from each input batch. Stateless per batch.
public final class ProjectTransform: BatchTransform, @unchecked Sendable {
    public let expressions: [ScalarExpr]
    public let schema: Schema
    /// - Parameter names: output column names, one per expression.
    public init(expressions: [ScalarExpr], names: [String]) {
        self.expressions = expressions
        self.schema = zip(expressions, names).map { Field($1, $0.type) }
    }

    public func schema(for input: Schema) -> Schema { schema }

    public func apply(_ batch: Batch) throws -> Batch? {
        var cols: [Column] = []
        cols.reserveCapacity(expressions.count)
        for e in expressions { cols.append(try e.evaluate(batch)) }
        return Batch(columns: cols, count: batch.count)
    }

    public var explainLine: String { "Project [" + expressions.map(\.name).joined(separator: ", ") + "]" }
}

/// `ProjectTransform` over a morsel source.
public typealias ProjectSource = TransformSource<ProjectTransform>
/// `ProjectTransform` over a pull operator.
public typealias ProjectOperator = TransformOperator<ProjectTransform>

extension TransformSource where Transform == ProjectTransform {
    public convenience init(child: MorselSource, expressions: [ScalarExpr], names: [String]) {
        self.init(child: child, transform: ProjectTransform(expressions: expressions, names: names))
    }
}

extension TransformOperator where Transform == ProjectTransform {
    public convenience init(child: PhysicalOperator, expressions: [ScalarExpr], names: [String]) {
        self.init(child: child, transform: ProjectTransform(expressions: expressions, names: names))
    }
}
