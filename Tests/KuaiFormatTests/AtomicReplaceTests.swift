import Foundation
import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiFormat

/// Atomic writing (Formats/column-file.md section 14).
@Suite struct AtomicReplaceTests {
    static func table(_ value: Int64, rows: Int = 70_000) -> TableSpec {
        TableSpec(
            name: "t", schema: [Field("v", .bigint), Field("s", .varchar)],
            batches: [
                Batch(columns: [
                    intCol(Array(repeating: value, count: rows)),
                    Column(strings: Array(repeating: "g\(value)", count: rows)),
                ])
            ])
    }

    /// Every row of the store's table `t`, checked to be one generation.
    static func uniformValue(_ path: String) throws -> Int64 {
        let t = try Store.open(at: path).table("t")
        return try uniformValue(t)
    }

    static func uniformValue(_ t: StoreTable) throws -> Int64 {
        var seen = Set<Int64>()
        var strings = Set<String>()
        for b in 0..<t.blockCount {
            for v in try t.readColumn(0, block: b).ints { seen.insert(v) }
            let c = try t.readColumn(1, block: b)
            for code in Set(c.codes) { strings.insert(c.dictionary![code]) }
        }
        #expect(seen.count == 1 && strings.count == 1)
        #expect(strings.first == "g\(seen.first!)", "columns of one generation")
        return seen.first!
    }

    static func leftovers(_ dir: TempDir) -> [String] {
        POSIX.listDirectory(dir.path).filter { $0.contains(".tmp-") }
    }

