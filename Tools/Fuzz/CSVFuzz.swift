import Foundation
import KuaiCore
import KuaiIngest

// CSV reader: header, type inference of a new table or the KuaiLive schema of a known
// one, chunked parallel parsing and the field parsers. The first byte chooses the table name (one of the
// eight KuaiLive tables or "fuzzed", whose types are inferred), the chunk size (61 bytes or 64 KiB), the
// batch size and whether bad rows are skipped; the rest is the file. Every batch is checked for its row
// count and every value read. Only `KuaiError` may come out. Seeds: the fixture CSVs (Tests/Fixtures).

let tables = ["click", "comment", "gift", "like", "negative", "room", "streamer", "user"]
nonisolated(unsafe) var path = ""

func setUp() {
    path = scratchFolder("kuai-csvfuzz") + "/input.csv"
}

func fuzzOne(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let selector = bytes.first else { return }
    let body = UnsafeBufferPointer(rebasing: bytes[1...])
    _ = FileManager.default.createFile(atPath: path, contents: Data(buffer: body))
    var options = CSVReadOptions()
    options.workers = 1
    options.chunkBytes = selector & 0x10 != 0 ? 61 : 64 << 10
    options.batchRows = selector & 0x20 != 0 ? 3 : 1024
    options.skipBadRows = selector & 0x40 != 0
    let table = selector & 0x08 != 0 ? tables[Int(selector & 7)] : "fuzzed"
    var schema: Schema = []
    var rows = 0
    do {
        let stats = try CSVTableReader.read(
            path: path, table: table, options: options,
            onSchema: { s, _ in schema = s },
            onBatch: { batch in
                precondition(batch.columns.count == schema.count, "batch width \(batch.columns.count)")
                for c in batch.columns {
                    precondition(c.count == batch.count, "column of \(c.count) rows in a batch of \(batch.count)")
                    for r in 0..<c.count { _ = c.value(at: r) }
                }
                rows += batch.count
            })
        precondition(stats.rows == rows, "stats say \(stats.rows) rows, batches held \(rows)")
    } catch is KuaiError {
    } catch {
        fatalError("not a KuaiError: \(error)")
    }
}
