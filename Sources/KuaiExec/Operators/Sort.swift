import KuaiCore

/// One ORDER BY key: a column index of the input plus direction and NULL placement.
/// DuckDB's default is NULLS LAST for both ASC and DESC; the planner passes `nullsFirst`.
public struct SortKey: Sendable, Hashable, CustomStringConvertible {
    public var column: Int
    public var ascending: Bool
    public var nullsFirst: Bool
    public init(column: Int, ascending: Bool = true, nullsFirst: Bool = false) {
        self.column = column
        self.ascending = ascending
        self.nullsFirst = nullsFirst
    }
    /// `#2 DESC NULLS LAST` (EXPLAIN).
    public var description: String {
        "#\(column) \(ascending ? "ASC" : "DESC") NULLS \(nullsFirst ? "FIRST" : "LAST")"
    }
}

// MARK: - Key normalisation

/// Maps a DOUBLE to a UInt64 whose unsigned order is DuckDB's order of DOUBLE:
/// -inf < ... < -0.0 = 0.0 < ... < +inf < NaN (every NaN equal).
@inline(__always) @usableFromInline
func orderedDouble(_ d: Double) -> UInt64 {
    if d.isNaN { return UInt64.max }
    let b = (d == 0 ? 0.0 : d).bitPattern
    return b >> 63 != 0 ? ~b : b | (1 << 63)
}

/// Byte-order ranks of the codes used by VARCHAR chunks that share one dictionary:
/// `ranks[code]` for every code that appears in a valid row (others unspecified). Uses the
/// dictionary's cached ranks when the dictionary is not much larger than the rows, else ranks
/// only the codes in use.
func stringRanks(_ chunks: [Column]) -> [Int32] {
    let dict = chunks[0].dictionary!
    let rows = chunks.reduce(0) { $0 + $1.count }
    if dict.count <= 2 * rows + 4096 { return dict.sortRanks }
    var used = [Int32](repeating: -1, count: dict.count)
    var distinct: [Int32] = []
    for col in chunks {
        col.codes.withUnsafeBufferPointer { c in
            used.withUnsafeMutableBufferPointer { u in
                for i in 0..<col.count where col.isValid(i) {
                    let code = Int(c[i])
                    if u[code] < 0 {
                        u[code] = 0
                        distinct.append(Int32(code))
                    }
                }
            }
        }
    }
    let values = dict.values
    distinct.sort { StringDictionary.less(values[Int($0)], values[Int($1)]) }
    var rank: Int32 = 0
    for (i, code) in distinct.enumerated() {
        if i > 0 && values[Int(distinct[i - 1])] != values[Int(code)] { rank += 1 }
        used[Int(code)] = rank
    }
    return used
}

/// Byte-order ranks of one VARCHAR column's codes (see the chunked form).
func stringRanks(_ col: Column) -> [Int32] { stringRanks([col]) }

/// One normalised sort field: `values[i]` in 0...`range`, unsigned order = output order.
struct SortField {
    var values: [UInt64]
    var bits: Int
    /// Index into the sort keys of the key this field encodes.
    var key: Int = 0
}

