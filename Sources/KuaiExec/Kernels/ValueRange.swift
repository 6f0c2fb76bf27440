import KuaiCore

/// The smallest and largest of the `n` values `x[i]` whose rows are valid (lo > hi when none):
/// four independent lanes, so that the compare chains overlap; for `NoNulls` the validity test
/// folds away.
@inline(__always)
func valueRange<V: RowValidity>(_ x: UnsafePointer<Int64>, _ n: Int, _ valid: V) -> (lo: Int64, hi: Int64) {
    var lo0 = Int64.max
    var lo1 = Int64.max
    var lo2 = Int64.max
    var lo3 = Int64.max
    var hi0 = Int64.min
    var hi1 = Int64.min
    var hi2 = Int64.min
    var hi3 = Int64.min
    var i = 0
    while i &+ 4 <= n {
        let (a, b, c, d) = (x[i], x[i &+ 1], x[i &+ 2], x[i &+ 3])
        let (va, vb, vc, vd) = (valid.isValid(i), valid.isValid(i &+ 1), valid.isValid(i &+ 2), valid.isValid(i &+ 3))
        lo0 = min(lo0, va ? a : .max)
        hi0 = max(hi0, va ? a : .min)
        lo1 = min(lo1, vb ? b : .max)
        hi1 = max(hi1, vb ? b : .min)
        lo2 = min(lo2, vc ? c : .max)
        hi2 = max(hi2, vc ? c : .min)
        lo3 = min(lo3, vd ? d : .max)
        hi3 = max(hi3, vd ? d : .min)
        i &+= 4
    }
    while i < n {
        if valid.isValid(i) {
            lo0 = min(lo0, x[i])
            hi0 = max(hi0, x[i])
        }
        i &+= 1
    }
    return (min(min(lo0, lo1), min(lo2, lo3)), max(max(hi0, hi1), max(hi2, hi3)))
}

/// The smallest and largest valid value among the first `n` rows of an integer-stored column
/// (`valueRange`), nil when there is none.
func valueRange(_ col: Column, count n: Int) -> (lo: Int64, hi: Int64)? {
    if n == 0 { return nil }
    let r = col.ints.withUnsafeBufferPointer { x in
        col.validity.withUnsafeBufferPointerOrNil { valueRange(x.baseAddress!, n, valid: $0?.baseAddress) }
    }
    return r.lo > r.hi ? nil : r
}

/// `valueRange` of `n` values whose rows are valid where `valid[i] != 0` (nil: every row): the
/// AVX-512 kernel (`VectorKernels.range`) when the processor has it, else the four-lane loop.
func valueRange(_ x: UnsafePointer<Int64>, _ n: Int, valid: UnsafePointer<UInt8>?) -> (lo: Int64, hi: Int64) {
    if VectorKernels.isAvailable { return VectorKernels.range(x, valid, n) }
    if let valid { return valueRange(x, n, ValidBytes(valid: valid)) }
    return valueRange(x, n, NoNulls())
}
