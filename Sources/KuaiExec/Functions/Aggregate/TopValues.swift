import KuaiCore

/// min(x, n) / max(x, n): each group's n smallest / largest values, duplicates kept and NULLs
/// skipped, as a list in that order (largest first for max), DuckDB 2.0.1; NULL for a group without
/// values. Values of integer-stored types and DOUBLE; per group a sorted run of at most n
/// (order word, value) pairs, each row offered by insertion (n is small in practice).
final class TopValuesState: AggregateState {
    let type: DataType
    let isMax: Bool
    let n: Int
    /// Group g's kept values at g*n ..< g*n + counts[g], best first: `words` order them (larger is
    /// better: the order-preserving word, complemented for min), `values` are the values themselves.
    private var words: [UInt64] = []
    private var values: [Int64] = []
    private var counts: [Int32] = []

    init(type: DataType, isMax: Bool, n: Int) {
        (self.type, self.isMax, self.n) = (type, isMax, n)
    }

    func resize(_ groups: Int) {
        let extra = groups - counts.count
        guard extra > 0 else { return }
        counts.append(contentsOf: repeatElement(0, count: extra))
        words.append(contentsOf: repeatElement(0, count: extra * n))
        values.append(contentsOf: repeatElement(0, count: extra * n))
    }

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count rows: Int) {
        guard let input, input.type != .null else { return }
        let flip: UInt64 = isMax ? 0 : .max
        input.validity.withUnsafeBufferPointerOrNil { valid in
            if input.type == .double {
                input.doubles.withUnsafeBufferPointer { xs in
                    for i in 0..<rows where valid?[i] ?? 1 != 0 {
                        offer(Int(ids[i]), orderedDouble(xs[i]) ^ flip, Int64(bitPattern: xs[i].bitPattern))
                    }
                }
            } else {
                input.ints.withUnsafeBufferPointer { xs in
                    for i in 0..<rows where valid?[i] ?? 1 != 0 {
                        offer(Int(ids[i]), (UInt64(bitPattern: xs[i]) ^ (1 << 63)) ^ flip, xs[i])
                    }
                }
            }
        }
    }

    /// Keeps (word, value) among group g's n best.
    @inline(__always)
    private func offer(_ g: Int, _ w: UInt64, _ v: Int64) {
        let base = g &* n
        var c = Int(counts[g])
        if c == n {
            if w <= words[base &+ n &- 1] { return }
            c = n &- 1
        } else {
            counts[g] += 1
        }
        // insertion after the equal words already kept (a stable order among ties)
        var at = base &+ c
        while at > base && words[at &- 1] < w {
            words[at] = words[at &- 1]
            values[at] = values[at &- 1]
            at &-= 1
        }
        words[at] = w
        values[at] = v
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! TopValuesState
        for g in 0..<min(o.counts.count, mapping.count) {
            let t = Int(mapping[g])
            for j in 0..<Int(o.counts[g]) { offer(t, o.words[g * n + j], o.values[g * n + j]) }
        }
    }

    func finalize(groups: Int) throws -> Column {
        var packed = [Int64](repeating: 0, count: groups)
        var valid = [UInt8](repeating: 0, count: groups)
        var kept: [Int64] = []
        for g in 0..<groups where g < counts.count && counts[g] > 0 {
            let c = Int(counts[g])
            packed[g] = Column.packList(offset: kept.count, length: c)
            valid[g] = 1
            kept.append(contentsOf: values[(g * n)..<(g * n + c)])
        }
        let child =
            type == .double
            ? Column(doubles: kept.map { Double(bitPattern: UInt64(bitPattern: $0)) })
            : Column(type: type, ints: kept)
        return Column(listOf: type, packed: packed, child: child, validity: valid.contains(0) ? valid : nil)
    }

    func makeEmpty() -> AggregateState { TopValuesState(type: type, isMax: isMax, n: n) }
}

extension AggregateRegistry {
    /// min(x, n) / max(x, n) with n a positive integer constant: `T[]` for x of an integer-stored
    /// type or DOUBLE (`TopValuesState`); nil (no such function) for other types, a wide value
    /// type, or n not a positive integer (DuckDB: "n value must be > 0").
    static func topValues(_ c: AggregateCall, _ t: DataType, isMax: Bool) -> AggregateFunction? {
        guard c.parameters.count == 1, case .int(let n) = c.parameters[0], n > 0, n <= 1 << 20,
            t == .double
                || (!t.mayBeWide && (t.isInteger || t.isDecimal || t == .boolean || t == .date || t.isTimestamp))
        else { return nil }
        return AggregateFunction(name: c.name, argumentType: t, returnType: .list(t)) { at in
            TopValuesState(type: at, isMax: isMax, n: Int(n))
        }
    }
}