/// Normalises the ORDER BY `keys` into fields whose unsigned order, compared field by field,
/// is DuckDB's order. NULL placement and direction are folded in; each key is shifted by its
/// minimum so it needs only as many bits as its range.
/// - Parameter keyChunks: per key, the key column as consecutive chunks (`count` rows in all);
///   VARCHAR chunks with different dictionaries are concatenated (one dictionary) first.
func sortFields(_ keyChunks: [[Column]], count n: Int, keys: [SortKey]) -> [SortField] {
    var fields: [SortField] = []
    // A HUGEINT key with values beyond Int64 sorts as two keys: the signed high word, then the
    // unsigned low word (stored sign-flipped, so that the signed-to-unsigned mapping below
    // restores its unsigned order). Both fields carry the key's index.
    var parts: [(chunks: [Column], key: SortKey, keyIndex: Int)] = []
    for (keyIndex, key) in keys.enumerated() {
        let chunks = keyChunks[keyIndex]
        guard chunks.contains(where: { $0.highs != nil }) else {
            parts.append((chunks, key, keyIndex))
            continue
        }
        let hi = chunks.map { c -> Column in
            if c.type == .null { return c }
            return Column(type: .bigint, ints: c.highs ?? c.ints.map { $0 >> 63 }, validity: c.validity)
        }
        let lo = chunks.map { c -> Column in
            if c.type == .null { return c }
            return Column(type: .bigint, ints: c.ints.map { $0 ^ Int64.min }, validity: c.validity)
        }
        parts.append((hi, key, keyIndex))
        parts.append((lo, key, keyIndex))
    }
    for (chunksIn, key, keyIndex) in parts {
        var chunks = chunksIn
        let type = chunks.first?.type ?? .null
        if type == .varchar, chunks.contains(where: { $0.dictionary !== chunks[0].dictionary }) {
            var b = ColumnBuilder(type: .varchar)
            for c in chunks { b.append(c) }
            chunks = [b.take()]
        }
        var vals = [UInt64](repeating: 0, count: n)
        var isNull: [UInt8] = []  // allocated at the first NULL
        var lo = UInt64.max
        var hi: UInt64 = 0
        let allNull = type == .null
        let ranks: [Int32] = type == .varchar ? stringRanks(chunks) : []
        // 1. order-preserving unsigned value per valid row, range over valid rows
        vals.withUnsafeMutableBufferPointer { v in
            var offset = 0
            for col in chunks {
                let m = col.count
                let out = UnsafeMutableBufferPointer(rebasing: v[offset..<offset + m])
                switch col.type {
                case .null:
                    break
                case .double:
                    col.doubles.withUnsafeBufferPointer { d in
                        for i in 0..<m { out[i] = orderedDouble(d[i]) }
                    }
                case .varchar:
                    ranks.withUnsafeBufferPointer { r in
                        col.codes.withUnsafeBufferPointer { c in
                            if let valid = col.validity {
                                for i in 0..<m where valid[i] != 0 { out[i] = UInt64(UInt32(bitPattern: r[Int(c[i])])) }
                            } else {
                                for i in 0..<m { out[i] = UInt64(UInt32(bitPattern: r[Int(c[i])])) }
                            }
                        }
                    }
                default:
                    col.ints.withUnsafeBufferPointer { x in
                        for i in 0..<m { out[i] = UInt64(bitPattern: x[i]) ^ (1 << 63) }
                    }
                }
                if allNull || col.type == .null {
                    if isNull.isEmpty { isNull = [UInt8](repeating: 0, count: n) }
                    for i in 0..<m { isNull[offset + i] = 1 }
                } else if let valid = col.validity {
                    for i in 0..<m {
                        if valid[i] == 0 {
                            if isNull.isEmpty { isNull = [UInt8](repeating: 0, count: n) }
                            isNull[offset + i] = 1
                            continue
                        }
                        let x = out[i]
                        if x < lo { lo = x }
                        if x > hi { hi = x }
                    }
                } else {
                    for i in 0..<m {
                        let x = out[i]
                        if x < lo { lo = x }
                        if x > hi { hi = x }
                    }
                }
                offset += m
            }
        }
        let hasNull = !isNull.isEmpty
        let anyValid = lo <= hi
        let range: UInt64 = anyValid ? hi &- lo : 0
        // 2. shift, direction, NULL placement
        if hasNull && range == UInt64.max {
            // 65 values of bits: a separate NULL indicator field, then the value.
            var flag = [UInt64](repeating: 0, count: n)
            vals.withUnsafeMutableBufferPointer { v in
                flag.withUnsafeMutableBufferPointer { f in
                    for i in 0..<n {
                        let null = isNull[i] != 0
                        f[i] = (null == key.nullsFirst) ? 0 : 1
                        if null {
                            v[i] = 0
                        } else {
                            let s = v[i] &- lo
                            v[i] = key.ascending ? s : range &- s
                        }
                    }
                }
            }
            fields.append(SortField(values: flag, bits: 1, key: keyIndex))
            fields.append(SortField(values: vals, bits: 64, key: keyIndex))
            continue
        }
        let total = hasNull ? (anyValid ? range + 1 : 0) : range
        if total == 0 { continue }  // a constant key orders nothing
        let nullValue: UInt64 = key.nullsFirst ? 0 : total
        let base: UInt64 = (hasNull && key.nullsFirst) ? 1 : 0
        vals.withUnsafeMutableBufferPointer { v in
            if hasNull {
                isNull.withUnsafeBufferPointer { nl in
                    for i in 0..<n {
                        if nl[i] != 0 {
                            v[i] = nullValue
                            continue
                        }
                        let s = v[i] &- lo
                        v[i] = (key.ascending ? s : range &- s) &+ base
                    }
                }
            } else if key.ascending {
                for i in 0..<n { v[i] = v[i] &- lo }
            } else {
                for i in 0..<n { v[i] = range &- (v[i] &- lo) }
            }
        }
        fields.append(SortField(values: vals, bits: 64 - total.leadingZeroBitCount, key: keyIndex))
    }
    return fields
}

