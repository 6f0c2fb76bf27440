import CVector

/// Bit-packing of unsigned offsets (Formats/column-file.md, "Bit-packed layout").
///
/// Value `i` of width `bits` occupies bits `[i*bits, (i+1)*bits)` of a stream of 64-bit
/// little-endian words, least significant bit first. The packed size of `count` values is
/// `ceil(count * bits / 64) * 8` bytes; unused high bits of the last word are zero.
///
/// Decoding runs in groups of 8 values: 8 values of `bits` bits are exactly `bits` bytes, so
/// value `j` of a group starts at byte `(j*bits)/8` of the group, bit `(j*bits)%8`, and one
/// unaligned 8-byte load, a shift and a mask extract it (for `bits` <= 57, since 7 + 57 <= 64).
/// The bit width is a constant inside each case of a switch, so every width gets its own loop
/// with the 8 offsets and shifts folded in. Groups run while their loads stay inside the packed
/// bytes; the last values (fewer than 8, plus any group whose 8-byte loads would pass the end)
/// go through a careful two-word loop, so no byte past the packed section is ever read.
///
/// Frame-of-reference decoding of widths 1...57 first runs whole groups through a vector decoder
/// when the processor has one (`CVector`: AVX-512 byte permutes or AVX2 byte shuffles, eight
/// or four 64-bit lanes at a time, about twice the scalar loop's speed); the groups whose vector
/// loads would pass the packed bytes, and every other processor, take the scalar loops.
enum BitPacking {
    /// The vector decoder of this processor (`kuai_vector_level`: 0 none, 1 AVX2, 2 AVX-512).
    static let vectorLevel = Int(kuai_vector_level())
    /// Bytes used by `count` values of `bits` bits.
    @inline(__always)
    static func packedBytes(count: Int, bits: Int) -> Int { ((count * bits + 63) / 64) * 8 }

    /// Bits needed for the unsigned value `range` (0 for 0).
    @inline(__always)
    static func bitWidth(_ range: UInt64) -> Int { 64 - range.leadingZeroBitCount }

    /// Packs `count` values of `src` (each `< 2^bits`) into `out` (8-byte aligned,
    /// `packedBytes(count:bits:)` bytes). Returns the bytes written.
    @inline(__always)
    static func pack(_ src: UnsafePointer<UInt64>, count: Int, bits: Int, into out: UnsafeMutableRawPointer) -> Int {
        let bytes = packedBytes(count: count, bits: bits)
        if bits == 0 || count == 0 { return 0 }
        let w = out.assumingMemoryBound(to: UInt64.self)
        if bits == 64 {
            for i in 0..<count { w[i] = src[i].littleEndian }
            return bytes
        }
        var acc: UInt64 = 0
        var filled = 0
        var wi = 0
        for i in 0..<count {
            let v = src[i]
            acc |= v &<< UInt64(filled)
            filled += bits
            if filled >= 64 {
                w[wi] = acc.littleEndian
                wi += 1
                filled -= 64
                acc = filled > 0 ? v &>> UInt64(bits - filled) : 0
            }
        }
        if filled > 0 { w[wi] = acc.littleEndian }
        return bytes
    }

