import KuaiCore

/// Decodes one column chunk (its dictionary page and data pages, v1 and v2) into a kuai `Column`
/// (Formats/parquet.md, "Reading"). Values are decoded densely at the current row, then spread
/// over the rows by the definition levels (NULL rows get validity 0).
/// Every failure is a `ParquetDataError`; `ParquetFile` adds the file, row group and column.
struct ChunkDecoder {
    enum Storage { case ints, doubles, codes }

    let column: ParquetColumn
    let codec: ParquetCodec
    let rows: Int
    let storage: Storage
    var ints: [Int64] = []
    var doubles: [Double] = []
    var codes: [Int32] = []
    var strings = StringColumnBuilder()
    var validity: [UInt8]? = nil
    var written = 0
    var dictCount = -1  // -1: no dictionary page seen
    /// INTERVAL columns: the values read so far; `ints` (and `dictInts`) hold indexes into it, so
    /// that they move with the definition levels as other integers do (`finish` resolves them).
    var intervals: [IntervalValue] = []
    var dictInts: [Int64] = []
    var dictDoubles: [Double] = []
    var dictCodes: [Int32] = []
    var levels: [UInt32] = []
    var indices: [UInt32] = []
    var pageBuffer: [UInt8] = []

    init(column: ParquetColumn, codec: ParquetCodec, rows: Int) {
        self.column = column
        self.codec = codec
        self.rows = rows
        switch (column.physical, column.conversion) {
        case (.float, _), (.double, _): storage = .doubles
        case (.byteArray, .decimal), (.fixedLenByteArray, .decimal): storage = .doubles
        case (.byteArray, _), (.fixedLenByteArray, .string): storage = .codes
        default: storage = .ints
        }
        switch storage {
        case .ints: ints = [Int64](repeating: 0, count: rows)
        case .doubles: doubles = [Double](repeating: 0, count: rows)
        case .codes: codes = [Int32](repeating: 0, count: rows)
        }
    }

    /// Reads pages from `chunk` (the bytes of the column chunk) until `rows` rows are decoded.
    mutating func decode(_ chunk: UnsafeRawBufferPointer) throws -> Column {
        var pos = 0
        var page = 0
        while written < rows {
            guard pos < chunk.count else {
                throw ParquetDataError("the column chunk ends after \(written) of its \(rows) rows")
            }
            var r = ThriftReader(UnsafeRawBufferPointer(rebasing: chunk[pos...]))
            let h: PageHeader
            do { h = try r.read(PageHeader.self) } catch let e as ParquetDataError {
                throw ParquetDataError("page \(page) header: \(e.message)")
            }
            pos += r.position
            guard h.compressedSize >= 0, h.uncompressedSize >= 0, Int(h.compressedSize) <= chunk.count - pos else {
                throw ParquetDataError(
                    "page \(page) of \(h.compressedSize) bytes runs past the column chunk (\(chunk.count - pos) left)")
            }
            let body = UnsafeRawBufferPointer(rebasing: chunk[pos..<(pos + Int(h.compressedSize))])
            pos += Int(h.compressedSize)
            do {
                switch PageType(rawValue: h.typeRaw) {
                case .dictionaryPage: try readDictionaryPage(h, body)
                case .dataPage: try readDataPage(h, body, v2: false)
                case .dataPageV2: try readDataPage(h, body, v2: true)
                case .indexPage: break
                case nil: throw ParquetDataError("unknown page type \(h.typeRaw)")
                }
            } catch let e as ParquetDataError {
                throw ParquetDataError("page \(page): \(e.message)")
            }
            page += 1
        }
        return try finish()
    }

    /// Calls `use` with the page's bytes after decompression (`body` itself when stored
    /// uncompressed), decompressing into `buffer` (reused between pages).
    private static func inflate(
        _ codec: ParquetCodec, _ body: UnsafeRawBufferPointer, size: Int, compressed: Bool, buffer: inout [UInt8],
        _ use: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        if codec == .uncompressed || !compressed {
            guard body.count == size else {
                throw ParquetDataError("page holds \(body.count) bytes, its header says \(size)")
            }
            try use(body)
            return
        }
        if buffer.count < size { buffer = [UInt8](repeating: 0, count: size) }
        try buffer.withUnsafeMutableBytes { b in
            let dst = UnsafeMutableRawBufferPointer(rebasing: b[0..<size])
            try PageCompression.decompress(codec, body, into: dst)
            try use(UnsafeRawBufferPointer(dst))
        }
    }