/// Fields packed into 64-bit words: `words[w]` (most significant word first, `bits[w]` used bits)
/// and, per field, its word and shift inside that word.
struct PackedKeys {
    var words: [[UInt64]] = []
    var bits: [Int] = []
    var fieldWord: [Int] = []
    var fieldShift: [Int] = []
}

/// Packs fields (most significant first) into as few 64-bit words as fit.
/// The fields' value arrays are moved out (left empty) to keep one copy in memory.
/// - Parameter firstWordLimit: bits the first word may use (it always takes at least one
///   field), so that it can share a 64-bit word with the row index during the radix sort.
func packFields(_ fields: inout [SortField], count n: Int, firstWordLimit: Int = 64) -> PackedKeys {
    var packed = PackedKeys()
    var current: [UInt64]? = nil
    var used = 0
    var wordOfField: [Int] = []
    for fi in fields.indices {
        let bits = fields[fi].bits
        let limit = packed.words.isEmpty ? firstWordLimit : 64
        if current != nil && used + bits <= limit {
            let shift = UInt64(bits)
            current!.withUnsafeMutableBufferPointer { w in
                fields[fi].values.withUnsafeBufferPointer { v in
                    for i in 0..<n { w[i] = (w[i] << shift) | v[i] }
                }
            }
            fields[fi].values = []
            used += bits
        } else {
            if let c = current {
                packed.words.append(c)
                packed.bits.append(used)
            }
            current = fields[fi].values
            fields[fi].values = []  // `current` is now the only reference: packed in place
            used = bits
        }
        wordOfField.append(packed.words.count)
    }
    if let c = current {
        packed.words.append(c)
        packed.bits.append(used)
    }
    // shifts: bits of the later fields in the same word
    packed.fieldWord = wordOfField
    packed.fieldShift = [Int](repeating: 0, count: fields.count)
    var below = [Int](repeating: 0, count: packed.words.count)
    for f in stride(from: fields.count - 1, through: 0, by: -1) {
        packed.fieldShift[f] = below[wordOfField[f]]
        below[wordOfField[f]] += fields[f].bits
    }
    return packed
}

