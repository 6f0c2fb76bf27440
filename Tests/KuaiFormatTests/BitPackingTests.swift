import KuaiTestSupport
import Testing

@testable import KuaiFormat

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The group decoders of `BitPacking` (8 values per group, one loop per width) against values
/// computed directly from the packed input: every width 0...64, counts that are and are not
/// multiples of the group, negative and extreme bases, and packed sections that end exactly at
/// an unreadable page (a read past the section would crash the test).
@Suite struct BitPackingTests {
    /// Counts around the group size (8), a word (64) and the block size.
    static let counts = [0, 1, 2, 7, 8, 9, 15, 16, 17, 23, 63, 64, 65, 127, 129, 1000, 4095, 65_535, 65_536]

    /// `count` packed values of `bits` bits placed so that the section ends at a PROT_NONE page.
    final class GuardedPack {
        let region: UnsafeMutableRawPointer
        let regionBytes: Int
        let packed: UnsafeRawPointer
        let values: [UInt64]

        init(bits: Int, count: Int, seed: UInt64) {
            var g = SplitMix64(seed: seed)
            let mask: UInt64 = bits == 64 ? ~0 : (1 << UInt64(bits)) &- 1
            var v = (0..<count).map { _ in g.next() & mask }
            // The extremes of the width somewhere in the middle and at the end.
            if count > 3 {
                v[count / 2] = mask
                v[count / 2 + 1] = 0
                v[count - 1] = mask
            }
            values = v
            let bytes = BitPacking.packedBytes(count: count, bits: bits)
            let page = Int(sysconf(Int32(_SC_PAGESIZE)))
            let dataPages = (bytes + page - 1) / page
            regionBytes = (dataPages + 1) * page
            let m = mmap(nil, regionBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
            precondition(m != MAP_FAILED)
            region = m
            let guardPage = region + dataPages * page
            precondition(mprotect(guardPage, page, PROT_NONE) == 0)
            let start = guardPage - bytes
            let n = v.withUnsafeBufferPointer {
                BitPacking.pack($0.baseAddress!, count: count, bits: bits, into: start)
            }
            precondition(n == (bits == 0 || count == 0 ? 0 : bytes))
            packed = UnsafeRawPointer(start)
        }

        deinit { munmap(region, regionBytes) }
    }

    @Test(arguments: Array(0...64))
    func frameOfReferenceOfEveryWidth(_ bits: Int) {
        for count in Self.counts {
            let p = GuardedPack(bits: bits, count: count, seed: UInt64(bits * 1000 + count))
            for base: Int64 in [0, -5, -1_746_374_400_000, Int64.min, Int64.max] {
                var out = [Int64](repeating: 42, count: count + 1)
                out.withUnsafeMutableBufferPointer {
                    BitPacking.unpackFOR(p.packed, count: count, bits: bits, base: base, into: $0.baseAddress!)
                }
                let want = p.values.map { base &+ Int64(bitPattern: $0) }
                #expect(Array(out.prefix(count)) == want, "width \(bits) count \(count) base \(base)")
                #expect(out[count] == 42, "width \(bits) count \(count): wrote past the end")
            }
        }
    }

    /// Each vector decoder this processor has (AVX2, and AVX-512 where present), not only the
    /// widest one `unpackFOR` picks, finished by the scalar loops as `unpackFOR` finishes it, and
    /// the scalar decode alone: all against the values packed, each section ending at the guard
    /// page (a vector load past the section would crash the test).
    @Test(arguments: Array(1...57))
    func everyVectorLevelOfEveryWidth(_ bits: Int) {
        for count in Self.counts {
            let p = GuardedPack(bits: bits, count: count, seed: UInt64(bits * 131 + count))
            let base: Int64 = -1_746_374_400_000
            let want = p.values.map { base &+ Int64(bitPattern: $0) }
            for level in 0...BitPacking.vectorLevel {
                var out = [Int64](repeating: 42, count: count + 1)
                out.withUnsafeMutableBufferPointer { o in
                    let done = BitPacking.vectorGroups(
                        p.packed, count: count, bits: bits, base: base, into: o.baseAddress!, level: level)
                    #expect(level == 0 || count < 256 || done > 0, "level \(level) width \(bits) count \(count)")
                    var sink = FORSink(out: o.baseAddress!, base: base)
                    BitPacking.unpack(p.packed, count: count, bits: bits, fromGroup: done, &sink)
                }
                #expect(Array(out.prefix(count)) == want, "level \(level) width \(bits) count \(count)")
                #expect(out[count] == 42, "level \(level) width \(bits) count \(count): wrote past the end")
            }
            var scalar = [Int64](repeating: 42, count: count)
            scalar.withUnsafeMutableBufferPointer {
                var sink = FORSink(out: $0.baseAddress!, base: base)
                BitPacking.unpack(p.packed, count: count, bits: bits, fromGroup: 0, &sink)
            }
            #expect(scalar == want, "scalar width \(bits) count \(count)")
        }
    }

    @Test(arguments: Array(0...64))
    func deltaOfEveryWidth(_ bits: Int) {
        for count in Self.counts {
            // `count` deltas rebuild `count + 1` values.
            let p = GuardedPack(bits: bits, count: count, seed: UInt64(bits * 7919 + count))
            for (first, minDelta) in [(Int64(0), Int64(0)), (1_746_374_400_000, -3), (-7, Int64.min), (Int64.max, 1)] {
                var out = [Int64](repeating: 42, count: count + 2)
                out.withUnsafeMutableBufferPointer {
                    BitPacking.unpackDelta(
                        p.packed, count: count + 1, bits: bits, first: first, minDelta: minDelta, into: $0.baseAddress!)
                }
                var want = [first]
                var prev = first
                for d in p.values {
                    prev = prev &+ minDelta &+ Int64(bitPattern: d)
                    want.append(prev)
                }
                #expect(
                    Array(out.prefix(count + 1)) == want,
                    "width \(bits) deltas \(count) first \(first) minDelta \(minDelta)")
                #expect(out[count + 1] == 42, "width \(bits) deltas \(count): wrote past the end")
            }
        }
    }

    @Test func safeGroupsNeverReachPastTheSection() {
        for bits in 1...64 {
            for count in 0...300 {
                let groups = BitPacking.safeGroups(count: count, bits: bits)
                #expect(groups * 8 <= count)
                if groups > 0 {
                    // The last load of the last group: byte (groups-1)*bits + (7*bits)/8, 8 bytes.
                    let end = (groups - 1) * bits + (7 * bits) / 8 + 8
                    #expect(end <= BitPacking.packedBytes(count: count, bits: bits), "width \(bits) count \(count)")
                }
            }
        }
    }
}
