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
func opsOrderedDouble(_ d: Double) -> UInt64 {
    if d.isNaN { return UInt64.max }
    let b = (d == 0 ? 0.0 : d).bitPattern
    return b >> 63 != 0 ? ~b : b | (1 << 63)
}

/// Byte-order ranks of the codes used by a VARCHAR column: `ranks[code]` for every code that
/// appears in a valid row (others unspecified). Uses the dictionary's cached ranks when the
/// dictionary is not much larger than the column, else ranks only the codes in use.
func opsStringRanks(_ col: Column) -> [Int32] {
    let dict = col.dictionary!
    if dict.count <= 2 * col.count + 4096 { return dict.sortRanks }
    var used = [Int32](repeating: -1, count: dict.count)
    var distinct: [Int32] = []
    col.codes.withUnsafeBufferPointer { c in
        used.withUnsafeMutableBufferPointer { u in
            for i in 0..<col.count where col.isValid(i) {
                let code = Int(c[i])
                if u[code] < 0 { u[code] = 0; distinct.append(Int32(code)) }
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

/// One normalised sort field: `values[i]` in 0...`range`, unsigned order = output order.
struct OpsSortField {
    var values: [UInt64]
    var bits: Int
}

/// Normalises the ORDER BY `keys` of `columns` (each `count` rows) into fields whose unsigned
/// order, compared field by field, is DuckDB's order. NULL placement and direction are folded in;
/// each key is shifted by its minimum so it needs only as many bits as its range.
func opsSortFields(_ columns: [Column], count n: Int, keys: [SortKey]) -> [OpsSortField] {
    var fields: [OpsSortField] = []
    for key in keys {
        let col = columns[key.column]
        var vals = [UInt64](repeating: 0, count: n)
        var hasNull = false
        var lo = UInt64.max, hi: UInt64 = 0
        let valid = col.validity
        let allNull = col.type == .null
        // 1. order-preserving unsigned value per valid row
        vals.withUnsafeMutableBufferPointer { v in
            switch col.type {
            case .null:
                break
            case .double:
                col.doubles.withUnsafeBufferPointer { d in
                    for i in 0..<n { v[i] = opsOrderedDouble(d[i]) }
                }
            case .varchar:
                let ranks = opsStringRanks(col)
                ranks.withUnsafeBufferPointer { r in
                    col.codes.withUnsafeBufferPointer { c in
                        if let valid {
                            for i in 0..<n where valid[i] != 0 { v[i] = UInt64(UInt32(bitPattern: r[Int(c[i])])) }
                        } else {
                            for i in 0..<n { v[i] = UInt64(UInt32(bitPattern: r[Int(c[i])])) }
                        }
                    }
                }
            default:
                col.ints.withUnsafeBufferPointer { x in
                    for i in 0..<n { v[i] = UInt64(bitPattern: x[i]) ^ (1 << 63) }
                }
            }
            // 2. range over valid rows
            if allNull {
                hasNull = n > 0
            } else if let valid {
                for i in 0..<n {
                    if valid[i] == 0 { hasNull = true; continue }
                    let x = v[i]
                    if x < lo { lo = x }
                    if x > hi { hi = x }
                }
            } else {
                for i in 0..<n {
                    let x = v[i]
                    if x < lo { lo = x }
                    if x > hi { hi = x }
                }
            }
        }
        let anyValid = lo <= hi
        let range: UInt64 = anyValid ? hi &- lo : 0
        // 3. shift, direction, NULL placement
        if hasNull && range == UInt64.max {
            // 65 values of bits: a separate NULL indicator field, then the value.
            var flag = [UInt64](repeating: 0, count: n)
            vals.withUnsafeMutableBufferPointer { v in
                flag.withUnsafeMutableBufferPointer { f in
                    for i in 0..<n {
                        let isNull = allNull || valid![i] == 0
                        f[i] = (isNull == key.nullsFirst) ? 0 : 1
                        if isNull { v[i] = 0 } else {
                            let s = v[i] &- lo
                            v[i] = key.ascending ? s : range &- s
                        }
                    }
                }
            }
            fields.append(OpsSortField(values: flag, bits: 1))
            fields.append(OpsSortField(values: vals, bits: 64))
            continue
        }
        let total = hasNull ? (anyValid ? range + 1 : 0) : range
        if total == 0 { continue }   // a constant key orders nothing
        let nullValue: UInt64 = key.nullsFirst ? 0 : total
        let base: UInt64 = (hasNull && key.nullsFirst) ? 1 : 0
        vals.withUnsafeMutableBufferPointer { v in
            for i in 0..<n {
                if hasNull && (allNull || valid![i] == 0) { v[i] = nullValue; continue }
                let s = v[i] &- lo
                v[i] = (key.ascending ? s : range &- s) &+ base
            }
        }
        fields.append(OpsSortField(values: vals, bits: 64 - total.leadingZeroBitCount))
    }
    return fields
}

/// Packs fields (most significant first) into as few 64-bit words as fit; returns the words
/// (most significant first) and the bits used in each.
func opsPackFields(_ fields: [OpsSortField], count n: Int) -> [(word: [UInt64], bits: Int)] {
    var words: [(word: [UInt64], bits: Int)] = []
    var current: [UInt64]? = nil
    var used = 0
    for f in fields {
        if current != nil && used + f.bits <= 64 {
            let shift = UInt64(f.bits)
            current!.withUnsafeMutableBufferPointer { w in
                f.values.withUnsafeBufferPointer { v in
                    for i in 0..<n { w[i] = (w[i] << shift) | v[i] }
                }
            }
            used += f.bits
        } else {
            if let c = current { words.append((c, used)) }
            current = f.values
            used = f.bits
        }
    }
    if let c = current { words.append((c, used)) }
    return words
}

/// Stable LSD radix sort of `perm` (row ids) by `keys` (parallel to `perm`), using the low
/// `bits` bits of the keys. Digits of up to 11 bits; digits that are equal in every row are
/// skipped. `keys`/`perm` are sorted in place; `tmpKeys`/`tmpPerm` are scratch of equal size.
func opsRadixSort(keys: UnsafeMutableBufferPointer<UInt64>, perm: UnsafeMutableBufferPointer<Int32>,
                  tmpKeys: UnsafeMutableBufferPointer<UInt64>, tmpPerm: UnsafeMutableBufferPointer<Int32>, bits: Int) {
    let n = keys.count
    if n < 2 || bits == 0 { return }
    if n <= 64 {
        // insertion sort (stable)
        for i in 1..<n {
            let k = keys[i], p = perm[i]
            var j = i - 1
            while j >= 0 && keys[j] > k {
                keys[j + 1] = keys[j]; perm[j + 1] = perm[j]
                j -= 1
            }
            keys[j + 1] = k; perm[j + 1] = p
        }
        return
    }
    let passes = (bits + 10) / 11
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
    var srcK = keys, srcP = perm, dstK = tmpKeys, dstP = tmpPerm
    var inTmp = false
    for p in 0..<passes {
        let h = UnsafeMutableBufferPointer(rebasing: hist[p * radix..<(p + 1) * radix])
        var skip = false
        for b in 0..<radix where h[b] != 0 { skip = h[b] == n; break }
        if skip { continue }
        var sum = 0
        for b in 0..<radix { let c = h[b]; h[b] = sum; sum += c }
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

/// The stable sort permutation of rows 0..<count of `columns` by `keys` (DuckDB order).
/// Shape: `count` row indexes. Cost: one radix sort per packed 64-bit key word.
/// - Throws: `KuaiError.execution` when `count` exceeds Int32.max rows.
public func sortPermutation(_ columns: [Column], count n: Int, keys: [SortKey]) throws -> [Int32] {
    guard n <= Int(Int32.max) else { throw KuaiError(.execution, "sort input of \(n) rows is too large") }
    var perm = [Int32](unsafeUninitializedCapacity: n) { b, c in
        for i in 0..<n { b[i] = Int32(i) }
        c = n
    }
    if n < 2 { return perm }
    let words = opsPackFields(opsSortFields(columns, count: n, keys: keys), count: n)
    if words.isEmpty { return perm }
    var keyBuf = [UInt64](repeating: 0, count: n)
    var tmpK = [UInt64](repeating: 0, count: n)
    var tmpP = [Int32](repeating: 0, count: n)
    for w in stride(from: words.count - 1, through: 0, by: -1) {
        let (word, bits) = words[w]
        keyBuf.withUnsafeMutableBufferPointer { k in
            word.withUnsafeBufferPointer { src in
                perm.withUnsafeBufferPointer { p in
                    for i in 0..<n { k[i] = src[Int(p[i])] }
                }
            }
        }
        keyBuf.withUnsafeMutableBufferPointer { k in
            perm.withUnsafeMutableBufferPointer { p in
                tmpK.withUnsafeMutableBufferPointer { tk in
                    tmpP.withUnsafeMutableBufferPointer { tp in
                        opsRadixSort(keys: k, perm: p, tmpKeys: tk, tmpPerm: tp, bits: bits)
                    }
                }
            }
        }
    }
    return perm
}

/// Gathers rows `perm[range]` of `columns` as one batch.
func opsGatherBatch(_ columns: [Column], perm: [Int32], range: Range<Int>) -> Batch {
    perm.withUnsafeBufferPointer { p in
        let sel = UnsafeBufferPointer(rebasing: p[range])
        return Batch(columns: columns.map { $0.gather(sel) }, count: range.count)
    }
}

// MARK: - Operator

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
            while let b = try child.next() {
                collector.append(b)
                if collector.count >= threshold {
                    let n = collector.count
                    let cols = collector.take()
                    let p = try sortPermutation(cols, count: n, keys: keys)
                    collector.append(opsGatherBatch(cols, perm: p, range: 0..<min(keep, n)))
                }
            }
        } else {
            while let b = try child.next() { collector.append(b) }
        }
        let n = collector.count
        output = collector.take()
        perm = try sortPermutation(output, count: n, keys: keys)
        position = min(offset, n)
        end = limit.map { min(n, position + $0) } ?? n
    }

    public func next() throws -> Batch? {
        if !done { try run() }
        guard position < end else {
            output = []; perm = []
            return nil
        }
        let stop = min(end, position + Self.batchSize)
        let b = opsGatherBatch(output, perm: perm, range: position..<stop)
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
