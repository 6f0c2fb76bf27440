import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open store: a folder with `manifest.json` and one column file per column
/// (Formats/column-file.md). Opening reads and checks the manifest and opens every column file
/// (so a store replaced later by `StoreWriter.commit()` stays readable as it was: the reader
/// never mixes generations); column files are memory-mapped and validated on first use.
public final class Store: @unchecked Sendable {
    /// Absolute path of the store folder.
    public let path: String
    /// The store generation id (random, new for every committed store; in every column-file header).
    public let generation: UInt64
    /// `formatVersion` of the manifest.
    public let formatVersion: Int
    /// The tables, in manifest order.
    public let tables: [StoreTable]
    /// The views, in manifest order.
    public let views: [ViewDefinitionRecord]
    /// The macros (`CREATE MACRO`), in manifest order.
    public let macros: [MacroDefinitionRecord]
    /// Commits made to the store up to this generation (1 for a version-1 store).
    public let commit: Int
    /// The manifest read at open: a commit publishes a new manifest file, so a
    /// different inode at the path means a newer generation (`isCurrent()`).
    let manifestIdentity: ManifestIdentity

    /// Table names in manifest order.
    public var tableNames: [String] { tables.map(\.name) }

    /// Opens the store at `path`.
    /// - Throws: `KuaiError.io` (no such folder / no manifest), `.format` (newer format version),
    ///   `.corrupt` (manifest unreadable or disagreeing with itself).
    /// - Note: problems inside column files (missing, truncated, bad checksum) are reported by
    ///   `StoreTable.readColumn` and `verify()`, so that `verify()` can list them all.
    public static func open(at path: String) throws -> Store {
        let abs = POSIX.absolute(path)
        var attempt = 0
        while true {
            do {
                return try openOnce(abs)
            } catch StoreOpenRetry.replaced where attempt < 8 {
                attempt += 1
                usleep(UInt32(2_000 * attempt))
            } catch StoreOpenRetry.replaced {
                throw KuaiError(.io, "the store kept being replaced while opening it; try again", at: abs)
            }
        }
    }

    private enum StoreOpenRetry: Error { case replaced }

    private init(
        path: String, generation: UInt64, formatVersion: Int, commit: Int, tables: [StoreTable],
        views: [ViewDefinitionRecord], macros: [MacroDefinitionRecord], manifestIdentity: ManifestIdentity
    ) {
        self.path = path
        self.generation = generation
        self.formatVersion = formatVersion
        self.commit = commit
        self.tables = tables
        self.views = views
        self.macros = macros
        self.manifestIdentity = manifestIdentity
    }

