import KuaiCore

/// covar_pop, covar_samp, corr(y, x) (DOUBLE) over the rows where both are non-NULL: running
/// means and co-moment (Welford), merged with Chan's formula, as DuckDB 2.0.1:
/// covar_pop = C / n (NULL for n = 0), covar_samp = C / (n - 1) (NULL for n < 2), corr =
/// covar_pop / (stddev_pop(x) * stddev_pop(y)) (NaN when either is constant, NULL for n = 0).
final class CovarianceState: AggregateState {
    enum Kind { case population, sample, correlation }
    let kind: Kind
    var count: [Double] = []
    var meanX: [Double] = []
    var meanY: [Double] = []
    var coMoment: [Double] = []
    var m2X: [Double] = []
    var m2Y: [Double] = []
    init(_ kind: Kind) { self.kind = kind }

    func resize(_ groups: Int) {
        guard count.count < groups else { return }
        let k = groups - count.count
        for i in 0..<6 { withArray(i) { $0.append(contentsOf: repeatElement(0, count: k)) } }
    }

    /// Applies `body` to state array `i` (count, meanX, meanY, coMoment, m2X, m2Y).
    private func withArray(_ i: Int, _ body: (inout [Double]) -> Void) {
        switch i {
        case 0: body(&count)
        case 1: body(&meanX)
        case 2: body(&meanY)
        case 3: body(&coMoment)
        case 4: body(&m2X)
        default: body(&m2Y)
        }
    }

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {}

    /// `input` is y (the first argument), `order[0]` x.
    func update(_ input: Column?, order: [Column], ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let ys = input, ys.type != .null, order.count == 1, order[0].type != .null else { return }
        let xs = order[0]
        for i in 0..<n where ys.isValid(i) && xs.isValid(i) {
            let g = Int(ids[i])
            let y = ys.type == .double ? ys.doubles[i] : Double(ys.ints[i])
            let x = xs.type == .double ? xs.doubles[i] : Double(xs.ints[i])
            count[g] += 1
            let dx = x - meanX[g]
            let dy = y - meanY[g]
            meanX[g] += dx / count[g]
            meanY[g] += dy / count[g]
            coMoment[g] += dx * (y - meanY[g])
            m2X[g] += dx * (x - meanX[g])
            m2Y[g] += dy * (y - meanY[g])
        }
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! CovarianceState
        for g in 0..<o.count.count where o.count[g] > 0 {
            let t = Int(mapping[g])
            let (na, nb) = (count[t], o.count[g])
            let n = na + nb
            let dx = o.meanX[g] - meanX[t]
            let dy = o.meanY[g] - meanY[t]
            coMoment[t] += o.coMoment[g] + dx * dy * na * nb / n
            m2X[t] += o.m2X[g] + dx * dx * na * nb / n
            m2Y[t] += o.m2Y[g] + dy * dy * na * nb / n
            meanX[t] += dx * nb / n
            meanY[t] += dy * nb / n
            count[t] = n
        }
    }

    func finalize(groups: Int) -> Column {
        resize(groups)
        var out = [Double](repeating: 0, count: groups)
        var valid = [UInt8](repeating: 0, count: groups)
        for g in 0..<groups {
            let n = count[g]
            switch kind {
            case .population:
                guard n > 0 else { continue }
                out[g] = coMoment[g] / n
            case .sample:
                guard n > 1 else { continue }
                out[g] = coMoment[g] / (n - 1)
            case .correlation:
                guard n > 0 else { continue }
                let sx = n > 1 ? (m2X[g] / n).squareRoot() : 0
                let sy = n > 1 ? (m2Y[g] / n).squareRoot() : 0
                out[g] = (coMoment[g] / n) / (sx * sy)
            }
            valid[g] = 1
        }
        return Column(doubles: out, validity: valid)
    }

    func makeEmpty() -> AggregateState { CovarianceState(kind) }
}

extension AggregateRegistry {
    /// covar_pop, covar_samp, corr(y, x) over numbers (BOOLEAN and text are not accepted): DOUBLE.
    static func covariance(_ c: AggregateCall) -> AggregateFunction? {
        let kinds: [String: CovarianceState.Kind] = [
            "covar_pop": .population, "covar_samp": .sample, "corr": .correlation,
        ]
        guard let kind = kinds[c.name], let t = c.argumentType, let u = c.secondArgumentType,
            t.isNumeric || t == .null, u.isNumeric || u == .null
        else { return nil }
        return AggregateFunction(name: c.name, argumentType: t, returnType: .double, ordered: true) { _ in
            CovarianceState(kind)
        }
    }
}
