/// Logical types of kuai, named and behaving as DuckDB's types of the same name.
///
/// Physical representation in a `Column` (see `Column.Storage`):
/// | type      | storage  | unit / meaning                                   |
/// |-----------|----------|--------------------------------------------------|
/// | boolean   | `.int`   | 0 = false, 1 = true                              |
/// | integer   | `.int`   | 32-bit range, held in Int64                      |
/// | bigint    | `.int`   | 64-bit                                           |
/// | hugeint   | `.int`   | DuckDB's INT128 (result type of sum(INTEGER/BIGINT)): `ints` while every value fits Int64; else `ints` = low 64 bits and `Column.highs` = high 64 bits |
/// | double    | `.double`| IEEE 754 binary64                                |
/// | varchar   | `.string`| dictionary codes into a `StringDictionary`       |
/// | date      | `.int`   | days since 1970-01-01                            |
/// | timestamp | `.int`   | microseconds since 1970-01-01 00:00:00 (no zone), as DuckDB's TIMESTAMP |
/// | interval  | `.int`   | microseconds (kuai supports day/hour/minute/second intervals only) |
/// | null      | `.int`   | the type of a bare `NULL` literal; every row is null |
///
/// Raw values are stable: they are written in manifests (Formats/column-file.md, "Logical types").
public enum DataType: UInt8, Sendable, Hashable, CustomStringConvertible, CaseIterable {
    case boolean = 1
    case integer = 2
    case bigint = 3
    case hugeint = 4
    case double = 5
    case varchar = 6
    case date = 7
    case timestamp = 8
    case interval = 9
    case null = 10

    /// The SQL name as DuckDB prints it (`typeof`, DESCRIBE): "BIGINT", "VARCHAR", ...
    public var description: String {
        switch self {
        case .boolean: return "BOOLEAN"
        case .integer: return "INTEGER"
        case .bigint: return "BIGINT"
        case .hugeint: return "HUGEINT"
        case .double: return "DOUBLE"
        case .varchar: return "VARCHAR"
        case .date: return "DATE"
        case .timestamp: return "TIMESTAMP"
        case .interval: return "INTERVAL"
        case .null: return "NULL"
        }
    }

    /// Parses a SQL type name as DuckDB accepts it in CAST (case-insensitive aliases included):
    /// INT/INT4/INTEGER, INT8/BIGINT/LONG, DOUBLE/FLOAT8/FLOAT/REAL (kuai maps FLOAT and REAL to DOUBLE),
    /// VARCHAR/TEXT/STRING, BOOL/BOOLEAN, DATE, TIMESTAMP/DATETIME, HUGEINT/INT128.
    public init?(sqlName: String) {
        switch sqlName.uppercased() {
        case "BOOLEAN", "BOOL", "LOGICAL": self = .boolean
        case "INTEGER", "INT", "INT4", "SIGNED", "INT32", "SMALLINT", "INT2", "TINYINT", "INT1": self = .integer
        case "BIGINT", "INT8", "LONG", "INT64": self = .bigint
        case "HUGEINT", "INT128": self = .hugeint
        case "DOUBLE", "FLOAT8", "FLOAT", "FLOAT4", "REAL", "NUMERIC", "DECIMAL": self = .double
        case "VARCHAR", "TEXT", "STRING", "CHAR", "BPCHAR": self = .varchar
        case "DATE": self = .date
        case "TIMESTAMP", "DATETIME": self = .timestamp
        case "INTERVAL": self = .interval
        default: return nil
        }
    }

    /// True for the types stored as `.int` that behave as numbers in arithmetic.
    public var isInteger: Bool { self == .integer || self == .bigint || self == .hugeint }
    /// True for integer types and DOUBLE.
    public var isNumeric: Bool { isInteger || self == .double }
}

/// A named, typed column of a table or of a query result.
public struct Field: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var type: DataType
    public init(_ name: String, _ type: DataType) {
        self.name = name
        self.type = type
    }
    public var description: String { "\(name) \(type)" }
}

/// The ordered columns of a table or result.
public typealias Schema = [Field]
