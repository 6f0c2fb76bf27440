import KuaiCore

/// The stable sort permutation of rows 0..<count by `keys` (DuckDB order), plus boundary marks
/// for key prefixes.
///
/// Method: keys are normalised to unsigned fields and packed into 64-bit words; the rows are
/// radix-sorted by the first word (packed with the row index into one UInt64 when they fit),
/// then each run of equal first words is sorted by the next word (and so on), so selective
/// leading keys (partitions) make later words nearly free. A VARCHAR key in flat strings (or
/// in several dictionaries) takes part by its first 8 bytes only (ranking every distinct string
/// would hash and sort them all); the keys after it are left out, and each run of rows equal on
/// every radix field is then sorted by comparing that key and the later ones in full
/// (`TieBreakKeys`), as DuckDB resolves ties of its string prefixes.
/// - Parameters:
///   - keyChunks: per key, its column as consecutive chunks (`count` rows in all). Consumed: each
///     key's entry is emptied once the sort no longer needs it, so that a caller holding no other
///     reference frees the key column during the sort (before the permutation exists).
///   - markPrefixes: prefix lengths p (number of leading keys); for each, the result holds
///     `marks[i] = 1` where sorted position i starts a new value of keys[0..<p] (position 0 always
///     1), or nil when p reaches past a key sorted by its string prefix (compute them otherwise).
/// - Throws: `KuaiError.execution` when `count` exceeds Int32.max rows.
func sortRows(consuming keyChunks: inout [[Column]], count n: Int, keys: [SortKey], markPrefixes: [Int] = [])
    throws -> (perm: [Int32], marks: [[UInt8]?])
{
    guard n < Int(Int32.max) else { throw KuaiError(.execution, "sort input of \(n) rows is too large") }
    // Short strings (at most 8 bytes, no NUL byte) are wholly in their prefix: sorted as its word.
    for k in keyChunks.indices where sortsByStringPrefix(keyChunks[k]) && prefixIsWholeString(keyChunks[k]) {
        keyChunks[k] = keyChunks[k].map(stringPrefixColumn)
    }
    guard let cut = keyChunks.firstIndex(where: sortsByStringPrefix) else {
        let sorted = radixSortRows(keyChunks: &keyChunks, count: n, keys: keys, markPrefixes: markPrefixes)
        return (sorted.perm, sorted.marks)
    }
    var radixChunks = Array(keyChunks[0..<cut])
    radixChunks.append(keyChunks[cut].map(stringPrefixColumn))
    for k in 0..<cut { keyChunks[k] = [] }
    // prefixes that reach the string key cannot be read off its 8 bytes: nil (the caller's fallback)
    let exact = markPrefixes.filter { $0 <= cut }
    var sorted = radixSortRows(
        keyChunks: &radixChunks, count: n, keys: Array(keys[0...cut]), markPrefixes: exact, tieRuns: true)
    // every row alone in its run (distinct prefixes): nothing to break, so nothing to gather
    if sorted.ties!.contains(0) {
        let tail = TieBreakKeys(keyChunks: Array(keyChunks[cut...]), keys: Array(keys[cut...]), count: n)
        tail.sortRuns(&sorted.perm, runStarts: sorted.ties!)
    }
    var exactMarks = sorted.marks.makeIterator()
    return (sorted.perm, markPrefixes.map { $0 <= cut ? exactMarks.next()! : nil })
}

/// `sortRows(consuming:)` over key chunks the caller keeps.
func sortRows(keyChunks: [[Column]], count n: Int, keys: [SortKey], markPrefixes: [Int] = []) throws
    -> (perm: [Int32], marks: [[UInt8]?])
{
    var chunks = keyChunks
    return try sortRows(consuming: &chunks, count: n, keys: keys, markPrefixes: markPrefixes)
}

/// True when a VARCHAR key is not coded in one shared dictionary (flat strings, or several
/// dictionaries): such a key is ranked by its first 8 bytes plus a tie-break, not by a global rank.
func sortsByStringPrefix(_ chunks: [Column]) -> Bool {
    guard let first = chunks.first(where: { $0.type == .varchar }) else { return false }
    guard let dictionary = first.dictionary else { return true }
    return chunks.contains { $0.type == .varchar && $0.dictionary !== dictionary }
}

