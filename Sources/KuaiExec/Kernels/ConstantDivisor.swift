import KuaiCore

/// Division of Int64 values by one constant divisor through a multiply and shifts instead of a
/// hardware divide (the "magic number" method of Granlund and Montgomery, as given in Warren,
/// Hacker's Delight, 2nd ed., section 10-4 and figure 10-1): `x // c` and `x % c` over a column
/// with a constant `c`, as in `timestamp // 86400000` or `user_id % 10`, cost a 128-bit multiply
/// per row (a few cycles) instead of a 64-bit `idiv` (tens of cycles).
///
/// Quotients truncate toward zero and remainders take the dividend's sign, as Swift's `/` and `%`
/// and DuckDB's `//` and `%` of integers.
struct ConstantDivisor {
    /// The divisor.
    let divisor: Int64
    /// The magic multiplier M (two's complement; the high word of `M * x` approximates x / c).
    let magic: Int64
    /// The arithmetic right shift applied to the high word.
    let shift: Int64

    /// The magic number for `divisor`, or nil when the method does not apply: |divisor| < 2
    /// (0 is an error, 1 and -1 need no division, and -1 overflows for Int64.min) and
    /// divisor = Int64.min (its magic number needs 65 bits).
    init?(_ divisor: Int64) {
        guard divisor != Int64.min, divisor.magnitude >= 2 else { return nil }
        let two63: UInt64 = 1 << 63
        let ad = divisor.magnitude
        let t = two63 &+ (UInt64(bitPattern: divisor) >> 63)
        let anc = t &- 1 &- t % ad  // |nc|, the largest dividend with remainder ad - 1
        var p: Int64 = 63
        var q1 = two63 / anc
        var r1 = two63 &- q1 &* anc
        var q2 = two63 / ad
        var r2 = two63 &- q2 &* ad
        var delta: UInt64 = 0
        repeat {
            p += 1
            q1 = q1 &* 2
            r1 = r1 &* 2
            if r1 >= anc {
                q1 &+= 1
                r1 &-= anc
            }
            q2 = q2 &* 2
            r2 = r2 &* 2
            if r2 >= ad {
                q2 &+= 1
                r2 &-= ad
            }
            delta = ad &- r2
        } while q1 < delta || (q1 == delta && r1 == 0)
        var m = Int64(bitPattern: q2 &+ 1)
        if divisor < 0 { m = 0 &- m }
        self.divisor = divisor
        magic = m
        shift = p - 64
    }

    /// `x / divisor`, truncated toward zero; equals Swift's `x / divisor` for every Int64 `x`.
    @inline(__always)
    func quotient(_ x: Int64) -> Int64 {
        var q = x.multipliedFullWidth(by: magic).high
        if divisor > 0 && magic < 0 { q &+= x }
        if divisor < 0 && magic > 0 { q &-= x }
        q >>= shift
        return q &+ Int64(bitPattern: UInt64(bitPattern: q) >> 63)
    }

    /// `x % divisor` with the sign of `x`; equals Swift's `x % divisor` for every Int64 `x`.
    @inline(__always)
    func remainder(_ x: Int64) -> Int64 {
        x &- quotient(x) &* divisor
    }

    /// `op(x[i], divisor)` for the first `n` rows of `x`, `op` being `.integerDivide` or `.modulo`
    /// (no row can overflow or divide by zero, so there is nothing to report).
    func apply(_ op: ArithmeticOp, _ x: [Int64], count n: Int) -> [Int64] {
        [Int64](unsafeUninitializedCapacity: n) { out, filled in
            x.withUnsafeBufferPointer { xp in
                if op == .modulo {
                    for i in 0..<n { out[i] = remainder(xp[i]) }
                } else {
                    for i in 0..<n { out[i] = quotient(xp[i]) }
                }
            }
            filled = n
        }
    }
}
