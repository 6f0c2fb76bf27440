import KuaiCore

/// arg_max / max_by / arg_min / min_by(x, y): the `x` of the row with the largest (smallest) `y`,
/// over the rows where neither is NULL (DuckDB 2.0.1); NULL for a group without such a row. Rows
/// are kept (`RowStore`, `y` as the one order column) and sorted once by (group, y) at the end; among
/// rows with equal `y` the one the sort puts first wins (DuckDB: the first one it meets, which
/// depends on its threads too).
final class ArgMinMaxState: AggregateState {
    let largest: Bool
    let type: DataType
    /// arg_max_null / arg_min_null: rows with a NULL `x` are candidates too (their `x` is the answer).
    let keepsNullArgument: Bool
    let store = RowStore()
    init(largest: Bool, type: DataType, keepsNullArgument: Bool = false) {
        self.largest = largest
        self.type = type
        self.keepsNullArgument = keepsNullArgument
    }
    func resize(_ groups: Int) {}
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {}
    func update(_ input: Column?, order: [Column], ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null, order.count == 1, order[0].type != .null else { return }
        store.append(ids, input, order, count: n, onlyValid: !keepsNullArgument)
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        store.merge((other as! ArgMinMaxState).store, mapping: mapping)
    }
    func finalize(groups: Int) throws -> Column {
        let key = SortKey(column: 0, ascending: !largest, nullsFirst: false)
        let (cols, perm) = try store.sorted(orderKeys: [key], byValue: false)
        guard !cols.isEmpty else { return Column.broadcast(.null, type: type, count: groups) }
        var pick = [Int32](repeating: 0, count: groups)
        var valid = [UInt8](repeating: 0, count: groups)
        var seen = [Bool](repeating: false, count: groups)
        cols[0].ints.withUnsafeBufferPointer { gid in
            for r in perm {
                let g = Int(gid[Int(r)])
                if seen[g] { continue }
                // The first row of a group is its best; a NULL y there means every y is NULL.
                seen[g] = true
                if cols[2].isValid(Int(r)) && cols[1].isValid(Int(r)) {
                    pick[g] = r
                    valid[g] = 1
                }
            }
        }
        var out = pick.withUnsafeBufferPointer { cols[1].gather($0) }
        out.validity = valid
        return out
    }
    func makeEmpty() -> AggregateState {
        ArgMinMaxState(largest: largest, type: type, keepsNullArgument: keepsNullArgument)
    }
    /// The row store keeps 128-bit values (`Column.highs`: HUGEINT, INTERVAL) whole.
    var acceptsWideInput: Bool { true }
}

extension AggregateRegistry {
    /// arg_max, max_by, argmax, arg_min, min_by, argmin(x, y): the type of `x`; `y` arrives as the
    /// one order column. arg_max_null / arg_min_null: also rows whose `x` is NULL (DuckDB 2.0.1).
    static func argMinMax(_ c: AggregateCall) -> AggregateFunction? {
        let names = ["arg_max", "max_by", "argmax", "arg_min", "min_by", "argmin", "arg_max_null", "arg_min_null"]
        guard names.contains(c.name), let t = c.argumentType, c.secondArgumentType != nil else { return nil }
        let largest = ["arg_max", "max_by", "argmax", "arg_max_null"].contains(c.name)
        let keepsNull = c.name.hasSuffix("_null")
        return AggregateFunction(name: c.name, argumentType: t, returnType: t, ordered: true) { _ in
            ArgMinMaxState(largest: largest, type: t, keepsNullArgument: keepsNull)
        }
    }
}
