/// A bounds-checked cursor over a page's bytes: every read checks the remaining length and throws
/// `ParquetDataError` rather than reading past the end (CONTRIBUTING.md, Style 5).
struct ByteCursor: VarintReading {
    let bytes: UnsafeRawBufferPointer
    var position: Int

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }
    var varintPlace: String { "" }

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
    /// Reads `count` values of `width` bits (0...64, at most `T.bitWidth`) starting at bit `startBit` of
    /// `src` into `out`: UInt64 for DELTA_BINARY_PACKED miniblocks, UInt32 for dictionary indices and levels.
    /// - Precondition: `src` holds at least `(startBit + count * width + 7) / 8` bytes (callers check).
    @inline(__always)
    static func unpack<T: FixedWidthInteger & UnsignedInteger>(
        _ src: UnsafeRawBufferPointer, width: Int, startBit: Int = 0, count: Int, into out: UnsafeMutablePointer<T>
    ) {
        if width == 0 {
            out.update(repeating: 0, count: count)
            return
        }
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
        let n = src.count
        var bit = startBit
        for i in 0..<count {
            let byte = bit >> 3
            let shift = UInt64(bit & 7)
            var v: UInt64
            if byte + 8 <= n {
                v = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: byte, as: UInt64.self)) >> shift
                if T.bitWidth > 32 && Int(shift) + width > 64 {  // a constant false for UInt32
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
            out[i] = T(truncatingIfNeeded: v & mask)
            bit += width
        }
    }
}

/// A reader of Parquet's unsigned LEB128 and zigzag varints (Thrift compact integers, RLE run headers,
/// DELTA encodings' headers) one byte at a time.
protocol VarintReading {
    mutating func readByte() throws -> UInt8
    /// Where a varint that is too long ends, for the error message: "" or " at byte N".
    var varintPlace: String { get }
}

extension VarintReading {
    /// An unsigned LEB128 varint (at most 10 bytes, 64 bits).
    mutating func readULEB() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try readByte()
            if shift == 63 && b > 1 { throw ParquetDataError("varint longer than 64 bits\(varintPlace)") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ParquetDataError("varint longer than 10 bytes\(varintPlace)") }
        }
    }

    /// A zigzag-encoded signed varint.
    mutating func readZigZag() throws -> Int64 {
        let u = try readULEB()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }
}
