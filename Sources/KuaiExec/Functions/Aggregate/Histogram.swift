import KuaiCore

/// histogram(x): a MAP from each distinct non-NULL value of the group to its count, keys in
/// ascending order (DuckDB 2.0.1's ordered map; its counts are UBIGINT, kuai's BIGINT); NULL for a
/// group without a non-NULL value. Over the types `ValueCountState` takes (integer-stored values,
/// DOUBLE, VARCHAR): the (group, value) pairs are counted in its `PairCounter`, and sorted by
/// (group, value) once, when the groups are finished.
final class HistogramState: ValueCountState, AggregateState {
    func finalize(groups: Int) throws -> Column {
        var pairGroups: [Int32] = []
        var values: [UInt64] = []
        var times: [Int64] = []
        pairGroups.reserveCapacity(counts.count)
        values.reserveCapacity(counts.count)
        times.reserveCapacity(counts.count)
        counts.forEachPair { g, v, c in
            pairGroups.append(g)
            values.append(v)
            times.append(Int64(c))
        }
        let views = interner?.target.views ?? []
        var order = (0..<Int32(values.count)).map { $0 }
        order.sort { a, b in
            let ga = pairGroups[Int(a)]
            let gb = pairGroups[Int(b)]
            if ga != gb { return ga < gb }
            return smaller(values[Int(a)], values[Int(b)], views)
        }
        // the entries group by group, each group's (offset, length) into them
        var packed = [Int64](repeating: 0, count: groups)
        var validity = [UInt8](repeating: 0, count: groups)
        var k = 0
        while k < order.count {
            let g = Int(pairGroups[Int(order[k])])
            var end = k + 1
            while end < order.count, Int(pairGroups[Int(order[end])]) == g { end += 1 }
            packed[g] = Column.packList(offset: k, length: end - k)
            validity[g] = 1
            k = end
        }
        let keys = valueColumn(order.map { values[Int($0)] }, validity: nil)
        let count = Column(type: .bigint, ints: order.map { times[Int($0)] })
        let mapType = DataType.map(type, .bigint)
        let entries = Column(structOf: mapType.mapEntry!, aligned: [keys, count], count: order.count)
        return Column(
            mapOf: mapType, packed: packed, entries: entries, validity: validity.contains(0) ? validity : nil)
    }

    func makeEmpty() -> AggregateState { HistogramState(type: type) }
}

extension AggregateRegistry {
    /// histogram(x): MAP(type of x, BIGINT), for the types `ValueCountState` takes.
    static func histogram(_ c: AggregateCall) -> AggregateFunction? {
        guard c.name == "histogram", let t = c.argumentType, c.secondArgumentType == nil,
            ValueCountState.accepts(t)
        else { return nil }
        return AggregateFunction(name: c.name, argumentType: t, returnType: .map(t, .bigint)) { _ in
            HistogramState(type: t)
        }
    }
}
