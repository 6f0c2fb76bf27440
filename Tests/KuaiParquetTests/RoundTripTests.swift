import Foundation
import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiParquet

/// kuai -> Parquet -> kuai: every type, NULLs, dictionary and PLAIN chunks, several row groups,
/// every compression kuai writes.
@Suite struct RoundTripTests {
    /// A batch of every kuai type with NULLs; `distinct` controls the cardinality of the strings
    /// and integers (low: dictionary chunks; high: PLAIN chunks).
    static func batch(rows: Int, distinct: Int, seed: Int64 = 1) -> Batch {
        func valid(_ k: Int) -> [UInt8] { (0..<rows).map { $0 % k == 3 ? 0 : 1 } }
        let words = (0..<distinct).map { "w\($0 * 7919 % 100_003)-é" }
        var strings: [String?] = (0..<rows).map { words[($0 * 31 + Int(seed)) % distinct] }
        for i in stride(from: 5, to: rows, by: 9) { strings[i] = nil }
        return Batch(columns: [
            Column(type: .integer, ints: (0..<rows).map { Int64(($0 * 37) % distinct) - 7 }, validity: valid(7)),
            Column(type: .bigint, ints: (0..<rows).map { 1_746_288_110_642 &+ Int64($0 % distinct) * 1_000_003 }),
            Column(doubles: (0..<rows).map { Double($0 % distinct) * 0.25 - 3 }, validity: valid(11)),
            Column(strings: strings),
            Column(type: .date, ints: (0..<rows).map { 20_000 + Int64($0 % 40) }, validity: valid(13)),
            Column(type: .timestamp, ints: (0..<rows).map { 1_746_288_110_642_123 + Int64($0) * 3_600_000_123 }),
            Column(type: .boolean, ints: (0..<rows).map { Int64($0 % 3 == 0 ? 1 : 0) }, validity: valid(17)),
            Column(
                type: .interval, ints: (0..<rows).map { Int64($0 % 5) * 3_600_000_000 + Int64($0 % 3) * 86_400_000_000 }
            ),
            Column(hugeints: (0..<rows).map { Int128($0) * 1_000_000_007 }, validity: valid(19)),
        ])
    }

    static let schema: Schema = [
        Field("i", .integer), Field("b", .bigint), Field("d", .double), Field("s", .varchar), Field("dt", .date),
        Field("ts", .timestamp), Field("f", .boolean), Field("iv", .interval), Field("h", .hugeint),
    ]

    static func expectedValue(_ c: Column, _ r: Int) -> Value {
        // HUGEINT is written as DOUBLE, as DuckDB writes it.
        if c.type == .hugeint, c.isValid(r) { return .double(Double(c.int128(at: r))) }
        return c.value(at: r)
    }

