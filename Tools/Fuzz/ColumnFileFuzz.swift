import Foundation
import KuaiCore
import KuaiFormat
import KuaiIngest

// Column-file reader and manifest: a template store (the seed-sample CSVs converted: every KuaiLive table,
// dictionaries, nulls) is copied once; each input replaces one of its files, chosen by the first byte
// (manifest.json or a column file), and the store is opened, every block of every column read and the
// store verified; the file is put back afterwards. Built with `-D KUAI_FUZZING`, so checksums, sizes and
// generations do not stop the mutated bytes before the footer, block and dictionary decoders (see
// `ColumnFile.differs`). Only `KuaiError` may come out. Seeds (written by `KUAI_FUZZ_SEEDS=DIR`): each
// file of the template store after its selector byte.

nonisolated(unsafe) var store = ""
nonisolated(unsafe) var files: [String] = []
nonisolated(unsafe) var originals: [[UInt8]] = []

func setUp() {
    let env = ProcessInfo.processInfo.environment
    store = scratchFolder("kuai-colfuzz") + "/store"
    let csvs = env["KUAI_FUZZ_CSV_DIR"] ?? "Tests/Fixtures/seed-sample"
    do {
        _ = try Converter.convert(sources: [csvs], to: store)
    } catch {
        fatalError("cannot build the template store from \(csvs): \(error)")
    }
    let all = FileManager.default.enumerator(atPath: store)?.compactMap { $0 as? String } ?? []
    files = all.filter { $0.hasSuffix(".col") || $0.hasSuffix("manifest.json") }.sorted()
    originals = files.map { [UInt8](FileManager.default.contents(atPath: store + "/" + $0)!) }
    if let seeds = env["KUAI_FUZZ_SEEDS"] {
        try? FileManager.default.createDirectory(atPath: seeds, withIntermediateDirectories: true)
        for (i, bytes) in originals.enumerated() {
            _ = FileManager.default.createFile(atPath: "\(seeds)/seed-\(i)", contents: Data([UInt8(i)] + bytes))
        }
        print("wrote \(files.count) seeds to \(seeds)")
        exit(0)
    }
}

func fuzzOne(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let selector = bytes.first, !files.isEmpty else { return }
    let i = Int(selector) % files.count
    let target = store + "/" + files[i]
    _ = FileManager.default.createFile(atPath: target, contents: Data(buffer: UnsafeBufferPointer(rebasing: bytes[1...])))
    defer { _ = FileManager.default.createFile(atPath: target, contents: Data(originals[i])) }
    do {
        let s = try Store.open(at: store)
        for name in s.tableNames {
            let t = try s.table(name)
            for c in 0..<t.schema.count {
                _ = try t.dictionary(column: c)
                for b in 0..<t.blockCount {
                    _ = t.zoneMap(column: c, block: b)
                    let col = try t.readColumn(c, block: b)
                    for r in 0..<col.count { _ = col.value(at: r) }
                }
            }
        }
        _ = s.verify()
    } catch is KuaiError {
    } catch {
        fatalError("not a KuaiError: \(error)")
    }
}
