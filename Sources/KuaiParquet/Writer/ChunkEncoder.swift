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

/// Rows `rows` of a column: one row group's share of a batch.
struct ColumnPiece {
    var column: Column
    var rows: Range<Int>
}

/// The dense (non-NULL) values of a chunk in the form its physical type writes, with the
/// definition level (1 = value, 0 = NULL) of every row when some row is NULL. The arrays are
/// taken from an `EncoderScratch` (`init(taking:)`) and given back (`giveBack(to:)`).
struct DenseValues {
    var ints: [Int64] = []
    var doubles: [Double] = []
    var codes: [Int32] = []  // VARCHAR: ids into `strings`
    /// INTERVAL: the months and days of each dense value (`IntervalValue.packed`); `ints` holds
    /// the microseconds.
    var intervalPacked: [Int64] = []
    var strings = StringColumnBuilder()
    var levels: [UInt8]? = nil
    var rows = 0
    var nulls = 0

    /// Empty values over the arrays of `scratch` (their storage kept, their elements removed).
    init(taking scratch: EncoderScratch) {
        swap(&ints, &scratch.ints)
        swap(&doubles, &scratch.doubles)
        swap(&codes, &scratch.codes)
        ints.removeAll(keepingCapacity: true)
        doubles.removeAll(keepingCapacity: true)
        codes.removeAll(keepingCapacity: true)
    }

    /// Returns the arrays to `scratch` for the next chunk.
    mutating func giveBack(to scratch: EncoderScratch) {
        swap(&ints, &scratch.ints)
        swap(&doubles, &scratch.doubles)
        swap(&codes, &scratch.codes)
        if levels != nil { swap(&levels!, &scratch.levels) }
    }
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

    /// The chunk of `pieces` (one row group of a column of `type`, in row order). The buffers it
    /// works in come from an `EncoderScratch` and go back to it.
    static func encode(_ pieces: [ColumnPiece], type: DataType, codec: ParquetCodec, dictionaryLimit: Int)
        -> EncodedChunk
    {
        let scratch = EncoderScratch.take()
        defer { EncoderScratch.give(scratch) }
        var dense = DenseValues(taking: scratch)
        gather(pieces, type: type, into: &dense, levels: &scratch.levels)
        var out = EncodedChunk()
        out.numValues = dense.rows
        out.statistics = statistics(&dense, type: type)
        var dictionary: DictionaryValues? = nil
        switch type {
        case .tinyint, .smallint, .integer, .bigint, .date, .timestamp, .timestamptz, .time:
            dictionary = DictionaryValues.of(dense.ints, limit: dictionaryLimit, scratch: scratch, storingIn: \.ints)
        case _ where WriteType.writesDoubles(type):
            dictionary = DictionaryValues.of(
                dense.doubles, limit: dictionaryLimit, scratch: scratch, storingIn: \.doubles)
        case .varchar:
            if dense.strings.distinctCount <= dictionaryLimit && dense.strings.arenaBytes <= stringDictionaryBytes {
                dictionary = DictionaryValues.ofCodes(
                    dense.codes, count: dense.strings.distinctCount, scratch: scratch)
            }
        default: break
        }
        if let d = dictionary, d.count == 0 {  // all null: PLAIN, as DuckDB
            d.giveBack(to: scratch)
            dictionary = nil
        }
        if let d = dictionary {
            writeDictionaryPage(d, &dense, type: type, codec: codec, scratch: scratch, into: &out)
            out.encodings = [ParquetEncoding.plainDictionary.rawValue, ParquetEncoding.rle.rawValue]
        } else {
            out.encodings = [ParquetEncoding.plain.rawValue, ParquetEncoding.rle.rawValue]
        }
        writeDataPages(&dense, dictionary: dictionary, type: type, codec: codec, scratch: scratch, into: &out)
        dictionary?.giveBack(to: scratch)
        dense.giveBack(to: scratch)
        return out
    }

