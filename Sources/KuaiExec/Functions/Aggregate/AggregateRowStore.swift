import KuaiCore

/// Rows kept by a holistic aggregate: group id, the input value and its ORDER BY columns,
/// appended batch by batch; sorted once at the end with `sortPermutation`.
final class RowStore {
    var collector: BatchCollector?
    var count: Int { collector?.count ?? 0 }

    func append(_ ids: UnsafeBufferPointer<Int32>, _ input: Column, _ order: [Column], count n: Int, onlyValid: Bool) {
        var sel: [Int32]? = nil
        if onlyValid, let v = input.validity {
            var s: [Int32] = []
            s.reserveCapacity(n)
            for i in 0..<n where v[i] != 0 { s.append(Int32(i)) }
            sel = s
        }
        let m = sel?.count ?? n
        if m == 0 { return }
        let idCol: Column
        if let sel {
            idCol = Column(type: .bigint, ints: sel.map { Int64(ids[Int($0)]) })
        } else {
            idCol = Column(type: .bigint, ints: (0..<n).map { Int64(ids[$0]) })
        }
        var cols =
            [idCol, input.count == n ? input : input.slice(0..<n)] + order.map { $0.count == n ? $0 : $0.slice(0..<n) }
        if let sel {
            cols = [cols[0]] + sel.withUnsafeBufferPointer { s in cols.dropFirst().map { $0.gather(s) } }
        }
        if collector == nil {
            collector = BatchCollector(schema: cols.enumerated().map { Field("c\($0.offset)", $0.element.type) })
        }
        collector!.append(Batch(columns: cols, count: m))
    }

    func merge(_ other: RowStore, mapping: UnsafeBufferPointer<Int32>) {
        guard var oc = other.collector, oc.count > 0 else { return }
        let n = oc.count
        var cols = oc.take()
        other.collector = nil
        cols[0] = Column(type: .bigint, ints: cols[0].ints.map { Int64(mapping[Int($0)]) }, validity: nil)
        if collector == nil {
            collector = BatchCollector(schema: cols.enumerated().map { Field("c\($0.offset)", $0.element.type) })
        }
        collector!.append(Batch(columns: cols, count: n))
    }

    /// The stored columns and the row order by (group, order keys..., value when `byValue`).
    func sorted(orderKeys: [SortKey], byValue: Bool) throws -> (cols: [Column], perm: [Int32]) {
        guard var c = collector, c.count > 0 else { return ([], []) }
        let n = c.count
        let cols = c.take()
        collector = nil
        var keys = [SortKey(column: 0)]
        keys += orderKeys.map { SortKey(column: $0.column + 2, ascending: $0.ascending, nullsFirst: $0.nullsFirst) }
        if byValue { keys.append(SortKey(column: 1)) }
        return (cols, try sortPermutation(cols, count: n, keys: keys))
    }
}
