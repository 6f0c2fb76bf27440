import KuaiCore

/// any_value: the first non-NULL value seen; first / arbitrary (`keepsNulls`): the first row's value,
/// NULL included, as DuckDB 2.0.1 (order is not defined in parallel).
///
/// Per group: `seen` (the group has its pick), `valid` (the pick is not NULL) and the pick itself,
/// typed: integer-stored values in `ints` (with `highs` once a HUGEINT, wide DECIMAL or INTERVAL
/// with months or days arrives), DOUBLE in `doubles`; VARCHAR as (input column, row) references,
/// the input columns kept in `sources` and gathered at `finalize` (no string copied per row).
final class AnyValueState: AggregateState {
    let type: DataType
    let keepsNulls: Bool
    var seen: [UInt8] = []
    var valid: [UInt8] = []
    var ints: [Int64] = []
    var highs: [Int64]?
    var doubles: [Double] = []
    var sources: [Column] = []
    var source: [Int32] = []
    var row: [Int32] = []
    init(type: DataType, keepsNulls: Bool = false) {
        self.type = type
        self.keepsNulls = keepsNulls
    }
    var acceptsWideInput: Bool { true }  // keeps `.hugeint` values
    func resize(_ groups: Int) {
        let extra = groups - seen.count
        guard extra > 0 else { return }
        seen.append(contentsOf: repeatElement(0, count: extra))
        valid.append(contentsOf: repeatElement(0, count: extra))
        switch type {
        case .varchar:
            source.append(contentsOf: repeatElement(-1, count: extra))
            row.append(contentsOf: repeatElement(0, count: extra))
        case .double: doubles.append(contentsOf: repeatElement(0, count: extra))
        default:
            ints.append(contentsOf: repeatElement(0, count: extra))
            highs?.append(contentsOf: repeatElement(0, count: extra))
        }
    }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else {
            if keepsNulls { for i in 0..<n where seen[Int(ids[i])] == 0 { seen[Int(ids[i])] = 1 } }
            return
        }
        if input.highs != nil && highs == nil { highs = ints.map { $0 >> 63 } }
        switch type {
        case .varchar:
            var sourceIndex: Int32 = -1
            pickRows(input, ids, n) { g, i in
                if sourceIndex < 0 {
                    sources.append(input)
                    sourceIndex = Int32(sources.count - 1)
                }
                source[g] = sourceIndex
                row[g] = Int32(i)
            }
        case .double:
            if input.type == .double {
                input.doubles.withUnsafeBufferPointer { x in
                    doubles.withUnsafeMutableBufferPointer { out in pickRows(input, ids, n) { g, i in out[g] = x[i] } }
                }
            } else {
                input.ints.withUnsafeBufferPointer { x in
                    doubles.withUnsafeMutableBufferPointer { out in
                        pickRows(input, ids, n) { g, i in out[g] = Double(x[i]) }
                    }
                }
            }
        default:
            if highs != nil {
                pickRows(input, ids, n) { g, i in
                    ints[g] = input.ints[i]
                    highs![g] = input.highs?[i] ?? (input.ints[i] >> 63)
                }
                return
            }
            input.ints.withUnsafeBufferPointer { x in
                ints.withUnsafeMutableBufferPointer { out in pickRows(input, ids, n) { g, i in out[g] = x[i] } }
            }
        }
    }

    /// The row loop of `update`: for each of the first `n` rows whose group `ids[i]` has no pick
    /// yet, marks the group (seen; valid when the value is not NULL) and, for a non-NULL value,
    /// calls `take(group, row)`; a NULL value is picked only when `keepsNulls`.
    @inline(__always)
    private func pickRows(
        _ input: Column, _ ids: UnsafeBufferPointer<Int32>, _ n: Int, _ take: (Int, Int) -> Void
    ) {
        let keepsNulls = keepsNulls
        seen.withUnsafeMutableBufferPointer { seen in
            valid.withUnsafeMutableBufferPointer { valid in
                input.validity.withUnsafeBufferPointerOrNil { inValid in
                    for i in 0..<n {
                        let g = Int(ids[i])
                        if seen[g] != 0 { continue }
                        let ok: UInt8 = inValid?[i] ?? 1
                        if ok == 0 && !keepsNulls { continue }
                        seen[g] = 1
                        valid[g] = ok
                        if ok != 0 { take(g, i) }
                    }
                }
            }
        }
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! AnyValueState
        let base = Int32(sources.count)
        sources += o.sources
        if o.highs != nil && highs == nil { highs = ints.map { $0 >> 63 } }
        for g in 0..<min(o.seen.count, mapping.count) where o.seen[g] != 0 {
            let t = Int(mapping[g])
            if seen[t] != 0 { continue }
            seen[t] = 1
            valid[t] = o.valid[g]
            if o.valid[g] == 0 { continue }
            switch type {
            case .varchar:
                source[t] = o.source[g] + base
                row[t] = o.row[g]
            case .double: doubles[t] = o.doubles[g]
            default:
                ints[t] = o.ints[g]
                if highs != nil { highs![t] = o.highs?[g] ?? (o.ints[g] >> 63) }
            }
        }
    }
    func finalize(groups: Int) -> Column {
        resize(groups)
        if type == .null { return Column.nulls(.null, count: groups) }
        let v = firstGroups(valid, groups)
        let validity: [UInt8]? = v.contains(0) ? v : nil
        switch type {
        case .varchar:
            return gatherReferencedRows(
                type: .varchar, sources: sources, source: source, row: row, valid: valid, groups: groups)
        case .double: return Column(doubles: firstGroups(doubles, groups), validity: validity)
        default:
            var c = Column(type: type, ints: firstGroups(ints, groups), validity: validity)
            guard let h = highs else { return c }
            c.highs = firstGroups(h, groups)
            return c.narrowedIfPossible()
        }
    }
    func makeEmpty() -> AggregateState { AnyValueState(type: type, keepsNulls: keepsNulls) }
}