    /// Unpacks `count` values of `bits` bits from `src` (`packedBytes(count:bits:)` readable bytes),
    /// adding each to `base` (wrapping) and storing into `out`: frame-of-reference decode.
    static func unpackFOR(
        _ src: UnsafeRawPointer, count: Int, bits: Int, base: Int64, into out: UnsafeMutablePointer<Int64>
    ) {
        if count <= 0 { return }
        if bits == 0 {
            out.initialize(repeating: base, count: count)
            return
        }
        if bits == 64 {
            for i in 0..<count {
                out[i] =
                    base
                    &+ Int64(
                        bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self)))
            }
            return
        }
        let done = vectorGroups(src, count: count, bits: bits, base: base, into: out, level: vectorLevel)
        var sink = FORSink(out: out, base: base)
        unpack(src, count: count, bits: bits, fromGroup: done, &sink)
    }

    /// Decodes the leading whole groups of 8 values that vector decoder `level` can read without
    /// passing the `packedBytes(count:bits:)` bytes at `src` (`out[i] = base + value i`); returns
    /// how many groups it decoded (0 for level 0 and for widths over 57).
    static func vectorGroups(
        _ src: UnsafeRawPointer, count: Int, bits: Int, base: Int64, into out: UnsafeMutablePointer<Int64>,
        level: Int
    ) -> Int {
        guard level > 0, bits >= 1, bits <= 57 else { return 0 }
        // level 2 reads what the scalar groups read; level 1 reads 16 bytes from value 6's byte
        let groups =
            level >= 2
            ? safeGroups(count: count, bits: bits)
            : groupsWithin(count: count, bits: bits, reach: ((6 &* bits) &>> 3) &+ 16)
        if groups <= 0 { return 0 }
        let p = src.assumingMemoryBound(to: UInt8.self)
        if level >= 2 {
            kuai_unpack_for_avx512(p, groups, Int32(bits), base, out)
        } else {
            kuai_unpack_for_avx2(p, groups, Int32(bits), base, out)
        }
        return groups
    }

    /// Unpacks `count - 1` deltas and rebuilds `count` values: `out[0] = first`,
    /// `out[i] = out[i-1] + minDelta + packed[i-1]` (wrapping). With AVX-512, the whole groups of
    /// widths 1...57 whose loads stay inside the packed bytes decode eight deltas at a time with a
    /// prefix sum in the register (`kuai_unpack_delta_avx512`); the scalar loop finishes.
    static func unpackDelta(
        _ src: UnsafeRawPointer, count: Int, bits: Int, first: Int64, minDelta: Int64,
        into out: UnsafeMutablePointer<Int64>
    ) {
        if count <= 0 { return }
        out[0] = first
        var prev = first
        if bits == 0 {
            for i in 1..<count {
                prev = prev &+ minDelta
                out[i] = prev
            }
            return
        }
        if bits == 64 {
            for i in 1..<count {
                prev =
                    prev &+ minDelta
                    &+ Int64(
                        bitPattern: UInt64(
                            littleEndian: src.loadUnaligned(fromByteOffset: (i &- 1) &* 8, as: UInt64.self)))
                out[i] = prev
            }
            return
        }
        var done = 0
        if vectorLevel >= 2 {
            // level 2 reads what the scalar groups read (`vectorGroups`)
            done = safeGroups(count: count - 1, bits: bits)
            if done > 0 {
                prev = kuai_unpack_delta_avx512(
                    src.assumingMemoryBound(to: UInt8.self), done, Int32(bits), minDelta, first, out + 1)
            }
        }
        var sink = DeltaSink(out: out + 1, prev: prev, minDelta: minDelta)
        unpack(src, count: count - 1, bits: bits, fromGroup: done, &sink)
    }

    // MARK: group decoding

    /// Number of whole groups of 8 values, from the start, whose 8-byte loads stay inside the
    /// `packedBytes(count:bits:)` bytes (0 when `bits` > 57: those widths use the careful loop).
    @inline(__always)
    static func safeGroups(count: Int, bits: Int) -> Int {
        guard bits >= 1 && bits <= 57 else { return 0 }
        // value 7's 8-byte load, the last of a group, starts at byte (7 * bits) / 8 of the group
        return groupsWithin(count: count, bits: bits, reach: ((7 &* bits) &>> 3) &+ 8)
    }

    /// Number of whole groups of 8 values, from the start, whose reads end within the
    /// `packedBytes(count:bits:)` bytes when a group's reads end `reach` bytes after its first
    /// byte (group g is inside when g * bits + reach <= the packed bytes).
    @inline(__always)
    static func groupsWithin(count: Int, bits: Int, reach: Int) -> Int {
        let room = packedBytes(count: count, bits: bits) &- reach
        if room < 0 { return 0 }
        return min(count &>> 3, room / bits &+ 1)
    }

    /// Decodes values `8 * fromGroup ..< count` (`bits` in 1...63) into `sink`: groups of 8 with
    /// the width a constant, then the rest value by value.
    @inline(__always)
    static func unpack<S: UnpackSink>(
        _ src: UnsafeRawPointer, count: Int, bits: Int, fromGroup first: Int, _ sink: inout S
    ) {
        let safe = safeGroups(count: count, bits: bits)
        let groups = max(safe, first)
        if safe > first {
            switch bits {
            case 1: groups8(src, from: first, to: safe, bits: 1, &sink)
            case 2: groups8(src, from: first, to: safe, bits: 2, &sink)
            case 3: groups8(src, from: first, to: safe, bits: 3, &sink)
            case 4: groups8(src, from: first, to: safe, bits: 4, &sink)
            case 5: groups8(src, from: first, to: safe, bits: 5, &sink)
            case 6: groups8(src, from: first, to: safe, bits: 6, &sink)
            case 7: groups8(src, from: first, to: safe, bits: 7, &sink)
            case 8: groups8(src, from: first, to: safe, bits: 8, &sink)
            case 9: groups8(src, from: first, to: safe, bits: 9, &sink)
            case 10: groups8(src, from: first, to: safe, bits: 10, &sink)
            case 11: groups8(src, from: first, to: safe, bits: 11, &sink)
            case 12: groups8(src, from: first, to: safe, bits: 12, &sink)
            case 13: groups8(src, from: first, to: safe, bits: 13, &sink)
            case 14: groups8(src, from: first, to: safe, bits: 14, &sink)
            case 15: groups8(src, from: first, to: safe, bits: 15, &sink)
            case 16: groups8(src, from: first, to: safe, bits: 16, &sink)
            case 17: groups8(src, from: first, to: safe, bits: 17, &sink)
            case 18: groups8(src, from: first, to: safe, bits: 18, &sink)
            case 19: groups8(src, from: first, to: safe, bits: 19, &sink)
            case 20: groups8(src, from: first, to: safe, bits: 20, &sink)
            case 21: groups8(src, from: first, to: safe, bits: 21, &sink)
            case 22: groups8(src, from: first, to: safe, bits: 22, &sink)
            case 23: groups8(src, from: first, to: safe, bits: 23, &sink)
            case 24: groups8(src, from: first, to: safe, bits: 24, &sink)
            case 25: groups8(src, from: first, to: safe, bits: 25, &sink)
            case 26: groups8(src, from: first, to: safe, bits: 26, &sink)
            case 27: groups8(src, from: first, to: safe, bits: 27, &sink)
            case 28: groups8(src, from: first, to: safe, bits: 28, &sink)
            case 29: groups8(src, from: first, to: safe, bits: 29, &sink)
            case 30: groups8(src, from: first, to: safe, bits: 30, &sink)
            case 31: groups8(src, from: first, to: safe, bits: 31, &sink)
            case 32: groups8(src, from: first, to: safe, bits: 32, &sink)
            case 33: groups8(src, from: first, to: safe, bits: 33, &sink)
            case 34: groups8(src, from: first, to: safe, bits: 34, &sink)
            case 35: groups8(src, from: first, to: safe, bits: 35, &sink)
            case 36: groups8(src, from: first, to: safe, bits: 36, &sink)
            case 37: groups8(src, from: first, to: safe, bits: 37, &sink)
            case 38: groups8(src, from: first, to: safe, bits: 38, &sink)
            case 39: groups8(src, from: first, to: safe, bits: 39, &sink)
            case 40: groups8(src, from: first, to: safe, bits: 40, &sink)
            case 41: groups8(src, from: first, to: safe, bits: 41, &sink)
            case 42: groups8(src, from: first, to: safe, bits: 42, &sink)
            case 43: groups8(src, from: first, to: safe, bits: 43, &sink)
            case 44: groups8(src, from: first, to: safe, bits: 44, &sink)
            case 45: groups8(src, from: first, to: safe, bits: 45, &sink)
            case 46: groups8(src, from: first, to: safe, bits: 46, &sink)
            case 47: groups8(src, from: first, to: safe, bits: 47, &sink)
            case 48: groups8(src, from: first, to: safe, bits: 48, &sink)
            case 49: groups8(src, from: first, to: safe, bits: 49, &sink)
            case 50: groups8(src, from: first, to: safe, bits: 50, &sink)
            case 51: groups8(src, from: first, to: safe, bits: 51, &sink)
            case 52: groups8(src, from: first, to: safe, bits: 52, &sink)
            case 53: groups8(src, from: first, to: safe, bits: 53, &sink)
            case 54: groups8(src, from: first, to: safe, bits: 54, &sink)
            case 55: groups8(src, from: first, to: safe, bits: 55, &sink)
            case 56: groups8(src, from: first, to: safe, bits: 56, &sink)
            case 57: groups8(src, from: first, to: safe, bits: 57, &sink)
            default: break
            }
        }
        unpackTail(src, from: groups &* 8, count: count, bits: bits, &sink)
    }

    /// Groups `first ..< end` of 8 values (values `8*first ..< 8*end`).
    /// `bits` is a literal at every call site, so the offsets and shifts below are constants.
    @inline(__always)
    static func groups8<S: UnpackSink>(
        _ src: UnsafeRawPointer, from first: Int, to end: Int, bits: Int, _ sink: inout S
    ) {
        let mask: UInt64 = (1 &<< UInt64(bits)) &- 1
        let o1 = (1 &* bits) &>> 3
        let s1 = UInt64((1 &* bits) & 7)
        let o2 = (2 &* bits) &>> 3
        let s2 = UInt64((2 &* bits) & 7)
        let o3 = (3 &* bits) &>> 3
        let s3 = UInt64((3 &* bits) & 7)
        let o4 = (4 &* bits) &>> 3
        let s4 = UInt64((4 &* bits) & 7)
        let o5 = (5 &* bits) &>> 3
        let s5 = UInt64((5 &* bits) & 7)
        let o6 = (6 &* bits) &>> 3
        let s6 = UInt64((6 &* bits) & 7)
        let o7 = (7 &* bits) &>> 3
        let s7 = UInt64((7 &* bits) & 7)
        var p = src + first &* bits
        var i = first &* 8
        for _ in first..<end {
            @inline(__always) func ld(_ off: Int) -> UInt64 {
                UInt64(littleEndian: p.loadUnaligned(fromByteOffset: off, as: UInt64.self))
            }
            sink.put(ld(0) & mask, at: i)
            sink.put((ld(o1) &>> s1) & mask, at: i &+ 1)
            sink.put((ld(o2) &>> s2) & mask, at: i &+ 2)
            sink.put((ld(o3) &>> s3) & mask, at: i &+ 3)
            sink.put((ld(o4) &>> s4) & mask, at: i &+ 4)
            sink.put((ld(o5) &>> s5) & mask, at: i &+ 5)
            sink.put((ld(o6) &>> s6) & mask, at: i &+ 6)
            sink.put((ld(o7) &>> s7) & mask, at: i &+ 7)
            p += bits
            i &+= 8
        }
    }

    /// Values `from ..< count` one at a time from whole 64-bit words (never past the last word).
    @inline(__always)
    static func unpackTail<S: UnpackSink>(_ src: UnsafeRawPointer, from: Int, count: Int, bits: Int, _ sink: inout S) {
        let mask: UInt64 = (1 &<< UInt64(bits)) &- 1
        for i in from..<max(from, count) { sink.put(value(src, at: i, bits: bits) & mask, at: i) }
    }

    /// Value `i` of width `bits` (1...64) from the one or two whole 64-bit words that hold it
    /// (never a byte past them), before masking: its bits above `bits` are those that follow it.
    @inline(__always)
    static func value(_ src: UnsafeRawPointer, at i: Int, bits: Int) -> UInt64 {
        let bitpos = i &* bits
        let wi = bitpos &>> 6
        let sh = bitpos & 63
        var v = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: wi &* 8, as: UInt64.self)) &>> UInt64(sh)
        if sh &+ bits > 64 {
            v |=
                UInt64(littleEndian: src.loadUnaligned(fromByteOffset: (wi &+ 1) &* 8, as: UInt64.self))
                &<< UInt64(64 &- sh)
        }
        return v
    }
}

/// Where unpacked offsets go (specialised per decoder: no dynamic dispatch in the loops).
protocol UnpackSink {
    /// Receives packed value `i` (in order, starting at 0).
    mutating func put(_ v: UInt64, at i: Int)
}

/// Frame of reference: `out[i] = base + v` (wrapping).
struct FORSink: UnpackSink {
    let out: UnsafeMutablePointer<Int64>
    let base: Int64
    @inline(__always)
    mutating func put(_ v: UInt64, at i: Int) { out[i] = base &+ Int64(bitPattern: v) }
}

/// Delta: `out[i] = previous + minDelta + v` (wrapping); `out` points at row 1.
struct DeltaSink: UnpackSink {
    let out: UnsafeMutablePointer<Int64>
    var prev: Int64
    let minDelta: Int64
    @inline(__always)
    mutating func put(_ v: UInt64, at i: Int) {
        prev = prev &+ (minDelta &+ Int64(bitPattern: v))
        out[i] = prev
    }
}