    /// Appends the dense values and levels of `pieces` to `d` (empty); `levels` (emptied) is the
    /// storage of the levels when some row is NULL.
    static func gather(_ pieces: [ColumnPiece], type: DataType, into d: inout DenseValues, levels: inout [UInt8]) {
        let rows = pieces.reduce(0) { $0 + $1.rows.count }
        d.rows = rows
        // At most `rows` values: one allocation (or none, when the scratch's is as large).
        switch type {
        case .varchar: d.codes.reserveCapacity(rows)
        case _ where WriteType.writesDoubles(type): d.doubles.reserveCapacity(rows)
        case .null: break
        default: d.ints.reserveCapacity(rows)
        }
        let anyNull = type == .null || pieces.contains { $0.column.validity != nil && $0.column.nullCount > 0 }
        if anyNull {
            var l: [UInt8] = []
            swap(&l, &levels)
            l.removeAll(keepingCapacity: true)
            l.reserveCapacity(rows)
            d.levels = l
        }
        for piece in pieces {
            let c = piece.column
            let range = piece.rows
            if d.levels != nil {
                if type == .null {
                    d.levels!.append(contentsOf: repeatElement(0, count: range.count))
                } else if let v = c.validity {
                    d.levels!.append(contentsOf: v[range].lazy.map { $0 != 0 ? 1 : 0 })
                } else {
                    d.levels!.append(contentsOf: repeatElement(1, count: range.count))
                }
            }
            gatherValues(c, range, type: type, into: &d)
        }
        d.nulls =
            rows
            - (WriteType.writesDoubles(type)
                ? d.doubles.count
                : type == .varchar
                    ? d.codes.count
                    : type == .null ? 0 : d.ints.count)
    }

    /// Appends the non-NULL values of rows `range` of `c` to `d`.
    private static func gatherValues(_ c: Column, _ range: Range<Int>, type: DataType, into d: inout DenseValues) {
        let valid = c.validity
        switch type {
        case .null: break
        case .double:
            if let v = valid {
                for i in range where v[i] != 0 { d.doubles.append(c.doubles[i]) }
            } else {
                d.doubles.append(contentsOf: c.doubles[range])
            }
        case .hugeint:
            for i in range where c.isValid(i) { d.doubles.append(Double(c.int128(at: i))) }
        case .decimal(let p, let s) where p > 18:
            let divisor = DecimalMath.pow10Double[Int(s)]
            for i in range where c.isValid(i) { d.doubles.append(Double(c.int128(at: i)) / divisor) }
        case .varchar where c.isFlatString:
            c.views.withUnsafeBufferPointer { v in
                for i in range where c.isValid(i) {
                    let code = v[i].withBytes { d.strings.intern(UnsafeRawPointer($0.baseAddress), $0.count) }
                    d.codes.append(code)
                }
            }
        case .varchar:
            // Dictionary codes: each code used is interned once.
            var remap = [Int32](repeating: -1, count: c.dictionary?.count ?? 0)
            for i in range where c.isValid(i) {
                let code = Int(c.codes[i])
                if remap[code] < 0 {
                    var s = c.dictionary![Int32(code)]
                    remap[code] = s.withUTF8 { u in d.strings.intern(UnsafeRawPointer(u.baseAddress), u.count) }
                }
                d.codes.append(remap[code])
            }
        default:
            if let v = valid {
                for i in range where v[i] != 0 { d.ints.append(c.ints[i]) }
            } else {
                d.ints.append(contentsOf: c.ints[range])
            }
            if c.type == .interval {
                for i in range where valid == nil || valid![i] != 0 {
                    d.intervalPacked.append(c.interval(at: i).packed)
                }
            }
        }
    }
}

/// A chunk's dictionary: per dense value its index; the distinct values in first-seen order.
/// `indices` is the storage of an `EncoderScratch` (as long as the dense values or longer),
/// given back with `giveBack(to:)`.
struct DictionaryValues {
    var indices: [UInt32]
    var count: Int
    var ints: [Int64] = []
    var doubles: [Double] = []

