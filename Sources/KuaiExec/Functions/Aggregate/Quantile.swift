import KuaiCore

/// quantile_cont / quantile_disc / median: keeps each group's values and selects the needed
/// order statistics at the end (introselect, `OrderStatistic`; no full sort), interpolating as
/// DuckDB (continuous: position (n - 1) * q, lo * (1 - fraction) + hi * fraction, in DOUBLE; discrete: see
/// `discreteIndex`). `fromTop`: positions count in descending order (DuckDB's
/// `quantile_disc(q ORDER BY x DESC)`). Groups are finalized in parallel.
/// Memory: 12 bytes per non-NULL input value, plus 8 per value while finalizing.
///
/// Several quantiles of the same input in one aggregate (p50, p90, p99 of one column) share one
/// value store (`shareValues(with:)`): the values are kept and bucketed once, and each quantile
/// selects its own order statistics from the shared buckets (selection only reorders a group's
/// values, so one quantile's work never changes another's answer), as DuckDB's quantile list.
final class QuantileState: AggregateState {
    let q: Double
    let continuous: Bool
    let type: DataType
    let fromTop: Bool
    /// reservoir_quantile: the value at index floor((n - 1) * q) of the sorted values, DuckDB's
    /// answer while a group's values fit its reservoir (8192 by default), where it keeps them all.
    var reservoirIndex = false
    private var store = SharedQuantileValues()
    /// False when another state of the same partial feeds and merges `store`.
    private(set) var feedsStore = true
    init(q: Double, continuous: Bool, type: DataType, fromTop: Bool = false) {
        self.q = q
        self.continuous = continuous
        self.type = type
        self.fromTop = fromTop
    }

    /// Reads its values from `owner`'s store from now on: `update` and `merge` of this state do
    /// nothing, the owner's fill the store. Both states must receive the same input rows (same
    /// argument, same FILTER, same partial).
    /// - Precondition: this state is empty and `owner` has the same type.
    func shareValues(with owner: QuantileState) {
        precondition(owner.type == type && store.values.count == 0, "quantile: shared values of another type")
        store = owner.store
        feedsStore = false
    }