    /// True while the store at `path` is still the generation this `Store` opened (its manifest file
    /// is the same file); false once a writer has committed a newer one (then open it again).
    public func isCurrent() -> Bool {
        let dfd = POSIX.openPath(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { return false }
        defer { close(dfd) }
        return manifestIdentity.isManifest(in: dfd)
    }

    /// Above this many column files in the whole store, column files are opened on first use instead
    /// of at `open` (keeps file descriptors bounded); the generation check still applies.
    static let eagerOpenLimit = 1024

    private static func openOnce(_ abs: String) throws -> Store {
        let dfd = POSIX.openPath(abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd < 0 {
            let e = errno
            if e == ENOENT { throw KuaiError(.io, "no store here (no such folder)", at: abs) }
            if e == ENOTDIR { throw KuaiError(.io, "not a store: not a folder", at: abs) }
            throw POSIX.ioError("cannot open store", abs, e)
        }
        let dir = DirHandle(fd: dfd, path: abs)
        let manifestBytes: [UInt8]
        var manifestStat = stat()
        do {
            manifestBytes = try POSIX.readFile(
                dirfd: dfd, FormatConstants.manifestName, displayPath: FormatConstants.manifestName,
                stat: &manifestStat)
        } catch let e as KuaiError {
            if dir.isFolderReplaced() { throw StoreOpenRetry.replaced }
            if faccessat(dfd, FormatConstants.manifestName, F_OK, 0) != 0 {
                throw KuaiError(.io, "not a kuai store: no \(FormatConstants.manifestName) in the folder", at: abs)
            }
            throw e
        }
        dir.manifest = ManifestIdentity(
            dev: UInt64(manifestStat.st_dev), ino: UInt64(manifestStat.st_ino), bytes: manifestBytes)
        let m = try Manifest.decode(manifestBytes, at: abs + "/" + FormatConstants.manifestName)
        let loc = FormatConstants.manifestName
        func bad(_ msg: String) -> KuaiError { KuaiError(.corrupt, "manifest: " + msg, at: loc) }
        guard let generation = Self.generationId(m.generation) else {
            throw bad("generation \"\(m.generation)\" is not 16 hex digits")
        }
        guard m.blockRows >= 1, m.blockRows <= 1 << 24 else { throw bad("blockRows \(m.blockRows) out of range") }
        let totalFiles = m.tables.reduce(0) { $0 + $1.segments.count * $1.columns.count }
        let opener = SlotOpener(dir: dir, eager: totalFiles <= eagerOpenLimit)
        var tables: [StoreTable] = []
        var names = Set<String>()
        for t in m.tables {
            guard !t.name.isEmpty, names.insert(t.name.lowercased()).inserted else {
                throw bad("table name \"\(t.name)\" is empty or repeated")
            }
            tables.append(try openTable(t, blockRows: m.blockRows, opener: opener, bad: bad))
        }
        var views: [ViewDefinitionRecord] = []
        for v in m.views ?? [] {
            guard !v.name.isEmpty, names.insert(v.name.lowercased()).inserted else {
                throw bad("view name \"\(v.name)\" is empty or repeated")
            }
            views.append(ViewDefinitionRecord(name: v.name, sql: v.sql, columnNames: v.columnNames ?? []))
        }
        var macros: [MacroDefinitionRecord] = []
        var macroNames = Set<String>()
        for d in m.macros ?? [] {
            guard !d.name.isEmpty, macroNames.insert(d.kind + ":" + d.name.lowercased()).inserted else {
                throw bad("macro name \"\(d.name)\" is empty or repeated")
            }
            macros.append(
                MacroDefinitionRecord(
                    name: d.name, isTable: d.kind == "table", parameters: d.parameters.map(\.name),
                    defaults: d.parameters.map(\.default), sql: d.sql))
        }
        if opener.sawMissing && dir.isReplaced() { throw StoreOpenRetry.replaced }
        return Store(
            path: abs, generation: generation, formatVersion: m.formatVersion, commit: m.commit ?? 1, tables: tables,
            views: views, macros: macros, manifestIdentity: dir.manifest)
    }

    /// A generation id written as 16 hex digits, or nil.
    static func generationId(_ text: String) -> UInt64? {
        guard text.utf8.count == 16 else { return nil }
        return UInt64(text, radix: 16)
    }

    /// Checks one table of the manifest and opens (or prepares) its column files.
    private static func openTable(
        _ t: Manifest.TableEntry, blockRows: Int, opener: SlotOpener, bad: (String) -> KuaiError
    ) throws -> StoreTable {
        var schema: Schema = []
        var colNames = Set<String>()
        for c in t.columns {
            guard colNames.insert(c.name).inserted else { throw bad("table \(t.name): column \"\(c.name)\" repeated") }
            guard let type = DataType(rawValue: UInt8(clamping: max(c.typeId, 0)), name: c.type), c.typeId <= 255,
                type.description == c.type
            else {
                throw bad("table \(t.name) column \(c.name): unknown type \(c.type) (id \(c.typeId))")
            }
            schema.append(Field(c.name, type))
        }
        var segments: [StoreSegment] = []
        var rows = 0
        for seg in t.segments {
            guard let generation = generationId(seg.generation) else {
                throw bad("table \(t.name): segment generation \"\(seg.generation)\" is not 16 hex digits")
            }
            guard seg.rowCount >= 0, seg.rowCount <= Int(UInt32.max) * blockRows else {
                throw bad("table \(t.name): segment rowCount \(seg.rowCount) out of range")
            }
            let wantBlocks = (seg.rowCount + blockRows - 1) / blockRows
            guard seg.blockCount == wantBlocks else {
                throw bad(
                    "table \(t.name): blockCount \(seg.blockCount) disagrees with rowCount \(seg.rowCount) (expected \(wantBlocks))"
                )
            }
            guard seg.files.count == schema.count else {
                throw bad("table \(t.name): a segment has \(seg.files.count) column files for \(schema.count) columns")
            }
            var slots: [ColumnSlot] = []
            for (f, field) in zip(seg.files, schema) {
                // built only for an error message
                func what() -> String { "table \(t.name) column \(field.name)" }
                guard Self.isSafeRelativePath(f.file) else {
                    throw bad("\(what()): file path \"\(f.file)\" is not inside the store")
                }
                guard f.bytes >= 0, f.nullCount >= 0, f.nullCount <= seg.rowCount else {
                    throw bad("\(what()): bytes or nullCount out of range")
                }
                guard f.footerChecksum.utf8.count == 16, let fsum = UInt64(f.footerChecksum, radix: 16) else {
                    throw bad("\(what()): footerChecksum is not 16 hex digits")
                }
                guard (field.type == .varchar) == (f.dictionarySize != nil), (f.dictionarySize ?? 0) >= 0 else {
                    throw bad("\(what()): dictionarySize must be given exactly for VARCHAR")
                }
                guard f.zoneMaps == "footer" else { throw bad("\(what()): zoneMaps \"\(f.zoneMaps)\" unknown") }
                let expect = ColumnExpectation(
                    type: field.type, generation: generation, blockRows: blockRows, rowCount: seg.rowCount,
                    blockCount: seg.blockCount, bytes: f.bytes, footerChecksum: fsum, dictionarySize: f.dictionarySize)
                slots.append(opener.slot(f.file, expect: expect, nullCount: f.nullCount, what: what()))
            }
            segments.append(StoreSegment(rowCount: seg.rowCount, blockRows: blockRows, slots: slots))
            rows += seg.rowCount
        }
        guard rows == t.rowCount else {
            throw bad("table \(t.name): rowCount \(t.rowCount) is not the sum of its segments (\(rows))")
        }
        return StoreTable(
            name: t.name, schema: schema, blockRows: blockRows, segments: segments, sourcePath: t.source?.path,
            sourceBytes: t.source?.bytes)
    }

    /// True for "a/b.col": relative, no empty, "." or ".." components, no NUL.
    static func isSafeRelativePath(_ p: String) -> Bool {
        let slash = UInt8(ascii: "/")
        let dot = UInt8(ascii: ".")
        var component = 0  // bytes of the current component
        var dots = 0  // of which dots
        for b in p.utf8 {
            if b == 0 { return false }
            if b == slash {
                if component == 0 || component == dots && dots <= 2 { return false }
                component = 0
                dots = 0
            } else {
                component += 1
                if b == dot { dots += 1 }
            }
        }
        return !(component == 0 || component == dots && dots <= 2)
    }

    /// The table called `name` (exact, case-sensitive match first, then case-insensitive).
    /// - Throws: `KuaiError.binding` listing the tables that exist.
    public func table(_ name: String) throws -> StoreTable {
        if let t = tables.first(where: { $0.name == name }) { return t }
        let lower = name.lowercased()
        let matches = tables.filter { $0.name.lowercased() == lower }
        if matches.count == 1 { return matches[0] }
        let list = tableNames.joined(separator: ", ")
        if matches.count > 1 {
            throw KuaiError(
                .binding, "table name \"\(name)\" is ambiguous: \(matches.map(\.name).joined(separator: ", "))")
        }
        throw KuaiError(.binding, "table \"\(name)\" does not exist; tables: \(list.isEmpty ? "(none)" : list)")
    }

    /// Reads every block of every column, checking checksums, lengths and the manifest.
    /// - Returns: one error per problem found (empty when the store is sound). A column whose
    ///   file cannot be opened or validated contributes one error; otherwise one per bad block.
    public func verify() -> [KuaiError] {
        var problems: [KuaiError] = []
        for t in tables {
            for seg in t.segments {
                for slot in seg.slots { problems += Self.verify(slot) }
            }
        }
        return problems
    }

    private static func verify(_ slot: ColumnSlot) -> [KuaiError] {
        let file: ColumnFile
        do { file = try slot.get() } catch { return [asKuai(error, slot.relPath)] }
        var problems: [KuaiError] = []
        var nulls = 0
        for b in 0..<file.entries.count {
            do {
                nulls += try file.read(block: b).nullCount
            } catch {
                problems.append(asKuai(error, slot.relPath))
            }
        }
        if problems.isEmpty && nulls != slot.nullCount {
            problems.append(
                KuaiError(.corrupt, "column has \(nulls) NULLs, manifest says \(slot.nullCount)", at: slot.relPath))
        }
        return problems
    }

    static func asKuai(_ error: Error, _ location: String) -> KuaiError {
        if let k = error as? KuaiError { return k }
        return KuaiError(.io, "\(error)", at: location)
    }
}

/// A store folder held open by file descriptor, so that files are found in the folder that was
/// opened even after the path has been given to a newer store.
final class DirHandle: @unchecked Sendable {
    let fd: Int32
    let path: String
    /// The manifest that was read (set once by `Store.open`).
    var manifest = ManifestIdentity(dev: 0, ino: 0, bytes: [])
    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }
    deinit { close(fd) }

    /// True when `path` no longer names the folder held open (the store was replaced whole).
    func isFolderReplaced() -> Bool {
        var a = stat()
        var b = stat()
        if fstat(fd, &a) != 0 || stat(path, &b) != 0 { return true }
        return a.st_ino != b.st_ino || a.st_dev != b.st_dev
    }

    /// True when `path` no longer names the generation held open: another folder is there (a version-1
    /// store replaced whole) or the folder's manifest is another file (a newer commit, which may have
    /// removed files of older generations).
    func isReplaced() -> Bool {
        var a = stat()
        var b = stat()
        if fstat(fd, &a) != 0 || stat(path, &b) != 0 { return true }
        if a.st_ino != b.st_ino || a.st_dev != b.st_dev { return true }
        return !manifest.isManifest(in: fd)
    }
}

/// Which manifest file a store opened: its device, inode and bytes. The file system may give a freed
/// inode number to the next commit's manifest, so equal inodes are confirmed by equal bytes (every
/// commit writes a new random generation id, Formats/column-file.md section 14).
struct ManifestIdentity: Sendable {
    let dev: UInt64
    let ino: UInt64
    let bytes: [UInt8]

