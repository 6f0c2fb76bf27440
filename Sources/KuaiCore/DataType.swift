/// Logical types of kuai, named and behaving as DuckDB's types of the same name.
///
/// Physical representation in a `Column` (see `Column.Storage`):
/// | type      | storage  | unit / meaning                                   |
/// |-----------|----------|--------------------------------------------------|
/// | boolean   | `.int`   | 0 = false, 1 = true                              |
/// | tinyint   | `.int`   | 8-bit range (-128...127), held in Int64          |
/// | smallint  | `.int`   | 16-bit range (-32768...32767), held in Int64     |
/// | integer   | `.int`   | 32-bit range, held in Int64                      |
/// | bigint    | `.int`   | 64-bit                                           |
/// | hugeint   | `.int`   | DuckDB's INT128 (result type of sum(INTEGER/BIGINT)): `ints` while every value fits Int64; else `ints` = low 64 bits and `Column.highs` = high 64 bits |
/// | double    | `.double`| IEEE 754 binary64                                |
/// | varchar   | `.string`| dictionary codes into a `StringDictionary`       |
/// | date      | `.int`   | days since 1970-01-01                            |
/// | timestamp | `.int`   | microseconds since 1970-01-01 00:00:00 (no zone), as DuckDB's TIMESTAMP |
/// | timestamptz | `.int` | microseconds since 1970-01-01 00:00:00 UTC: an instant, shown and taken apart in the session time zone, as DuckDB's TIMESTAMP WITH TIME ZONE |
/// | time      | `.int`   | microseconds since midnight, 0...86_400_000_000 (`24:00:00` is the last), as DuckDB's TIME |
/// | interval  | `.int`   | DuckDB's (months, days, microseconds): `ints` = microseconds; months and days in `Column.highs` when some row has them (`IntervalValue`) |
/// | null      | `.int`   | the type of a bare `NULL` literal; every row is null |
/// | decimal(p,s) | `.int` | the unscaled integer value × 10^-s (`1.50` as DECIMAL(3,2) is 150); precision p in 1...38 digits, scale s in 0...p. p <= 18 always fits `ints`; wider values use `Column.highs` as HUGEINT does |
/// | list(T)   | `.int` + child | DuckDB's LIST (`T[]`): `ints[i]` packs row i's (offset, length) into the child column `Column.listChild` of type T (`Column.listOffset`, `listLength`, ListColumn.swift); the child has its own validity for NULL elements |
/// | structure(fields) | `.int` + children | DuckDB's STRUCT: `ints[i]` is the row of the field columns `Column.structChildren` that row i reads (StructColumn.swift); each field column has its own validity (a NULL field of a valid struct) |
/// | map(K, V) | as list  | DuckDB's MAP: a LIST of STRUCT(key K, value V) entries (`Column.listChild` holds the struct column), printed `{k=v, ...}` |
///
/// Raw values are stable: they are written in manifests (Formats/column-file.md, "Logical types").
/// DECIMAL has raw value 11 for every (p, s); its precision and scale travel in the manifest's type
/// name (`DECIMAL(18,3)`), so `init?(rawValue:)` cannot make it (use `init?(rawValue:name:)`).
/// TINYINT (13) and SMALLINT (12) came after DECIMAL, so their ids do not follow their widths;
/// TIMESTAMP WITH TIME ZONE is 14, TIME 16 (15 is LIST's, 17 STRUCT's and 18 MAP's, which no store
/// holds).
public enum DataType: Sendable, Hashable, CustomStringConvertible {
    case boolean
    /// DuckDB's TINYINT (INT1): 8-bit signed.
    case tinyint
    /// DuckDB's SMALLINT (INT2, SHORT): 16-bit signed.
    case smallint
    case integer
    case bigint
    case hugeint
    case double
    case varchar
    case date
    case timestamp
    /// DuckDB's TIMESTAMP WITH TIME ZONE (TIMESTAMPTZ): an instant in UTC microseconds.
    case timestamptz
    /// DuckDB's TIME: a time of day in microseconds since midnight (no date, no zone).
    case time
    case interval
    case null
    /// DECIMAL(precision, scale) as DuckDB's: exact, `precision` significant digits (1...38), `scale`
    /// of them after the point (0...precision).
    case decimal(precision: UInt8, scale: UInt8)
    /// DuckDB's LIST of `element` values, printed `INTEGER[]`. Not storable in a store (no raw id of
    /// its own: `rawValue` is 15 and `init?(rawValue:)` never makes it).
    indirect case list(DataType)
    /// DuckDB's STRUCT of named fields, printed `STRUCT(a INTEGER, b VARCHAR)`; fields without
    /// names (a `row(...)` value, DuckDB's unnamed STRUCT) have empty names and the type prints as
    /// `TUPLE(INTEGER, VARCHAR)`. Not storable (raw value 17, never made by `init?(rawValue:)`).
    case structure([Field])
    /// DuckDB's MAP from `key` to `value` values, printed `MAP(VARCHAR, INTEGER)`: a list of
    /// (key, value) entries with unique, non-NULL keys. Not storable (raw value 18).
    indirect case map(DataType, DataType)

