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
///
/// Mostly distinct row values (a table of `setAsideKeys` keys filled from fewer than 1.1 rows a
/// key) gain nothing from a growing table whose every insert is a cache miss: the table's keys
/// are set aside as columns and a small fresh table takes the next rows, as GROUP BY does
/// (`HashAggregateOperator.flushIfSparse`); `finalize` deduplicates the set-aside keys with the
/// rest. Only while the memory held stays far under the limit (`MemoryGuard.shouldSpill` of four
/// times it); a spill writes the set-aside keys too.
final class RowDistinctCountState: AggregateState {
    let memberTypes: [DataType]
    var table: any GroupKeyTable
    private var scratch: [Int32] = []
    /// Key columns of tables set aside (group id, then the members), oldest first.
    var setAside: [(keys: [Column], count: Int)] = []
    /// Rows inserted into the current table.
    private var rowsInTable = 0
    /// Rows still to set aside as they come after a sparse table was set aside.
    var passRows = 0
    /// Keys of a table that may be set aside (`SetAsideRule`; tests lower it).
    nonisolated(unsafe) static var setAsideKeys = SetAsideRule.keys
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
        let keys = [Column(type: .integer, ints: groups)] + members
        if passRows > 0 {
            // the keys were mostly new: kept as they are, deduplicated with the rest at the end
            setAside.append((keys, n))
            passRows -= n
        } else {
            insert(keys, count: n)
            rowsInTable += n
        }
        if canSpill && MemoryGuard.shouldSpill(holding: heldBytes) { try spillToDisk() }
        setAsideIfSparse()
    }

    /// Sets the table's keys aside and starts a fresh table when it holds `setAsideKeys` keys
    /// from fewer than 1.1 rows a key, while the memory held stays far under the limit; the next
    /// 4 x `setAsideKeys` rows then pass by the table (`passRows`), their keys set aside as they
    /// come, as GROUP BY does (`HashAggregateOperator.passThrough`). The new table is
    /// `makeGroupKeyTable(following:)` the old one.
    private func setAsideIfSparse() {
        let n = table.count
        guard canSpill, SetAsideRule.isSparse(keys: n, rows: rowsInTable, minimum: Self.setAsideKeys),
            SetAsideRule.fits(held: heldBytes)
        else { return }
        setAside.append((table.keyColumns(), n))
        table = makeGroupKeyTable(following: table)
        rowsInTable = 0
        passRows = 4 * Self.setAsideKeys
    }

    func insert(_ keys: [Column], count n: Int) {
        if scratch.count < n { scratch = [Int32](repeating: 0, count: n) }
        scratch.withUnsafeMutableBufferPointer { table.findOrInsert(keys, rowCount: n, into: $0) }
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) throws {
        let o = other as! RowDistinctCountState
        if o.keyCount > 0 || !o.spills.isEmpty { pending.append((o, Array(mapping))) }
    }

    /// Keys held in memory: the table's and the set-aside ones (which may repeat a key).
    var keyCount: Int { setAside.reduce(table.count) { $0 + $1.count } }

    /// The set-aside keys and then the table's, each as key columns with their row count, the
    /// group column mapped through `mapping` when given.
    func keySources(mapping: [Int32]?) -> [(keys: [Column], count: Int)] {
        var sources = setAside
        if table.count > 0 { sources.append((table.keyColumns(), table.count)) }
        guard let mapping else { return sources }
        return sources.map { (groupsMapped($0.keys, count: $0.count, through: mapping), $0.count) }
    }

    func finalize(groups: Int) throws -> Column {
        if !spills.isEmpty || pending.contains(where: { !$0.state.spills.isEmpty }) {
            return try finalizeSpilled(groups: groups)
        }
        var counts = [Int64](repeating: 0, count: groups)
        let others = pending
        pending = []
        let total = others.reduce(keyCount) { $0 + $1.state.keyCount }
        if (!others.isEmpty || !setAside.isEmpty) && total >= PartitionedKeyMerge.minimumGroups {
            let sources = keySources(mapping: nil) + others.flatMap { $0.state.keySources(mapping: $0.mapping) }
            setAside = []
            if let packed = packedDistinctCounts(sources, groups: groups) { return Column(type: .bigint, ints: packed) }
            let m = PartitionedKeyMerge.mergeParts(
                sources: sources.map(\.keys), counts: sources.map(\.count),
                keyTypes: [.integer] + memberTypes, threads: activeProcessorCount())
            for (p, n) in m.partCounts.enumerated() where n > 0 {
                m.parts[p][0].ints.withUnsafeBufferPointer { g in for i in 0..<n { counts[Int(g[i])] += 1 } }
            }
            return Column(type: .bigint, ints: counts)
        }
        let sources = setAside + others.flatMap { $0.state.keySources(mapping: $0.mapping) }
        setAside = []
        for source in sources { insert(source.keys, count: source.count) }
        let n = table.count
        if n > 0 {
            let g = table.keyColumns()[0]
            for i in 0..<n { counts[Int(g.ints[i])] += 1 }
        }
        return Column(type: .bigint, ints: counts)
    }

    func makeEmpty() -> AggregateState { RowDistinctCountState(memberTypes: memberTypes) }
}

