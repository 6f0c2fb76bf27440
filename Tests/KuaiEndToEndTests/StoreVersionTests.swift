import Foundation
import KuaiCore
import KuaiFormat
import KuaiPlan
import KuaiTestSupport
import Testing

/// A version-1 store (Tests/Fixtures/store-v1: gift and user of the seed sample, written by
/// kuai-convert 0.2.0, store format 1) still reads, and a writing statement upgrades it to the current version
/// without rewriting its tables. Expected rows: DuckDB 2.0.1 over the same CSVs.
@Suite struct StoreVersionTests {
    static let fixture = RepoPaths.root.appendingPathComponent("Tests/Fixtures/store-v1").path

    /// A copy of the fixture (tests write to it).
    static func copy(_ dir: TempDir) throws -> String {
        let path = dir.sub("v1.kuai")
        try FileManager.default.copyItem(atPath: fixture, toPath: path)
        return path
    }

    @Test func version1StoreReads() throws {
        let s = try Session(storePath: Self.fixture)
        #expect(try Store.open(at: Self.fixture).formatVersion == 1)
        #expect(
            try sessionCSV(s, "SELECT user_id, gift_price FROM gift ORDER BY user_id")
                == "user_id,gift_price\n896,12\n7742,6\n11504,2\n12541,1\n19945,2\n")
        #expect(try sessionCSV(s, "SELECT count(*) AS n FROM \"user\"") == "n\n5\n")
    }

    @Test func writingUpgradesToVersion2AndKeepsOldTables() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = try Self.copy(dir)
        let s = try Session(storePath: path, access: .readWrite)
        let out = try runScript(
            s,
            """
            CREATE TABLE big_gifts AS SELECT * FROM gift WHERE gift_price > 1 ORDER BY timestamp;
            SELECT user_id FROM big_gifts;
            SELECT count(*) AS n FROM gift;
            """)
        #expect(out == ["Count\n4\n", "user_id\n11504\n7742\n896\n19945\n", "n\n5\n"])
        let store = try Store.open(at: path)
        #expect(store.formatVersion == Int(FormatConstants.formatVersion))
        #expect(store.tableNames == ["gift", "user", "big_gifts"])
        #expect(store.verify().isEmpty)
        // The version-1 folders stay while their tables do; a dropped table's folder goes.
        #expect(dir.entries().contains("v1.kuai"))
        #expect(FileManager.default.fileExists(atPath: path + "/gift/user_id.col"))
        try runScript(s, "DROP TABLE gift")
        #expect(!FileManager.default.fileExists(atPath: path + "/gift"))
        #expect(FileManager.default.fileExists(atPath: path + "/user/user_id.col"))
        #expect(try sessionCSV(try Session(storePath: path), "SELECT count(*) AS n FROM \"user\"") == "n\n5\n")
    }
}
