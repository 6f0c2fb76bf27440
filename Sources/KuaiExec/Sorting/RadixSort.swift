import KuaiCore

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