    /// True when the folder open as `dirfd` still holds this manifest.
    func isManifest(in dirfd: Int32) -> Bool {
        var m = stat()
        if fstatat(dirfd, FormatConstants.manifestName, &m, 0) != 0 { return false }
        if UInt64(m.st_dev) != dev || UInt64(m.st_ino) != ino || Int(m.st_size) != bytes.count { return false }
        let name = FormatConstants.manifestName
        guard let now = try? POSIX.readFile(dirfd: dirfd, name, displayPath: name), now.count == bytes.count else {
            return false
        }
        // one memcmp: this runs before every statement, and the manifest has tens of KB
        return now.withUnsafeBytes { a in
            bytes.withUnsafeBytes { b in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
        }
    }
}

/// Opens the column files of a store as `Store.open` meets them (or defers it past
/// `Store.eagerOpenLimit` files), remembering whether one was missing.
final class SlotOpener {
    let dir: DirHandle
    let eager: Bool
    var sawMissing = false
    init(dir: DirHandle, eager: Bool) {
        self.dir = dir
        self.eager = eager
    }

    func slot(_ file: String, expect: ColumnExpectation, nullCount: Int, what: @autoclosure () -> String)
        -> ColumnSlot
    {
        let slot = ColumnSlot(relPath: file, expect: expect, nullCount: nullCount, dir: dir)
        guard eager else { return slot }
        let fd = openat(dir.fd, file, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd >= 0 {
            slot.fd = fd
            return slot
        }
        let e = errno
        if e == ENOENT { sawMissing = true }
        slot.failure =
            e == ENOENT
            ? KuaiError(.corrupt, "column file is missing (\(what()))", at: file)
            : POSIX.ioError("cannot open column file", file, e)
        return slot
    }
}

/// A view kept in the manifest: its name, query text and optional column names.
public struct ViewDefinitionRecord: Sendable, Hashable {
    public var name: String
    public var sql: String
    public var columnNames: [String]
}

/// A macro kept in the manifest (Formats/column-file.md, "Manifest"): its name, kind, parameters with
/// their defaults' text, and its body's text.
public struct MacroDefinitionRecord: Sendable, Hashable {
    public var name: String
    /// True for a table macro (`AS TABLE query`), false for a scalar one (`AS expr`).
    public var isTable: Bool
    /// Parameter names in order.
    public var parameters: [String]
    /// Per parameter, the default value's text (`b := 5` gives "5"), or nil.
    public var defaults: [String?]
    /// The body's text: an expression, or a query for a table macro.
    public var sql: String
    public init(name: String, isTable: Bool, parameters: [String], defaults: [String?], sql: String) {
        (self.name, self.isTable, self.parameters, self.defaults, self.sql) = (name, isTable, parameters, defaults, sql)
    }
}

/// One column of an open store: the open file descriptor, then the mapped and validated file
/// (or the error that prevented it, reported on every use).
final class ColumnSlot: @unchecked Sendable {
    let relPath: String
    let expect: ColumnExpectation
    let nullCount: Int
    let dir: DirHandle
    var fd: Int32 = -1
    var failure: KuaiError?
    private var file: ColumnFile?
    private let lock = Mutex()

