import KuaiCore

/// A physical operator: pulls batches from its children and returns its own.
///
/// Contract: `next()` returns nil at the end and never returns an empty batch; every batch has
/// `schema.count` columns of the schema's types. Operators are `final class`es, one per file.
public protocol PhysicalOperator: AnyObject {
    /// The output columns.
    var schema: Schema { get }
    /// The next batch, or nil when exhausted.
    /// - Throws: `KuaiError.execution` for runtime errors, `.corrupt`/`.io` from scans.
    func next() throws -> Batch?
    /// One line for EXPLAIN, e.g. `HashJoin INNER build=right keys=[#0=#1]`.
    var explainLine: String { get }
    /// Inputs, for EXPLAIN.
    var children: [PhysicalOperator] { get }
}

/// A source whose work splits into independent morsels (usually one table block each) that may
/// run on several threads at once; stateless per-batch operators (filter, project, join probe)
/// wrap one MorselSource in another. Sinks (hash aggregate, join build, sort) drain it with
/// `DispatchQueue.concurrentPerform` and merge per-thread state.
public protocol MorselSource: AnyObject, Sendable {
    var schema: Schema { get }
    /// Number of morsels; morsel i may be requested from any thread, once.
    var morselCount: Int { get }
    /// The rows of morsel `i` (nil or empty when none survive, e.g. pruned by a zone map).
    func morsel(_ i: Int) throws -> Batch?
    /// The rows of morsel `i` handed to `body` as non-empty pieces that together hold them, in
    /// order (the rows `morsel(i)` returns). A consumer that does not care where a morsel splits
    /// (a hash aggregate) so works on a piece at a time: `TableScan` decodes a block
    /// `TableScan.chunkRows` rows at a time, and the buffers of one piece are reused by the next
    /// instead of faulting in fresh pages for a whole block. The default hands `morsel(i)` over
    /// whole.
    /// - Throws: what `morsel(i)` and `body` throw.
    func morsel(_ i: Int, pieces body: (Batch) throws -> Void) throws
    var explainLine: String { get }
    var explainChildren: [String] { get }
    /// At most this many rows come out of all morsels together; nil when unknown (joins).
    var rowBound: Int? { get }
    /// Does the work that must precede the first morsel (a join's build side), on the calling
    /// thread, so that the work itself may use every thread: `MorselScheduler` calls it before
    /// its workers start (work begun from inside a worker would run on that worker alone). Sources
    /// over other sources pass it on. Idempotent; the default does nothing.
    /// - Throws: what that work throws (the same error a morsel would throw otherwise).
    func prepare() throws
}

extension MorselSource {
    public var rowBound: Int? { nil }
    public func prepare() throws {}
    public func morsel(_ i: Int, pieces body: (Batch) throws -> Void) throws {
        if let b = try morsel(i), b.count > 0 { try body(b) }
    }
}
