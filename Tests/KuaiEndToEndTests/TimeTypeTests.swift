import Foundation
import KuaiTestSupport
import Testing

/// TIME through a store (manifest type id 16) and a Parquet file (INT64 TIME(MICROS), as DuckDB
/// writes it); expected text from DuckDB 2.0.1 (python `duckdb`, the same statements).
@Suite struct TimeTypeTests {
    @Test func storeAndParquetKeepTheType() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kuai-time-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store").path
        let parquet = dir.appendingPathComponent("t.parquet").path
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let create = try runTool(
            .query,
            [
                "--store", store,
                "-c",
                "CREATE TABLE t AS SELECT * FROM (VALUES (1, TIME '12:34:56.789'), (2, NULL), (3, TIME '24:00:00')) v(k, t)",
                "-c", "INSERT INTO t VALUES (4, '00:00:00.000001')",
            ])
        #expect(create.status == 0, "\(create)")
        let manifest = try String(contentsOfFile: store + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"typeId\" : 16"))
        let r = try runTool(
            .query,
            [
                "--store", store, "--format", "csv",
                "-c", "SELECT k, t, typeof(t) AS ty FROM t ORDER BY k",
                "-c", "COPY (SELECT k, t FROM t ORDER BY k) TO '\(parquet)' (FORMAT parquet)",
                "-c", "SELECT k, t, typeof(t) AS ty FROM read_parquet('\(parquet)') ORDER BY k",
            ])
        let rows = """
            k,t,ty
            1,12:34:56.789,TIME
            2,,TIME
            3,24:00:00,TIME
            4,00:00:00.000001,TIME

            """
        #expect(r.status == 0 && r.out == rows + rows, "\(r)")
    }
}
