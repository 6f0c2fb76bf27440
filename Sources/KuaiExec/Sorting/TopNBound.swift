import KuaiCore

/// The first sort key's value at the last kept row of a top-N buffer: incoming rows strictly
/// worse on the first key are dropped. Integer-stored and DOUBLE keys only; a NULL bound or a
/// VARCHAR key filters nothing.
struct TopNBound {
    let key: SortKey
    let intBound: Int64?
    let doubleBound: UInt64?

    init?(_ kept: Batch, key: SortKey) {
        let col = kept.columns[key.column]
        let last = kept.count - 1
        guard last >= 0, col.isValid(last), col.type != .varchar, col.type != .null else { return nil }
        guard col.highs == nil else { return nil }  // HUGEINT beyond Int64: no 64-bit bound
        self.key = key
        if col.type == .double {
            intBound = nil
            doubleBound = orderedDouble(col.doubles[last])
        } else {
            intBound = col.ints[last]
            doubleBound = nil
        }
    }

    /// The bound of `keep` rows of `col` (the first key's values, `count` rows): the `keep`-th best
    /// valid value, so that at least `keep` rows are at least as good and any strictly worse row
    /// cannot be among the best `keep` of this batch and anything else. nil when the column holds
    /// fewer than `keep` valid values or is not a 64-bit integer or DOUBLE column. O(count)
    /// (a selection, not a sort).
    init?(best keep: Int, of col: Column, count n: Int, key: SortKey) {
        guard keep > 0, n >= keep, col.type != .varchar, col.type != .null, col.highs == nil else { return nil }
        let isDouble = col.type == .double
        var words = [UInt64]()
        words.reserveCapacity(n)
        let flip: UInt64 = 1 << 63
        if isDouble {
            for i in 0..<n where col.isValid(i) { words.append(orderedDouble(col.doubles[i])) }
        } else {
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
        self.key = key
        if isDouble {
            intBound = nil
            doubleBound = w
        } else {
            intBound = Int64(bitPattern: w ^ flip)
            doubleBound = nil
        }
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
        if col.highs != nil { return nil }
        if let ib = intBound, col.type != .double, col.type != .varchar, col.type != .null {
            let flip: UInt64 = 1 << 63  // signed order as unsigned order
            let bound = UInt64(bitPattern: ib) ^ flip
            return col.ints.withUnsafeBufferPointer { x in
                select(n, col.validity, sel, bound) { UInt64(bitPattern: x[$0]) ^ flip }
            }
        }
        if let db = doubleBound, col.type == .double {
            return col.doubles.withUnsafeBufferPointer { x in select(n, col.validity, sel, db) { orderedDouble(x[$0]) }
            }
        }
        return nil
    }

    /// The bound as an order-preserving unsigned word (integers with the sign bit flipped, DOUBLE
    /// as `orderedDouble`).
    private var word: UInt64 { intBound.map { UInt64(bitPattern: $0) ^ (1 << 63) } ?? doubleBound ?? 0 }

    /// True when this bound lets fewer rows through than `other` (a bound of the same key):
    /// smaller when ascending, larger when descending.
    func isTighter(than other: TopNBound) -> Bool {
        if (intBound == nil) != (other.intBound == nil) { return false }
        return key.ascending ? word < other.word : word > other.word
    }

    /// Writes the rows that are not strictly worse than `bound` (by `word`, an order-preserving
    /// unsigned word of the key) into `sel` and returns how many; NULL rows are kept only when
    /// NULLs sort first. Branch-free per row: the row index is always written, the count moves
    /// only for kept rows.
    @inline(__always)
    private func select(
        _ n: Int, _ validity: [UInt8]?, _ sel: UnsafeMutableBufferPointer<Int32>, _ bound: UInt64,
        _ word: (Int) -> UInt64
    ) -> Int {
        var k = 0
        let asc = key.ascending
        if let validity {
            let keepNull = key.nullsFirst
            validity.withUnsafeBufferPointer { v in
                for i in 0..<n {
                    let w = word(i)
                    let inRange = asc ? w <= bound : w >= bound
                    sel[k] = Int32(truncatingIfNeeded: i)
                    k &+= (v[i] != 0 ? inRange : keepNull) ? 1 : 0
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
