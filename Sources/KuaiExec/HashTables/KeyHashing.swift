import KuaiCore

// Hashing helpers shared by the operators (group-by, join, distinct, window partitions).

/// Fibonacci multiplier (2^64 / golden ratio): multiply-shift hashing of integer keys.
@usableFromInline let goldenRatio64: UInt64 = 0x9E37_79B9_7F4A_7C15

/// The 64-bit finaliser of MurmurHash3 (fmix64): full avalanche for combined keys.
@inline(__always) @usableFromInline
func fmix(_ x: UInt64) -> UInt64 {
    var h = x
    h ^= h >> 33
    h = h &* 0xFF51_AFD7_ED55_8CCD
    h ^= h >> 33
    h = h &* 0xC4CE_B9FE_1A85_EC53
    h ^= h >> 33
    return h
}

/// Combines the running hash `h` with the next key word `w` (per-column kernels call this).
@inline(__always) @usableFromInline
func hashCombine(_ h: UInt64, _ w: UInt64) -> UInt64 {
    (h ^ w) &* goldenRatio64 &+ 0x632B_E59B_D9B4_E019
}

/// Key word of a DOUBLE for hashing and equality: -0.0 is folded onto 0.0 and every NaN onto
/// one NaN, so that values DuckDB treats as equal in GROUP BY / joins share a key.
@inline(__always) @usableFromInline
func doubleKey(_ d: Double) -> UInt64 {
    if d.isNaN { return Double.nan.bitPattern }
    if d == 0 { return 0 }
    return d.bitPattern
}

/// Converts column `col` (`count` rows) to one UInt64 key word per row plus a NULL flag
/// (1 = NULL). Integers keep their value, doubles use `doubleKey`, VARCHAR codes are
/// translated by `interner` (interning new strings when `insert`, else -1 for unknown strings,
/// which sets `unknown[i] = 1`). A NULL row gets word 0.
@usableFromInline
func keyWords(
    _ col: Column, interner: StringInterner?, insert: Bool,
    words: UnsafeMutableBufferPointer<UInt64>, nulls: UnsafeMutableBufferPointer<UInt8>,
    unknown: UnsafeMutableBufferPointer<UInt8>?
) {
    let n = col.count
    if let v = col.validity {
        v.withUnsafeBufferPointer { vb in for i in 0..<n { nulls[i] = vb[i] == 0 ? 1 : 0 } }
    } else if col.type == .null {
        for i in 0..<n { nulls[i] = 1 }
    } else {
        for i in 0..<n { nulls[i] = 0 }
    }
    switch col.type {
    case .null:
        for i in 0..<n { words[i] = 0 }
    case .double:
        col.doubles.withUnsafeBufferPointer { d in
            for i in 0..<n { words[i] = nulls[i] != 0 ? 0 : doubleKey(d[i]) }
        }
    case .varchar:
        let tmp = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(n, 1))
        defer { tmp.deallocate() }
        if insert {
            interner!.intern(col, rows: n, into: tmp)
        } else {
            interner!.lookup(col, rows: n, into: tmp)
        }
        for i in 0..<n {
            if nulls[i] != 0 {
                words[i] = 0
                continue
            }
            let t = tmp[i]
            if t < 0 {
                words[i] = 0
                unknown?[i] = 1
            } else {
                words[i] = UInt64(UInt32(t))
            }
        }
    default:
        col.ints.withUnsafeBufferPointer { x in
            for i in 0..<n { words[i] = nulls[i] != 0 ? 0 : UInt64(bitPattern: x[i]) }
        }
    }
}

extension Optional where Wrapped == [UInt8] {
    /// Calls `body` with the bytes of the array, or nil when there is no array.
    @inlinable
    func withUnsafeBufferPointerOrNil<R>(_ body: (UnsafeBufferPointer<UInt8>?) throws -> R) rethrows -> R {
        switch self {
        case .some(let a): return try a.withUnsafeBufferPointer { try body($0) }
        case .none: return try body(nil)
        }
    }
}
