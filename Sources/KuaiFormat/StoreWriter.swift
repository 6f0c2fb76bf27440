import Dispatch
import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Builds a new store in a temporary folder beside `destination` and moves it into place
/// atomically on `commit()`. Until then an existing store at `destination` is untouched;
/// `abort()` (or a crash) leaves no half store at `destination`.
///
/// Protocol (Formats/column-file.md, "Generations and commits", a new store): the temporary folder is
/// `<parent>/.<name>.tmp-<pid>-<random>`; files and folders are fsynced and `manifest.json` is
/// written last; `commit()` renames the folder into place, or swaps it with the old store by
/// `renameat2(RENAME_EXCHANGE)` and then deletes the old store (now under the temporary name).
/// Leftover temporary folders of dead processes are removed by the next `StoreWriter`.
public final class StoreWriter: @unchecked Sendable {
    public let destination: String
    /// Absolute path of the destination.
    let absDestination: String
    /// The folder being built.
    public let temporaryPath: String
    /// The generation id of the store being written.
    public let generation: UInt64
    private var state: State = .writing
    private var tables: [TableRecord] = []
    private var usedDirNames = Set<String>()
    let pool = EncoderPool()
    private let lock = Mutex()

    private enum State { case writing, committed, aborted }

    /// - Throws: `KuaiError.io` when the parent folder is missing or not writable;
    ///   `.usage` when `destination` exists and is not a kuai store (it would never be replaced).
    public init(destination: String) throws {
        self.destination = destination
        absDestination = POSIX.absolute(destination)
        let (parent, base) = POSIX.parentAndName(absDestination)
        guard !base.isEmpty, absDestination != "/" else {
            throw KuaiError(.usage, "cannot write a store at the root folder", at: destination)
        }
        guard POSIX.kind(parent) == .directory else {
            throw KuaiError(.io, "the folder that should hold the store does not exist", at: parent)
        }
        guard access(parent, W_OK) == 0 else { throw POSIX.ioError("cannot write into the folder", parent) }
        try Self.checkReplaceable(absDestination, shownAs: destination)
        Self.removeStaleTemporaries(parent: parent, base: base)
        generation = POSIX.random64() | 1
        temporaryPath = parent + "/." + base + ".tmp-\(getpid())-" + POSIX.hex(POSIX.random64())
        if mkdir(temporaryPath, 0o755) != 0 {
            throw POSIX.ioError("cannot create the temporary store folder", temporaryPath)
        }
    }

    deinit {
        if state == .writing { POSIX.removeTree(temporaryPath) }
    }

    /// Throws unless `path` is missing, an empty folder, or a folder holding `manifest.json`.
    static func checkReplaceable(_ path: String, shownAs: String) throws {
        switch POSIX.kind(path) {
        case .missing: return
        case .directory:
            if POSIX.kind(path + "/" + FormatConstants.manifestName) == .file { return }
            if POSIX.listDirectory(path).isEmpty { return }
            throw KuaiError(
                .usage,
                "refusing to replace a folder that is not a kuai store (it has no \(FormatConstants.manifestName))",
                at: shownAs)
        default:
            throw KuaiError(.usage, "refusing to replace something that is not a kuai store folder", at: shownAs)
        }
    }

