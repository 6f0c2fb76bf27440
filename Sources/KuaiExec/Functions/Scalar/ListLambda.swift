import KuaiCore

/// A lambda applied to the elements of lists: list_transform, list_filter, list_reduce (DuckDB
/// 2.0.1's `lambda x: body`). The body is one `ScalarExpr` evaluated over every element of the
/// batch at once (the elements of all rows end to end), its parameters bound to input columns:
/// the elements (for list_reduce the accumulator, then the elements), then the 1-based element
/// index when the lambda names one more parameter, then the columns the body captures from the
/// query, each repeated once per element of its row.
public struct ListLambda: Sendable {
    public enum Form: Sendable {
        /// `list_transform(l, lambda x[, i]: body)`: the list of body values.
        case transform
        /// `list_filter(l, lambda x[, i]: cond)`: the elements whose cond is true.
        case filter
        /// `list_reduce(l, lambda acc, x[, i]: body[, initial])`: the body folded over the elements
        /// from the first (or from `initial`); an empty list without `initial` is DuckDB's error.
        case reduce(hasInitial: Bool)
    }
    public let form: Form
    /// The body over columns (parameters..., captures...); its type is the result element type
    /// (transform), BOOLEAN (filter) or the element type (reduce).
    public let body: ScalarExpr
    /// The number of lambda parameters (the last one is the index when there is one more than
    /// the form's values).
    public let parameters: Int

    public init(form: Form, body: ScalarExpr, parameters: Int) {
        self.form = form
        self.body = body
        self.parameters = parameters
    }

    /// The lambda's values per parameter (1 for transform / filter, 2 for reduce).
    var values: Int {
        if case .reduce = form { return 2 }
        return 1
    }
}

extension ListFunctions {
    /// Runs `lambda` over the argument columns: the list, the initial value of a reduce that has one,
    /// then the captured columns.
    /// - Throws: the body's execution errors; DuckDB's error for a reduce of an empty list.
    static func applyLambda(_ lambda: ListLambda, _ c: [Column], _ returnType: DataType) throws -> Column {
        let l = c[0]
        var captures = Array(c.dropFirst())
        var initial: Column? = nil
        if case .reduce(let hasInitial) = lambda.form, hasInitial { initial = captures.removeFirst() }
        if case .reduce = lambda.form { return try reduce(lambda, l, initial, captures) }
        let n = l.count
        var picks: [Int32] = []
        var rows: [Int32] = []
        var index: [Int64] = []
        var packed = [Int64](repeating: 0, count: n)
        for i in 0..<n where l.isValid(i) {
            let o = l.listOffset(i)
            packed[i] = Column.packList(offset: picks.count, length: l.listLength(i))
            for k in o..<(o + l.listLength(i)) {
                picks.append(Int32(k))
                rows.append(Int32(i))
                index.append(Int64(k - o + 1))
            }
        }
        let elements = picks.withUnsafeBufferPointer { l.listElements.gather($0) }
        var columns = [elements]
        if lambda.parameters > 1 { columns.append(Column(type: .bigint, ints: index)) }
        for k in captures.indices { columns.append(rows.withUnsafeBufferPointer { captures[k].gather($0) }) }
        let out =
            picks.isEmpty
            ? Column.nulls(lambda.body.type, count: 0)
            : try lambda.body.evaluate(Batch(columns: columns, count: picks.count))
        if case .transform = lambda.form {
            return Column(listOf: lambda.body.type, packed: packed, child: out, validity: l.validity)
        }
        var kept: [Int32] = []
        var starts = [0]
        for i in 0..<n {
            if l.isValid(i) {
                let p = Int(packed[i] >> 32)  // the row's first position in `elements`
                for j in p..<(p + l.listLength(i)) where out.isValid(j) && out.ints[j] != 0 { kept.append(Int32(j)) }
            }
            starts.append(kept.count)
        }
        return fromPicks(elements, kept, starts, validity: l.validity)
    }

    /// list_reduce: one evaluation of the body per element position, over the rows that still
    /// have an element there (the accumulator of the others carried over).
    static func reduce(_ lambda: ListLambda, _ l: Column, _ initial: Column?, _ captures: [Column]) throws -> Column {
        let n = l.count
        let element = l.type.listElement ?? .null
        var acc: Column
        var step: Int
        if let initial {
            acc = initial
            step = 0
        } else {
            var firsts = [Int32](repeating: 0, count: n)
            for i in 0..<n where l.isValid(i) {
                guard l.listLength(i) > 0 else {
                    throw KuaiError(
                        .execution, "Invalid Input Error: Cannot perform list_reduce on an empty input list")
                }
                firsts[i] = Int32(l.listOffset(i))
            }
            acc =
                l.listElements.count == 0
                ? Column.nulls(element, count: n) : firsts.withUnsafeBufferPointer { l.listElements.gather($0) }
            step = 1
        }
        while true {
            var active: [Int32] = []
            var picks: [Int32] = []
            for i in 0..<n where l.isValid(i) && l.listLength(i) > step {
                active.append(Int32(i))
                picks.append(Int32(l.listOffset(i) + step))
            }
            if active.isEmpty { break }
            var columns = [
                active.withUnsafeBufferPointer { acc.gather($0) },
                picks.withUnsafeBufferPointer { l.listElements.gather($0) },
            ]
            if lambda.parameters > 2 {
                columns.append(Column(type: .bigint, ints: [Int64](repeating: Int64(step + 1), count: active.count)))
            }
            for c in captures { columns.append(active.withUnsafeBufferPointer { c.gather($0) }) }
            let out = try lambda.body.evaluate(Batch(columns: columns, count: active.count))
            // the new accumulator: `out` for the active rows, the old one for the others
            var take = (0..<n).map { Int32($0) }
            for (p, i) in active.enumerated() { take[Int(i)] = Int32(n + p) }
            let both = joined([acc, out], element: acc.type)
            acc = take.withUnsafeBufferPointer { both.gather($0) }
            step += 1
        }
        if let v = l.validity {
            var valid = acc.validity ?? [UInt8](repeating: 1, count: n)
            for i in 0..<n where v[i] == 0 { valid[i] = 0 }
            acc.validity = valid
        }
        return acc
    }
}
