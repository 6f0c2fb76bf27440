import KuaiCore

/// string_agg(x, sep [ORDER BY ...]): the group's non-NULL strings joined by `sep`, in ORDER BY
/// order (input order when none); NULL for a group without strings, and for every group when `sep` is
/// NULL (DuckDB 2.0.1).
final class StringAggState: AggregateState {
    let separator: String?
    let orderKeys: [SortKey]
    let store = RowStore()
    init(separator: String?, orderKeys: [SortKey]) {
        self.separator = separator
        self.orderKeys = orderKeys
    }
    var acceptsWideInput: Bool { true }  // values are printed with Kernels.text
    func resize(_ groups: Int) {}
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        store.append(ids, input, [], count: n, onlyValid: true)
    }
    func update(_ input: Column?, order: [Column], ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        store.append(ids, input, order, count: n, onlyValid: true)
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        store.merge((other as! StringAggState).store, mapping: mapping)
    }
    func finalize(groups: Int) throws -> Column {
        guard let separator else { return Column(strings: [String?](repeating: nil, count: groups)) }
        let (cols, perm) = try store.sorted(orderKeys: orderKeys, byValue: false)
        var out = [String?](repeating: nil, count: groups)
        for r in perm {
            let row = Int(r)
            let g = Int(cols[0].ints[row])
            let s = Kernels.text(cols[1], row)
            // Appended in place: `out[g] = cur + separator + s` copied the whole string per row
            // (quadratic in the length of a group's result).
            if out[g] != nil {
                out[g]!.append(separator)
                out[g]!.append(s)
            } else {
                out[g] = s
            }
        }
        return Column(strings: out)
    }
    func makeEmpty() -> AggregateState { StringAggState(separator: separator, orderKeys: orderKeys) }
}

extension AggregateRegistry {
    /// string_agg / group_concat / listagg(x [, separator]) [ORDER BY ...]: VARCHAR; the separator
    /// (default ",") must be a constant string; a NULL separator makes every group's result NULL.
    static func stringAgg(_ c: AggregateCall) -> AggregateFunction? {
        guard ["string_agg", "group_concat", "listagg"].contains(c.name), let t = c.argumentType else { return nil }
        var separator: String? = ","
        switch c.parameters.first {
        case nil: break
        case .string(let s)?: separator = s
        case .null?: separator = nil  // string_agg(x, NULL) is NULL
        default: return nil
        }
        return AggregateFunction(name: c.name, argumentType: t, returnType: .varchar, ordered: true) { _ in
            StringAggState(separator: separator, orderKeys: c.orderKeys)
        }
    }
}
