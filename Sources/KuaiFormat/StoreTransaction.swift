import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One change to an existing store, committed atomically as a new generation (Formats/column-file.md,
/// "Generations and commits"): tables created, replaced, appended to, dropped or renamed, views
/// created or dropped.
///
/// `begin` takes the store's write lock and opens the current generation (`base`, what the change
/// reads). New column files go to a folder `gen-<generation>` of their own; `commit()` writes the new
/// manifest beside the old one and renames it over `manifest.json` (the commit point), then removes
/// the files no manifest refers to any more. Until then the store is as it was: `abort()`, a thrown
/// error or a crash leaves only files of an uncommitted generation, which readers never look at and
/// the next writer removes.
public final class StoreTransaction: @unchecked Sendable {
    /// Absolute path of the store folder.
    public let path: String
    /// The generation the transaction starts from (read it for `INSERT INTO t SELECT ... FROM t`).
    public let base: Store
    /// The id of the generation being written.
    public let generation: UInt64
    let pool = EncoderPool()
    private let lock: StoreLock
    private let dir: DirHandle
    private var manifest: Manifest
    private var state: State = .open
    private var folderCreated = false
    private var usedDirNames = Set<String>()
    private var writers: [WeakTableWriter] = []
    private var records: [(record: TableRecord, target: Target)] = []
    private let mutex = Mutex()

    private enum State { case open, committed, aborted }
    private enum Target {
        /// A new table, placed at `position` in the manifest's table order (the end when nil).
        case newTable(position: Int?)
        case append(String)
    }

    /// The folder of this generation's files, relative to the store.
    public var folderName: String { FormatConstants.generationFolderPrefix + POSIX.hex(generation) }

    /// Takes the write lock of the store at `path` (creating an empty store first when it is missing
    /// and `create` is true), opens its current generation and removes what crashed writers left.
    /// - Throws: `KuaiError.io` (no store, read-only folder, lock held past `lockTimeout` seconds),
    ///   `.format` / `.corrupt` from the current manifest.
    public static func begin(at path: String, create: Bool, lockTimeout: Double) throws -> StoreTransaction {
        let abs = POSIX.absolute(path)
        for _ in 0..<8 {
            if create && POSIX.kind(abs + "/" + FormatConstants.manifestName) == .missing {
                try createEmptyStore(abs)
            }
            let dfd = POSIX.openPath(abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dfd < 0 {
                let e = errno
                if e == ENOENT { throw KuaiError(.io, "no store here (no such folder)", at: abs) }
                throw POSIX.ioError("cannot open store", abs, e)
            }
            let dir = DirHandle(fd: dfd, path: abs)
            let lock = try StoreLock(dirfd: dfd, storePath: abs, timeout: lockTimeout)
            // The folder may have been replaced whole while we waited: lock the one at the path.
            if dir.isFolderReplaced() { continue }
            return try StoreTransaction(path: abs, dir: dir, lock: lock)
        }
        throw KuaiError(.io, "the store kept being replaced while taking its lock; try again", at: abs)
    }

    private init(path: String, dir: DirHandle, lock: StoreLock) throws {
        self.path = path
        self.dir = dir
        self.lock = lock
        let bytes = try POSIX.readFile(
            dirfd: dir.fd, FormatConstants.manifestName, displayPath: path + "/" + FormatConstants.manifestName)
        manifest = try Manifest.decode(bytes, at: path + "/" + FormatConstants.manifestName)
        base = try Store.open(at: path)
        guard base.generation == Store.generationId(manifest.generation) else {
            throw KuaiError(.io, "the store changed while a writer held its lock", at: path)
        }
        generation = POSIX.random64() | 1
        StoreCleaner.removeUnreferenced(dir: dir, manifest: manifest)
    }

    deinit { abort() }

    /// Creates an empty version-2 store at `abs` (built beside it and renamed into place, so a
    /// concurrent creator's store is never overwritten).
    static func createEmptyStore(_ abs: String) throws {
        let (parent, base) = POSIX.parentAndName(abs)
        guard POSIX.kind(parent) == .directory else {
            throw KuaiError(.io, "the folder that should hold the store does not exist", at: parent)
        }
        switch POSIX.kind(abs) {
        case .missing: break
        case .directory:
            guard POSIX.listDirectory(abs).isEmpty else {
                throw KuaiError(
                    .usage, "not a kuai store: the folder has files but no \(FormatConstants.manifestName)", at: abs)
            }
            rmdir(abs)
        default:
            throw KuaiError(.usage, "not a kuai store: not a folder", at: abs)
        }
        let tmp = parent + "/." + base + ".tmp-\(getpid())-" + POSIX.hex(POSIX.random64())
        if mkdir(tmp, 0o755) != 0 {
            let e = errno
            if e == EROFS || e == EACCES {
                throw POSIX.ioError("cannot create the store (read-only folder)", parent, e)
            }
            throw POSIX.ioError("cannot create the store folder", tmp, e)
        }
        let m = Manifest(
            format: FormatConstants.manifestFormatName, formatVersion: Int(FormatConstants.formatVersion),
            generation: POSIX.hex(POSIX.random64() | 1), commit: 1, blockRows: FormatConstants.blockRows,
            createdAt: Manifest.nowISO8601(), writer: "kuai", tables: [], views: [])
        do {
            try writeManifest(m, into: tmp, name: FormatConstants.manifestName)
            try POSIX.fsyncPath(tmp)
            FaultInjection.step("new empty store fsync")
        } catch {
            POSIX.removeTree(tmp)
            throw error
        }
        if Glibc.rename(tmp, abs) != 0 {
            let e = errno
            POSIX.removeTree(tmp)
            // Another process created it first: use theirs.
            if e == EEXIST || e == ENOTEMPTY { return }
            throw POSIX.ioError("cannot move the new store into place", abs, e)
        }
        FaultInjection.step("new empty store rename")
        try? POSIX.fsyncPath(parent)
    }

    /// Writes `m` as `folder/name` and fsyncs it.
    static func writeManifest(_ m: Manifest, into folder: String, name: String) throws {
        let bytes = try m.encoded()
        let p = folder + "/" + name
        let fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { throw POSIX.ioError("cannot create manifest", p) }
        defer { close(fd) }
        try POSIX.writeAll(fd, bytes, path: p)
        FaultInjection.step("manifest write")
        if fsync(fd) != 0 { throw POSIX.ioError("fsync failed", p) }
        FaultInjection.step("manifest fsync")
    }

    // MARK: - The catalog as changed so far

    /// Names of the tables, in manifest order, with this transaction's changes.
    public var tableNames: [String] { mutex.withLock { manifest.tables.map(\.name) } }

    /// Names of the views, with this transaction's changes.
    public var viewNames: [String] { mutex.withLock { (manifest.views ?? []).map(\.name) } }

    private func tableIndex(_ name: String) -> Int? {
        manifest.tables.firstIndex { $0.name == name }
            ?? manifest.tables.firstIndex { $0.name.lowercased() == name.lowercased() }
    }

    /// The macros, with this transaction's changes.
    public var macros: [MacroDefinitionRecord] {
        mutex.withLock {
            (manifest.macros ?? []).map {
                MacroDefinitionRecord(
                    name: $0.name, isTable: $0.kind == "table", parameters: $0.parameters.map(\.name),
                    defaults: $0.parameters.map(\.default), sql: $0.sql)
            }
        }
    }

    /// Adds a macro, replacing one of the same name (case-insensitive) and kind (a scalar and a table macro
    /// may share a name, as in DuckDB).
    public func createMacro(_ m: MacroDefinitionRecord) throws {
        let kind = m.isTable ? "table" : "scalar"
        try mutex.withLock {
            try checkOpen()
            var list = manifest.macros ?? []
            list.removeAll { $0.name.lowercased() == m.name.lowercased() && $0.kind == kind }
            list.append(
                Manifest.MacroEntry(
                    name: m.name, kind: m.isTable ? "table" : "scalar",
                    parameters: zip(m.parameters, m.defaults).map {
                        Manifest.MacroParameterEntry(name: $0, default: $1)
                    },
                    sql: m.sql))
            manifest.macros = list
        }
    }

    /// Removes the macro `name` of the kind given (`isTable`).
    /// - Throws: `KuaiError.usage` when there is no such macro.
    public func dropMacro(_ name: String, isTable: Bool) throws {
        let kind = isTable ? "table" : "scalar"
        try mutex.withLock {
            try checkOpen()
            guard
                let i = (manifest.macros ?? []).firstIndex(where: {
                    $0.name.lowercased() == name.lowercased() && $0.kind == kind
                })
            else {
                throw KuaiError(.usage, "no macro \"\(name)\" in the store", at: path)
            }
            manifest.macros!.remove(at: i)
        }
    }

    private func viewIndex(_ name: String) -> Int? {
        (manifest.views ?? []).firstIndex { $0.name.lowercased() == name.lowercased() }
    }

    private func checkOpen() throws {
        guard state == .open else {
            throw KuaiError(.usage, "the transaction is already committed or aborted", at: path)
        }
    }

    private func checkNameFree(_ name: String) throws {
        guard !name.isEmpty else { throw KuaiError(.usage, "a table needs a name") }
        if tableIndex(name) != nil || viewIndex(name) != nil {
            throw KuaiError(.usage, "\"\(name)\" already exists in the store", at: path)
        }
    }

    // MARK: - Changes

    /// Starts a new table (it replaces nothing: drop an old one first). Its rows keep the order they
    /// are appended in.
    /// - Throws: `KuaiError.usage` when the name is taken or a column name repeats; `.io`.
    public func createTable(name: String, schema: Schema, sourcePath: String? = nil, sourceBytes: Int = 0) throws
        -> TableWriter
    {
        try createTable(name: name, schema: schema, sourcePath: sourcePath, sourceBytes: sourceBytes, position: nil)
    }

    private func createTable(name: String, schema: Schema, sourcePath: String?, sourceBytes: Int, position: Int?)
        throws -> TableWriter
    {
        try mutex.withLock {
            try checkOpen()
            try checkNameFree(name)
            guard !records.contains(where: { $0.record.name.lowercased() == name.lowercased() }) else {
                throw KuaiError(.usage, "table \(name) is written twice")
            }
            var seen = Set<String>()
            for f in schema where !seen.insert(f.name.lowercased()).inserted {
                throw KuaiError(.usage, "table \(name) has two columns called \(f.name)")
            }
            return try startWriter(
                name: name, schema: schema, target: .newTable(position: position),
                source: Manifest.SourceEntry(path: sourcePath, bytes: sourceBytes))
        }
    }

    /// Starts rows to add to the end of an existing table (a new segment of it).
    /// - Throws: `KuaiError.usage` when there is no such table; `.io`.
    public func appendRows(to name: String) throws -> TableWriter {
        try mutex.withLock {
            try checkOpen()
            guard let i = tableIndex(name) else {
                throw KuaiError(.usage, "no table \"\(name)\" in the store", at: path)
            }
            let t = manifest.tables[i]
            let schema = t.columns.map {
                Field($0.name, DataType(rawValue: UInt8(clamping: $0.typeId), name: $0.type) ?? .null)
            }
            return try startWriter(name: t.name, schema: schema, target: .append(t.name), source: nil)
        }
    }

    private func startWriter(name: String, schema: Schema, target: Target, source: Manifest.SourceEntry?) throws
        -> TableWriter
    {
        let folder = path + "/" + folderName
        if !folderCreated {
            if mkdir(folder, 0o755) != 0 { throw POSIX.ioError("cannot create the generation folder", folder) }
            FaultInjection.step("generation folder created")
            folderCreated = true
        }
        let dirName = StoreWriter.fileName(name, used: &usedDirNames)
        let rel = folderName + "/" + dirName
        if mkdir(path + "/" + rel, 0o755) != 0 { throw POSIX.ioError("cannot create table folder", path + "/" + rel) }
        FaultInjection.step("table folder created")
        let record = TableRecord(
            name: name, schema: schema, directory: rel, generation: generation, source: source)
        let columns = try StoreWriter.columnWriters(
            schema, relDirectory: rel, fullDirectory: path + "/" + rel, generation: generation)
        let writer = TableWriter(owner: self, record: record, schema: schema, columns: columns)
        records.append((record, target))
        writers.append(WeakTableWriter(writer: writer))
        return writer
    }

    /// Removes a table (its files are deleted after the commit).
    /// - Throws: `KuaiError.usage` when there is no such table.
    public func dropTable(_ name: String) throws {
        try mutex.withLock {
            try checkOpen()
            guard let i = tableIndex(name) else {
                throw KuaiError(.usage, "no table \"\(name)\" in the store", at: path)
            }
            manifest.tables.remove(at: i)
        }
    }

    /// Renames a table or a view.
    /// - Throws: `KuaiError.usage` when `from` does not exist or `to` is taken.
    public func rename(_ from: String, to: String) throws {
        try mutex.withLock {
            try checkOpen()
            if from.lowercased() != to.lowercased() { try checkNameFree(to) }
            if let i = tableIndex(from) {
                manifest.tables[i].name = to
            } else if let v = viewIndex(from) {
                manifest.views![v].name = to
            } else {
                throw KuaiError(.usage, "no table or view \"\(from)\" in the store", at: path)
            }
        }
    }

    /// Adds a view (drop an old one of the same name first).
    /// - Throws: `KuaiError.usage` when the name is taken.
    public func createView(name: String, sql: String, columnNames: [String]) throws {
        try mutex.withLock {
            try checkOpen()
            try checkNameFree(name)
            manifest.views =
                (manifest.views ?? []) + [
                    Manifest.ViewEntry(name: name, sql: sql, columnNames: columnNames.isEmpty ? nil : columnNames)
                ]
        }
    }

    /// Removes a view.
    /// - Throws: `KuaiError.usage` when there is no such view.
    public func dropView(_ name: String) throws {
        try mutex.withLock {
            try checkOpen()
            guard let v = viewIndex(name) else { throw KuaiError(.usage, "no view \"\(name)\" in the store", at: path) }
            manifest.views!.remove(at: v)
        }
    }

    // MARK: - Commit

    /// Publishes the new generation: fsyncs its files, writes the manifest beside the old one and
    /// renames it over `manifest.json` (the commit point), fsyncs the folder, then removes the files no
    /// longer referenced and releases the lock.
    /// - Throws: `KuaiError.usage` for an unfinished table, `.io` (disk full, read-only). After a failed
    ///   commit the store is as it was; the transaction is aborted.
    public func commit() throws {
        try mutex.withLock {
            try checkOpen()
            do {
                try publish()
            } catch {
                abortLocked()
                throw error
            }
            state = .committed
            StoreCleaner.removeUnreferenced(dir: dir, manifest: manifest)
            lock.release()
        }
    }

    private func publish() throws {
        for (record, target) in records {
            guard let seg = record.segmentEntry() else {
                throw KuaiError(.usage, "table \(record.name) was begun but not finished", at: path)
            }
            switch target {
            case .newTable(let position):
                manifest.tables.insert(record.manifestEntry(), at: min(position ?? Int.max, manifest.tables.count))
            case .append(let name):
                guard let i = tableIndex(name) else { throw KuaiError(.usage, "table \(name) was dropped", at: path) }
                if seg.rowCount > 0 {
                    manifest.tables[i].segments.removeAll { $0.rowCount == 0 }
                    manifest.tables[i].segments.append(seg)
                    manifest.tables[i].rowCount += seg.rowCount
                }
            }
        }
        manifest.formatVersion = Int(FormatConstants.formatVersion)
        manifest.generation = POSIX.hex(generation)
        manifest.commit = (manifest.commit ?? 1) + 1
        manifest.createdAt = Manifest.nowISO8601()
        manifest.writer = "kuai"
        if manifest.views == nil { manifest.views = [] }
        if folderCreated {
            for (record, _) in records {
                try POSIX.fsyncPath(path + "/" + record.directory)
                FaultInjection.step("table folder fsync")
            }
            try POSIX.fsyncPath(path + "/" + folderName)
            FaultInjection.step("generation folder fsync")
        }
        let tmpName = FormatConstants.manifestTemporaryPrefix + POSIX.hex(generation) + ".json"
        try Self.writeManifest(manifest, into: path, name: tmpName)
        if renameat(dir.fd, tmpName, dir.fd, FormatConstants.manifestName) != 0 {
            let e = errno
            unlinkat(dir.fd, tmpName, 0)
            throw POSIX.ioError("cannot publish the new manifest", path + "/" + FormatConstants.manifestName, e)
        }
        FaultInjection.step("manifest rename (the commit)")
        // The rename is the commit; a failed fsync of the folder after it cannot undo it.
        _ = fsync(dir.fd)
        FaultInjection.step("store folder fsync")
    }

    /// Drops everything written by this transaction and releases the lock (idempotent).
    public func abort() {
        mutex.withLock { abortLocked() }
    }

    private func abortLocked() {
        guard state == .open else { return }
        state = .aborted
        for w in writers { w.writer?.closeFiles() }
        if folderCreated { POSIX.removeTree(path + "/" + folderName) }
        lock.release()
    }

    func tableFinished(_ record: TableRecord, rows: Int, columns: [Manifest.FileEntry]) {
        mutex.withLock {
            record.rows = rows
            record.columns = columns
        }
    }
}

extension StoreTransaction: TableWriterOwner {}

/// Where a conversion writes its tables: a new store (`StoreWriter`) or a commit to an existing one
/// (`StoreTransaction`, where a table of the same name is replaced and the others are kept).
public protocol StoreTableTarget: AnyObject {
    /// Starts a table named `name`.
    /// - Throws: `KuaiError.usage` for a name written twice or repeated column names; `.io`.
    func beginTable(name: String, schema: Schema, sourcePath: String?, sourceBytes: Int) throws -> TableWriter
    /// Makes every finished table visible at once.
    func commit() throws
    /// Drops everything written (idempotent).
    func abort()
}

extension StoreWriter: StoreTableTarget {}

extension StoreTransaction: StoreTableTarget {
    /// Starts table `name`, replacing a table of that name (in its place in the table order) at the
    /// commit (kuai-convert adding tables to a store).
    /// - Throws: `KuaiError.usage` when a view has that name or the table is written twice; `.io`.
    public func beginTable(name: String, schema: Schema, sourcePath: String?, sourceBytes: Int) throws
        -> TableWriter
    {
        let position = tableNames.firstIndex { $0.lowercased() == name.lowercased() }
        if let position { try dropTable(tableNames[position]) }
        if viewNames.contains(where: { $0.lowercased() == name.lowercased() }) {
            throw KuaiError(
                .usage, "a view is called \"\(name)\": drop it before adding a table of that name", at: path)
        }
        return try createTable(
            name: name, schema: schema, sourcePath: sourcePath, sourceBytes: sourceBytes, position: position)
    }

    /// Drops every table and view (kuai-convert --replace: the store becomes what this commit writes).
    public func dropEverything() throws {
        for t in tableNames { try dropTable(t) }
        for v in viewNames { try dropView(v) }
    }

    /// True when `path` is a folder holding a `manifest.json` (a store to commit to).
    public static func isStore(_ path: String) -> Bool {
        POSIX.kind(POSIX.absolute(path) + "/" + FormatConstants.manifestName) == .file
    }
}

/// Removes what no manifest refers to: folders of uncommitted or superseded generations, folders of
/// dropped version-1 tables, manifests of failed commits (Formats/column-file.md, "Generations and
/// commits"). Runs only under the write lock.
enum StoreCleaner {
    static func removeUnreferenced(dir: DirHandle, manifest: Manifest) {
        var referenced = Set<String>()
        for t in manifest.tables {
            for s in t.segments {
                for f in s.files {
                    if let top = f.file.split(separator: "/").first { referenced.insert(String(top)) }
                }
            }
        }
        for name in POSIX.listDirectory(dir.path) {
            if name == FormatConstants.manifestName || name == FormatConstants.lockName || referenced.contains(name) {
                continue
            }
            let full = dir.path + "/" + name
            if name.hasPrefix(FormatConstants.manifestTemporaryPrefix) {
                unlink(full)
                FaultInjection.step("stale manifest removed")
            } else if name.hasPrefix(FormatConstants.generationFolderPrefix) || holdsOnlyColumnFiles(full) {
                POSIX.removeTree(full)
                FaultInjection.step("unreferenced folder removed")
            }
        }
    }

    /// True for a folder whose entries are all column files (a version-1 table folder).
    static func holdsOnlyColumnFiles(_ path: String) -> Bool {
        guard POSIX.kind(path) == .directory else { return false }
        return POSIX.listDirectory(path).allSatisfy { $0.hasSuffix(FormatConstants.columnFileExtension) }
    }
}
