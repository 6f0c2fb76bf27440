/// The DELTA encodings of parquet-format Encodings.md: DELTA_BINARY_PACKED (5) for INT32/INT64,
/// DELTA_LENGTH_BYTE_ARRAY (6) and DELTA_BYTE_ARRAY (7) for BYTE_ARRAY. Decoding only: kuai writes
/// PLAIN and dictionary pages, as DuckDB's default (format v1) writer does.
enum DeltaDecoding {
    /// Longest block accepted (writers use 128 values): a larger one is corrupt.
    static let maxBlockValues = 1 << 20

    /// Decodes a DELTA_BINARY_PACKED stream: header `<block size> <miniblocks per block> <total
    /// count> <first value (zigzag)>`, then per block `<min delta (zigzag)> <one bit width per
    /// miniblock> <miniblocks>`. Arithmetic wraps (two's complement), as the spec requires; INT32
    /// columns take the low 32 bits of the result.
    /// - Returns: the values (at most `limit`, the page's value count) and the cursor after the
    ///   last miniblock used.
    /// - Throws: `ParquetDataError` for impossible headers or a stream shorter than it says.
    static func binaryPacked(_ cursor: inout ByteCursor, limit: Int) throws -> [Int64] {
        let blockSize = try cursor.readULEB()
        let miniblocks = try cursor.readULEB()
        let total = try cursor.readULEB()
        var value = try cursor.readZigZag()
        guard blockSize > 0, blockSize % 128 == 0, blockSize <= UInt64(maxBlockValues), miniblocks > 0,
            blockSize % miniblocks == 0, (blockSize / miniblocks) % 32 == 0
        else {
            throw ParquetDataError(
                "DELTA_BINARY_PACKED header: block of \(blockSize) values in \(miniblocks) miniblocks")
        }
        guard total <= UInt64(limit) else {
            throw ParquetDataError("DELTA_BINARY_PACKED holds \(total) values, the page \(limit)")
        }
        let count = Int(total)
        var out = [Int64](repeating: 0, count: count)
        if count == 0 { return out }
        let perMini = Int(blockSize / miniblocks)
        var widths = [UInt8](repeating: 0, count: Int(miniblocks))
        var deltas = [UInt64](repeating: 0, count: perMini)
        try out.withUnsafeMutableBufferPointer { o in
            o[0] = value
            var done = 1
            while done < count {
                let minDelta = try cursor.readZigZag()
                let w = try cursor.take(widths.count, "miniblock bit widths")
                for k in 0..<widths.count { widths[k] = w[k] }
                for m in 0..<widths.count where done < count {
                    let width = Int(widths[m])
                    guard width <= 64 else { throw ParquetDataError("miniblock bit width \(width) above 64") }
                    let bytes = try cursor.take(perMini * width / 8, "a miniblock")
                    let n = min(perMini, count - done)
                    deltas.withUnsafeMutableBufferPointer { d in
                        BitUnpack.unpack(bytes, width: width, count: n, into: d.baseAddress!)
                        for k in 0..<n {
                            value = value &+ minDelta &+ Int64(bitPattern: d[k])
                            o[done + k] = value
                        }
                    }
                    done += n
                }
            }
        }
        return out
    }

    /// Exactly `count` DELTA_BINARY_PACKED values: the `what` of an `encoding` page (fewer is a data error).
    private static func binaryPacked(
        _ cursor: inout ByteCursor, count: Int, of encoding: String, _ what: String
    ) throws -> [Int64] {
        let values = try binaryPacked(&cursor, limit: count)
        guard values.count == count else {
            throw ParquetDataError("\(encoding) has \(values.count) \(what) for \(count) values")
        }
        return values
    }

    /// DELTA_LENGTH_BYTE_ARRAY: the lengths (DELTA_BINARY_PACKED), then the bytes back to back.
    /// Calls `sink(pointer, length)` per value, in order.
    static func lengthByteArray(
        _ cursor: inout ByteCursor, count: Int, _ sink: (UnsafeRawPointer?, Int) throws -> Void
    ) throws {
        let lengths = try binaryPacked(&cursor, count: count, of: "DELTA_LENGTH_BYTE_ARRAY", "lengths")
        for len in lengths {
            guard len >= 0, len <= Int64(cursor.remaining) else {
                throw ParquetDataError("DELTA_LENGTH_BYTE_ARRAY value of \(len) bytes runs past the page")
            }
            let b = try cursor.take(Int(len), "a value")
            try sink(b.baseAddress, Int(len))
        }
    }

    /// DELTA_BYTE_ARRAY (incremental encoding): prefix lengths (DELTA_BINARY_PACKED), then the
    /// suffixes as DELTA_LENGTH_BYTE_ARRAY; each value is the previous value's prefix + its suffix.
    static func byteArray(
        _ cursor: inout ByteCursor, count: Int, _ sink: (UnsafeRawPointer?, Int) throws -> Void
    ) throws {
        let prefixes = try binaryPacked(&cursor, count: count, of: "DELTA_BYTE_ARRAY", "prefix lengths")
        var previous: [UInt8] = []
        var current: [UInt8] = []
        var i = 0
        try lengthByteArray(&cursor, count: count) { p, n in
            let prefix = prefixes[i]
            guard prefix >= 0, prefix <= Int64(previous.count) else {
                throw ParquetDataError("DELTA_BYTE_ARRAY prefix \(prefix) is longer than the previous value")
            }
            current.removeAll(keepingCapacity: true)
            current.append(contentsOf: previous[0..<Int(prefix)])
            if n > 0 { current.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n)) }
            try current.withUnsafeBytes { try sink($0.baseAddress, $0.count) }
            swap(&previous, &current)
            i += 1
        }
    }
}
