import KuaiCore

/// covar_pop, covar_samp, corr(y, x) and the regr_* family (DOUBLE) over the rows where both are
/// non-NULL: running means and co-moment (Welford), merged with Chan's formula, as DuckDB 2.0.1:
/// covar_pop = C / n (NULL for n = 0), covar_samp = C / (n - 1) (NULL for n < 2), corr =
/// covar_pop / (stddev_pop(x) * stddev_pop(y)) (NaN when either is constant, NULL for n = 0).
/// regr_* (NULL for n = 0 except regr_count, which is n): regr_avgx/avgy the means, regr_sxx/syy
/// var_pop * n, regr_sxy covar_pop * n, regr_slope covar_pop / var_pop(x) (NaN for a constant x),
/// regr_intercept avg(y) - slope * avg(x) (NULL when the slope is not finite), regr_r2 NULL when
/// var_pop(x) = 0, 1 when var_pop(y) = 0, else corr².
final class CovarianceState: AggregateState {
    enum Kind { case population, sample, correlation, count, avgX, avgY, sxx, syy, sxy, slope, intercept, r2 }
    let kind: Kind
    var count: [Double] = []
    var meanX: [Double] = []
    var meanY: [Double] = []
    var coMoment: [Double] = []
    var m2X: [Double] = []
    var m2Y: [Double] = []
    /// Plain sums for regr_avgx/avgy: DuckDB divides the sum by n (not the running mean), which
    /// differs with infinities and with values of very different magnitudes.
    var sumX: [Double] = []
    var sumY: [Double] = []
    init(_ kind: Kind) { self.kind = kind }

    func resize(_ groups: Int) {
        guard count.count < groups else { return }
        let k = groups - count.count
        for i in 0..<8 { withArray(i) { $0.append(contentsOf: repeatElement(0, count: k)) } }
    }

    /// Applies `body` to state array `i` (count, meanX, meanY, coMoment, m2X, m2Y, sumX, sumY).
    private func withArray(_ i: Int, _ body: (inout [Double]) -> Void) {
        switch i {
        case 0: body(&count)
        case 1: body(&meanX)
        case 2: body(&meanY)
        case 3: body(&coMoment)
        case 4: body(&m2X)
        case 5: body(&m2Y)
        case 6: body(&sumX)
        default: body(&sumY)
        }
    }

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {}

    /// Reads both arguments as DOUBLE, HUGEINT beyond Int64 included (`number`).
    var acceptsWideInput: Bool { true }

    /// The first `n` values of an integer-stored or DOUBLE column as DOUBLEs (a HUGEINT from all 128
    /// bits).
    static func numbers(_ c: Column, _ n: Int) -> [Double] {
        if c.type == .double { return c.doubles.count == n ? c.doubles : Array(c.doubles.prefix(n)) }
        if c.highs != nil { return (0..<n).map { Double(c.int128(at: $0)) } }
        return c.ints.prefix(n).map { Double($0) }
    }

