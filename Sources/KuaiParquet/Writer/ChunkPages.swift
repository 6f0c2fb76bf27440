import KuaiCore

/// Statistics and pages of a chunk (see `ChunkEncoder`).
extension ChunkEncoder {
    /// min, max (plain-encoded, in the logical type's order) and null count. Both the current
    /// min_value/max_value and the deprecated min/max are written for numbers (their signed order
    /// is the same); strings get min_value/max_value only. NaN is left out of DOUBLE bounds.
    static func statistics(_ d: inout DenseValues, type: DataType) -> ParquetStatistics {
        var s = ParquetStatistics()
        s.nullCount = Int64(d.nulls)
        var lo: [UInt8]? = nil
        var hi: [UInt8]? = nil
        switch type {
        case .tinyint, .smallint, .integer, .date, .bigint, .timestamp, .timestamptz, .time, .boolean:
            if let (mn, mx) = minMax(d.ints) {
                let width = type == .boolean ? 1 : WriteType.physical(type) == .int32 ? 4 : 8
                lo = littleEndian(mn, width)
                hi = littleEndian(mx, width)
            }
        case _ where WriteType.writesDoubles(type):
            var mn = Double.infinity
            var mx = -Double.infinity
            var any = false
            for v in d.doubles where !v.isNaN {
                mn = Swift.min(mn, v)
                mx = Swift.max(mx, v)
                any = true
            }
            if any {
                lo = littleEndian(Int64(bitPattern: mn.bitPattern), 8)
                hi = littleEndian(Int64(bitPattern: mx.bitPattern), 8)
            }
        case .varchar:
            var lowest = -1
            var highest = -1
            let strings = d.strings
            for k in 0..<strings.distinctCount {
                if lowest < 0 || strings.withValue(k, { a in strings.withValue(lowest) { b in less(a, b) } }) {
                    lowest = k
                }
                if highest < 0 || strings.withValue(highest, { a in strings.withValue(k) { b in less(a, b) } }) {
                    highest = k
                }
            }
            if lowest >= 0 {
                s.minValue = strings.withValue(lowest) { [UInt8]($0) }
                s.maxValue = strings.withValue(highest) { [UInt8]($0) }
            }
            return s
        default:
            return s
        }
        s.min = lo
        s.max = hi
        s.minValue = lo
        s.maxValue = hi
        return s
    }

    /// The least and greatest of `values` in one pass; nil when empty.
    static func minMax(_ values: [Int64]) -> (Int64, Int64)? {
        values.withUnsafeBufferPointer { v in
            guard var lo = v.first else { return nil }
            var hi = lo
            for x in v {
                lo = Swift.min(lo, x)
                hi = Swift.max(hi, x)
            }
            return (lo, hi)
        }
    }

    private static func less(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.lexicographicallyPrecedes(b)
    }

