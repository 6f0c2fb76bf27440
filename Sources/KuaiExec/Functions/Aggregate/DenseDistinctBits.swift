/// The distinct (group, value) pairs of an integer-stored `agg(DISTINCT x)` as bits, while the
/// values span a dense range: bit `g * span + (v - lo)` is set when group `g` saw value `v`.
///
/// Ids such as live_id (1..11.6M over 11.8M rows) or user_id then cost one bit each, set without
/// hashing (1.5 MB for 11.6M values), instead of a hash-set insert or an appended pair sorted at
/// the end. `DistinctState` uses it while the pairs fit `maxBits` and leaves it for its general
/// paths otherwise (`DistinctState.settle`).
///
/// Shape: `groups` groups of `span` bits (a multiple of 64) from value `lo`, `words` of
/// `groups * span / 64` entries.
struct DenseDistinctBits {
    private(set) var lo: Int64
    private(set) var span: Int
    private(set) var groups: Int
    private(set) var words: [UInt64]

    /// The most bits a state holds this way (16 MiB).
    static let maxBits = 1 << 27

    /// Bits for values `lo...hi` in `groups` groups, or nil when that exceeds `maxBits` (or
    /// the range overflows).
    init?(lo: Int64, hi: Int64, groups: Int) {
        guard let bits = Self.bitCount(lo: lo, hi: hi, groups: groups) else { return nil }
        self.lo = lo
        span = bits / groups
        self.groups = groups
        words = [UInt64](repeating: 0, count: bits / 64)
    }

    /// The bits `init(lo:hi:groups:)` would take, nil past `maxBits`.
    static func bitCount(lo: Int64, hi: Int64, groups: Int) -> Int? {
        guard let span = span(lo: lo, hi: hi), groups > 0, groups <= maxBits / span else { return nil }
        return groups * span
    }

    /// The bits held: `groups * span`.
    var bitCount: Int { groups * span }

    /// Bits per group for `lo...hi` (a multiple of 64), nil past `maxBits`.
    private static func span(lo: Int64, hi: Int64) -> Int? {
        let d = hi.subtractingReportingOverflow(lo)
        guard !d.overflow, d.partialValue >= 0, d.partialValue < Int64(maxBits) else { return nil }
        return (Int(d.partialValue) + 64) & ~63
    }

    /// Whether values `lo...hi` of groups below `groups` have bits.
    func covers(lo: Int64, hi: Int64, groups: Int) -> Bool {
        guard lo >= self.lo, groups <= self.groups else { return false }
        let d = hi.subtractingReportingOverflow(self.lo)
        return !d.overflow && d.partialValue < Int64(span)
    }

    /// Widens the bits to values `lo...hi` and `groups` groups as well: a range that grows at
    /// least doubles towards the side it grew on, and groups at least double, where that stays
    /// within `limit` bits, so that a sorted input widens only a logarithmic number of times.
    /// False, unchanged, when even the exact widening passes `limit` (at most `maxBits`).
    mutating func widen(lo: Int64, hi: Int64, groups: Int, limit: Int = maxBits) -> Bool {
        let limit = min(limit, Self.maxBits)
        func fits(_ l: Int64, _ h: Int64, _ g: Int) -> Bool {
            DenseDistinctBits.bitCount(lo: l, hi: h, groups: g).map { $0 <= limit } ?? false
        }
        let oldHi = self.lo &+ Int64(span - 1)
        var newLo = min(lo, self.lo)
        var newHi = max(hi, oldHi)
        var newGroups = max(groups, self.groups)
        guard fits(newLo, newHi, newGroups) else { return false }
        if groups > self.groups && fits(newLo, newHi, max(groups, 2 * self.groups)) {
            newGroups = max(groups, 2 * self.groups)
        }
        // room for as much again on the side that grew, where it fits
        let room = Int64(span)
        if hi > oldHi, case (let h, false) = newHi.addingReportingOverflow(room), fits(newLo, h, newGroups) {
            newHi = h
        } else if lo < self.lo, case (let l, false) = newLo.subtractingReportingOverflow(room),
            fits(l, newHi, newGroups)
        {
            newLo = l
        }
        guard var wider = DenseDistinctBits(lo: newLo, hi: newHi, groups: newGroups) else { return false }
        forEachPair { g, v in wider.insert(g, Int64(bitPattern: v)) }
        self = wider
        return true
    }

    /// Sets the bit of (`g`, `v`); the pair must be covered.
    @inline(__always)
    mutating func insert(_ g: Int32, _ v: Int64) {
        let b = Int(g) &* span &+ Int(v &- lo)
        words.withUnsafeMutableBufferPointer { $0[b >> 6] |= 1 << UInt64(b & 63) }
    }

    /// Sets the bits of the valid rows among the first `n` of `values` (group `ids[i]`); every
    /// pair must be covered.
    mutating func insert(
        _ values: UnsafeBufferPointer<Int64>, _ valid: UnsafeBufferPointer<UInt8>?,
        ids: UnsafeBufferPointer<Int32>, count n: Int
    ) {
        let (lo, span) = (self.lo, self.span)
        words.withUnsafeMutableBufferPointer { w in
            for i in 0..<n where valid.map({ $0[i] != 0 }) ?? true {
                let b = Int(ids[i]) &* span &+ Int(values[i] &- lo)
                w[b >> 6] |= 1 << UInt64(b & 63)
            }
        }
    }

    /// Number of pairs.
    var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// Calls `body(group, value word)` for every pair, in (group, value) order.
    func forEachPair(_ body: (Int32, UInt64) -> Void) {
        let perGroup = span / 64
        for (k, word) in words.enumerated() where word != 0 {
            let g = Int32(k / perGroup)
            let base = lo &+ Int64((k % perGroup) * 64)
            var w = word
            while w != 0 {
                body(g, UInt64(bitPattern: base &+ Int64(w.trailingZeroBitCount)))
                w &= w &- 1
            }
        }
    }
}
