import CVector
import KuaiCore

/// The AVX-512 kernels of `CVector` over 64-bit integer-stored columns, eight rows a step.
///
/// Selections compress the passing rows' numbers into the selection vector with no branch and no
/// per-row store of rejected rows. `ScalarExpr.selectRows` uses them for a filter's first
/// conjunct (`input` nil) of the shapes `column op constant`, `column op column` and
/// `(column ± column) op constant`; joins test key-presence bitmaps with `bits`; `valueRange`
/// takes a column's smallest and largest value with `range`. Processors without AVX-512
/// (`isAvailable` false) and every other shape keep the scalar loops, whose results these equal.
enum VectorKernels {
    /// True when the processor runs the kernels (`kuai_vector_level() >= 2`).
    static let isAvailable = kuai_vector_level() >= 2

    /// The kernels' code for a comparison (`enum kuai_compare`).
    static func code(_ op: CompareOp) -> Int32 {
        switch op {
        case .equal: return Int32(KUAI_EQ.rawValue)
        case .notEqual: return Int32(KUAI_NE.rawValue)
        case .less: return Int32(KUAI_LT.rawValue)
        case .lessEqual: return Int32(KUAI_LE.rawValue)
        case .greater: return Int32(KUAI_GT.rawValue)
        case .greaterEqual: return Int32(KUAI_GE.rawValue)
        }
    }

    /// The rows `i < n` with `valid[i] != 0` (nil: all valid) and `a[i] op k`, ascending.
    static func constant(
        _ a: UnsafePointer<Int64>, _ valid: UnsafePointer<UInt8>?, _ n: Int, _ op: CompareOp, _ k: Int64
    )
        -> [Int32]
    {
        if n == 0 { return [] }
        return [Int32](unsafeUninitializedCapacity: n) { out, filled in
            filled = kuai_select_constant(a, valid, n, code(op), k, out.baseAddress!)
        }
    }

    /// The rows `i < n` with `valid[i] != 0` (nil: all valid) and `a[i] op b[i]`, ascending.
    static func pair(
        _ a: UnsafePointer<Int64>, _ b: UnsafePointer<Int64>, _ valid: UnsafePointer<UInt8>?, _ n: Int, _ op: CompareOp
    ) -> [Int32] {
        if n == 0 { return [] }
        return [Int32](unsafeUninitializedCapacity: n) { out, filled in
            filled = kuai_select_pair(a, b, valid, n, code(op), out.baseAddress!)
        }
    }

    /// The rows `i < n` with `valid[i] != 0` (nil: all valid) and `(a[i] ± b[i]) op k` (wrapping),
    /// ascending; `overflow` when the sum or difference of some row (valid or not) overflowed, as
    /// `FusedSum` reports it.
    static func sum(
        subtract: Bool, _ a: UnsafePointer<Int64>, _ b: UnsafePointer<Int64>, _ valid: UnsafePointer<UInt8>?,
        _ n: Int, _ op: CompareOp, _ k: Int64
    ) -> (rows: [Int32], overflow: Bool) {
        if n == 0 { return ([], false) }
        var overflow: Int32 = 0
        let rows = [Int32](unsafeUninitializedCapacity: n) { out, filled in
            filled = kuai_select_sum(a, b, valid, n, subtract ? 1 : 0, code(op), k, out.baseAddress!, &overflow)
        }
        return (rows, overflow != 0)
    }

    /// The rows `i < n` with `valid[i] != 0` (nil: all valid) whose `d = keys[i] - lo` (wrapping,
    /// unsigned) is below `span` and whose bit `d >> shift` is set in `bits`, ascending
    /// (`kuai_select_bits`).
    static func bits(
        _ keys: UnsafePointer<Int64>, _ valid: UnsafePointer<UInt8>?, _ n: Int, lo: Int64, span: UInt64,
        bits: UnsafePointer<UInt64>, shift: Int
    ) -> [Int32] {
        if n == 0 { return [] }
        return [Int32](unsafeUninitializedCapacity: n) { out, filled in
            filled = kuai_select_bits(keys, valid, n, lo, span, bits, Int32(shift), out.baseAddress!)
        }
    }

    /// The smallest and largest of `x[i]`, `i < n`, over the valid rows (`valid` nil: all);
    /// lo > hi (Int64.max, Int64.min) when there is none.
    static func range(_ x: UnsafePointer<Int64>, _ valid: UnsafePointer<UInt8>?, _ n: Int) -> (lo: Int64, hi: Int64) {
        var lo = Int64.max
        var hi = Int64.min
        kuai_value_range(x, valid, n, &lo, &hi)
        return (lo, hi)
    }

    /// The magnitude below which `divide` is exact, for the dividends and the divisor: 2^52.
    static let divideLimit: UInt64 = 1 << 52

    /// `x[i] / d` truncated toward zero, or `x[i] % d` with the sign of `x[i]` (`remainder`), for
    /// the first `n` rows: Swift's `/` and `%`. Requires |x[i]| < `divideLimit` for every row and
    /// 2 <= |d| < `divideLimit`.
    static func divide(_ x: [Int64], count n: Int, by d: Int64, remainder: Bool) -> [Int64] {
        [Int64](unsafeUninitializedCapacity: n) { out, filled in
            x.withUnsafeBufferPointer {
                kuai_divide_by_constant($0.baseAddress!, n, d, remainder ? 1 : 0, out.baseAddress!)
            }
            filled = n
        }
    }

    /// `out[i] = v / divisor % modulus` for `i < n`, `v` the low 32 bits (unsigned) of
    /// `x[i] + shift` (`kuai_time_part`): a part of the time of day counted from a midnight.
    /// Requires 1 <= divisor, modulus < 2^32.
    static func timePart(
        _ x: UnsafePointer<Int64>, _ n: Int, shift: Int64, divisor: Int64, modulus: Int64,
        into out: UnsafeMutablePointer<Int64>
    ) {
        kuai_time_part(x, n, shift, divisor, modulus, out)
    }
}
