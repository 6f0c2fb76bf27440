import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

// The arithmetic of sha1 / sha256 (FIPS 180-4's example digests), fmod, round_even, gcd and lcm.
// Expected values are the standard's (digests) and DuckDB 2.0.1's (`SELECT fmod(x, y)`, ...).

/// A message and its SHA-1 and SHA-256 digests (FIPS 180-4 examples; "" from the same algorithm).
struct DigestCase: Sendable, CustomStringConvertible {
    let message: String
    let sha1: String
    let sha256: String
    var description: String { "\(message.prefix(12))" }
}

let digestCases: [DigestCase] = [
    DigestCase(
        message: "abc", sha1: "a9993e364706816aba3e25717850c26c9cd0d89d",
        sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    DigestCase(
        message: "", sha1: "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    DigestCase(
        message: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        sha1: "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
        sha256: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
]

@Test(arguments: digestCases)
func shaDigests(_ c: DigestCase) {
    var message = c.message
    let (one, two) = message.withUTF8 { b in
        var h1 = [UInt8](repeating: 0, count: 40)
        var h2 = [UInt8](repeating: 0, count: 64)
        h1.withUnsafeMutableBufferPointer { SHA.sha1Hex(b, $0.baseAddress!) }
        h2.withUnsafeMutableBufferPointer { SHA.sha256Hex(b, $0.baseAddress!) }
        return (String(decoding: h1, as: UTF8.self), String(decoding: h2, as: UTF8.self))
    }
    #expect(one == c.sha1)
    #expect(two == c.sha256)
}

/// DuckDB 2.0.1's fmod(x, y) (the remainder takes y's sign; a zero remainder is +0.0).
@Test(arguments: [
    (-5.5, 2.0, 0.5), (5.0, -3.0, -1.0), (-7.0, 3.0, 2.0), (7.0, 2.5, 2.0), (1.0, -Double.infinity, -Double.infinity),
    (-1.0, 1e308, 1e308), (1e308, 1e-308, 3.498445546245627e-309), (-0.0, 1.0, 0.0), (2.5, -1.0, -0.5),
])
func flooredRemainder(_ x: Double, _ y: Double, _ expected: Double) {
    let r = NumberTheory.flooredRemainder(x, y)
    #expect(r == expected && r.sign == expected.sign)
    #expect(NumberTheory.flooredRemainder(5, 0).isNaN)
}

/// DuckDB 2.0.1's round_even(x, d): the exact product rounded half to even.
@Test(arguments: [
    (2.675, 2, 2.67), (0.125, 2, 0.12), (0.375, 2, 0.38), (2.5, 0, 2.0), (-2.5, 0, -2.0), (3.5, 0, 4.0),
    (25.0, -1, 20.0), (35.0, -1, 40.0), (5.5, 400, 5.5), (123.456, -5, 0.0),
])
func roundHalfEven(_ x: Double, _ digits: Int64, _ expected: Double) {
    guard case .scalar(.double(let r)) = NumberTheory.roundEven(.scalar(.double(x)), .scalar(.int(digits)), 1) else {
        Issue.record("round_even(\(x), \(digits)) is not a DOUBLE constant")
        return
    }
    #expect(r == expected)
}

@Test func gcdAndLcmAsDuckDB() throws {
    #expect(try NumberTheory.gcd(Int64(12), 18) == 6)
    #expect(try NumberTheory.gcd(Int64(-12), 18) == 6)
    #expect(try NumberTheory.gcd(Int64.min, -1) == 1)
    #expect(try NumberTheory.gcd(Int64.min, 2) == 2)
    #expect(throws: KuaiError.self) { try NumberTheory.gcd(Int64.min, 0) }
    #expect(try NumberTheory.lcm(Int64(-4), 6) == 12)
    #expect(try NumberTheory.lcm(Int64(0), 5) == 0)
    #expect(throws: KuaiError.self) { try NumberTheory.lcm(Int64(3_037_000_500), 3_037_000_501) }
    #expect(throws: KuaiError.self) { try NumberTheory.lcm(Int64.min, 1) }
    #expect(try NumberTheory.gcd(Int128.max, 7) == 1)  // 2^127 - 1 is prime
}