/// Stable LSD radix sort of `perm` (row ids) by `keys` (parallel to `perm`), using the low
/// `bits` bits of the keys. Digits of up to 11 bits (8 for small inputs); digits that are equal
/// in every row are skipped. `keys`/`perm` are sorted in place; `tmpKeys`/`tmpPerm` are scratch
/// of equal size.
func radixSort(
    keys: UnsafeMutableBufferPointer<UInt64>, perm: UnsafeMutableBufferPointer<Int32>,
    tmpKeys: UnsafeMutableBufferPointer<UInt64>, tmpPerm: UnsafeMutableBufferPointer<Int32>, bits: Int
) {
    let n = keys.count
    if n < 2 || bits == 0 { return }
    if n <= 48 {
        // insertion sort (stable)
        for i in 1..<n {
            let k = keys[i]
            let p = perm[i]
            var j = i - 1
            while j >= 0 && keys[j] > k {
                keys[j + 1] = keys[j]
                perm[j + 1] = perm[j]
                j -= 1
            }
            keys[j + 1] = k
            perm[j + 1] = p
        }
        return
    }
    let maxDigit = n >= 1 << 16 ? 11 : 8
    let passes = (bits + maxDigit - 1) / maxDigit
    let digit = (bits + passes - 1) / passes
    let radix = 1 << digit
    let mask = UInt64(radix - 1)
    // All histograms in one read.
    let hist = UnsafeMutableBufferPointer<Int>.allocate(capacity: passes * radix)
    defer { hist.deallocate() }
    hist.initialize(repeating: 0)
    for i in 0..<n {
        let k = keys[i]
        for p in 0..<passes {
            hist[p * radix + Int(truncatingIfNeeded: (k >> UInt64(p * digit)) & mask)] += 1
        }
    }
    var srcK = keys
    var srcP = perm
    var dstK = tmpKeys
    var dstP = tmpPerm
    var inTmp = false
    for p in 0..<passes {
        let h = UnsafeMutableBufferPointer(rebasing: hist[p * radix..<(p + 1) * radix])
        var skip = false
        for b in 0..<radix where h[b] != 0 {
            skip = h[b] == n
            break
        }
        if skip { continue }
        var sum = 0
        for b in 0..<radix {
            let c = h[b]
            h[b] = sum
            sum += c
        }
        let shift = UInt64(p * digit)
        for i in 0..<n {
            let k = srcK[i]
            let b = Int(truncatingIfNeeded: (k >> shift) & mask)
            let d = h[b]
            h[b] = d + 1
            dstK[d] = k
            dstP[d] = srcP[i]
        }
        swap(&srcK, &dstK)
        swap(&srcP, &dstP)
        inTmp.toggle()
    }
    if inTmp {
        _ = keys.update(fromContentsOf: tmpKeys)
        _ = perm.update(fromContentsOf: tmpPerm)
    }
}

