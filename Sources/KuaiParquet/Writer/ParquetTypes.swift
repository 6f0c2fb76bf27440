import KuaiCore

/// How kuai writes each of its types (Formats/parquet.md, "Writing: types"), as DuckDB 2.0.1's
/// COPY ... (FORMAT parquet) writes the same DuckDB type.
enum WriteType {
    /// True for the types whose values are written as DOUBLE (`WriteType.physical`).
    static func writesDoubles(_ type: DataType) -> Bool { physical(type) == .double }

    /// The schema element of a column of `type` named `name` (always OPTIONAL, as DuckDB writes
    /// table columns).
    static func schemaElement(_ name: String, _ type: DataType) -> SchemaElement {
        var e = SchemaElement(name: name)
        e.repetition = .optional
        e.type = physical(type)
        switch type {
        // nested types are refused before writing (CopyTo)
        case .boolean, .double, .null, .hugeint, .list, .structure, .map: break
        case .tinyint, .smallint, .integer, .bigint:
            // INT(8/16/32/64, signed): converted types 15...18 in the same order
            let rank = type.integerRank!
            e.convertedType = ConvertedType(rawValue: ConvertedType.int8.rawValue + Int32(rank))
            e.logicalType = .integer(bitWidth: 8 << rank, signed: true)
        case .varchar:
            e.convertedType = .utf8
            e.logicalType = .string
        case .date:
            e.convertedType = .date
            e.logicalType = .date
        case .timestamp, .timestamptz:
            // TIMESTAMP WITH TIME ZONE: the same UTC microseconds, flagged isAdjustedToUTC as DuckDB does
            e.convertedType = .timestampMicros
            e.logicalType = .timestamp(adjustedToUTC: type == .timestamptz, unit: .micros)
        case .time:
            // as DuckDB: INT64 TIME(isAdjustedToUTC = false, MICROS) / TIME_MICROS
            e.convertedType = .timeMicros
            e.logicalType = .time(adjustedToUTC: false, unit: .micros)
        case .interval:
            e.typeLength = 12
            e.convertedType = .interval
        case .decimal(let p, let s):
            // DuckDB: DECIMAL of up to 9 digits as INT32, up to 18 as INT64 (wider: see `physical`).
            if p <= 18 {
                e.convertedType = .decimal
                e.scale = Int32(s)
                e.precision = Int32(p)
                e.logicalType = .decimal(scale: Int32(s), precision: Int32(p))
            }
        }
        return e
    }

    /// The physical type: BOOLEAN; INT32 for TINYINT, SMALLINT, INTEGER and DATE (and the all-NULL NULL type); INT64
    /// for BIGINT, TIMESTAMP and TIMESTAMP WITH TIME ZONE (microseconds); DOUBLE for DOUBLE and HUGEINT (DuckDB writes HUGEINT
    /// as DOUBLE); BYTE_ARRAY for VARCHAR; FIXED_LEN_BYTE_ARRAY(12) for INTERVAL; DECIMAL of up to 9
    /// digits INT32, up to 18 INT64 (unscaled, as DuckDB), wider DECIMAL as DOUBLE (DuckDB writes a
    /// 16-byte FIXED_LEN_BYTE_ARRAY; kuai does not yet).
    static func physical(_ type: DataType) -> PhysicalType {
        switch type {
        case .boolean: return .boolean
        case .tinyint, .smallint, .integer, .date, .null: return .int32
        case .bigint, .timestamp, .timestamptz, .time: return .int64
        case .double, .hugeint: return .double
        case .varchar, .list, .structure, .map: return .byteArray
        case .interval: return .fixedLenByteArray
        case .decimal(let p, _): return p <= 9 ? .int32 : p <= 18 ? .int64 : .double
        }
    }
}
