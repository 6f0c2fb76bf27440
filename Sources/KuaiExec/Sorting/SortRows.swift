import KuaiCore

/// The stable sort permutation of rows 0..<count by `keys` (DuckDB order), plus boundary marks
/// for key prefixes when they can be read off the sorted first key word.
///
/// Method: keys are normalised to unsigned fields and packed into 64-bit words; the rows are
/// radix-sorted by the first word (packed with the row index into one UInt64 when they fit),
/// then each run of equal first words is sorted by the next word (and so on), so selective
/// leading keys (partitions) make later words nearly free.
/// - Parameters:
///   - keyChunks: per key, its column as consecutive chunks (`count` rows in all).
///   - markPrefixes: prefix lengths p (number of leading keys); for each, the result holds
///     `marks[i] = 1` where sorted position i starts a new value of keys[0..<p] (position 0 always
///     1), or nil when those keys do not all live in the first word (compute them otherwise).
/// - Throws: `KuaiError.execution` when `count` exceeds Int32.max rows.
func sortRows(keyChunks: [[Column]], count n: Int, keys: [SortKey], markPrefixes: [Int] = []) throws
    -> (perm: [Int32], marks: [[UInt8]?])
{
    guard n < Int(Int32.max) else { throw KuaiError(.execution, "sort input of \(n) rows is too large") }
    var fields = sortFields(keyChunks, count: n, keys: keys)
    let fieldBits = fields.map(\.bits)
    let fieldKeys = fields.map(\.key)
    // The first word shares a UInt64 with the row index when it fits in the bits left over.
    let idxBits = 64 - UInt64(n).leadingZeroBitCount
    var packed = packFields(&fields, count: n, firstWordLimit: 64 - idxBits)
    fields = []
    if packed.words.isEmpty || n < 2 {
        // every key constant: one group
        let marks: [[UInt8]?] = markPrefixes.map { _ in
            var m = [UInt8](repeating: 0, count: n)
            if n > 0 { m[0] = 1 }
            return m
        }
        return ((0..<n).map { Int32($0) }, marks)
    }
    var first = packed.words[0]
    packed.words[0] = []
    var perm = sortByFirstWord(&first, bits: packed.bits[0], indexBits: idxBits)
    if packed.words.count > 1 { sortRunsByLaterWords(first, packed, &perm) }
    // prefix marks from the sorted first word
    let marks = markPrefixes.map { prefix -> [UInt8]? in
        var mask: UInt64 = 0
        for f in fieldBits.indices where fieldKeys[f] < prefix {
            if packed.fieldWord[f] != 0 { return nil }
            let fm: UInt64 = fieldBits[f] >= 64 ? ~0 : ((1 << UInt64(fieldBits[f])) - 1)
            mask |= fm << UInt64(packed.fieldShift[f])
        }
        var m = [UInt8](repeating: 0, count: n)
        first.withUnsafeBufferPointer { k in
            m.withUnsafeMutableBufferPointer { mb in
                mb[0] = 1
                for i in 1..<n where (k[i] ^ k[i - 1]) & mask != 0 { mb[i] = 1 }
            }
        }
        return m
    }
    return (perm, marks)
}

/// Radix-sorts the rows by their first key word (`bits` used bits); `words` ends sorted. Returns
/// the row order. When the word and a row index of `indexBits` bits fit one UInt64 they are
/// sorted together (one array to move per pass), else the words and a permutation.
func sortByFirstWord(_ words: inout [UInt64], bits: Int, indexBits: Int) -> [Int32] {
    let n = words.count
    if bits + indexBits > 64 {
        var perm = (0..<n).map { Int32($0) }
        var tmpK = [UInt64](repeating: 0, count: n)
        var tmpP = [Int32](repeating: 0, count: n)
        words.withUnsafeMutableBufferPointer { k in
            perm.withUnsafeMutableBufferPointer { p in
                tmpK.withUnsafeMutableBufferPointer { tk in
                    tmpP.withUnsafeMutableBufferPointer { tp in
                        radixSort(keys: k, perm: p, tmpKeys: tk, tmpPerm: tp, bits: bits)
                    }
                }
            }
        }
        return perm
    }
    let idxMask = (UInt64(1) << UInt64(indexBits)) - 1
    var tmp = [UInt64](repeating: 0, count: n)
    words.withUnsafeMutableBufferPointer { k in
        for i in 0..<n { k[i] = (k[i] << UInt64(indexBits)) | UInt64(i) }
        tmp.withUnsafeMutableBufferPointer { t in radixSortPacked(k, tmp: t, lowBit: indexBits, bits: bits) }
    }
    tmp = []  // scratch freed before the permutation exists
    var perm = [Int32](repeating: 0, count: n)
    words.withUnsafeMutableBufferPointer { k in
        perm.withUnsafeMutableBufferPointer { p in
            for i in 0..<n {
                let e = k[i]
                p[i] = Int32(truncatingIfNeeded: e & idxMask)
                k[i] = e >> UInt64(indexBits)
            }
        }
    }
    return perm
}

