import KuaiCore

/// Stable LSD radix sort of `perm` (row ids) by `keys` (parallel to `perm`), using the low
/// `bits` bits of the keys. `keys`/`perm` are sorted in place; `tmpKeys`/`tmpPerm` are scratch
/// of equal size. See `radixSortRecords`.
func radixSort(
    keys: UnsafeMutableBufferPointer<UInt64>, perm: UnsafeMutableBufferPointer<Int32>,
    tmpKeys: UnsafeMutableBufferPointer<UInt64>, tmpPerm: UnsafeMutableBufferPointer<Int32>, bits: Int
) {
    radixSortRecords(KeyedRows(keys: keys, perm: perm), scratch: KeyedRows(keys: tmpKeys, perm: tmpPerm), bits: bits)
}

/// Stable LSD radix sort of `elems` by bits [lowBit, lowBit + bits) (the low bits hold a row
/// index, so equal keys keep index order). `tmp` is scratch of equal size. See `radixSortRecords`.
func radixSortPacked(
    _ elems: UnsafeMutableBufferPointer<UInt64>, tmp: UnsafeMutableBufferPointer<UInt64>, lowBit: Int, bits: Int
) {
    let shift = UInt64(lowBit)
    radixSortRecords(PackedRows(words: elems, shift: shift), scratch: PackedRows(words: tmp, shift: shift), bits: bits)
}

/// The records a radix sort moves, each with a sort key.
protocol RadixRecords {
    associatedtype Record
    var count: Int { get }
    subscript(_ i: Int) -> Record { get nonmutating set }
    /// The key of a record (sorted by its low `bits` bits).
    func key(_ r: Record) -> UInt64
    /// Copies every record of `other` (of equal count) here.
    func assign(from other: Self)
}

/// Rows as a key array and a parallel array of row ids.
struct KeyedRows: RadixRecords {
    let keys: UnsafeMutableBufferPointer<UInt64>
    let perm: UnsafeMutableBufferPointer<Int32>
    var count: Int { keys.count }
    subscript(_ i: Int) -> (UInt64, Int32) {
        @inline(__always) get { (keys[i], perm[i]) }
        @inline(__always) nonmutating set {
            keys[i] = newValue.0
            perm[i] = newValue.1
        }
    }
    @inline(__always) func key(_ r: (UInt64, Int32)) -> UInt64 { r.0 }
    func assign(from other: KeyedRows) {
        _ = keys.update(fromContentsOf: other.keys)
        _ = perm.update(fromContentsOf: other.perm)
    }
}

/// Rows as one word each: the key above the low `shift` bits (which hold a row index or value).
struct PackedRows: RadixRecords {
    let words: UnsafeMutableBufferPointer<UInt64>
    let shift: UInt64
    var count: Int { words.count }
    subscript(_ i: Int) -> UInt64 {
        @inline(__always) get { words[i] }
        @inline(__always) nonmutating set { words[i] = newValue }
    }
    @inline(__always) func key(_ r: UInt64) -> UInt64 { r >> shift }
    func assign(from other: PackedRows) { _ = words.update(fromContentsOf: other.words) }
}

/// Stable LSD radix sort of `records` by the low `bits` bits of their keys; `scratch` holds as
/// many records. Digits of up to 11 bits (8 for small inputs); a digit equal in every record is
/// skipped; every histogram comes from one read. Up to 48 records sort by insertion.
func radixSortRecords<R: RadixRecords>(_ records: R, scratch: R, bits: Int) {
    let n = records.count
    if n < 2 || bits == 0 { return }
    if n <= 48 {
        // insertion sort (stable)
        for i in 1..<n {
            let r = records[i]
            let k = records.key(r)
            var j = i - 1
            while j >= 0 && records.key(records[j]) > k {
                records[j + 1] = records[j]
                j -= 1
            }
            records[j + 1] = r
        }
        return
    }
    let maxDigit = n >= 1 << 16 ? 11 : 8
    let passes = (bits + maxDigit - 1) / maxDigit
    let digit = (bits + passes - 1) / passes
    let radix = 1 << digit
    let mask = UInt64(radix - 1)
    let hist = UnsafeMutableBufferPointer<Int>.allocate(capacity: passes * radix)
    defer { hist.deallocate() }
    hist.initialize(repeating: 0)
    for i in 0..<n {
        let k = records.key(records[i])
        for p in 0..<passes {
            hist[p * radix + Int(truncatingIfNeeded: (k >> UInt64(p * digit)) & mask)] += 1
        }
    }
    var src = records
    var dst = scratch
    var inScratch = false
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
            let r = src[i]
            let b = Int(truncatingIfNeeded: (src.key(r) >> shift) & mask)
            let d = h[b]
            h[b] = d + 1
            dst[d] = r
        }
        swap(&src, &dst)
        inScratch.toggle()
    }
    if inScratch { records.assign(from: scratch) }
}
