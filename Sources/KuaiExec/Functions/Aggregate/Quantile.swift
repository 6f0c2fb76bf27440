import KuaiCore

/// quantile_cont / quantile_disc / median: keeps each group's values and selects the needed
/// order statistics at the end (introselect, `OrderStatistic`; no full sort), interpolating as
/// DuckDB (continuous: position (n - 1) * q, lo + (hi - lo) * fraction, in DOUBLE; discrete: see
/// `discreteIndex`). `fromTop`: positions count in descending order (DuckDB's
/// `quantile_disc(q ORDER BY x DESC)`). Groups are finalized in parallel.
/// Memory: 12 bytes per non-NULL input value, plus 8 per value while finalizing.
final class QuantileState: AggregateState {
    let q: Double
    let continuous: Bool
    let type: DataType
    let fromTop: Bool
    private var values = GroupedOrderedWords()
    init(q: Double, continuous: Bool, type: DataType, fromTop: Bool = false) {
        self.q = q
        self.continuous = continuous
        self.type = type
        self.fromTop = fromTop
    }
    func resize(_ groups: Int) {}
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        values.append(input, ids: ids, count: n)
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        values.merge(&(other as! QuantileState).values, mapping: mapping)
    }
    func finalize(groups: Int) throws -> Column {
        let (offsets, words) = values.bucketed(groupCount: groups)
        defer { words.deallocate() }
        let resultIsDouble = continuous || type == .double
        var doubles = [Double](repeating: 0, count: resultIsDouble ? groups : 0)
        var ints = [Int64](repeating: 0, count: resultIsDouble ? 0 : groups)
        var validity = [UInt8](repeating: 0, count: groups)
        doubles.withUnsafeMutableBufferPointer { ds in
            ints.withUnsafeMutableBufferPointer { ns in
                validity.withUnsafeMutableBufferPointer { vs in
                    let out = UncheckedBox((ds, ns, vs))
                    forEachGroupRange(offsets: offsets, groupCount: groups) { range in
                        for g in range where offsets[g + 1] > offsets[g] {
                            let xs = UnsafeMutableBufferPointer(rebasing: words[offsets[g]..<offsets[g + 1]])
                            out.value.2[g] = 1
                            if resultIsDouble {
                                out.value.0[g] = self.doubleResult(xs)
                            } else {
                                out.value.1[g] = Int64(bitPattern: self.discreteWord(xs) ^ (1 << 63))
                            }
                        }
                    }
                }
            }
        }
        let v: [UInt8]? = validity.contains(0) ? validity : nil
        if resultIsDouble { return Column(doubles: doubles, validity: v) }
        return Column(type: type, ints: ints, validity: v)
    }
    func makeEmpty() -> AggregateState { QuantileState(q: q, continuous: continuous, type: type, fromTop: fromTop) }

    /// The ascending index of the k-th value in the requested direction among `n`.
    private func index(_ k: Int, _ n: Int) -> Int { fromTop ? n - 1 - k : k }

    /// The word of quantile_disc's value among the group's words `xs` (reordered).
    private func discreteWord(_ xs: UnsafeMutableBufferPointer<UInt64>) -> UInt64 {
        OrderStatistic.select(xs, index(QuantileState.discreteIndex(xs.count, q), xs.count))
    }

    /// The DOUBLE result of a group: quantile_cont's interpolation, or quantile_disc of DOUBLE.
    private func doubleResult(_ xs: UnsafeMutableBufferPointer<UInt64>) -> Double {
        if !continuous { return value(discreteWord(xs)) }
        let n = xs.count
        let pos = Double(n - 1) * q
        let lo = pos.rounded(.down)
        let hi = pos.rounded(.up)
        let ia = index(Int(lo), n)
        let ib = index(Int(hi), n)
        // Select the lower index; the next order statistic is the least value after it.
        let first = OrderStatistic.select(xs, min(ia, ib))
        let second = ia == ib ? first : OrderStatistic.minimum(xs, from: min(ia, ib) + 1)
        let a = value(ia <= ib ? first : second)
        let b = value(ia <= ib ? second : first)
        return lo == hi ? a : a + (b - a) * (pos - lo)
    }

    /// The value of an order-preserving word as DOUBLE (integers converted).
    private func value(_ w: UInt64) -> Double {
        if type != .double { return Double(Int64(bitPattern: w ^ (1 << 63))) }
        if w == .max { return .nan }
        return Double(bitPattern: w >> 63 != 0 ? w & ~(1 << 63) : ~w)
    }

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