    func resize(_ groups: Int) {}
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard feedsStore, let input, input.type != .null else { return }
        store.values.append(input, ids: ids, count: n)
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! QuantileState
        guard feedsStore, o.feedsStore else { return }
        store.values.merge(&o.store.values, mapping: mapping)
    }
    func finalize(groups: Int) throws -> Column {
        let (offsets, words) = store.bucketed(groupCount: groups)
        // DECIMAL keeps its type: quantile_cont interpolates the scaled integers (`decimalResult`);
        // DATE and TIMESTAMP interpolate microseconds into a TIMESTAMP (`temporalResult`).
        let decimalContinuous = continuous && type.isDecimal
        let temporalContinuous = continuous && (type == .date || type.isTimestamp || type == .time)
        let resultIsDouble = (continuous && !decimalContinuous && !temporalContinuous) || type == .double
        var doubles = [Double](repeating: 0, count: resultIsDouble ? groups : 0)
        var ints = [Int64](repeating: 0, count: resultIsDouble ? 0 : groups)
        var validity = [UInt8](repeating: 0, count: groups)
        doubles.withUnsafeMutableBufferPointer { ds in
            ints.withUnsafeMutableBufferPointer { ns in
                validity.withUnsafeMutableBufferPointer { vs in
                    let out = UncheckedBox((ds, ns, vs))
                    forEachGroupRange(offsets: offsets, groupCount: groups) { range in
                        for g in range where offsets[g + 1] > offsets[g] {
                            let xs = UnsafeBufferPointer(rebasing: words[offsets[g]..<offsets[g + 1]])
                            out.value.2[g] = 1
                            if resultIsDouble {
                                out.value.0[g] = self.doubleResult(xs)
                            } else if decimalContinuous {
                                out.value.1[g] = self.decimalResult(xs)
                            } else if temporalContinuous {
                                out.value.1[g] = self.temporalResult(xs)
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
        return Column(type: temporalContinuous ? AggregateRegistry.continuousType(type) : type, ints: ints, validity: v)
    }
    func makeEmpty() -> AggregateState {
        let state = QuantileState(q: q, continuous: continuous, type: type, fromTop: fromTop)
        state.reservoirIndex = reservoirIndex
        return state
    }

    /// The ascending index of the k-th value in the requested direction among `n`.
    private func index(_ k: Int, _ n: Int) -> Int { fromTop ? n - 1 - k : k }

    /// The word of quantile_disc's value among the group's words `xs` (reordered).
    private func discreteWord(_ xs: UnsafeBufferPointer<UInt64>) -> UInt64 {
        let k = reservoirIndex ? Int(Double(xs.count - 1) * q) : QuantileState.discreteIndex(xs.count, q)
        return OrderStatistic.values(xs, at: [index(k, xs.count)])[0]
    }

    /// The DOUBLE result of a group: quantile_cont's interpolation, or quantile_disc of DOUBLE.
    /// The interpolation is DuckDB 2.0.1's `lo * (1 - f) + hi * f` as its build computes it: `hi * f`
    /// rounded, then one fused multiply-add (`lo + (hi - lo) * f` differs in the last digit for about
    /// one interpolation in four; so does skipping equal neighbours); an exact position is its value.
    private func doubleResult(_ xs: UnsafeBufferPointer<UInt64>) -> Double {
        if !continuous { return value(discreteWord(xs)) }
        let (wa, wb, f) = neighbours(xs)
        let a = value(wa)
        if f == 0 { return a }
        return (value(wb) * f).addingProduct(a, 1 - f)
    }

    /// quantile_cont of DECIMAL on the scaled integers, as DuckDB 2.0.1's CastInterpolation: up to 18
    /// digits `lo + (hi - lo) * f` on the DOUBLE values, truncated toward zero (median of -1.5 and
    /// -2.0 is -1.7); wider (HUGEINT storage) `lo + trunc((hi - lo) * f)` with the exact 128-bit
    /// difference (-1.8).
    private func decimalResult(_ xs: UnsafeBufferPointer<UInt64>) -> Int64 {
        let (wa, wb, f) = neighbours(xs)
        let a = Int64(bitPattern: wa ^ (1 << 63))
        let b = Int64(bitPattern: wb ^ (1 << 63))
        if f == 0 || a == b { return a }
        if type.decimalPrecision > 18 { return a &+ Int64((Double(Int128(b) - Int128(a)) * f).rounded(.towardZero)) }
        return Int64((Double(a) + (Double(b) - Double(a)) * f).rounded(.towardZero))
    }

    /// quantile_cont / median of DATE or TIMESTAMP as a TIMESTAMP (microseconds; a DATE is its
    /// midnight), as DuckDB 2.0.1's interpolation of timestamps: `lo + round((hi - lo) * f)`, the
    /// product rounded half away from zero (the median of 00:00:00 and 00:00:00.000003 is
    /// 00:00:00.000002, of -0.000001 and 0 s is 0).
    private func temporalResult(_ xs: UnsafeBufferPointer<UInt64>) -> Int64 {
        let (wa, wb, f) = neighbours(xs)
        let unit: Int64 = type == .date ? 86_400_000_000 : 1
        let a = Int64(bitPattern: wa ^ (1 << 63)) &* unit
        let b = Int64(bitPattern: wb ^ (1 << 63)) &* unit
        if f == 0 || a == b { return a }
        return a &+ Int64((Double(b &- a) * f).rounded(.toNearestOrAwayFromZero))
    }

    /// The two order statistics quantile_cont interpolates between (as words, lower position first)
    /// and the fraction of the way from the first to the second (0 at an exact position).
    private func neighbours(_ xs: UnsafeBufferPointer<UInt64>) -> (UInt64, UInt64, Double) {
        let n = xs.count
        let pos = Double(n - 1) * q
        let lo = pos.rounded(.down)
        let hi = pos.rounded(.up)
        let ia = index(Int(lo), n)
        let ib = index(Int(hi), n)
        // both order statistics in one selection
        let w = OrderStatistic.values(xs, at: ia == ib ? [ia] : [ia, ib])
        return (w[0], w.last!, lo == hi ? 0 : pos - lo)
    }

    /// The value of an order-preserving word as DOUBLE (integers converted).
    private func value(_ w: UInt64) -> Double {
        if type != .double { return Double(Int64(bitPattern: w ^ (1 << 63))) }
        return doubleFromOrdered(w)
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

/// The values of one or more `QuantileState`s over the same input, bucketed by group once on the
/// first `finalize` (the buckets live as long as the store).
final class SharedQuantileValues {
    var values = GroupedOrderedWords()
    private var buckets: (offsets: [Int], values: UnsafeMutableBufferPointer<UInt64>, groups: Int)?

    /// The values bucketed by group (see `GroupedOrderedWords.bucketed`), computed on the first call;
    /// later calls return the same buckets (selections only read them).
    func bucketed(groupCount: Int) -> (offsets: [Int], values: UnsafeMutableBufferPointer<UInt64>) {
        if let b = buckets, b.groups == groupCount { return (b.offsets, b.values) }
        if let b = buckets { b.values.deallocate() }
        let (offsets, words) = values.bucketed(groupCount: groupCount)
        buckets = (offsets, words, groupCount)
        return (offsets, words)
    }

    deinit { buckets?.values.deallocate() }
}

/// Makes each `QuantileState` of `states` whose spec has the same argument column and FILTER as an
/// earlier quantile of the same type read that one's values (`QuantileState.shareValues(with:)`).
/// `specs[k]` describes `states[k]`; DISTINCT quantiles keep their own values.
func shareQuantileValues(_ states: [AggregateState], specs: [AggregateSpec]) {
    var owners: [(input: Int, filter: Int?, state: QuantileState)] = []
    for (k, spec) in specs.enumerated() {
        guard let q = states[k] as? QuantileState, let input = spec.inputColumn, !spec.distinct else { continue }
        let owner = owners.first { $0.input == input && $0.filter == spec.filterColumn && $0.state.type == q.type }
        if let o = owner {
            q.shareValues(with: o.state)
        } else {
            owners.append((input, spec.filterColumn, q))
        }
    }
}

extension AggregateRegistry {
    /// median and quantile_cont (DOUBLE, or the argument's DECIMAL type) of numbers, and of DATE
    /// and TIMESTAMP (a TIMESTAMP); quantile_disc /
    /// quantile (the argument's type) of numbers, DATE and TIMESTAMP. The fraction is a constant in
    /// [0, 1]. HUGEINT in 128 bits (`HugeintQuantileState`).
    static func quantile(_ c: AggregateCall) -> AggregateFunction? {
        guard let t = c.argumentType else { return nil }
        if c.listParameter { return quantileList(c, t) }
        switch c.name {
        case "median" where t.isNumeric || t == .null || t == .date || t.isTimestamp || t == .time:
            return AggregateFunction(name: c.name, argumentType: t, returnType: continuousType(t)) { at in
                at == .hugeint
                    ? HugeintQuantileState(q: 0.5, continuous: true, fromTop: false) as AggregateState
                    : QuantileState(q: 0.5, continuous: true, type: at)
            }
        case "quantile_cont" where t.isNumeric || t == .null || t == .date || t.isTimestamp || t == .time:
            guard let q = c.number(0), q >= 0 && q <= 1 else { return nil }
            return AggregateFunction(name: c.name, argumentType: t, returnType: continuousType(t)) { at in
                at == .hugeint
                    ? HugeintQuantileState(q: q, continuous: true, fromTop: c.fromTop) as AggregateState
                    : QuantileState(q: q, continuous: true, type: at, fromTop: c.fromTop)
            }
        case "quantile_disc", "quantile":
            // A discrete quantile is one of the values: DATE and TIMESTAMP too (as DuckDB).
            guard t.isNumeric || t == .null || t == .date || t.isTimestamp || t == .time,
                let q = c.parameters.isEmpty ? 0.5 : c.number(0), q >= 0 && q <= 1
            else { return nil }
            return AggregateFunction(name: c.name, argumentType: t, returnType: t) { at in
                at == .hugeint
                    ? HugeintQuantileState(q: q, continuous: false, fromTop: c.fromTop) as AggregateState
                    : QuantileState(q: q, continuous: false, type: at, fromTop: c.fromTop)
            }
        case "reservoir_quantile" where t.isNumeric:
            // DuckDB's reservoir sample holds every value of a group below its size (the optional third
            // argument, 8192 by default): its answer there is this exact one; kuai keeps every value
            guard let q = c.number(0), q >= 0 && q <= 1, c.parameters.count == 1 || (c.number(1) ?? 0) > 0 else {
                return nil
            }
            return AggregateFunction(name: c.name, argumentType: t, returnType: t) { at in
                let state = QuantileState(q: q, continuous: false, type: at)
                state.reservoirIndex = true
                return state
            }
        default: return nil
        }
    }

    /// quantile_cont / quantile_disc / quantile with a list of fractions (`[0.25, 0.5, 0.75]`, each
    /// a constant in [0, 1]): the list of the quantiles, `T[]` for the single quantile's type T, NULL
    /// for a group without values (DuckDB 2.0.1). The quantiles share one value store.
    static func quantileList(_ c: AggregateCall, _ t: DataType) -> AggregateFunction? {
        guard ["quantile_cont", "quantile_disc", "quantile"].contains(c.name),
            t.isNumeric || t == .null || t == .date || t.isTimestamp || t == .time
        else { return nil }
        var fractions: [Double] = []
        for i in c.parameters.indices {
            guard let q = c.number(i), q >= 0 && q <= 1 else { return nil }
            fractions.append(q)
        }
        let continuous = c.name == "quantile_cont"
        let element = continuous ? continuousType(t) : t
        return AggregateFunction(name: c.name, argumentType: t, returnType: .list(element)) { at in
            QuantileListState(fractions, continuous: continuous, type: at, element: element, fromTop: c.fromTop)
        }
    }

    /// The result type of median / quantile_cont: DECIMAL and TIMESTAMPTZ keep their type, DATE and
    /// TIMESTAMP give a TIMESTAMP (as DuckDB), the other numbers DOUBLE.
    static func continuousType(_ t: DataType) -> DataType {
        t.isDecimal || t == .timestamptz || t == .time ? t : (t == .date || t == .timestamp ? .timestamp : .double)
    }
}

/// quantile_cont / quantile_disc over a list of fractions: one `QuantileState` per fraction, all
/// reading the values of the first (`owner`, also the only one when the list is empty, so that
/// groups without values are still told apart), finalized into one list per group.
final class QuantileListState: AggregateState {
    let fractions: [Double]
    let continuous: Bool
    let type: DataType
    let element: DataType
    let fromTop: Bool
    private let owner: QuantileState
    private let states: [QuantileState]

    init(_ fractions: [Double], continuous: Bool, type: DataType, element: DataType, fromTop: Bool) {
        (self.fractions, self.continuous, self.type, self.element, self.fromTop) =
            (fractions, continuous, type, element, fromTop)
        owner = QuantileState(q: fractions.first ?? 0.5, continuous: continuous, type: type, fromTop: fromTop)
        var states = [owner]
        for q in fractions.dropFirst() {
            let s = QuantileState(q: q, continuous: continuous, type: type, fromTop: fromTop)
            s.shareValues(with: owner)
            states.append(s)
        }
        self.states = states
    }

    func resize(_ groups: Int) {}
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        owner.update(input, ids: ids, count: n)
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        owner.merge((other as! QuantileListState).owner, mapping: mapping)
    }
    /// Group g's list is child rows g*k ..< (g+1)*k for k fractions (quantile j at g*k + j); NULL
    /// when the group has no values.
    func finalize(groups: Int) throws -> Column {
        let columns = try states.map { try $0.finalize(groups: groups) }
        let k = fractions.count
        let present = columns[0].validity
        var packed = [Int64](repeating: 0, count: groups)
        for g in 0..<groups { packed[g] = Column.packList(offset: g * k, length: k) }
        guard k > 0 else {
            return Column(listOf: element, packed: packed, child: Column.nulls(element, count: 0), validity: present)
        }
        // stack the k result columns, then interleave them into group-major order
        var order = [Int32](repeating: 0, count: groups * k)
        for g in 0..<groups {
            for j in 0..<k { order[g * k + j] = Int32(j * groups + g) }
        }
        var stacked = ColumnBuilder(type: element)
        for c in columns { stacked.append(c.type == element ? c : Column.nulls(element, count: groups)) }
        let all = stacked.build()
        let child = order.withUnsafeBufferPointer { all.gather($0) }
        return Column(listOf: element, packed: packed, child: child, validity: present)
    }
    func makeEmpty() -> AggregateState {
        QuantileListState(fractions, continuous: continuous, type: type, element: element, fromTop: fromTop)
    }
}
