import KuaiCore

/// A string a top-N bound compares rows with, holding its own copy of the bytes (the column it
/// came from may be gone by the time the bound is used).
struct OwnedString {
    let view: StringView
    private let owner: StringHeap?

    init(_ v: StringView) {
        if v.isInline {
            view = v
            owner = nil
            return
        }
        let heap = StringHeap()
        view = v.withBytes { StringView(bytes: heap.store($0.baseAddress!, count: $0.count), count: $0.count) }
        owner = heap
    }

    /// Calls `body` with a view of `s` (a zone map's edge), valid only inside `body`.
    static func withView<R>(_ s: String, _ body: (StringView) -> R) -> R {
        var s = s
        return s.withUTF8 { b in body(StringView(bytes: b.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: b.count))
        }
    }
}

/// A top-N bound on a VARCHAR key: `prefix` is the bound's `StringView.orderPrefix` and `exact`
/// the whole string when it is known. A prefix-only bound (the `keep`-th best prefix of a batch)
/// decides a row only when its prefix differs from `prefix`: a string whose first 8 bytes are
/// greater is greater.
struct StringEdge {
    let prefix: UInt64
    let exact: OwnedString?

    init(_ exact: StringView) {
        prefix = exact.orderPrefix
        self.exact = OwnedString(exact)
    }

    init(prefix: UInt64) {
        self.prefix = prefix
        exact = nil
    }

    /// The sign of `v` against the bound in byte order: negative when `v` is smaller, positive when
    /// larger, 0 when equal or when a prefix-only bound cannot tell.
    @inline(__always)
    func compare(_ v: StringView) -> Int {
        let p = v.orderPrefix
        if p != prefix { return p < prefix ? -1 : 1 }
        guard let exact else { return 0 }
        return StringView.compare(v, exact.view)
    }

    /// Whether this bound sorts before `other` (`ascending`) or after it: the tighter bound. At the
    /// same prefix, an exact bound is tighter than a prefix-only one.
    func isTighter(than other: StringEdge, ascending: Bool) -> Bool {
        if prefix != other.prefix { return ascending ? prefix < other.prefix : prefix > other.prefix }
        guard let a = exact else { return false }
        guard let b = other.exact else { return true }
        let c = StringView.compare(a.view, b.view)
        return ascending ? c < 0 : c > 0
    }
}

/// The first sort key's value at the last kept row of a top-N buffer: incoming rows strictly
/// worse on the first key are dropped. Integer-stored, DOUBLE and VARCHAR keys (dictionary codes
/// or flat strings, compared in byte order as DuckDB does); a NULL bound filters nothing.
struct TopNBound {
    /// The bound in the key's terms.
    enum Edge {
        /// An integer-stored key's value.
        case int(Int64)
        /// A DOUBLE key's value as `orderedDouble`.
        case double(UInt64)
        /// A VARCHAR key's value (or only its first 8 bytes).
        case string(StringEdge)
    }
    let key: SortKey
    let edge: Edge

    /// The bound an integer-stored key's value gives (nil for other kinds of bound).
    var intBound: Int64? {
        if case .int(let x) = edge { return x }
        return nil
    }

    init?(_ kept: Batch, key: SortKey) {
        let col = kept.columns[key.column]
        let last = kept.count - 1
        guard last >= 0, col.isValid(last), col.type != .null, !col.type.isNested else { return nil }
        guard col.highs == nil else { return nil }  // HUGEINT beyond Int64: no 64-bit bound
        self.key = key
        switch col.type {
        case .double: edge = .double(orderedDouble(col.doubles[last]))
        case .varchar: edge = .string(StringEdge(col.stringView(at: last)))
        default: edge = .int(col.ints[last])
        }
    }

