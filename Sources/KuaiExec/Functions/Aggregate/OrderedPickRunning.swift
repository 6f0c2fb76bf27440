import KuaiCore

/// first / arbitrary / any_value with an ORDER BY of fixed-width keys, and last (with or without
/// one): a running best row per group, O(keys) per row, instead of keeping and sorting every row
/// as `OrderedPickState` does. Same answers as that state (DuckDB 2.0.1's `first(x ORDER BY y)`):
/// - the order is the ORDER BY's, each key ASC or DESC with its NULLS FIRST / LAST;
/// - among rows equal in every key the row met first is kept (`last(x ORDER BY keys)` comes here
///   as `first` over the reversed keys, as DuckDB computes it); `last` without ORDER BY
///   (`pickLast`) keeps the row met last. Across merged threads this state's rows come before the
///   merged state's, as `RowStore.merge` orders them;
/// - a NULL `x` is a candidate (the answer is then NULL) except for any_value (`onlyValid`).
///
/// Keys: integer-stored types, BOOLEAN and DOUBLE (`ArgMinMaxFixedState.handles`), each held as an
/// order-preserving word with a NULL rank. Values: those types as 64-bit words, VARCHAR as (input
/// column, row) references gathered at `finalize`; the referenced columns are compacted into one
/// when more than `compactAfter` are held, so memory stays bounded by the groups, not the input.
final class OrderedPickRunningState: AggregateState {
    let type: DataType
    let orderKeys: [SortKey]
    let onlyValid: Bool
    /// `last` without ORDER BY: every row replaces the pick (there are no keys).
    let pickLast: Bool
    /// Per group and key (`group * keys + key`): the best row's order word (DESC keys inverted) and
    /// rank (0 a NULL placed first, 1 a value, 2 a NULL placed last).
    private var words: [UInt64] = []
    private var ranks: [UInt8] = []
    /// Per group: 0 no row yet, 1 the best row's `x` is valid, 2 it is NULL.
    private var state: [UInt8] = []
    /// Per group, fixed-width `x`: its bits.
    private var xBits: [UInt64] = []
    /// Per group, VARCHAR `x`: the index into `sources` and the row there.
    private var source: [Int32] = []
    private var row: [Int32] = []
    private var sources: [Column] = []
    static let compactAfter = 64

    init(type: DataType, orderKeys: [SortKey], onlyValid: Bool, pickLast: Bool) {
        self.type = type
        self.orderKeys = orderKeys
        self.onlyValid = onlyValid
        self.pickLast = pickLast
    }

    /// Whether this state computes `first(x ORDER BY keys)` for `x` of type `value` ordered by
    /// keys of types `keys` (else `OrderedPickState` does).
    static func handles(value: DataType, keys: [DataType]) -> Bool {
        (value == .varchar || ArgMinMaxFixedState.handles(value)) && keys.allSatisfy(ArgMinMaxFixedState.handles)
    }

    private var isVarchar: Bool { type == .varchar }

