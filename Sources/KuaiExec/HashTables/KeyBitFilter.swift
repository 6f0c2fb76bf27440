import KuaiCore

/// A one-hash bit filter over the keys of a hashed join table on one integer-stored key (or a
/// packed one, `PackedJoinKeys`): about 16 bits per build key, so the filter (at most 32 MiB) is
/// a fraction of the table and stays in a nearer cache level. A probe key whose bit is 0 is not
/// in the table; such rows are marked NULL before the table lookup, so a probe that finds nothing
/// (most rows of an anti join, of a selective semi join, or of a large table joined to a small
/// sample of its keys) costs one cached bit instead of the slots a lookup of an absent key walks.
/// About 6% of absent keys pass the filter and are looked up as before. The bit of a key comes
/// from a multiplicative hash with another constant than the table's.
struct KeyBitFilter {
    private let words: [UInt64]
    private let shift: UInt64

    /// Builds that use a filter: at least this many build rows (a smaller table fits in the
    /// first cache level anyway).
    static let minimumRows = 1 << 12

    /// The filter of the valid values among the first `n` rows of `keys` (integer-stored), with
    /// at least `bitsPerKey` bits per row (a power of two, at most 2^28 bits in all).
    init(_ keys: Column, count n: Int, bitsPerKey: Int = 16) {
        var bits = 1 << 16
        while bits < bitsPerKey * n && bits < 1 << 28 { bits <<= 1 }
        shift = UInt64(64 - bits.trailingZeroBitCount)
        var words = [UInt64](repeating: 0, count: bits / 64)
        let shift = self.shift
        words.withUnsafeMutableBufferPointer { w in
            keys.ints.withUnsafeBufferPointer { x in
                for i in 0..<n where keys.validity.map({ $0[i] != 0 }) ?? true {
                    let b = Self.bit(x[i], shift)
                    w[b >> 6] |= 1 << UInt64(b & 63)
                }
            }
        }
        self.words = words
    }

    @inline(__always)
    private static func bit(_ key: Int64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0xD6E8_FEB8_6659_FD93) >> shift)
    }

    /// A BOOLEAN mask of the first `n` rows of `keys`: 1 where the row is valid, its value lies in
    /// `lo...hi` and its bit is set (it may be a key), else 0; and how many rows have 1.
    func mask(_ keys: Column, count n: Int, lo: Int64, hi: Int64) -> (mask: [Int64], kept: Int) {
        let shift = self.shift
        var kept = 0
        let mask = [Int64](unsafeUninitializedCapacity: n) { out, filled in
            words.withUnsafeBufferPointer { w in
                keys.ints.withUnsafeBufferPointer { x in
                    keys.validity.withUnsafeBufferPointerOrNil { v in
                        for i in 0..<n {
                            let b = Self.bit(x[i], shift)
                            var m = Int64(truncatingIfNeeded: w[b >> 6] >> UInt64(b & 63)) & 1
                            m &= (x[i] >= lo && x[i] <= hi) ? 1 : 0
                            if let v { m &= Int64(v[i]) }
                            out[i] = m
                            kept &+= Int(m)
                        }
                    }
                }
            }
            filled = n
        }
        return (mask, kept)
    }

    /// The rows among `rows` (nil = the first `n`) of `keys` that are valid, lie in `lo...hi` and
    /// whose bit is set (they may be keys), ascending: the selection form of `mask`, written branch
    /// free.
    func select(_ keys: Column, count n: Int, rows: [Int32]?, lo: Int64, hi: Int64) -> [Int32] {
        let shift = self.shift
        let m = rows?.count ?? n
        return [Int32](unsafeUninitializedCapacity: m) { out, filled in
            var k = 0
            words.withUnsafeBufferPointer { w in
                keys.ints.withUnsafeBufferPointer { x in
                    keys.validity.withUnsafeBufferPointerOrNil { v in
                        @inline(__always) func test(_ i: Int) {
                            let b = Self.bit(x[i], shift)
                            var pass = Int(truncatingIfNeeded: w[b >> 6] >> UInt64(b & 63)) & 1
                            pass &= (x[i] >= lo && x[i] <= hi) ? 1 : 0
                            if let v { pass &= Int(v[i]) }
                            out[k] = Int32(truncatingIfNeeded: i)
                            k &+= pass
                        }
                        if let rows {
                            rows.withUnsafeBufferPointer { r in for j in 0..<m { test(Int(r[j])) } }
                        } else {
                            for i in 0..<n { test(i) }
                        }
                    }
                }
            }
            filled = k
        }
    }

    /// The rows among the first `n` of `keys` that are valid and whose bit is set (they may be
    /// keys), ascending, written to `rows` (room for `n`); returns how many.
    func candidates(_ keys: Column, count n: Int, into rows: UnsafeMutableBufferPointer<Int32>) -> Int {
        let shift = self.shift
        var m = 0
        words.withUnsafeBufferPointer { w in
            keys.ints.withUnsafeBufferPointer { x in
                keys.validity.withUnsafeBufferPointerOrNil { v in
                    for i in 0..<n {
                        let b = Self.bit(x[i], shift)
                        var pass = Int(truncatingIfNeeded: w[b >> 6] >> UInt64(b & 63)) & 1
                        if let v { pass &= Int(v[i]) }
                        rows[m] = Int32(truncatingIfNeeded: i)
                        m &+= pass
                    }
                }
            }
        }
        return m
    }
}
