import KuaiCore

/// fsum / sumkahan / kahan_sum and favg of numbers: DOUBLE sums with a running compensation
/// (Neumaier's variant of Kahan summation: 1e100 + 1 - 1e100 is 1, as DuckDB answers); NULL for a
/// group without a non-NULL value. Thread states merge by adding sums and compensations.
final class KahanSumState: AggregateState {
    let average: Bool
    var sum: [Double] = []
    var err: [Double] = []
    var count: [Int64] = []
    init(average: Bool) { self.average = average }

    func resize(_ groups: Int) {
        if sum.count < groups {
            let k = groups - sum.count
            sum.append(contentsOf: repeatElement(0, count: k))
            err.append(contentsOf: repeatElement(0, count: k))
            count.append(contentsOf: repeatElement(0, count: k))
        }
    }

    /// Adds `x` to group `g`'s sum, keeping the low-order bits lost in `err`.
    @inline(__always)
    func add(_ g: Int, _ x: Double) {
        let s = sum[g]
        let t = s + x
        err[g] += Swift.abs(s) >= Swift.abs(x) ? (s - t) + x : (x - t) + s
        sum[g] = t
    }

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        let doubles = input.type == .double
        for i in 0..<n where input.validity?[i] ?? 1 != 0 {
            let g = Int(ids[i])
            add(g, doubles ? input.doubles[i] : Double(input.ints[i]))
            count[g] += 1
        }
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! KahanSumState
        for g in 0..<o.count.count where o.count[g] > 0 {
            let t = Int(mapping[g])
            add(t, o.sum[g])
            add(t, o.err[g])
            count[t] += o.count[g]
        }
    }

    func finalize(groups: Int) -> Column {
        resize(groups)
        var out = [Double](repeating: 0, count: groups)
        var valid = [UInt8](repeating: 0, count: groups)
        for g in 0..<groups where count[g] > 0 {
            let total = sum[g] + err[g]
            out[g] = average ? total / Double(count[g]) : total
            valid[g] = 1
        }
        return Column(doubles: out, validity: valid.contains(0) ? valid : nil)
    }

    func makeEmpty() -> AggregateState { KahanSumState(average: average) }
}

extension AggregateRegistry {
    /// fsum, sumkahan, kahan_sum (the sum) and favg (the mean) of numbers as DOUBLE (DuckDB 2.0.1;
    /// integers and DECIMALs are read as DOUBLE).
    static func kahanSum(_ c: AggregateCall) -> AggregateFunction? {
        guard ["fsum", "sumkahan", "kahan_sum", "favg"].contains(c.name), let t = c.argumentType, t.isNumeric
        else { return nil }
        let average = c.name == "favg"
        return AggregateFunction(name: c.name, argumentType: t, returnType: .double) { _ in
            KahanSumState(average: average)
        }
    }
}