    /// `input` is y (the first argument), `order[0]` x. The arguments are read as DOUBLE once per
    /// batch and the accumulators through pointers: the per-row loop checks no array for sharing.
    func update(_ input: Column?, order: [Column], ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let ys = input, ys.type != .null, order.count == 1, order[0].type != .null, n > 0 else { return }
        let xs = order[0]
        let yv = Self.numbers(ys, n)
        let xv = Self.numbers(xs, n)
        // empty: every row has both arguments
        let both: [UInt8] =
            ys.validity == nil && xs.validity == nil ? [] : (0..<n).map { ys.isValid($0) && xs.isValid($0) ? 1 : 0 }
        count.withUnsafeMutableBufferPointer { cnt in
            sumX.withUnsafeMutableBufferPointer { sx in
                sumY.withUnsafeMutableBufferPointer { sy in
                    meanX.withUnsafeMutableBufferPointer { mx in
                        meanY.withUnsafeMutableBufferPointer { my in
                            coMoment.withUnsafeMutableBufferPointer { co in
                                m2X.withUnsafeMutableBufferPointer { vx in
                                    m2Y.withUnsafeMutableBufferPointer { vy in
                                        for i in 0..<n where both.isEmpty || both[i] != 0 {
                                            let g = Int(ids[i])
                                            let y = yv[i]
                                            let x = xv[i]
                                            cnt[g] += 1
                                            sx[g] += x
                                            sy[g] += y
                                            let dx = VarianceState.welford(x, count: cnt[g], mean: &mx[g], m2: &vx[g])
                                            VarianceState.welford(y, count: cnt[g], mean: &my[g], m2: &vy[g])
                                            co[g] += dx * (y - my[g])
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
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
            sumX[t] += o.sumX[g]
            sumY[t] += o.sumY[g]
            count[t] = n
        }
    }

    func finalize(groups: Int) -> Column {
        resize(groups)
        if kind == .count { return Column(type: .bigint, ints: count.prefix(groups).map { Int64($0) }) }
        var out = [Double](repeating: 0, count: groups)
        var valid = [UInt8](repeating: 0, count: groups)
        for g in 0..<groups {
            guard let r = result(g) else { continue }
            out[g] = r
            valid[g] = 1
        }
        return Column(doubles: out, validity: valid)
    }

    /// Group g's answer; nil for NULL.
    private func result(_ g: Int) -> Double? {
        let n = count[g]
        guard n > 0 else { return nil }
        let varX = m2X[g] / n
        let varY = m2Y[g] / n
        let cov = coMoment[g] / n
        switch kind {
        case .population: return cov
        case .sample: return n > 1 ? coMoment[g] / (n - 1) : nil
        case .correlation:
            // A constant argument: DuckDB's NaN constant, which prints `nan` (0 / 0 would give the
            // negative NaN of the hardware, printed `-nan`).
            let d = n > 1 ? varX.squareRoot() * varY.squareRoot() : 0
            return d == 0 ? .nan : cov / d
        case .count: return n
        case .avgX: return sumX[g] / n
        case .avgY: return sumY[g] / n
        case .sxx: return varX * n
        case .syy: return varY * n
        case .sxy: return cov * n
        case .slope: return varX == 0 ? .nan : cov / varX
        case .intercept:
            let slope = cov / varX
            return slope.isFinite ? meanY[g] - slope * meanX[g] : nil
        case .r2:
            if varX == 0 { return nil }
            if varY == 0 { return 1 }
            let r = cov / (varX.squareRoot() * varY.squareRoot())
            return r * r
        }
    }

    func makeEmpty() -> AggregateState { CovarianceState(kind) }
}

extension AggregateRegistry {
    /// covar_pop, covar_samp, corr(y, x) and regr_*(y, x) over numbers (BOOLEAN and text are not
    /// accepted): DOUBLE; regr_count BIGINT (DuckDB: UINTEGER, a type kuai does not have).
    static func covariance(_ c: AggregateCall) -> AggregateFunction? {
        guard let kind = covarianceKinds[c.name], let t = c.argumentType, let u = c.secondArgumentType,
            t.isNumeric || t == .null, u.isNumeric || u == .null
        else { return nil }
        return AggregateFunction(
            name: c.name, argumentType: t, returnType: kind == .count ? .bigint : .double, ordered: true
        ) { _ in CovarianceState(kind) }
    }

    /// True for the two-column statistical aggregates (computed on DOUBLE arguments).
    public static func isCovariance(_ name: String) -> Bool { covarianceKinds[name] != nil }

    /// The two-column statistical aggregates and their computation.
    static let covarianceKinds: [String: CovarianceState.Kind] = [
        "covar_pop": .population, "covar_samp": .sample, "corr": .correlation, "regr_count": .count,
        "regr_avgx": .avgX, "regr_avgy": .avgY, "regr_sxx": .sxx, "regr_syy": .syy, "regr_sxy": .sxy,
        "regr_slope": .slope, "regr_intercept": .intercept, "regr_r2": .r2,
    ]
}
