import KuaiCore

/// var_samp, var_pop, stddev_samp, stddev_pop and sem (Welford's running mean and M2, merged with
/// Chan's formula).
final class VarianceState: AggregateState {
    let sample: Bool
    let root: Bool
    /// sem: the standard error of the mean, sqrt(var_pop / n) (DuckDB 2.0.1: 0 for one value).
    var standardError = false
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
    /// Welford's step for a value `x` that makes `count` values: moves the running `mean` and the
    /// sum of squared deviations `m2`; returns x's deviation from the mean before the step.
    @inline(__always) @discardableResult
    static func welford(_ x: Double, count: Double, mean: inout Double, m2: inout Double) -> Double {
        let d = x - mean
        mean += d / count
        m2 += d * (x - mean)
        return d
    }

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null, n > 0 else { return }
        let xs = CovarianceState.numbers(input, n)
        let valid = input.validity ?? []
        count.withUnsafeMutableBufferPointer { cnt in
            mean.withUnsafeMutableBufferPointer { mu in
                m2.withUnsafeMutableBufferPointer { m in
                    valid.withUnsafeBufferPointer { ok in
                        for i in 0..<n where ok.isEmpty || ok[i] != 0 {
                            let g = Int(ids[i])
                            cnt[g] += 1
                            Self.welford(xs[i], count: cnt[g], mean: &mu[g], m2: &m[g])
                        }
                    }
                }
            }
        }
    }
    /// Reads the input as DOUBLE, HUGEINT beyond Int64 from all 128 bits (as DuckDB's casts of each
    /// value to DOUBLE).
    var acceptsWideInput: Bool { true }
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
            if standardError { v /= n }
            if root { v = v.squareRoot() }
            out[g] = v
            valid[g] = 1
        }
        return Column(doubles: out, validity: valid.contains(0) ? valid : nil)
    }
    func makeEmpty() -> AggregateState {
        let state = VarianceState(sample: sample, root: root)
        state.standardError = standardError
        return state
    }
}

extension AggregateRegistry {
    /// stddev / stddev_samp / stddev_pop / variance / var_samp / var_pop / sem of numbers: DOUBLE.
    static func variance(_ c: AggregateCall) -> AggregateFunction? {
        if c.name == "sem", let t = c.argumentType, t.isNumeric {
            return AggregateFunction(name: c.name, argumentType: t, returnType: .double) { _ in
                let state = VarianceState(sample: false, root: true)
                state.standardError = true
                return state
            }
        }
        guard ["stddev", "stddev_samp", "stddev_pop", "var_samp", "var_pop", "variance"].contains(c.name),
            let t = c.argumentType, t.isNumeric
        else { return nil }
        let sample = !c.name.hasSuffix("_pop")
        let root = c.name.hasPrefix("stddev")
        return AggregateFunction(name: c.name, argumentType: t, returnType: .double) { _ in
            VarianceState(sample: sample, root: root)
        }
    }
}