/// Stable LSD radix sort of `elems` by bits [lowBit, lowBit + bits) (the low bits hold a row
/// index, so equal keys keep index order). `tmp` is scratch of equal size.
func radixSortPacked(
    _ elems: UnsafeMutableBufferPointer<UInt64>, tmp: UnsafeMutableBufferPointer<UInt64>,
    lowBit: Int, bits: Int
) {
    let n = elems.count
    if n < 2 || bits == 0 { return }
    let maxDigit = n >= 1 << 16 ? 11 : 8
    let passes = (bits + maxDigit - 1) / maxDigit
    let digit = (bits + passes - 1) / passes
    let radix = 1 << digit
    let mask = UInt64(radix - 1)
    let hist = UnsafeMutableBufferPointer<Int>.allocate(capacity: passes * radix)
    defer { hist.deallocate() }
    hist.initialize(repeating: 0)
    for i in 0..<n {
        let k = elems[i] >> UInt64(lowBit)
        for p in 0..<passes {
            hist[p * radix + Int(truncatingIfNeeded: (k >> UInt64(p * digit)) & mask)] += 1
        }
    }
    var src = elems
    var dst = tmp
    var inTmp = false
    for p in 0..<passes {
        let h = UnsafeMutableBufferPointer(rebasing: hist[p * radix..<(p + 1) * radix])
        var skip = false
        for b in 0..<radix where h[b] != 0 {
            skip = h[b] == n
            break
        }
        if skip { continue }
        var sum = 0
        for b in 0..<radix {
            let c = h[b]
            h[b] = sum
            sum += c
        }
        let shift = UInt64(lowBit + p * digit)
        for i in 0..<n {
            let e = src[i]
            let b = Int(truncatingIfNeeded: (e >> shift) & mask)
            let d = h[b]
            h[b] = d + 1
            dst[d] = e
        }
        swap(&src, &dst)
        inTmp.toggle()
    }
    if inTmp { _ = elems.update(fromContentsOf: tmp) }
}

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
    var keyBuf = packed.words[0]
    packed.words[0] = []
    var perm: [Int32] = []
    if packed.bits[0] + idxBits <= 64 {
        // key and row index in one word: one array to move per pass
        let idxMask = (UInt64(1) << UInt64(idxBits)) - 1
        var tmp = [UInt64](repeating: 0, count: n)
        keyBuf.withUnsafeMutableBufferPointer { k in
            for i in 0..<n { k[i] = (k[i] << UInt64(idxBits)) | UInt64(i) }
            tmp.withUnsafeMutableBufferPointer { t in
                radixSortPacked(k, tmp: t, lowBit: idxBits, bits: packed.bits[0])
            }
        }
        tmp = []  // scratch freed before the permutation exists
        perm = [Int32](repeating: 0, count: n)
        keyBuf.withUnsafeMutableBufferPointer { k in
            perm.withUnsafeMutableBufferPointer { p in
                for i in 0..<n {
                    let e = k[i]
                    p[i] = Int32(truncatingIfNeeded: e & idxMask)
                    k[i] = e >> UInt64(idxBits)
                }
            }
        }
    } else {
        perm = (0..<n).map { Int32($0) }
        var tmpK = [UInt64](repeating: 0, count: n)
        var tmpP = [Int32](repeating: 0, count: n)
        keyBuf.withUnsafeMutableBufferPointer { k in
            perm.withUnsafeMutableBufferPointer { p in
                tmpK.withUnsafeMutableBufferPointer { tk in
                    tmpP.withUnsafeMutableBufferPointer { tp in
                        radixSort(keys: k, perm: p, tmpKeys: tk, tmpPerm: tp, bits: packed.bits[0])
                    }
                }
            }
        }
    }
    if packed.words.count > 1 {
        // Runs of equal first words, sorted by the later words. Scratch is allocated only as
        // large as the longest run.
        var longest = 0
        keyBuf.withUnsafeBufferPointer { top in
            var lo = 0
            while lo < n {
                var hi = lo + 1
                while hi < n && top[hi] == top[lo] { hi += 1 }
                longest = max(longest, hi - lo)
                lo = hi
            }
        }
        if longest > 1 {
            let sub = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: longest)
            let tmpK = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: longest)
            let tmpP = UnsafeMutableBufferPointer<Int32>.allocate(capacity: longest)
            defer {
                sub.deallocate()
                tmpK.deallocate()
                tmpP.deallocate()
            }
            perm.withUnsafeMutableBufferPointer { p in
                keyBuf.withUnsafeBufferPointer { top in
                    var lo = 0
                    while lo < n {
                        var hi = lo + 1
                        while hi < n && top[hi] == top[lo] { hi += 1 }
                        if hi - lo > 1 {
                            refineRun(
                                level: 1, lo: 0, hi: hi - lo, packed: packed, sub: sub,
                                perm: UnsafeMutableBufferPointer(rebasing: p[lo..<hi]), tmpK: tmpK, tmpP: tmpP)
                        }
                        lo = hi
                    }
                }
            }
        }
    }
    // prefix marks from the sorted first word
    var marks: [[UInt8]?] = []
    for prefix in markPrefixes {
        var mask: UInt64 = 0
        var ok = true
        for f in fieldBits.indices where fieldKeys[f] < prefix {
            if packed.fieldWord[f] != 0 {
                ok = false
                break
            }
            let fm: UInt64 = fieldBits[f] >= 64 ? ~0 : ((1 << UInt64(fieldBits[f])) - 1)
            mask |= fm << UInt64(packed.fieldShift[f])
        }
        if !ok {
            marks.append(nil)
            continue
        }
        var m = [UInt8](repeating: 0, count: n)
        keyBuf.withUnsafeBufferPointer { k in
            m.withUnsafeMutableBufferPointer { mb in
                mb[0] = 1
                for i in 1..<n where (k[i] ^ k[i - 1]) & mask != 0 { mb[i] = 1 }
            }
        }
        marks.append(m)
    }
    return (perm, marks)
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

// MARK: - Operator

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

    /// The rows of `b` that may still enter the result, or nil when none can.
    func filter(_ b: Batch) -> Batch? {
        let col = b.columns[key.column]
        let n = b.count
        var sel: [Int32] = []
        sel.reserveCapacity(n)
        let asc = key.ascending
        let valid = col.validity
        if col.highs != nil { return b }  // HUGEINT beyond Int64: keep every row
        if let ib = intBound, col.type != .double, col.type != .varchar, col.type != .null {
            col.ints.withUnsafeBufferPointer { x in
                for i in 0..<n {
                    if let valid, valid[i] == 0 {
                        if key.nullsFirst { sel.append(Int32(i)) }
                        continue
                    }
                    if asc ? x[i] <= ib : x[i] >= ib { sel.append(Int32(i)) }
                }
            }
        } else if let db = doubleBound, col.type == .double {
            col.doubles.withUnsafeBufferPointer { x in
                for i in 0..<n {
                    if let valid, valid[i] == 0 {
                        if key.nullsFirst { sel.append(Int32(i)) }
                        continue
                    }
                    let v = orderedDouble(x[i])
                    if asc ? v <= db : v >= db { sel.append(Int32(i)) }
                }
            }
        } else {
            return b
        }
        if sel.isEmpty { return nil }
        if sel.count == n { return b }
        return sel.withUnsafeBufferPointer { b.gather($0) }
    }
}

