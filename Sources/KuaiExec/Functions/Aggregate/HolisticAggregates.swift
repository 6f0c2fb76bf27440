import KuaiCore

#if canImport(Glibc)
    import Glibc
#endif

// Aggregates that need every value of a group (median, quantiles, string_agg) or more than a
// running sum (variance), plus the small boolean/first-value aggregates.

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

/// quantile_cont / quantile_disc / median: sorts each group's values and interpolates as DuckDB
/// (continuous: position (n - 1) * q, lo + (hi - lo) * fraction, in DOUBLE; discrete: see
/// `discreteIndex`). `fromTop`: positions count in descending order (DuckDB's
/// `quantile_disc(q ORDER BY x DESC)`).
final class QuantileState: AggregateState {
    let q: Double
    let continuous: Bool
    let type: DataType
    let fromTop: Bool
    let store = RowStore()
    init(q: Double, continuous: Bool, type: DataType, fromTop: Bool = false) {
        self.q = q
        self.continuous = continuous
        self.type = type
        self.fromTop = fromTop
    }
    func resize(_ groups: Int) {}
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        store.append(ids, input, [], count: n, onlyValid: true)
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        store.merge((other as! QuantileState).store, mapping: mapping)
    }
    func finalize(groups: Int) throws -> Column {
        let (cols, perm) = try store.sorted(orderKeys: [], byValue: true)
        let resultType: DataType = continuous ? .double : type
        var doubles = [Double](repeating: 0, count: continuous || type == .double ? groups : 0)
        var ints = [Int64](repeating: 0, count: continuous || type == .double ? 0 : groups)
        var validity = [UInt8](repeating: 0, count: groups)
        var i = 0
        let n = perm.count
        func value(_ k: Int) -> Double {
            let r = Int(perm[k])
            return cols[1].type == .double ? cols[1].doubles[r] : Double(cols[1].ints[r])
        }
        while i < n {
            let g = Int(cols[0].ints[Int(perm[i])])
            var j = i
            while j < n && cols[0].ints[Int(perm[j])] == Int64(g) { j += 1 }
            let count = j - i
            let pos = Double(count - 1) * q
            validity[g] = 1
            // The k-th value of the group in the requested direction.
            let first = i
            let last = j - 1
            func at(_ k: Int) -> Int { fromTop ? last - k : first + k }
            if continuous {
                let lo = pos.rounded(.down)
                let hi = pos.rounded(.up)
                let a = value(at(Int(lo)))
                let b = value(at(Int(hi)))
                doubles[g] = lo == hi ? a : a + (b - a) * (pos - lo)
            } else {
                let k = at(QuantileState.discreteIndex(count, q))
                if type == .double { doubles[g] = value(k) } else { ints[g] = cols[1].ints[Int(perm[k])] }
            }
            i = j
        }
        let v: [UInt8]? = validity.contains(0) ? validity : nil
        if resultType == .double { return Column(doubles: doubles, validity: v) }
        return Column(type: resultType, ints: ints, validity: v)
    }
    func makeEmpty() -> AggregateState { QuantileState(q: q, continuous: continuous, type: type, fromTop: fromTop) }

    /// The 0-based position of quantile_disc's value among `n` sorted values: DuckDB's
    /// `max(1, ceil(n * q)) - 1` (Interpolator<true> in its quantile code), not `floor((n - 1) * q)`
    /// (they differ, e.g. n = 10, q = 0.75: 7, not 6). DuckDB computes n * q exactly for a DECIMAL
    /// literal such as 0.3; kuai has q as a DOUBLE, so a product within 4 ulps of an integer counts
    /// as that integer (10 * 0.3 is 3, not 3.0000000000000004 rounded up to 4).
    static func discreteIndex(_ n: Int, _ q: Double) -> Int {
        guard n > 0 else { return 0 }
        let x = Double(n) * q
        let r = x.rounded()
        let up = abs(x - r) <= 4 * x.ulp ? r : x.rounded(.up)
        return min(n, max(1, Int(up))) - 1
    }
}

