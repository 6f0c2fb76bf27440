import KuaiCore

/// list(DISTINCT x) / array_agg(DISTINCT x): the distinct non-NULL values, as `DistinctState` or
/// `StringDistinctState` (`distinct`) feed them to the list state (`inner`), plus one NULL element
/// for each group that had a NULL row: DuckDB 2.0.1 keeps NULL as one more distinct value of a
/// list (`list(DISTINCT x)` over 1, NULL, 1, NULL is `[NULL, 1]`; over NULLs only `[NULL]`), while
/// the distinct states skip NULLs, which every other aggregate ignores.
final class DistinctWithNullElementState: AggregateState {
    let distinct: AggregateState
    let inner: AggregateState
    let type: DataType
    /// `sawNull[g]`: group g had a NULL row (grows with the largest group id seen).
    private var sawNull: [Bool] = []

    /// - Parameters:
    ///   - distinct: the distinct state wrapping `inner`.
    ///   - inner: the list state the distinct values and the NULL elements go to.
    ///   - type: the argument's type.
    init(distinct: AggregateState, inner: AggregateState, type: DataType) {
        self.distinct = distinct
        self.inner = inner
        self.type = type
    }
    var acceptsWideInput: Bool { distinct.acceptsWideInput }
    func resize(_ groups: Int) { distinct.resize(groups) }

    private func markNull(_ g: Int) {
        if g >= sawNull.count { sawNull += [Bool](repeating: false, count: g + 1 - sawNull.count) }
        sawNull[g] = true
    }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) throws {
        if let input, input.type == .null || input.validity != nil {
            for i in 0..<n where !input.isValid(i) || input.type == .null { markNull(Int(ids[i])) }
        }
        try distinct.update(input, ids: ids, count: n)
    }
    func update(_ input: Column?, order: [Column], ids: UnsafeBufferPointer<Int32>, count n: Int) throws {
        try update(input, ids: ids, count: n)
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) throws {
        let o = other as! DistinctWithNullElementState
        for (g, seen) in o.sawNull.enumerated() where seen { markNull(Int(mapping[g])) }
        try distinct.merge(o.distinct, mapping: mapping)
    }
    func finalize(groups: Int) throws -> Column {
        // the NULL elements go to the list state first; the distinct state then adds its values
        let ids = (0..<min(groups, sawNull.count)).filter { sawNull[$0] }.map { Int32($0) }
        if !ids.isEmpty {
            let nulls = Column.nulls(type, count: ids.count)
            inner.resize(groups)
            try ids.withUnsafeBufferPointer { try inner.update(nulls, order: [nulls], ids: $0, count: ids.count) }
        }
        return try distinct.finalize(groups: groups)
    }
    func makeEmpty() -> AggregateState {
        let i = inner.makeEmpty()
        let d: AggregateState = type == .varchar ? StringDistinctState(inner: i) : DistinctState(inner: i, type: type)
        return DistinctWithNullElementState(distinct: d, inner: i, type: type)
    }
}
