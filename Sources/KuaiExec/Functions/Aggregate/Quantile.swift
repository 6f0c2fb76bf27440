import KuaiCore

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

extension AggregateRegistry {
    /// median and quantile_cont (DOUBLE) of numbers; quantile_disc / quantile (the argument's
    /// type) of numbers, DATE and TIMESTAMP. The fraction is a constant in [0, 1].
    static func quantile(_ c: AggregateCall) -> AggregateFunction? {
        guard let t = c.argumentType else { return nil }
        switch c.name {
        case "median" where t.isNumeric || t == .null:
            return AggregateFunction(name: c.name, argumentType: t, returnType: .double) { at in
                QuantileState(q: 0.5, continuous: true, type: at)
            }
        case "quantile_cont" where t.isNumeric || t == .null:
            guard let q = c.number(0), q >= 0 && q <= 1 else { return nil }
            return AggregateFunction(name: c.name, argumentType: t, returnType: .double) { at in
                QuantileState(q: q, continuous: true, type: at, fromTop: c.fromTop)
            }
        case "quantile_disc", "quantile":
            // A discrete quantile is one of the values: DATE and TIMESTAMP too (as DuckDB).
            guard t.isNumeric || t == .null || t == .date || t == .timestamp,
                let q = c.parameters.isEmpty ? 0.5 : c.number(0), q >= 0 && q <= 1
            else { return nil }
            return AggregateFunction(name: c.name, argumentType: t, returnType: t) { at in
                QuantileState(q: q, continuous: false, type: at, fromTop: c.fromTop)
            }
        default: return nil
        }
    }
}
