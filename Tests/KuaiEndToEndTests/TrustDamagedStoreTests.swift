import Foundation
import KuaiCore
import KuaiFormat
import KuaiTestSupport
import Testing

// Damaged stores fed to the built executables (issue 4, "Damaged stores"): a copy of the store
// converted from the real seed rows is damaged one way, then
//   - kuai-query over the damaged column must exit 1 (no signal), print no rows, and name the
//     file (and the block, for damage inside a block) in its error;
//   - `kuai-convert --verify STORE` must exit 1 and list the problem with the same location;
//   - the undamaged store answers the same query (the oracle: DuckDB 2.0.1 on the seed CSVs).

/// One way to damage a store and what the error must mention.
struct StoreDamage: Sendable, CustomTestStringConvertible {
    var name: String
    /// A query that reads the damaged part.
    var query: String
    /// Substrings the error of kuai-query and of --verify must contain.
    var mentions: [String]
    /// Applies the damage to the store folder at the path.
    var apply: @Sendable (String) throws -> Void
    var testDescription: String { name }

    /// `path` (a file or folder of the store) removed.
    static func removed(_ name: String, path: String, query: String, mentions: [String]) -> StoreDamage {
        StoreDamage(name: name, query: query, mentions: mentions) { store in
            try FileManager.default.removeItem(atPath: store + "/" + path)
        }
    }

    /// `file` of the store replaced by a FIFO (`fifo`) or by a link to /dev/zero: `query` reads it and
    /// must fail with "not a regular file" instead of hanging.
    static func notRegular(_ name: String, file: String, query: String, fifo: Bool) -> StoreDamage {
        StoreDamage(name: name, query: query, mentions: [file, "not a regular file"]) { store in
            let path = store + "/" + file
            try FileManager.default.removeItem(atPath: path)
            if fifo {
                #expect(mkfifo(path, 0o644) == 0)
            } else {
                try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/zero")
            }
        }
    }
}

/// Edits manifest.json of the store at `store` as a JSON object.
func editManifest(_ store: String, _ body: (inout [String: Any]) -> Void) throws {
    let path = store + "/manifest.json"
    let data = try #require(FileManager.default.contents(atPath: path))
    var m = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    body(&m)
    try JSONSerialization.data(withJSONObject: m, options: [.prettyPrinted, .sortedKeys]).write(
        to: URL(fileURLWithPath: path))
}

/// Edits the manifest entry of `table`.`column`.
func editColumn(_ store: String, _ table: String, _ column: String, _ body: @escaping (inout [String: Any]) -> Void)
    throws
{
    try editManifest(store) { m in
        var tables = m["tables"] as! [[String: Any]]
        for t in tables.indices where tables[t]["name"] as? String == table {
            // A column is its declaration (name, type, typeId) and its file in the first segment.
            var cols = tables[t]["columns"] as! [[String: Any]]
            var segments = tables[t]["segments"] as! [[String: Any]]
            var files = segments[0]["files"] as! [[String: Any]]
            for c in cols.indices where cols[c]["name"] as? String == column {
                var merged = cols[c].merging(files[c]) { a, _ in a }
                body(&merged)
                for k in ["name", "type", "typeId"] { cols[c][k] = merged[k] }
                for k in merged.keys where !["name", "type", "typeId"].contains(k) { files[c][k] = merged[k] }
            }
            segments[0]["files"] = files
            tables[t]["columns"] = cols
            tables[t]["segments"] = segments
        }
        m["tables"] = tables
    }
}

/// Sets the row count of `table` (and of its first segment) in the manifest to `rows`.
func editRowCount(_ store: String, _ table: String, _ rows: Int) throws {
    try editManifest(store) { m in
        var tables = m["tables"] as! [[String: Any]]
        for t in tables.indices where tables[t]["name"] as? String == table {
            var segments = tables[t]["segments"] as! [[String: Any]]
            segments[0]["rowCount"] = rows
            tables[t]["segments"] = segments
            tables[t]["rowCount"] = rows
        }
        m["tables"] = tables
    }
}

/// The relative file of `table`.`column` and the byte range of block `block`'s stored payload.
func blockPayload(_ store: String, _ table: String, _ column: String, block: Int = 0) throws -> (
    file: String, range: Range<Int>
) {
    let s = try Store.open(at: store)
    let t = try s.table(table)
    let c = try #require(t.schema.firstIndex { $0.name == column })
    let info = try t.blockInfo(column: c, block: block)
    let start = info.offset + 48  // block header: Formats/column-file.md "Block header"
    return (t.columnFilePath(c), start..<(start + info.storedBytes))
}

