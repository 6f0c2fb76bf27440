import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

/// The AVX-512 selections (`VectorKernels`) against the scalar loops they stand in for
/// (`selectScalarLoop`, `selectPairs`, `selectSum`): every operator, row counts around the 8-row
/// step, with and without NULLs, values at the 64-bit extremes so that sums and differences
/// overflow in some rows (the overflow flag must agree too). On a processor without AVX-512 the
/// kernels are never called and there is nothing to compare.
@Suite struct VectorKernelTests {
    static let ops: [CompareOp] = [.equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual]
    static let counts = Array(0...70) + [4095, 4096, 4103, 65_536]

    /// `n` values, mostly near the constant 3, a few at the extremes.
    static func values(_ n: Int, _ g: inout SplitMix64) -> [Int64] {
        (0..<n).map { _ in
            let r = g.next()
            switch r % 40 {
            case 0: return Int64.max - Int64(r >> 60)
            case 1: return Int64.min + Int64(r >> 60)
            default: return Int64(r % 9) - 1
            }
        }
    }

    @Test(arguments: ops)
    func kernelsEqualTheScalarLoops(_ op: CompareOp) {
        guard VectorKernels.isAvailable else { return }
        var g = SplitMix64(seed: 0x5E1EC7)
        for n in Self.counts {
            let a = Self.values(n, &g)
            let b = Self.values(n, &g)
            let k = Int64(g.next() % 9) - 1
            for nulls in [false, true] {
                let valid: [UInt8]? = nulls ? (0..<n).map { _ in g.next() % 5 == 0 ? 0 : 1 } : nil
                a.withUnsafeBufferPointer { ap in
                    b.withUnsafeBufferPointer { bp in
                        let x = ap.baseAddress ?? UnsafePointer(bitPattern: 8)!
                        let y = bp.baseAddress ?? UnsafePointer(bitPattern: 8)!
                        ScalarExpr.withValidity(valid) { v in
                            let scalar = ScalarExpr.selectScalarLoop(ap, valid, op, k, nil, n)
                            #expect(VectorKernels.constant(x, v, n, op, k) == scalar, "constant n \(n) nulls \(nulls)")
                            let pairs = ScalarExpr.selectPairs(op, n, valid, nil, ColumnPair(x: x, y: y)).rows
                            #expect(VectorKernels.pair(x, y, v, n, op) == pairs, "pair n \(n) nulls \(nulls)")
                            for subtract in [false, true] {
                                let want = ScalarExpr.selectSum(
                                    subtract, op, n, valid, nil, ColumnValues(x), ColumnValues(y), k)
                                let got = VectorKernels.sum(subtract: subtract, x, y, v, n, op, k)
                                #expect(got.rows == want.rows, "sum n \(n) nulls \(nulls) subtract \(subtract)")
                                #expect(got.overflow == want.overflow, "overflow n \(n) subtract \(subtract)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// `VectorKernels.range` against `valueRange`'s scalar loop, with and without NULLs, extremes
    /// included, and for all-NULL rows (lo > hi).
    @Test func rangeEqualsTheScalarLoop() {
        guard VectorKernels.isAvailable else { return }
        var g = SplitMix64(seed: 77)
        for n in Self.counts {
            let a = Self.values(n, &g)
            for nulls in [0, 1, 2] {
                let valid: [UInt8]? =
                    nulls == 0 ? nil : (0..<n).map { _ in nulls == 2 ? 0 : (g.next() % 3 == 0 ? 0 : 1) }
                a.withUnsafeBufferPointer { ap in
                    let x = ap.baseAddress ?? UnsafePointer(bitPattern: 8)!
                    let want: (lo: Int64, hi: Int64) =
                        valid.map { v in
                            v.withUnsafeBufferPointer { valueRange(x, n, ValidBytes(valid: $0.baseAddress!)) }
                        }
                        ?? valueRange(x, n, NoNulls())
                    let got = valid.withUnsafeBufferPointerOrNil { VectorKernels.range(x, $0?.baseAddress, n) }
                    #expect(got == want, "n \(n) nulls \(nulls)")
                }
            }
        }
    }

    /// `VectorKernels.divide` against Swift's `/` and `%` for divisors of both signs and many
    /// sizes, dividends up to the ±2^52 limit, just below and above multiples of the divisor.
    @Test func divideEqualsSwiftDivision() {
        guard VectorKernels.isAvailable else { return }
        var g = SplitMix64(seed: 5)
        let limit = Int64(VectorKernels.divideLimit) - 1
        let divisors: [Int64] = [
            2, 3, 7, 24, 60, 1000, 3_600_000, 86_400_000, -2, -7, -86_400_000, (1 << 51) + 3, -limit,
        ]
        for d in divisors {
            let n = 4103
            let x: [Int64] = (0..<n).map { i in
                switch i % 5 {
                case 0: return Int64(bitPattern: g.next() % UInt64(2 * limit + 1)) - limit
                case 1: return i % 2 == 0 ? limit - Int64(g.next() % 4) : -limit + Int64(g.next() % 4)
                case 2:
                    let k = Int64(g.next() % 2_000_000) - 1_000_000
                    let (v, o) = k.multipliedReportingOverflow(by: d)
                    return o || v.magnitude > UInt64(limit) - 2 ? 17 : v + Int64(g.next() % 3) - 1
                case 3: return Int64(g.next() % 201) - 100
                default: return 1_746_374_400_000 + Int64(g.next() % 10_000_000_000)
                }
            }
            #expect(VectorKernels.divide(x, count: n, by: d, remainder: false) == x.map { $0 / d }, "/ \(d)")
            #expect(VectorKernels.divide(x, count: n, by: d, remainder: true) == x.map { $0 % d }, "% \(d)")
        }
    }

    /// `VectorKernels.timePart` against the scalar formula for the hour, minute and second of
    /// milliseconds and extreme divisors, with shifts that wrap and values at the ends of the
    /// 32-bit range and next to multiples of the divisor.
    @Test func timePartEqualsTheScalarFormula() {
        guard VectorKernels.isAvailable else { return }
        var g = SplitMix64(seed: 24)
        let parts: [(Int64, Int64)] = [
            (3_600_000, 24), (60_000, 60), (1000, 60), (1, 24), (4_294_967_295, 2), (7, 4_294_967_295),
        ]
        for (divisor, modulus) in parts {
            for n in Self.counts {
                let shift = Int64(bitPattern: g.next())
                let x: [Int64] = (0..<n).map { i in
                    switch i % 4 {
                    case 0: return Int64(bitPattern: g.next())
                    case 1: return 0 &- shift &+ Int64(g.next() % 3)  // v near 0
                    case 2: return 0 &- shift &+ 4_294_967_295 &- Int64(g.next() % 3)  // v near 2^32
                    default: return 0 &- shift &+ divisor &* Int64(g.next() % 1200) &+ Int64(g.next() % 3) &- 1
                    }
                }
                let want = x.map {
                    Int64(UInt64(UInt32(truncatingIfNeeded: $0 &+ shift)) / UInt64(divisor) % UInt64(modulus))
                }
                var got = [Int64](repeating: -1, count: n)
                x.withUnsafeBufferPointer { xp in
                    got.withUnsafeMutableBufferPointer { o in
                        guard let xb = xp.baseAddress, let ob = o.baseAddress else { return }
                        VectorKernels.timePart(xb, n, shift: shift, divisor: divisor, modulus: modulus, into: ob)
                    }
                }
                #expect(got == want, "/ \(divisor) % \(modulus), n \(n)")
            }
        }
    }

    /// The bitmap test's scalar twin (`JoinHashTable.rowsWithBit`, what processors without
    /// AVX-512 run) against the vector kernel: shifts 0 and 6, keys below, inside and above the
    /// span (and at the 64-bit extremes), with and without NULLs.
    @Test func bitTestScalarTwinEqualsTheKernel() {
        guard VectorKernels.isAvailable else { return }
        var g = SplitMix64(seed: 64)
        for n in Self.counts {
            let span = UInt64(1 + g.next() % 5000)
            for shift in [0, 6] {
                let words = Int(((span - 1) >> UInt64(shift)) / 64 + 1)
                let bits = (0..<words).map { _ in g.next() }
                let lo = Int64(g.next() % 200) - 100
                let x: [Int64] = (0..<n).map { i in
                    switch i % 9 {
                    case 0: return Int64.min
                    case 1: return Int64.max
                    default: return lo + Int64(g.next() % (span + 40)) - 20
                    }
                }
                for nulls in [false, true] {
                    let valid: [UInt8]? = nulls ? (0..<n).map { _ in g.next() % 4 == 0 ? 0 : 1 } : nil
                    x.withUnsafeBufferPointer { xp in
                        bits.withUnsafeBufferPointer { bp in
                            valid.withUnsafeBufferPointerOrNil { v in
                                let want = VectorKernels.bits(
                                    xp.baseAddress ?? UnsafePointer(bitPattern: 8)!, v?.baseAddress, n, lo: lo,
                                    span: span,
                                    bits: bp.baseAddress!, shift: shift)
                                let got = JoinHashTable.rowsWithBit(
                                    xp, v, n, lo: lo, span: span, bits: bp.baseAddress!, shift: shift)
                                #expect(got == want, "n \(n) shift \(shift) nulls \(nulls)")
                            }
                        }
                    }
                }
            }
        }
    }
}
