import KuaiCore

/// List functions that build new lists from the elements of others (concatenation, append,
/// reverse, flatten, distinct, ranges) or reduce each list to one value (list_aggregate, has_any).
/// Each result is one gather of a child column by element picks: no per-row allocation.
extension ListFunctions {
    /// The kernels of this file (`Kind.built`).
    public enum Building: Sendable {
        /// `list_concat(a, b)` / `a || b`: a NULL list counts as empty; NULL when both are NULL.
        case concat
        /// `list_append(l, x)`: `x` after the elements (a NULL list counts as empty).
        case append
        /// `list_prepend(x, l)`: `x` before the elements (a NULL list counts as empty).
        case prepend
        /// `list_reverse(l)`.
        case reverse
        /// `flatten(l)` of a list of lists: the inner lists end to end, NULL inner lists skipped.
        case flatten
        /// `list_distinct(l)`: the distinct non-NULL elements, in the reverse order of their first
        /// occurrence (DuckDB's order is its hash table's; the two agree up to two distinct elements).
        case distinct
        /// `list_unique(l)`: BIGINT count of the distinct non-NULL elements.
        case unique
        /// `list_has_any(a, b)` / `list_has_all(a, b)`: BOOLEAN, NULL elements ignored, NULL when
        /// either list is NULL.
        case hasAny, hasAll
        /// `list_aggregate(l, name)`: the aggregate of each list's elements (a NULL list gives NULL).
        case aggregate(AggregateFunction)
        /// `range(a, b, step)` (`inclusive`: `generate_series`): BIGINT[] from a towards b by step.
        case range(inclusive: Bool)
    }

    /// Runs the kernel `kind` over the argument columns.
    static func build(_ kind: Building, _ c: [Column], _ returnType: DataType) throws -> Column {
        switch kind {
        case .concat: return concat([c[0], c[1]], element: returnType.listElement ?? .null)
        case .append: return withElement(c[0], c[1], last: true)
        case .prepend: return withElement(c[1], c[0], last: false)
        case .reverse: return reverse(c[0])
        case .flatten: return flatten(c[0])
        case .distinct: return distinct(c[0], count: false)
        case .unique: return distinct(c[0], count: true)
        case .hasAny, .hasAll:
            return hasAnyOrAll(c[0], c[1], all: { if case .hasAll = kind { return true } else { return false } }())
        case .aggregate(let f): return try aggregate(c[0], f)
        case .range(let inclusive): return try range(c, inclusive: inclusive)
        }
    }

    /// A list column whose row i holds `source` rows `picks[rowStart[i]..<rowStart[i + 1]]`.
    static func fromPicks(_ source: Column, _ picks: [Int32], _ rowStart: [Int], validity: [UInt8]?) -> Column {
        let n = rowStart.count - 1
        let child = picks.withUnsafeBufferPointer { source.gather($0) }
        let packed = (0..<n).map { Column.packList(offset: rowStart[$0], length: rowStart[$0 + 1] - rowStart[$0]) }
        return Column(listOf: source.type, packed: packed, child: child, validity: validity)
    }

    /// The columns end to end (as one column of `element`).
    static func joined(_ columns: [Column], element: DataType) -> Column {
        var all = ColumnBuilder(type: element)
        for c in columns { all.append(c) }
        return all.take()
    }

    static func concat(_ lists: [Column], element: DataType) -> Column {
        let n = lists[0].count
        let source = joined(lists.map(\.listElements), element: element)
        var base = [0]
        for l in lists { base.append(base.last! + l.listElements.count) }
        var picks: [Int32] = []
        var starts = [0]
        var valid = [UInt8](repeating: 0, count: n)
        for i in 0..<n {
            for (j, l) in lists.enumerated() where l.isValid(i) {
                valid[i] = 1
                let o = l.listOffset(i)
                for k in o..<(o + l.listLength(i)) { picks.append(Int32(base[j] + k)) }
            }
            starts.append(picks.count)
        }
        return fromPicks(source, picks, starts, validity: valid.contains(0) ? valid : nil)
    }

    static func withElement(_ l: Column, _ x: Column, last: Bool) -> Column {
        let n = l.count
        let element = l.type.listElement ?? x.type
        let source = joined([l.listElements, x], element: element)
        let base = l.listElements.count
        var picks: [Int32] = []
        var starts = [0]
        for i in 0..<n {
            if !last { picks.append(Int32(base + i)) }
            if l.isValid(i) {
                let o = l.listOffset(i)
                for k in o..<(o + l.listLength(i)) { picks.append(Int32(k)) }
            }
            if last { picks.append(Int32(base + i)) }
            starts.append(picks.count)
        }
        return fromPicks(source, picks, starts, validity: nil)
    }

    static func reverse(_ l: Column) -> Column {
        var picks: [Int32] = []
        var starts = [0]
        for i in 0..<l.count {
            let o = l.listOffset(i)
            if l.isValid(i) {
                for k in stride(from: o + l.listLength(i) - 1, through: o, by: -1) { picks.append(Int32(k)) }
            }
            starts.append(picks.count)
        }
        return fromPicks(l.listElements, picks, starts, validity: l.validity)
    }

    static func flatten(_ l: Column) -> Column {
        let inner = l.listElements
        var picks: [Int32] = []
        var starts = [0]
        for i in 0..<l.count {
            let o = l.listOffset(i)
            if l.isValid(i) {
                for k in o..<(o + l.listLength(i)) where inner.isValid(k) {
                    let io = inner.listOffset(k)
                    for e in io..<(io + inner.listLength(k)) { picks.append(Int32(e)) }
                }
            }
            starts.append(picks.count)
        }
        return fromPicks(inner.listElements, picks, starts, validity: l.validity)
    }

