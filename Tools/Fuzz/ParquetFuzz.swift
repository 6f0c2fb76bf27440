import Foundation
import KuaiCore
import KuaiParquet

// Parquet reader: footer (Thrift compact protocol), schema, zone maps, pages (PLAIN, dictionary, RLE/bit
// packing, DELTA_*), decompression (snappy, gzip, LZ4, zstd). The input is the file; every column of every
// row group is read and every value touched. Only `KuaiError` may come out. Seeds: Tests/Fixtures/parquet.

nonisolated(unsafe) var path = ""

func setUp() {
    path = scratchFolder("kuai-pqfuzz") + "/input.parquet"
}

func fuzzOne(_ bytes: UnsafeBufferPointer<UInt8>) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(buffer: bytes))
    do {
        let file = try ParquetFile(path: path)
        for g in 0..<file.rowGroupCount {
            for c in 0..<file.columns.count {
                _ = file.zoneMap(column: c, rowGroup: g)
                let col = try file.readColumn(c, rowGroup: g)
                for r in 0..<col.count { _ = col.value(at: r) }
            }
        }
    } catch is KuaiError {
    } catch {
        fatalError("not a KuaiError: \(error)")
    }
}