    @Test(arguments: [ParquetCodec.uncompressed, .snappy, .gzip, .zstd, .lz4Raw])
    func everyTypeSurvives(_ codec: ParquetCodec) throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let path = tmp.path + "/t.parquet"
        let batches = [Self.batch(rows: 700, distinct: 40), Self.batch(rows: 900, distinct: 800, seed: 3)]
        let w = try ParquetFileWriter(
            path: path, schema: Self.schema, options: ParquetWriteOptions(codec: codec, rowGroupSize: 500))
        for b in batches { try w.append(b) }
        let (rows, _) = try w.finish()
        #expect(rows == 1600)
        let table = try ParquetTable(name: "t", pattern: path)
        #expect(table.blockCount == 4)
        #expect(table.schema.map(\.type) == Self.schema.map { $0.type == .hugeint ? .double : $0.type })
        let got = try allRows(table)
        var want: [[Value]] = []
        for b in batches { for r in 0..<b.count { want.append(b.columns.map { Self.expectedValue($0, r) }) } }
        #expect(got.count == want.count)
        for (r, row) in got.enumerated() where row != want[r] {
            Issue.record("row \(r): \(row) != \(want[r])")
            break
        }
    }

    @Test func flatStringsAreWrittenLikeDictionaryStrings() throws {
        let tmp = TempDir()
        let dictionary = Self.batch(rows: 400, distinct: 300).columns[3]
        var flat = StringVectorBuilder()
        for r in 0..<dictionary.count {
            if case .string(let s) = dictionary.value(at: r) { flat.append(s) } else { flat.appendNull() }
        }
        let schema: Schema = [Field("s", .varchar), Field("k", .bigint)]
        let keys = Column(type: .bigint, ints: (0..<400).map { Int64($0 % 2) })
        let w = try ParquetFileWriter(path: tmp.path + "/f.parquet", schema: schema)
        try w.append(Batch(columns: [flat.finish(), keys]))
        try w.finish()
        let p = try ParquetPartitionedWriter(directory: tmp.path + "/p", schema: schema, partitionBy: ["s"])
        try p.append(Batch(columns: [flat.finish(), keys]))
        try p.finish()
        let got = try allRows(try ParquetTable(name: "t", pattern: tmp.path + "/f.parquet")).map { $0[0] }
        #expect(got == (0..<400).map { dictionary.value(at: $0) })
        let parts = try ParquetTable(name: "t", pattern: tmp.path + "/p/**/*.parquet", hivePartitioning: true)
        #expect(Set(try allRows(parts).map { $0[1] }) == Set((0..<400).map { dictionary.value(at: $0) }))
    }

    @Test func zoneMapsComeFromStatistics() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let path = tmp.path + "/t.parquet"
        let w = try ParquetFileWriter(path: path, schema: Self.schema, options: ParquetWriteOptions(rowGroupSize: 100))
        try w.append(Self.batch(rows: 250, distinct: 30))
        try w.finish()
        let table = try ParquetTable(name: "t", pattern: path)
        let z = try #require(table.zoneMap(column: 0, block: 1))
        let col = try table.readColumn(0, block: 1)
        let values = (0..<col.count).filter { col.isValid($0) }.map { col.ints[$0] }
        #expect(z.rowCount == 100 && z.nullCount == col.nullCount)
        #expect(z.min == .int(values.min()!) && z.max == .int(values.max()!))
        #expect(table.zoneMap(column: 3, block: 0) == nil)  // strings: no zone map
    }

    @Test func hivePartitionedFolderReadsBack() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let dir = tmp.path + "/out"
        let schema: Schema = [Field("p_date", .bigint), Field("cat", .varchar), Field("v", .double)]
        let rows = 300
        let batch = Batch(columns: [
            Column(type: .bigint, ints: (0..<rows).map { 20_250_504 + Int64($0 / 100) }),
            Column(strings: (0..<rows).map { $0 % 4 == 0 ? nil : ["a b", "x/y", "é"][$0 % 3] }),
            Column(doubles: (0..<rows).map { Double($0) }),
        ])
        let w = try ParquetPartitionedWriter(directory: dir, schema: schema, partitionBy: ["p_date", "cat"])
        try w.append(batch)
        let (written, files) = try w.finish()
        #expect(written == rows && files == 12)
        #expect(FileManager.default.fileExists(atPath: dir + "/p_date=20250504/cat=x%2Fy/data_0.parquet"))
        #expect(FileManager.default.fileExists(atPath: dir + "/p_date=20250506/cat=NULL/data_0.parquet"))
        let table = try ParquetTable(name: "t", pattern: dir + "/**/*.parquet", hivePartitioning: true)
        #expect(table.schema == [Field("v", .double), Field("p_date", .bigint), Field("cat", .varchar)])
        var seen = Set<[Value]>()
        for row in try allRows(table) { seen.insert(row) }
        var want = Set<[Value]>()
        for r in 0..<rows {
            want.insert([batch.columns[2].value(at: r), batch.columns[0].value(at: r), batch.columns[1].value(at: r)])
        }
        #expect(seen == want)
    }

    @Test func emptyTableWritesAValidFile() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let path = tmp.path + "/e.parquet"
        let w = try ParquetFileWriter(path: path, schema: Self.schema)
        try w.finish()
        let f = try ParquetFile(path: path)
        #expect(f.rowCount == 0 && f.rowGroupCount == 0 && f.schema.count == Self.schema.count)
    }
}
