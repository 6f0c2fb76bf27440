import KuaiCore

/// One encoded column chunk: its pages back to back (the dictionary page first when there is one).
struct EncodedChunk {
    var bytes: [UInt8] = []
    /// Bytes of the dictionary page (header included) at the start of `bytes`; nil without one.
    var dictionaryPageLength: Int?
    var uncompressedSize = 0
    var numValues = 0
    var statistics = ParquetStatistics()
    var encodings: [Int32] = []
}

/// The dense (non-NULL) values of a chunk in the form its physical type writes, with the
/// definition level (1 = value, 0 = NULL) of every row when some row is NULL.
struct DenseValues {
    var ints: [Int64] = []
    var doubles: [Double] = []
    var codes: [Int32] = []  // VARCHAR: ids into `strings`
    var strings = StringColumnBuilder()
    var levels: [UInt8]? = nil
    var rows = 0
    var nulls = 0
}

/// Encodes column chunks the way DuckDB's default (format v1) writer does (Formats/parquet.md,
/// "Writing"): data pages v1, OPTIONAL columns with RLE definition levels, a dictionary (a
/// PLAIN_DICTIONARY dictionary page and RLE/bit-packed indices) when a chunk has between one and
/// `dictionaryLimit` distinct values, else PLAIN pages; statistics min, max and null count.
enum ChunkEncoder {
    /// Uncompressed bytes a data page aims at.
    static let pageBytes = 1 << 20
    /// Largest dictionary of strings, in bytes of distinct values (DuckDB's
    /// string_dictionary_page_size_limit default is 1 MiB).
    static let stringDictionaryBytes = 1 << 20

    static func encode(_ pieces: [Column], type: DataType, codec: ParquetCodec, dictionaryLimit: Int) -> EncodedChunk {
        var dense = gather(pieces, type: type)
        var out = EncodedChunk()
        out.numValues = dense.rows
        out.statistics = statistics(&dense, type: type)
        var dictionary: DictionaryValues? = nil
        switch type {
        case .integer, .bigint, .date, .timestamp:
            dictionary = DictionaryValues.of(dense.ints, limit: dictionaryLimit, storingIn: \.ints)
        case _ where WriteType.writesDoubles(type):
            dictionary = DictionaryValues.of(dense.doubles, limit: dictionaryLimit, storingIn: \.doubles)
        case .varchar:
            if dense.strings.distinctCount <= dictionaryLimit && dense.strings.arenaBytes <= stringDictionaryBytes {
                dictionary = DictionaryValues(
                    indices: dense.codes.map { UInt32($0) }, count: dense.strings.distinctCount)
            }
        default: break
        }
        if dictionary?.count == 0 { dictionary = nil }  // all null: PLAIN, as DuckDB
        if let d = dictionary {
            writeDictionaryPage(d, &dense, type: type, codec: codec, into: &out)
            out.encodings = [ParquetEncoding.plainDictionary.rawValue, ParquetEncoding.rle.rawValue]
        } else {
            out.encodings = [ParquetEncoding.plain.rawValue, ParquetEncoding.rle.rawValue]
        }
        writeDataPages(&dense, dictionary: dictionary, type: type, codec: codec, into: &out)
        return out
    }