    func resize(_ groups: Int) {
        guard groups > state.count else { return }
        let more = groups - state.count
        state.append(contentsOf: repeatElement(0, count: more))
        words.append(contentsOf: repeatElement(0, count: more * orderKeys.count))
        ranks.append(contentsOf: repeatElement(0, count: more * orderKeys.count))
        if isVarchar {
            source.append(contentsOf: repeatElement(0, count: more))
            row.append(contentsOf: repeatElement(0, count: more))
        } else {
            xBits.append(contentsOf: repeatElement(0, count: more))
        }
    }

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        update(input, order: [], ids: ids, count: n)
    }

    func update(_ input: Column?, order: [Column], ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, n > 0 else { return }
        let k = orderKeys.count
        // The rows' keys in comparison form, key-major: rowWords[j * n + i].
        var rowWords = [UInt64](repeating: 0, count: k * n)
        var rowRanks = [UInt8](repeating: 1, count: k * n)
        for (j, key) in orderKeys.enumerated() {
            Self.encode(order[key.column], key, n, into: &rowWords, &rowRanks, at: j * n)
        }
        let xValid = input.type == .null ? [UInt8](repeating: 0, count: n) : input.validity
        var xWords: [UInt64] = []
        if !isVarchar && input.type != .null {
            xWords = input.type == .double ? input.doubles.map(\.bitPattern) : input.ints.map { UInt64(bitPattern: $0) }
        }
        var sourceIndex: Int32 = -1
        let onlyValid = onlyValid
        let pickLast = pickLast
        rowWords.withUnsafeBufferPointer { rw in
            rowRanks.withUnsafeBufferPointer { rr in
                words.withUnsafeMutableBufferPointer { bw in
                    ranks.withUnsafeMutableBufferPointer { br in
                        state.withUnsafeMutableBufferPointer { st in
                            xValid.withUnsafeBufferPointerOrNil { xv in
                                for i in 0..<n {
                                    let ok: UInt8 = xv?[i] ?? 1
                                    if ok == 0 && onlyValid { continue }
                                    let g = Int(ids[i])
                                    if st[g] != 0 {
                                        let c = Self.compare(rw, rr, i, n, bw, br, g * k, k)
                                        if !pickLast && c >= 0 { continue }
                                    }
                                    for j in 0..<k {
                                        bw[g * k + j] = rw[j * n + i]
                                        br[g * k + j] = rr[j * n + i]
                                    }
                                    st[g] = ok == 0 ? 2 : 1
                                    guard ok != 0 else { continue }
                                    if isVarchar {
                                        if sourceIndex < 0 {
                                            sources.append(input)
                                            sourceIndex = Int32(sources.count - 1)
                                        }
                                        source[g] = sourceIndex
                                        row[g] = Int32(i)
                                    } else {
                                        xBits[g] = xWords[i]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if sources.count > Self.compactAfter { compact() }
    }

    /// Writes key `key` of the first `n` rows of `column` as order words and ranks at `base`.
    private static func encode(
        _ column: Column, _ key: SortKey, _ n: Int, into words: inout [UInt64], _ ranks: inout [UInt8], at base: Int
    ) {
        let nullRank: UInt8 = key.nullsFirst ? 0 : 2
        let flip: UInt64 = key.ascending ? 0 : ~0
        words.withUnsafeMutableBufferPointer { w in
            ranks.withUnsafeMutableBufferPointer { r in
                if column.type == .null {
                    for i in 0..<n { r[base + i] = nullRank }
                    return
                }
                if column.type == .double {
                    column.doubles.withUnsafeBufferPointer { d in
                        for i in 0..<n { w[base + i] = orderedDouble(d[i]) ^ flip }
                    }
                } else {
                    column.ints.withUnsafeBufferPointer { v in
                        for i in 0..<n { w[base + i] = (UInt64(bitPattern: v[i]) ^ (1 << 63)) ^ flip }
                    }
                }
                column.validity.withUnsafeBufferPointerOrNil { valid in
                    guard let valid else { return }
                    for i in 0..<n where valid[i] == 0 {
                        r[base + i] = nullRank
                        w[base + i] = 0
                    }
                }
            }
        }
    }

    /// Row `i`'s keys (key-major, `n` rows a key) against the held keys at `held`: -1, 0 or 1 in the
    /// ORDER BY's order.
    @inline(__always)
    private static func compare(
        _ rw: UnsafeBufferPointer<UInt64>, _ rr: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int,
        _ hw: UnsafeMutableBufferPointer<UInt64>, _ hr: UnsafeMutableBufferPointer<UInt8>, _ held: Int, _ k: Int
    ) -> Int {
        for j in 0..<k {
            let a = rr[j * n + i]
            let b = hr[held + j]
            if a != b { return a < b ? -1 : 1 }
            let x = rw[j * n + i]
            let y = hw[held + j]
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }

    /// Gathers the held VARCHAR picks into one column, so that `sources` holds one column.
    private func compact() {
        let groups = state.count
        let picked = gatherPicks(groups: groups)
        sources = [picked]
        for g in 0..<groups {
            source[g] = 0
            row[g] = Int32(g)
        }
    }

    /// The picks of groups 0..<groups as a column (NULL where no valid pick).
    private func gatherPicks(groups: Int) -> Column {
        let valid = (0..<groups).map { state[$0] == 1 ? UInt8(1) : 0 }
        return gatherReferencedRows(
            type: type, sources: sources, source: source, row: row, valid: valid, groups: groups)
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! OrderedPickRunningState
        let k = orderKeys.count
        let base = Int32(sources.count)
        sources += o.sources
        o.words.withUnsafeBufferPointer { ow in
            o.ranks.withUnsafeBufferPointer { orr in
                words.withUnsafeMutableBufferPointer { bw in
                    ranks.withUnsafeMutableBufferPointer { br in
                        for j in 0..<min(o.state.count, mapping.count) where o.state[j] != 0 {
                            let g = Int(mapping[j])
                            if state[g] != 0 {
                                // o's group j as a one-row key block: its keys are at j * k, one a row.
                                let c = Self.compareHeld(ow, orr, j * k, bw, br, g * k, k)
                                if !pickLast && c >= 0 { continue }
                            }
                            for t in 0..<k {
                                bw[g * k + t] = ow[j * k + t]
                                br[g * k + t] = orr[j * k + t]
                            }
                            state[g] = o.state[j]
                            if isVarchar {
                                source[g] = o.source[j] + base
                                row[g] = o.row[j]
                            } else {
                                xBits[g] = o.xBits[j]
                            }
                        }
                    }
                }
            }
        }
        if sources.count > Self.compactAfter { compact() }
    }

    /// Held keys at `a` (of `aw`, `ar`) against held keys at `b`: -1, 0 or 1.
    @inline(__always)
    private static func compareHeld(
        _ aw: UnsafeBufferPointer<UInt64>, _ ar: UnsafeBufferPointer<UInt8>, _ a: Int,
        _ bw: UnsafeMutableBufferPointer<UInt64>, _ br: UnsafeMutableBufferPointer<UInt8>, _ b: Int, _ k: Int
    ) -> Int {
        for j in 0..<k {
            if ar[a + j] != br[b + j] { return ar[a + j] < br[b + j] ? -1 : 1 }
            if aw[a + j] != bw[b + j] { return aw[a + j] < bw[b + j] ? -1 : 1 }
        }
        return 0
    }

    func finalize(groups: Int) throws -> Column {
        resize(groups)
        if type == .null { return Column.nulls(.null, count: groups) }
        if isVarchar { return gatherPicks(groups: groups) }
        let validity = state.prefix(groups).map { $0 == 1 ? UInt8(1) : 0 }
        let valid: [UInt8]? = validity.contains(0) ? validity : nil
        if type == .double {
            return Column(doubles: xBits.prefix(groups).map { Double(bitPattern: $0) }, validity: valid)
        }
        return Column(type: type, ints: xBits.prefix(groups).map { Int64(bitPattern: $0) }, validity: valid)
    }

    func makeEmpty() -> AggregateState {
        OrderedPickRunningState(type: type, orderKeys: orderKeys, onlyValid: onlyValid, pickLast: pickLast)
    }

    var acceptsWideInput: Bool { false }
}

/// Rows picked from several columns of one type, as one column of `groups` rows: group `g` takes
/// row `row[g]` of `sources[source[g]]` where `valid[g]` is 1, else NULL. Each source is gathered
/// once (no value copied per group through a boxed form).
func gatherReferencedRows(
    type: DataType, sources: [Column], source: [Int32], row: [Int32], valid: [UInt8], groups: Int
) -> Column {
    var bySource = [[Int32]](repeating: [], count: sources.count)
    var groupsOf = [[Int32]](repeating: [], count: sources.count)
    for g in 0..<groups where valid[g] != 0 {
        let s = Int(source[g])
        bySource[s].append(row[g])
        groupsOf[s].append(Int32(g))
    }
    var out = ColumnScatter(type: type, count: groups, dictionary: sources.first?.dictionary)
    for (s, rows) in bySource.enumerated() where !rows.isEmpty {
        let picked = rows.withUnsafeBufferPointer { sources[s].gather($0) }
        out.scatter(.column(picked), rows: groupsOf[s])
    }
    return out.finish()
}