    private mutating func readDictionaryPage(_ h: PageHeader, _ body: UnsafeRawBufferPointer) throws {
        guard dictCount < 0 else { throw ParquetDataError("a second dictionary page") }
        let n = Int(h.numValues)
        guard n >= 0 else { throw ParquetDataError("dictionary of \(n) values") }
        let enc = h.encodingRaw
        guard enc == ParquetEncoding.plain.rawValue || enc == ParquetEncoding.plainDictionary.rawValue else {
            throw ParquetDataError("dictionary page encoding \(enc) (expected PLAIN)")
        }
        var buffer = pageBuffer
        pageBuffer = []
        defer { pageBuffer = buffer }
        try Self.inflate(codec, body, size: Int(h.uncompressedSize), compressed: true, buffer: &buffer) { data in
            var cur = ByteCursor(data)
            switch storage {
            case .ints:
                var d = [Int64](repeating: 0, count: n)
                try d.withUnsafeMutableBufferPointer { try decodePlain(&cur, n, ints: $0.baseAddress!, doubles: nil) }
                dictInts = d
            case .doubles:
                var d = [Double](repeating: 0, count: n)
                try d.withUnsafeMutableBufferPointer { try decodePlain(&cur, n, ints: nil, doubles: $0.baseAddress!) }
                dictDoubles = d
            case .codes:
                var d = [Int32](repeating: 0, count: n)
                try d.withUnsafeMutableBufferPointer { out in
                    var k = 0
                    try Self.forEachPlainBytes(column, &cur, n) { p, len in
                        out[k] = strings.intern(p, len)
                        k += 1
                    }
                }
                dictCodes = d
            }
        }
        dictCount = n
    }

    private mutating func readDataPage(_ h: PageHeader, _ body: UnsafeRawBufferPointer, v2: Bool) throws {
        let n = Int(h.numValues)
        guard n >= 0, n <= rows - written else {
            throw ParquetDataError("page of \(n) values, \(rows - written) rows left in the row group")
        }
        guard h.hasDataHeader else { throw ParquetDataError("data page without its data page header") }
        var buffer = pageBuffer
        pageBuffer = []
        defer { pageBuffer = buffer }
        if v2 {
            let rep = Int(h.repetitionLevelsByteLength)
            let def = Int(h.definitionLevelsByteLength)
            guard rep == 0, def >= 0, def <= body.count else {
                throw ParquetDataError("levels of \(rep) + \(def) bytes in a page of \(body.count)")
            }
            let levelBytes = UnsafeRawBufferPointer(rebasing: body[rep..<(rep + def)])
            let nonNull = try definitionLevels(levelBytes, n, prefixed: false)
            let values = UnsafeRawBufferPointer(rebasing: body[(rep + def)...])
            let size = Int(h.uncompressedSize) - rep - def
            guard size >= 0 else { throw ParquetDataError("uncompressed size \(h.uncompressedSize) below the levels") }
            try Self.inflate(codec, values, size: size, compressed: h.isCompressed, buffer: &buffer) { data in
                var cur = ByteCursor(data)
                try decodeValues(&cur, encoding: h.encodingRaw, nonNull: nonNull, rows: n)
            }
        } else {
            guard column.maxDefinition == 0 || h.definitionLevelEncodingRaw == ParquetEncoding.rle.rawValue else {
                throw ParquetDataError(
                    "definition levels encoded with \(h.definitionLevelEncodingRaw) (kuai reads RLE)")
            }
            try Self.inflate(codec, body, size: Int(h.uncompressedSize), compressed: true, buffer: &buffer) { data in
                var cur = ByteCursor(data)
                var nonNull = n
                if column.maxDefinition > 0 {
                    let len = Int(try cur.readUInt32())
                    let levelBytes = try cur.take(len, "the definition levels")
                    nonNull = try definitionLevels(levelBytes, n, prefixed: true)
                }
                try decodeValues(&cur, encoding: h.encodingRaw, nonNull: nonNull, rows: n)
            }
        }
        written += n
    }

