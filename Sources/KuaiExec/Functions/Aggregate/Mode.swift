import KuaiCore

/// The rows of an aggregate over the runs of equal values of each group (mode, entropy): a group's
/// non-NULL values are kept (`RowStore`) and sorted once by (group, value) when the groups are
/// finished (`forEachRun`). INTERVAL values with months and days are kept whole and compared by
/// their normalized value (`equal`).
class GroupValueRuns {
    let type: DataType
    let store = RowStore()
    init(type: DataType) { self.type = type }
    func resize(_ groups: Int) {}
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        store.append(ids, input, [], count: n, onlyValid: true)
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        store.merge((other as! GroupValueRuns).store, mapping: mapping)
    }
    var acceptsWideInput: Bool { type == .interval }

    /// Sorts the kept rows and calls `body(group, first row, length)` for each run of equal values,
    /// groups ascending; returns the values column the rows index (nil when no row was kept).
    func forEachRun(_ body: (_ group: Int, _ first: Int32, _ length: Int) -> Void) throws -> Column? {
        let (cols, perm) = try store.sorted(orderKeys: [], byValue: true)
        guard !cols.isEmpty else { return nil }
        let values = cols[1]
        cols[0].ints.withUnsafeBufferPointer { gid in
            var k = 0
            while k < perm.count {
                let first = perm[k]
                let g = Int(gid[Int(first)])
                var end = k + 1
                while end < perm.count, Int(gid[Int(perm[end])]) == g, Self.equal(values, Int(first), Int(perm[end])) {
                    end += 1
                }
                body(g, first, end - k)
                k = end
            }
        }
        return values
    }

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

/// mode(x): the most frequent non-NULL value of the group (DuckDB 2.0.1); NULL for a group without
/// one. Runs of equal values are counted (`GroupValueRuns`). Among equally frequent values the
/// smallest wins (DuckDB: the one it met first).
final class ModeState: GroupValueRuns, AggregateState {
    func finalize(groups: Int) throws -> Column {
        var pick = [Int32](repeating: 0, count: groups)
        var best = [Int](repeating: 0, count: groups)
        let values = try forEachRun { g, first, length in
            if length > best[g] {
                best[g] = length
                pick[g] = first
            }
        }
        guard let values else { return Column.broadcast(.null, type: type, count: groups) }
        var out = pick.withUnsafeBufferPointer { values.gather($0) }
        out.validity = best.map { $0 > 0 ? 1 : 0 }
        return out
    }
    func makeEmpty() -> AggregateState { ModeState(type: type) }
}

extension AggregateRegistry {
    /// mode(x): the type of `x`.
    static func mode(_ c: AggregateCall) -> AggregateFunction? {
        guard c.name == "mode", let t = c.argumentType, c.secondArgumentType == nil else { return nil }
        return AggregateFunction(name: c.name, argumentType: t, returnType: t) { _ in ModeState(type: t) }
    }
}
