/// SHA-1 and SHA-256 (FIPS 180-4) of a byte string, for sha1() and sha256(): DuckDB prints each
/// digest as lowercase hex digits (40 and 64).
enum SHA {
    /// SHA-256's round constants (FIPS 180-4, 4.2.2).
    static let k256: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// The message padded to whole 64-byte blocks: the bytes, 0x80, zeros and the bit length
    /// (big-endian), FIPS 180-4 5.1.1; `body` reads each block (the tail's from a stack buffer, no
    /// allocation per message).
    @inline(__always)
    static func forEachBlock(_ message: UnsafeBufferPointer<UInt8>, _ body: (UnsafePointer<UInt8>) -> Void) {
        let full = message.count / 64
        if let base = message.baseAddress { for b in 0..<full { body(base + b * 64) } }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { tail in
            let rest = message.count - full * 64
            for k in 0..<rest { tail[k] = message[full * 64 + k] }
            tail[rest] = 0x80
            let length = rest + 1 <= 56 ? 64 : 128
            for k in (rest + 1)..<(length - 8) { tail[k] = 0 }
            let bits = UInt64(message.count) &* 8
            for k in 0..<8 { tail[length - 1 - k] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k))) }
            for b in 0..<(length / 64) { body(UnsafePointer(tail.baseAddress!) + b * 64) }
        }
    }

    @inline(__always)
    static func word(_ p: UnsafePointer<UInt8>, _ k: Int) -> UInt32 {
        UInt32(p[4 * k]) << 24 | UInt32(p[4 * k + 1]) << 16 | UInt32(p[4 * k + 2]) << 8 | UInt32(p[4 * k + 3])
    }

    @inline(__always)
    static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { x << n | x >> (32 - n) }

    @inline(__always)
    static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }

    /// SHA-1 of `message` (FIPS 180-4, 6.1) as 40 lowercase hex digits at `out`.
    static func sha1Hex(_ message: UnsafeBufferPointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 85) { words in
            let h = words.baseAddress!
            let w = h + 5
            (h[0], h[1], h[2], h[3], h[4]) = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476, 0xc3d2_e1f0)
            forEachBlock(message) { p in
                for t in 0..<16 { w[t] = word(p, t) }
                for t in 16..<80 { w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1) }
                var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
                for t in 0..<80 {
                    let f: UInt32
                    let k: UInt32
                    switch t {
                    case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5a82_7999)
                    case 20..<40: (f, k) = (b ^ c ^ d, 0x6ed9_eba1)
                    case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8f1b_bcdc)
                    default: (f, k) = (b ^ c ^ d, 0xca62_c1d6)
                    }
                    let temp = rotl(a, 5) &+ f &+ e &+ k &+ w[t]
                    (e, d, c, b, a) = (d, c, rotl(b, 30), a, temp)
                }
                h[0] = h[0] &+ a
                h[1] = h[1] &+ b
                h[2] = h[2] &+ c
                h[3] = h[3] &+ d
                h[4] = h[4] &+ e
            }
            writeHex(UnsafePointer(h), 5, out)
        }
    }

    /// SHA-256 of `message` (FIPS 180-4, 6.2) as 64 lowercase hex digits at `out`.
    static func sha256Hex(_ message: UnsafeBufferPointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 72) { words in
            let h = words.baseAddress!
            let w = h + 8
            let initial: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
                0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
            )
            (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]) = initial
            k256.withUnsafeBufferPointer { k in
                forEachBlock(message) { p in
                    for t in 0..<16 { w[t] = word(p, t) }
                    for t in 16..<64 {
                        let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                        let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                        w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                    }
                    var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
                    for t in 0..<64 {
                        let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[t] &+ w[t]
                        let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                        (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
                    }
                    h[0] = h[0] &+ a
                    h[1] = h[1] &+ b
                    h[2] = h[2] &+ c
                    h[3] = h[3] &+ d
                    h[4] = h[4] &+ e
                    h[5] = h[5] &+ f
                    h[6] = h[6] &+ g
                    h[7] = h[7] &+ hh
                }
            }
            writeHex(UnsafePointer(h), 8, out)
        }
    }

    /// `count` words at `words` as 8 lowercase hex digits each (big-endian), into `out`.
    @inline(__always)
    static func writeHex(_ words: UnsafePointer<UInt32>, _ count: Int, _ out: UnsafeMutablePointer<UInt8>) {
        StringBuildKernels.hexDigits.withUnsafeBufferPointer { hex in
            for k in 0..<count {
                let x = words[k]
                for d in 0..<8 { out[8 * k + d] = hex[Int((x >> UInt32(28 - 4 * d)) & 15)] }
            }
        }
    }
}
