/// The footer and page-header structures of parquet.thrift that kuai reads and writes, with their
/// compact-protocol decoders and encoders. Field ids are those of parquet.thrift; fields kuai does
/// not use are skipped when read and not written (Formats/parquet.md, "Footer").

/// Time units of TIME and TIMESTAMP (parquet.thrift `TimeUnit`).
public enum TimeUnit: Sendable, Equatable {
    case millis, micros, nanos
}

/// Logical type annotations (parquet.thrift `LogicalType`), those kuai maps plus `other`.
public enum LogicalAnnotation: Sendable, Equatable {
    case string, map, list, enumeration, date, unknown, json, bson, uuid, float16
    case decimal(scale: Int32, precision: Int32)
    case time(adjustedToUTC: Bool, unit: TimeUnit)
    case timestamp(adjustedToUTC: Bool, unit: TimeUnit)
    case integer(bitWidth: Int8, signed: Bool)
    case other(Int16)
}

/// One node of the flattened schema tree (parquet.thrift `SchemaElement`).
public struct SchemaElement: Sendable {
    var type: PhysicalType?
    var typeLength: Int32?
    var repetition: Repetition?
    public var name: String
    var numChildren: Int32?
    var convertedType: ConvertedType?
    var scale: Int32?
    var precision: Int32?
    var fieldId: Int32?
    var logicalType: LogicalAnnotation?
}

/// Column statistics (parquet.thrift `Statistics`): plain-encoded min and max.
public struct ParquetStatistics: Sendable {
    public var max: [UInt8]?
    public var min: [UInt8]?
    public var nullCount: Int64?
    public var distinctCount: Int64?
    public var maxValue: [UInt8]?
    public var minValue: [UInt8]?
    public init() {}
}

/// parquet.thrift `ColumnMetaData`.
public struct ColumnMetaData: Sendable {
    var type: PhysicalType = .int32
    var encodings: [Int32] = []
    var pathInSchema: [String] = []
    var codecRaw: Int32 = 0
    var numValues: Int64 = 0
    var totalUncompressedSize: Int64 = 0
    var totalCompressedSize: Int64 = 0
    var dataPageOffset: Int64 = 0
    var indexPageOffset: Int64?
    var dictionaryPageOffset: Int64?
    var statistics: ParquetStatistics?
}

/// parquet.thrift `ColumnChunk` (the metadata of one column in one row group).
public struct ColumnChunkMeta: Sendable {
    var filePath: String?
    var fileOffset: Int64 = 0
    var metaData: ColumnMetaData?
}

/// parquet.thrift `RowGroup`.
public struct RowGroupMeta: Sendable {
    var columns: [ColumnChunkMeta] = []
    var totalByteSize: Int64 = 0
    var numRows: Int64 = 0
    var fileOffset: Int64?
    var totalCompressedSize: Int64?
    var ordinal: Int16?
}

/// parquet.thrift `FileMetaData` (the footer).
public struct FileMetaData: Sendable {
    var version: Int32 = 1
    var schema: [SchemaElement] = []
    var numRows: Int64 = 0
    var rowGroups: [RowGroupMeta] = []
    var keyValues: [(String, String?)] = []
    var createdBy: String?
    var columnOrderCount = 0
    var encrypted = false
}

/// parquet.thrift `PageHeader` with the headers of the page kinds kuai reads.
struct PageHeader {
    var typeRaw: Int32 = -1
    var uncompressedSize: Int32 = 0
    var compressedSize: Int32 = 0
    // DataPageHeader (v1) or DataPageHeaderV2 or DictionaryPageHeader, by type.
    var numValues: Int32 = 0
    var encodingRaw: Int32 = 0
    var definitionLevelEncodingRaw: Int32 = ParquetEncoding.rle.rawValue
    var repetitionLevelEncodingRaw: Int32 = ParquetEncoding.rle.rawValue
    var numNulls: Int32 = 0
    var numRows: Int32 = 0
    var definitionLevelsByteLength: Int32 = 0
    var repetitionLevelsByteLength: Int32 = 0
    var isCompressed = true
    var hasDataHeader = false
}

// MARK: Decoding

extension ThriftReader {
    mutating func readFileMetaData() throws -> FileMetaData {
        var m = FileMetaData()
        try readStruct { r, id, t in
            switch (id, t) {
            case (1, ThriftType.i32.rawValue): m.version = try r.readI32()
            case (2, ThriftType.list.rawValue): m.schema = try r.readList(of: .structure) { try $0.readSchemaElement() }
            case (3, ThriftType.i64.rawValue): m.numRows = try r.readI64()
            case (4, ThriftType.list.rawValue): m.rowGroups = try r.readList(of: .structure) { try $0.readRowGroup() }
            case (5, ThriftType.list.rawValue): m.keyValues = try r.readList(of: .structure) { try $0.readKeyValue() }
            case (6, ThriftType.binary.rawValue): m.createdBy = try r.readString()
            case (7, ThriftType.list.rawValue):
                let (et, n) = try r.readListHeader()
                for _ in 0..<n { try r.skip(et) }
                m.columnOrderCount = n
            case (8, _):
                m.encrypted = true
                return false
            default: return false
            }
            return true
        }
        return m
    }

