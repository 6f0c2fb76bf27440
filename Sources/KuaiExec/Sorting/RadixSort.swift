import Dispatch
import KuaiCore

/// Stable radix sort of `perm` (row ids) by `keys` (parallel to `perm`), using the low
/// `bits` bits of the keys. `keys`/`perm` are sorted in place; `tmpKeys`/`tmpPerm` are scratch
/// of equal size. Large inputs use every core (`parallelRadixSortRecords`).
func radixSort(
    keys: UnsafeMutableBufferPointer<UInt64>, perm: UnsafeMutableBufferPointer<Int32>,
    tmpKeys: UnsafeMutableBufferPointer<UInt64>, tmpPerm: UnsafeMutableBufferPointer<Int32>, bits: Int
) {
    parallelRadixSortRecords(
        KeyedRows(keys: keys, perm: perm), scratch: KeyedRows(keys: tmpKeys, perm: tmpPerm), bits: bits)
}

/// Stable radix sort of `elems` by bits [lowBit, lowBit + bits) (the low bits hold a row
/// index, so equal keys keep index order). `tmp` is scratch of equal size. Large inputs use
/// every core (`parallelRadixSortRecords`).
func radixSortPacked(
    _ elems: UnsafeMutableBufferPointer<UInt64>, tmp: UnsafeMutableBufferPointer<UInt64>, lowBit: Int, bits: Int
) {
    let shift = UInt64(lowBit)
    parallelRadixSortRecords(
        PackedRows(words: elems, shift: shift), scratch: PackedRows(words: tmp, shift: shift), bits: bits)
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
    /// The records of `range` (the same memory).
    func rebased(_ range: Range<Int>) -> Self
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
    func rebased(_ range: Range<Int>) -> KeyedRows {
        KeyedRows(keys: .init(rebasing: keys[range]), perm: .init(rebasing: perm[range]))
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
    func rebased(_ range: Range<Int>) -> PackedRows { PackedRows(words: .init(rebasing: words[range]), shift: shift) }
}

/// Stable LSD radix sort of `records` by the low `bits` bits of their keys; `scratch` holds as
/// many records. Digits of up to 11 bits (8 for small inputs); a digit equal in every record is
/// skipped; every histogram comes from one read. Up to 48 records sort by insertion.
func radixSortRecords<R: RadixRecords>(_ records: R, scratch: R, bits: Int) {
    if radixSortRecordsEndingAnywhere(records, scratch: scratch, bits: bits) { records.assign(from: scratch) }
}

/// `radixSortRecords` without the final copy: returns true when the sorted records ended in
/// `scratch` (an odd number of digit passes), false when they are in `records`.
func radixSortRecordsEndingAnywhere<R: RadixRecords>(_ records: R, scratch: R, bits: Int) -> Bool {
    let n = records.count
    if n < 2 || bits == 0 { return false }
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
        return false
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
    return inScratch
}

/// The write positions of a partitioning pass whose input is split into `chunks` runs:
/// `counts[c * buckets + b]` holds how many records run c puts into bucket b, and becomes where run
/// c writes its first one (buckets one after another, within a bucket the runs in order, so the
/// pass keeps input order). Returns each bucket's first position, plus the total at `buckets`.
func scatterOffsets(_ counts: UnsafeMutableBufferPointer<Int>, chunks: Int, buckets: Int) -> [Int] {
    var start = [Int](repeating: 0, count: buckets + 1)
    var sum = 0
    for b in 0..<buckets {
        start[b] = sum
        for c in 0..<chunks {
            let k = counts[c * buckets + b]
            counts[c * buckets + b] = sum
            sum += k
        }
    }
    start[buckets] = sum
    return start
}

/// Stable radix sort of `records` by the low `bits` bits of their keys on up to `threads` threads,
/// as `radixSortRecords` (which it calls for inputs under 2^18 records or one thread).
///
/// Method: one most-significant-digit pass over the top (up to 10) of the `bits` bits (1,024
/// buckets; each thread counts and then scatters its own contiguous chunk into `scratch`, chunks
/// in order, so the pass is stable); then every bucket is LSD-sorted by the bits below the digit
/// on its own, back into `records` (copied when its passes end in `scratch`), buckets handed out
/// to the threads one at a time. About the serial sort's memory traffic, split over the cores;
/// keys whose top digit is one value make one bucket (sorted on one thread).
func parallelRadixSortRecords<R: RadixRecords>(
    _ records: R, scratch: R, bits: Int, threads: Int = activeProcessorCount()
) {
    let n = records.count
    if threads <= 1 || n < 1 << 18 || bits <= 11 {
        radixSortRecords(records, scratch: scratch, bits: bits)
        return
    }
    let digit = min(bits, 10)
    let low = bits - digit
    let radix = 1 << digit
    let mask = UInt64(radix - 1)
    let chunks = threads
    let chunkSize = (n + chunks - 1) / chunks
    let hist = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunks * radix)
    defer { hist.deallocate() }
    hist.initialize(repeating: 0)
    let box = UncheckedBox((records, scratch, hist))
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let (src, _, h) = box.value
        for i in c * chunkSize..<min(n, (c + 1) * chunkSize) {
            h[c * radix + Int(truncatingIfNeeded: (src.key(src[i]) >> UInt64(low)) & mask)] += 1
        }
    }
    // hist[c][b] becomes where chunk c writes its first record of bucket b
    let bucketStart = scatterOffsets(hist, chunks: chunks, buckets: radix)
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let (src, dst, h) = box.value
        for i in c * chunkSize..<min(n, (c + 1) * chunkSize) {
            let r = src[i]
            let slot = c * radix + Int(truncatingIfNeeded: (src.key(r) >> UInt64(low)) & mask)
            dst[h[slot]] = r
            h[slot] += 1
        }
    }
    let starts = UncheckedBox(bucketStart)
    DispatchQueue.concurrentPerform(iterations: radix) { b in
        let (target, bucketed, _) = box.value
        let range = starts.value[b]..<starts.value[b + 1]
        if range.isEmpty { return }
        let sorted = bucketed.rebased(range)
        let out = target.rebased(range)
        // sorted from `scratch` into `records` when the passes end there, else copied back
        if !radixSortRecordsEndingAnywhere(sorted, scratch: out, bits: low) { out.assign(from: sorted) }
    }
}