/// Sorts each run of equal (sorted) first words in `perm` by the later words of `packed`.
/// Scratch is allocated only as large as the longest run.
func sortRunsByLaterWords(_ first: [UInt64], _ packed: PackedKeys, _ perm: inout [Int32]) {
    let n = first.count
    /// Calls `body(lo, hi)` for each run [lo, hi) of equal first words.
    func forEachRun(_ body: (Int, Int) -> Void) {
        first.withUnsafeBufferPointer { top in
            var lo = 0
            while lo < n {
                var hi = lo + 1
                while hi < n && top[hi] == top[lo] { hi += 1 }
                body(lo, hi)
                lo = hi
            }
        }
    }
    var longest = 0
    forEachRun { lo, hi in longest = max(longest, hi - lo) }
    if longest < 2 { return }
    let sub = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: longest)
    let tmpK = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: longest)
    let tmpP = UnsafeMutableBufferPointer<Int32>.allocate(capacity: longest)
    defer {
        sub.deallocate()
        tmpK.deallocate()
        tmpP.deallocate()
    }
    perm.withUnsafeMutableBufferPointer { p in
        forEachRun { lo, hi in
            if hi - lo < 2 { return }
            refineRun(
                level: 1, lo: 0, hi: hi - lo, packed: packed, sub: sub,
                perm: UnsafeMutableBufferPointer(rebasing: p[lo..<hi]), tmpK: tmpK, tmpP: tmpP)
        }
    }
}

/// `sortRows` over contiguous columns.
func sortRows(_ columns: [Column], count n: Int, keys: [SortKey], markPrefixes: [Int] = []) throws
    -> (perm: [Int32], marks: [[UInt8]?])
{
    try sortRows(keyChunks: keys.map { [columns[$0.column]] }, count: n, keys: keys, markPrefixes: markPrefixes)
}

/// Sorts `perm[lo..<hi]` (rows whose words 0..<level are equal) by word `level`, then refines
/// runs of equal words recursively. `sub` holds the gathered words of the current level.
func refineRun(
    level: Int, lo: Int, hi: Int, packed: PackedKeys, sub: UnsafeMutableBufferPointer<UInt64>,
    perm: UnsafeMutableBufferPointer<Int32>, tmpK: UnsafeMutableBufferPointer<UInt64>,
    tmpP: UnsafeMutableBufferPointer<Int32>
) {
    packed.words[level].withUnsafeBufferPointer { w in
        for j in lo..<hi { sub[j] = w[Int(perm[j])] }
    }
    // (`sub`, `tmpK`, `tmpP` are scratch at least `hi` long; `perm` may be a rebased run.)
    radixSort(
        keys: UnsafeMutableBufferPointer(rebasing: sub[lo..<hi]),
        perm: UnsafeMutableBufferPointer(rebasing: perm[lo..<hi]),
        tmpKeys: UnsafeMutableBufferPointer(rebasing: tmpK[lo..<hi]),
        tmpPerm: UnsafeMutableBufferPointer(rebasing: tmpP[lo..<hi]),
        bits: packed.bits[level])
    if level + 1 >= packed.words.count { return }
    var a = lo
    while a < hi {
        var b = a + 1
        while b < hi && sub[b] == sub[a] { b += 1 }
        if b - a > 1 {
            refineRun(level: level + 1, lo: a, hi: b, packed: packed, sub: sub, perm: perm, tmpK: tmpK, tmpP: tmpP)
        }
        a = b
    }
}

/// The stable sort permutation of rows 0..<count of `columns` by `keys` (DuckDB order).
/// Shape: `count` row indexes. See `sortRows` for the method.
/// - Throws: `KuaiError.execution` when `count` exceeds Int32.max rows.
public func sortPermutation(_ columns: [Column], count n: Int, keys: [SortKey]) throws -> [Int32] {
    try sortRows(columns, count: n, keys: keys).perm
}

/// Gathers rows `perm[range]` of `columns` as one batch.
func gatherBatch(_ columns: [Column], perm: [Int32], range: Range<Int>) -> Batch {
    perm.withUnsafeBufferPointer { p in
        let sel = UnsafeBufferPointer(rebasing: p[range])
        return Batch(columns: columns.map { $0.gather(sel) }, count: range.count)
    }
}