/// string_agg(x, sep [ORDER BY ...]): the group's non-NULL strings joined by `sep`, in ORDER BY
/// order (input order when none); NULL for a group without strings.
final class StringAggState: AggregateState {
    let separator: String
    let orderKeys: [SortKey]
    let store = RowStore()
    init(separator: String, orderKeys: [SortKey]) {
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

/// bool_and / bool_or over BOOLEAN; count_if counts TRUE rows (HUGEINT, as DuckDB).
final class BoolState: AggregateState {
    enum Kind { case and, or, countIf }
    let kind: Kind
    var acc: [Int64] = []
    var seen: [UInt8] = []
    init(_ kind: Kind) { self.kind = kind }
    func resize(_ groups: Int) {
        if acc.count < groups {
            acc.append(contentsOf: repeatElement(kind == .and ? 1 : 0, count: groups - acc.count))
            seen.append(contentsOf: repeatElement(0, count: groups - seen.count))
        }
    }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        for i in 0..<n where input.validity?[i] ?? 1 != 0 {
            let g = Int(ids[i])
            let b = input.ints[i] != 0
            seen[g] = 1
            switch kind {
            case .and: if !b { acc[g] = 0 }
            case .or: if b { acc[g] = 1 }
            case .countIf: if b { acc[g] += 1 }
            }
        }
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! BoolState
        for g in 0..<o.acc.count where o.seen[g] != 0 {
            let t = Int(mapping[g])
            seen[t] = 1
            switch kind {
            case .and: acc[t] = min(acc[t], o.acc[g])
            case .or: acc[t] = max(acc[t], o.acc[g])
            case .countIf: acc[t] += o.acc[g]
            }
        }
    }
    func finalize(groups: Int) -> Column {
        resize(groups)
        if kind == .countIf { return Column(type: .hugeint, ints: Array(acc.prefix(groups))) }
        let v: [UInt8]? = seen.prefix(groups).contains(0) ? Array(seen.prefix(groups)) : nil
        return Column(type: .boolean, ints: Array(acc.prefix(groups)), validity: v)
    }
    func makeEmpty() -> AggregateState { BoolState(kind) }
}

/// any_value / first / arbitrary: the first non-NULL value seen (order is not defined in parallel).
final class AnyValueState: AggregateState {
    let type: DataType
    var values: [Column?] = []
    var rows: [Int] = []
    var seen: [UInt8] = []
    var picked: [(group: Int, value: Value)] = []
    init(type: DataType) { self.type = type }
    var acceptsWideInput: Bool { true }  // keeps `.hugeint` values
    func resize(_ groups: Int) {
        if seen.count < groups { seen.append(contentsOf: repeatElement(0, count: groups - seen.count)) }
    }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        for i in 0..<n where input.validity?[i] ?? 1 != 0 {
            let g = Int(ids[i])
            if seen[g] == 0 {
                seen[g] = 1
                picked.append((g, input.value(at: i)))
            }
        }
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! AnyValueState
        for (g, v) in o.picked {
            let t = Int(mapping[g])
            if seen[t] == 0 {
                seen[t] = 1
                picked.append((t, v))
            }
        }
    }
    func finalize(groups: Int) -> Column {
        resize(groups)
        var values = [Value](repeating: .null, count: groups)
        for (g, v) in picked { values[g] = v }
        switch type {
        case .varchar:
            return Column(
                strings: values.map { v -> String? in
                    if case .string(let s) = v { return s }
                    return nil
                })
        case .double:
            let d = values.map { v -> Double in
                if case .double(let x) = v { return x }
                return 0
            }
            return Column(doubles: d, validity: values.map { $0.isNull ? 0 : 1 })
        default:
            let validity = values.map { v -> UInt8 in v.isNull ? 0 : 1 }
            if values.contains(where: {
                if case .hugeint = $0 { return true }
                return false
            }) {
                var c = Column(
                    hugeints: values.map { v -> Int128 in
                        switch v {
                        case .int(let x): return Int128(x)
                        case .hugeint(let x): return x
                        default: return 0
                        }
                    }, validity: validity)
                c.type = type
                return c
            }
            let i = values.map { v -> Int64 in
                switch v {
                case .int(let x): return x
                case .bool(let b): return b ? 1 : 0
                default: return 0
                }
            }
            return Column(type: type, ints: i, validity: validity)
        }
    }
    func makeEmpty() -> AggregateState { AnyValueState(type: type) }
}