    init(relPath: String, expect: ColumnExpectation, nullCount: Int, dir: DirHandle) {
        self.relPath = relPath
        self.expect = expect
        self.nullCount = nullCount
        self.dir = dir
    }

    deinit { if fd >= 0 { close(fd) } }

    /// The mapped file, opening and validating it on first use (thread-safe).
    func get() throws -> ColumnFile {
        lock.lock()
        defer { lock.unlock() }
        if let file { return file }
        if let failure { throw failure }
        if fd < 0 {
            let f = openat(dir.fd, relPath, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            if f < 0 {
                let e = errno
                if e == ENOENT && dir.isReplaced() {
                    throw KuaiError(
                        .io, "the store was replaced while it was being read; run the command again", at: relPath)
                }
                failure =
                    e == ENOENT
                    ? KuaiError(.corrupt, "column file is missing", at: relPath)
                    : POSIX.ioError("cannot open column file", relPath, e)
                throw failure!
            }
            fd = f
        }
        do {
            let f = try ColumnFile.open(fd: fd, relPath: relPath, expect: expect)
            file = f
            close(fd)
            fd = -1
            return f
        } catch let e as KuaiError {
            failure = e
            throw e
        } catch let g as ColumnFile.GenerationMismatch {
            let what = "column file is of generation \(POSIX.hex(g.file)), manifest of \(POSIX.hex(g.manifest))"
            if dir.isReplaced() {
                throw KuaiError(
                    .io, "the store was replaced while it was being read (\(what)); run the command again",
                    at: g.location)
            }
            failure = KuaiError(
                .corrupt, "column file belongs to another store (\(what)): the folder mixes the files of two stores",
                at: g.location)
            throw failure!
        }
    }
}

/// The rows one commit added to a table: one column file per column, blocks of `blockRows` rows
/// (the last one shorter).
final class StoreSegment: @unchecked Sendable {
    let rowCount: Int
    let blockRows: Int
    let slots: [ColumnSlot]
    init(rowCount: Int, blockRows: Int, slots: [ColumnSlot]) {
        self.rowCount = rowCount
        self.blockRows = blockRows
        self.slots = slots
    }
    var blockCount: Int { (rowCount + blockRows - 1) / blockRows }
}

/// One stored table; conforms to `TableSource` for the engine. Its blocks are those of its segments
/// in order (a segment's last block may be short, so blocks in the middle of a table may be too).
/// Safe to use from several threads.
public final class StoreTable: TableSource, @unchecked Sendable {
    public let name: String
    public let schema: Schema
    public let rowCount: Int
    /// Rows per full block (`FormatConstants.blockRows` for stores written by this version).
    public let blockRows: Int
    /// The CSV the table was converted from, as recorded in the manifest.
    public let sourcePath: String?
    /// Size of that CSV in bytes.
    public let sourceBytes: Int?
    let segments: [StoreSegment]
    /// For each table block: its segment and the block's number inside the segment.
    private let blockMap: [(segment: Int32, local: Int32)]

