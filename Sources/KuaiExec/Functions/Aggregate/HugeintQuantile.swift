import KuaiCore

/// quantile_disc / quantile / quantile_cont / median of HUGEINT, values beyond Int64 included: keeps
/// each group's 128-bit values (with their group ids) and sorts a group's values at the end. The
/// positions are `QuantileState`'s (DuckDB 2.0.1): discrete `max(1, ceil(n * q)) - 1`, the exact
/// HUGEINT value; continuous `(n - 1) * q`, the two neighbours converted to DOUBLE and interpolated as
/// `lo * (1 - f) + hi * f` (DuckDB's cast of each value to DOUBLE first). `fromTop`: positions count
/// in descending order. Memory: 20 bytes per non-NULL input value.
final class HugeintQuantileState: AggregateState {
    let q: Double
    let continuous: Bool
    let fromTop: Bool
    private var values: [Int128] = []
    private var groups: [Int32] = []

    init(q: Double, continuous: Bool, fromTop: Bool) {
        self.q = q
        self.continuous = continuous
        self.fromTop = fromTop
    }

    /// Reads every value in 128 bits (`Column.int128(at:)`).
    var acceptsWideInput: Bool { true }

    func resize(_ groups: Int) {}

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        for i in 0..<n where input.isValid(i) {
            values.append(input.int128(at: i))
            groups.append(ids[i])
        }
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! HugeintQuantileState
        values.append(contentsOf: o.values)
        groups.append(contentsOf: o.groups.lazy.map { mapping[Int($0)] })
    }

    /// HUGEINT for a discrete quantile, DOUBLE for a continuous one; NULL for a group without values.
    func finalize(groups count: Int) throws -> Column {
        // bucket the values by group (counting sort), then sort each group's slice
        var offsets = [Int](repeating: 0, count: count + 1)
        for g in groups { offsets[Int(g) + 1] += 1 }
        for g in 0..<count { offsets[g + 1] += offsets[g] }
        var next = offsets
        var sorted = [Int128](repeating: 0, count: values.count)
        for (i, g) in groups.enumerated() {
            sorted[next[Int(g)]] = values[i]
            next[Int(g)] += 1
        }
        var wide = [Int128](repeating: 0, count: continuous ? 0 : count)
        var doubles = [Double](repeating: 0, count: continuous ? count : 0)
        var validity = [UInt8](repeating: 0, count: count)
        sorted.withUnsafeMutableBufferPointer { all in
            for g in 0..<count where offsets[g + 1] > offsets[g] {
                var xs = UnsafeMutableBufferPointer(rebasing: all[offsets[g]..<offsets[g + 1]])
                xs.sort()
                validity[g] = 1
                if continuous { doubles[g] = interpolated(xs) } else { wide[g] = xs[position(discrete: xs.count)] }
            }
        }
        let v: [UInt8]? = validity.contains(0) ? validity : nil
        return continuous ? Column(doubles: doubles, validity: v) : Column(hugeints: wide, validity: v)
    }

    func makeEmpty() -> AggregateState { HugeintQuantileState(q: q, continuous: continuous, fromTop: fromTop) }

    /// The ascending index of the k-th value in the requested direction among `n`.
    private func index(_ k: Int, _ n: Int) -> Int { fromTop ? n - 1 - k : k }

    private func position(discrete n: Int) -> Int { index(QuantileState.discreteIndex(n, q), n) }

    /// quantile_cont of a group's sorted values (see the type's doc).
    private func interpolated(_ xs: UnsafeMutableBufferPointer<Int128>) -> Double {
        let n = xs.count
        let pos = Double(n - 1) * q
        let lo = pos.rounded(.down)
        let hi = pos.rounded(.up)
        let a = Double(xs[index(Int(lo), n)])
        if lo == hi { return a }
        let f = pos - lo
        return (Double(xs[index(Int(hi), n)]) * f).addingProduct(a, 1 - f)
    }
}
