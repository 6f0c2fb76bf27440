import KuaiCore

/// mad(x): the median absolute deviation, median(|x - median(x)|), of a group's non-NULL numbers as
/// DOUBLE (DuckDB 2.0.1; both medians interpolate between the middle values). Keeps (group, value)
/// pairs, sorts them once by group and value at the end. Memory: 12 bytes per non-NULL value.
final class MedianAbsoluteDeviationState: AggregateState {
    var groups: [Int32] = []
    var values: [Double] = []

    func resize(_ groups: Int) {}

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        let doubles = input.type == .double
        for i in 0..<n where input.validity?[i] ?? 1 != 0 {
            groups.append(ids[i])
            values.append(doubles ? input.doubles[i] : Double(input.ints[i]))
        }
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! MedianAbsoluteDeviationState
        for k in o.groups.indices {
            groups.append(mapping[Int(o.groups[k])])
            values.append(o.values[k])
        }
    }

    /// The median of sorted `xs` (DuckDB's interpolation between the two middle values).
    static func median(_ xs: ArraySlice<Double>) -> Double {
        let n = xs.count
        let lo = xs[xs.startIndex + (n - 1) / 2]
        if n % 2 == 1 { return lo }
        let hi = xs[xs.startIndex + n / 2]
        return (hi * 0.5).addingProduct(lo, 0.5)
    }

    func finalize(groups count: Int) -> Column {
        var order = Array(0..<values.count)
        order.sort { a, b in
            groups[a] != groups[b] ? groups[a] < groups[b] : values[a].totalOrderLess(values[b])
        }
        var out = [Double](repeating: 0, count: count)
        var valid = [UInt8](repeating: 0, count: count)
        var sorted: [Double] = []
        var deviations: [Double] = []
        var start = 0
        while start < order.count {
            let g = groups[order[start]]
            var end = start
            sorted.removeAll(keepingCapacity: true)
            while end < order.count && groups[order[end]] == g {
                sorted.append(values[order[end]])
                end += 1
            }
            let m = Self.median(sorted[...])
            deviations.removeAll(keepingCapacity: true)
            for x in sorted { deviations.append(Swift.abs(x - m)) }
            deviations.sort { $0.totalOrderLess($1) }
            out[Int(g)] = Self.median(deviations[...])
            valid[Int(g)] = 1
            start = end
        }
        return Column(doubles: out, validity: valid.contains(0) ? valid : nil)
    }

    func makeEmpty() -> AggregateState { MedianAbsoluteDeviationState() }
}

extension Double {
    /// DuckDB's order of DOUBLE values (NaN largest), for sorting.
    @inline(__always)
    fileprivate func totalOrderLess(_ other: Double) -> Bool {
        if isNaN { return false }
        if other.isNaN { return true }
        return self < other
    }
}

extension AggregateRegistry {
    /// mad(x) of a number (integers and DOUBLE; a DECIMAL is refused by the binder): DOUBLE. DuckDB's
    /// mad of a DATE or TIMESTAMP (an INTERVAL) is not provided.
    static func medianAbsoluteDeviation(_ c: AggregateCall) -> AggregateFunction? {
        guard c.name == "mad", let t = c.argumentType, t.isInteger || t == .double else { return nil }
        return AggregateFunction(name: c.name, argumentType: t, returnType: .double) { _ in
            MedianAbsoluteDeviationState()
        }
    }
}
