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
    var acceptsWideInput: Bool { true }  // values are printed by the cast to VARCHAR (128-bit aware)
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
    /// Each group's text: its rows are consecutive in the sorted order (group first), so their
    /// bytes (the values' VARCHAR text, cast once for the whole column) are joined in one scratch
    /// buffer per group and appended to a flat column; groups without rows are NULL.
    func finalize(groups: Int) throws -> Column {
        guard let separator else { return Column.nulls(.varchar, count: groups) }
        let (cols, perm) = try store.sorted(orderKeys: orderKeys, byValue: false)
        var out = StringVectorBuilder(capacity: groups)
        guard !perm.isEmpty else {
            for _ in 0..<groups { out.appendNull() }
            return out.finish()
        }
        let text = cols[1].type == .varchar ? cols[1] : Kernels.castToVarchar(cols[1], from: cols[1].type)
        let sep = Array(separator.utf8)
        var joined: [UInt8] = []
        var next = 0  // the next group to write
        var j = 0
        while j < perm.count {
            let g = Int(cols[0].ints[Int(perm[j])])
            while next < g {
                out.appendNull()
                next += 1
            }
            joined.removeAll(keepingCapacity: true)
            var first = true
            while j < perm.count && Int(cols[0].ints[Int(perm[j])]) == g {
                if !first { joined.append(contentsOf: sep) }
                first = false
                text.stringView(at: Int(perm[j])).withBytes { joined.append(contentsOf: $0) }
                j += 1
            }
            joined.withUnsafeBufferPointer {
                out.append($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: $0.count)
            }
            next = g + 1
        }
        while next < groups {
            out.appendNull()
            next += 1
        }
        return out.finish()
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