/// True when every string of the VARCHAR chunks (every entry of a dictionary) has at most 8 bytes
/// and no NUL byte: then `StringView.orderPrefix` (zero-padded) orders and tells apart the strings
/// exactly as their bytes do, and the prefix alone is the sort key.
func prefixIsWholeString(_ chunks: [Column]) -> Bool {
    var seen: [ObjectIdentifier] = []
    for c in chunks where c.type == .varchar {
        if let d = c.dictionary {
            if seen.contains(ObjectIdentifier(d)) { continue }
            seen.append(ObjectIdentifier(d))
            guard d.views.allSatisfy(\.isShortWithoutNul) else { return false }
            continue
        }
        let ok = c.views.withUnsafeBufferPointer { v in
            for i in 0..<c.count where !v[i].isShortWithoutNul && c.isValid(i) { return false }
            return true
        }
        guard ok else { return false }
    }
    return true
}

/// A VARCHAR chunk's `StringView.orderPrefix` per row as a BIGINT column (sign-flipped, so that
/// the signed order of the column is the unsigned order of the prefixes); NULL rows stay NULL.
func stringPrefixColumn(_ col: Column) -> Column {
    guard col.type == .varchar else { return col }
    var out = [Int64](repeating: 0, count: col.count)
    out.withUnsafeMutableBufferPointer { o in
        if let dictionary = col.dictionary {
            let prefixes = dictionary.views.map { Int64(bitPattern: $0.orderPrefix ^ (1 << 63)) }
            col.codes.withUnsafeBufferPointer { c in
                for i in 0..<col.count where col.isValid(i) { o[i] = prefixes[Int(c[i])] }
            }
        } else {
            col.views.withUnsafeBufferPointer { v in
                for i in 0..<col.count { o[i] = Int64(bitPattern: v[i].orderPrefix ^ (1 << 63)) }
            }
        }
    }
    return Column(type: .bigint, ints: out, validity: col.validity)
}

/// The radix part of `sortRows` (every key normalised into packed words; `keyChunks` consumed
/// as `sortFields` does). With `tieRuns`, also `ties[i] = 1` where sorted position i starts a
/// run of rows that differ from the previous row in some word (position 0 always 1; every
/// position 1 when n < 2). Every prefix's marks are given (none nil).
func radixSortRows(
    keyChunks: inout [[Column]], count n: Int, keys: [SortKey], markPrefixes: [Int] = [], tieRuns: Bool = false
) -> (perm: [Int32], marks: [[UInt8]?], ties: [UInt8]?) {
    var fields = sortFields(consuming: &keyChunks, count: n, keys: keys)
    let fieldBits = fields.map(\.bits)
    let fieldKeys = fields.map(\.key)
    // The first word shares a UInt64 with the row index when it fits in the bits left over.
    let idxBits = 64 - UInt64(n).leadingZeroBitCount
    var packed = packFields(&fields, count: n, firstWordLimit: 64 - idxBits)
    fields = []
    if packed.words.isEmpty || n < 2 {
        // every key constant: one group
        var one = [UInt8](repeating: 0, count: n)
        if n > 0 { one[0] = 1 }
        return ((0..<n).map { Int32($0) }, markPrefixes.map { _ in one }, tieRuns ? one : nil)
    }
    var first = packed.words[0]
    packed.words[0] = []
    var perm = sortByFirstWord(&first, bits: packed.bits[0], indexBits: idxBits)
    if packed.words.count > 1 { sortRunsByLaterWords(first, packed, &perm) }
    // prefix marks: changes of the prefix's fields in the sorted first word, then in later words
    let marks = markPrefixes.map { prefix -> [UInt8]? in
        var masks = [UInt64](repeating: 0, count: packed.words.count)
        for f in fieldBits.indices where fieldKeys[f] < prefix {
            let fm: UInt64 = fieldBits[f] >= 64 ? ~0 : ((1 << UInt64(fieldBits[f])) - 1)
            masks[packed.fieldWord[f]] |= fm << UInt64(packed.fieldShift[f])
        }
        var m = wordChanges(first, mask: masks[0])
        markLaterWordChanges(packed, masks: masks, perm: perm, marks: &m)
        return m
    }
    guard tieRuns else { return (perm, marks, nil) }
    var ties = wordChanges(first, mask: ~0)
    markLaterWordChanges(packed, masks: packed.words.map { _ in ~0 }, perm: perm, marks: &ties)
    return (perm, marks, ties)
}

/// Sets `marks[i] = 1` where sorted position i differs from position i - 1 in the bits `masks[w]`
/// of a later word w >= 1 of `packed` (words in row order, read through `perm`).
func markLaterWordChanges(_ packed: PackedKeys, masks: [UInt64], perm: [Int32], marks: inout [UInt8]) {
    let n = perm.count
    marks.withUnsafeMutableBufferPointer { t in
        perm.withUnsafeBufferPointer { p in
            for w in packed.words.indices.dropFirst() where masks[w] != 0 {
                let mask = masks[w]
                packed.words[w].withUnsafeBufferPointer { words in
                    for i in 1..<n where (words[Int(p[i])] ^ words[Int(p[i - 1])]) & mask != 0 { t[i] = 1 }
                }
            }
        }
    }
}

