import KuaiCore

/// approx_quantile(x, q): DuckDB's approximate quantile, a t-digest (compression 100) per group
/// (`TDigest`). Integers, DATE (days) and TIMESTAMP (microseconds) go in as DOUBLE; the result has
/// the input's type: the quantile rounded half to even (`nearbyint`), clamped to the type's range,
/// as DuckDB's ApproxQuantileCoding. `q` is a FLOAT in DuckDB: it is rounded to Float first.
final class ApproxQuantileState: AggregateState {
    let q: Double
    let type: DataType
    var digests: [TDigest] = []

    init(q: Double, type: DataType) {
        self.q = Double(Float(q))
        self.type = type
    }

    func resize(_ groups: Int) {
        if digests.count < groups {
            digests.append(contentsOf: repeatElement(TDigest(), count: groups - digests.count))
        }
    }

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        for i in 0..<n where input.isValid(i) {
            let x: Double
            switch input.type {
            case .double: x = input.doubles[i]
            case .hugeint: x = Double(input.int128(at: i))
            default: x = Double(input.ints[i])
            }
            if !x.isFinite { continue }  // DuckDB skips non-finite values
            digests[Int(ids[i])].add(x)
        }
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! ApproxQuantileState
        for g in 0..<o.digests.count where o.digests[g].count > 0 { digests[Int(mapping[g])].merge(o.digests[g]) }
    }

    func finalize(groups: Int) -> Column {
        resize(groups)
        var valid = [UInt8](repeating: 0, count: groups)
        var doubles = [Double](repeating: 0, count: type == .double ? groups : 0)
        var ints = [Int64](repeating: 0, count: type == .double ? 0 : groups)
        var wide = [Int128](repeating: 0, count: type == .hugeint ? groups : 0)
        for g in 0..<groups where digests[g].count > 0 {
            digests[g].compress()
            let v = digests[g].quantile(q)
            valid[g] = 1
            if type == .double {
                doubles[g] = v
            } else if type == .hugeint {
                wide[g] = ApproxQuantileState.decodeHugeint(v)
            } else {
                ints[g] = ApproxQuantileState.decode(v, type)
            }
        }
        let validity: [UInt8]? = valid.contains(0) ? valid : nil
        if type == .double { return Column(doubles: doubles, validity: validity) }
        if type == .hugeint { return Column(hugeints: wide, validity: validity) }
        return Column(type: type, ints: ints, validity: validity)
    }

    /// Reads HUGEINT input in 128 bits (as DOUBLE, like every input).
    var acceptsWideInput: Bool { true }

    /// A DOUBLE quantile as a HUGEINT, as DuckDB's cast of a DOUBLE to HUGEINT inside
    /// ApproxQuantileCoding: rounded half to even; at or beyond ±2^127 (or not finite) clamped to the
    /// smallest (-2^127) or largest (2^127 - 1) HUGEINT.
    static func decodeHugeint(_ v: Double) -> Int128 {
        let limit = 170_141_183_460_469_231_731_687_303_715_884_105_728.0  // 2^127
        guard v.isFinite, v > -limit, v < limit else {
            return v < 0 || v.isNaN && v.sign == .minus ? Int128.min : Int128.max
        }
        return Int128(v.rounded(.toNearestOrEven))
    }

    func makeEmpty() -> AggregateState { ApproxQuantileState(q: q, type: type) }

    /// A DOUBLE quantile as a value of `type`: rounded half to even; out of range (or not finite)
    /// clamped to the type's smallest or largest value.
    static func decode(_ v: Double, _ type: DataType) -> Int64 {
        let range = type == .date ? DataType.integer.integerRange : type.integerRange
        let negative = v < 0 || v.isNaN && v.sign == .minus
        guard v.isFinite && v >= -9.223372036854775808e18 && v < 9.223372036854775808e18 else {
            return negative ? range.lowerBound : range.upperBound
        }
        return min(max(Int64(v.rounded(.toNearestOrEven)), range.lowerBound), range.upperBound)
    }
}

extension TDigest {
    /// Folds the buffered values in (DuckDB calls compress() before every quantile it returns).
    mutating func compress() {
        if !processed.isEmpty || !unprocessed.isEmpty { process() }
    }
}

extension AggregateRegistry {
    /// approx_quantile(x, q): numbers, DATE, TIMESTAMP and TIMESTAMPTZ (as DuckDB); the result has the input's
    /// type, except TINYINT, which DuckDB 2.0.1 reads as BIGINT (it has no TINYINT overload); nil when q
    /// is not a constant number in [0, 1].
    static func approxQuantile(_ c: AggregateCall) -> AggregateFunction? {
        guard c.name == "approx_quantile", let t0 = c.argumentType, t0.isNumeric || t0 == .date || t0.isTimestamp,
            let q = c.number(0), q >= 0 && q <= 1
        else { return nil }
        let t: DataType = t0 == .tinyint ? .bigint : t0
        return AggregateFunction(name: c.name, argumentType: t, returnType: t) { at in
            ApproxQuantileState(q: q, type: at)
        }
    }
}
