/// A base table with DuckDB's `rowid` pseudo-column appended: the columns of `base`, then `rowid`
/// (BIGINT), the 0-based position of the row in the table (block `b`'s first row is the sum of
/// the row counts of the blocks before it).
///
/// The binder scans a catalog table through this wrapper so that `rowid` binds like any column;
/// once the plan is pruned, a scan that does not read `rowid` is put back onto `base`
/// (`RowIdTable.unwrapped`), so the column costs nothing unless a query names it. The rowid column
/// is computed per block into one buffer (no per-row boxing), and its zone map is the block's row
/// range, so a filter such as `rowid > 1000` or `rowid = 5` skips blocks as any zone map does.
public final class RowIdTable: TableSource, @unchecked Sendable {
    /// The column name DuckDB gives the pseudo-column.
    public static let columnName = "rowid"

    /// The wrapped table.
    public let base: TableSource
    public let schema: Schema
    /// The first row number of each block (0-based), `base.blockCount` entries.
    private let firstRows: [Int]

    /// - Parameter base: a table whose blocks are in row order (store tables, in-memory tables).
    public init(_ base: TableSource) {
        self.base = base
        self.schema = base.schema + [Field(Self.columnName, .bigint)]
        var first: [Int] = []
        first.reserveCapacity(base.blockCount)
        var next = 0
        for b in 0..<base.blockCount {
            first.append(next)
            next += base.blockRowCount(b)
        }
        self.firstRows = first
    }

    /// The index of the `rowid` column in `schema` (the last one).
    public var rowIdColumn: Int { base.schema.count }

    public var name: String { base.name }
    public var rowCount: Int { base.rowCount }
    public var blockCount: Int { base.blockCount }
    public func blockRowCount(_ block: Int) -> Int { base.blockRowCount(block) }
    public func checkedBlockRowCount(_ block: Int) throws -> Int { try base.checkedBlockRowCount(block) }

    public func zoneMap(column: Int, block: Int) -> ZoneMap? {
        guard column == rowIdColumn else { return base.zoneMap(column: column, block: block) }
        let n = base.blockRowCount(block)
        guard n > 0 else { return nil }
        let first = Int64(firstRows[block])
        return ZoneMap(rowCount: n, nullCount: 0, min: .int(first), max: .int(first + Int64(n - 1)))
    }

    public func readColumn(_ column: Int, block: Int) throws -> Column {
        guard column == rowIdColumn else { return try base.readColumn(column, block: block) }
        let n = base.blockRowCount(block)
        let first = Int64(firstRows[block])
        let ids = [Int64](unsafeUninitializedCapacity: n) { buf, count in
            for i in 0..<n { buf[i] = first &+ Int64(i) }
            count = n
        }
        return Column(type: .bigint, ints: ids)
    }

    public func readColumn(_ column: Int, block: Int, rows: UnsafeBufferPointer<Int32>) throws -> Column {
        guard column == rowIdColumn else { return try base.readColumn(column, block: block, rows: rows) }
        let first = Int64(firstRows[block])
        let ids = [Int64](unsafeUninitializedCapacity: rows.count) { buf, count in
            for i in 0..<rows.count { buf[i] = first &+ Int64(rows[i]) }
            count = rows.count
        }
        return Column(type: .bigint, ints: ids)
    }
}