    init(
        name: String, schema: Schema, blockRows: Int, segments: [StoreSegment], sourcePath: String?, sourceBytes: Int?
    ) {
        self.name = name
        self.schema = schema
        self.blockRows = blockRows
        self.segments = segments
        self.rowCount = segments.reduce(0) { $0 + $1.rowCount }
        self.sourcePath = sourcePath
        self.sourceBytes = sourceBytes
        var map: [(segment: Int32, local: Int32)] = []
        for (i, seg) in segments.enumerated() {
            for b in 0..<seg.blockCount { map.append((Int32(i), Int32(b))) }
        }
        self.blockMap = map
    }

    public var blockCount: Int { blockMap.count }

    public func blockRowCount(_ block: Int) -> Int {
        precondition(block >= 0 && block < blockCount, "block \(block) out of range 0..<\(blockCount)")
        let (s, b) = blockMap[block]
        let seg = segments[Int(s)]
        return min(seg.blockRows, seg.rowCount - Int(b) * seg.blockRows)
    }

    /// Rows in `block` from the block header of the smallest column file of its segment (opening
    /// the file checks every block header and the file's row count against the manifest; the
    /// smallest file has the least to validate, e.g. no large dictionary).
    /// - Throws: `KuaiError.corrupt` at the column file when it disagrees with the manifest (or is
    ///   missing, truncated, damaged), as `readColumn`.
    public func checkedBlockRowCount(_ block: Int) throws -> Int {
        let rows = blockRowCount(block)
        guard !schema.isEmpty else { return rows }
        let (s, b) = (Int(blockMap[block].segment), Int(blockMap[block].local))
        let slots = segments[s].slots
        let slot = slots.min { $0.expect.bytes < $1.expect.bytes } ?? slots[0]
        let file = try slot.get()
        guard b < file.entries.count, file.entries[b].rows == rows else {
            let found = b < file.entries.count ? "\(file.entries[b].rows)" : "no"
            throw KuaiError(
                .corrupt, "column file has \(found) rows in block \(b), manifest says \(rows)", at: slot.relPath)
        }
        return rows
    }

