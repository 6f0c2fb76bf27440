import Foundation
import KuaiCore
import KuaiFormat
import KuaiPlan
import KuaiTestSupport
import Testing

/// kuai-convert into an existing store adds or replaces the named tables in one commit and keeps the
/// others (issue 9: `kuai-convert gift.csv -o existing.kuai` used to leave a 1-table store); --replace
/// replaces the whole store.
@Suite struct StoreConvertTests {
    @Test func addingATableKeepsTheOthers() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = dir.sub("s.kuai")
        #expect(try kuaiConvert(RepoPaths.seedSample.path, "-o", store, "--quiet").status == 0)
        // A view over two tables, kept through the conversions below.
        try runScript(
            try Session(storePath: store, access: .readWrite),
            "CREATE VIEW payers AS SELECT DISTINCT user_id FROM gift")
        let clickFiles = snapshot(store).filter { $0.key.hasPrefix("click/") }

        // 1. A new table from a CSV of another name: 9 tables, the old files untouched.
        let extra = dir.write("extra.csv", "k,label\n1,a\n2,b\n")
        let add = try kuaiConvert(extra, "-o", store)
        #expect(add.status == 0, "\(add)")
        #expect(add.err.contains("kept user, streamer, room, click, comment, like, gift, negative"), "\(add.err)")
        var s = try Store.open(at: store)
        #expect(s.tableNames == RepoPaths.kuaiLiveTables + ["extra"])
        #expect(s.views.map(\.name) == ["payers"])
        #expect(snapshot(store).filter { $0.key.hasPrefix("click/") } == clickFiles)
        #expect(s.verify().isEmpty)

        // 2. gift.csv again (two rows): gift is replaced in its place, the rest kept.
        let gift = dir.write(
            "g/gift.csv",
            "user_id,live_id,streamer_id,timestamp,gift_price\n7,1,2,1746374400000,5\n8,1,2,1746374400001,6\n")
        let again = try kuaiConvert(gift, "-o", store)
        #expect(again.status == 0, "\(again)")
        #expect(again.err.contains("replaced gift"), "\(again.err)")
        s = try Store.open(at: store)
        #expect(s.tableNames == RepoPaths.kuaiLiveTables + ["extra"])
        let q = try kuaiQuery(store, "SELECT count(*) AS n, sum(gift_price) AS s FROM gift")
        #expect(q.out == "n,s\n2,11\n", "\(q)")
        #expect(try kuaiQuery(store, "SELECT count(*) AS n FROM payers").out == "n\n2\n")
        #expect(try kuaiQuery(store, "SELECT count(*) AS n FROM click").out == "n\n16\n")

        // 3. --replace: the store is what this run converts.
        let all = try kuaiConvert(gift, "-o", store, "--replace")
        #expect(all.status == 0, "\(all)")
        #expect(all.err.contains("dropped user"), "\(all.err)")
        s = try Store.open(at: store)
        #expect(s.tableNames == ["gift"])
        #expect(s.views.isEmpty)
        #expect(s.verify().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: store + "/click"))
    }
}
