import KuaiCore

/// How the reader turns a leaf column's physical values into a kuai type (Formats/parquet.md,
/// "Reading: types"). Chosen once per column from the schema, never per row.
enum ValueConversion: Sendable, Equatable {
    /// Integers as they are (BOOLEAN 0/1, INT32, INT64, DATE days).
    case none
    /// UINT_32: the 32 bits zero-extended.
    case unsigned32
    /// UINT_64 as BIGINT: a value above 2^63-1 is an error (never a wrapped value).
    case unsigned64
    /// INT(8/16, signed) / INT_8 / INT_16 of INT32 as TINYINT / SMALLINT: a value outside the
    /// type's range is an error (never a wrapped value).
    case narrowSigned(bits: Int)
    /// TIMESTAMP(MILLIS): times 1000 (kuai keeps microseconds).
    case millisToMicros
    /// TIMESTAMP(NANOS): floor division by 1000.
    case nanosToMicros
    /// INT96 (legacy Spark/Impala timestamps): nanoseconds of the day + Julian day number.
    case int96
    /// DECIMAL(scale) of BYTE_ARRAY/FIXED_LEN_BYTE_ARRAY (and INT32/INT64 DECIMAL whose precision is
    /// not 1...18): to DOUBLE (value / 10^scale).
    case decimal(scale: Int32)
    /// FLOAT to DOUBLE.
    case float
    /// INTERVAL (12 bytes: months, days, milliseconds): an INTERVAL of those months and days and the milliseconds as microseconds.
    case interval
    /// BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY as VARCHAR.
    case string
}

/// One leaf column of a flat Parquet file, as kuai reads it.
public struct ParquetColumn: Sendable {
    /// The column name (the schema element's name).
    public var name: String
    /// Its kuai type.
    public var type: DataType
    var physical: PhysicalType
    var typeLength: Int
    /// 1 for OPTIONAL columns (definition levels present), 0 for REQUIRED.
    var maxDefinition: Int
    var conversion: ValueConversion
    /// The logical type as text, for messages and `describe` (e.g. "INT64 TIMESTAMP(MICROS)").
    public var parquetType: String

    /// Maps a schema leaf to a kuai type.
    /// - Throws: `KuaiError.format` naming the column for types kuai has no equivalent for.
    static func make(_ e: SchemaElement, file: String) throws -> ParquetColumn {
        guard let physical = e.type else {
            throw KuaiError(.format, "column '\(e.name)' has no physical type", at: file)
        }
        let (type, conversion, text) = try mapType(e, physical)
        guard let type else {
            throw KuaiError(
                .format, "column '\(e.name)' has Parquet type \(text), which kuai cannot read", at: file)
        }
        if physical == .fixedLenByteArray && (e.typeLength ?? 0) <= 0 {
            throw KuaiError(.corrupt, "column '\(e.name)' is FIXED_LEN_BYTE_ARRAY without a length", at: file)
        }
        return ParquetColumn(
            name: e.name, type: type, physical: physical, typeLength: Int(e.typeLength ?? 0),
            maxDefinition: e.repetition == .optional ? 1 : 0, conversion: conversion, parquetType: text)
    }