    mutating func readKeyValue() throws -> (String, String?) {
        var k = ""
        var v: String? = nil
        try readStruct { r, id, t in
            guard t == ThriftType.binary.rawValue else { return false }
            if id == 1 { k = try r.readString() } else if id == 2 { v = try r.readString() } else { return false }
            return true
        }
        return (k, v)
    }

    mutating func readSchemaElement() throws -> SchemaElement {
        var e = SchemaElement(name: "")
        try readStruct { r, id, t in
            switch (id, t) {
            case (1, ThriftType.i32.rawValue):
                let v = try r.readI32()
                guard let p = PhysicalType(rawValue: v) else { throw ParquetDataError("unknown physical type \(v)") }
                e.type = p
            case (2, ThriftType.i32.rawValue): e.typeLength = try r.readI32()
            case (3, ThriftType.i32.rawValue):
                let v = try r.readI32()
                guard let rep = Repetition(rawValue: v) else { throw ParquetDataError("unknown repetition \(v)") }
                e.repetition = rep
            case (4, ThriftType.binary.rawValue): e.name = try r.readString()
            case (5, ThriftType.i32.rawValue): e.numChildren = try r.readI32()
            case (6, ThriftType.i32.rawValue): e.convertedType = ConvertedType(rawValue: try r.readI32())
            case (7, ThriftType.i32.rawValue): e.scale = try r.readI32()
            case (8, ThriftType.i32.rawValue): e.precision = try r.readI32()
            case (9, ThriftType.i32.rawValue): e.fieldId = try r.readI32()
            case (10, ThriftType.structure.rawValue): e.logicalType = try r.readLogicalType()
            default: return false
            }
            return true
        }
        return e
    }

    /// A union: exactly one field set; its id says which annotation.
    mutating func readLogicalType() throws -> LogicalAnnotation {
        var out: LogicalAnnotation = .other(0)
        try readStruct { r, id, t in
            guard t == ThriftType.structure.rawValue else { return false }
            switch id {
            case 1: out = .string
            case 2: out = .map
            case 3: out = .list
            case 4: out = .enumeration
            case 5: out = try r.readDecimalType()
            case 6: out = .date
            case 7, 8:
                let (utc, unit) = try r.readTimeType()
                out = id == 7 ? .time(adjustedToUTC: utc, unit: unit) : .timestamp(adjustedToUTC: utc, unit: unit)
                return true
            case 10: out = try r.readIntType()
            case 11: out = .unknown
            case 12: out = .json
            case 13: out = .bson
            case 14: out = .uuid
            case 15: out = .float16
            default:
                out = .other(id)
                return false
            }
            if id != 5 && id != 10 { try r.skip(t) }
            return true
        }
        return out
    }

    private mutating func readDecimalType() throws -> LogicalAnnotation {
        var scale: Int32 = 0
        var precision: Int32 = 0
        try readStruct { r, id, t in
            guard t == ThriftType.i32.rawValue else { return false }
            if id == 1 { scale = try r.readI32() } else if id == 2 { precision = try r.readI32() } else { return false }
            return true
        }
        return .decimal(scale: scale, precision: precision)
    }

    private mutating func readIntType() throws -> LogicalAnnotation {
        var bits: Int8 = 0
        var signed = true
        try readStruct { r, id, t in
            if id == 1 && t == ThriftType.byte.rawValue {
                bits = Int8(bitPattern: try r.readByte())
            } else if id == 2 {
                signed = try r.boolValue(t)
            } else {
                return false
            }
            return true
        }
        return .integer(bitWidth: bits, signed: signed)
    }

    private mutating func readTimeType() throws -> (Bool, TimeUnit) {
        var utc = false
        var unit = TimeUnit.micros
        try readStruct { r, id, t in
            if id == 1 {
                utc = try r.boolValue(t)
            } else if id == 2 && t == ThriftType.structure.rawValue {
                try r.readStruct { r2, uid, ut in
                    unit = uid == 1 ? .millis : uid == 2 ? .micros : .nanos
                    try r2.skip(ut)
                    return true
                }
            } else {
                return false
            }
            return true
        }
        return (utc, unit)
    }

    mutating func readRowGroup() throws -> RowGroupMeta {
        var g = RowGroupMeta()
        try readStruct { r, id, t in
            switch (id, t) {
            case (1, ThriftType.list.rawValue): g.columns = try r.readList(of: .structure) { try $0.readColumnChunk() }
            case (2, ThriftType.i64.rawValue): g.totalByteSize = try r.readI64()
            case (3, ThriftType.i64.rawValue): g.numRows = try r.readI64()
            case (5, ThriftType.i64.rawValue): g.fileOffset = try r.readI64()
            case (6, ThriftType.i64.rawValue): g.totalCompressedSize = try r.readI64()
            case (7, ThriftType.i16.rawValue): g.ordinal = Int16(truncatingIfNeeded: try r.readI64())
            default: return false
            }
            return true
        }
        return g
    }

