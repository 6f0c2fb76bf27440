/// MD5 (RFC 1321) of a byte string, for md5(): DuckDB prints the digest as 32 lowercase hex digits.
enum MD5 {
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

    /// One 64-byte block at `chunk` into `state` (RFC 1321, 3.4): the 64 steps written out, each with
    /// its message word, shift and constant floor(abs(sin(i + 1)) * 2^32), so that the block runs
    /// without tables or branches.
    static func block(_ state: inout (UInt32, UInt32, UInt32, UInt32), _ chunk: UnsafeRawPointer) {
        @inline(__always) func w(_ g: Int) -> UInt32 {
            UInt32(littleEndian: chunk.loadUnaligned(fromByteOffset: 4 * g, as: UInt32.self))
        }
        let x = (
            w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7), w(8), w(9), w(10), w(11), w(12), w(13), w(14), w(15)
        )
        var (a, b, c, d) = state
        ff(&a, b, c, d, x.0, 7, 0xd76a_a478)
        ff(&d, a, b, c, x.1, 12, 0xe8c7_b756)
        ff(&c, d, a, b, x.2, 17, 0x2420_70db)
        ff(&b, c, d, a, x.3, 22, 0xc1bd_ceee)
        ff(&a, b, c, d, x.4, 7, 0xf57c_0faf)
        ff(&d, a, b, c, x.5, 12, 0x4787_c62a)
        ff(&c, d, a, b, x.6, 17, 0xa830_4613)
        ff(&b, c, d, a, x.7, 22, 0xfd46_9501)
        ff(&a, b, c, d, x.8, 7, 0x6980_98d8)
        ff(&d, a, b, c, x.9, 12, 0x8b44_f7af)
        ff(&c, d, a, b, x.10, 17, 0xffff_5bb1)
        ff(&b, c, d, a, x.11, 22, 0x895c_d7be)
        ff(&a, b, c, d, x.12, 7, 0x6b90_1122)
        ff(&d, a, b, c, x.13, 12, 0xfd98_7193)
        ff(&c, d, a, b, x.14, 17, 0xa679_438e)
        ff(&b, c, d, a, x.15, 22, 0x49b4_0821)
        gg(&a, b, c, d, x.1, 5, 0xf61e_2562)
        gg(&d, a, b, c, x.6, 9, 0xc040_b340)
        gg(&c, d, a, b, x.11, 14, 0x265e_5a51)
        gg(&b, c, d, a, x.0, 20, 0xe9b6_c7aa)
        gg(&a, b, c, d, x.5, 5, 0xd62f_105d)
        gg(&d, a, b, c, x.10, 9, 0x0244_1453)
        gg(&c, d, a, b, x.15, 14, 0xd8a1_e681)
        gg(&b, c, d, a, x.4, 20, 0xe7d3_fbc8)
        gg(&a, b, c, d, x.9, 5, 0x21e1_cde6)
        gg(&d, a, b, c, x.14, 9, 0xc337_07d6)
        gg(&c, d, a, b, x.3, 14, 0xf4d5_0d87)
        gg(&b, c, d, a, x.8, 20, 0x455a_14ed)
        gg(&a, b, c, d, x.13, 5, 0xa9e3_e905)
        gg(&d, a, b, c, x.2, 9, 0xfcef_a3f8)
        gg(&c, d, a, b, x.7, 14, 0x676f_02d9)
        gg(&b, c, d, a, x.12, 20, 0x8d2a_4c8a)
        hh(&a, b, c, d, x.5, 4, 0xfffa_3942)
        hh(&d, a, b, c, x.8, 11, 0x8771_f681)
        hh(&c, d, a, b, x.11, 16, 0x6d9d_6122)
        hh(&b, c, d, a, x.14, 23, 0xfde5_380c)
        hh(&a, b, c, d, x.1, 4, 0xa4be_ea44)
        hh(&d, a, b, c, x.4, 11, 0x4bde_cfa9)
        hh(&c, d, a, b, x.7, 16, 0xf6bb_4b60)
        hh(&b, c, d, a, x.10, 23, 0xbebf_bc70)
        hh(&a, b, c, d, x.13, 4, 0x289b_7ec6)
        hh(&d, a, b, c, x.0, 11, 0xeaa1_27fa)
        hh(&c, d, a, b, x.3, 16, 0xd4ef_3085)
        hh(&b, c, d, a, x.6, 23, 0x0488_1d05)
        hh(&a, b, c, d, x.9, 4, 0xd9d4_d039)
        hh(&d, a, b, c, x.12, 11, 0xe6db_99e5)
        hh(&c, d, a, b, x.15, 16, 0x1fa2_7cf8)
        hh(&b, c, d, a, x.2, 23, 0xc4ac_5665)
        ii(&a, b, c, d, x.0, 6, 0xf429_2244)
        ii(&d, a, b, c, x.7, 10, 0x432a_ff97)
        ii(&c, d, a, b, x.14, 15, 0xab94_23a7)
        ii(&b, c, d, a, x.5, 21, 0xfc93_a039)
        ii(&a, b, c, d, x.12, 6, 0x655b_59c3)
        ii(&d, a, b, c, x.3, 10, 0x8f0c_cc92)
        ii(&c, d, a, b, x.10, 15, 0xffef_f47d)
        ii(&b, c, d, a, x.1, 21, 0x8584_5dd1)
        ii(&a, b, c, d, x.8, 6, 0x6fa8_7e4f)
        ii(&d, a, b, c, x.15, 10, 0xfe2c_e6e0)
        ii(&c, d, a, b, x.6, 15, 0xa301_4314)
        ii(&b, c, d, a, x.13, 21, 0x4e08_11a1)
        ii(&a, b, c, d, x.4, 6, 0xf753_7e82)
        ii(&d, a, b, c, x.11, 10, 0xbd3a_f235)
        ii(&c, d, a, b, x.2, 15, 0x2ad7_d2bb)
        ii(&b, c, d, a, x.9, 21, 0xeb86_d391)
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }

    @inline(__always)
    static func step(_ a: inout UInt32, _ b: UInt32, _ f: UInt32, _ x: UInt32, _ s: UInt32, _ t: UInt32) {
        let v = a &+ f &+ x &+ t
        a = b &+ (v << s | v >> (32 - s))
    }
    @inline(__always)
    static func ff(_ a: inout UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ x: UInt32, _ s: UInt32, _ t: UInt32) {
        step(&a, b, (b & c) | (~b & d), x, s, t)
    }
    @inline(__always)
    static func gg(_ a: inout UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ x: UInt32, _ s: UInt32, _ t: UInt32) {
        step(&a, b, (d & b) | (~d & c), x, s, t)
    }
    @inline(__always)
    static func hh(_ a: inout UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ x: UInt32, _ s: UInt32, _ t: UInt32) {
        step(&a, b, b ^ c ^ d, x, s, t)
    }
    @inline(__always)
    static func ii(_ a: inout UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ x: UInt32, _ s: UInt32, _ t: UInt32) {
        step(&a, b, c ^ (b | ~d), x, s, t)
    }
}