    /// The dense values and levels of `pieces`.
    static func gather(_ pieces: [Column], type: DataType) -> DenseValues {
        var d = DenseValues()
        let rows = pieces.reduce(0) { $0 + $1.count }
        d.rows = rows
        let anyNull = pieces.contains { $0.validity != nil && $0.nullCount > 0 } || type == .null
        if anyNull {
            d.levels = []
            d.levels!.reserveCapacity(rows)
        }
        for c in pieces {
            let valid = c.validity
            if d.levels != nil {
                if type == .null {
                    d.levels!.append(contentsOf: repeatElement(0, count: c.count))
                } else if let v = valid {
                    d.levels!.append(contentsOf: v.map { $0 != 0 ? 1 : 0 })
                } else {
                    d.levels!.append(contentsOf: repeatElement(1, count: c.count))
                }
            }
            switch type {
            case .null: break
            case .double:
                if let v = valid {
                    for i in 0..<c.count where v[i] != 0 { d.doubles.append(c.doubles[i]) }
                } else {
                    d.doubles.append(contentsOf: c.doubles)
                }
            case .hugeint:
                for i in 0..<c.count where c.isValid(i) { d.doubles.append(Double(c.int128(at: i))) }
            case .decimal(let p, let s) where p > 18:
                let divisor = DecimalMath.pow10Double[Int(s)]
                for i in 0..<c.count where c.isValid(i) { d.doubles.append(Double(c.int128(at: i)) / divisor) }
            case .varchar where c.isFlatString:
                c.views.withUnsafeBufferPointer { v in
                    for i in 0..<c.count where c.isValid(i) {
                        let code = v[i].withBytes { d.strings.intern(UnsafeRawPointer($0.baseAddress), $0.count) }
                        d.codes.append(code)
                    }
                }
            case .varchar:
                // Dictionary codes: each code used is interned once.
                var remap = [Int32](repeating: -1, count: c.dictionary?.count ?? 0)
                for i in 0..<c.count where c.isValid(i) {
                    let code = Int(c.codes[i])
                    if remap[code] < 0 {
                        var s = c.dictionary![Int32(code)]
                        remap[code] = s.withUTF8 { u in d.strings.intern(UnsafeRawPointer(u.baseAddress), u.count) }
                    }
                    d.codes.append(remap[code])
                }
            default:
                if let v = valid {
                    for i in 0..<c.count where v[i] != 0 { d.ints.append(c.ints[i]) }
                } else {
                    d.ints.append(contentsOf: c.ints)
                }
            }
        }
        d.nulls =
            rows
            - (WriteType.writesDoubles(type)
                ? d.doubles.count
                : type == .varchar
                    ? d.codes.count
                    : type == .null ? 0 : d.ints.count)
        return d
    }
}

/// A chunk's dictionary: per dense value its index; the distinct values in first-seen order.
struct DictionaryValues {
    var indices: [UInt32]
    var count: Int
    var ints: [Int64] = []
    var doubles: [Double] = []

    /// The dictionary of 64-bit values (`Int64` or `Double`, compared by bit pattern), its distinct
    /// values stored at `distinct`; nil when more than `limit` distinct values.
    static func of<T>(_ values: [T], limit: Int, storingIn distinct: WritableKeyPath<DictionaryValues, [T]>)
        -> DictionaryValues?
    {
        precondition(MemoryLayout<T>.stride == MemoryLayout<UInt64>.stride)
        let found = values.withUnsafeBufferPointer { v in
            v.withMemoryRebound(to: UInt64.self) { ofBits($0, limit: limit) }
        }
        guard let (dictionary, bits) = found else { return nil }
        var d = dictionary
        d[keyPath: distinct] = bits.withUnsafeBufferPointer { b in b.withMemoryRebound(to: T.self) { Array($0) } }
        return d
    }

    /// Distinct 64-bit patterns by open addressing (multiply-shift hash, linear probing), read in
    /// place from the chunk's dense values (their bit patterns; no copy).
    private static func ofBits(
        _ v: UnsafeBufferPointer<UInt64>, limit: Int
    ) -> (values: DictionaryValues, bits: [UInt64])? {
        var capacity = 16
        while capacity < 2 * (limit + 1) { capacity <<= 1 }
        capacity = min(capacity, max(16, 2 * v.count.nextPowerOf2))
        var keys = [UInt64](repeating: 0, count: capacity)
        var slots = [Int32](repeating: -1, count: capacity)
        var distinct: [UInt64] = []
        var indices = [UInt32](repeating: 0, count: v.count)
        let mask = capacity - 1
        let shift = UInt64(64 - capacity.trailingZeroBitCount)
        let ok: Bool = indices.withUnsafeMutableBufferPointer { out in
            keys.withUnsafeMutableBufferPointer { k in
                slots.withUnsafeMutableBufferPointer { s in
                    for i in 0..<v.count {
                        let x = v[i]
                        var slot = Int((x &* 0x9E37_79B9_7F4A_7C15) >> shift) & mask
                        while s[slot] >= 0 && k[slot] != x { slot = (slot + 1) & mask }
                        if s[slot] < 0 {
                            if distinct.count == limit || distinct.count * 2 >= capacity { return false }
                            s[slot] = Int32(distinct.count)
                            k[slot] = x
                            distinct.append(x)
                        }
                        out[i] = UInt32(s[slot])
                    }
                    return true
                }
            }
        }
        if !ok { return nil }
        return (DictionaryValues(indices: indices, count: distinct.count), distinct)
    }
}

extension Int {
    fileprivate var nextPowerOf2: Int {
        var p = 1
        while p < self { p <<= 1 }
        return p
    }
}