    mutating func readColumnChunk() throws -> ColumnChunkMeta {
        var c = ColumnChunkMeta()
        try readStruct { r, id, t in
            switch (id, t) {
            case (1, ThriftType.binary.rawValue): c.filePath = try r.readString()
            case (2, ThriftType.i64.rawValue): c.fileOffset = try r.readI64()
            case (3, ThriftType.structure.rawValue): c.metaData = try r.readColumnMetaData()
            default: return false
            }
            return true
        }
        return c
    }

    mutating func readColumnMetaData() throws -> ColumnMetaData {
        var m = ColumnMetaData()
        try readStruct { r, id, t in
            switch (id, t) {
            case (1, ThriftType.i32.rawValue):
                let v = try r.readI32()
                guard let p = PhysicalType(rawValue: v) else { throw ParquetDataError("unknown physical type \(v)") }
                m.type = p
            case (2, ThriftType.list.rawValue): m.encodings = try r.readList(of: .i32) { try $0.readI32() }
            case (3, ThriftType.list.rawValue): m.pathInSchema = try r.readList(of: .binary) { try $0.readString() }
            case (4, ThriftType.i32.rawValue): m.codecRaw = try r.readI32()
            case (5, ThriftType.i64.rawValue): m.numValues = try r.readI64()
            case (6, ThriftType.i64.rawValue): m.totalUncompressedSize = try r.readI64()
            case (7, ThriftType.i64.rawValue): m.totalCompressedSize = try r.readI64()
            case (9, ThriftType.i64.rawValue): m.dataPageOffset = try r.readI64()
            case (10, ThriftType.i64.rawValue): m.indexPageOffset = try r.readI64()
            case (11, ThriftType.i64.rawValue): m.dictionaryPageOffset = try r.readI64()
            case (12, ThriftType.structure.rawValue): m.statistics = try r.readStatistics()
            default: return false
            }
            return true
        }
        return m
    }

    mutating func readStatistics() throws -> ParquetStatistics {
        var s = ParquetStatistics()
        try readStruct { r, id, t in
            switch (id, t) {
            case (1, ThriftType.binary.rawValue): s.max = try r.readBinary()
            case (2, ThriftType.binary.rawValue): s.min = try r.readBinary()
            case (3, ThriftType.i64.rawValue): s.nullCount = try r.readI64()
            case (4, ThriftType.i64.rawValue): s.distinctCount = try r.readI64()
            case (5, ThriftType.binary.rawValue): s.maxValue = try r.readBinary()
            case (6, ThriftType.binary.rawValue): s.minValue = try r.readBinary()
            default: return false
            }
            return true
        }
        return s
    }

    mutating func readPageHeader() throws -> PageHeader {
        var h = PageHeader()
        try readStruct { r, id, t in
            switch (id, t) {
            case (1, ThriftType.i32.rawValue): h.typeRaw = try r.readI32()
            case (2, ThriftType.i32.rawValue): h.uncompressedSize = try r.readI32()
            case (3, ThriftType.i32.rawValue): h.compressedSize = try r.readI32()
            case (5, ThriftType.structure.rawValue): try r.readDataPageHeader(&h)
            case (7, ThriftType.structure.rawValue): try r.readDictionaryPageHeader(&h)
            case (8, ThriftType.structure.rawValue): try r.readDataPageHeaderV2(&h)
            default: return false
            }
            return true
        }
        return h
    }

    private mutating func readDataPageHeader(_ h: inout PageHeader) throws {
        h.hasDataHeader = true
        try readStruct { r, id, t in
            guard t == ThriftType.i32.rawValue else { return false }
            switch id {
            case 1: h.numValues = try r.readI32()
            case 2: h.encodingRaw = try r.readI32()
            case 3: h.definitionLevelEncodingRaw = try r.readI32()
            case 4: h.repetitionLevelEncodingRaw = try r.readI32()
            default: return false
            }
            return true
        }
    }

    private mutating func readDictionaryPageHeader(_ h: inout PageHeader) throws {
        h.hasDataHeader = true
        try readStruct { r, id, t in
            guard t == ThriftType.i32.rawValue else { return false }
            switch id {
            case 1: h.numValues = try r.readI32()
            case 2: h.encodingRaw = try r.readI32()
            default: return false
            }
            return true
        }
    }

    private mutating func readDataPageHeaderV2(_ h: inout PageHeader) throws {
        h.hasDataHeader = true
        try readStruct { r, id, t in
            switch (id, t) {
            case (1, ThriftType.i32.rawValue): h.numValues = try r.readI32()
            case (2, ThriftType.i32.rawValue): h.numNulls = try r.readI32()
            case (3, ThriftType.i32.rawValue): h.numRows = try r.readI32()
            case (4, ThriftType.i32.rawValue): h.encodingRaw = try r.readI32()
            case (5, ThriftType.i32.rawValue): h.definitionLevelsByteLength = try r.readI32()
            case (6, ThriftType.i32.rawValue): h.repetitionLevelsByteLength = try r.readI32()
            case (7, _): h.isCompressed = try r.boolValue(t)
            default: return false
            }
            return true
        }
    }
}
