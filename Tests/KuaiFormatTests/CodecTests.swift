import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiFormat

/// Unit tests of the pieces under the column file: checksum, bit-packing, encoders.
@Suite struct CodecTests {
    @Test func xxh64ReferenceVectors() {
        // Published xxHash test vectors (seed 0).
        #expect(XXH64.hash([]) == 0xEF46_DB37_51D8_E999)
        #expect(XXH64.hash(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXH64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        #expect(XXH64.hash(Array("Nobody inspects the spammish repetition".utf8)) == 0xFBCE_A83C_8A37_8BF1)
    }

    @Test func xxh3ReferenceVectors() {
        // xxHash 0.8's XXH3_64bits_withSeed, from its C library (the SSE2 and AVX2 code agree): the
        // empty input is the published vector; 200 bytes take the mid-size path, 5000 the
        // accumulator loop (the AVX2 code on processors that have it).
        #expect(XXH3.hash([]) == 0x2D06_8005_38D3_94C2)
        #expect(XXH3.hash(Array("a".utf8)) == 0xE6C6_32B6_1E96_4E1F)
        #expect(XXH3.hash(Array("abc".utf8)) == 0x78AF_5F94_892F_3950)
        let bytes = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        #expect(XXH3.hash(bytes, seed: 42) == 0x9280_BD17_564F_DF91)
        #expect(XXH3.hash(Array(bytes[0..<200]), seed: 42) == 0x9B4D_9E4B_4078_C30F)
    }

    @Test(arguments: Array(0...64))
    func bitPackRoundTripOfEveryWidth(_ bits: Int) {
        var g = SplitMix64(seed: UInt64(bits) + 1)
        for count in [0, 1, 63, 64, 65, 1000] {
            let mask: UInt64 = bits == 64 ? ~0 : (1 << UInt64(bits)) - 1
            var src = (0..<count).map { _ in g.next() & mask }
            if count > 2 {
                src[1] = mask
                src[2] = 0
            }
            let bytes = BitPacking.packedBytes(count: count, bits: bits)
            let buf = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 8), alignment: 8)
            defer { buf.deallocate() }
            let n = src.withUnsafeBufferPointer {
                BitPacking.pack($0.baseAddress!, count: count, bits: bits, into: buf)
            }
            #expect(n == (bits == 0 ? 0 : bytes))
            var out = [Int64](repeating: 0, count: count)
            out.withUnsafeMutableBufferPointer {
                BitPacking.unpackFOR(buf, count: count, bits: bits, base: -5, into: $0.baseAddress!)
            }
            #expect(out == src.map { Int64(bitPattern: $0) &+ -5 }, "width \(bits) count \(count)")
        }
    }

    @Test func encoderPicksTheSmallest() {
        let enc = BlockEncoder()
        func encodingOf(_ v: [Int64]) -> UInt8 {
            v.withUnsafeBufferPointer { enc.encodeInts($0.baseAddress!, rows: v.count, validity: nil).encoding }
        }
        // Sorted with small steps: delta.
        #expect(
            encodingOf((0..<65_536).map { 1_746_374_400_000 + Int64($0) * 3 }) == FormatConstants.encodingDeltaBitPack)
        // Constant: FOR bit-pack of width 0.
        #expect(encodingOf(Array(repeating: 7, count: 1000)) == FormatConstants.encodingFORBitPack)
        // Random 20-bit ids: bit-packing.
        var g = SplitMix64(seed: 1)
        #expect(encodingOf((0..<65_536).map { _ in Int64(g.next() % 1_000_000) }) == FormatConstants.encodingFORBitPack)
        // Long runs of a few byte-sized values: FOR bytes compresses best with LZ4.
        #expect(encodingOf((0..<65_536).map { Int64(($0 / 4096) * 37 % 200) }) != FormatConstants.encodingDeltaBitPack)
    }
}
