/// A bounds-checked cursor over a page's bytes: every read checks the remaining length and throws
/// `ParquetDataError` rather than reading past the end (CONTRIBUTING.md, Style 5).
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    var position: Int

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    mutating func need(_ n: Int, _ what: @autoclosure () -> String) throws {
        guard n >= 0, n <= remaining else {
            throw ParquetDataError("\(what()) needs \(n) bytes, \(remaining) left in the page")
        }
    }

    mutating func readByte() throws -> UInt8 {
        try need(1, "a byte")
        let b = bytes[position]
        position += 1
        return b
    }

    mutating func readUInt32() throws -> UInt32 {
        try need(4, "a 4-byte length")
        let v = bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)
        position += 4
        return UInt32(littleEndian: v)
    }

    /// An unsigned LEB128 varint (at most 10 bytes).
    mutating func readULEB() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try readByte()
            if shift == 63 && b > 1 { throw ParquetDataError("varint longer than 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ParquetDataError("varint longer than 10 bytes") }
        }
    }

    /// A zigzag-encoded signed varint.
    mutating func readZigZag() throws -> Int64 {
        let u = try readULEB()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    /// The next `n` bytes as a sub-buffer (no copy).
    mutating func take(_ n: Int, _ what: @autoclosure () -> String) throws -> UnsafeRawBufferPointer {
        try need(n, what())
        let out = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)])
        position += n
        return out
    }
}

/// Bit unpacking, LSB first (Parquet's RLE/bit-packed hybrid and DELTA_BINARY_PACKED miniblocks).
enum BitUnpack {
    /// Reads `count` values of `width` bits (0...64) starting at bit 0 of `src` into `out`.
    /// - Precondition: `src` holds at least `(count * width + 7) / 8` bytes (callers check).
    @inline(__always)
    static func unpack64(_ src: UnsafeRawBufferPointer, width: Int, count: Int, into out: UnsafeMutablePointer<UInt64>)
    {
        if width == 0 {
            out.update(repeating: 0, count: count)
            return
        }
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
        let n = src.count
        var bit = 0
        for i in 0..<count {
            let byte = bit >> 3
            let shift = UInt64(bit & 7)
            var v: UInt64
            if byte + 8 <= n {
                v = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: byte, as: UInt64.self)) >> shift
                if Int(shift) + width > 64 {
                    v |= UInt64(src[byte + 8]) << (64 - shift)
                }
            } else {
                v = 0
                var k = 0
                while byte + k < n && k < 9 {
                    let b = UInt64(src[byte + k])
                    if k == 0 { v = b >> shift } else { v |= b << (UInt64(k) * 8 - shift) }
                    k += 1
                }
            }
            out[i] = v & mask
            bit += width
        }
    }

    /// Same for widths 0...32 into UInt32 values (dictionary indices, levels), from bit `startBit`.
    @inline(__always)
    static func unpack32(
        _ src: UnsafeRawBufferPointer, width: Int, startBit: Int = 0, count: Int, into out: UnsafeMutablePointer<UInt32>
    ) {
        if width == 0 {
            out.update(repeating: 0, count: count)
            return
        }
        let mask: UInt64 = (1 << UInt64(width)) - 1
        let n = src.count
        var bit = startBit
        for i in 0..<count {
            let byte = bit >> 3
            let shift = UInt64(bit & 7)
            var v: UInt64
            if byte + 8 <= n {
                v = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: byte, as: UInt64.self)) >> shift
            } else {
                v = 0
                var k = 0
                while byte + k < n && k < 8 {
                    v |= UInt64(src[byte + k]) << (UInt64(k) * 8)
                    k += 1
                }
                v >>= shift
            }
            out[i] = UInt32(truncatingIfNeeded: v & mask)
            bit += width
        }
    }
}
