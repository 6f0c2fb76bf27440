import KuaiCore

/// A top-N's bound on its first sort key, published while the top-N runs, for the scan below it
/// (DuckDB's dynamic top-N filter pushdown): once a buffer of the top-N holds its `limit + offset`
/// best rows so far, a row whose first key is strictly worse than the last of them can never be
/// in the result, so the scan drops it before the other columns are decoded and before the
/// projection computes the rest of the row.
///
/// The planner places `topn_filter(key)` (`function(keyType:)`) as the last conjunct of the scan
/// under a top-N whose input is that scan or a projection of it (`TopNFilterPlacement`), over the
/// first key's expression in the scan's columns. Each buffer publishes its bound (`TopNBuffer`); the filter keeps the
/// tightest. Rows equal to the bound pass (later keys decide between them); NULL keys pass only
/// when NULLs sort first. Until a bound is published every row passes.
public final class TopNFilter: @unchecked Sendable {
    /// The first sort key's direction and NULL order (its column is unused here).
    public let key: SortKey
    private let lock = Mutex()
    private var bound: TopNBound?

    public init(key: SortKey) { self.key = key }

    /// Whether a first sort key of type `t` can be bounded: DOUBLE, VARCHAR (byte order), or one
    /// Int64 a value (`PackedJoinKeys.packable`: not INTERVAL, HUGEINT or a DECIMAL over 18
    /// digits, whose values may exceed 64 bits).
    public static func supports(_ t: DataType) -> Bool {
        t == .double || t == .varchar || (PackedJoinKeys.packable(t) && !t.isNested)
    }

    /// Offers a buffer's bound; kept when it is tighter than the one held.
    func publish(_ b: TopNBound) {
        lock.withLock {
            if let held = bound, !b.isTighter(than: held) { return }
            bound = b
        }
    }

    /// The BOOLEAN column (never NULL) of which of the first `n` values of `keys` may enter the
    /// result, or nil when every row may.
    func passing(_ keys: Column, count n: Int) -> Column? {
        guard let b = lock.withLock({ bound }), n > 0 else { return nil }
        let sel = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        defer { sel.deallocate() }
        guard let kept = b.select(keys, count: n, into: sel), kept < n else { return nil }
        var mask = [Int64](repeating: 0, count: n)
        for j in 0..<kept { mask[Int(sel[j])] = 1 }
        return Column(type: .boolean, ints: mask)
    }

    /// The function `topn_filter(key)`: TRUE where the key may still enter the result. Not
    /// deterministic (its answer tightens as the top-N runs), so it is never folded or shared.
    public func function(keyType: DataType) -> ScalarFunction {
        var f = ScalarFunction("topn_filter", [keyType], .boolean, deterministic: false) { args, _, n, _ in
            guard case .column(let keys) = args[0], let pass = self.passing(keys, count: n) else {
                return .scalar(.bool(true))
            }
            return .column(pass)
        }
        // over a stored integer-stored or VARCHAR column, blocks whose zone map lies beyond the bound
        // are skipped
        if keyType != .double {
            f.zoneRule = { self.mayPass($0) }
            f.zoneOrder = { self.rank($0) }
        }
        return f
    }

    /// A block's rank for the scan's order (`ScalarFunction.zoneOrder`): the best first key it may
    /// hold, so the top-N meets the rows that belong in the result first and its bound soon rules
    /// out the other blocks (DuckDB reads row groups in this order under ORDER BY ... LIMIT). Its
    /// min ascending, its max descending (negated; a string by its first 8 bytes), -inf for a block
    /// with NULLs when NULLs sort first, nil (last) for a block of NULLs only otherwise or without
    /// bounds.
    func rank(_ zm: ZoneMap) -> Double? {
        if zm.nullCount > 0 && key.nullsFirst { return -Double.infinity }
        if zm.rowCount > 0 && zm.nullCount >= zm.rowCount { return nil }
        let v: Double
        switch key.ascending ? zm.min : zm.max {
        case .int(let x): v = Double(x)
        case .bool(let x): v = x ? 1 : 0
        case .string(let s): v = Double(OwnedString.withView(s) { $0.orderPrefix })
        default: return nil
        }
        return key.ascending ? v : -v
    }

    /// Whether some row of a block of an integer-stored or VARCHAR key with zone map `zm` may enter
    /// the result: a NULL when NULLs sort first, or a value not strictly worse than the bound (the
    /// block's min when ascending, its max when descending; for strings these are a lower and an
    /// upper bound of the block's values).
    func mayPass(_ zm: ZoneMap) -> Bool {
        guard let b = lock.withLock({ bound }) else { return true }
        if zm.nullCount > 0 && key.nullsFirst { return true }
        if zm.rowCount > 0 && zm.nullCount >= zm.rowCount { return false }
        let c: Int
        switch (b.edge, key.ascending ? zm.min : zm.max) {
        case (.int(let bound), .int(let x)): c = x < bound ? -1 : (x == bound ? 0 : 1)
        case (.int(let bound), .bool(let x)): c = (x ? 1 : 0) < bound ? -1 : ((x ? 1 : 0) == bound ? 0 : 1)
        case (.string(let e), .string(let s)): c = OwnedString.withView(s) { e.compare($0) }
        default: return true
        }
        // c is the sign of the block's edge against the bound
        return key.ascending ? c <= 0 : c >= 0
    }
}