    /// The key of every element of a list column's child (`Kernels.listKeys` of one-element lists):
    /// equal elements have equal keys.
    static func elementKeys(_ child: Column) -> Column {
        let packed = (0..<child.count).map { Column.packList(offset: $0, length: 1) }
        return Kernels.listKeys(Column(listOf: child.type, packed: packed, child: child))
    }

    /// The element positions of row i that are valid and first of their value, in the order of
    /// their first occurrence (`scratch` is reused between rows).
    static func firstOccurrences(_ l: Column, _ keys: Column, _ i: Int, _ scratch: inout [Int]) {
        let child = l.listElements
        let o = l.listOffset(i)
        scratch.removeAll(keepingCapacity: true)
        for k in o..<(o + l.listLength(i)) where child.isValid(k) { scratch.append(k) }
        scratch.sort { a, b in
            let c = StringView.compare(keys.views[a], keys.views[b])
            return c != 0 ? c < 0 : a < b
        }
        var w = 0
        for r in 0..<scratch.count
        where r == 0 || StringView.compare(keys.views[scratch[r]], keys.views[scratch[w - 1]]) != 0 {
            scratch[w] = scratch[r]
            w += 1
        }
        scratch.removeLast(scratch.count - w)
        scratch.sort()
    }

    static func distinct(_ l: Column, count: Bool) -> Column {
        let n = l.count
        let keys = elementKeys(l.listElements)
        var scratch: [Int] = []
        var picks: [Int32] = []
        var starts = [0]
        var counts = [Int64](repeating: 0, count: n)
        for i in 0..<n {
            if l.isValid(i) {
                firstOccurrences(l, keys, i, &scratch)
                counts[i] = Int64(scratch.count)
                for k in scratch.reversed() { picks.append(Int32(k)) }
            }
            starts.append(picks.count)
        }
        if count { return Column(type: .bigint, ints: counts, validity: l.validity) }
        return fromPicks(l.listElements, picks, starts, validity: l.validity)
    }

    static func hasAnyOrAll(_ a: Column, _ b: Column, all: Bool) -> Column {
        let n = a.count
        let ka = elementKeys(a.listElements)
        let kb = elementKeys(b.listElements)
        let ea = a.listElements
        let eb = b.listElements
        var out = [Int64](repeating: 0, count: n)
        var valid = [UInt8](repeating: 1, count: n)
        for i in 0..<n {
            guard a.isValid(i) && b.isValid(i) else {
                valid[i] = 0
                continue
            }
            let oa = a.listOffset(i)
            let ob = b.listOffset(i)
            var result = all
            for y in ob..<(ob + b.listLength(i)) where eb.isValid(y) {
                var found = false
                for x in oa..<(oa + a.listLength(i)) where ea.isValid(x) {
                    if StringView.compare(ka.views[x], kb.views[y]) == 0 {
                        found = true
                        break
                    }
                }
                if found != all {
                    result = found
                    break
                }
            }
            out[i] = result ? 1 : 0
        }
        return Column(type: .boolean, ints: out, validity: valid.contains(0) ? valid : nil)
    }

    /// Every list's elements aggregated as one group (DuckDB's list_aggregate): group i is row i.
    static func aggregate(_ l: Column, _ f: AggregateFunction) throws -> Column {
        let n = l.count
        var picks: [Int32] = []
        var ids: [Int32] = []
        for i in 0..<n where l.isValid(i) {
            let o = l.listOffset(i)
            for k in o..<(o + l.listLength(i)) {
                picks.append(Int32(k))
                ids.append(Int32(i))
            }
        }
        let state = f.make(f.argumentType ?? .null)
        state.resize(n)
        if !picks.isEmpty {
            let input = picks.withUnsafeBufferPointer { l.listElements.gather($0) }
            try ids.withUnsafeBufferPointer { try state.update(input, ids: $0, count: ids.count) }
        }
        var out = try state.finalize(groups: n)
        if let v = l.validity {
            var valid = out.validity ?? [UInt8](repeating: 1, count: n)
            for i in 0..<n where v[i] == 0 { valid[i] = 0 }
            out.validity = valid
        }
        return out
    }

    /// range / generate_series over BIGINT columns: one argument is the end (from 0), two the
    /// start and end, three add the step (1 by default); a NULL argument gives NULL.
    /// A zero step gives an empty list, as DuckDB.
    /// - Throws: `KuaiError.execution` for a list of more than 2^31 elements.
    static func range(_ c: [Column], inclusive: Bool) throws -> Column {
        let n = c[0].count
        var values: [Int64] = []
        var starts = [0]
        var valid = [UInt8](repeating: 1, count: n)
        for i in 0..<n {
            defer { starts.append(values.count) }
            guard c.allSatisfy({ $0.isValid(i) }) else {
                valid[i] = 0
                continue
            }
            let start = c.count == 1 ? 0 : c[0].ints[i]
            let end = c.count == 1 ? c[0].ints[i] : c[1].ints[i]
            let step = c.count == 3 ? c[2].ints[i] : 1
            if step == 0 { continue }  // DuckDB: an empty list
            var v = start
            while step > 0 ? (inclusive ? v <= end : v < end) : (inclusive ? v >= end : v > end) {
                values.append(v)
                if values.count >= Int(Int32.max) {
                    throw KuaiError(.execution, "Invalid Input Error: range is too large")
                }
                let (next, overflow) = v.addingReportingOverflow(step)
                if overflow { break }
                v = next
            }
        }
        return fromPicks(
            Column(type: .bigint, ints: values), (0..<values.count).map { Int32($0) }, starts,
            validity: valid.contains(0) ? valid : nil)
    }
}
