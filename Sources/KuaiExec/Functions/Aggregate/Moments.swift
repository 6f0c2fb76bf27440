import KuaiCore

#if canImport(Glibc)
    import Glibc
#endif

/// product, skewness, kurtosis and kurtosis_pop: DuckDB 2.0.1's aggregates over the power sums of
/// the non-NULL values (as DOUBLE), finalized with its formulas (skew.cpp, kurtosis.cpp).
final class PowerSumState: AggregateState {
    /// What the state finalizes.
    enum Measure {
        case product, skewness, kurtosis, kurtosisPop
    }
    let measure: Measure
    var n: [Double] = []
    /// product: the running product; the others: the sums of x, x², x³, x⁴.
    var s1: [Double] = []
    var s2: [Double] = []
    var s3: [Double] = []
    var s4: [Double] = []
    init(_ measure: Measure) { self.measure = measure }

    func resize(_ groups: Int) {
        guard n.count < groups else { return }
        let k = groups - n.count
        n.append(contentsOf: repeatElement(0, count: k))
        s1.append(contentsOf: repeatElement(measure == .product ? 1 : 0, count: k))
        s2.append(contentsOf: repeatElement(0, count: k))
        s3.append(contentsOf: repeatElement(0, count: k))
        s4.append(contentsOf: repeatElement(0, count: k))
    }

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count rows: Int) {
        guard let input, input.type != .null else { return }
        for i in 0..<rows where input.validity?[i] ?? 1 != 0 {
            let g = Int(ids[i])
            let x = input.type == .double ? input.doubles[i] : Double(input.ints[i])
            n[g] += 1
            if measure == .product {
                s1[g] *= x
                continue
            }
            s1[g] += x
            s2[g] += x * x
            s3[g] += x * x * x
            s4[g] += x * x * x * x
        }
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! PowerSumState
        for g in 0..<o.n.count where o.n[g] > 0 {
            let t = Int(mapping[g])
            n[t] += o.n[g]
            if measure == .product {
                s1[t] *= o.s1[g]
                continue
            }
            s1[t] += o.s1[g]
            s2[t] += o.s2[g]
            s3[t] += o.s3[g]
            s4[t] += o.s4[g]
        }
    }

    /// - Throws: `KuaiError.execution` "SKEW is out of range!" / "Kurtosis is out of range!" for a
    ///   result that is not finite (DuckDB's errors).
    func finalize(groups: Int) throws -> Column {
        resize(groups)
        var out = [Double](repeating: 0, count: groups)
        var valid = [UInt8](repeating: 0, count: groups)
        for g in 0..<groups {
            guard let v = try value(g) else { continue }
            out[g] = v
            valid[g] = 1
        }
        return Column(doubles: out, validity: valid.contains(0) ? valid : nil)
    }

    /// The result of group `g`; nil for NULL.
    private func value(_ g: Int) throws -> Double? {
        let count = n[g]
        let (sum, sumSqr, sumCub, sumFour) = (s1[g], s2[g], s3[g], s4[g])
        switch measure {
        case .product:
            return count == 0 ? nil : sum
        case .skewness:
            if count <= 2 { return nil }
            let temp = 1 / count
            var p = pow(temp * (sumSqr - sum * sum * temp), 3)
            if p < 0 { p = 0 }  // (not max: a NaN stays NaN and is the error below, as DuckDB's)
            let div = p.squareRoot()
            if div == 0 { return nil }
            let temp1 = (count * (count - 1)).squareRoot() / (count - 2)
            let target =
                temp1 * temp * (sumCub - 3 * sumSqr * sum * temp + 2 * pow(sum, 3) * temp * temp) / div
            guard target.isFinite else { throw KuaiError(.execution, "SKEW is out of range!") }
            return target
        case .kurtosis, .kurtosisPop:
            let corrected = measure == .kurtosis
            if count <= 1 || (corrected && count <= 3) { return nil }
            let temp = 1 / count
            let tempWide: Float80 = 1 / Float80(count)
            if sumSqr - sum * sum * temp == 0
                || Float80(sumSqr) - Float80(sum) * Float80(sum) * tempWide == 0
            {
                return nil
            }
            let m4 =
                temp
                * (sumFour - 4 * sumCub * sum * temp + 6 * sumSqr * sum * sum * temp * temp - 3 * pow(sum, 4)
                    * pow(temp, 3))
            let m2 = temp * (sumSqr - sum * sum * temp)
            if m2 <= 0 { return nil }
            let target =
                corrected
                ? (count - 1) * ((count + 1) * m4 / (m2 * m2) - 3 * (count - 1)) / ((count - 2) * (count - 3))
                : m4 / (m2 * m2) - 3
            guard target.isFinite else { throw KuaiError(.execution, "Kurtosis is out of range!") }
            return target
        }
    }

    func makeEmpty() -> AggregateState { PowerSumState(measure) }
}

/// entropy(x): -Σ p·log2(p) over the frequencies p of the distinct non-NULL values of the group
/// (DuckDB 2.0.1; 0 for a group without one), from the runs of equal values (`GroupValueRuns`, as
/// mode's). Computed as DuckDB 2.0.1 rounds it: log2(n) - Σ c·log2(c) / n over the counts c of the
/// n rows (a group of one value gives log2(n) - n·log2(n) / n, which need not be exactly 0).
final class EntropyState: GroupValueRuns, AggregateState {
    func finalize(groups: Int) throws -> Column {
        var out = [Double](repeating: 0, count: groups)
        // per group: the runs of equal values (their lengths) and the group's count
        var total = [Double](repeating: 0, count: groups)
        var runs: [(group: Int, length: Double)] = []
        _ = try forEachRun { g, _, length in
            runs.append((g, Double(length)))
            total[g] += Double(length)
        }
        var sums = [Double](repeating: 0, count: groups)
        for (g, c) in runs { sums[g] += c * log2(c) }
        for g in 0..<groups where total[g] > 0 { out[g] = log2(total[g]) - sums[g] / total[g] }
        return Column(doubles: out)
    }
    func makeEmpty() -> AggregateState { EntropyState(type: type) }
}

extension AggregateRegistry {
    /// product, skewness, kurtosis, kurtosis_pop of numbers and entropy of any type: DOUBLE.
    static func moments(_ c: AggregateCall) -> AggregateFunction? {
        guard let t = c.argumentType, c.secondArgumentType == nil else { return nil }
        if c.name == "entropy" {
            return AggregateFunction(name: c.name, argumentType: t, returnType: .double) { _ in
                EntropyState(type: t)
            }
        }
        let m: PowerSumState.Measure
        switch c.name {
        case "product": m = .product
        case "skewness": m = .skewness
        case "kurtosis": m = .kurtosis
        case "kurtosis_pop": m = .kurtosisPop
        default: return nil
        }
        guard t.isNumeric else { return nil }
        return AggregateFunction(name: c.name, argumentType: t, returnType: .double) { _ in PowerSumState(m) }
    }
}