    /// Removes `<parent>/.<base>.tmp-<pid>-*` folders whose process no longer exists.
    static func removeStaleTemporaries(parent: String, base: String) {
        let prefix = "." + base + ".tmp-"
        for n in POSIX.listDirectory(parent) where n.hasPrefix(prefix) {
            let rest = n.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), pid > 0 else { continue }
            if pid == getpid() { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                POSIX.removeTree(parent + "/" + n)
            }
        }
    }

    /// A file-name-safe form of `name`: ASCII letters, digits, `_`, `-`, `.` kept (not a leading
    /// `.`), every other byte written `%XX`; unique (case-insensitively) within `used`.
    static func fileName(_ name: String, used: inout Set<String>) -> String {
        var s = ""
        for (i, b) in name.utf8.enumerated() {
            let c = Character(Unicode.Scalar(b))
            let ok =
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
                || b == 0x2D || (b == 0x2E && i > 0)
            if ok {
                s.append(c)
            } else {
                let h = String(b, radix: 16, uppercase: true)
                s += "%" + (h.count == 1 ? "0" + h : h)
            }
        }
        if s.isEmpty { s = "%" }
        if s.utf8.count > 200 { s = String(s.prefix(200)) }
        var candidate = s
        var k = 2
        while used.contains(candidate.lowercased()) {
            candidate = s + "~\(k)"
            k += 1
        }
        used.insert(candidate.lowercased())
        return candidate
    }

    /// Starts a table. Tables may be written one after another or side by side; all must be
    /// finished before `commit()`.
    /// - Parameters:
    ///   - sourcePath: the CSV it came from (recorded in the manifest with `sourceBytes`).
    /// - Throws: `KuaiError.usage` for a duplicate table name or column name, `.io`.
    public func beginTable(name: String, schema: Schema, sourcePath: String?, sourceBytes: Int) throws -> TableWriter {
        try lock.withLock {
            guard state == .writing else {
                throw KuaiError(.usage, "the store writer is already committed or aborted", at: destination)
            }
            guard !name.isEmpty else { throw KuaiError(.usage, "a table needs a name") }
            guard !tables.contains(where: { $0.name == name }) else {
                throw KuaiError(.usage, "table \(name) is written twice")
            }
            var seen = Set<String>()
            for f in schema where !seen.insert(f.name).inserted {
                throw KuaiError(.usage, "table \(name) has two columns called \(f.name)")
            }
            let dirName = Self.fileName(name, used: &usedDirNames)
            let dirPath = temporaryPath + "/" + dirName
            if mkdir(dirPath, 0o755) != 0 { throw POSIX.ioError("cannot create table folder", dirPath) }
            FaultInjection.step("table folder created")
            let record = TableRecord(
                name: name, schema: schema, directory: dirName, generation: generation,
                source: Manifest.SourceEntry(path: sourcePath, bytes: sourceBytes))
            let columns = try Self.columnWriters(
                schema, relDirectory: dirName, fullDirectory: dirPath, generation: generation)
            tables.append(record)
            let writer = TableWriter(owner: self, record: record, schema: schema, columns: columns)
            openWriters.append(WeakTableWriter(writer: writer))
            return writer
        }
    }

    /// fsyncs every file, writes the manifest, renames the temporary folder into place
    /// (replacing an older store at `destination` atomically) and removes the old one.
    /// - Throws: `.usage` when a table is unfinished or the destination has become something
    ///   other than a kuai store; `.io`. After a failed commit the old store is intact; call `abort()`.
    public func commit() throws {
        try lock.withLock {
            guard state == .writing else {
                throw KuaiError(.usage, "the store writer is already committed or aborted", at: destination)
            }
            for t in tables where t.columns == nil {
                throw KuaiError(.usage, "table \(t.name) was begun but not finished", at: destination)
            }
            let manifest = Manifest(
                format: FormatConstants.manifestFormatName,
                formatVersion: Int(FormatConstants.formatVersion),
                generation: POSIX.hex(generation), commit: 1,
                blockRows: FormatConstants.blockRows,
                createdAt: Manifest.nowISO8601(),
                writer: "kuai",
                tables: tables.map { $0.manifestEntry() }, views: [])
            let bytes = try manifest.encoded()
            for t in tables {
                try POSIX.fsyncPath(temporaryPath + "/" + t.directory)
                FaultInjection.step("table folder fsync")
            }
            let mpath = temporaryPath + "/" + FormatConstants.manifestName
            let fd = open(mpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd < 0 { throw POSIX.ioError("cannot create manifest", mpath) }
            do {
                try POSIX.writeAll(fd, bytes, path: mpath)
                FaultInjection.step("manifest write")
                if fsync(fd) != 0 { throw POSIX.ioError("fsync failed", mpath) }
                FaultInjection.step("manifest fsync")
            } catch {
                close(fd)
                throw error
            }
            close(fd)
            try POSIX.fsyncPath(temporaryPath)
            FaultInjection.step("store folder fsync")
            try install()
            state = .committed
        }
    }

    /// Moves the finished temporary folder to the destination (see the type's doc comment).
    private func install() throws {
        let (parent, _) = POSIX.parentAndName(absDestination)
        try Self.checkReplaceable(absDestination, shownAs: destination)
        switch POSIX.kind(absDestination) {
        case .missing:
            if rename(temporaryPath, absDestination) != 0 {
                throw POSIX.ioError("cannot move the new store into place", absDestination)
            }
            FaultInjection.step("store rename (the commit)")
        default:
            if POSIX.listDirectory(absDestination).isEmpty {
                if rename(temporaryPath, absDestination) != 0 {
                    throw POSIX.ioError("cannot move the new store into place", absDestination)
                }
                break
            }
            let e = POSIX.exchange(temporaryPath, absDestination)
            if e == 0 {
                // The old store now lives at the temporary name.
                FaultInjection.step("store exchange (the commit)")
                try? POSIX.fsyncPath(parent)
                FaultInjection.step("parent folder fsync")
                POSIX.removeTree(temporaryPath)
                FaultInjection.step("old store removed")
            } else if e == ENOSYS || e == EINVAL {
                // No RENAME_EXCHANGE on this system or file system: move the old store aside
                // first (a short window with no store at the path; never a mixed one).
                let aside =
                    parent + "/." + POSIX.parentAndName(absDestination).1 + ".tmp-\(getpid())-"
                    + POSIX.hex(POSIX.random64())
                if rename(absDestination, aside) != 0 {
                    throw POSIX.ioError("cannot move the old store aside", absDestination)
                }
                if rename(temporaryPath, absDestination) != 0 {
                    let err = errno
                    _ = rename(aside, absDestination)
                    throw POSIX.ioError("cannot move the new store into place", absDestination, err)
                }
                try? POSIX.fsyncPath(parent)
                POSIX.removeTree(aside)
            } else {
                throw POSIX.ioError("cannot swap the new store into place", absDestination, e)
            }
        }
        try POSIX.fsyncPath(parent)
    }

    /// Removes the temporary folder. Safe to call more than once, and after a failed commit.
    public func abort() {
        lock.withLock {
            if state == .writing {
                for t in openWriters { t.writer?.closeFiles() }
                POSIX.removeTree(temporaryPath)
                state = .aborted
            }
        }
    }

    /// Weak, so that a dropped, uncommitted writer is freed and removes its folder.
    private var openWriters: [WeakTableWriter] = []

    func tableFinished(_ record: TableRecord, rows: Int, columns: [Manifest.FileEntry]) {
        lock.withLock {
            record.rows = rows
            record.columns = columns
        }
    }

    /// One column-file writer per column of `schema`, in `fullDirectory` (`relDirectory` in the store).
    static func columnWriters(_ schema: Schema, relDirectory: String, fullDirectory: String, generation: UInt64) throws
        -> [ColumnFileWriter]
    {
        var columns: [ColumnFileWriter] = []
        var usedFiles = Set<String>()
        for f in schema {
            let file = Self.fileName(f.name, used: &usedFiles) + FormatConstants.columnFileExtension
            columns.append(
                try ColumnFileWriter(
                    name: f.name, type: f.type, relPath: relDirectory + "/" + file,
                    fullPath: fullDirectory + "/" + file, generation: generation))
        }
        return columns
    }
}

