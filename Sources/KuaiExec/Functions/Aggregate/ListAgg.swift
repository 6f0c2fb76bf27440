import KuaiCore

/// list(x) / array_agg(x) [ORDER BY ...]: every row's value of the group, NULLs included, as a
/// LIST (DuckDB semantics; a group no row reaches, e.g. through FILTER, is NULL). The rows are kept
/// column-wise (`RowStore`: group id, value, order keys) and sorted once by group (then by the
/// ORDER BY keys) in `finalize`; the result's child is the values in that order, so each group's
/// elements are contiguous.
final class ListAggState: AggregateState {
    let elementType: DataType
    let orderKeys: [SortKey]
    let store = RowStore()
    init(elementType: DataType, orderKeys: [SortKey]) {
        self.elementType = elementType
        self.orderKeys = orderKeys
    }
    var acceptsWideInput: Bool { true }  // values are moved, never computed on
    func resize(_ groups: Int) {}
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input else { return }
        store.append(ids, input, [], count: n, onlyValid: false)
    }
    func update(_ input: Column?, order: [Column], ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input else { return }
        store.append(ids, input, order, count: n, onlyValid: false)
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        store.merge((other as! ListAggState).store, mapping: mapping)
    }
    func finalize(groups: Int) throws -> Column {
        let (cols, perm) = try store.sorted(orderKeys: orderKeys, byValue: false)
        var packed = [Int64](repeating: 0, count: groups)
        var valid = [UInt8](repeating: 0, count: groups)
        guard !cols.isEmpty else {
            return Column(
                listOf: elementType, packed: packed, child: Column.nulls(elementType, count: 0), validity: valid)
        }
        let child = perm.withUnsafeBufferPointer { cols[1].gather($0) }
        // rows sorted by group: each group's elements are one run of the child
        cols[0].ints.withUnsafeBufferPointer { gid in
            var k = 0
            while k < perm.count {
                let g = Int(gid[Int(perm[k])])
                var e = k + 1
                while e < perm.count && Int(gid[Int(perm[e])]) == g { e += 1 }
                packed[g] = Column.packList(offset: k, length: e - k)
                valid[g] = 1
                k = e
            }
        }
        let typed = child.type == elementType ? child : Column.nulls(elementType, count: child.count)
        return Column(
            listOf: elementType, packed: packed, child: typed, validity: valid.contains(0) ? valid : nil)
    }
    func makeEmpty() -> AggregateState { ListAggState(elementType: elementType, orderKeys: orderKeys) }
}

extension AggregateRegistry {
    /// list / array_agg(x) [ORDER BY ...]: `T[]` for an argument of type T.
    static func listAgg(_ c: AggregateCall) -> AggregateFunction? {
        guard c.name == "list" || c.name == "array_agg", let t = c.argumentType, c.parameters.isEmpty else {
            return nil
        }
        return AggregateFunction(name: c.name, argumentType: t, returnType: .list(t), ordered: true) { _ in
            ListAggState(elementType: t, orderKeys: c.orderKeys)
        }
    }
}
