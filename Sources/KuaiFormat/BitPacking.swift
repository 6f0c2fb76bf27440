/// Bit-packing of unsigned offsets (Formats/column-file.md, "Bit-packed layout").
///
/// Value `i` of width `bits` occupies bits `[i*bits, (i+1)*bits)` of a stream of 64-bit
/// little-endian words, least significant bit first. The packed size of `count` values is
/// `ceil(count * bits / 64) * 8` bytes; unused high bits of the last word are zero.
enum BitPacking {
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
    @inline(__always)
    static func unpackFOR(_ src: UnsafeRawPointer, count: Int, bits: Int, base: Int64, into out: UnsafeMutablePointer<Int64>) {
        if count == 0 { return }
        if bits == 0 {
            out.initialize(repeating: base, count: count)
            return
        }
        let w = src.assumingMemoryBound(to: UInt64.self)
        if bits == 64 {
            for i in 0..<count { out[i] = base &+ Int64(bitPattern: UInt64(littleEndian: w[i])) }
            return
        }
        let mask: UInt64 = (1 &<< UInt64(bits)) &- 1
        var bitpos = 0
        for i in 0..<count {
            let wi = bitpos &>> 6
            let sh = bitpos & 63
            var v = UInt64(littleEndian: w[wi]) &>> UInt64(sh)
            if sh &+ bits > 64 { v |= UInt64(littleEndian: w[wi &+ 1]) &<< UInt64(64 &- sh) }
            out[i] = base &+ Int64(bitPattern: v & mask)
            bitpos &+= bits
        }
    }

    /// Unpacks `count - 1` deltas and rebuilds `count` values: `out[0] = first`,
    /// `out[i] = out[i-1] + minDelta + packed[i-1]` (wrapping).
    @inline(__always)
    static func unpackDelta(_ src: UnsafeRawPointer, count: Int, bits: Int, first: Int64, minDelta: Int64, into out: UnsafeMutablePointer<Int64>) {
        if count == 0 { return }
        out[0] = first
        var prev = first
        if bits == 0 {
            for i in 1..<max(count, 1) { prev = prev &+ minDelta; out[i] = prev }
            return
        }
        let w = src.assumingMemoryBound(to: UInt64.self)
        if bits == 64 {
            for i in 1..<count {
                prev = prev &+ minDelta &+ Int64(bitPattern: UInt64(littleEndian: w[i &- 1]))
                out[i] = prev
            }
            return
        }
        let mask: UInt64 = (1 &<< UInt64(bits)) &- 1
        var bitpos = 0
        for i in 1..<count {
            let wi = bitpos &>> 6
            let sh = bitpos & 63
            var v = UInt64(littleEndian: w[wi]) &>> UInt64(sh)
            if sh &+ bits > 64 { v |= UInt64(littleEndian: w[wi &+ 1]) &<< UInt64(64 &- sh) }
            prev = prev &+ minDelta &+ Int64(bitPattern: v & mask)
            out[i] = prev
            bitpos &+= bits
        }
    }
}
