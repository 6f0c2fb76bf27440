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
        if !c.parameters.isEmpty { return c.name.hasSuffix("_null") ? nil : argTopN(c, t, largest: largest) }
        let keepsNull = c.name.hasSuffix("_null")
        let fixed = ArgMinMaxFixedState.handles(t) && ArgMinMaxFixedState.handles(c.secondArgumentType!)
        return AggregateFunction(name: c.name, argumentType: t, returnType: t, ordered: true) { _ in
            fixed
                ? ArgMinMaxFixedState(largest: largest, type: t, keepsNullArgument: keepsNull) as AggregateState
                : ArgMinMaxState(largest: largest, type: t, keepsNullArgument: keepsNull)
        }
    }
}

/// arg_max / arg_min of a fixed-width `x` by a fixed-width `y` (integers, dates and times, BOOLEAN,
/// DOUBLE): a running best per group, O(1) per row, instead of keeping and sorting every row as
/// `ArgMinMaxState` must for strings and lists. Same answers: a row with a NULL `y` never wins, a
/// NULL `x` only for the `_null` variants (then the group's answer is NULL), and among equal `y`
/// the first row met wins (a later one must be strictly better), also across merged threads
/// (this state's rows before the merged state's, as the row store orders them).
final class ArgMinMaxFixedState: AggregateState {
    let largest: Bool
    let type: DataType
    let keepsNullArgument: Bool
    /// Per group: the best `y` as an order-preserving unsigned key, the `x` bits, and 0 (no row yet),
    /// 1 (best row with a valid `x`) or 2 (best row with a NULL `x`).
    private var bestKey: [UInt64] = []
    private var bestX: [UInt64] = []
    private var state: [UInt8] = []

    init(largest: Bool, type: DataType, keepsNullArgument: Bool) {
        self.largest = largest
        self.type = type
        self.keepsNullArgument = keepsNullArgument
    }

    /// Whether values of type `t` are one 64-bit word each (integer-stored or DOUBLE).
    static func handles(_ t: DataType) -> Bool {
        [.bigint, .integer, .smallint, .tinyint, .date, .timestamp, .timestamptz, .time, .boolean, .double].contains(t)
    }

    /// Whether key `k` is strictly better than the held `best` (a tie keeps the row met first).
    @inline(__always)
    static func beats(_ k: UInt64, _ best: UInt64, largest: Bool) -> Bool { largest ? k > best : k < best }

    func resize(_ groups: Int) {
        guard groups > state.count else { return }
        let more = groups - state.count
        bestKey.append(contentsOf: repeatElement(0, count: more))
        bestX.append(contentsOf: repeatElement(0, count: more))
        state.append(contentsOf: repeatElement(0, count: more))
    }

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {}

    func update(_ input: Column?, order: [Column], ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null, order.count == 1, order[0].type != .null, n > 0 else { return }
        let y = order[0]
        let yDouble = y.type == .double
        let xDouble = input.type == .double
        let noValidity: [UInt8] = []
        let yValid = y.validity ?? noValidity
        let xValid = input.validity ?? noValidity
        let yWords = yDouble ? y.doubles.map { orderedDouble($0) } : y.ints.map { UInt64(bitPattern: $0) ^ (1 << 63) }
        let xWords = xDouble ? input.doubles.map { $0.bitPattern } : input.ints.map { UInt64(bitPattern: $0) }
        let largest = self.largest
        let keepsNull = keepsNullArgument
        bestKey.withUnsafeMutableBufferPointer { key in
            bestX.withUnsafeMutableBufferPointer { bx in
                state.withUnsafeMutableBufferPointer { st in
                    yValid.withUnsafeBufferPointer { yv in
                        xValid.withUnsafeBufferPointer { xv in
                            for i in 0..<n {
                                if !yv.isEmpty && yv[i] == 0 { continue }
                                let xOK = xv.isEmpty || xv[i] != 0
                                if !xOK && !keepsNull { continue }
                                let g = Int(ids[i])
                                let k = yWords[i]
                                if st[g] == 0 || Self.beats(k, key[g], largest: largest) {
                                    key[g] = k
                                    bx[g] = xOK ? xWords[i] : 0
                                    st[g] = xOK ? 1 : 2
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! ArgMinMaxFixedState
        for j in 0..<min(o.state.count, mapping.count) where o.state[j] != 0 {
            let g = Int(mapping[j])
            let k = o.bestKey[j]
            if state[g] == 0 || Self.beats(k, bestKey[g], largest: largest) {
                bestKey[g] = k
                bestX[g] = o.bestX[j]
                state[g] = o.state[j]
            }
        }
    }

    func finalize(groups: Int) throws -> Column {
        resize(groups)
        let validity = state.prefix(groups).map { $0 == 1 ? UInt8(1) : 0 }
        let valid: [UInt8]? = validity.contains(0) ? validity : nil
        if type == .double {
            return Column(doubles: bestX.prefix(groups).map { Double(bitPattern: $0) }, validity: valid)
        }
        return Column(type: type, ints: bestX.prefix(groups).map { Int64(bitPattern: $0) }, validity: valid)
    }

    func makeEmpty() -> AggregateState {
        ArgMinMaxFixedState(largest: largest, type: type, keepsNullArgument: keepsNullArgument)
    }

    var acceptsWideInput: Bool { false }
}