func modifyFile(_ path: String, _ body: (inout [UInt8]) -> Void) throws {
    var bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
    body(&bytes)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

let storeDamages: [StoreDamage] = [
    StoreDamage(
        name: "flipped byte inside a block", query: "select sum(live_id) as s from room",
        mentions: ["room/live_id.col@", "block 0", "checksum"]
    ) { store in
        let (file, range) = try blockPayload(store, "room", "live_id")
        try modifyFile(store + "/" + file) { $0[range.lowerBound + range.count / 2] ^= 0x10 }
    },
    StoreDamage(
        name: "flipped last payload byte of a dictionary column",
        query: "select count(*) as n from room where live_content_category = 'shop'",
        mentions: ["room/live_content_category.col@", "block 0"]
    ) { store in
        let (file, range) = try blockPayload(store, "room", "live_content_category")
        try modifyFile(store + "/" + file) { $0[range.upperBound - 1] ^= 0x01 }
    },
    StoreDamage(
        name: "truncated column file", query: "select sum(user_id) as s from click",
        mentions: ["click/user_id.col", "truncated"]
    ) { store in
        try modifyFile(store + "/click/user_id.col") { $0.removeLast($0.count / 2) }
    },
    StoreDamage(
        name: "column file cut by its last byte", query: "select sum(user_id) as s from click",
        mentions: ["click/user_id.col", "truncated"]
    ) { store in
        try modifyFile(store + "/click/user_id.col") { $0.removeLast(1) }
    },
    .removed(
        "missing column file", path: "like/timestamp.col", query: "select max(timestamp) as m from \"like\"",
        mentions: ["like/timestamp.col", "missing"]),
    StoreDamage(
        name: "manifest row count disagrees with the files",
        query: "select count(*) as n, sum(gift_price) as s from gift",
        mentions: ["gift/", "5 rows", "manifest says 6"]
    ) { store in
        try editRowCount(store, "gift", 6)
    },
    // count(*) reads no column: its rows must still come from (or be checked against) the column
    // files, never from the manifest alone (issue 13: a one-byte manifest edit changed the count).
    StoreDamage(
        name: "manifest row count edited, count(*) alone", query: "select count(*) as n from gift",
        mentions: ["gift/", "5 rows", "manifest says 6"]
    ) { store in
        try editRowCount(store, "gift", 6)
    },
    .removed(
        "table folder deleted, count(*)", path: "click", query: "select count(*) as n from click",
        mentions: ["click/", "missing"]),
    StoreDamage(
        name: "every column file of a table empty, count(*)", query: "select count(*) as n from click",
        mentions: ["click/", "truncated"]
    ) { store in
        for f in try FileManager.default.contentsOfDirectory(atPath: store + "/click") {
            try Data().write(to: URL(fileURLWithPath: store + "/click/" + f))
        }
    },
    StoreDamage(
        name: "manifest type disagrees with the file", query: "select sum(live_type) as s from room",
        mentions: ["room/live_type.col", "manifest says DOUBLE"]
    ) { store in
        try editColumn(store, "room", "live_type") { c in
            c["type"] = "DOUBLE"
            c["typeId"] = Int(DataType.double.rawValue)
        }
    },
    StoreDamage(
        name: "manifest points two columns at swapped files",
        query: "select sum(user_id) as a, sum(live_id) as b from comment",
        mentions: ["comment/", "manifest"]
    ) { store in
        try editColumn(store, "comment", "user_id") { $0["file"] = "comment/live_id.col" }
        try editColumn(store, "comment", "live_id") { $0["file"] = "comment/user_id.col" }
    },
    StoreDamage(
        name: "column file from another store", query: "select sum(user_id) as s from negative",
        mentions: ["negative/user_id.col", "corrupt error", "another store"]
    ) { store in
        // The same column of an identical conversion: same bytes except the generation id.
        let other = store + ".other"
        try convertSeedSample(to: other)
        try FileManager.default.removeItem(atPath: store + "/negative/user_id.col")
        try FileManager.default.copyItem(
            atPath: other + "/negative/user_id.col", toPath: store + "/negative/user_id.col")
        try FileManager.default.removeItem(atPath: other)
    },
    StoreDamage(
        name: "newer store format version (manifest)", query: "select count(*) as n from user",
        mentions: ["manifest.json", "format error", "newer"]
    ) { store in
        try editManifest(store) { $0["formatVersion"] = 99 }
    },
    StoreDamage(
        name: "newer format version (column file header)", query: "select sum(streamer_id) as s from streamer",
        mentions: ["streamer/streamer_id.col", "format error", "newer"]
    ) { store in
        try modifyFile(store + "/streamer/streamer_id.col") {
            $0[8] = UInt8(FormatConstants.formatVersion + 1)
            $0[9] = 0
        }  // header: u16 version at 8
    },
    StoreDamage(
        name: "manifest is not JSON", query: "select count(*) as n from user",
        mentions: ["manifest.json", "corrupt error"]
    ) { store in
        try Data("{\"format\": \"kuai-store\", \"formatVersion\": 1, \"tab".utf8).write(
            to: URL(fileURLWithPath: store + "/manifest.json"))
    },
    // Files that are not regular files must not hang a reader (opening a FIFO blocks until a
    // writer comes; /dev/zero never ends): each is "not a regular file".
    .notRegular("manifest is a FIFO", file: "manifest.json", query: "select count(*) as n from user", fifo: true),
    .notRegular(
        "manifest links to /dev/zero", file: "manifest.json", query: "select count(*) as n from user", fifo: false),
    .notRegular(
        "column file is a FIFO", file: "streamer/streamer_id.col",
        query: "select count(*) as n, sum(streamer_id) as s from streamer", fifo: true),
    .removed(
        "manifest missing (not a store)", path: "manifest.json", query: "select count(*) as n from user",
        mentions: ["manifest.json"]),
]

@Suite("Trust: damaged stores through kuai-query and kuai-convert --verify")
struct TrustDamagedStoreTests {
    @Test(arguments: storeDamages)
    func damageIsReportedWithItsLocation(_ damage: StoreDamage) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let good = dir.sub("good.kuai")
        try convertSeedSample(to: good)
        let sound = try kuaiQuery(good, damage.query)
        #expect(sound.status == 0, "\(damage.name): undamaged store: \(sound)")
        let damaged = dir.sub("damaged.kuai")
        try FileManager.default.copyItem(atPath: good, toPath: damaged)
        try damage.apply(damaged)

        let q = try kuaiQuery(damaged, damage.query)
        #expect(q.failedCleanly && q.status == 1, "\(damage.name): \(q)")
        #expect(q.out.isEmpty, "\(damage.name): rows printed from a damaged store: \(q.out)")
        for m in damage.mentions {
            #expect(q.err.contains(m), "\(damage.name): kuai-query error lacks \"\(m)\": \(q.err)")
        }

        let v = try kuaiConvert("--verify", damaged)
        #expect(v.failedCleanly && v.status == 1, "\(damage.name): \(v)")
        for m in damage.mentions { #expect(v.err.contains(m), "\(damage.name): --verify lacks \"\(m)\": \(v.err)") }
        // The good store still verifies.
        let ok = try kuaiConvert("--verify", good)
        #expect(ok.status == 0 && ok.out.hasPrefix("ok:"), "\(ok)")
    }

    @Test func verifyListsEveryProblem() throws {
        try withSeedStore { _, store in
            let (file, range) = try blockPayload(store, "room", "live_id")
            try modifyFile(store + "/" + file) { $0[range.lowerBound] ^= 0xFF }
            try modifyFile(store + "/click/user_id.col") { $0.removeLast(7) }
            try FileManager.default.removeItem(atPath: store + "/like/timestamp.col")
            let v = try kuaiConvert("--verify", store)
            #expect(v.failedCleanly, "\(v)")
            for m in ["room/live_id.col@", "click/user_id.col", "like/timestamp.col", "3 problems"] {
                #expect(v.err.contains(m), "--verify lacks \"\(m)\": \(v.err)")
            }
        }
    }

    /// Damage in the second block of a two-block column: a full read fails naming block 1 and
    /// prints no row of block 0 either; a query whose zone maps skip block 1 may answer, and then
    /// correctly.
    @Test func damageInALaterBlockPrintsNoRows() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var text = "a,b\n"
        for i in 0..<100_000 { text += "\(i),\(i % 7)\n" }
        let src = dir.write("t.csv", text)
        let store = dir.sub("s.kuai")
        let r = try kuaiConvert(src, "-o", store, "--quiet")
        try #require(r.status == 0, "\(r)")
        let (file, range) = try blockPayload(store, "t", "a", block: 1)
        try modifyFile(store + "/" + file) { $0[range.lowerBound + range.count / 3] ^= 0x40 }
        for sql in [
            "select sum(a) as s from t", "select a from t", "select a, b from t order by b, a",
            "select b, max(a) as m from t group by b",
        ] {
            let q = try kuaiQuery(store, sql)
            #expect(q.failedCleanly && q.status == 1, "\(sql): \(q)")
            #expect(q.out.isEmpty, "\(sql): printed \(q.out.prefix(200))")
            #expect(q.err.contains("t/a.col@") && q.err.contains("block 1"), "\(sql): \(q.err)")
        }
        let skip = try kuaiQuery(store, "select count(*) as n from t where a < 10")
        #expect(!skip.signaled && (skip.status == 1 || skip.out == "n\n10\n"), "\(skip)")
        let v = try kuaiConvert("--verify", store)
        #expect(v.failedCleanly && v.err.contains("t/a.col@") && v.err.contains("block 1"), "\(v)")
    }

    @Test func missingStoreAndFolderThatIsNotAStore() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        for path in [dir.sub("nothing-here"), dir.path] {
            let q = try kuaiQuery(path, "select 1")
            #expect(q.failedCleanly && q.status == 1, "\(q)")
            #expect(q.err.contains(path), "\(q.err)")
            let v = try kuaiConvert("--verify", path)
            #expect(v.failedCleanly && v.status == 1, "\(v)")
        }
    }
}