    /// Decodes `n` definition levels into `levels`; returns how many rows are not NULL.
    private mutating func definitionLevels(_ bytes: UnsafeRawBufferPointer, _ n: Int, prefixed: Bool) throws -> Int {
        if column.maxDefinition == 0 { return n }
        if levels.count < n { levels = [UInt32](repeating: 0, count: n) }
        var dec = try RLEHybridDecoder(bytes, width: 1)
        var valid = 0
        try levels.withUnsafeMutableBufferPointer { l in
            try dec.decode(into: l.baseAddress!, count: n)
            for i in 0..<n { valid &+= Int(l[i]) }
        }
        return valid
    }

    /// Decodes `nonNull` values at row `written`, then spreads them over `rows` rows.
    private mutating func decodeValues(_ cur: inout ByteCursor, encoding: Int32, nonNull: Int, rows n: Int) throws {
        let at = written
        switch storage {
        case .ints:
            var c = ints
            ints = []
            defer { ints = c }
            try c.withUnsafeMutableBufferPointer { o in
                try decodeInto(&cur, encoding, nonNull, ints: o.baseAddress! + at, doubles: nil, codes: nil)
            }
        case .doubles:
            var c = doubles
            doubles = []
            defer { doubles = c }
            try c.withUnsafeMutableBufferPointer { o in
                try decodeInto(&cur, encoding, nonNull, ints: nil, doubles: o.baseAddress! + at, codes: nil)
            }
        case .codes:
            var c = codes
            codes = []
            defer { codes = c }
            try c.withUnsafeMutableBufferPointer { o in
                try decodeInto(&cur, encoding, nonNull, ints: nil, doubles: nil, codes: o.baseAddress! + at)
            }
        }
        if nonNull < n { spread(nonNull: nonNull, rows: n) }
    }

    private mutating func spread(nonNull: Int, rows n: Int) {
        if validity == nil { validity = [UInt8](repeating: 1, count: rows) }
        let at = written
        levels.withUnsafeBufferPointer { l in
            validity!.withUnsafeMutableBufferPointer { v in
                switch storage {
                case .ints:
                    ints.withUnsafeMutableBufferPointer { spreadValues($0.baseAddress! + at, l, v, at, nonNull, n) }
                case .doubles:
                    doubles.withUnsafeMutableBufferPointer { spreadValues($0.baseAddress! + at, l, v, at, nonNull, n) }
                case .codes:
                    codes.withUnsafeMutableBufferPointer { spreadValues($0.baseAddress! + at, l, v, at, nonNull, n) }
                }
            }
        }
    }
}

/// Moves `nonNull` dense values at the start of `values` to the rows whose level is 1 (from the
/// last row backwards, so in place), zeroing NULL rows and marking them in `validity`.
@inline(__always)
private func spreadValues<T: BinaryInteger>(
    _ values: UnsafeMutablePointer<T>, _ levels: UnsafeBufferPointer<UInt32>,
    _ validity: UnsafeMutableBufferPointer<UInt8>,
    _ at: Int, _ nonNull: Int, _ n: Int
) {
    var src = nonNull - 1
    var r = n - 1
    while r >= 0 {
        if levels[r] != 0 {
            values[r] = values[src]
            src -= 1
        } else {
            values[r] = 0
            validity[at + r] = 0
        }
        r -= 1
    }
}

@inline(__always)
private func spreadValues(
    _ values: UnsafeMutablePointer<Double>, _ levels: UnsafeBufferPointer<UInt32>,
    _ validity: UnsafeMutableBufferPointer<UInt8>, _ at: Int, _ nonNull: Int, _ n: Int
) {
    values.withMemoryRebound(to: UInt64.self, capacity: n) { spreadValues($0, levels, validity, at, nonNull, n) }
}