/// The value of a correlated scalar subquery for each correlation key (one group per key): the
/// group's only row. A group with a second row is DuckDB's error "More than one row returned by a
/// subquery used as an expression", raised when the groups are finished, so no such value is used.
final class SingleRowState: AggregateState {
    let value: AnyValueState
    var rows: [Int64] = []
    init(type: DataType) { value = AnyValueState(type: type) }
    var acceptsWideInput: Bool { true }  // AnyValueState keeps `.hugeint` values
    func resize(_ groups: Int) {
        value.resize(groups)
        if rows.count < groups { rows.append(contentsOf: repeatElement(0, count: groups - rows.count)) }
    }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        for i in 0..<n { rows[Int(ids[i])] += 1 }  // every row counts, NULL values too
        value.update(input, ids: ids, count: n)
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! SingleRowState
        for g in 0..<o.rows.count where o.rows[g] != 0 { rows[Int(mapping[g])] += o.rows[g] }
        value.merge(o.value, mapping: mapping)
    }
    func finalize(groups: Int) throws -> Column {
        if rows.prefix(groups).contains(where: { $0 > 1 }) {
            throw KuaiError(
                .execution,
                "More than one row returned by a subquery used as an expression - scalar subqueries can only return a single row."
            )
        }
        return value.finalize(groups: groups)
    }
    func makeEmpty() -> AggregateState { SingleRowState(type: value.type) }
}

/// var_samp, var_pop, stddev_samp, stddev_pop (Welford's running mean and M2, merged with
/// Chan's formula).
final class VarianceState: AggregateState {
    let sample: Bool
    let root: Bool
    var count: [Double] = []
    var mean: [Double] = []
    var m2: [Double] = []
    init(sample: Bool, root: Bool) {
        self.sample = sample
        self.root = root
    }
    func resize(_ groups: Int) {
        if count.count < groups {
            let k = groups - count.count
            count.append(contentsOf: repeatElement(0, count: k))
            mean.append(contentsOf: repeatElement(0, count: k))
            m2.append(contentsOf: repeatElement(0, count: k))
        }
    }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        for i in 0..<n where input.validity?[i] ?? 1 != 0 {
            let g = Int(ids[i])
            let x = input.type == .double ? input.doubles[i] : Double(input.ints[i])
            count[g] += 1
            let d = x - mean[g]
            mean[g] += d / count[g]
            m2[g] += d * (x - mean[g])
        }
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! VarianceState
        for g in 0..<o.count.count where o.count[g] > 0 {
            let t = Int(mapping[g])
            if count[t] == 0 {
                count[t] = o.count[g]
                mean[t] = o.mean[g]
                m2[t] = o.m2[g]
                continue
            }
            let n = count[t] + o.count[g]
            let d = o.mean[g] - mean[t]
            m2[t] += o.m2[g] + d * d * count[t] * o.count[g] / n
            mean[t] += d * o.count[g] / n
            count[t] = n
        }
    }
    func finalize(groups: Int) -> Column {
        resize(groups)
        var out = [Double](repeating: 0, count: groups)
        var valid = [UInt8](repeating: 0, count: groups)
        for g in 0..<groups {
            let n = count[g]
            if n == 0 || (sample && n < 2) { continue }
            var v = m2[g] / (sample ? n - 1 : n)
            if root { v = v.squareRoot() }
            out[g] = v
            valid[g] = 1
        }
        return Column(doubles: out, validity: valid.contains(0) ? valid : nil)
    }
    func makeEmpty() -> AggregateState { VarianceState(sample: sample, root: root) }
}
