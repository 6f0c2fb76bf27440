import KuaiCore

/// The last kept row of a top-N buffer on all its sort keys (DuckDB's top-N heap boundary): once a
/// buffer holds its best `keep` rows, an incoming row that sorts strictly after the last of them,
/// comparing the keys in order as the sort does, cannot be in the result. `TopNBound` filters on
/// the first key alone; this drops the rows that tie with the bound on the first keys and lose on
/// a later one (a low-cardinality first key, such as a category, ties on most rows).
///
/// Keys are compared as the sort orders them: integers signed, DOUBLE as `orderedDouble`, VARCHAR
/// in byte order (dictionary codes tested once per code), NULLs first or last as each key says.
/// Comparison stops at the first key the bound cannot hold (HUGEINT beyond Int64, INTERVAL, LIST)
/// or a batch cannot be compared on (a wide HUGEINT column): rows equal to the bound up to there
/// are kept, as are rows equal on every key.
struct TopNRowBound {
    /// The bound row's value of one key.
    enum Cell {
        case null
        case int(Int64)
        /// `orderedDouble` of the value.
        case double(UInt64)
        case string(OwnedString)
    }
    let keys: [SortKey]
    /// One cell per leading key the bound holds (at least one).
    let cells: [Cell]

    /// The bound at the last row of `kept` (the buffer's best rows, sorted); nil when `kept` is
    /// empty or its first key cannot be held.
    init?(_ kept: Batch, keys: [SortKey]) {
        let last = kept.count - 1
        guard last >= 0 else { return nil }
        var cells: [Cell] = []
        for key in keys {
            guard let cell = Self.cell(kept.columns[key.column], row: last) else { break }
            cells.append(cell)
        }
        guard !cells.isEmpty else { return nil }
        self.keys = keys
        self.cells = cells
    }

    /// Row `row` of `col` as a cell; nil for a column the bound cannot compare on.
    private static func cell(_ col: Column, row: Int) -> Cell? {
        guard comparable(col) else { return nil }
        if col.type == .null || !col.isValid(row) { return .null }
        switch col.type {
        case .double: return .double(orderedDouble(col.doubles[row]))
        case .varchar: return .string(OwnedString(col.stringView(at: row)))
        default: return .int(col.ints[row])
        }
    }

    /// Whether the values of `col` compare as one Int64, DOUBLE or string each.
    private static func comparable(_ col: Column) -> Bool {
        col.highs == nil && col.type != .interval && !col.type.isNested
    }

    /// The rows of `b` that may still enter the result (not strictly after the bound row), or nil
    /// when none may.
    func filter(_ b: Batch) -> Batch? {
        let n = b.count
        if n == 0 { return nil }
        // per row: 0 undecided (equal to the bound so far), -1 before the bound, 1 after it
        let state = UnsafeMutableBufferPointer<Int8>.allocate(capacity: n)
        state.initialize(repeating: 0)
        let rows = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        defer {
            state.deallocate()
            rows.deallocate()
        }
        for i in 0..<n { rows[i] = Int32(truncatingIfNeeded: i) }
        var open = n
        for (k, cell) in cells.enumerated() where open > 0 {
            let col = b.columns[keys[k].column]
            guard Self.comparable(col) else { break }
            open = decide(col, cell, key: keys[k], rows: rows, count: open, state: state)
        }
        var kept = 0
        for i in 0..<n {
            rows[kept] = Int32(truncatingIfNeeded: i)
            kept &+= state[i] <= 0 ? 1 : 0
        }
        if kept == 0 { return nil }
        if kept == n { return b }
        return b.gather(UnsafeBufferPointer(rebasing: rows[0..<kept]))
    }

    /// Compares the first `count` rows listed in `rows` (all equal to the bound on the earlier keys)
    /// on one key: a row that differs gets its `state` (-1 before, 1 after the bound), the rows
    /// still equal move to the front of `rows`; returns how many.
    private func decide(
        _ col: Column, _ cell: Cell, key: SortKey, rows: UnsafeMutableBufferPointer<Int32>, count: Int,
        state: UnsafeMutableBufferPointer<Int8>
    ) -> Int {
        let valid = col.validity
        if col.type == .null { return split(rows, count, valid: nil, allNull: true, cell, key, state) { _ in 0 } }
        switch cell {
        case .null:
            return split(rows, count, valid: valid, allNull: false, cell, key, state) { _ in 0 }
        case .int(let b):
            return col.ints.withUnsafeBufferPointer { x in
                split(rows, count, valid: valid, allNull: false, cell, key, state) {
                    x[$0] < b ? -1 : (x[$0] == b ? 0 : 1)
                }
            }
        case .double(let b):
            return col.doubles.withUnsafeBufferPointer { x in
                split(rows, count, valid: valid, allNull: false, cell, key, state) {
                    let w = orderedDouble(x[$0])
                    return w < b ? -1 : (w == b ? 0 : 1)
                }
            }
        case .string(let s):
            let bound = s.view
            guard let dict = col.dictionary else {
                return col.views.withUnsafeBufferPointer { v in
                    split(rows, count, valid: valid, allNull: false, cell, key, state) {
                        StringView.compare(v[$0], bound)
                    }
                }
            }
            let views = dict.views
            if dict.count <= count {
                // one comparison per code
                let signs = views.map { Int8(StringView.compare($0, bound).signum()) }
                return signs.withUnsafeBufferPointer { sg in
                    col.codes.withUnsafeBufferPointer { c in
                        split(rows, count, valid: valid, allNull: false, cell, key, state) { Int(sg[Int(c[$0])]) }
                    }
                }
            }
            return views.withUnsafeBufferPointer { v in
                col.codes.withUnsafeBufferPointer { c in
                    split(rows, count, valid: valid, allNull: false, cell, key, state) {
                        StringView.compare(v[Int(c[$0])], bound)
                    }
                }
            }
        }
    }

    /// The loop of `decide`: `compare(i)` is the sign of valid row i's value against the bound's
    /// (ascending); direction and NULL placement are applied here.
    @inline(__always)
    private func split(
        _ rows: UnsafeMutableBufferPointer<Int32>, _ count: Int, valid: [UInt8]?, allNull: Bool, _ cell: Cell,
        _ key: SortKey, _ state: UnsafeMutableBufferPointer<Int8>, _ compare: (Int) -> Int
    ) -> Int {
        var boundIsNull = false
        if case .null = cell { boundIsNull = true }
        let nullSign = key.nullsFirst ? -1 : 1  // a NULL row against a valid bound
        let asc = key.ascending
        var open = 0
        valid.withUnsafeBufferPointerOrNil { v in
            for j in 0..<count {
                let i = Int(rows[j])
                let isValid = !allNull && (v == nil || v![i] != 0)
                let c: Int
                if isValid {
                    c = boundIsNull ? -nullSign : (asc ? compare(i) : -compare(i))
                } else {
                    c = boundIsNull ? 0 : nullSign
                }
                if c == 0 {
                    rows[open] = Int32(truncatingIfNeeded: i)
                    open &+= 1
                } else {
                    state[i] = c < 0 ? -1 : 1
                }
            }
        }
        return open
    }
}
