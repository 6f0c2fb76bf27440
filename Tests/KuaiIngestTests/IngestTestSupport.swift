import Foundation
import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiIngest

// Regenerating SeedExpected.swift (from the package root, DuckDB 2.0.1):
//   python3 gen_expected.py . > Tests/KuaiIngestTests/SeedExpected.swift   # script below
//
//   import duckdb, datetime, sys
//   root = sys.argv[1]; EPOCH = datetime.date(1970, 1, 1)
//   def lit(v, t):  # DATE -> .int(days since 1970-01-01), BIGINT -> .int, VARCHAR -> .string
//       ...
//   for t in tables:   # seed sample: every row
//       src = f"read_csv('{root}/Tests/Fixtures/seed-sample/{t}.csv')"
//       types = [x[1] for x in duckdb.execute(f"describe select * from {src}").fetchall()]
//       rows = duckdb.execute(f"select * from {src}").fetchall()
//   for t in tables:   # kuailive-mini: per column
//       BIGINT:  select count(*), count(c), sum(c)::BIGINT, min(c), max(c) from read_csv(path)
//       DATE:    the same over c - DATE '1970-01-01'
//       VARCHAR: select count(*), count(c), count(DISTINCT c), min(c), max(c) from read_csv(path)

/// Reader options with a small chunk and batch size (to cross chunk and batch boundaries).
func options(
    chunk: Int = 16 << 20, batchRows: Int = 65_536, workers: Int = 2, sampleRows: Int = 20_000,
    skipBadRows: Bool = false, maxRecordBytes: Int = 64 << 20
) -> CSVReadOptions {
    var o = CSVReadOptions()
    o.chunkBytes = chunk
    o.batchRows = batchRows
    o.workers = workers
    o.sampleRows = sampleRows
    o.skipBadRows = skipBadRows
    o.maxRecordBytes = maxRecordBytes
    return o
}

/// Reads the CSV at `path` as `table` and returns schema, rows and rejects.
func readCSV(_ path: String, table: String, _ o: CSVReadOptions = options()) throws -> (
    schema: Schema, rows: [[Value]], rejects: [CSVReject]
) {
    let r = try CSVTableReader.readAll(path: path, table: table, options: o)
    for b in r.batches {
        #expect(b.count <= o.batchRows)
        for (c, f) in r.schema.enumerated() { #expect(b.columns[c].type == f.type) }
    }
    return (r.schema, rows(r.batches), r.rejects)
}

/// Writes `text` to `<table>.csv` in a temp folder and reads it.
func readText(_ text: String, table: String, _ o: CSVReadOptions = options()) throws -> (
    schema: Schema, rows: [[Value]], rejects: [CSVReject]
) {
    let dir = TempDir()
    defer { dir.cleanup() }
    let p = dir.write("\(table).csv", text)
    return try readCSV(p, table: table, o)
}

/// Day number of a date (days since 1970-01-01), computed independently of the parser.
func day(_ y: Int, _ m: Int, _ d: Int) -> Value { .int(UTCDates.days(y, m, d)) }