/// Stable sort of `keys` with their row ids `perm` (parallel) for short inputs (a run of equal
/// leading words being refined by the next word): most-significant-digit radix sort over the bits
/// in which the keys differ, 8 bits a level, buckets of up to 32 keys by insertion. `tmpKeys` /
/// `tmpPerm` are scratch of equal size.
///
/// Why not the LSD sort of `radixSortRecords`: a run of a few hundred keys with a 55-bit word
/// costs that sort 7 passes with a 256-bucket prefix sum each, where the leading 8 varying bits
/// already leave buckets of one or two keys. Equal keys keep their input order.
func msdRadixSort(
    keys: UnsafeMutableBufferPointer<UInt64>, perm: UnsafeMutableBufferPointer<Int32>,
    tmpKeys: UnsafeMutableBufferPointer<UInt64>, tmpPerm: UnsafeMutableBufferPointer<Int32>
) {
    let n = keys.count
    if n <= 32 {
        insertionSort(keys: keys, perm: perm)
        return
    }
    var diff: UInt64 = 0
    let k0 = keys[0]
    for i in 1..<n { diff |= keys[i] ^ k0 }
    if diff == 0 { return }  // every key equal: already in order
    let top = 64 - diff.leadingZeroBitCount  // the keys differ only in bits [0, top)
    let digitBits = min(8, top)
    let shift = UInt64(top - digitBits)
    let mask = UInt64((1 << digitBits) - 1)
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 257) { start in
        start.initialize(repeating: 0)
        for i in 0..<n { start[Int(truncatingIfNeeded: (keys[i] >> shift) & mask) + 1] += 1 }
        for b in 0..<256 { start[b + 1] += start[b] }
        // start[b] = first slot of bucket b; scatter advances a copy
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 256) { next in
            _ = next.initialize(from: start[0..<256])
            for i in 0..<n {
                let b = Int(truncatingIfNeeded: (keys[i] >> shift) & mask)
                let d = next[b]
                next[b] = d + 1
                tmpKeys[d] = keys[i]
                tmpPerm[d] = perm[i]
            }
        }
        _ = keys.update(fromContentsOf: tmpKeys)
        _ = perm.update(fromContentsOf: tmpPerm)
        if shift == 0 { return }  // the digit was the last varying bits: buckets hold equal keys
        for b in 0..<256 where start[b + 1] - start[b] > 1 {
            let r = start[b]..<start[b + 1]
            msdRadixSort(
                keys: .init(rebasing: keys[r]), perm: .init(rebasing: perm[r]),
                tmpKeys: .init(rebasing: tmpKeys[r]), tmpPerm: .init(rebasing: tmpPerm[r]))
        }
    }
}

/// Stable insertion sort of `keys` with their row ids `perm` (short inputs).
@inline(__always)
func insertionSort(keys: UnsafeMutableBufferPointer<UInt64>, perm: UnsafeMutableBufferPointer<Int32>) {
    let n = keys.count
    if n < 2 { return }
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
}
