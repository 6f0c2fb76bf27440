/// The footer and page-header structures of parquet.thrift that kuai reads and writes, with their
/// compact-protocol decoders and encoders. Field ids are those of parquet.thrift; fields kuai does
/// not use are skipped when read and not written (Formats/parquet.md, "Footer"). Each struct is
/// followed by its field table for `ThriftReader.read`: field id -> the wire type and the member it
/// is read into; a field not listed, or of another type, is skipped.

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

extension SchemaElement: ThriftStruct {
    init() { self.init(name: "") }

    static let thriftFields: [Int16: ThriftField<SchemaElement>] = [
        1: .value(.i32, \.type) { try $0.readPhysicalType() }, 2: .i32(\.typeLength),
        3: .value(.i32, \.repetition) { r in
            let v = try r.readI32()
            guard let rep = Repetition(rawValue: v) else { throw ParquetDataError("unknown repetition \(v)") }
            return rep
        },
        4: .value(.binary, \.name) { try $0.readString() }, 5: .i32(\.numChildren),
        6: .value(.i32, \.convertedType) { ConvertedType(rawValue: try $0.readI32()) }, 7: .i32(\.scale),
        8: .i32(\.precision), 9: .i32(\.fieldId), 10: .value(.structure, \.logicalType) { try $0.readLogicalType() },
    ]
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

extension ParquetStatistics: ThriftStruct {
    static let thriftFields: [Int16: ThriftField<ParquetStatistics>] = [
        1: .binary(\.max), 2: .binary(\.min), 3: .i64(\.nullCount), 4: .i64(\.distinctCount),
        5: .binary(\.maxValue), 6: .binary(\.minValue),
    ]
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
    var dictionaryPageOffset: Int64?
    var statistics: ParquetStatistics?
}

extension ColumnMetaData: ThriftStruct {
    static let thriftFields: [Int16: ThriftField<ColumnMetaData>] = [
        1: .value(.i32, \.type) { try $0.readPhysicalType() },
        2: .list(\.encodings, of: .i32) { try $0.readI32() },
        3: .list(\.pathInSchema, of: .binary) { try $0.readString() },
        4: .i32(\.codecRaw), 5: .i64(\.numValues), 6: .i64(\.totalUncompressedSize), 7: .i64(\.totalCompressedSize),
        9: .i64(\.dataPageOffset), 11: .i64(\.dictionaryPageOffset),
        12: .structure(\.statistics),
    ]
}

/// parquet.thrift `ColumnChunk` (the metadata of one column in one row group).
public struct ColumnChunkMeta: Sendable {
    var filePath: String?
    var fileOffset: Int64 = 0
    var metaData: ColumnMetaData?
}

extension ColumnChunkMeta: ThriftStruct {
    static let thriftFields: [Int16: ThriftField<ColumnChunkMeta>] = [
        1: .string(\.filePath), 2: .i64(\.fileOffset), 3: .structure(\.metaData),
    ]
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

extension RowGroupMeta: ThriftStruct {
    static let thriftFields: [Int16: ThriftField<RowGroupMeta>] = [
        1: .list(\.columns), 2: .i64(\.totalByteSize), 3: .i64(\.numRows), 5: .i64(\.fileOffset),
        6: .i64(\.totalCompressedSize), 7: .value(.i16, \.ordinal) { Int16(truncatingIfNeeded: try $0.readI64()) },
    ]
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

extension FileMetaData: ThriftStruct {
    static let thriftFields: [Int16: ThriftField<FileMetaData>] = [
        1: .i32(\.version), 2: .list(\.schema), 3: .i64(\.numRows), 4: .list(\.rowGroups),
        5: .list(\.keyValues, of: .structure) { try $0.readKeyValue() }, 6: .string(\.createdBy),
        // column_orders: counted, not kept.
        7: ThriftField(type: .list) { r, m, _ in
            let (et, n) = try r.readListHeader()
            for _ in 0..<n { try r.skip(et) }
            m.columnOrderCount = n
            return true
        },
        // encryption_algorithm: noted (kuai reads no encrypted file), its value skipped.
        8: ThriftField(type: nil) { _, m, _ in
            m.encrypted = true
            return false
        },
    ]
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

extension PageHeader: ThriftStruct {
    static let thriftFields: [Int16: ThriftField<PageHeader>] = [
        1: .i32(\.typeRaw), 2: .i32(\.uncompressedSize), 3: .i32(\.compressedSize),
        // DataPageHeader
        5: pageKindHeader([
            1: .i32(\.numValues), 2: .i32(\.encodingRaw), 3: .i32(\.definitionLevelEncodingRaw),
            4: .i32(\.repetitionLevelEncodingRaw),
        ]),
        // DictionaryPageHeader
        7: pageKindHeader([1: .i32(\.numValues), 2: .i32(\.encodingRaw)]),
        // DataPageHeaderV2
        8: pageKindHeader([
            1: .i32(\.numValues), 2: .i32(\.numNulls), 3: .i32(\.numRows), 4: .i32(\.encodingRaw),
            5: .i32(\.definitionLevelsByteLength), 6: .i32(\.repetitionLevelsByteLength), 7: .bool(\.isCompressed),
        ]),
    ]

    /// The header of one page kind, a struct whose `fields` are read into this `PageHeader`.
    private static func pageKindHeader(_ fields: [Int16: ThriftField<PageHeader>]) -> ThriftField<PageHeader> {
        ThriftField(type: .structure) { r, h, _ in
            h.hasDataHeader = true
            try r.readFields(into: &h, fields)
            return true
        }
    }
}

// MARK: Decoding

extension ThriftReader {
    mutating func readPhysicalType() throws -> PhysicalType {
        let v = try readI32()
        guard let p = PhysicalType(rawValue: v) else { throw ParquetDataError("unknown physical type \(v)") }
        return p
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

}