/// `m[i] = 1` where `(k[i] ^ k[i - 1]) & mask != 0`, and `m[0] = 1` (k has at least one element).
func wordChanges(_ k: [UInt64], mask: UInt64) -> [UInt8] {
    var m = [UInt8](repeating: 0, count: k.count)
    k.withUnsafeBufferPointer { k in
        m.withUnsafeMutableBufferPointer { mb in
            mb[0] = 1
            for i in 1..<k.count where (k[i] ^ k[i - 1]) & mask != 0 { mb[i] = 1 }
        }
    }
    return m
}

/// The keys from the first string-prefix key on, in full, for ordering the rows of a run that tie
/// on every radix field: VARCHAR in flat strings by their bytes (`StringView.compare`), any other
/// key by its order-preserving word (`orderedWords`: ranks for one dictionary, ordered DOUBLE
/// bits, sign-flipped integers; HUGEINT beyond Int64 as its two words).
struct TieBreakKeys {
    /// One key's rows in random access: views of flat strings, or order-preserving words.
    struct Key {
        var views: Column?
        var words: [UInt64] = []
        var isNull: [UInt8] = []
        var ascending: Bool
        var nullsFirst: Bool
    }
    var keys: [Key] = []

    init(keyChunks: [[Column]], keys sortKeys: [SortKey], count n: Int) {
        for (chunks, key) in zip(keyChunks, sortKeys) {
            if sortsByStringPrefix(chunks) {
                var b = ColumnBuilder(type: .varchar)
                for c in chunks { b.append(c) }
                let col = b.take()
                // several dictionaries concatenate to views; one column of one dictionary stays coded
                let flat = col.dictionary == nil ? col : col.flattened()
                keys.append(Key(views: flat, ascending: key.ascending, nullsFirst: key.nullsFirst))
                continue
            }
            for part in sortKeyParts(chunks) {
                let w = orderedWords(part, count: n)
                keys.append(
                    Key(words: w.values, isNull: w.isNull, ascending: key.ascending, nullsFirst: key.nullsFirst))
            }
        }
    }

    /// Three-way comparison of rows a and b (negative: a first), NULLs placed as each key says.
    func compare(_ a: Int, _ b: Int) -> Int {
        for k in keys {
            let na: Bool
            let nb: Bool
            if let v = k.views {
                na = !v.isValid(a)
                nb = !v.isValid(b)
            } else {
                na = !k.isNull.isEmpty && k.isNull[a] != 0
                nb = !k.isNull.isEmpty && k.isNull[b] != 0
            }
            if na || nb {
                if na && nb { continue }
                return na == k.nullsFirst ? -1 : 1
            }
            let c: Int
            if let v = k.views {
                c = StringView.compare(v.views[a], v.views[b])
            } else {
                c = k.words[a] == k.words[b] ? 0 : (k.words[a] < k.words[b] ? -1 : 1)
            }
            if c != 0 { return k.ascending ? c : -c }
        }
        return 0
    }

