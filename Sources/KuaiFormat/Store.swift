import KuaiCore

// API CONTRACT (stub bodies to be replaced by the KuaiFormat implementation).

/// An open store: a folder with `manifest.json` and one column file per column
/// (Formats/column-file.md). Opening reads and checks the manifest; column files are
/// memory-mapped on first use.
public final class Store: @unchecked Sendable {
    /// Absolute path of the store folder.
    public let path: String
    /// Table names in manifest order.
    public var tableNames: [String] { fatalError("unimplemented") }

    /// Opens the store at `path`.
    /// - Throws: `KuaiError.io` (no such folder / no manifest), `.format` (newer format version),
    ///   `.corrupt` (manifest unreadable or disagreeing with itself).
    public static func open(at path: String) throws -> Store { fatalError("unimplemented") }

    private init(path: String) { self.path = path }

    /// The table called `name` (exact, case-sensitive match first, then case-insensitive).
    /// - Throws: `KuaiError.binding` listing the tables that exist.
    public func table(_ name: String) throws -> StoreTable { fatalError("unimplemented") }

    /// Reads every block of every column, checking checksums, lengths and the manifest.
    /// - Returns: one error per problem found (empty when the store is sound).
    public func verify() -> [KuaiError] { fatalError("unimplemented") }
}

/// One stored table; conforms to `TableSource` for the engine.
public final class StoreTable: TableSource, @unchecked Sendable {
    public let name: String
    public let schema: Schema
    public let rowCount: Int
    public var blockCount: Int { fatalError("unimplemented") }
    init(name: String, schema: Schema, rowCount: Int) {
        self.name = name
        self.schema = schema
        self.rowCount = rowCount
    }
    public func blockRowCount(_ block: Int) -> Int { fatalError("unimplemented") }
    public func zoneMap(column: Int, block: Int) -> ZoneMap? { fatalError("unimplemented") }
    public func readColumn(_ column: Int, block: Int) throws -> Column { fatalError("unimplemented") }
}

/// Summary of one written table, for kuai-convert's closing line.
public struct TableSummary: Sendable {
    public var name: String
    public var rows: Int
    /// Bytes of all column files of the table.
    public var storeBytes: Int
}

/// Builds a new store in a temporary folder beside `destination` and moves it into place
/// atomically on `commit()`. Until then an existing store at `destination` is untouched;
/// `abort()` (or a crash) leaves no half store at `destination`.
public final class StoreWriter: @unchecked Sendable {
    public let destination: String

    /// - Throws: `KuaiError.io` when the parent folder is missing or not writable.
    public init(destination: String) throws {
        self.destination = destination
        fatalError("unimplemented")
    }

    /// Starts a table. Tables are written one after another (finish one before the next).
    /// - Parameters:
    ///   - sourcePath: the CSV it came from (recorded in the manifest with `sourceBytes`).
    /// - Throws: `KuaiError.usage` for a duplicate table name, `.io`.
    public func beginTable(name: String, schema: Schema, sourcePath: String?, sourceBytes: Int) throws -> TableWriter {
        fatalError("unimplemented")
    }

    /// fsyncs every file, writes the manifest, renames the temporary folder into place
    /// (replacing an older store at `destination` atomically) and removes the old one.
    public func commit() throws { fatalError("unimplemented") }

    /// Removes the temporary folder. Safe to call more than once, and after a failed commit.
    public func abort() { fatalError("unimplemented") }
}

/// Writes the columns of one table. Accepts batches of any size; cuts blocks of
/// `FormatConstants.blockRows` rows. VARCHAR columns may arrive with a different dictionary
/// per batch; the writer re-codes them into one dictionary per column.
public final class TableWriter: @unchecked Sendable {
    init() {}
    /// Appends rows. Column types must match the schema given to `beginTable`.
    /// - Throws: `KuaiError.io` on write failure.
    public func append(_ batch: Batch) throws { fatalError("unimplemented") }
    /// Flushes the last partial block and the footers.
    public func finish() throws -> TableSummary { fatalError("unimplemented") }
}
