import KuaiCore

/// The layout of a `PackedKeyTable`'s packed key: per key column the smallest and largest
/// non-NULL value seen, and the field chosen for them: a value v is stored as v - base + 1 in
/// `bits` bits at `shift` (0 = NULL); the fields side by side form one non-negative Int64.
struct PackedFields {
    /// Per column: smallest / largest non-NULL value seen (lo > hi: none yet).
    private(set) var lo: [Int64]
    private(set) var hi: [Int64]
    /// Per column, once laid out: field = value - base + 1.
    private(set) var base: [Int64] = []
    /// Per column: the largest value - base a field holds (2^bits - 2).
    private(set) var limit: [UInt64] = []
    private(set) var shift: [UInt64] = []
    private(set) var totalBits = 0
    /// False until the first layout is chosen (no non-empty batch yet).
    private(set) var laidOut = false
    /// Widest packed key (bits) indexed by a direct array (zeroed lazily by the OS: calloc).
    static let directMaxBits = 24

    init(columns k: Int) {
        lo = [Int64](repeating: .max, count: k)
        hi = [Int64](repeating: .min, count: k)
    }

    /// Widens column `c`'s value range to [lo, hi]; false when the current fields do not hold it.
    mutating func see(_ c: Int, lo l: Int64, hi h: Int64) -> Bool {
        if l < lo[c] { lo[c] = l }
        if h > hi[c] { hi[c] = h }
        return laidOut && l >= base[c] && UInt64(bitPattern: h &- base[c]) <= limit[c]
    }

    /// Chooses each field's base and width for the values in [lo, hi] plus slack (a quarter of
    /// the span, at least 16 values) on both sides; widest fields in the low bits. False (nothing
    /// changed) when the fields need more than 63 bits together.
    mutating func choose() -> Bool {
        let k = lo.count
        var base = [Int64](repeating: 0, count: k)
        var bits = [Int](repeating: 0, count: k)
        for c in 0..<k {
            // only NULLs so far: a field around 0
            let (l, h) = lo[c] > hi[c] ? (0, 0) : (lo[c], hi[c])
            let span = h.subtractingReportingOverflow(l)
            if span.overflow || span.partialValue >= 1 << 60 { return false }
            let pad = max(UInt64(span.partialValue) / 4, 16)
            let b = l.subtractingReportingOverflow(Int64(pad))
            base[c] = b.overflow ? Int64.min : b.partialValue
            // h >= base, so h - base is exact as UInt64; the largest field is top + 1
            let top = UInt64(bitPattern: h &- base[c]) + pad
            bits[c] = 64 - (top + 1).leadingZeroBitCount
        }
        let total = bits.reduce(0, +)
        if total > 63 { return false }
        let order = (0..<k).sorted { bits[$0] != bits[$1] ? bits[$0] > bits[$1] : $0 < $1 }
        var shift = [UInt64](repeating: 0, count: k)
        var at = 0
        for c in order {
            shift[c] = UInt64(at)
            at += bits[c]
        }
        self.base = base
        limit = bits.map { (UInt64(1) << UInt64($0)) &- 2 }
        self.shift = shift
        totalBits = total
        laidOut = true
        return true
    }

    /// Whether a direct array of 2^totalBits entries is worth it for `groups` groups: always up
    /// to 2^16 entries, otherwise up to 2^directMaxBits and at most 64 entries per group.
    func directAllowed(groups: Int) -> Bool {
        if totalBits <= 16 { return true }
        return totalBits <= Self.directMaxBits && (1 << totalBits) <= 64 * groups
    }

    /// The packed key of a stored key (`RowKeyStore` words: one per column, then the NULL mask)
    /// whose values fit the fields.
    @inline(__always)
    func pack(_ row: UnsafePointer<UInt64>) -> Int64 {
        let k = lo.count
        let nulls = row[k]
        var key: UInt64 = 0
        for c in 0..<k where nulls & (1 << UInt64(c)) == 0 {
            key |= (UInt64(bitPattern: Int64(bitPattern: row[c]) &- base[c]) &+ 1) << shift[c]
        }
        return Int64(bitPattern: key)
    }
}

/// The key words of one batch for a `PackedKeyTable`, column by column: `words[c][i]` (the
/// `keyWords` of row i, 0 for NULL), `nulls[c][i]` (1 = NULL), `noNulls[c]` (column c has none).
struct PackedBatchWords {
    let words: [UnsafePointer<UInt64>]
    let nulls: [UnsafePointer<UInt8>]
    let noNulls: [Bool]

    /// Writes row `i`'s key into `row` (`RowKeyStore` layout).
    @inline(__always)
    func store(_ i: Int, into row: UnsafeMutablePointer<UInt64>) {
        let k = words.count
        var mask: UInt64 = 0
        for c in 0..<k {
            row[c] = words[c][i]
            if nulls[c][i] != 0 { mask |= 1 << UInt64(c) }
        }
        row[k] = mask
    }

    /// Smallest and largest non-NULL value of column `c` over `n` rows (lo > hi when none).
    func range(_ c: Int, _ n: Int) -> (lo: Int64, hi: Int64) {
        let values = UnsafeRawPointer(words[c]).assumingMemoryBound(to: Int64.self)
        return noNulls[c] ? valueRange(values, n, valid: nil) : valueRange(values, n, NullBytes(nulls: nulls[c]))
    }
}
