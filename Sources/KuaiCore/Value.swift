/// A single boxed value: literals, constants folded at plan time, zone-map bounds, tests.
/// Never used per row in operators. The logical type travels beside it (e.g. `.int` is a day
/// number for DATE and microseconds for TIMESTAMP, as in `Column`).
public enum Value: Sendable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    /// A HUGEINT value outside the Int64 range (values that fit are always `.int`); produced by
    /// `Column.value(at:)` of a wide HUGEINT column (see `Column.highs`).
    case hugeint(Int128)
    case double(Double)
    case string(String)

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .null: return "NULL"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .hugeint(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return s
        }
    }
}

/// Per-block statistics of one column (the zone map), as stored in a column file's block header.
/// `min`/`max` are over non-NULL values in the column's own order (strings byte-wise);
/// both are `.null` when every row is NULL or the block is empty.
public struct ZoneMap: Sendable, Hashable {
    public var rowCount: Int
    public var nullCount: Int
    public var min: Value
    public var max: Value
    public init(rowCount: Int, nullCount: Int, min: Value, max: Value) {
        self.rowCount = rowCount
        self.nullCount = nullCount
        self.min = min
        self.max = max
    }
}
