import KuaiCore

/// Computes one output column per expression from each input batch. Stateless per batch.
public final class ProjectTransform: @unchecked Sendable {
    public let expressions: [ScalarExpr]
    public let schema: Schema
    /// - Parameter names: output column names, one per expression.
    public init(expressions: [ScalarExpr], names: [String]) {
        self.expressions = expressions
        self.schema = zip(expressions, names).map { Field($1, $0.type) }
    }

    public func apply(_ batch: Batch) throws -> Batch {
        var cols: [Column] = []
        cols.reserveCapacity(expressions.count)
        for e in expressions { cols.append(try e.evaluate(batch)) }
        return Batch(columns: cols, count: batch.count)
    }

    public var explainLine: String { "Project [" + expressions.map(\.name).joined(separator: ", ") + "]" }
}

/// `ProjectTransform` over a morsel source.
public final class ProjectSource: MorselSource, @unchecked Sendable {
    public let child: MorselSource
    public let project: ProjectTransform
    public init(child: MorselSource, expressions: [ScalarExpr], names: [String]) {
        self.child = child
        self.project = ProjectTransform(expressions: expressions, names: names)
    }
    public var schema: Schema { project.schema }
    public var morselCount: Int { child.morselCount }
    public func morsel(_ i: Int) throws -> Batch? {
        guard let b = try child.morsel(i), b.count > 0 else { return nil }
        return try project.apply(b)
    }
    public var explainLine: String { project.explainLine }
    public var explainChildren: [String] { [child.explainLine] + child.explainChildren.map { "  " + $0 } }
}

/// `ProjectTransform` over a pull operator.
public final class ProjectOperator: PhysicalOperator {
    public let child: PhysicalOperator
    public let project: ProjectTransform
    public init(child: PhysicalOperator, expressions: [ScalarExpr], names: [String]) {
        self.child = child
        self.project = ProjectTransform(expressions: expressions, names: names)
    }
    public var schema: Schema { project.schema }
    public func next() throws -> Batch? {
        while let b = try child.next() {
            if b.count > 0 { return try project.apply(b) }
        }
        return nil
    }
    public var explainLine: String { project.explainLine }
    public var children: [PhysicalOperator] { [child] }
}
