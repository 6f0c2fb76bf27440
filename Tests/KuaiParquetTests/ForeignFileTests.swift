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
    /// type); kuai reads them back as TINYINT and SMALLINT. Expected figures: DuckDB 2.0.1's
    /// `SELECT count(*), sum(t), ... FROM 'duckdb-narrow-ints.parquet'`.
    @Test func readsDuckDBNarrowIntegers() throws {
        let table = try ParquetTable(name: "t", pattern: fixtureDir + "/duckdb-narrow-ints.parquet")
        #expect(table.schema.map(\.type) == [.bigint, .tinyint, .smallint])
        let rows = try allRows(table)
        func ints(_ c: Int) -> [Int64] { rows.compactMap { if case .int(let v) = $0[c] { v } else { nil } } }
        let (i, t, s) = (ints(0), ints(1), ints(2))
        #expect(rows.count == 302 && t.count == 259 && s.count == 241)
        #expect(t.reduce(0, +) == -2689 && s.reduce(0, +) == -112293)
        #expect(t.min() == -128 && t.max() == 127 && s.min() == -32768 && s.max() == 32767)
        let weighted = rows.map { r -> (Int64, Int64) in
            guard case .int(let k) = r[0] else { return (0, 0) }
            let a: Int64 = if case .int(let v) = r[1] { k * v } else { 0 }
            let b: Int64 = if case .int(let v) = r[2] { k * v } else { 0 }
            return (a, b)
        }
        #expect(
            i.count == 302 && weighted.map(\.0).reduce(0, +) == -522316 && weighted.map(\.1).reduce(0, +) == -9_493_892)
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