/// Weak reference to a table writer, so that a dropped, uncommitted writer is freed.
struct WeakTableWriter { weak var writer: TableWriter? }

/// What a store writer or transaction knows about a table being written: its schema, folder and,
/// once finished, its columns.
final class TableRecord {
    var name: String
    let schema: Schema
    let directory: String
    /// Generation of the commit writing the files (in every file header).
    let generation: UInt64
    /// The file the rows came from, as the manifest records it.
    let source: Manifest.SourceEntry?
    var rows = 0
    var columns: [Manifest.FileEntry]? = nil
    init(name: String, schema: Schema, directory: String, generation: UInt64, source: Manifest.SourceEntry?) {
        self.name = name
        self.schema = schema
        self.directory = directory
        self.generation = generation
        self.source = source
    }

    /// The segment of the finished table (its files); nil before `finish`.
    func segmentEntry() -> Manifest.SegmentEntry? {
        guard let columns else { return nil }
        return Manifest.SegmentEntry(
            generation: POSIX.hex(generation), directory: directory, rowCount: rows,
            blockCount: (rows + FormatConstants.blockRows - 1) / FormatConstants.blockRows,
            files: columns)
    }

    /// The manifest entry of a finished new table (one segment; an empty table has one empty segment,
    /// whose files hold no block).
    func manifestEntry() -> Manifest.TableEntry {
        let seg = segmentEntry()
        return Manifest.TableEntry(
            name: name, rowCount: rows, source: source,
            columns: schema.map {
                Manifest.ColumnDeclaration(name: $0.name, type: $0.type.description, typeId: Int($0.type.rawValue))
            },
            segments: seg.map { [$0] } ?? [])
    }
}

/// The writer a `TableWriter` reports to: `StoreWriter` (a new store) or `StoreTransaction` (a commit
/// to an existing store).
protocol TableWriterOwner: AnyObject, Sendable {
    var pool: EncoderPool { get }
    func tableFinished(_ record: TableRecord, rows: Int, columns: [Manifest.FileEntry])
}

extension StoreWriter: TableWriterOwner {}

