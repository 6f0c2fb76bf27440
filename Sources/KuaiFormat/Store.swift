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
    /// Device and inode of the manifest read at open: a commit publishes a new manifest file, so a
    /// different inode at the path means a newer generation (`isCurrent()`).
    let manifestIdentity: (dev: UInt64, ino: UInt64)

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
        path: String, generation: UInt64, formatVersion: Int, tables: [StoreTable], manifestIdentity: (UInt64, UInt64)
    ) {
        self.path = path
        self.generation = generation
        self.formatVersion = formatVersion
        self.tables = tables
        self.manifestIdentity = manifestIdentity
    }

    /// True while the store at `path` is still the generation this `Store` opened (its manifest file
    /// is the same file); false once a writer has committed a newer one (then open it again).
    public func isCurrent() -> Bool {
        var st = stat()
        guard stat(path + "/" + FormatConstants.manifestName, &st) == 0 else { return false }
        return UInt64(st.st_dev) == manifestIdentity.dev && UInt64(st.st_ino) == manifestIdentity.ino
    }

    /// Above this many columns in the whole store, column files are opened on first use instead
    /// of at `open` (keeps file descriptors bounded); the generation check still applies.
    static let eagerOpenLimit = 256

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
            if dir.isReplaced() { throw StoreOpenRetry.replaced }
            if faccessat(dfd, FormatConstants.manifestName, F_OK, 0) != 0 {
                throw KuaiError(.io, "not a kuai store: no \(FormatConstants.manifestName) in the folder", at: abs)
            }
            throw e
        }
        let m = try Manifest.decode(manifestBytes, at: abs + "/" + FormatConstants.manifestName)
        let loc = FormatConstants.manifestName
        func bad(_ msg: String) -> KuaiError { KuaiError(.corrupt, "manifest: " + msg, at: loc) }
        guard m.generation.utf8.count == 16, let generation = UInt64(m.generation, radix: 16) else {
            throw bad("generation \"\(m.generation)\" is not 16 hex digits")
        }
        guard m.blockRows >= 1, m.blockRows <= 1 << 24 else { throw bad("blockRows \(m.blockRows) out of range") }
        let totalColumns = m.tables.reduce(0) { $0 + $1.columns.count }
        let eager = totalColumns <= eagerOpenLimit
        var tables: [StoreTable] = []
        var tableNames = Set<String>()
        var sawMissing = false
        for t in m.tables {
            guard !t.name.isEmpty, tableNames.insert(t.name).inserted else {
                throw bad("table name \"\(t.name)\" is empty or repeated")
            }
            guard t.rowCount >= 0 else { throw bad("table \(t.name): negative rowCount") }
            // A column file counts blocks in a u32: larger row counts are impossible (and would
            // overflow the block arithmetic below).
            guard t.rowCount <= Int(UInt32.max) * m.blockRows else {
                throw bad("table \(t.name): rowCount \(t.rowCount) out of range")
            }
            let wantBlocks = (t.rowCount + m.blockRows - 1) / m.blockRows
            guard t.blockCount == wantBlocks else {
                throw bad(
                    "table \(t.name): blockCount \(t.blockCount) disagrees with rowCount \(t.rowCount) (expected \(wantBlocks))"
                )
            }
            var schema: Schema = []
            var slots: [ColumnSlot] = []
            var colNames = Set<String>()
            for c in t.columns {
                guard colNames.insert(c.name).inserted else {
                    throw bad("table \(t.name): column \"\(c.name)\" repeated")
                }
                guard let type = DataType(rawValue: UInt8(clamping: max(c.typeId, 0))), c.typeId <= 255,
                    type.description == c.type
                else {
                    throw bad("table \(t.name) column \(c.name): unknown type \(c.type) (id \(c.typeId))")
                }
                guard Self.isSafeRelativePath(c.file) else {
                    throw bad("table \(t.name) column \(c.name): file path \"\(c.file)\" is not inside the store")
                }
                guard c.bytes >= 0, c.nullCount >= 0, c.nullCount <= t.rowCount else {
                    throw bad("table \(t.name) column \(c.name): bytes or nullCount out of range")
                }
                guard c.footerChecksum.utf8.count == 16, let fsum = UInt64(c.footerChecksum, radix: 16) else {
                    throw bad("table \(t.name) column \(c.name): footerChecksum is not 16 hex digits")
                }
                guard (type == .varchar) == (c.dictionarySize != nil), (c.dictionarySize ?? 0) >= 0 else {
                    throw bad("table \(t.name) column \(c.name): dictionarySize must be given exactly for VARCHAR")
                }
                guard c.zoneMaps == "footer" else {
                    throw bad("table \(t.name) column \(c.name): zoneMaps \"\(c.zoneMaps)\" unknown")
                }
                let expect = ColumnExpectation(
                    type: type, generation: generation, blockRows: m.blockRows, rowCount: t.rowCount,
                    blockCount: t.blockCount, bytes: c.bytes, footerChecksum: fsum,
                    dictionarySize: c.dictionarySize)
                let slot = ColumnSlot(relPath: c.file, expect: expect, nullCount: c.nullCount, dir: dir)
                if eager {
                    let fd = openat(dfd, c.file, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
                    if fd >= 0 {
                        slot.fd = fd
                    } else {
                        let e = errno
                        if e == ENOENT { sawMissing = true }
                        slot.failure =
                            e == ENOENT
                            ? KuaiError(
                                .corrupt, "column file is missing (table \(t.name), column \(c.name))", at: c.file)
                            : POSIX.ioError("cannot open column file", c.file, e)
                    }
                }
                schema.append(Field(c.name, type))
                slots.append(slot)
            }
            tables.append(
                StoreTable(
                    name: t.name, schema: schema, rowCount: t.rowCount, blockRows: m.blockRows, slots: slots,
                    sourcePath: t.source?.path, sourceBytes: t.source?.bytes))
        }
        if sawMissing && dir.isReplaced() { throw StoreOpenRetry.replaced }
        return Store(
            path: abs, generation: generation, formatVersion: m.formatVersion, tables: tables,
            manifestIdentity: (UInt64(manifestStat.st_dev), UInt64(manifestStat.st_ino)))
    }

    /// True for "a/b.col": relative, no empty, "." or ".." components, no NUL.
    static func isSafeRelativePath(_ p: String) -> Bool {
        if p.isEmpty || p.hasPrefix("/") || p.utf8.contains(0) { return false }
        for c in p.split(separator: "/", omittingEmptySubsequences: false) {
            if c.isEmpty || c == "." || c == ".." { return false }
        }
        return true
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
            for c in 0..<t.schema.count {
                let file: ColumnFile
                do { file = try t.columnFile(c) } catch {
                    problems.append(Self.asKuai(error, t.slots[c].relPath))
                    continue
                }
                var nulls = 0
                var ok = true
                for b in 0..<file.entries.count {
                    do {
                        let col = try file.read(block: b)
                        nulls += col.nullCount
                    } catch {
                        problems.append(Self.asKuai(error, t.slots[c].relPath))
                        ok = false
                    }
                }
                if ok && nulls != t.slots[c].nullCount {
                    problems.append(
                        KuaiError(
                            .corrupt, "column has \(nulls) NULLs, manifest says \(t.slots[c].nullCount)",
                            at: t.slots[c].relPath))
                }
            }
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
    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }
    deinit { close(fd) }

    /// True when `path` no longer names the folder held open (a newer store was committed).
    func isReplaced() -> Bool {
        var a = stat()
        var b = stat()
        if fstat(fd, &a) != 0 || stat(path, &b) != 0 { return true }
        return a.st_ino != b.st_ino || a.st_dev != b.st_dev
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

/// One stored table; conforms to `TableSource` for the engine. Safe to use from several threads.
public final class StoreTable: TableSource, @unchecked Sendable {
    public let name: String
    public let schema: Schema
    public let rowCount: Int
    /// Rows per block (`FormatConstants.blockRows` for stores written by this version).
    public let blockRows: Int
    /// The CSV the table was converted from, as recorded in the manifest.
    public let sourcePath: String?
    /// Size of that CSV in bytes.
    public let sourceBytes: Int?
    let slots: [ColumnSlot]

    init(
        name: String, schema: Schema, rowCount: Int, blockRows: Int, slots: [ColumnSlot], sourcePath: String?,
        sourceBytes: Int?
    ) {
        self.name = name
        self.schema = schema
        self.rowCount = rowCount
        self.blockRows = blockRows
        self.slots = slots
        self.sourcePath = sourcePath
        self.sourceBytes = sourceBytes
    }

    public var blockCount: Int { (rowCount + blockRows - 1) / blockRows }

    public func blockRowCount(_ block: Int) -> Int {
        precondition(block >= 0 && block < blockCount, "block \(block) out of range 0..<\(blockCount)")
        return min(blockRows, rowCount - block * blockRows)
    }

    /// Column file path relative to the store ("click/user_id.col").
    public func columnFilePath(_ column: Int) -> String { slots[column].relPath }

    /// Bytes of all column files of the table, as recorded in the manifest.
    public var storeBytes: Int { slots.reduce(0) { $0 + $1.expect.bytes } }

    /// NULLs in `column` over the whole table, as recorded in the manifest.
    public func nullCount(column: Int) -> Int { slots[column].nullCount }

    func columnFile(_ column: Int) throws -> ColumnFile { try slots[column].get() }

    /// How `block` of `column` is stored (from the footer, no decompression).
    /// - Throws: as `readColumn` when the column file cannot be opened.
    public func blockInfo(column: Int, block: Int) throws -> BlockInfo {
        let f = try columnFile(column)
        guard block >= 0, block < f.entries.count else {
            throw KuaiError(.execution, "block \(block) out of range for table \(name) (\(f.entries.count) blocks)")
        }
        let e = f.entries[block]
        return BlockInfo(
            encoding: BlockInfo.Encoding(rawValue: e.encoding) ?? .forBytes,
            lz4: e.compression == FormatConstants.compressionLZ4,
            rawBytes: e.rawSize, storedBytes: e.storedSize, offset: e.offset)
    }

    /// The column dictionary of a VARCHAR column (shared by every block's `Column`).
    /// - Throws: as `readColumn`.
    public func dictionary(column: Int) throws -> StringDictionary? { try columnFile(column).dictionary }

    /// The zone map of `column` in `block` from the column file's footer (no decompression);
    /// nil when the file cannot be opened (the error surfaces in `readColumn`).
    public func zoneMap(column: Int, block: Int) -> ZoneMap? {
        guard column >= 0, column < slots.count, block >= 0, block < blockCount,
            let f = try? columnFile(column), block < f.entries.count
        else { return nil }
        return f.zoneMap(block)
    }

    /// Decodes `column` of `block`.
    /// - Throws: `KuaiError.corrupt` at "<table>/<column>.col@<offset> block <n>" for bad bytes,
    ///   `.format` for a newer file version, `.io` for a missing or replaced file.
    public func readColumn(_ column: Int, block: Int) throws -> Column {
        guard column >= 0, column < slots.count else {
            throw KuaiError(.execution, "column \(column) out of range for table \(name) (\(slots.count) columns)")
        }
        guard block >= 0, block < blockCount else {
            throw KuaiError(.execution, "block \(block) out of range for table \(name) (\(blockCount) blocks)")
        }
        return try columnFile(column).read(block: block)
    }
}

/// How one block of one column is stored (Formats/column-file.md, "Block header").
public struct BlockInfo: Sendable, Hashable {
    /// Encoding ids of the spec, section "Encodings".
    public enum Encoding: UInt8, Sendable {
        case forBytes = 1
        case forBitPack = 2
        case deltaBitPack = 3
        case plainDouble = 4
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
    public init(name: String, rows: Int, storeBytes: Int) {
        self.name = name
        self.rows = rows
        self.storeBytes = storeBytes
    }
}