    /// The bound of `keep` rows of `col` (the first key's values, `count` rows): the `keep`-th best
    /// valid value, so that at least `keep` rows are at least as good and any strictly worse row
    /// cannot be among the best `keep` of this batch and anything else. nil when the column holds
    /// fewer than `keep` valid values or cannot be bounded. O(count) (a selection, not a sort).
    /// A VARCHAR column of a dictionary not larger than `count` gives its exact `keep`-th best
    /// string (a count per code, walked in the dictionary's byte order); other VARCHAR columns the
    /// `keep`-th best `orderPrefix`.
    init?(best keep: Int, of col: Column, count n: Int, key: SortKey) {
        guard keep > 0, n >= keep, col.type != .null, !col.type.isNested, col.highs == nil else { return nil }
        self.key = key
        if col.type == .varchar, let dict = col.dictionary, dict.count <= n {
            guard let e = Self.dictionaryEdge(best: keep, of: col, count: n, dictionary: dict, ascending: key.ascending)
            else { return nil }
            edge = .string(e)
            return
        }
        var words = [UInt64]()
        words.reserveCapacity(n)
        let flip: UInt64 = 1 << 63
        switch col.type {
        case .double:
            for i in 0..<n where col.isValid(i) { words.append(orderedDouble(col.doubles[i])) }
        case .varchar:
            for i in 0..<n where col.isValid(i) { words.append(col.stringView(at: i).orderPrefix) }
        default:
            col.ints.withUnsafeBufferPointer { x in
                if let v = col.validity {
                    for i in 0..<n where v[i] != 0 { words.append(UInt64(bitPattern: x[i]) ^ flip) }
                } else {
                    for i in 0..<n { words.append(UInt64(bitPattern: x[i]) ^ flip) }
                }
            }
        }
        guard words.count >= keep else { return nil }
        let rank = key.ascending ? keep - 1 : words.count - keep
        let w = words.withUnsafeMutableBufferPointer { nthSmallest($0, rank) }
        switch col.type {
        case .double: edge = .double(w)
        case .varchar: edge = .string(StringEdge(prefix: w))
        default: edge = .int(Int64(bitPattern: w ^ flip))
        }
    }

    /// The `keep`-th best string of a dictionary column (`count` rows): the valid rows counted per
    /// code, the counts walked in the dictionary's byte order (`StringDictionary.sortRanks`) from
    /// the best end. nil when fewer than `keep` rows are valid.
    private static func dictionaryEdge(
        best keep: Int, of col: Column, count n: Int, dictionary dict: StringDictionary, ascending: Bool
    ) -> StringEdge? {
        let ranks = dict.sortRanks
        var perRank = [Int](repeating: 0, count: dict.count)
        var codeOfRank = [Int32](repeating: 0, count: dict.count)
        col.codes.withUnsafeBufferPointer { c in
            ranks.withUnsafeBufferPointer { r in
                perRank.withUnsafeMutableBufferPointer { k in
                    for i in 0..<n where col.isValid(i) { k[Int(r[Int(c[i])])] &+= 1 }
                }
            }
        }
        for code in 0..<dict.count { codeOfRank[Int(ranks[code])] = Int32(code) }
        var seen = 0
        for step in 0..<dict.count {
            let r = ascending ? step : dict.count - 1 - step
            seen += perRank[r]
            if seen >= keep { return StringEdge(dict.views[Int(codeOfRank[r])]) }
        }
        return nil
    }

