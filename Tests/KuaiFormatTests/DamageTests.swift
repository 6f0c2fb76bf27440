import Foundation
import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiFormat

/// Damaged stores (issue 4): every damage is reported as a KuaiError naming the file and block,
/// never a crash and never wrong rows. Expected behaviour from Formats/column-file.md section 13.
@Suite struct DamageTests {
    /// A store with table "click" (user_id BIGINT, cat VARCHAR) of 3 blocks (70,000 + ... rows).
    static let rows = 150_000
    static func makeStore(_ path: String, value: Int64 = 0) throws {
        var g = SplitMix64(seed: 77)
        let ids: [Int64?] = (0..<rows).map { _ in Int64(g.next() % 100_000) + value }
        let cats: [String?] = (0..<rows).map { i in i % 11 == 0 ? nil : ["a", "b", "c"][i % 3] }
        try writeStore(
            path,
            [
                TableSpec(
                    name: "click", schema: [Field("user_id", .bigint), Field("cat", .varchar)],
                    batches: [Batch(columns: [intCol(ids), Column(strings: cats)])])
            ])
    }

    /// A store made by `makeStore` in a fresh temporary folder (the caller cleans it up).
    static func freshStore() throws -> (dir: TempDir, path: String) {
        let dir = TempDir()
        do {
            try makeStore(dir.sub("s"))
        } catch {
            dir.cleanup()
            throw error
        }
        return (dir, dir.sub("s"))
    }