    /// The segment slot and local block of a table block.
    private func locate(column: Int, block: Int) -> (ColumnSlot, Int) {
        let (s, b) = blockMap[block]
        return (segments[Int(s)].slots[column], Int(b))
    }

    /// Column file path relative to the store of the first segment ("click/user_id.col"; "" for an
    /// empty table).
    public func columnFilePath(_ column: Int) -> String { segments.first?.slots[column].relPath ?? "" }

    /// Column file paths of `column`, one per segment.
    public func columnFilePaths(_ column: Int) -> [String] { segments.map { $0.slots[column].relPath } }

    /// Bytes of all column files of the table, as recorded in the manifest.
    public var storeBytes: Int { segments.reduce(0) { $0 + $1.slots.reduce(0) { $0 + $1.expect.bytes } } }

    /// NULLs in `column` over the whole table, as recorded in the manifest.
    public func nullCount(column: Int) -> Int { segments.reduce(0) { $0 + $1.slots[column].nullCount } }

    /// How `block` of `column` is stored (from the footer, no decompression); `offset` is in the
    /// block's segment file (`columnFilePaths(column)`).
    /// - Throws: as `readColumn` when the column file cannot be opened.
    public func blockInfo(column: Int, block: Int) throws -> BlockInfo {
        guard block >= 0, block < blockCount else {
            throw KuaiError(.execution, "block \(block) out of range for table \(name) (\(blockCount) blocks)")
        }
        let (slot, b) = locate(column: column, block: block)
        let e = try slot.get().entries[b]
        return BlockInfo(
            encoding: BlockInfo.Encoding(rawValue: e.encoding),
            lz4: e.compression == FormatConstants.compressionLZ4,
            rawBytes: e.rawSize, storedBytes: e.storedSize, offset: e.offset)
    }

    /// The column dictionary of a VARCHAR column's first segment (shared by its dictionary-coded blocks).
    /// - Throws: as `readColumn`.
    public func dictionary(column: Int) throws -> StringDictionary? {
        guard let seg = segments.first else { return nil }
        return try seg.slots[column].get().dictionary
    }