/// Writes the columns of one table. Accepts batches of any size; cuts blocks of
/// `FormatConstants.blockRows` rows. VARCHAR columns may arrive with a different dictionary
/// per batch; the writer re-codes them into one dictionary per column (each batch dictionary
/// code is looked up once per batch, not once per row).
///
/// Memory: one pending block per column plus the block index and dictionaries; the columns of
/// a full block are encoded and compressed in parallel.
public final class TableWriter: @unchecked Sendable {
    let owner: TableWriterOwner
    let record: TableRecord
    public let schema: Schema
    let columns: [ColumnFileWriter]
    private var rows = 0
    private var finished = false
    private var failed: Error?

    init(owner: TableWriterOwner, record: TableRecord, schema: Schema, columns: [ColumnFileWriter]) {
        self.owner = owner
        self.record = record
        self.schema = schema
        self.columns = columns
    }

    /// Rows appended so far.
    public var rowCount: Int { rows }

    /// Appends rows. Column types must match the schema given to `beginTable` (a column of
    /// type NULL is accepted for any type: all its rows are NULL).
    /// - Throws: `KuaiError.usage` for a batch that does not match the schema, `.io` on write failure.
    public func append(_ batch: Batch) throws {
        guard !finished else { throw KuaiError(.usage, "table \(record.name) is already finished") }
        if let failed { throw failed }
        guard batch.columns.count == columns.count else {
            throw KuaiError(
                .usage, "table \(record.name): batch has \(batch.columns.count) columns, schema has \(columns.count)")
        }
        for (i, c) in batch.columns.enumerated() {
            guard c.count == batch.count else {
                throw KuaiError(
                    .usage,
                    "table \(record.name): column \(schema[i].name) has \(c.count) rows, batch has \(batch.count)")
            }
            guard c.type == schema[i].type || c.type == .null else {
                throw KuaiError(
                    .usage,
                    "table \(record.name): column \(schema[i].name) is \(schema[i].type), the batch holds \(c.type)")
            }
        }
        var pos = 0
        do {
            while pos < batch.count {
                let take = min(batch.count - pos, columns[0].room)
                for (i, w) in columns.enumerated() { try w.append(batch.columns[i], from: pos, count: take) }
                pos += take
                rows += take
                if columns[0].room == 0 { try flushAll() }
            }
        } catch {
            failed = error
            throw error
        }
    }

    /// Encodes the pending block of every column, in parallel over columns.
    private func flushAll() throws {
        try parallelOverColumns { _, w, enc in try w.flushBlock(encoder: enc) }
    }

    private func parallelOverColumns(_ body: @escaping @Sendable (Int, ColumnFileWriter, BlockEncoder) throws -> Void)
        throws
    {
        let n = columns.count
        if n == 0 { return }
        let errors = ErrorSlots(n)
        let pool = owner.pool
        let cols = columns
        DispatchQueue.concurrentPerform(iterations: n) { i in
            let enc = pool.take()
            defer { pool.give(enc) }
            do { try body(i, cols[i], enc) } catch { errors.set(i, error) }
        }
        if let e = errors.first() { throw e }
    }

    /// Flushes the last partial block and the footers.
    public func finish() throws -> TableSummary {
        guard !finished else { throw KuaiError(.usage, "table \(record.name) is already finished") }
        if let failed { throw failed }
        let results = ResultSlots<Manifest.FileEntry>(columns.count)
        do {
            try parallelOverColumns { i, w, enc in
                results.set(i, try w.finish(encoder: enc))
            }
        } catch {
            failed = error
            throw error
        }
        finished = true
        let written = results.all()
        owner.tableFinished(record, rows: rows, columns: written)
        return TableSummary(name: record.name, rows: rows, storeBytes: written.reduce(0) { $0 + $1.bytes })
    }

    func closeFiles() { for c in columns { c.closeQuietly() } }
}

/// Per-index error storage for parallel loops.
final class ErrorSlots: @unchecked Sendable {
    private var slots: [Error?]
    private let lock = Mutex()
    init(_ n: Int) { slots = Array(repeating: nil, count: n) }
    func set(_ i: Int, _ e: Error) { lock.withLock { slots[i] = e } }
    func first() -> Error? { lock.withLock { slots.first { $0 != nil } ?? nil } }
}

/// Per-index result storage for parallel loops.
final class ResultSlots<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = Mutex()
    init(_ n: Int) { slots = Array(repeating: nil, count: n) }
    func set(_ i: Int, _ v: T) { lock.withLock { slots[i] = v } }
    func all() -> [T] { lock.withLock { slots.map { $0! } } }
}
