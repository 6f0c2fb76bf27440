import KuaiCore

/// One ORDER BY key: a column index of the input plus direction and NULL placement.
/// DuckDB's default is NULLS LAST for both ASC and DESC; the planner passes `nullsFirst`.
public struct SortKey: Sendable, Hashable, CustomStringConvertible {
    public var column: Int
    public var ascending: Bool
    public var nullsFirst: Bool
    public init(column: Int, ascending: Bool = true, nullsFirst: Bool = false) {
        self.column = column
        self.ascending = ascending
        self.nullsFirst = nullsFirst
    }
    /// `#2 DESC NULLS LAST` (EXPLAIN).
    public var description: String {
        "#\(column) \(ascending ? "ASC" : "DESC") NULLS \(nullsFirst ? "FIRST" : "LAST")"
    }
}
