/// Compact-protocol encoders of the footer and page headers kuai writes (parquet.thrift field ids;
/// Formats/parquet.md, "Writing").
extension ThriftWriter {
    mutating func statistics(_ id: Int16, _ s: ParquetStatistics) {
        structure(id) { w in
            if let v = s.max { w.binary(1, v) }
            if let v = s.min { w.binary(2, v) }
            if let v = s.nullCount { w.i64(3, v) }
            if let v = s.maxValue { w.binary(5, v) }
            if let v = s.minValue { w.binary(6, v) }
        }
    }

    mutating func schemaElement(_ e: SchemaElement) {
        if let t = e.type { i32(1, t.rawValue) }
        if let l = e.typeLength { i32(2, l) }
        if let r = e.repetition { i32(3, r.rawValue) }
        string(4, e.name)
        if let n = e.numChildren { i32(5, n) }
        if let c = e.convertedType { i32(6, c.rawValue) }
        if let s = e.scale { i32(7, s) }
        if let p = e.precision { i32(8, p) }
        if let l = e.logicalType { logicalType(10, l) }
    }

    mutating func logicalType(_ id: Int16, _ l: LogicalAnnotation) {
        structure(id) { w in
            switch l {
            case .string: w.structure(1) { _ in }
            case .map: w.structure(2) { _ in }
            case .list: w.structure(3) { _ in }
            case .date: w.structure(6) { _ in }
            case .unknown: w.structure(11) { _ in }
            case .integer(let bits, let signed):
                w.structure(10) { w in
                    w.i8(1, bits)
                    w.bool(2, signed)
                }
            case .time(let utc, let unit):
                w.structure(7) { w in
                    w.bool(1, utc)
                    w.structure(2) { w in w.structure(unit == .millis ? 1 : unit == .micros ? 2 : 3) { _ in } }
                }
            case .timestamp(let utc, let unit):
                w.structure(8) { w in
                    w.bool(1, utc)
                    w.structure(2) { w in w.structure(unit == .millis ? 1 : unit == .micros ? 2 : 3) { _ in } }
                }
            case .decimal(let scale, let precision):
                w.structure(5) { w in
                    w.i32(1, scale)
                    w.i32(2, precision)
                }
            default: preconditionFailure("the writer never annotates \(l)")
            }
        }
    }

    mutating func columnMetaData(_ m: ColumnMetaData) {
        i32(1, m.type.rawValue)
        i32List(2, m.encodings)
        stringList(3, m.pathInSchema)
        i32(4, m.codecRaw)
        i64(5, m.numValues)
        i64(6, m.totalUncompressedSize)
        i64(7, m.totalCompressedSize)
        i64(9, m.dataPageOffset)
        if let d = m.dictionaryPageOffset { i64(11, d) }
        if let s = m.statistics { statistics(12, s) }
    }

    mutating func fileMetaData(_ m: FileMetaData) {
        i32(1, m.version)
        structList(2, m.schema) { w, e in w.schemaElement(e) }
        i64(3, m.numRows)
        structList(4, m.rowGroups) { w, g in
            w.structList(1, g.columns) { w, c in
                w.i64(2, c.fileOffset)
                w.structure(3) { w in w.columnMetaData(c.metaData!) }
            }
            w.i64(2, g.totalByteSize)
            w.i64(3, g.numRows)
            if let o = g.fileOffset { w.i64(5, o) }
            if let t = g.totalCompressedSize { w.i64(6, t) }
            if let o = g.ordinal {
                w.fieldHeader(7, .i16)
                w.zigzag(Int64(o))
            }
        }
        if !m.keyValues.isEmpty {
            structList(5, m.keyValues) { w, kv in
                w.string(1, kv.0)
                if let v = kv.1 { w.string(2, v) }
            }
        }
        if let c = m.createdBy { string(6, c) }
        if m.columnOrderCount > 0 {
            // One TypeDefinedOrder per column: min/max follow the logical type's order.
            listHeader(7, .structure, count: m.columnOrderCount)
            for _ in 0..<m.columnOrderCount { structBody { w in w.structure(1) { _ in } } }
        }
    }

    /// A data page v1 header, or a dictionary page header when `dictionary` is true.
    mutating func pageHeader(
        dictionary: Bool, uncompressed: Int, compressed: Int, values: Int, encoding: ParquetEncoding
    ) {
        structBody { w in
            w.i32(1, dictionary ? PageType.dictionaryPage.rawValue : PageType.dataPage.rawValue)
            w.i32(2, Int32(uncompressed))
            w.i32(3, Int32(compressed))
            if dictionary {
                w.structure(7) { w in
                    w.i32(1, Int32(values))
                    w.i32(2, encoding.rawValue)
                }
            } else {
                w.structure(5) { w in
                    w.i32(1, Int32(values))
                    w.i32(2, encoding.rawValue)
                    w.i32(3, ParquetEncoding.rle.rawValue)
                    w.i32(4, ParquetEncoding.rle.rawValue)
                }
            }
        }
    }
}
