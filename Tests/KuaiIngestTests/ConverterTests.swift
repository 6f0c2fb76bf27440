import Foundation
import KuaiCore
import KuaiFormat
import KuaiTestSupport
import Testing

@testable import KuaiIngest

/// Collects conversion events (the report callback runs on the converting thread).
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ConvertEvent] = []
    func add(_ e: ConvertEvent) {
        lock.lock()
        events.append(e)
        lock.unlock()
    }
    var all: [ConvertEvent] {
        lock.lock()
        defer { lock.unlock() }
        return events
    }
}

@Suite struct ConverterTests {
    @Test func seedSampleConvertsAndReadsBackAsDuckDBReadsIt() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let storePath = dir.path + "/seed.kuai"
        let log = EventLog()
        var o = ConvertOptions(report: { log.add($0) })
        o.csv.chunkBytes = 200
        o.csv.batchRows = 4
        let summaries = try Converter.convert(sources: [RepoPaths.seedSample.path], to: storePath, options: o)
        #expect(summaries.map(\.name) == RepoPaths.kuaiLiveTables)
        let store = try Store.open(at: storePath)
        #expect(store.tableNames == RepoPaths.kuaiLiveTables)
        #expect(store.verify().isEmpty)
        for name in RepoPaths.kuaiLiveTables {
            let t = try store.table(name)
            #expect(t.schema == KuaiLiveSchema.tables[name]!)
            #expect(try allRows(t) == SeedExpected.rows[name]!, "\(name)")
        }
        let done = log.all.compactMap { e -> (String, Int, Int)? in
            if case .tableDone(let t, let rows, let csv, _, _) = e { return (t, rows, csv) }
            return nil
        }
        #expect(done.map(\.0) == RepoPaths.kuaiLiveTables)
        #expect(done.map(\.1) == RepoPaths.kuaiLiveTables.map { SeedExpected.rows[$0]!.count })
        let sizes = try RepoPaths.kuaiLiveTables.map {
            try FileManager.default.attributesOfItem(atPath: RepoPaths.seedSample.path + "/\($0).csv")[.size] as! Int
        }
        #expect(done.map(\.2) == sizes)
        #expect(
            log.all.contains {
                if case .progress = $0 { return true }
                return false
            })
    }

    @Test func badInputWritesNoStoreAndKeepsTheOldOne() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let storePath = dir.path + "/s.kuai"
        let bad = dir.write("like.csv", KuaiLiveCSV.like + "1,2,3,4\n5,6,x,8\n")
        // No store at all: nothing appears.
        var e = kuaiError { _ = try Converter.convert(sources: [bad], to: storePath) }
        #expect(e?.kind == .csv)
        #expect(e?.location == bad + ":3:3")
        #expect(!FileManager.default.fileExists(atPath: storePath))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["like.csv"])
        // An existing store: untouched by a failing run.
        _ = try Converter.convert(sources: [RepoPaths.seedSample.path], to: storePath)
        let good = dir.write("click.csv", "user_id,live_id,streamer_id,timestamp,watch_live_time\n1,2,3,4,5\n")
        e = kuaiError { _ = try Converter.convert(sources: [good, bad], to: storePath) }
        #expect(e?.location == bad + ":3:3")
        let store = try Store.open(at: storePath)
        #expect(store.tableNames == RepoPaths.kuaiLiveTables)
        #expect(try allRows(try store.table("click")) == SeedExpected.rows["click"]!)
        #expect(store.verify().isEmpty)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == [
                "click.csv", "like.csv", "s.kuai",
            ])
    }

    @Test func rejectFileListsSkippedRows() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let like = dir.write("like.csv", KuaiLiveCSV.like + "1,2,3,4\n5,6,x,8\n9,10,11,12\n13,14\n")
        let other = dir.write("other.csv", "a,b\n1,x\n2,y\n")
        let rejectPath = dir.path + "/rejects.txt"
        let log = EventLog()
        let o = ConvertOptions(rejectFile: rejectPath, report: { log.add($0) })
        _ = try Converter.convert(sources: [like, other], to: dir.path + "/s.kuai", options: o)
        let text = try String(contentsOfFile: rejectPath, encoding: .utf8)
        #expect(
            text == """
                \(like):3:3: column "streamer_id" (BIGINT): expected a BIGINT (64-bit integer), found 'x'; line: 5,6,x,8
                \(like):5:3: column "streamer_id" (BIGINT): too few fields: expected 4, found 2; line: 13,14

                """)
        let rejected = log.all.compactMap { e -> (String, Int)? in
            if case .rejected(let f, let n) = e { return (f, n) }
            return nil
        }
        #expect(rejected.map(\.0) == [like])
        #expect(rejected.map(\.1) == [2])
        let store = try Store.open(at: dir.path + "/s.kuai")
        #expect(
            try allRows(try store.table("like")) == [
                [.int(1), .int(2), .int(3), .int(4)], [.int(9), .int(10), .int(11), .int(12)],
            ])
        let t = try store.table("other")
        #expect(t.schema == [Field("a", .bigint), Field("b", .varchar)])
        #expect(try allRows(t) == [[.int(1), .string("x")], [.int(2), .string("y")]])
    }

    /// Opening the reject file truncates it: it must never be a source CSV (which was emptied before
    /// it was read) or a file of a kuai store (a manifest.json named by a typo damaged that store).
    @Test func rejectFileThatWouldOverwriteInputOrAStoreIsRefused() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let likeText = KuaiLiveCSV.like + "1,2,3,4\n5,6,x,8\n"
        let like = dir.write("like.csv", likeText)
        let store = dir.path + "/s.kuai"
        _ = try Converter.convert(sources: [like], to: store, options: ConvertOptions(rejectFile: dir.path + "/r.txt"))
        let manifest = try Data(contentsOf: URL(fileURLWithPath: store + "/manifest.json"))
        let column = try Data(contentsOf: URL(fileURLWithPath: store + "/like/user_id.col"))
        let cases = [
            (like, store),  // the source CSV itself
            (dir.path + "/./like.csv", store),  // ... by another spelling
            (dir.path, dir.path + "/t.kuai"),  // a folder: fopen fails (io), nothing lost
            (store + "/manifest.json", dir.path + "/t.kuai"),  // a file of another store
            (store + "/like/user_id.col", dir.path + "/t.kuai"),
            (dir.path + "/t.kuai", dir.path + "/t.kuai"),  // the output store path
            (store + "/rejects.txt", store),  // inside the output store
        ]
        for (reject, output) in cases {
            do {
                _ = try Converter.convert(sources: [like], to: output, options: ConvertOptions(rejectFile: reject))
                Issue.record("reject file \(reject) was accepted")
            } catch let e as KuaiError {
                #expect(e.kind == .usage || (reject == dir.path && e.kind == .io), "\(reject): \(e)")
            }
            #expect(try String(contentsOfFile: like, encoding: .utf8) == likeText)
            #expect(try Data(contentsOf: URL(fileURLWithPath: store + "/manifest.json")) == manifest)
            #expect(try Data(contentsOf: URL(fileURLWithPath: store + "/like/user_id.col")) == column)
            #expect(!FileManager.default.fileExists(atPath: dir.path + "/t.kuai"))
        }
        #expect(try allRows(try Store.open(at: store).table("like")) == [[.int(1), .int(2), .int(3), .int(4)]])
    }

    @Test func emptyAndHeaderOnlyTables() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let src = dir.path + "/src"
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: src + "/like.csv", contents: Data(KuaiLiveCSV.like.utf8))
        FileManager.default.createFile(atPath: src + "/t.csv", contents: Data("x,y\n".utf8))
        _ = try Converter.convert(sources: [src], to: dir.path + "/s.kuai")
        let store = try Store.open(at: dir.path + "/s.kuai")
        #expect(store.tableNames == ["like", "t"])
        #expect(try store.table("like").rowCount == 0)
        #expect(try store.table("t").schema == [Field("x", .varchar), Field("y", .varchar)])
        #expect(store.verify().isEmpty)
    }

    @Test func sourcesResolveToTablesInKuaiLiveOrder() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let src = dir.path + "/src"
        try FileManager.default.createDirectory(atPath: src + "/sub.csv", withIntermediateDirectories: true)
        for name in ["negative.csv", "zeta.csv", "click.csv", "alpha.CSV", "user.csv", "notes.txt"] {
            FileManager.default.createFile(atPath: src + "/" + name, contents: Data("a\n".utf8))
        }
        let files = try Converter.resolveSources([src, dir.write("extra.csv", "a\n")])
        #expect(files.map(\.table) == ["user", "click", "negative", "alpha", "zeta", "extra"])
        #expect(files[0].path == src + "/user.csv")

        var e = kuaiError { _ = try Converter.resolveSources([src, src + "/click.csv"]) }
        #expect(e?.kind == .usage)
        #expect(e?.message.contains("two sources make table 'click'") == true)
        e = kuaiError { _ = try Converter.resolveSources([dir.path + "/missing"]) }
        #expect(e?.kind == .io)
        #expect(e?.location == dir.path + "/missing")
        e = kuaiError { _ = try Converter.resolveSources([src + "/sub.csv"]) }
        #expect(e?.kind == .usage)
        e = kuaiError { _ = try Converter.resolveSources([]) }
        #expect(e?.kind == .usage)
        #expect(Converter.tableName(of: "click.csv") == "click")
        #expect(Converter.tableName(of: "Data.CSV") == "Data")
        #expect(Converter.tableName(of: "x.tsv") == "x.tsv")
    }

    @Test func missingSourceFileIsAnIOErrorAndNoStore() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let e = kuaiError { _ = try Converter.convert(sources: [dir.path + "/click.csv"], to: dir.path + "/s.kuai") }
        #expect(e?.kind == .io)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/s.kuai"))
    }

    @Test func miniSampleConvertsAndVerifies() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var o = ConvertOptions()
        o.csv.chunkBytes = 64 << 10
        o.csv.batchRows = 5000
        let summaries = try Converter.convert(sources: [RepoPaths.mini.path], to: dir.path + "/mini.kuai", options: o)
        let store = try Store.open(at: dir.path + "/mini.kuai")
        #expect(store.verify().isEmpty)
        for s in summaries {
            let expected = MiniExpected.aggregates[s.name]!
            let firstColumn = expected[KuaiLiveSchema.tables[s.name]![0].name]!
            #expect(.int(Int64(s.rows)) == firstColumn[0], "\(s.name)")
            let t = try store.table(s.name)
            // Sum of every BIGINT column read back from the store equals DuckDB's.
            for (c, f) in t.schema.enumerated() where f.type == .bigint {
                var sum: Int64 = 0
                for b in 0..<t.blockCount {
                    let col = try t.readColumn(c, block: b)
                    for i in 0..<col.count where col.isValid(i) { sum += col.ints[i] }
                }
                #expect(.int(sum) == expected[f.name]![2], "\(s.name).\(f.name)")
            }
        }
    }
}
