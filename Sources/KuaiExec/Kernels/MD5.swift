/// MD5 (RFC 1321) of a byte string, for md5(): DuckDB prints the digest as 32 lowercase hex digits.
enum MD5 {
    /// Per-round shift amounts (RFC 1321, 3.4).
    static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14,
        20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6,
        10, 15, 21,
    ]
    /// floor(abs(sin(i + 1)) * 2^32) (RFC 1321, 3.4).
    static let constants: [UInt32] = [
        0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee, 0xf57c_0faf, 0x4787_c62a,
        0xa830_4613, 0xfd46_9501, 0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be,
        0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821, 0xf61e_2562, 0xc040_b340,
        0x265e_5a51, 0xe9b6_c7aa, 0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
        0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed, 0xa9e3_e905, 0xfcef_a3f8,
        0x676f_02d9, 0x8d2a_4c8a, 0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c,
        0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70, 0x289b_7ec6, 0xeaa1_27fa,
        0xd4ef_3085, 0x0488_1d05, 0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
        0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039, 0x655b_59c3, 0x8f0c_cc92,
        0xffef_f47d, 0x8584_5dd1, 0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1,
        0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
    ]

    /// The digest as 16 bytes in output order (the four state words, little-endian).
    static func digest(_ message: UnsafeBufferPointer<UInt8>) -> (UInt32, UInt32, UInt32, UInt32) {
        var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476)
        let full = message.count / 64
        for b in 0..<full { block(&state, UnsafeRawPointer(message.baseAddress! + b * 64)) }
        // The tail: the remaining bytes, 0x80, zeros, and the bit length (little-endian), in one or
        // two blocks, built on the stack.
        let rest = message.count - full * 64
        let tailBlocks = rest < 56 ? 1 : 2
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { t in
            let tail = t.baseAddress!
            tail.initialize(repeating: 0, count: 128)
            if rest > 0 { tail.update(from: message.baseAddress! + full * 64, count: rest) }
            tail[rest] = 0x80
            let bits = UInt64(message.count) &* 8
            for k in 0..<8 { tail[tailBlocks * 64 - 8 + k] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k))) }
            for b in 0..<tailBlocks { block(&state, UnsafeRawPointer(tail + b * 64)) }
        }
        return (state.0.littleEndian, state.1.littleEndian, state.2.littleEndian, state.3.littleEndian)
    }

    /// One 64-byte block at `chunk` into `state` (RFC 1321, 3.4); its sixteen words are read in place.
    static func block(_ state: inout (UInt32, UInt32, UInt32, UInt32), _ chunk: UnsafeRawPointer) {
        @inline(__always) func m(_ g: Int) -> UInt32 {
            UInt32(littleEndian: chunk.loadUnaligned(fromByteOffset: 4 * g, as: UInt32.self))
        }
        var (a, b, c, d) = state
        constants.withUnsafeBufferPointer { constants in
            shifts.withUnsafeBufferPointer { shifts in
                for i in 0..<64 {
                    var f: UInt32
                    let g: Int
                    switch i {
                    case 0..<16: (f, g) = ((b & c) | (~b & d), i)
                    case 16..<32: (f, g) = ((d & b) | (~d & c), (5 * i + 1) % 16)
                    case 32..<48: (f, g) = (b ^ c ^ d, (3 * i + 5) % 16)
                    default: (f, g) = (c ^ (b | ~d), (7 * i) % 16)
                    }
                    f = f &+ a &+ constants[i] &+ m(g)
                    a = d
                    d = c
                    c = b
                    b = b &+ (f << shifts[i] | f >> (32 - shifts[i]))
                }
            }
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
