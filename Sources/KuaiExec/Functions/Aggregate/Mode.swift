import KuaiCore

/// mode(x): the most frequent non-NULL value of the group (DuckDB 2.0.1); NULL for a group without
/// one. Rows are kept (`RowStore`) and sorted once by (group, value); runs of equal values are
/// counted. Among equally frequent values the smallest wins (DuckDB: the one it met first).
final class ModeState: AggregateState {
    let type: DataType
    let store = RowStore()
    init(type: DataType) { self.type = type }
    func resize(_ groups: Int) {}
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        store.append(ids, input, [], count: n, onlyValid: true)
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        store.merge((other as! ModeState).store, mapping: mapping)
    }
    func finalize(groups: Int) throws -> Column {
        let (cols, perm) = try store.sorted(orderKeys: [], byValue: true)
        guard !cols.isEmpty else { return Column.broadcast(.null, type: type, count: groups) }
        var pick = [Int32](repeating: 0, count: groups)
        var best = [Int](repeating: 0, count: groups)
        let values = cols[1]
        cols[0].ints.withUnsafeBufferPointer { gid in
            var k = 0
            while k < perm.count {
                let first = perm[k]
                let g = Int(gid[Int(first)])
                var end = k + 1
                while end < perm.count, Int(gid[Int(perm[end])]) == g,
                    ModeState.equal(values, Int(first), Int(perm[end]))
                {
                    end += 1
                }
                if end - k > best[g] {
                    best[g] = end - k
                    pick[g] = first
                }
                k = end
            }
        }
        var out = pick.withUnsafeBufferPointer { values.gather($0) }
        out.validity = best.map { $0 > 0 ? 1 : 0 }
        return out
    }
    func makeEmpty() -> AggregateState { ModeState(type: type) }
    /// INTERVAL values with months and days are kept whole by the row store and compared by their
    /// normalized value (`equal`).
    var acceptsWideInput: Bool { type == .interval }

    /// Rows `a` and `b` of `c` hold equal values (strings byte-wise, doubles by value).
    @inline(__always)
    static func equal(_ c: Column, _ a: Int, _ b: Int) -> Bool {
        switch c.type {
        case .varchar: return StringView.equal(c.stringView(at: a), c.stringView(at: b))
        case .double: return c.doubles[a] == c.doubles[b] || (c.doubles[a].isNaN && c.doubles[b].isNaN)
        case .interval where c.highs != nil: return c.interval(at: a).normalizedKey == c.interval(at: b).normalizedKey
        default: return c.ints[a] == c.ints[b] && (c.highs?[a] ?? 0) == (c.highs?[b] ?? 0)
        }
    }
}

extension AggregateRegistry {
    /// mode(x): the type of `x`.
    static func mode(_ c: AggregateCall) -> AggregateFunction? {
        guard c.name == "mode", let t = c.argumentType, c.secondArgumentType == nil else { return nil }
        return AggregateFunction(name: c.name, argumentType: t, returnType: t) { _ in ModeState(type: t) }
    }
}
