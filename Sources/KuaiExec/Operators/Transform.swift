import KuaiCore

/// A stateless step applied to each batch on its own (filter, project), so that it runs per
/// morsel on any thread (`TransformSource`) or on a pulled stream (`TransformOperator`).
public protocol BatchTransform: AnyObject, Sendable {
    /// The output columns for input columns `input`.
    func schema(for input: Schema) -> Schema
    /// The output of one non-empty input batch; nil (or an empty batch) when no row remains.
    func apply(_ batch: Batch) throws -> Batch?
    /// One line for EXPLAIN.
    var explainLine: String { get }
}

/// What `TransformSource` and `TransformOperator` share: the child (`Child`, a morsel source or a
/// pull operator), the transform and the output schema it gives the child's columns.
public class TransformNode<Child, Transform: BatchTransform> {
    public let child: Child
    public let transform: Transform
    public let schema: Schema

    init(child: Child, childSchema: Schema, transform: Transform) {
        self.child = child
        self.transform = transform
        self.schema = transform.schema(for: childSchema)
    }
    public var explainLine: String { transform.explainLine }
}

/// A `BatchTransform` over a morsel source: morsel i is the transform of the child's morsel i.
public final class TransformSource<Transform: BatchTransform>: TransformNode<MorselSource, Transform>, MorselSource,
    @unchecked Sendable
{
    public init(child: MorselSource, transform: Transform) {
        super.init(child: child, childSchema: child.schema, transform: transform)
    }
    public var morselCount: Int { child.morselCount }
    /// A filter or projection never adds rows.
    public var rowBound: Int? { child.rowBound }
    public func prepare() throws { try child.prepare() }
    public func morsel(_ i: Int) throws -> Batch? {
        guard let b = try child.morsel(i), b.count > 0 else { return nil }
        return try transform.apply(b)
    }
    public func morsel(_ i: Int, pieces body: (Batch) throws -> Void) throws {
        try child.morsel(i) { b in
            if let out = try transform.apply(b), out.count > 0 { try body(out) }
        }
    }
    public var explainChildren: [String] { [child.explainLine] + child.explainChildren.map { "  " + $0 } }
}

/// A `BatchTransform` over a pull operator (empty results are skipped).
public final class TransformOperator<Transform: BatchTransform>: TransformNode<PhysicalOperator, Transform>,
    PhysicalOperator
{
    public init(child: PhysicalOperator, transform: Transform) {
        super.init(child: child, childSchema: child.schema, transform: transform)
    }
    public func next() throws -> Batch? {
        while let b = try child.next() {
            if b.count > 0, let out = try transform.apply(b), out.count > 0 { return out }
        }
        return nil
    }
    public var children: [PhysicalOperator] { [child] }
}