/// ORDER BY (with optional LIMIT/OFFSET = top-N): drains the child, sorts, emits batches of up
/// to 65536 rows.
///
/// Order as DuckDB: per key ASC/DESC with NULLS FIRST/LAST as given, VARCHAR in byte order,
/// DOUBLE with -0.0 = 0.0 and NaN above +inf; ties keep input order (stable).
/// Full sort: contiguous columns + radix sort of a row permutation by packed normalised keys.
/// With `limit`: the kept rows are compacted to the best `limit + offset` whenever the buffer
/// reaches max(4 * (limit + offset), 65536) rows, so memory stays bounded by the limit.
public final class SortOperator: PhysicalOperator {
    public let schema: Schema
    public let child: PhysicalOperator
    public let keys: [SortKey]
    public let limit: Int?
    public let offset: Int

    private var output: [Column] = []
    private var perm: [Int32] = []
    private var position = 0
    private var end = 0
    private var done = false
    private static let batchSize = 65536

    /// - Parameters:
    ///   - keys: column indexes of the child's output; at least one.
    ///   - limit: rows to emit after `offset` (nil = all).
    ///   - offset: rows to skip first.
    public init(child: PhysicalOperator, keys: [SortKey], limit: Int? = nil, offset: Int = 0) {
        self.child = child
        self.schema = child.schema
        self.keys = keys
        self.limit = limit
        self.offset = max(0, offset)
    }

    private func run() throws {
        done = true
        if let limit, limit <= 0 { return }
        var collector = BatchCollector(schema: schema)
        if let limit {
            let keep = limit.addingReportingOverflow(offset).overflow ? Int.max : limit + offset
            let threshold = keep > (Int.max / 8) ? Int.max : max(4 * keep, 65536)
            // After a compaction that kept `keep` rows, rows whose first key is strictly worse
            // than the last kept row's cannot enter the result: they are dropped on arrival.
            var bound: TopNBound? = nil
            while var b = try child.next() {
                try MemoryGuard.check()
                if let bound {
                    guard let filtered = bound.filter(b) else { continue }
                    b = filtered
                }
                collector.append(b)
                if collector.count >= threshold {
                    let n = collector.count
                    let cols = collector.take()
                    let p = try sortPermutation(cols, count: n, keys: keys)
                    let kept = gatherBatch(cols, perm: p, range: 0..<min(keep, n))
                    collector.append(kept)
                    if kept.count == keep { bound = TopNBound(kept, key: keys[0]) }
                }
            }
        } else {
            while let b = try child.next() {
                try MemoryGuard.check()
                collector.append(b)
            }
        }
        let n = collector.count
        output = collector.take()
        perm = try sortPermutation(output, count: n, keys: keys)
        position = min(offset, n)
        end = limit.map { position + min(n - position, $0) } ?? n  // no position + limit: LIMIT may be Int64.max
    }

    public func next() throws -> Batch? {
        if !done { try run() }
        guard position < end else {
            output = []
            perm = []
            return nil
        }
        let stop = min(end, position + Self.batchSize)
        let b = gatherBatch(output, perm: perm, range: position..<stop)
        position = stop
        return b
    }

    public var explainLine: String {
        let k = keys.map(\.description).joined(separator: ", ")
        if let limit { return "TopN limit=\(limit) offset=\(offset) keys=[\(k)]" }
        return "Sort keys=[\(k)]" + (offset > 0 ? " offset=\(offset)" : "")
    }
    public var children: [PhysicalOperator] { [child] }
}
