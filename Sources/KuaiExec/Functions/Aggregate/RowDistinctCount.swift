import KuaiCore

// count(DISTINCT (a, b, ...)): the number of distinct row values per group (DuckDB 2.0.1).
//
// A row value is a STRUCT in DuckDB and is never NULL itself, even when all its members are NULL, so
// rows with NULL members count, and two rows are the same when every member is equal, NULL matching
// NULL (the GROUP BY rule). The members arrive as the spec's extra columns (`AggregateSpec.orderColumns`,
// which `HashAggregateOperator` passes to `update(_:order:ids:count:)`, gathered under FILTER like the
// input); the state keeps the distinct (group id, members...) tuples in a `GroupKeyTable`.

extension AggregateRegistry {
    /// `count(DISTINCT (a, b, ...))` over members of types `memberTypes` (BIGINT result). The spec gives
    /// the member columns as its `orderColumns`, no `inputColumn`; `distinct` may be set (it adds nothing).
    /// Zero members (every member a constant) count one row value per non-empty group.
    public static func countDistinctRows(_ memberTypes: [DataType]) -> AggregateFunction {
        AggregateFunction(name: "count", argumentType: nil, returnType: .bigint) { _ in
            RowDistinctCountState(memberTypes: memberTypes)
        }
    }
}

/// The distinct (group, row value) pairs of `count(DISTINCT (a, b, ...))`, in a hash table keyed on the
/// group id (an INTEGER column) followed by the members; the count of a group is the number of its keys.
/// Memory: one table entry per distinct pair (as `DistinctState`). Merging the tables of several
/// threads is deferred to `finalize`, where many keys in all are deduplicated partition by
/// partition on all cores (`PartitionedKeyMerge`).
final class RowDistinctCountState: AggregateState {
    let memberTypes: [DataType]
    var table: any GroupKeyTable
    private var scratch: [Int32] = []
    /// Keys moved to disk under memory pressure (RowDistinctSpill.swift): this state's own file
    /// first, merged states' files with their group mapping.
    var spills: [SpilledPairs] = []
    /// States merged into this one, with the mapping of their groups, not yet combined.
    var pending: [(state: RowDistinctCountState, mapping: [Int32])] = []

    init(memberTypes: [DataType]) {
        self.memberTypes = memberTypes
        self.table = makeGroupKeyTable(keyTypes: [.integer] + memberTypes)
    }

    func resize(_ groups: Int) {}

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) throws {
        try update(input, order: [], ids: ids, count: n)
    }

    func update(_ input: Column?, order members: [Column], ids: UnsafeBufferPointer<Int32>, count n: Int) throws {
        precondition(members.count == memberTypes.count, "count(DISTINCT row): wrong number of member columns")
        if n == 0 { return }
        var groups = [Int64](repeating: 0, count: n)
        for i in 0..<n { groups[i] = Int64(ids[i]) }
        insert([Column(type: .integer, ints: groups)] + members, count: n)
        if canSpill && MemoryGuard.shouldSpill(holding: heldBytes) { try spillToDisk() }
    }

    func insert(_ keys: [Column], count n: Int) {
        if scratch.count < n { scratch = [Int32](repeating: 0, count: n) }
        scratch.withUnsafeMutableBufferPointer { table.findOrInsert(keys, rowCount: n, into: $0) }
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) throws {
        let o = other as! RowDistinctCountState
        if o.table.count > 0 || !o.spills.isEmpty { pending.append((o, Array(mapping))) }
    }

    /// The table's keys, the group column mapped through `mapping` when given.
    private func keys(mapping: [Int32]?) -> [Column] {
        var keys = table.keyColumns()
        if let mapping {
            keys[0] = Column(type: .integer, ints: keys[0].ints.prefix(table.count).map { Int64(mapping[Int($0)]) })
        }
        return keys
    }

    func finalize(groups: Int) throws -> Column {
        if !spills.isEmpty || pending.contains(where: { !$0.state.spills.isEmpty }) {
            return try finalizeSpilled(groups: groups)
        }
        var counts = [Int64](repeating: 0, count: groups)
        let others = pending
        pending = []
        let total = others.reduce(table.count) { $0 + $1.state.table.count }
        if !others.isEmpty && total >= PartitionedKeyMerge.minimumGroups {
            let sources = [keys(mapping: nil)] + others.map { $0.state.keys(mapping: $0.mapping) }
            let m = PartitionedKeyMerge.merge(
                sources: sources, counts: [table.count] + others.map(\.state.table.count),
                keyTypes: [.integer] + memberTypes, threads: activeProcessorCount())
            m.keys[0].ints.withUnsafeBufferPointer { g in for i in 0..<m.count { counts[Int(g[i])] += 1 } }
            return Column(type: .bigint, ints: counts)
        }
        for o in others where o.state.table.count > 0 {
            insert(o.state.keys(mapping: o.mapping), count: o.state.table.count)
        }
        let n = table.count
        if n > 0 {
            let g = table.keyColumns()[0]
            for i in 0..<n { counts[Int(g.ints[i])] += 1 }
        }
        return Column(type: .bigint, ints: counts)
    }

    func makeEmpty() -> AggregateState { RowDistinctCountState(memberTypes: memberTypes) }
}
