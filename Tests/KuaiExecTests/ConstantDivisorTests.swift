import KuaiCore
import Testing

@testable import KuaiExec

// `ConstantDivisor` against the hardware divide (Swift's `/` and `%`, which truncate toward zero
// as DuckDB's `//` and `%` of integers do) over divisors of every shape (small, powers of two and
// their neighbours, the workload's 86400000 and 3600000, near Int64's ends, negative) and
// dividends at every edge (0, ±1, multiples of the divisor and their neighbours, Int64.min and
// Int64.max) plus pseudo-random ones of every magnitude.

private let divisors: [Int64] = {
    var ds: [Int64] = [
        2, 3, 5, 6, 7, 9, 10, 11, 12, 13, 24, 60, 100, 641, 1000, 3600, 86400, 3_600_000, 86_400_000,
        28_800_000, 1_000_000_007, Int64(Int32.max), Int64(Int32.max) + 2, Int64.max, Int64.max - 1,
        Int64.max / 3, Int64.min + 1, Int64.min + 2, Int64.min / 3,
    ]
    for k in 1...62 {
        let p = Int64(1) << Int64(k)
        ds += [p - 1, p, p + 1]
    }
    var g = SplitMix64(seed: 0xD1F)
    for _ in 0..<200 {
        let bits = Int64(g.next() % 63)
        let v = Int64(bitPattern: g.next()) >> (63 - bits)
        if v.magnitude >= 2 { ds.append(v) }
    }
    let positive = ds.filter { $0 >= 2 }
    return positive + positive.map { -$0 } + ds.filter { $0 < -1 }
}()

private func dividends(for d: Int64) -> [Int64] {
    var xs: [Int64] = [0, 1, -1, 2, -2, Int64.max, Int64.min, Int64.max - 1, Int64.min + 1, d, -d]
    let most = Int64(UInt64(Int64.max) / d.magnitude)  // the largest multiple that fits
    for m: Int64 in [1, 2, 3, 1000, most, most - 1] {
        let (p, o) = d.multipliedReportingOverflow(by: m)
        if !o { xs += [p, p &- 1, p &+ 1, 0 &- p, 0 &- p &- 1, 0 &- p &+ 1] }
    }
    var g = SplitMix64(seed: UInt64(bitPattern: d))
    for _ in 0..<300 {
        let bits = Int64(g.next() % 64)
        xs.append(Int64(bitPattern: g.next()) >> (63 - min(bits, 63)))
    }
    return xs
}

private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Test func constantDivisorMatchesHardwareDivide() {
    var checked = 0
    for d in divisors {
        guard let c = ConstantDivisor(d) else {
            Issue.record("no magic number for \(d)")
            continue
        }
        for x in dividends(for: d) {
            let q = c.quotient(x)
            let r = c.remainder(x)
            if q != x / d || r != x % d {
                Issue.record("\(x) / \(d): \(q) rem \(r), expected \(x / d) rem \(x % d)")
                return
            }
            checked += 1
        }
    }
    #expect(checked > 100_000)
}

@Test func constantDivisorDeclinesTrivialAndExtremeDivisors() {
    for d: Int64 in [0, 1, -1, Int64.min] { #expect(ConstantDivisor(d) == nil) }
}

@Test func constantDivisorKernelOverAColumn() throws {
    // The arithmetic kernel takes the constant-divisor path for a column and a constant; its
    // answer equals the row-by-row divide, and `%` keeps the dividend's sign.
    let xs: [Int64] = [0, 7, -7, 86_399_999, 86_400_000, -86_400_001, Int64.max, Int64.min]
    let c = ConstantDivisor(86_400_000)!
    #expect(c.apply(.integerDivide, xs, count: xs.count) == xs.map { $0 / 86_400_000 })
    #expect(c.apply(.modulo, xs, count: xs.count) == xs.map { $0 % 86_400_000 })
    let seven = ConstantDivisor(-7)!
    #expect(seven.apply(.modulo, xs, count: xs.count) == xs.map { $0 % -7 })
}
