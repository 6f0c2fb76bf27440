import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The value encodings of a data page (parquet-format Encodings.md), decoded densely into the
/// chunk's storage: PLAIN, PLAIN_DICTIONARY / RLE_DICTIONARY, RLE (booleans), DELTA_BINARY_PACKED,
/// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT.
extension ChunkDecoder {
    /// Decodes `n` values of `encoding` into exactly one of `ints`, `doubles`, `codes` (by storage).
    mutating func decodeInto(
        _ cur: inout ByteCursor, _ encoding: Int32, _ n: Int, ints: UnsafeMutablePointer<Int64>?,
        doubles: UnsafeMutablePointer<Double>?, codes: UnsafeMutablePointer<Int32>?
    ) throws {
        guard let enc = ParquetEncoding(rawValue: encoding) else {
            throw ParquetDataError("unknown value encoding \(encoding)")
        }
        let p = column.physical
        switch enc {
        case .plain:
            if p == .byteArray || p == .fixedLenByteArray {
                var k = 0
                try Self.forEachPlainBytes(column, &cur, n) { b, len in
                    try storeBytes(b, len, at: k, ints: ints, doubles: doubles, codes: codes)
                    k += 1
                }
            } else {
                try decodePlain(&cur, n, ints: ints, doubles: doubles)
            }
        case .plainDictionary, .rleDictionary:
            try decodeDictionaryIndices(&cur, n, ints: ints, doubles: doubles, codes: codes)
        case .rle:
            guard p == .boolean, let ints else { throw ParquetDataError("RLE values in a \(p) column") }
            let len = Int(try cur.readUInt32())
            var dec = try RLEHybridDecoder(try cur.take(len, "RLE booleans"), width: 1)
            try withIndices(n) { idx in
                try dec.decode(into: idx, count: n)
                for i in 0..<n { ints[i] = Int64(idx[i]) }
            }
        case .deltaBinaryPacked:
            guard p == .int32 || p == .int64, let ints else {
                throw ParquetDataError("DELTA_BINARY_PACKED values in a \(p) column")
            }
            let values = try DeltaDecoding.binaryPacked(&cur, limit: n)
            guard values.count == n else { throw ParquetDataError("\(values.count) values for \(n) rows") }
            for i in 0..<n { ints[i] = p == .int32 ? Int64(Int32(truncatingIfNeeded: values[i])) : values[i] }
        case .deltaLengthByteArray, .deltaByteArray:
            guard p == .byteArray || (p == .fixedLenByteArray && enc == .deltaByteArray) else {
                throw ParquetDataError("\(enc) values in a \(p) column")
            }
            var k = 0
            func sink(_ b: UnsafeRawPointer?, _ len: Int) throws {
                try storeBytes(b, len, at: k, ints: ints, doubles: doubles, codes: codes)
                k += 1
            }
            if enc == .deltaLengthByteArray {
                try DeltaDecoding.lengthByteArray(&cur, count: n, sink)
            } else {
                try DeltaDecoding.byteArray(&cur, count: n, sink)
            }
        case .byteStreamSplit:
            try decodeByteStreamSplit(&cur, n, ints: ints, doubles: doubles, codes: codes)
        case .bitPacked:
            throw ParquetDataError("BIT_PACKED is a level encoding, not a value encoding")
        }
    }

    private mutating func withIndices(_ n: Int, _ body: (UnsafeMutablePointer<UInt32>) throws -> Void) throws {
        if indices.count < n { indices = [UInt32](repeating: 0, count: n) }
        var idx = indices
        indices = []
        defer { indices = idx }
        try idx.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }

    private mutating func decodeDictionaryIndices(
        _ cur: inout ByteCursor, _ n: Int, ints: UnsafeMutablePointer<Int64>?, doubles: UnsafeMutablePointer<Double>?,
        codes: UnsafeMutablePointer<Int32>?
    ) throws {
        guard dictCount >= 0 else { throw ParquetDataError("dictionary-encoded page without a dictionary page") }
        if n == 0 { return }
        let width = Int(try cur.readByte())
        var dec = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: cur.bytes[cur.position...]), width: width)
        let count = UInt32(dictCount)
        let (dictInts, dictDoubles, dictCodes, dictCount) = (
            self.dictInts, self.dictDoubles, self.dictCodes, self.dictCount
        )
        try withIndices(n) { idx in
            try dec.decode(into: idx, count: n)
            var worst: UInt32 = 0
            for i in 0..<n { worst = max(worst, idx[i]) }
            guard worst < count || n == 0 else {
                throw ParquetDataError("dictionary index \(worst) outside the dictionary of \(dictCount) values")
            }
            if let ints {
                dictInts.withUnsafeBufferPointer { d in for i in 0..<n { ints[i] = d[Int(idx[i])] } }
            } else if let doubles {
                dictDoubles.withUnsafeBufferPointer { d in for i in 0..<n { doubles[i] = d[Int(idx[i])] } }
            } else if let codes {
                dictCodes.withUnsafeBufferPointer { d in for i in 0..<n { codes[i] = d[Int(idx[i])] } }
            }
        }
        cur.position = cur.bytes.count
    }

    /// PLAIN values of the fixed-width physical types (and bit-packed booleans).
    func decodePlain(
        _ cur: inout ByteCursor, _ n: Int, ints: UnsafeMutablePointer<Int64>?, doubles: UnsafeMutablePointer<Double>?
    ) throws {
        switch column.physical {
        case .boolean:
            let b = try cur.take((n + 7) / 8, "\(n) PLAIN booleans")
            for i in 0..<n { ints![i] = Int64((b[i >> 3] >> UInt8(i & 7)) & 1) }
        case .int32:
            let b = try cur.take(n * 4, "\(n) PLAIN INT32 values")
            for i in 0..<n {
                ints![i] = Int64(Int32(littleEndian: b.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))
            }
        case .int64:
            let b = try cur.take(n * 8, "\(n) PLAIN INT64 values")
            if n > 0 { UnsafeMutableRawPointer(ints!).copyMemory(from: b.baseAddress!, byteCount: n * 8) }
        case .int96:
            let b = try cur.take(n * 12, "\(n) PLAIN INT96 values")
            for i in 0..<n {
                let nanos = Int64(littleEndian: b.loadUnaligned(fromByteOffset: i * 12, as: Int64.self))
                let day = Int64(Int32(littleEndian: b.loadUnaligned(fromByteOffset: i * 12 + 8, as: Int32.self)))
                ints![i] = (day - 2_440_588) &* 86_400_000_000 &+ nanos / 1000
            }
        case .float:
            let b = try cur.take(n * 4, "\(n) PLAIN FLOAT values")
            for i in 0..<n {
                doubles![i] = Double(
                    Float(bitPattern: UInt32(littleEndian: b.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))))
            }
        case .double:
            let b = try cur.take(n * 8, "\(n) PLAIN DOUBLE values")
            if n > 0 { UnsafeMutableRawPointer(doubles!).copyMemory(from: b.baseAddress!, byteCount: n * 8) }
        case .byteArray, .fixedLenByteArray:
            throw ParquetDataError("byte arrays go through forEachPlainBytes")
        }
    }

    /// Calls `body` with each of `n` PLAIN byte-array values (u32 length + bytes, or fixed length).
    static func forEachPlainBytes(
        _ column: ParquetColumn, _ cur: inout ByteCursor, _ n: Int, _ body: (UnsafeRawPointer?, Int) throws -> Void
    ) throws {
        if column.physical == .fixedLenByteArray {
            let w = column.typeLength
            let b = try cur.take(n * w, "\(n) FIXED_LEN_BYTE_ARRAY values")
            for i in 0..<n { try body(b.baseAddress! + i * w, w) }
            return
        }
        for _ in 0..<n {
            let len = Int(try cur.readUInt32())
            let b = try cur.take(len, "a BYTE_ARRAY value")
            try body(b.baseAddress, len)
        }
    }

    /// Stores one byte-array value at dense position `k` of the chunk's storage.
    mutating func storeBytes(
        _ b: UnsafeRawPointer?, _ len: Int, at k: Int, ints: UnsafeMutablePointer<Int64>?,
        doubles: UnsafeMutablePointer<Double>?, codes: UnsafeMutablePointer<Int32>?
    ) throws {
        switch column.conversion {
        case .string: codes![k] = strings.intern(b, len)
        case .decimal(let scale):
            guard len <= 16 else { throw ParquetDataError("DECIMAL of \(len) bytes (kuai reads up to 16)") }
            var v: Int128 = 0
            for i in 0..<len { v = v << 8 | Int128(b!.load(fromByteOffset: i, as: UInt8.self)) }
            if len > 0 && len < 16 && b!.load(as: UInt8.self) & 0x80 != 0 { v -= Int128(1) << (8 * len) }
            doubles![k] = Double(v) / pow(10, Double(scale))
        case .interval:
            guard len == 12 else { throw ParquetDataError("INTERVAL of \(len) bytes (12 expected)") }
            // months, days, milliseconds: u32 each, little-endian (as DuckDB, months and days taken as
            // INTEGER, the milliseconds times 1,000)
            let months = b!.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian
            let days = b!.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian
            let millis = Int64(b!.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian)
            ints![k] = Int64(intervals.count)
            intervals.append(
                IntervalValue(months: Int32(bitPattern: months), days: Int32(bitPattern: days), micros: millis * 1000))
        default:
            throw ParquetDataError("byte-array value in a column read as \(column.type)")
        }
    }

    /// BYTE_STREAM_SPLIT: byte j of value i is at `j * n + i`.
    private mutating func decodeByteStreamSplit(
        _ cur: inout ByteCursor, _ n: Int, ints: UnsafeMutablePointer<Int64>?, doubles: UnsafeMutablePointer<Double>?,
        codes: UnsafeMutablePointer<Int32>?
    ) throws {
        let p = column.physical
        let w: Int
        switch p {
        case .int32, .float: w = 4
        case .int64, .double: w = 8
        case .fixedLenByteArray: w = column.typeLength
        default: throw ParquetDataError("BYTE_STREAM_SPLIT values in a \(p) column")
        }
        let b = try cur.take(n * w, "\(n) BYTE_STREAM_SPLIT values")
        var value = [UInt8](repeating: 0, count: w)
        for i in 0..<n {
            for j in 0..<w { value[j] = b[j * n + i] }
            try value.withUnsafeBytes { v in
                var one = ByteCursor(v)
                switch p {
                case .fixedLenByteArray:
                    try storeBytes(v.baseAddress, w, at: i, ints: ints, doubles: doubles, codes: codes)
                default: try decodePlain(&one, 1, ints: ints.map { $0 + i }, doubles: doubles.map { $0 + i })
                }
            }
        }
    }

    /// Applies the column's conversion and builds the `Column`.
    /// - Throws: `ParquetDataError` when a value does not fit kuai's type (UINT64 above 2^63-1,
    ///   TIMESTAMP(MILLIS) beyond the microsecond range).
    mutating func finish() throws -> Column {
        switch column.conversion {
        case .millisToMicros:
            for i in 0..<rows {
                let (v, o) = ints[i].multipliedReportingOverflow(by: 1000)
                if o { throw ParquetDataError("TIMESTAMP(MILLIS) value \(ints[i]) is out of range") }
                ints[i] = v
            }
        case .nanosToMicros:
            for i in 0..<rows {
                let v = ints[i]
                ints[i] = v >= 0 ? v / 1000 : -((-(v + 1)) / 1000) - 1
            }
        case .unsigned32: for i in 0..<rows { ints[i] = Int64(UInt32(truncatingIfNeeded: ints[i])) }
        case .narrowSigned(let bits):
            let range = column.type.integerRange
            for i in 0..<rows where !range.contains(ints[i]) && (validity == nil || validity![i] != 0) {
                throw ParquetDataError("INT(\(bits)) value \(ints[i]) is out of range")
            }
        case .unsigned64:
            for i in 0..<rows where ints[i] < 0 && (validity == nil || validity![i] != 0) {
                throw ParquetDataError("UINT64 value \(UInt64(bitPattern: ints[i])) is above BIGINT's maximum")
            }
        case .decimal(let scale) where storage == .ints:
            let f = pow(10, Double(scale))
            return Column(doubles: ints.map { Double($0) / f }, validity: validity)
        default: break
        }
        if case .interval = column.conversion {
            var micros = [Int64](repeating: 0, count: rows)
            var packed = [Int64](repeating: 0, count: rows)
            for i in 0..<rows where validity == nil || validity![i] != 0 {
                let v = intervals[Int(ints[i])]
                micros[i] = v.micros
                packed[i] = v.packed
            }
            return Column(intervalMicros: micros, packed: packed, validity: validity)
        }
        switch storage {
        case .ints: return Column(type: column.type, ints: ints, validity: validity)
        case .doubles: return Column(doubles: doubles, validity: validity)
        case .codes: return strings.makeColumn(codes: codes, validity: validity)
        }
    }
}
