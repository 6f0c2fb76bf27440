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

/// mode(x) over INTERVAL and LIST values: the most frequent non-NULL value of the group (DuckDB
/// 2.0.1); NULL for a group without one. Runs of equal values are counted (`GroupValueRuns`).
/// Among equally frequent values the smallest wins (see `ModeCountState`).
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

/// Counts of each distinct (group, value) pair of an aggregate's non-NULL input (mode, histogram):
/// one count per pair in a `PairCounter`, the value as one word (integers as their bits, DOUBLE as
/// `orderedDouble`, so that -0.0 counts as 0.0 and every NaN as one value; VARCHAR as its code in
/// the state's own dictionary, `StringInterner`, which a dictionary column reaches once per code).
/// No row is sorted or boxed; threads' states merge by adding counts. Subclasses finalize.
class ValueCountState {
    let type: DataType
    let counts = PairCounter()
    /// VARCHAR only: the values' codes.
    let interner: StringInterner?
    private var words: [UInt64] = []
    private var codes: [Int32] = []

    init(type: DataType) {
        self.type = type
        interner = type == .varchar ? StringInterner() : nil
    }

    /// Whether values of type `t` fit this state (one word a value): not INTERVAL, a nested type or
    /// NULL.
    static func accepts(_ t: DataType) -> Bool { t != .interval && t != .null && !t.isNested }

    func resize(_ groups: Int) {}
    var ignoresInputOrder: Bool { true }

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) throws {
        guard let input, input.type != .null, n > 0 else { return }
        if words.count < n { words = [UInt64](repeating: 0, count: n) }
        words.withUnsafeMutableBufferPointer { w in
            switch input.type {
            case .double:
                input.doubles.withUnsafeBufferPointer { d in
                    for i in 0..<n { w[i] = orderedDouble(d[i]) }
                }
            case .varchar:
                if codes.count < n { codes = [Int32](repeating: 0, count: n) }
                codes.withUnsafeMutableBufferPointer { c in
                    interner!.intern(input, rows: n, into: c)
                    for i in 0..<n { w[i] = UInt64(UInt32(bitPattern: c[i])) }
                }
            default:
                input.ints.withUnsafeBufferPointer { x in
                    for i in 0..<n { w[i] = UInt64(bitPattern: x[i]) }
                }
            }
        }
        words.withUnsafeBufferPointer { w in
            input.validity.withUnsafeBufferPointerOrNil { v in
                counts.add(rows: n, groups: ids, values: w, valid: v)
            }
        }
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) throws {
        let o = other as! ValueCountState
        var groups: [Int32] = []
        var values: [UInt64] = []
        var times: [UInt64] = []
        groups.reserveCapacity(o.counts.count)
        values.reserveCapacity(o.counts.count)
        times.reserveCapacity(o.counts.count)
        o.counts.forEachPair { g, v, c in
            groups.append(mapping[Int(g)])
            values.append(v)
            times.append(c)
        }
        if let interner, let theirs = o.interner {
            // their codes as codes of this state's dictionary
            let m = values.count
            let src = values.map { Int32(truncatingIfNeeded: $0) }
            var translated = [Int32](repeating: 0, count: m)
            src.withUnsafeBufferPointer { s in
                translated.withUnsafeMutableBufferPointer { t in
                    interner.intern(s, dictionary: theirs.target, validity: nil, into: t)
                }
            }
            for i in 0..<m { values[i] = UInt64(UInt32(bitPattern: translated[i])) }
        }
        for i in values.indices { counts.add(group: groups[i], value: values[i], times: times[i]) }
    }

    /// Whether value word `a` sorts before `b` in DuckDB's order of the type (integers signed,
    /// DOUBLE as ordered words, VARCHAR by bytes of the interned values `views`).
    @inline(__always)
    func smaller(_ a: UInt64, _ b: UInt64, _ views: [StringView]) -> Bool {
        switch type {
        case .double: return a < b
        case .varchar: return StringView.compare(views[Int(a)], views[Int(b)]) < 0
        default: return Int64(bitPattern: a) < Int64(bitPattern: b)
        }
    }

    /// The values of `words` (value words of this state) as a column of the type.
    func valueColumn(_ words: [UInt64], validity: [UInt8]?) -> Column {
        switch type {
        case .double:
            return Column(doubles: words.map(doubleFromOrdered), validity: validity)
        case .varchar:
            let codes = words.map { Int32(truncatingIfNeeded: $0) }
            return Column(codes: codes, dictionary: interner!.target, validity: validity)
        default:
            return Column(type: type, ints: words.map { Int64(bitPattern: $0) }, validity: validity)
        }
    }
}

/// mode(x) over integer-stored values (BIGINT, DATE, TIMESTAMP, DECIMAL, ...), DOUBLE and VARCHAR:
/// the most frequent non-NULL value of the group (DuckDB 2.0.1); NULL for a group without one.
/// The pairs are counted by `ValueCountState`.
///
/// Ties: DuckDB returns the value that first reached the highest count in the order its state met
/// the rows, which depends on how its threads split the input. kuai returns the smallest of the
/// equally frequent values (integers signed, DOUBLE in DuckDB's order, VARCHAR in byte order),
/// whatever the thread count; both agree whenever one value is the most frequent.
final class ModeCountState: ValueCountState, AggregateState {
    func finalize(groups: Int) throws -> Column {
        var best = [UInt64](repeating: 0, count: groups)
        var pick = [UInt64](repeating: 0, count: groups)
        let views = interner?.target.views ?? []
        best.withUnsafeMutableBufferPointer { bst in
            pick.withUnsafeMutableBufferPointer { pk in
                counts.forEachPair { g, v, c in
                    let k = Int(g)
                    if c > bst[k] || (c == bst[k] && smaller(v, pk[k], views)) {
                        bst[k] = c
                        pk[k] = v
                    }
                }
            }
        }
        let validity: [UInt8]? = best.contains(0) ? best.map { $0 > 0 ? 1 : 0 } : nil
        return valueColumn(pick, validity: validity)
    }

    func makeEmpty() -> AggregateState { ModeCountState(type: type) }
}

extension AggregateRegistry {
    /// mode(x): the type of `x`.
    static func mode(_ c: AggregateCall) -> AggregateFunction? {
        guard c.name == "mode", let t = c.argumentType, c.secondArgumentType == nil else { return nil }
        return AggregateFunction(name: c.name, argumentType: t, returnType: t) { _ in
            ModeCountState.accepts(t) ? ModeCountState(type: t) as AggregateState : ModeState(type: t)
        }
    }
}