    /// Sorts every run of `perm` (a run starts where `runStarts[i] == 1`) by `compare`, ties in
    /// row order (stable).
    func sortRuns(_ perm: inout [Int32], runStarts: [UInt8]) {
        let n = perm.count
        perm.withUnsafeMutableBufferPointer { p in
            var lo = 0
            while lo < n {
                var hi = lo + 1
                while hi < n && runStarts[hi] == 0 { hi += 1 }
                if hi - lo > 1 {
                    var run = UnsafeMutableBufferPointer(rebasing: p[lo..<hi])
                    run.sort { x, y in
                        let c = compare(Int(x), Int(y))
                        return c != 0 ? c < 0 : x < y
                    }
                }
                lo = hi
            }
        }
    }
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
/// Runs are independent: the rows are split at run boundaries into one range a thread, refined
/// on `threads` threads, each range with its own scratch as large as its longest run. When a
/// range would hold over 3/4 of the rows (one long run), the rows are refined as one range,
/// whose long run the radix sort spreads over the threads itself.
func sortRunsByLaterWords(
    _ first: [UInt64], _ packed: PackedKeys, _ perm: inout [Int32], threads: Int = activeProcessorCount()
) {
    let n = first.count
    first.withUnsafeBufferPointer { top in
        /// Calls `body(lo, hi)` for each run [lo, hi) of equal first words starting in `range`.
        func forEachRun(_ range: Range<Int>, _ body: (Int, Int) -> Void) {
            var lo = range.lowerBound
            while lo < range.upperBound {
                var hi = lo + 1
                while hi < n && top[hi] == top[lo] { hi += 1 }
                body(lo, hi)
                lo = hi
            }
        }
        /// Refines the runs starting in `range` of `p`.
        func refine(_ range: Range<Int>, _ p: UnsafeMutableBufferPointer<Int32>) {
            var longest = 0
            forEachRun(range) { lo, hi in longest = max(longest, hi - lo) }
            if longest < 2 { return }
            let scratch = RefineScratch(capacity: longest)
            defer { scratch.free() }
            forEachRun(range) { lo, hi in
                if hi - lo < 2 { return }
                refineRun(
                    level: 1, lo: 0, hi: hi - lo, packed: packed,
                    perm: UnsafeMutableBufferPointer(rebasing: p[lo..<hi]), scratch: scratch)
            }
        }
        // one range a thread, each starting at a run boundary
        var bounds = [0]
        if threads > 1 && n >= 1 << 16 {
            for t in 1..<threads {
                var b = max(bounds.last!, t * n / threads)
                while b > 0 && b < n && top[b] == top[b - 1] { b += 1 }
                bounds.append(b)
            }
        }
        bounds.append(n)
        let ranges = zip(bounds, bounds.dropFirst()).map { $0..<$1 }.filter { !$0.isEmpty }
        perm.withUnsafeMutableBufferPointer { p in
            if ranges.count < 2 || ranges.contains(where: { $0.count > n / 2 + n / 4 }) {
                return refine(0..<n, p)
            }
            let box = UncheckedBox(p)
            PartitionedKeyMerge.forEachPartition(ranges.count, threads: threads) { refine(ranges[$0], box.value) }
        }
    }
}

/// `sortRows` over contiguous columns.
func sortRows(_ columns: [Column], count n: Int, keys: [SortKey], markPrefixes: [Int] = []) throws
    -> (perm: [Int32], marks: [[UInt8]?])
{
    try sortRows(keyChunks: keys.map { [columns[$0.column]] }, count: n, keys: keys, markPrefixes: markPrefixes)
}

/// What `refineRun` works in, each buffer at least as long as the longest run it refines: the
/// gathered words of the current level (`words`), and the radix sort's spare keys and permutation.
struct RefineScratch {
    let words: UnsafeMutableBufferPointer<UInt64>
    let keys: UnsafeMutableBufferPointer<UInt64>
    let perm: UnsafeMutableBufferPointer<Int32>

    init(capacity: Int) {
        words = .allocate(capacity: capacity)
        keys = .allocate(capacity: capacity)
        perm = .allocate(capacity: capacity)
    }

    func free() {
        words.deallocate()
        keys.deallocate()
        perm.deallocate()
    }
}

/// Sorts `perm[lo..<hi]` (rows whose words 0..<level are equal) by word `level`, then refines
/// runs of equal words recursively (`perm` may be a rebased run).
func refineRun(
    level: Int, lo: Int, hi: Int, packed: PackedKeys, perm: UnsafeMutableBufferPointer<Int32>, scratch: RefineScratch
) {
    let sub = scratch.words
    packed.words[level].withUnsafeBufferPointer { w in
        for j in lo..<hi { sub[j] = w[Int(perm[j])] }
    }
    let keys = UnsafeMutableBufferPointer(rebasing: sub[lo..<hi])
    let runPerm = UnsafeMutableBufferPointer(rebasing: perm[lo..<hi])
    let tmpKeys = UnsafeMutableBufferPointer(rebasing: scratch.keys[lo..<hi])
    let tmpPerm = UnsafeMutableBufferPointer(rebasing: scratch.perm[lo..<hi])
    if hi - lo <= 1 << 12 {
        msdRadixSort(keys: keys, perm: runPerm, tmpKeys: tmpKeys, tmpPerm: tmpPerm)
    } else {
        radixSort(keys: keys, perm: runPerm, tmpKeys: tmpKeys, tmpPerm: tmpPerm, bits: packed.bits[level])
    }
    if level + 1 >= packed.words.count { return }
    var a = lo
    while a < hi {
        var b = a + 1
        while b < hi && sub[b] == sub[a] { b += 1 }
        if b - a > 1 { refineRun(level: level + 1, lo: a, hi: b, packed: packed, perm: perm, scratch: scratch) }
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