    /// Expects `body` to throw a `KuaiError` of `kind`, at `location` (or a location starting with
    /// `locationPrefix`) when one is given, whose message contains every one of `fragments`.
    func expectError(
        _ kind: KuaiError.Kind, at location: String? = nil, locationPrefix: String? = nil, saying fragments: String...,
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) {
        do {
            try body()
            Issue.record("expected a \(kind) error", sourceLocation: sourceLocation)
        } catch let e as KuaiError {
            #expect(e.kind == kind, "\(e)", sourceLocation: sourceLocation)
            if let location { #expect(e.location == location, "\(e)", sourceLocation: sourceLocation) }
            for f in fragments { #expect(e.message.contains(f), "\(e)", sourceLocation: sourceLocation) }
            if let locationPrefix {
                #expect((e.location ?? "").hasPrefix(locationPrefix), "\(e)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("not a KuaiError: \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func flippedByteInsideABlockIsDetected() throws {
        let (dir, path) = try Self.freshStore()
        defer { dir.cleanup() }
        let t0 = try Store.open(at: path).table("click")
        let info = try t0.blockInfo(column: 0, block: 1)
        let file = path + "/click/user_id.col"
        var bytes = readBytes(file)
        let at = info.offset + FormatConstants.blockHeaderSize + info.storedBytes / 2
        bytes[at] ^= 0x10
        writeBytes(file, bytes)
        let store = try Store.open(at: path)
        let t = try store.table("click")
        _ = try t.readColumn(0, block: 0)  // other blocks stay readable
        _ = try t.readColumn(0, block: 2)
        expectError(.corrupt, at: "click/user_id.col@\(info.offset) block 1", saying: "checksum") {
            _ = try t.readColumn(0, block: 1)
        }
        let problems = store.verify()
        #expect(problems.count == 1)
        #expect(problems.first?.location?.hasPrefix("click/user_id.col@") == true)
        #expect(problems.first?.location?.hasSuffix("block 1") == true)
    }

    @Test func flippedByteInEveryRegionIsDetected() throws {
        // One flipped bit anywhere in the file must never give rows: stride through the file.
        let (dir, path) = try Self.freshStore()
        defer { dir.cleanup() }
        let file = path + "/click/cat.col"
        let original = readBytes(file)
        let stride = max(1, original.count / 60)
        var positions = Array(Swift.stride(from: 0, to: original.count, by: stride))
        positions += [0, 8, 10, 16, 24, original.count - 1, original.count - 9, original.count - 32]
        for pos in positions {
            var b = original
            b[pos] ^= 0x01
            writeBytes(file, b)
            let store = try Store.open(at: path)
            let problems = store.verify()
            #expect(!problems.isEmpty, "flip at byte \(pos) went unnoticed")
            for p in problems { #expect(p.kind == .corrupt || p.kind == .format || p.kind == .io, "\(p)") }
        }
        writeBytes(file, original)
        #expect(try Store.open(at: path).verify().isEmpty)
    }

    @Test(arguments: [1, 8, 32, 100, 5000])
    func truncatedFileIsDetected(_ cut: Int) throws {
        let (dir, path) = try Self.freshStore()
        defer { dir.cleanup() }
        let file = path + "/click/user_id.col"
        let bytes = readBytes(file)
        writeBytes(file, Array(bytes[0..<(bytes.count - cut)]))
        let store = try Store.open(at: path)
        let t = try store.table("click")
        expectError(.corrupt, locationPrefix: "click/user_id.col@") {
            _ = try t.readColumn(0, block: 0)
        }
        #expect(t.zoneMap(column: 0, block: 0) == nil)
        #expect(store.verify().count == 1)
        // The other column is unaffected.
        _ = try t.readColumn(1, block: 2)
    }

    @Test func truncatedToAlmostNothing() throws {
        let (dir, path) = try Self.freshStore()
        defer { dir.cleanup() }
        let file = path + "/click/user_id.col"
        let bytes = readBytes(file)
        for keep in [0, 1, 7, 8, 31, 32, 87, 88] {
            writeBytes(file, Array(bytes[0..<keep]))
            let t = try Store.open(at: path).table("click")
            expectError(.corrupt) { _ = try t.readColumn(0, block: 0) }
        }
    }

    @Test func missingColumnFileIsNamed() throws {
        let (dir, path) = try Self.freshStore()
        defer { dir.cleanup() }
        unlink(path + "/click/cat.col")
        let store = try Store.open(at: path)
        let t = try store.table("click")
        _ = try t.readColumn(0, block: 0)
        expectError(.corrupt, at: "click/cat.col", saying: "missing") { _ = try t.readColumn(1, block: 0) }
        let problems = store.verify()
        #expect(problems.count == 1 && problems[0].location == "click/cat.col")
    }

    @Test func newerColumnFileVersionIsAFormatError() throws {
        let (dir, path) = try Self.freshStore()
        defer { dir.cleanup() }
        let file = path + "/click/user_id.col"
        var bytes = readBytes(file)
        bytes[FormatConstants.headerVersionOffset] = UInt8(FormatConstants.formatVersion + 1)
        writeBytes(file, bytes)
        let t = try Store.open(at: path).table("click")
        expectError(.format, saying: "newer") { _ = try t.readColumn(0, block: 0) }
    }

    @Test func newerManifestVersionIsAFormatError() throws {
        let (dir, path) = try Self.freshStore()
        defer { dir.cleanup() }
        try editManifest(path) {
            $0["formatVersion"] = Int(FormatConstants.formatVersion) + 1
            $0["tables"] = "a new shape"
        }
        expectError(.format, saying: "newer") { _ = try Store.open(at: path) }
    }

    func editManifest(_ path: String, _ edit: (inout [String: Any]) -> Void) throws {
        let m = path + "/manifest.json"
        var obj = try JSONSerialization.jsonObject(with: Data(readBytes(m))) as! [String: Any]
        edit(&obj)
        writeBytes(m, [UInt8](try JSONSerialization.data(withJSONObject: obj)))
    }

    /// Edits column `column` of the first table as one entry: its declaration (name, type, typeId)
    /// and its file in the first segment (file, bytes, nullCount, footerChecksum, dictionarySize).
    func editColumn(_ path: String, _ column: Int, _ edit: @escaping (inout [String: Any]) -> Void) throws {
        try editManifest(path) { m in
            var tables = m["tables"] as! [[String: Any]]
            var cols = tables[0]["columns"] as! [[String: Any]]
            var segments = tables[0]["segments"] as! [[String: Any]]
            var files = segments[0]["files"] as! [[String: Any]]
            var merged = cols[column].merging(files[column]) { a, _ in a }
            edit(&merged)
            for k in ["name", "type", "typeId"] { cols[column][k] = merged[k] }
            for k in merged.keys where !["name", "type", "typeId"].contains(k) { files[column][k] = merged[k] }
            segments[0]["files"] = files
            tables[0]["columns"] = cols
            tables[0]["segments"] = segments
            m["tables"] = tables
        }
    }

    /// Sets a member of the first table's first segment (and the table's row count with it).
    func editSegment(_ path: String, _ key: String, _ value: Int) throws {
        try editManifest(path) { m in
            var tables = m["tables"] as! [[String: Any]]
            var segments = tables[0]["segments"] as! [[String: Any]]
            segments[0][key] = value
            if key == "rowCount" { tables[0]["rowCount"] = value }
            tables[0]["segments"] = segments
            m["tables"] = tables
        }
    }

    @Test func manifestDisagreeingWithFiles() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.sub("s")
        // Row count off by one (same block count): caught when the column file is checked.
        try Self.makeStore(path)
        try editSegment(path, "rowCount", Self.rows - 1)
        var t = try Store.open(at: path).table("click")
        expectError(.corrupt, saying: "rows") { _ = try t.readColumn(0, block: 0) }

        // Block count disagreeing with row count: caught at open.
        try Self.makeStore(path)
        try editSegment(path, "blockCount", 2)
        expectError(.corrupt, saying: "blockCount") { _ = try Store.open(at: path) }

        // Type changed: BIGINT file, manifest says DOUBLE.
        try Self.makeStore(path)
        try editColumn(path, 0) {
            $0["type"] = "DOUBLE"
            $0["typeId"] = 5
        }
        t = try Store.open(at: path).table("click")
        expectError(.corrupt, saying: "BIGINT", "DOUBLE") { _ = try t.readColumn(0, block: 0) }

        // Type name and id disagree: caught at open.
        try Self.makeStore(path)
        try editColumn(path, 0) { $0["type"] = "VARCHAR" }
        expectError(.corrupt) { _ = try Store.open(at: path) }

        // Size or footer checksum of another file.
        try Self.makeStore(path)
        try editColumn(path, 0) { $0["bytes"] = ($0["bytes"] as! Int) + 8 }
        t = try Store.open(at: path).table("click")
        expectError(.corrupt, saying: "bytes") { _ = try t.readColumn(0, block: 0) }
        try Self.makeStore(path)
        try editColumn(path, 1) { $0["footerChecksum"] = "0123456789abcdef" }
        t = try Store.open(at: path).table("click")
        expectError(.corrupt, saying: "manifest") { _ = try t.readColumn(1, block: 0) }

        // Dictionary size.
        try Self.makeStore(path)
        try editColumn(path, 1) { $0["dictionarySize"] = 4 }
        t = try Store.open(at: path).table("click")
        expectError(.corrupt, saying: "dictionary") { _ = try t.readColumn(1, block: 0) }

        // A column file path escaping the store.
        try Self.makeStore(path)
        try editColumn(path, 0) { $0["file"] = "../../etc/passwd" }
        expectError(.corrupt) { _ = try Store.open(at: path) }

        // Not JSON at all.
        try Self.makeStore(path)
        writeBytes(path + "/manifest.json", Array("{\"format\": \"kuai-store\", ".utf8))
        expectError(.corrupt) { _ = try Store.open(at: path) }
        writeBytes(path + "/manifest.json", [0, 1, 2, 255])
        expectError(.corrupt) { _ = try Store.open(at: path) }
    }

    @Test func fileFromAnotherGenerationIsDetected() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let a = dir.sub("a")
        let b = dir.sub("b")
        try Self.makeStore(a, value: 0)
        try Self.makeStore(b, value: 1_000_000)
        // A column file of store b dropped into store a (e.g. a half-copied folder).
        writeBytes(a + "/click/user_id.col", readBytes(b + "/click/user_id.col"))
        let t = try Store.open(at: a).table("click")
        expectError(.corrupt, saying: "another store") { _ = try t.readColumn(0, block: 0) }
        _ = try t.readColumn(1, block: 0)
    }

    @Test func openErrors() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        expectError(.io) { _ = try Store.open(at: dir.sub("nope")) }
        mkdir(dir.sub("empty"), 0o755)
        expectError(.io, saying: "manifest") { _ = try Store.open(at: dir.sub("empty")) }
        writeBytes(dir.sub("file"), [1, 2, 3])
        expectError(.io) { _ = try Store.open(at: dir.sub("file")) }
    }

    @Test func zoneMapsAndReadsOutOfRange() throws {
        let (dir, path) = try Self.freshStore()
        defer { dir.cleanup() }
        let t = try Store.open(at: path).table("click")
        #expect(t.zoneMap(column: 0, block: 3) == nil)
        #expect(t.zoneMap(column: 5, block: 0) == nil)
        expectError(.execution) { _ = try t.readColumn(0, block: 3) }
        expectError(.execution) { _ = try t.readColumn(2, block: 0) }
        let z = t.zoneMap(column: 1, block: 0)!
        #expect(z.min == .string("a") && z.max == .string("c"))
        #expect(z.nullCount == (0..<FormatConstants.blockRows).filter { $0 % 11 == 0 }.count)
    }
}
