/// A table that the engine scans block by block: implemented by stored tables (KuaiFormat's
/// `StoreTable`) and by in-memory tables (`MemoryTable`, for tests and CTE results).
///
/// Blocks are the unit of zone maps, of projection pushdown and of parallel work (morsels).
/// Implementations must be safe to call from several threads at once.
public protocol TableSource: AnyObject, Sendable {
    /// The table name as queries write it (e.g. "click").
    var name: String { get }
    /// The columns, in table order.
    var schema: Schema { get }
    /// Total rows.
    var rowCount: Int { get }
    /// Number of blocks (0 for an empty table).
    var blockCount: Int { get }
    /// Rows in `block` (0-based).
    func blockRowCount(_ block: Int) -> Int
    /// Rows in `block` as the data itself says (for a store table: the block headers of a column
    /// file, which must agree with the manifest). A scan that reads no column (`count(*)`) counts
    /// its rows from here, so a damaged manifest cannot change an answer.
    /// - Throws: `KuaiError.corrupt` naming the file when the data and `blockRowCount` disagree,
    ///   or as `readColumn` when the file cannot be read.
    func checkedBlockRowCount(_ block: Int) throws -> Int
    /// The zone map of `column` in `block`, or nil when the source keeps none.
    func zoneMap(column: Int, block: Int) -> ZoneMap?
    /// Decodes `column` of `block`. VARCHAR columns of one table column share one dictionary.
    /// - Throws: `KuaiError.corrupt` (bad checksum or lengths, naming the file and block), `.io`.
    func readColumn(_ column: Int, block: Int) throws -> Column
    /// `readColumn(column, block:)` at the rows `rows` of the block only (ascending, each below
    /// the block's row count): the same column as `readColumn(column, block: block).gather(rows)`,
    /// which is what sources without a cheaper way return. A scan asks for it when a filter
    /// kept few rows of the block (late materialisation).
    /// - Throws: as `readColumn`.
    func readColumn(_ column: Int, block: Int, rows: UnsafeBufferPointer<Int32>) throws -> Column
    /// `column` of `block` to be decoded a range of rows at a time (`BlockChunks`), or nil when the
    /// source has no cheaper way than `readColumn` (then a scan decodes the block whole). The block
    /// is read and checked here, so that the ranges decode without failing. `inPlace` asks for the
    /// block to be read where the source keeps it (a store's memory mapping of the column file)
    /// instead of being copied into a buffer: no copy and no fresh pages, but its pages stay
    /// resident, so a scan asks for it only when it reads few blocks.
    /// - Throws: as `readColumn`.
    func chunks(_ column: Int, block: Int, inPlace: Bool) throws -> BlockChunks?
}

/// One block of one integer-stored column, decoded a range of rows at a time
/// (`TableSource.chunks`). A scan evaluates its filter over a block range by range, so that a
/// column the filter reads is never decoded into a whole-block buffer (of 512 KiB for 65,536
/// BIGINTs, whose fresh pages cost more than the decoding).
public protocol BlockChunks: AnyObject {
    /// Rows `start..<start + count` of the block: equal to `readColumn(column, block:)` at those
    /// rows (values, type and validity, NULL rows holding 0).
    /// - Precondition: the ranges come in order from row 0, each starting where the previous one
    ///   ended, every `start` a multiple of 8, within the block.
    func read(_ start: Int, _ count: Int) -> Column
}

extension TableSource {
    public func chunks(_ column: Int, block: Int, inPlace: Bool) throws -> BlockChunks? { nil }

    /// Sources that keep no separate row count: `blockRowCount` is the data's own count.
    public func checkedBlockRowCount(_ block: Int) throws -> Int { blockRowCount(block) }

    public func readColumn(_ column: Int, block: Int, rows: UnsafeBufferPointer<Int32>) throws -> Column {
        try readColumn(column, block: block).gather(rows)
    }
}

/// A table held in memory as a list of batches (each batch is one block).
public final class MemoryTable: TableSource, @unchecked Sendable {
    public let name: String
    public let schema: Schema
    public let batches: [Batch]

    /// - Precondition: every batch has `schema.count` columns of the schema's types.
    public init(name: String, schema: Schema, batches: [Batch]) {
        self.name = name
        self.schema = schema
        self.batches = batches.filter { $0.count > 0 }
    }

    public var rowCount: Int { batches.reduce(0) { $0 + $1.count } }
    public var blockCount: Int { batches.count }
    public func blockRowCount(_ block: Int) -> Int { batches[block].count }
    public func zoneMap(column: Int, block: Int) -> ZoneMap? { nil }
    public func readColumn(_ column: Int, block: Int) throws -> Column { batches[block].columns[column] }
}