    /// Every type without parameters (DECIMAL excluded), in raw-value order (TIME, 16, last).
    public static let simpleCases: [DataType] = [
        .boolean, .integer, .bigint, .hugeint, .double, .varchar, .date, .timestamp, .interval, .null, .smallint,
        .tinyint, .timestamptz, .time,
    ]

    /// The stable id written in manifests and column-file headers (1...14 and 16; 11 = any DECIMAL,
    /// 12 SMALLINT, 13 TINYINT, 14 TIMESTAMP WITH TIME ZONE, 16 TIME; 15 is LIST's, never stored).
    public var rawValue: UInt8 {
        switch self {
        case .boolean: return 1
        case .integer: return 2
        case .bigint: return 3
        case .hugeint: return 4
        case .double: return 5
        case .varchar: return 6
        case .date: return 7
        case .timestamp: return 8
        case .interval: return 9
        case .null: return 10
        case .decimal: return 11
        case .smallint: return 12
        case .tinyint: return 13
        case .timestamptz: return 14
        case .list: return 15
        case .time: return 16
        case .structure: return 17
        case .map: return 18
        }
    }

    /// The type with id `rawValue`; nil for unknown ids and for 11 (DECIMAL needs its name).
    public init?(rawValue: UInt8) {
        switch rawValue {
        case 1...10: self = DataType.simpleCases[Int(rawValue) - 1]
        case 12...14: self = DataType.simpleCases[Int(rawValue) - 2]
        case 16: self = .time
        default: return nil
        }
    }

    /// The type with id `rawValue` whose printed name is `name` (a manifest column): DECIMAL's
    /// precision and scale are read from `DECIMAL(p,s)`. Nil when the id is unknown or the name
    /// does not agree with it.
    public init?(rawValue: UInt8, name: String) {
        if rawValue == 11 {
            guard let t = DataType(sqlName: name), case .decimal = t, t.description == name else { return nil }
            self = t
        } else {
            self.init(rawValue: rawValue)
        }
    }

    /// The DECIMAL type of `precision` and `scale`, or the binder's error text when they are out of
    /// DuckDB's range (width 1...38, scale <= width).
    public static func checkedDecimal(_ precision: Int, _ scale: Int) -> Result<DataType, DecimalTypeError> {
        guard precision >= 1 && precision <= 38 else {
            return .failure(DecimalTypeError(message: "DECIMAL type width must be between 1 and 38"))
        }
        guard scale >= 0 && scale <= precision else {
            return .failure(DecimalTypeError(message: "DECIMAL type scale cannot be greater than width"))
        }
        return .success(.decimal(precision: UInt8(precision), scale: UInt8(scale)))
    }

    /// DuckDB's largest DECIMAL precision.
    public static let maxDecimalPrecision = 38

    /// True for LIST types.
    public var isList: Bool {
        if case .list = self { return true }
        return false
    }

    /// The element type of a LIST; nil for the other types.
    public var listElement: DataType? {
        if case .list(let e) = self { return e }
        return nil
    }

    /// True for STRUCT types.
    public var isStruct: Bool {
        if case .structure = self { return true }
        return false
    }

    /// True for MAP types.
    public var isMap: Bool {
        if case .map = self { return true }
        return false
    }

    /// True for the types whose values hold other values (LIST, STRUCT, MAP): they have no `Value`
    /// (never folded into a constant) and no store column.
    public var isNested: Bool {
        switch self {
        case .list, .structure, .map: return true
        default: return false
        }
    }

    /// "LIST", "STRUCT" or "MAP" for those types (error messages), else the type's name.
    public var nestedKind: String {
        switch self {
        case .list: return "LIST"
        case .structure: return "STRUCT"
        case .map: return "MAP"
        default: return description
        }
    }

    /// The fields of a STRUCT type (empty for the other types).
    public var structFields: [Field] {
        if case .structure(let f) = self { return f }
        return []
    }

    /// The entry type of a MAP's entry list, `STRUCT(key K, value V)`; nil for the other types.
    public var mapEntry: DataType? {
        if case .map(let k, let v) = self { return .structure([Field("key", k), Field("value", v)]) }
        return nil
    }