    private static func littleEndian(_ v: Int64, _ width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: v >> (8 * Int64($0))) }
    }

    /// Bits needed for indices below `count` (at least 1).
    static func bitWidth(_ count: Int) -> Int {
        var w = 1
        while (1 << w) < count { w += 1 }
        return w
    }

    static func writeDictionaryPage(
        _ dict: DictionaryValues, _ d: inout DenseValues, type: DataType, codec: ParquetCodec,
        scratch: EncoderScratch, into out: inout EncodedChunk
    ) {
        var raw: [UInt8] = []
        swap(&raw, &scratch.page)
        defer { swap(&raw, &scratch.page) }
        raw.removeAll(keepingCapacity: true)
        switch type {
        case .varchar:
            for k in 0..<dict.count {
                d.strings.withValue(k) { b in
                    appendLength(&raw, b.count)
                    raw.append(contentsOf: b)
                }
            }
        case _ where WriteType.writesDoubles(type):
            dict.doubles.withUnsafeBytes { raw.append(contentsOf: $0) }
        default:
            appendPlainInts(&raw, dict.ints, width: WriteType.physical(type) == .int32 ? 4 : 8)
        }
        appendPage(
            raw, dictionary: true, values: dict.count, encoding: .plainDictionary, codec: codec, scratch: scratch,
            into: &out)
        out.dictionaryPageLength = out.bytes.count
    }

    static func appendLength(_ raw: inout [UInt8], _ n: Int) {
        let v = UInt32(n)
        raw.append(UInt8(truncatingIfNeeded: v))
        raw.append(UInt8(truncatingIfNeeded: v >> 8))
        raw.append(UInt8(truncatingIfNeeded: v >> 16))
        raw.append(UInt8(truncatingIfNeeded: v >> 24))
    }

    static func appendPlainInts(_ raw: inout [UInt8], _ values: ArraySlice<Int64>, width: Int) {
        if width == 8 {
            values.withUnsafeBytes { raw.append(contentsOf: $0) }
        } else {
            let start = raw.count
            raw.append(contentsOf: repeatElement(0, count: values.count * 4))
            raw.withUnsafeMutableBytes { r in
                for (k, v) in values.enumerated() {
                    r.storeBytes(
                        of: Int32(truncatingIfNeeded: v).littleEndian, toByteOffset: start + 4 * k, as: Int32.self)
                }
            }
        }
    }

    static func appendPlainInts(_ raw: inout [UInt8], _ values: [Int64], width: Int) {
        appendPlainInts(&raw, values[...], width: width)
    }

    /// Compresses `raw` (into `scratch.compressed`) and appends the page header and the page to
    /// the chunk.
    static func appendPage(
        _ raw: [UInt8], dictionary: Bool, values: Int, encoding: ParquetEncoding, codec: ParquetCodec,
        scratch: EncoderScratch, into out: inout EncodedChunk
    ) {
        var compressed: [UInt8] = []
        swap(&compressed, &scratch.compressed)
        defer { swap(&compressed, &scratch.compressed) }
        let n = raw.withUnsafeBytes { PageCompression.compress(codec, $0, into: &compressed) }
        var h = ThriftWriter()
        h.pageHeader(dictionary: dictionary, uncompressed: raw.count, compressed: n, values: values, encoding: encoding)
        out.bytes.append(contentsOf: h.bytes)
        compressed.withUnsafeBytes { out.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        out.uncompressedSize += h.bytes.count + raw.count
    }

    /// Uncompressed bytes of one value in a data page (an average for strings; at least 1); a data
    /// page holds about `pageBytes` of them (at least 1,024 rows).
    static func rowBytes(_ d: DenseValues, dictionary: DictionaryValues?, type: DataType) -> Int {
        let perRow: Int
        if let dict = dictionary {
            perRow = max(1, (bitWidth(dict.count) + 7) / 8)
        } else {
            switch type {
            case .varchar: perRow = 4 + d.strings.arenaBytes / max(1, d.strings.distinctCount)
            case .tinyint, .smallint, .integer, .date, .null: perRow = 4
            case .interval: perRow = 12
            case .boolean: perRow = 1
            default: perRow = 8
            }
        }
        return perRow
    }

    /// The data pages of the chunk, about `pageBytes` of values each, assembled in `scratch.page`.
    static func writeDataPages(
        _ d: inout DenseValues, dictionary: DictionaryValues?, type: DataType, codec: ParquetCodec,
        scratch: EncoderScratch, into out: inout EncodedChunk
    ) {
        let perRow = rowBytes(d, dictionary: dictionary, type: type)
        let step = max(1024, pageBytes / perRow)
        var raw: [UInt8] = []
        swap(&raw, &scratch.page)
        defer { swap(&raw, &scratch.page) }
        var row = 0
        var denseAt = 0
        repeat {
            let end = min(d.rows, row + step)
            raw.removeAll(keepingCapacity: true)
            raw.reserveCapacity(64 + (end - row) * perRow + (end - row) / 8)  // values, then levels
            let valid = appendLevels(d.levels, row..<end, to: &raw)
            let range = denseAt..<(denseAt + valid)
            if let dict = dictionary {
                let width = bitWidth(dict.count)
                raw.append(UInt8(width))
                var enc = RLEHybridEncoder(width: width, appendingTo: raw)
                raw = []
                dict.indices.withUnsafeBufferPointer {
                    enc.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range]))
                }
                raw = enc.finish()
            } else {
                appendPlainValues(&raw, &d, range, type: type)
            }
            appendPage(
                raw, dictionary: false, values: end - row,
                encoding: dictionary == nil ? .plain : .plainDictionary, codec: codec, scratch: scratch, into: &out)
            denseAt += valid
            row = end
        } while row < d.rows
    }

    /// Appends the definition levels of `rows` (all 1 when `levels` is nil), RLE-encoded after
    /// their 4-byte length, to `raw`. - Returns: how many of the rows are not NULL.
    static func appendLevels(_ levels: [UInt8]?, _ rows: Range<Int>, to raw: inout [UInt8]) -> Int {
        let lengthAt = raw.count
        appendLength(&raw, 0)
        var encoder = RLEHybridEncoder(width: 1, appendingTo: raw)
        raw = []
        var valid = rows.count
        if let l = levels {
            valid = 0
            var i = rows.lowerBound
            while i < rows.upperBound {
                let v = l[i]
                var j = i + 1
                while j < rows.upperBound && l[j] == v { j += 1 }
                encoder.append(UInt32(v), count: j - i)
                if v != 0 { valid += j - i }
                i = j
            }
        } else {
            encoder.append(1, count: rows.count)
        }
        raw = encoder.finish()
        let length = UInt32(raw.count - lengthAt - 4)
        for k in 0..<4 { raw[lengthAt + k] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(k))) }
        return valid
    }

    static func appendPlainValues(_ raw: inout [UInt8], _ d: inout DenseValues, _ range: Range<Int>, type: DataType) {
        switch type {
        case .null: break
        case .boolean:
            var byte: UInt8 = 0
            var bits = 0
            for v in d.ints[range] {
                byte |= UInt8(v & 1) << UInt8(bits)
                bits += 1
                if bits == 8 {
                    raw.append(byte)
                    byte = 0
                    bits = 0
                }
            }
            if bits > 0 { raw.append(byte) }
        case _ where WriteType.writesDoubles(type):
            d.doubles[range].withUnsafeBytes { raw.append(contentsOf: $0) }
        case .varchar:
            for code in d.codes[range] {
                d.strings.withValue(Int(code)) { b in
                    appendLength(&raw, b.count)
                    raw.append(contentsOf: b)
                }
            }
        case .interval:
            // months, days, milliseconds (u32 each, little-endian), as DuckDB writes them: the
            // microseconds divided by 1,000 (toward zero).
            for k in range {
                let v = IntervalValue(packed: d.intervalPacked[k], micros: d.ints[k])
                let millis = UInt32(truncatingIfNeeded: v.micros / 1000)
                for x in [UInt32(bitPattern: v.months), UInt32(bitPattern: v.days), millis] {
                    withUnsafeBytes(of: x.littleEndian) { raw.append(contentsOf: $0) }
                }
            }
        default:
            appendPlainInts(&raw, d.ints[range], width: WriteType.physical(type) == .int32 ? 4 : 8)
        }
    }
}
