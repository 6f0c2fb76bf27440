import Foundation
import KuaiCore
import KuaiFormat
import KuaiIngest
import KuaiTestSupport
import Testing

@testable import KuaiParquet

/// kuai-convert's Parquet sources: files written by DuckDB, pyarrow and Polars become store tables
/// holding DuckDB's answer over the same files.
@Suite struct ConvertFromParquetTests {
    @Test(arguments: ["duckdb-zstd", "duckdb-v2-zstd", "pyarrow-delta-v2", "pyarrow-snappy-v1", "polars-zstd"])
    func storeHoldsDuckDBsAnswer(_ fixture: String) throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let store = tmp.path + "/s.kuai"
        let summaries = try Converter.convert(sources: [fixtureDir + "/\(fixture).parquet"], to: store)
        #expect(summaries.map(\.name) == [fixture])
        let table = try Store.open(at: store).table(fixture)
        let expected = try Expected(fixture: fixture)
        #expect(table.schema.map(\.name) == expected.columns)
        let rows = try allRows(table)
        #expect(rows.count == expected.rows.count)
        for (r, row) in rows.enumerated() where r < expected.rows.count {
            for (c, v) in row.enumerated() {
                if let m = mismatch(v, expected.rows[r][c]) {
                    Issue.record("\(fixture) row \(r) \(expected.columns[c]): \(m)")
                    return
                }
            }
        }
    }

    @Test func hiveGlobBecomesOneTable() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let dir = tmp.path + "/room"
        let schema: Schema = [Field("p_date", .bigint), Field("v", .bigint)]
        let w = try ParquetPartitionedWriter(directory: dir, schema: schema, partitionBy: ["p_date"])
        try w.append(
            Batch(columns: [
                Column(type: .bigint, ints: (0..<100).map { 20_250_504 + Int64($0 % 3) }),
                Column(type: .bigint, ints: (0..<100).map { Int64($0) }),
            ]))
        try w.finish()
        let store = tmp.path + "/s.kuai"
        let s = try Converter.convert(sources: [dir + "/**/*.parquet"], to: store)
        #expect(s.map(\.name) == ["room"])
        let table = try Store.open(at: store).table("room")
        #expect(table.schema == [Field("v", .bigint), Field("p_date", .bigint)])
        let rows = try allRows(table)
        var want = Set<[Value]>()
        for i in 0..<100 { want.insert([Value.int(Int64(i)), Value.int(20_250_504 + Int64(i % 3))]) }
        #expect(Set(rows) == want)
    }

    @Test func badParquetLeavesNoStore() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let bad = tmp.path + "/bad.parquet"
        FileManager.default.createFile(atPath: bad, contents: Data("PAR1 not really".utf8))
        let store = tmp.path + "/s.kuai"
        #expect(throws: KuaiError.self) { try Converter.convert(sources: [bad], to: store) }
        #expect(!FileManager.default.fileExists(atPath: store))
    }
}
