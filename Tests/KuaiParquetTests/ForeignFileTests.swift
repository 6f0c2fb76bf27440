import Foundation
import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiParquet

/// Files written by DuckDB, pyarrow and Polars (every compression, data pages v1 and v2,
/// dictionary, DELTA_* and BYTE_STREAM_SPLIT encodings, INT96 and millisecond/nanosecond
/// timestamps) read by kuai give DuckDB's answer over the same file, cell by cell.
@Suite struct ForeignFileTests {
    static let fixtures = fixtureIndex.keys.sorted()

    @Test(arguments: fixtures)
    func readsLikeDuckDB(_ fixture: String) throws {
        let expected = try Expected(fixture: fixture)
        let table = try ParquetTable(name: "t", pattern: fixtureDir + "/\(fixture).parquet")
        #expect(table.schema.map(\.name) == expected.columns)
        let rows = try allRows(table)
        #expect(rows.count == expected.rows.count)
        var bad: [String] = []
        for (r, row) in rows.enumerated() where r < expected.rows.count {
            for (c, v) in row.enumerated() {
                if let m = mismatch(v, expected.rows[r][c]) { bad.append("row \(r) \(expected.columns[c]): \(m)") }
            }
        }
        #expect(bad.isEmpty, "\(fixture): \(bad.prefix(5).joined(separator: "; "))")
    }

    /// DuckDB writes TINYINT and SMALLINT as INT32 with the converted types INT_8 and INT_16 (no logical
    /// type); kuai reads them back as TINYINT and SMALLINT (the values: `readsLikeDuckDB`).
    @Test func readsDuckDBNarrowIntegerTypes() throws {
        let file = try ParquetFile(path: fixtureDir + "/narrow-ints-by-duckdb.parquet")
        #expect(file.columns.map(\.type) == [.bigint, .tinyint, .smallint])
        #expect(file.columns.map(\.parquetType) == ["INT64", "INT32 INT_8", "INT32 INT_16"])
    }

    @Test func typesMapAsDocumented() throws {
        let table = try ParquetTable(name: "t", pattern: fixtureDir + "/duckdb-zstd.parquet")
        #expect(
            table.schema.map(\.type) == [.integer, .bigint, .double, .varchar, .varchar, .date, .timestamp, .boolean])
        let millis = try ParquetFile(path: fixtureDir + "/pyarrow-ts-millis.parquet")
        #expect(millis.columns[6].parquetType == "INT64 TIMESTAMP(MILLIS)")
        let int96 = try ParquetFile(path: fixtureDir + "/pyarrow-int96.parquet")
        #expect(int96.columns[6].type == .timestamp)
    }
}