/// The value of a correlated scalar subquery for each correlation key (one group per key): the
/// group's only row (with several rows, one of them). A key with several rows is DuckDB's error
/// "More than one row returned by a subquery used as an expression" only when an outer row uses it,
/// so the error is not raised here: the subquery's plan counts each key's rows beside this value
/// and `FunctionRegistry.singleRowCheck` raises it for a joined count above 1.
final class SingleRowState: AggregateState {
    let value: AnyValueState
    init(type: DataType) { value = AnyValueState(type: type) }
    var acceptsWideInput: Bool { true }  // AnyValueState keeps `.hugeint` values
    func resize(_ groups: Int) { value.resize(groups) }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        value.update(input, ids: ids, count: n)
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        value.merge((other as! SingleRowState).value, mapping: mapping)
    }
    func finalize(groups: Int) throws -> Column { value.finalize(groups: groups) }
    func makeEmpty() -> AggregateState { SingleRowState(type: value.type) }
}

/// first / arbitrary / any_value with an ORDER BY inside the call, and last, when a key or the
/// value is not fixed-width (else `OrderedPickRunningState`): the value of the group's first row in
/// ORDER BY order, as DuckDB 2.0.1's `first(x ORDER BY y)` (`last(x ORDER BY y)` arrives as first
/// over the reversed keys); `pickLast` (last without ORDER BY): the final row in input order. NULL
/// values are candidates except for any_value (`onlyValid`). The rows are kept in a `RowStore` and
/// sorted once per query, as string_agg's.
final class OrderedPickState: AggregateState {
    let type: DataType
    let orderKeys: [SortKey]
    let onlyValid: Bool
    let pickLast: Bool
    let store = RowStore()
    init(type: DataType, orderKeys: [SortKey], onlyValid: Bool, pickLast: Bool) {
        self.type = type
        self.orderKeys = orderKeys
        self.onlyValid = onlyValid
        self.pickLast = pickLast
    }
    var acceptsWideInput: Bool { true }  // the stored column keeps `.hugeint` values
    func resize(_ groups: Int) {}
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        try? update(input, order: [], ids: ids, count: n)
    }
    func update(_ input: Column?, order: [Column], ids: UnsafeBufferPointer<Int32>, count n: Int) throws {
        guard let input else { return }
        let column = input.type == .null ? Column.nulls(type, count: n) : input
        store.append(ids, column, order, count: n, onlyValid: onlyValid)
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        store.merge((other as! OrderedPickState).store, mapping: mapping)
    }
    func finalize(groups: Int) throws -> Column {
        let (cols, perm) = try store.sorted(orderKeys: orderKeys, byValue: false)
        // perm is ordered by group: a group's first row follows another group's (or none), its
        // last row precedes another group's (or the end).
        var pick = [Int32](repeating: -1, count: groups)
        var previous = -1
        for r in perm {
            let g = Int(cols[0].ints[Int(r)])
            if pickLast || g != previous { pick[g] = r }
            previous = g
        }
        guard !perm.isEmpty else { return Column.nulls(type, count: groups) }
        var out = pick.withUnsafeBufferPointer { p in
            [Int32](unsafeUninitializedCapacity: groups) { s, n in
                for g in 0..<groups { s[g] = Swift.max(p[g], 0) }
                n = groups
            }
        }.withUnsafeBufferPointer { cols[1].gather($0) }
        if pick.contains(-1) {
            // A group none of whose rows was kept (only NULLs for any_value, or FILTERed out).
            var valid = out.validity ?? [UInt8](repeating: 1, count: groups)
            for g in 0..<groups where pick[g] < 0 { valid[g] = 0 }
            out.validity = valid
        }
        return out
    }
    func makeEmpty() -> AggregateState {
        OrderedPickState(type: type, orderKeys: orderKeys, onlyValid: onlyValid, pickLast: pickLast)
    }
}

extension AggregateRegistry {
    /// any_value (NULLs skipped) / first / arbitrary (NULL kept) of any type (the argument's type);
    /// with an ORDER BY in the call, and for last, the value of the first / last row in that order
    /// (`OrderedPickState`).
    static func anyValue(_ c: AggregateCall) -> AggregateFunction? {
        guard ["any_value", "first", "arbitrary", "last"].contains(c.name), let t = c.argumentType else { return nil }
        let keepsNulls = c.name != "any_value"
        if !c.orderKeys.isEmpty || c.name == "last" {
            // DuckDB computes last(x ORDER BY k) as first(x ORDER BY k reversed): among equal keys
            // the row met first, as for first.
            let keys =
                c.name == "last"
                ? c.orderKeys.map { SortKey(column: $0.column, ascending: !$0.ascending, nullsFirst: !$0.nullsFirst) }
                : c.orderKeys
            let pickLast = c.name == "last" && keys.isEmpty
            let running = OrderedPickRunningState.handles(value: t, keys: c.orderTypes)
            return AggregateFunction(name: c.name, argumentType: t, returnType: t, ordered: true) { at in
                running
                    ? OrderedPickRunningState(type: at, orderKeys: keys, onlyValid: !keepsNulls, pickLast: pickLast)
                        as AggregateState
                    : OrderedPickState(type: at, orderKeys: keys, onlyValid: !keepsNulls, pickLast: pickLast)
            }
        }
        return AggregateFunction(name: c.name, argumentType: t, returnType: t) { at in
            AnyValueState(type: at, keepsNulls: keepsNulls)
        }
    }
}
