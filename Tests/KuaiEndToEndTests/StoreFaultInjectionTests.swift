import Foundation
import KuaiCore
import KuaiFormat
import KuaiPlan
import KuaiTestSupport
import Testing

/// Issue 13, must-show 4: a writing statement stopped at every step of its commit protocol (after each
/// file write, fsync, folder creation, rename and removal: `FaultInjection`, `$KUAI_FAULT_STEP` = 1, 2, ...
/// until the statement finishes by itself) leaves a store that opens and equals the state before or the
/// state after the statement, and the next successful write leaves no file the manifest does not name.
@Suite(.serialized) struct StoreFaultInjectionTests {
    /// The store every case starts from: two tables and a view, each written by its own commit.
    static func makeTemplate(_ path: String) throws {
        let s = try Session(storePath: path, access: .readWrite)
        try runScript(
            s,
            """
            CREATE TABLE t AS SELECT * FROM (VALUES (1, 'one'), (2, 'two'), (3, NULL)) x(a, b);
            CREATE TABLE u AS SELECT * FROM (VALUES (10.5, DATE '2025-05-01'), (NULL, DATE '2025-05-02')) y(d, day);
            CREATE VIEW v AS SELECT a FROM t WHERE a > 1;
            """)
    }

    /// What a reader sees: the catalog and every table's and view's rows in order. Throws when the store
    /// does not open or a table cannot be read.
    static func state(_ path: String) throws -> String {
        let s = try Session(storePath: path)
        let catalog = try sessionCSV(s, "SHOW TABLES")
        var out = catalog
        for name in catalog.split(separator: "\n").dropFirst() {
            out += try sessionCSV(s, "SELECT * FROM \"\(name)\" ORDER BY ALL")
        }
        return out
    }

    /// Files and folders in the store that its manifest does not name (besides the manifest and the lock),
    /// and temporary store folders beside it.
    static func leftovers(_ path: String) throws -> [String] {
        let data = try #require(FileManager.default.contents(atPath: path + "/manifest.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var named = Set<String>()
        for t in json["tables"] as? [[String: Any]] ?? [] {
            for seg in t["segments"] as? [[String: Any]] ?? [] {
                for f in seg["files"] as? [[String: Any]] ?? [] {
                    guard let file = f["file"] as? String else { continue }
                    var parts = file.split(separator: "/").map(String.init)
                    while !parts.isEmpty {
                        named.insert(parts.joined(separator: "/"))
                        parts.removeLast()
                    }
                }
            }
        }
        var out: [String] = []
        let e = FileManager.default.enumerator(atPath: path)
        while let rel = e?.nextObject() as? String {
            if rel == FormatConstants.manifestName || rel == FormatConstants.lockName || named.contains(rel) {
                continue
            }
            out.append(rel)
        }
        let parent = (path as NSString).deletingLastPathComponent
        return out.sorted() + leftoverTemporaries(in: parent)
    }

    /// Runs `args` of `tool` on a copy of the template at every fault step; checks each stopped run and the
    /// next successful write. Returns the number of steps the statement has.
    @discardableResult
    static func check(_ tool: KuaiTool, _ label: String, minimumSteps: Int = 8, _ args: (String) -> [String]) throws
        -> Int
    {
        let dir = TempDir(prefix: "kuai-fault")
        defer { dir.cleanup() }
        let template = dir.sub("template.kuai")
        try makeTemplate(template)
        let before = try state(template)
        let work = dir.sub("w/s.kuai")
        func fresh() throws {
            try? FileManager.default.removeItem(atPath: dir.sub("w"))
            try FileManager.default.createDirectory(atPath: dir.sub("w"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: template, toPath: work)
        }
        try fresh()
        let clean = try runTool(tool, args(work))
        try #require(clean.status == 0 && !clean.signaled, "\(label) without a fault: \(clean)")
        let after = try state(work)
        try #require(after != before, "\(label) changes nothing")
        var step = 1
        while step < 1_000 {
            try fresh()
            let r = try runTool(tool, args(work), env: ["KUAI_FAULT_STEP": "\(step)"])
            if r.status == 0 && !r.signaled { break }
            try #require(
                r.status == FaultInjection.exitStatus && !r.signaled && r.err.contains("fault injection: stopped"),
                "\(label), step \(step): \(r)")
            let stoppedAt = r.err.split(separator: "\n").last { $0.contains("fault injection") } ?? ""
            let seen: String
            do { seen = try state(work) } catch {
                Issue.record("\(label), \(stoppedAt): the store does not open: \(error)")
                step += 1
                continue
            }
            #expect(seen == before || seen == after, "\(label), \(stoppedAt): neither before nor after:\n\(seen)")
            // The next successful write removes what the stopped one left.
            try runScript(try Session(storePath: work, access: .readWrite), "CREATE TABLE next_write AS SELECT 1 AS z")
            let rest = try leftovers(work)
            #expect(rest.isEmpty, "\(label), \(stoppedAt): left after the next write: \(rest)")
            step += 1
        }
        #expect(step - 1 >= minimumSteps, "\(label): only \(step - 1) steps were stopped at")
        return step - 1
    }

    @Test func createTableAs() throws {
        try Self.check(.query, "CREATE TABLE AS") {
            ["--store", $0, "CREATE TABLE n AS SELECT a * 2 AS a2, b FROM t"]
        }
    }

    @Test func createOrReplaceTableAs() throws {
        try Self.check(.query, "CREATE OR REPLACE TABLE") {
            ["--store", $0, "CREATE OR REPLACE TABLE t AS SELECT a + 1 AS a, b || '!' AS b FROM t"]
        }
    }

    @Test func insert() throws {
        try Self.check(.query, "INSERT") { ["--store", $0, "INSERT INTO t SELECT a + 100, b FROM t"] }
    }

    @Test func drop() throws {
        try Self.check(.query, "DROP TABLE", minimumSteps: 4) { ["--store", $0, "DROP TABLE u"] }
    }

    @Test func convertAddingATable() throws {
        let dir = TempDir(prefix: "kuai-fault-csv")
        defer { dir.cleanup() }
        let csv = dir.write("added.csv", "id,name,day\n1,a,2025-01-01\n2,\"b, c\",2025-01-02\n3,,2025-01-03\n")
        try Self.check(.convert, "kuai-convert adding a table") { [csv, "-o", $0, "--quiet"] }
    }
}
