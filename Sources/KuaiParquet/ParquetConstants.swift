/// Numbers of the Parquet format (apache/parquet-format, parquet.thrift and README "File format"),
/// stated once here and in Formats/parquet.md. Multi-byte integers are little-endian.
public enum ParquetConstants {
    /// The 4 bytes at the start and at the end of every Parquet file.
    public static let magic: [UInt8] = Array("PAR1".utf8)
    /// The tail: footer length (u32) + magic.
    public static let tailSize = 8
    /// The smallest possible file: magic, an empty footer, length, magic.
    public static let minimumFileSize = 12
}

/// Physical types (parquet.thrift `Type`).
public enum PhysicalType: Int32, Sendable {
    case boolean = 0
    case int32 = 1
    case int64 = 2
    case int96 = 3
    case float = 4
    case double = 5
    case byteArray = 6
    case fixedLenByteArray = 7
}

/// Value and level encodings (parquet.thrift `Encoding`).
public enum ParquetEncoding: Int32, Sendable {
    case plain = 0
    case plainDictionary = 2
    case rle = 3
    case bitPacked = 4
    case deltaBinaryPacked = 5
    case deltaLengthByteArray = 6
    case deltaByteArray = 7
    case rleDictionary = 8
    case byteStreamSplit = 9
}

/// Page compression (parquet.thrift `CompressionCodec`). kuai reads and writes UNCOMPRESSED,
/// SNAPPY, GZIP, ZSTD and LZ4_RAW; LZO, BROTLI and the Hadoop-framed LZ4 are refused.
public enum ParquetCodec: Int32, Sendable, CaseIterable {
    case uncompressed = 0
    case snappy = 1
    case gzip = 2
    case lzo = 3
    case brotli = 4
    case lz4 = 5
    case zstd = 6
    case lz4Raw = 7

    /// The name as COPY's COMPRESSION option and DuckDB write it (lower case).
    public var name: String {
        switch self {
        case .uncompressed: return "uncompressed"
        case .snappy: return "snappy"
        case .gzip: return "gzip"
        case .lzo: return "lzo"
        case .brotli: return "brotli"
        case .lz4: return "lz4"
        case .zstd: return "zstd"
        case .lz4Raw: return "lz4_raw"
        }
    }

    /// Parses a COMPRESSION option value (case-insensitive; `none` = uncompressed, `lz4` = LZ4_RAW
    /// as DuckDB takes it). nil for codecs kuai cannot write.
    public init?(optionName: String) {
        switch optionName.lowercased() {
        case "uncompressed", "none": self = .uncompressed
        case "snappy": self = .snappy
        case "gzip": self = .gzip
        case "zstd": self = .zstd
        case "lz4_raw", "lz4": self = .lz4Raw
        default: return nil
        }
    }
}

/// Page types (parquet.thrift `PageType`).
enum PageType: Int32 {
    case dataPage = 0
    case indexPage = 1
    case dictionaryPage = 2
    case dataPageV2 = 3
}

/// Legacy type annotations (parquet.thrift `ConvertedType`), read from older writers.
enum ConvertedType: Int32 {
    case utf8 = 0
    case map = 1
    case mapKeyValue = 2
    case list = 3
    case enumeration = 4
    case decimal = 5
    case date = 6
    case timeMillis = 7
    case timeMicros = 8
    case timestampMillis = 9
    case timestampMicros = 10
    case uint8 = 11
    case uint16 = 12
    case uint32 = 13
    case uint64 = 14
    case int8 = 15
    case int16 = 16
    case int32 = 17
    case int64 = 18
    case json = 19
    case bson = 20
    case interval = 21
}

/// Field repetition (parquet.thrift `FieldRepetitionType`).
enum Repetition: Int32 {
    case required = 0
    case optional = 1
    case repeated = 2
}
