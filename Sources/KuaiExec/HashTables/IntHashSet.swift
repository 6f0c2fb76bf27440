import KuaiCore

/// A set of Int64 for `x IN (long list)` and `x IN (subquery)` membership tests.
///
/// When the values span fewer than `denseSpan` integers, the set is a bitmap over
/// `min ... max` (at most 4 MiB): a range check and one bit test a probe. Otherwise it is an
/// open-addressing table (multiply-shift hash, linear probing, load <= 1/2) with a
/// one-bit-per-bucket filter in front (at least 16 bits per value, at most 512 KiB) that answers
/// most misses with one bit test in a small, cache-resident array: a filtered `IN (subquery)`
/// usually rejects nearly every row, and then rarely touches the table.
final class IntHashSet: @unchecked Sendable {
    /// Largest `max - min` stored as a bitmap (2^25 bits = 4 MiB).
    static let denseSpan: UInt64 = 1 << 25
    private var slots: [Int64] = []
    private var used: [UInt8] = []
    private var shift: UInt64 = 0
    /// Bit `h >> filterShift` is set when some value with hash `h` is in the set.
    private var filter: [UInt64] = []
    private var filterShift: UInt64 = 0
    /// Dense form: bit `v - low` is set when `v` is in the set (`v - low <= span`).
    private var bits: [UInt64] = []
    private var low: Int64 = 0
    private var span: UInt64 = 0
    let isDense: Bool
    let count: Int

    @inline(__always)
    static func hash(_ v: Int64) -> UInt64 { UInt64(bitPattern: v) &* 0x9E37_79B9_7F4A_7C15 }

    init(_ values: [Int64]) {
        if let lo = values.min(), let hi = values.max(),
            UInt64(bitPattern: hi) &- UInt64(bitPattern: lo) < Self.denseSpan
        {
            isDense = true
            low = lo
            span = UInt64(bitPattern: hi) &- UInt64(bitPattern: lo)
            bits = [UInt64](repeating: 0, count: Int(span / 64) + 1)
            var n = 0
            for v in values {
                let o = UInt64(bitPattern: v) &- UInt64(bitPattern: lo)
                let w = Int(o &>> 6)
                let b: UInt64 = 1 &<< (o & 63)
                if bits[w] & b == 0 {
                    bits[w] |= b
                    n += 1
                }
            }
            count = n
            return
        }
        isDense = false
        var cap = 16
        while cap < values.count * 2 { cap *= 2 }
        slots = [Int64](repeating: 0, count: cap)
        used = [UInt8](repeating: 0, count: cap)
        shift = UInt64(64 - cap.trailingZeroBitCount)
        var filterBits = 4096
        while filterBits < values.count * 16 && filterBits < (1 << 22) { filterBits *= 2 }
        filter = [UInt64](repeating: 0, count: filterBits / 64)
        filterShift = UInt64(64 - filterBits.trailingZeroBitCount)
        let mask = cap - 1
        var n = 0
        for v in values {
            let h = Self.hash(v)
            var s = Int(truncatingIfNeeded: h &>> shift)
            while used[s] != 0 && slots[s] != v { s = (s + 1) & mask }
            if used[s] == 0 {
                used[s] = 1
                slots[s] = v
                n += 1
            }
            let f = Int(truncatingIfNeeded: h &>> filterShift)
            filter[f &>> 6] |= 1 &<< UInt64(f & 63)
        }
        count = n
    }

    /// Writes 1 into `out[i]` for each `values[i]` in the set, else 0.
    func contains(_ values: UnsafeBufferPointer<Int64>, into out: UnsafeMutableBufferPointer<Int64>) {
        if isDense {
            bits.withUnsafeBufferPointer { b in
                let t = DenseMember(
                    values: values.baseAddress ?? UnsafePointer(bitPattern: 8)!, bits: b.baseAddress!, low: low,
                    span: span)
                for i in 0..<values.count { out[i] = t.has(i) ? 1 : 0 }
            }
            return
        }
        withTables { t in
            for i in 0..<values.count { out[i] = t.has(values[i]) ? 1 : 0 }
        }
    }

    /// The rows `i` (of `0..<n`, or of `input`) whose value is in the set and valid
    /// (`valid[i] != 0`, nil = all valid), ascending: the selection vector of `x IN (...)`.
    func select(
        _ values: UnsafeBufferPointer<Int64>, _ valid: UnsafePointer<UInt8>?, _ input: UnsafeBufferPointer<Int32>?,
        _ n: Int
    ) -> [Int32] {
        let v = values.baseAddress ?? UnsafePointer(bitPattern: 8)!
        if isDense {
            return bits.withUnsafeBufferPointer { b in
                ScalarExpr.selectRows(
                    n, valid, input, DenseMember(values: v, bits: b.baseAddress!, low: low, span: span)
                ).rows
            }
        }
        return withTables { t in
            ScalarExpr.selectRows(n, valid, input, HashedMember(values: v, table: t)).rows
        }
    }

    @inline(__always)
    private func withTables<R>(_ body: (HashTableView) -> R) -> R {
        slots.withUnsafeBufferPointer { sl in
            used.withUnsafeBufferPointer { us in
                filter.withUnsafeBufferPointer { fl in
                    body(
                        HashTableView(
                            slots: sl.baseAddress!, used: us.baseAddress!, mask: sl.count &- 1, shift: shift,
                            filter: fl.baseAddress!, filterShift: filterShift))
                }
            }
        }
    }

    /// The hashed form, as raw pointers for the probe loops.
    struct HashTableView {
        let slots: UnsafePointer<Int64>, used: UnsafePointer<UInt8>, mask: Int, shift: UInt64
        let filter: UnsafePointer<UInt64>, filterShift: UInt64
        @inline(__always) func has(_ v: Int64) -> Bool {
            let h = IntHashSet.hash(v)
            let f = Int(truncatingIfNeeded: h &>> filterShift)
            if (filter[f &>> 6] &>> UInt64(f & 63)) & 1 == 0 { return false }
            var s = Int(truncatingIfNeeded: h &>> shift)
            while used[s] != 0 {
                if slots[s] == v { return true }
                s = (s &+ 1) & mask
            }
            return false
        }
    }

    /// Row test of `select` over the hashed form.
    struct HashedMember: RowTest {
        let values: UnsafePointer<Int64>
        let table: HashTableView
        @inline(__always) mutating func keep(_ i: Int) -> Bool { table.has(values[i]) }
        var overflow: Bool { false }
    }

    /// Row test of `select` over the dense form.
    struct DenseMember: RowTest {
        let values: UnsafePointer<Int64>
        let bits: UnsafePointer<UInt64>
        let low: Int64
        let span: UInt64
        @inline(__always) func has(_ i: Int) -> Bool {
            let o = UInt64(bitPattern: values[i]) &- UInt64(bitPattern: low)
            if o > span { return false }
            return (bits[Int(o &>> 6)] &>> (o & 63)) & 1 != 0
        }
        @inline(__always) mutating func keep(_ i: Int) -> Bool { has(i) }
        var overflow: Bool { false }
    }
}