    // swift-format-ignore: CyclomaticComplexity
    private static func mapType(_ e: SchemaElement, _ p: PhysicalType) throws -> (DataType?, ValueConversion, String) {
        let logical = e.logicalType
        let converted = e.convertedType
        var decimal: (scale: Int32, precision: Int32)? = nil
        if case .decimal(let scale, let precision) = logical {
            decimal = (scale, precision)
        } else if converted == .decimal {
            decimal = (e.scale ?? 0, e.precision ?? 0)
        }
        if let (s, precision) = decimal {
            let text = "\(p) DECIMAL(\(precision),\(s))"
            // INT32/INT64 DECIMAL of up to 18 digits: kuai's DECIMAL(p,s), the unscaled integers as
            // they are; wider (byte arrays) as DOUBLE.
            if p == .int32 || p == .int64, precision >= 1, precision <= 18, s >= 0, s <= precision {
                return (.decimal(precision: UInt8(precision), scale: UInt8(s)), .none, text)
            }
            return (.double, .decimal(scale: s), text)
        }
        switch p {
        case .boolean: return (.boolean, .none, "BOOLEAN")
        case .int32:
            if logical == .date || converted == .date { return (.date, .none, "INT32 DATE") }
            if case .integer(let bits, let signed) = logical {
                if !signed && bits == 32 { return (.bigint, .unsigned32, "INT32 UINT32") }
                let text = "INT32 INT(\(bits),\(signed))"
                if signed && bits == 8 { return (.tinyint, .narrowSigned(bits: 8), text) }
                if signed && bits == 16 { return (.smallint, .narrowSigned(bits: 16), text) }
                return (.integer, .none, text)
            }
            if converted == .uint32 { return (.bigint, .unsigned32, "INT32 UINT_32") }
            if converted == .int8 { return (.tinyint, .narrowSigned(bits: 8), "INT32 INT_8") }
            if converted == .int16 { return (.smallint, .narrowSigned(bits: 16), "INT32 INT_16") }
            if case .time = logical { return (nil, .none, "INT32 TIME") }
            if converted == .timeMillis { return (nil, .none, "INT32 TIME_MILLIS") }
            return (.integer, .none, "INT32")
        case .int64:
            if case .timestamp(let utc, let unit) = logical {
                // isAdjustedToUTC: an instant, read as TIMESTAMP WITH TIME ZONE (as DuckDB reads it)
                let t: DataType = utc ? .timestamptz : .timestamp
                switch unit {
                case .millis: return (t, .millisToMicros, "INT64 TIMESTAMP(MILLIS)")
                case .micros: return (t, .none, "INT64 TIMESTAMP(MICROS)")
                case .nanos: return (t, .nanosToMicros, "INT64 TIMESTAMP(NANOS)")
                }
            }
            if converted == .timestampMillis { return (.timestamp, .millisToMicros, "INT64 TIMESTAMP_MILLIS") }
            if converted == .timestampMicros { return (.timestamp, .none, "INT64 TIMESTAMP_MICROS") }
            if converted == .uint64 { return (.bigint, .unsigned64, "INT64 UINT_64") }
            if case .integer(let bits, let signed) = logical, !signed, bits == 64 {
                return (.bigint, .unsigned64, "INT64 UINT64")
            }
            // a time of day (as DuckDB: TIME); one adjusted to UTC is DuckDB's TIME WITH TIME ZONE
            if case .time(false, .micros) = logical { return (.time, .none, "INT64 TIME(MICROS)") }
            if case .time(false, .nanos) = logical { return (.time, .nanosToMicros, "INT64 TIME(NANOS)") }
            if case .time = logical { return (nil, .none, "INT64 TIME") }
            if converted == .timeMicros { return (.time, .none, "INT64 TIME_MICROS") }
            return (.bigint, .none, "INT64")
        case .int96: return (.timestamp, .int96, "INT96")
        case .float: return (.double, .float, "FLOAT")
        case .double: return (.double, .none, "DOUBLE")
        case .byteArray:
            switch logical {
            case .some(.string), .some(.enumeration), .some(.json), .none: return (.varchar, .string, "BYTE_ARRAY")
            default: return (nil, .none, "BYTE_ARRAY \(String(describing: logical!))")
            }
        case .fixedLenByteArray:
            if converted == .interval && e.typeLength == 12 {
                return (.interval, .interval, "FIXED_LEN_BYTE_ARRAY INTERVAL")
            }
            if logical == .uuid { return (nil, .none, "FIXED_LEN_BYTE_ARRAY UUID") }
            if logical == .float16 { return (nil, .none, "FIXED_LEN_BYTE_ARRAY FLOAT16") }
            return (.varchar, .string, "FIXED_LEN_BYTE_ARRAY(\(e.typeLength ?? 0))")
        }
    }
}