    /// The type a column of this type physically holds in its `listChild` (a MAP's entries; a
    /// LIST's elements); nil for the other types.
    public var childElement: DataType? {
        switch self {
        case .list(let e): return e
        case .map: return mapEntry
        default: return nil
        }
    }

    /// True for DECIMAL of any precision and scale.
    public var isDecimal: Bool {
        if case .decimal = self { return true }
        return false
    }

    /// DECIMAL's scale (digits after the point); 0 for every other type.
    public var decimalScale: Int {
        if case .decimal(_, let s) = self { return Int(s) }
        return 0
    }

    /// DECIMAL's precision; for integer types the DECIMAL width DuckDB converts them to
    /// (TINYINT 3, SMALLINT 5, INTEGER 10, BIGINT 19, HUGEINT 38, BOOLEAN 1), else 0.
    public var decimalPrecision: Int {
        switch self {
        case .decimal(let p, _): return Int(p)
        case .tinyint: return 3
        case .smallint: return 5
        case .integer: return 10
        case .bigint: return 19
        case .hugeint: return 38
        case .boolean: return 1
        default: return 0
        }
    }

    /// The SQL name as DuckDB prints it (`typeof`, DESCRIBE): "BIGINT", "VARCHAR", ...
    public var description: String {
        switch self {
        case .boolean: return "BOOLEAN"
        case .tinyint: return "TINYINT"
        case .smallint: return "SMALLINT"
        case .integer: return "INTEGER"
        case .bigint: return "BIGINT"
        case .hugeint: return "HUGEINT"
        case .double: return "DOUBLE"
        case .varchar: return "VARCHAR"
        case .date: return "DATE"
        case .timestamp: return "TIMESTAMP"
        case .timestamptz: return "TIMESTAMP WITH TIME ZONE"
        case .time: return "TIME"
        case .interval: return "INTERVAL"
        case .null: return "NULL"
        case .decimal(let p, let s): return "DECIMAL(\(p),\(s))"
        case .list(let e): return e == .null ? "\"NULL\"[]" : "\(e.description)[]"
        case .structure(let fields):
            if fields.isEmpty { return "STRUCT" }
            if fields.allSatisfy({ $0.name.isEmpty }) {
                return "TUPLE(" + fields.map { $0.type.nestedName }.joined(separator: ", ") + ")"
            }
            return "STRUCT("
                + fields.map { DataType.quotedFieldName($0.name) + " " + $0.type.nestedName }.joined(separator: ", ")
                + ")"
        case .map(let k, let v): return "MAP(\(k.nestedName), \(v.nestedName))"
        }
    }

    /// The name of a type inside a STRUCT or MAP type's name (`"NULL"` quoted, as DuckDB prints it).
    var nestedName: String { self == .null ? "\"NULL\"" : description }

    /// A STRUCT field's name as DuckDB prints it in the type: bare when it is made of ASCII letters,
    /// digits and `_`, does not start with a digit and is no DuckDB keyword (`DuckDBKeywords`, any
    /// case), else in double quotes (`"a b"`, `"key"`) with `"` doubled.
    static func quotedFieldName(_ name: String) -> String {
        func word(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95 }
        if let first = name.utf8.first, word(first), name.utf8.allSatisfy({ word($0) || ($0 >= 48 && $0 <= 57) }),
            !DuckDBKeywords.all.contains(name.lowercased())
        {
            return name
        }
        var quoted = "\""
        for ch in name {
            if ch == "\"" { quoted.append("\"") }
            quoted.append(ch)
        }
        return quoted + "\""
    }