    /// The dictionary of 64-bit values (`Int64` or `Double`, compared by bit pattern), its distinct
    /// values stored at `distinct`; nil when more than `limit` distinct values.
    static func of<T>(
        _ values: [T], limit: Int, scratch: EncoderScratch, storingIn distinct: WritableKeyPath<DictionaryValues, [T]>
    ) -> DictionaryValues? {
        precondition(MemoryLayout<T>.stride == MemoryLayout<UInt64>.stride)
        let found = values.withUnsafeBufferPointer { v in
            v.withMemoryRebound(to: UInt64.self) { ofBits($0, limit: limit, scratch: scratch) }
        }
        guard var out = found else { return nil }
        let n = out.count
        out[keyPath: distinct] = scratch.distinct.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: T.self) { Array($0[0..<n]) }
        }
        return out
    }

    /// The dictionary of interned strings: `codes` are already indices below `count`.
    static func ofCodes(_ codes: [Int32], count: Int, scratch: EncoderScratch) -> DictionaryValues {
        var indices: [UInt32] = []
        swap(&indices, &scratch.indices)
        indices.ensureCount(codes.count)
        indices.withUnsafeMutableBufferPointer { out in
            for (i, c) in codes.enumerated() { out[i] = UInt32(c) }
        }
        return DictionaryValues(indices: indices, count: count)
    }

    /// Returns `indices` to `scratch`.
    func giveBack(to scratch: EncoderScratch) { scratch.indices = indices }

    /// Distinct 64-bit patterns by open addressing (multiply-shift hash, linear probing; a slot
    /// holds an index into the distinct values), read in place from the chunk's dense values
    /// (their bit patterns; no copy). The distinct values are the first `count` of
    /// `scratch.distinct`; nil (with `scratch` as it was) when more than `limit`.
    private static func ofBits(
        _ v: UnsafeBufferPointer<UInt64>, limit: Int, scratch: EncoderScratch
    ) -> DictionaryValues? {
        var capacity = 16
        while capacity < 2 * (limit + 1) { capacity <<= 1 }
        capacity = min(capacity, max(16, 2 * v.count.nextPowerOf2))
        var slots: [Int32] = []
        var distinct: [UInt64] = []
        var indices: [UInt32] = []
        swap(&slots, &scratch.slots)
        swap(&distinct, &scratch.distinct)
        swap(&indices, &scratch.indices)
        defer {
            swap(&slots, &scratch.slots)
            swap(&distinct, &scratch.distinct)
        }
        slots.ensureCount(capacity)
        distinct.ensureCount(min(limit, v.count) + 1)
        indices.ensureCount(v.count)
        let mask = capacity - 1
        let shift = UInt64(64 - capacity.trailingZeroBitCount)
        var count = 0
        let ok: Bool = indices.withUnsafeMutableBufferPointer { out in
            distinct.withUnsafeMutableBufferPointer { d in
                slots.withUnsafeMutableBufferPointer { all in
                    let s = UnsafeMutableBufferPointer(rebasing: all[0..<capacity])
                    s.update(repeating: -1)
                    for i in 0..<v.count {
                        let x = v[i]
                        var slot = Int((x &* 0x9E37_79B9_7F4A_7C15) >> shift) & mask
                        var id = s[slot]
                        while id >= 0 && d[Int(id)] != x {
                            slot = (slot + 1) & mask
                            id = s[slot]
                        }
                        if id < 0 {
                            if count == limit || count * 2 >= capacity { return false }
                            id = Int32(count)
                            s[slot] = id
                            d[count] = x
                            count += 1
                        }
                        out[i] = UInt32(id)
                    }
                    return true
                }
            }
        }
        if !ok {
            swap(&indices, &scratch.indices)
            return nil
        }
        return DictionaryValues(indices: indices, count: count)
    }
}

extension Int {
    fileprivate var nextPowerOf2: Int {
        var p = 1
        while p < self { p <<= 1 }
        return p
    }
}