    @Test func replaceSwapsWholeStores() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.sub("store")
        try writeStore(path, [Self.table(1)])
        #expect(try Self.uniformValue(path) == 1)
        try writeStore(path, [Self.table(2, rows: 10)])
        #expect(try Self.uniformValue(path) == 2)
        #expect(try Store.open(at: path).table("t").rowCount == 10)
        #expect(Self.leftovers(dir).isEmpty)
    }

    /// A commit's manifest may reuse the inode number of a removed older manifest: the store is
    /// still seen as changed (the identity compares the manifest's bytes too).
    @Test func aManifestOnTheSameInodeIsANewGeneration() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.sub("store")
        try writeStore(path, [Self.table(1, rows: 10)])
        let store = try Store.open(at: path)
        #expect(store.isCurrent())
        let manifest = path + "/" + FormatConstants.manifestName
        var bytes = try #require(FileManager.default.contents(atPath: manifest))
        let at = try #require(bytes.firstIndex(of: UInt8(ascii: "{")))
        bytes.insert(UInt8(ascii: " "), at: at + 1)
        // Rewritten in place: same device and inode, other bytes.
        let handle = try #require(FileHandle(forWritingAtPath: manifest))
        try handle.write(contentsOf: bytes)
        try handle.close()
        #expect(!store.isCurrent())
    }

    @Test func abortKeepsTheOldStore() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.sub("store")
        try writeStore(path, [Self.table(1)])
        let before = try Store.open(at: path).generation
        // Abort after writing a full table.
        do {
            let w = try StoreWriter(destination: path)
            let tw = try w.beginTable(name: "t", schema: Self.table(2).schema, sourcePath: nil, sourceBytes: 0)
            for b in Self.table(2).batches { try tw.append(b) }
            _ = try tw.finish()
            #expect(POSIX.kind(w.temporaryPath) == .directory)
            w.abort()
            w.abort()
            #expect(POSIX.kind(w.temporaryPath) == .missing)
        }
        // Dropped mid-table without commit (an error path in the converter).
        do {
            let w = try StoreWriter(destination: path)
            let tw = try w.beginTable(name: "t", schema: Self.table(3).schema, sourcePath: nil, sourceBytes: 0)
            try tw.append(Self.table(3).batches[0])
        }
        // A commit that fails (table not finished) leaves the old store too.
        do {
            let w = try StoreWriter(destination: path)
            _ = try w.beginTable(name: "t", schema: Self.table(4).schema, sourcePath: nil, sourceBytes: 0)
            #expect(throws: KuaiError.self) { try w.commit() }
            w.abort()
        }
        #expect(try Self.uniformValue(path) == 1)
        #expect(try Store.open(at: path).generation == before)
        #expect(Self.leftovers(dir).isEmpty)
    }

    @Test func staleTemporaryFoldersOfDeadProcessesAreRemoved() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.sub("store")
        // Find a pid that does not exist.
        var dead: Int32 = 4_000_000
        while kill(dead, 0) == 0 || errno != ESRCH { dead -= 1 }
        let stale = dir.sub(".store.tmp-\(dead)-0123456789abcdef")
        mkdir(stale, 0o755)
        mkdir(stale + "/t", 0o755)
        writeBytes(stale + "/t/v.col", [1, 2, 3])
        let live = dir.sub(".store.tmp-\(getppid())-00000000000000aa")  // a live process: kept
        mkdir(live, 0o755)
        let other = dir.sub(".other.tmp-\(dead)-00")  // another store's name: kept
        mkdir(other, 0o755)
        try writeStore(path, [Self.table(1)])
        #expect(POSIX.kind(stale) == .missing)
        #expect(POSIX.kind(live) == .directory)
        #expect(POSIX.kind(other) == .directory)
    }

    @Test func refusesToReplaceSomethingThatIsNotAStore() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let userDir = dir.sub("photos")
        mkdir(userDir, 0o755)
        writeBytes(userDir + "/cat.jpg", [9, 9, 9])
        #expect(throws: KuaiError.self) { try writeStore(userDir, [Self.table(1)]) }
        do { _ = try StoreWriter(destination: userDir) } catch let e as KuaiError { #expect(e.kind == .usage) }
        #expect(readBytes(userDir + "/cat.jpg") == [9, 9, 9])
        let userFile = dir.sub("notes.txt")
        writeBytes(userFile, [1])
        #expect(throws: KuaiError.self) { try writeStore(userFile, [Self.table(1)]) }
        #expect(readBytes(userFile) == [1])
        // The destination turns into user data between init and commit: still refused.
        let path = dir.sub("later")
        let w = try StoreWriter(destination: path)
        let tw = try w.beginTable(name: "t", schema: Self.table(1).schema, sourcePath: nil, sourceBytes: 0)
        _ = try tw.finish()
        mkdir(path, 0o755)
        writeBytes(path + "/mine.txt", [7])
        #expect(throws: KuaiError.self) { try w.commit() }
        w.abort()
        #expect(readBytes(path + "/mine.txt") == [7])
        // Missing parent folder.
        #expect(throws: KuaiError.self) { _ = try StoreWriter(destination: dir.sub("no/such/store")) }
        // An empty folder may be used as the destination.
        let empty = dir.sub("empty")
        mkdir(empty, 0o755)
        try writeStore(empty, [Self.table(5)])
        #expect(try Self.uniformValue(empty) == 5)
        #expect(Self.leftovers(dir).isEmpty)
    }

    @Test func anOpenReaderKeepsItsGeneration() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.sub("store")
        try writeStore(path, [Self.table(1)])
        let old = try Store.open(at: path)
        let oldTable = try old.table("t")
        _ = try oldTable.readColumn(0, block: 0)  // column 0 mapped, column 1 not yet
        try writeStore(path, [Self.table(2)])
        // The old files are unlinked, but the reader holds them open: same generation, whole.
        #expect(try Self.uniformValue(oldTable) == 1)
        #expect(try Self.uniformValue(path) == 2)
        #expect(old.verify().isEmpty)
    }

    @Test func concurrentReadersNeverSeeAMix() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.sub("store")
        try writeStore(path, [Self.table(0, rows: 140_000)])
        let done = Mutex()
        nonisolated(unsafe) var stop = false
        nonisolated(unsafe) var reads = 0
        nonisolated(unsafe) var failures: [String] = []
        let reader = Thread {
            while !(done.withLock { stop }) {
                do {
                    let t = try Store.open(at: path).table("t")
                    var seen = Set<Int64>()
                    for b in 0..<t.blockCount { seen.formUnion(try t.readColumn(0, block: b).ints) }
                    let c = try t.readColumn(1, block: 0)
                    if seen.count != 1 || c.dictionary![c.codes[0]] != "g\(seen.first!)" {
                        done.withLock { failures.append("mixed: \(seen)") }
                    }
                    done.withLock { reads += 1 }
                } catch let e as KuaiError where e.message.contains("replaced") {
                    continue  // retryable by contract
                } catch {
                    done.withLock { failures.append("\(error)") }
                }
            }
        }
        reader.start()
        for g in 1...6 { try writeStore(path, [Self.table(Int64(g), rows: 140_000)]) }
        done.withLock { stop = true }
        while !reader.isFinished { usleep(1000) }
        #expect(failures.isEmpty, "\(failures)")
        #expect(try Self.uniformValue(path) == 6)
        #expect(Self.leftovers(dir).isEmpty)
    }
}