    /// The zone map of `column` in `block` from the column file's footer (no decompression);
    /// nil when the block has none or the file cannot be opened (the error surfaces in `readColumn`).
    public func zoneMap(column: Int, block: Int) -> ZoneMap? {
        guard column >= 0, column < schema.count, block >= 0, block < blockCount else { return nil }
        let (slot, b) = locate(column: column, block: block)
        guard let f = try? slot.get(), b < f.entries.count else { return nil }
        return f.zoneMap(b)
    }

    /// Decodes `column` of `block`. A VARCHAR block stored without a dictionary is decoded into the
    /// flat form (views into the decoded block).
    /// - Throws: `KuaiError.corrupt` at "<table>/<column>.col@<offset> block <n>" for bad bytes,
    ///   `.format` for a newer file version, `.io` for a missing or replaced file.
    public func readColumn(_ column: Int, block: Int) throws -> Column {
        guard column >= 0, column < schema.count else {
            throw KuaiError(.execution, "column \(column) out of range for table \(name) (\(schema.count) columns)")
        }
        guard block >= 0, block < blockCount else {
            throw KuaiError(.execution, "block \(block) out of range for table \(name) (\(blockCount) blocks)")
        }
        let (slot, b) = locate(column: column, block: block)
        return Self.stringBoundary(try slot.get().read(block: b))
    }

    /// `readColumn` at the rows `rows` of the block only (ascending, within the block): integer
    /// blocks stored without compression in a frame-of-reference encoding decode just those rows
    /// (`ColumnFile.read(block:rows:)`); other blocks decode whole and are gathered.
    /// - Throws: as `readColumn`.
    public func readColumn(_ column: Int, block: Int, rows: UnsafeBufferPointer<Int32>) throws -> Column {
        guard column >= 0, column < schema.count, block >= 0, block < blockCount else {
            return try readColumn(column, block: block)  // throws the range error
        }
        let (slot, b) = locate(column: column, block: block)
        return Self.stringBoundary(try slot.get().read(block: b, rows: rows))
    }

    /// Blocks of the integer types that `ColumnFile.read(block:rows:)` also decodes in part, in a
    /// frame-of-reference or delta encoding, compressed or not, decode a range at a time
    /// (`ColumnFile.chunks(block:inPlace:)`); other blocks give nil.
    /// - Throws: as `readColumn`.
    public func chunks(_ column: Int, block: Int, inPlace: Bool) throws -> BlockChunks? {
        guard column >= 0, column < schema.count, block >= 0, block < blockCount else { return nil }
        let (slot, b) = locate(column: column, block: block)
        return try slot.get().chunks(block: b, inPlace: inPlace)
    }

    /// Where VARCHAR columns read from the store meet the operators, which take both forms: the
    /// identity (kept as the one place to change the form handed over).
    static func stringBoundary(_ c: Column) -> Column { c }
}

/// How one block of one column is stored (Formats/column-file.md, "Block header").
public struct BlockInfo: Sendable, Hashable {
    /// An encoding id of the spec, section "Encodings"; the ids are those of `FormatConstants`.
    public struct Encoding: RawRepresentable, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        public static let forBytes = Encoding(rawValue: FormatConstants.encodingFORBytes)
        public static let forBitPack = Encoding(rawValue: FormatConstants.encodingFORBitPack)
        public static let deltaBitPack = Encoding(rawValue: FormatConstants.encodingDeltaBitPack)
        public static let plainDouble = Encoding(rawValue: FormatConstants.encodingPlainDouble)
        public static let int128 = Encoding(rawValue: FormatConstants.encodingInt128)
        public static let plainStrings = Encoding(rawValue: FormatConstants.encodingPlainStrings)
    }
    public var encoding: Encoding
    /// True when the payload is LZ4-compressed (false: stored as is).
    public var lz4: Bool
    /// Payload bytes before compression (validity bitmap + encoded values).
    public var rawBytes: Int
    /// Payload bytes in the file.
    public var storedBytes: Int
    /// File offset of the block header.
    public var offset: Int
}

/// Summary of one written table, for kuai-convert's closing line.
public struct TableSummary: Sendable {
    public var name: String
    public var rows: Int
    /// Bytes of all column files of the table.
    public var storeBytes: Int
}
