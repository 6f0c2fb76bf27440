import KuaiCore

/// Maps a DOUBLE to a UInt64 whose unsigned order is DuckDB's order of DOUBLE:
/// -inf < ... < -0.0 = 0.0 < ... < +inf < NaN (every NaN equal).
@inline(__always) @usableFromInline
func orderedDouble(_ d: Double) -> UInt64 {
    if d.isNaN { return UInt64.max }
    let b = (d == 0 ? 0.0 : d).bitPattern
    return b >> 63 != 0 ? ~b : b | (1 << 63)
}

/// The DOUBLE whose `orderedDouble` is `w` (0.0 for a zero of either sign, the default NaN for
/// any NaN).
@inline(__always)
func doubleFromOrdered(_ w: UInt64) -> Double {
    if w == UInt64.max { return .nan }
    return Double(bitPattern: w >> 63 != 0 ? w & ~(1 << 63) : ~w)
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
    let views = dict.views
    distinct.sort { StringView.compare(views[Int($0)], views[Int($1)]) < 0 }
    var rank: Int32 = 0
    for (i, code) in distinct.enumerated() {
        if i > 0 && !StringView.equal(views[Int(distinct[i - 1])], views[Int(code)]) { rank += 1 }
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
///   VARCHAR keys must be coded in one dictionary (`sortRows` turns other string keys into
///   prefix columns first). Consumed: each key's entry is emptied once its fields exist, and for
///   a large sort the memory that frees (when nothing else held the column) is handed back to the
///   system, so the fields replace the key columns instead of adding to them.
func sortFields(consuming keyChunks: inout [[Column]], count n: Int, keys: [SortKey]) -> [SortField] {
    var fields: [SortField] = []
    for (keyIndex, key) in keys.enumerated() {
        for chunks in sortKeyParts(keyChunks[keyIndex]) {
            fields += normalizedFields(chunks, count: n, key: key, keyIndex: keyIndex)
        }
        keyChunks[keyIndex] = []
        if n >= 1 << 20 { MemoryGuard.returnFreedMemory() }
    }
    return fields
}

/// The columns one key sorts by, as chunks. A HUGEINT key with values beyond Int64 sorts as two
/// keys: the signed high word, then the unsigned low word (stored sign-flipped, so that the
/// signed-to-unsigned mapping of `orderedWords` restores its unsigned order).
/// An INTERVAL key with months or days sorts by DuckDB's comparison key (`IntervalValue.normalizedKey`)
/// as such a HUGEINT.
func sortKeyParts(_ chunks0: [Column]) -> [[Column]] {
    guard chunks0.contains(where: { $0.highs != nil }) else { return [chunks0] }
    let chunks = chunks0.map { c -> Column in
        guard c.type == .interval, case .column(let k) = Kernels.intervalKeys(.column(c)) else { return c }
        return k
    }
    let hi = chunks.map { c -> Column in
        if c.type == .null { return c }
        return Column(type: .bigint, ints: c.highs ?? c.ints.map { $0 >> 63 }, validity: c.validity)
    }
    let lo = chunks.map { c -> Column in
        if c.type == .null { return c }
        return Column(type: .bigint, ints: c.ints.map { $0 ^ Int64.min }, validity: c.validity)
    }
    return [hi, lo]
}

/// The fields of one key (`count` rows as chunks): none for a constant key, one field of as many
/// bits as the key's range (plus one value for NULL), or two (a NULL indicator, then 64 bits)
/// when the values use all 64 bits and there are NULLs.
func normalizedFields(_ chunks: [Column], count n: Int, key: SortKey, keyIndex: Int) -> [SortField] {
    precondition(!sortsByStringPrefix(chunks), "VARCHAR sort keys reach the radix fields in one dictionary")
    var words = orderedWords(chunks, count: n)
    var vals = words.values
    words.values = []  // `vals` is the only reference: normalised in place, not copied
    let (isNull, lo, hi) = (words.isNull, words.lo, words.hi)
    let hasNull = !isNull.isEmpty
    let anyValid = lo <= hi
    let range: UInt64 = anyValid ? hi &- lo : 0
    // shift, direction, NULL placement
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
        return [SortField(values: flag, bits: 1, key: keyIndex), SortField(values: vals, bits: 64, key: keyIndex)]
    }
    let total = hasNull ? (anyValid ? range + 1 : 0) : range
    if total == 0 { return [] }  // a constant key orders nothing
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
    return [SortField(values: vals, bits: 64 - total.leadingZeroBitCount, key: keyIndex)]
}

/// An order-preserving unsigned word per row of the chunks (`count` rows in all: integers
/// sign-flipped, DOUBLE by `orderedDouble`, VARCHAR by byte-order rank; NULL rows unspecified),
/// a NULL byte per row (empty when no row is NULL) and the range [lo, hi] of the valid words
/// (lo > hi when none).
func orderedWords(_ chunks: [Column], count n: Int) -> (values: [UInt64], isNull: [UInt8], lo: UInt64, hi: UInt64) {
    var vals = [UInt64](repeating: 0, count: n)
    var isNull: [UInt8] = []  // allocated at the first NULL
    var lo = UInt64.max
    var hi: UInt64 = 0
    let allNull = (chunks.first?.type ?? .null) == .null
    let ranks: [Int32] = chunks.first?.type == .varchar ? stringRanks(chunks) : []
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
    return (vals, isNull, lo, hi)
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

/// Order-preserving UInt64 per row of `col` (ints signed-shifted, doubles ordered bits,
/// VARCHAR byte-order ranks); NULL rows unspecified.
func orderValues(_ col: Column) -> [UInt64] {
    switch col.type {
    case .double: return col.doubles.map { orderedDouble($0) }
    case .varchar:
        let col = col.dictionaryEncoded()
        let ranks = stringRanks(col)
        return (0..<col.count).map { col.isValid($0) ? UInt64(UInt32(bitPattern: ranks[Int(col.codes[$0])])) : 0 }
    case .null: return [UInt64](repeating: 0, count: col.count)
    default: return col.ints.map { UInt64(bitPattern: $0) ^ (1 << 63) }
    }
}