    /// Parses a SQL type name as DuckDB accepts it in CAST (case-insensitive aliases included):
    /// TINYINT/INT1, SMALLINT/INT2/INT16/SHORT, INT/INT4/INTEGER, INT8/BIGINT/LONG, DOUBLE/FLOAT8/FLOAT/REAL (kuai maps FLOAT and REAL to DOUBLE),
    /// VARCHAR/TEXT/STRING, BOOL/BOOLEAN, DATE, TIME, TIMESTAMP/DATETIME, TIMESTAMPTZ/TIMESTAMP WITH TIME ZONE,
    /// HUGEINT/INT128.
    /// `DECIMAL(p,s)` / `NUMERIC(p,s)` / `DECIMAL(p)` (spaces allowed) give that DECIMAL when p and s are
    /// in range; plain DECIMAL/NUMERIC is DECIMAL(18,3) as in DuckDB.
    public init?(sqlName: String) {
        let upper = sqlName.uppercased()
        if upper.hasSuffix("[]") {
            guard let element = DataType(sqlName: String(upper.dropLast(2))) else { return nil }
            self = .list(element)
            return
        }
        if let open = upper.firstIndex(of: "("), upper.last == ")" {
            let base = upper[..<open].filter { $0 != " " }
            guard base == "DECIMAL" || base == "NUMERIC" || base == "DEC" else { return nil }
            let args = upper[upper.index(after: open)..<upper.index(before: upper.endIndex)]
                .split(separator: ",", omittingEmptySubsequences: false)
                .map { Int($0.filter { $0 != " " }) }
            guard args.count == 1 || args.count == 2, let p = args[0], let s = args.count == 2 ? args[1] : 0,
                case .success(let t) = DataType.checkedDecimal(p, s)
            else { return nil }
            self = t
            return
        }
        switch upper {
        case "BOOLEAN", "BOOL", "LOGICAL": self = .boolean
        case "TINYINT", "INT1": self = .tinyint
        case "SMALLINT", "INT2", "INT16", "SHORT": self = .smallint
        case "INTEGER", "INT", "INT4", "SIGNED", "INT32": self = .integer
        case "BIGINT", "INT8", "LONG", "INT64": self = .bigint
        case "HUGEINT", "INT128": self = .hugeint
        case "DOUBLE", "FLOAT8", "FLOAT", "FLOAT4", "REAL": self = .double
        case "NUMERIC", "DECIMAL", "DEC": self = .decimal(precision: 18, scale: 3)
        case "VARCHAR", "TEXT", "STRING", "CHAR", "BPCHAR": self = .varchar
        case "DATE": self = .date
        case "TIMESTAMP", "DATETIME": self = .timestamp
        case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE": self = .timestamptz
        case "INTERVAL": self = .interval
        case "TIME", "TIME WITHOUT TIME ZONE": self = .time
        default: return nil
        }
    }

    /// True for the types stored as `.int` that behave as numbers in arithmetic (TINYINT, SMALLINT,
    /// INTEGER, BIGINT, HUGEINT).
    public var isInteger: Bool { integerRank != nil }

    /// The integer types from the narrowest to the widest: DuckDB's implicit widening order.
    public static let integerTypes: [DataType] = [.tinyint, .smallint, .integer, .bigint, .hugeint]

    /// The position of an integer type in `integerTypes` (TINYINT 0 ... HUGEINT 4); nil for the others.
    public var integerRank: Int? {
        switch self {
        case .tinyint: return 0
        case .smallint: return 1
        case .integer: return 2
        case .bigint: return 3
        case .hugeint: return 4
        default: return nil
        }
    }

    /// The width in bits of an integer type (8, 16, 32, 64, 128); nil for the others.
    public var integerBits: Int? { integerRank.map { 8 << $0 } }

    /// True for TINYINT, SMALLINT and INTEGER: integers held in Int64 whose results must be
    /// range-checked against `integerRange`.
    public var isNarrowInteger: Bool { self == .tinyint || self == .smallint || self == .integer }

    /// The values an integer type (or BOOLEAN, 0...1) holds in its Int64 storage; the full Int64
    /// range for BIGINT, HUGEINT and every other type.
    public var integerRange: ClosedRange<Int64> {
        switch self {
        case .tinyint: return Int64(Int8.min)...Int64(Int8.max)
        case .smallint: return Int64(Int16.min)...Int64(Int16.max)
        case .integer: return Int64(Int32.min)...Int64(Int32.max)
        case .boolean: return 0...1
        default: return Int64.min...Int64.max
        }
    }

    /// DuckDB's physical name of an integer type, as its overflow and cast errors print it (INT8,
    /// INT16, INT32, INT64, INT128); nil for the others.
    public var integerPhysicalName: String? { integerBits.map { "INT\($0)" } }
    /// True for TIMESTAMP and TIMESTAMP WITH TIME ZONE (microsecond storage).
    public var isTimestamp: Bool { self == .timestamp || self == .timestamptz }
    /// True for integer types, DECIMAL and DOUBLE.
    public var isNumeric: Bool { isInteger || self == .double || isDecimal }
    /// True for the types whose values may need 128 bits (`Column.highs`): HUGEINT, DECIMAL
    /// wider than 18 digits, and INTERVAL (months and days, see `IntervalValue`).
    public var mayBeWide: Bool {
        if self == .hugeint || self == .interval { return true }
        if case .decimal(let p, _) = self { return p > 18 }
        return false
    }
}

/// A DECIMAL(p,s) outside DuckDB's limits (the message is DuckDB's binder error).
public struct DecimalTypeError: Error, Sendable {
    public let message: String
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
