import KuaiCore

/// Per-group state of one aggregate function, stored column-wise (one array entry per group).
///
/// `update` is called once per batch with the dense group id of every row (from `GroupKeyTable`);
/// NULL inputs are ignored by every aggregate except count(*). Per-thread states are combined
/// with `merge`, whose `mapping[g]` is the group id in `self` of group `g` of `other`.
public protocol AggregateState: AnyObject {
    /// Makes room for `groups` groups (new groups start empty).
    func resize(_ groups: Int)
    /// Adds the rows of `input` (nil for count(*)) to the groups `ids` (`count` rows).
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count: Int) throws
    /// Adds `other`'s groups into this state's groups `mapping`.
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) throws
    /// The result column for groups 0..<groups.
    func finalize(groups: Int) throws -> Column
    /// A fresh, empty state of the same function (for another thread).
    func makeEmpty() -> AggregateState
    /// `update` for ordered aggregates (`string_agg(x, ',' ORDER BY y)`): `order` holds the
    /// ORDER BY columns of the same rows. The default ignores them.
    func update(_ input: Column?, order: [Column], ids: UnsafeBufferPointer<Int32>, count: Int) throws
    /// True when `update` computes correctly on HUGEINT input beyond Int64 (`Column.highs`); the
    /// aggregate operator raises an error before any other state sees such a value.
    var acceptsWideInput: Bool { get }
    /// True when the result does not depend on the order of the rows `update` gets (count, exact
    /// integer sums, min/max of integers): a distinct aggregate then feeds its distinct values
    /// unsorted. The default is false (sorted input, as for DOUBLE sums or lists).
    var ignoresInputOrder: Bool { get }
    /// True when `update(_:ids:runs:count:)` gains from the rows given as runs of one group
    /// (`GroupRuns`); the aggregate operator finds the runs only when some state uses them. The
    /// default is false.
    var usesRuns: Bool { get }
    /// `update(_:ids:count:)` of rows that also come as `runs` (the same rows and groups). The
    /// default uses the ids.
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, runs: GroupRuns, count: Int) throws
}

/// The first `groups` accumulators of a state as a result column's storage: the array itself when
/// it holds exactly `groups` (shared copy-on-write with the state, which is released after
/// `finalize`: no second copy of millions of groups), else a copy of its prefix.
@inline(__always)
func firstGroups<T>(_ accumulators: [T], _ groups: Int) -> [T] {
    accumulators.count == groups ? accumulators : Array(accumulators.prefix(groups))
}

extension AggregateState {
    public func update(_ input: Column?, order: [Column], ids: UnsafeBufferPointer<Int32>, count: Int) throws {
        try update(input, ids: ids, count: count)
    }
    public var acceptsWideInput: Bool { false }
    public var ignoresInputOrder: Bool { false }
    public var usesRuns: Bool { false }
    public func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, runs: GroupRuns, count: Int) throws {
        try update(input, ids: ids, count: count)
    }
}

/// An aggregate function: name, accepted argument types, result type and state factory.
public struct AggregateFunction: @unchecked Sendable {
    public let name: String
    /// nil = count(*) (no argument).
    public let argumentType: DataType?
    public let returnType: DataType
    let make: (_ argumentType: DataType) -> AggregateState
    /// True for aggregates that honour an ORDER BY inside the call (string_agg).
    public var ordered = false
    init(
        name: String, argumentType: DataType?, returnType: DataType, ordered: Bool = false,
        make: @escaping (_ argumentType: DataType) -> AggregateState
    ) {
        self.name = name
        self.argumentType = argumentType
        self.returnType = returnType
        self.make = make
        self.ordered = ordered
    }
}