/// Key columns of a distinct state (the group id as INTEGER first, `count` rows) with the group
/// ids mapped through `mapping` (a merged state's groups into the merging one's).
func groupsMapped(_ keys: [Column], count: Int, through mapping: [Int32]) -> [Column] {
    var keys = keys
    keys[0] = Column(type: .integer, ints: keys[0].ints.prefix(count).map { Int64(mapping[Int($0)]) })
    return keys
}

extension RowDistinctCountState {
    /// The number of distinct keys per group of `sources` (key columns: the group id, then the
    /// members), when every member is integer-stored and the keys fit one 64-bit word: each key
    /// packed as its columns' offsets from their minimum (a NULL as one past the maximum), the
    /// words radix-sorted on all cores and the runs of equal words counted by the group in their
    /// top bits (sequential passes, no gathers, no hash table). nil, nothing done, otherwise.
    func packedDistinctCounts(_ sources: [(keys: [Column], count: Int)], groups: Int) -> [Int64]? {
        guard memberTypes.allSatisfy(PackedJoinKeys.packable) else { return nil }
        let columns = memberTypes.count + 1
        var lows = [Int64](repeating: 0, count: columns)
        var widths = [Int](repeating: 0, count: columns)
        var total = 0
        for c in 0..<columns {
            guard let (lo, top) = packedRange(sources, column: c) else { return nil }
            lows[c] = lo
            widths[c] = UInt64.bitWidth - top.leadingZeroBitCount
            total += widths[c]
        }
        if total > 64 { return nil }
        let n = sources.reduce(0) { $0 + $1.count }
        if n == 0 { return [Int64](repeating: 0, count: groups) }
        let keys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
        defer { keys.deallocate() }
        keys.initialize(repeating: 0)
        var start = 0
        for (cols, count) in sources {
            let out = UnsafeMutableBufferPointer(rebasing: keys[start..<start + count])
            for c in 0..<columns { packColumn(cols[c], count: count, low: lows[c], width: widths[c], into: out) }
            start += count
        }
        let tmp = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
        radixSortPacked(keys, tmp: tmp, lowBit: 0, bits: total)
        tmp.deallocate()
        let memberBits = UInt64(total - widths[0])
        var counts = [Int64](repeating: 0, count: groups)
        counts.withUnsafeMutableBufferPointer { counts in
            for i in 0..<n where i == 0 || keys[i] != keys[i - 1] {
                let g = memberBits >= 64 ? 0 : Int(truncatingIfNeeded: keys[i] >> memberBits)
                counts[g] += 1
            }
        }
        return counts
    }

    /// The minimum of column `c` over every source's valid rows and the largest offset from it
    /// (one past the maximum when some row is NULL); nil when the span overflows 64 bits or the
    /// column is wide. No valid row: (0, 0).
    private func packedRange(_ sources: [(keys: [Column], count: Int)], column c: Int) -> (Int64, UInt64)? {
        var lo = Int64.max
        var hi = Int64.min
        var hasNull = false
        for (cols, count) in sources where count > 0 {
            let col = cols[c]
            if col.highs != nil { return nil }
            if let r = valueRange(col, count: count) {
                lo = min(lo, r.lo)
                hi = max(hi, r.hi)
            }
            if let v = col.validity, v.prefix(count).contains(0) { hasNull = true }
        }
        if lo > hi { return (0, 0) }
        let span = hi.subtractingReportingOverflow(lo)
        if span.overflow { return nil }
        let top = UInt64(span.partialValue)
        if hasNull && top == .max { return nil }
        return (lo, hasNull ? top + 1 : top)
    }

    /// Shifts each of `out`'s words left by `width` bits and ors in the offset of row `i` of `col`
    /// from `low` (a NULL row: one past the largest offset, `packedRange`).
    private func packColumn(
        _ col: Column, count: Int, low: Int64, width: Int, into out: UnsafeMutableBufferPointer<UInt64>
    ) {
        if width == 0 { return }
        let shift = UInt64(width)
        let nullCode = width >= 64 ? UInt64.max : (UInt64(1) << shift) - 1
        col.ints.withUnsafeBufferPointer { x in
            col.validity.withUnsafeBufferPointerOrNil { v in
                for i in 0..<count {
                    let valid = v == nil || v![i] != 0
                    let code = valid ? UInt64(bitPattern: x[i] &- low) : nullCode
                    out[i] = (width >= 64 ? 0 : out[i] << shift) | code
                }
            }
        }
    }
}