    /// The rows of `b` that may still enter the result, or nil when none can.
    func filter(_ b: Batch) -> Batch? {
        let n = b.count
        let sel = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(n, 1))
        defer { sel.deallocate() }
        guard let kept = select(b.columns[key.column], count: n, into: sel) else { return b }
        if kept == 0 { return nil }
        if kept == n { return b }
        return b.gather(UnsafeBufferPointer(rebasing: sel[0..<kept]))
    }

    /// The rows among the first `n` of `col` (values of the first key) that may still enter the
    /// result, written into `sel` (room for `n`); returns how many, or nil when every row may
    /// (a column this bound cannot test, such as HUGEINT beyond Int64).
    func select(_ col: Column, count n: Int, into sel: UnsafeMutableBufferPointer<Int32>) -> Int? {
        if col.highs != nil || col.type == .null || col.type.isNested { return nil }
        let flip: UInt64 = 1 << 63  // signed order as unsigned order
        switch (edge, col.type) {
        case (.double(let db), .double):
            return col.doubles.withUnsafeBufferPointer { x in
                select(n, col.validity, sel, db) { orderedDouble(x[$0]) }
            }
        case (.string(let e), .varchar):
            return selectStrings(col, count: n, edge: e, into: sel)
        case (.int(let ib), let t) where t != .double && t != .varchar:
            let bound = UInt64(bitPattern: ib) ^ flip
            return col.ints.withUnsafeBufferPointer { x in
                select(n, col.validity, sel, bound) { UInt64(bitPattern: x[$0]) ^ flip }
            }
        default:
            return nil
        }
    }

    /// `select` for a VARCHAR key. A dictionary column not larger than its rows tests each code
    /// once (a pass byte per code, then a lookup per row); otherwise each row's string is compared
    /// (its 8-byte prefix first, the bytes only on a tie).
    private func selectStrings(
        _ col: Column, count n: Int, edge e: StringEdge, into sel: UnsafeMutableBufferPointer<Int32>
    ) -> Int {
        let pass: (Int) -> Bool = key.ascending ? { $0 <= 0 } : { $0 >= 0 }
        if let dict = col.dictionary {
            let views = dict.views
            if dict.count <= n {
                let passes = views.map { pass(e.compare($0)) ? UInt64(0) : UInt64(2) }
                return passes.withUnsafeBufferPointer { p in
                    col.codes.withUnsafeBufferPointer { c in
                        select(n, col.validity, sel, 1, ascending: true) { p[Int(c[$0])] }
                    }
                }
            }
            return views.withUnsafeBufferPointer { v in
                col.codes.withUnsafeBufferPointer { c in
                    select(n, col.validity, sel, 1, ascending: true) { pass(e.compare(v[Int(c[$0])])) ? 0 : 2 }
                }
            }
        }
        return col.views.withUnsafeBufferPointer { v in
            select(n, col.validity, sel, 1, ascending: true) { pass(e.compare(v[$0])) ? 0 : 2 }
        }
    }

    /// True when this bound lets fewer rows through than `other` (a bound of the same key):
    /// smaller when ascending, larger when descending.
    func isTighter(than other: TopNBound) -> Bool {
        switch (edge, other.edge) {
        case (.int(let a), .int(let b)): return key.ascending ? a < b : a > b
        case (.double(let a), .double(let b)): return key.ascending ? a < b : a > b
        case (.string(let a), .string(let b)): return a.isTighter(than: b, ascending: key.ascending)
        default: return false
        }
    }

    /// Writes the rows that are not strictly worse than `bound` (by `word`, an order-preserving
    /// unsigned word of the key) into `sel` and returns how many; NULL rows are kept only when
    /// NULLs sort first. Branch-free per row: the row index is always written, the count moves
    /// only for kept rows. `ascending` (the key's direction unless given) says which side passes.
    @inline(__always)
    private func select(
        _ n: Int, _ validity: [UInt8]?, _ sel: UnsafeMutableBufferPointer<Int32>, _ bound: UInt64,
        ascending: Bool? = nil, _ word: (Int) -> UInt64
    ) -> Int {
        var k = 0
        let asc = ascending ?? key.ascending
        if let validity {
            let keepNull = key.nullsFirst
            validity.withUnsafeBufferPointer { v in
                for i in 0..<n {
                    let inRange = v[i] != 0 ? (asc ? word(i) <= bound : word(i) >= bound) : keepNull
                    sel[k] = Int32(truncatingIfNeeded: i)
                    k &+= inRange ? 1 : 0
                }
            }
        } else if asc {
            for i in 0..<n {
                sel[k] = Int32(truncatingIfNeeded: i)
                k &+= word(i) <= bound ? 1 : 0
            }
        } else {
            for i in 0..<n {
                sel[k] = Int32(truncatingIfNeeded: i)
                k &+= word(i) >= bound ? 1 : 0
            }
        }
        return k
    }
}

/// The `rank`-th smallest word of `w` (0-based), reordering `w`: a quickselect with a
/// median-of-three pivot (expected O(count)).
func nthSmallest(_ w: UnsafeMutableBufferPointer<UInt64>, _ rank: Int) -> UInt64 {
    var lo = 0
    var hi = w.count - 1
    while lo < hi {
        let mid = lo + (hi - lo) / 2
        // Median of three as the pivot value.
        let a = w[lo]
        let b = w[mid]
        let c = w[hi]
        let pivot = max(min(a, b), min(max(a, b), c))
        var i = lo
        var j = hi
        while i <= j {
            while w[i] < pivot { i += 1 }
            while w[j] > pivot { j -= 1 }
            if i <= j {
                w.swapAt(i, j)
                i += 1
                j -= 1
            }
        }
        // Now w[lo...j] <= pivot <= w[i...hi], and w[j+1..<i] == pivot.
        if rank <= j {
            hi = j
        } else if rank >= i {
            lo = i
        } else {
            return pivot
        }
    }
    return w[rank]
}
