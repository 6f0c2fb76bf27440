import Foundation
import KuaiCore
import KuaiFormat
import KuaiTestSupport
import Testing

@testable import KuaiIngest

@Suite struct CLITests {
    @Test func convertThenVerify() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = dir.path + "/s.kuai"
        let r = try runTool(.convert, [RepoPaths.seedSample.path, "-o", store])
        #expect(r.status == 0, "\(r.err)")
        // Summary: one line per table and a total line, on stderr (not a terminal: no progress).
        let lines = r.err.split(separator: "\n")
        #expect(lines.count == 9)
        #expect(lines.first?.hasPrefix("user ") == true)
        #expect(lines.first?.contains("5 rows") == true)
        #expect(lines.last?.hasPrefix("total ") == true)
        #expect(lines.last?.contains("73 rows") == true)
        #expect(r.out.isEmpty)
        let v = try runTool(.convert, ["--verify", store])
        #expect(v.status == 0)
        let t = try Store.open(at: store)
        let blocks = try t.tableNames.reduce(0) {
            let x = try t.table($1)
            return $0 + x.blockCount * x.schema.count
        }
        #expect(v.out == "ok: 8 tables, \(blocks) blocks\n")
    }

    @Test func badCSVExitsOneWithLocation() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let bad = dir.write("like.csv", KuaiLiveCSV.like + "1,2,3,99999999999999999999\n")
        let r = try runTool(.convert, [bad, "-o", dir.path + "/s.kuai"])
        #expect(r.status == 1)
        #expect(
            r.err.hasPrefix(
                "kuai-convert: \(bad):2:4: csv error: column \"timestamp\" (BIGINT): number too large for BIGINT"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/s.kuai"))
    }

    @Test func rejectFileCountIsPrinted() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let like = dir.write("like.csv", KuaiLiveCSV.like + "1,2,3,4\nx,2,3,4\n5,6,7,8,9\n")
        let rejects = dir.path + "/bad.txt"
        let r = try runTool(.convert, [like, "-o", dir.path + "/s.kuai", "--reject-file", rejects, "--quiet"])
        #expect(r.status == 0)
        #expect(r.err == "kuai-convert: rejected 2 bad rows of \(like) (listed in \(rejects))\n")
        #expect(try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n").count == 2)
    }

    @Test(arguments: [[String](), ["x.csv"], ["-o", "s"], ["--bogus"], ["--verify"]])
    func usageErrorsExitTwo(_ args: [String]) throws {
        let r = try runTool(.convert, args)
        #expect(r.status == 2, "\(args)")
        #expect(r.err.hasPrefix("kuai-convert: "), "\(args)")
    }

    @Test func missingSourceAndDamagedStoreExitOne() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var r = try runTool(.convert, [dir.path + "/nope", "-o", dir.path + "/s.kuai"])
        #expect(r.status == 1)
        #expect(r.err == "kuai-convert: \(dir.path)/nope: io error: no such file or folder\n")
        r = try runTool(.convert, ["--verify", dir.path + "/nope"])
        #expect(r.status == 1)
        // Flip one byte in the middle of a column file: verify reports it.
        let store = dir.path + "/s.kuai"
        #expect(try runTool(.convert, [RepoPaths.mini.path, "-o", store, "--quiet"]).status == 0)
        let col = store + "/" + (try Store.open(at: store).table("room").columnFilePath(1))
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: col)))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: col))
        r = try runTool(.convert, ["--verify", store])
        #expect(r.status == 1)
        #expect(r.err.contains("kuai-convert: "))
        #expect(r.out.isEmpty)
    }

    @Test func helpExitsZero() throws {
        let r = try runTool(.convert, ["--help"])
        #expect(r.status == 0)
        #expect(r.out.contains("USAGE: kuai-convert"))
    }
}

@Suite struct KillTests {
    /// kill -9 in the middle of a conversion: the earlier store at that path reads back unchanged,
    /// no half store appears, and the next run succeeds (and clears the dead run's temporary folder).
    @Test func killDuringConversionKeepsTheOldStore() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = dir.path + "/s.kuai"
        #expect(try runTool(.convert, [RepoPaths.seedSample.path, "-o", store, "--quiet"]).status == 0)
        let before = try allRows(try Store.open(at: store).table("click"))

        // A click.csv big enough to take a while (about 40 MB).
        let src = dir.path + "/big"
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        var text = "user_id,live_id,streamer_id,timestamp,watch_live_time\n"
        var rng = SplitMix64(seed: 9)
        for _ in 0..<1_000_000 {
            text +=
                "\(rng.next() % 30000),\(rng.next() % 12_000_000),\(rng.next() % 450_000),\(1_746_374_400_000 + rng.next() % 1_814_400_000),\(rng.next() % 7_200_000)\n"
        }
        FileManager.default.createFile(atPath: src + "/click.csv", contents: Data(text.utf8))

        for delayMs in [30, 120] {
            let p = try KuaiTool.convert.start([src, "-o", store, "--quiet"])
            usleep(UInt32(delayMs * 1000))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            #expect(
                p.terminationReason == .uncaughtSignal, "the conversion finished before the kill (delay \(delayMs) ms)")
            let s = try Store.open(at: store)
            #expect(s.tableNames == RepoPaths.kuaiLiveTables)
            #expect(try allRows(try s.table("click")) == before)
            #expect(s.verify().isEmpty)
        }
        // The next run succeeds: it replaces click, keeps the other tables, and removes the dead runs'
        // files; --replace replaces the whole store.
        let r = try runTool(.convert, [src, "-o", store, "--quiet"])
        #expect(r.status == 0, "\(r.err)")
        var s = try Store.open(at: store)
        #expect(s.tableNames == RepoPaths.kuaiLiveTables)
        #expect(try s.table("click").rowCount == 1_000_000)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["big", "s.kuai"])
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: store).filter { $0.hasPrefix("gen-") }.count == 1)
        let all = try runTool(.convert, [src, "-o", store, "--quiet", "--replace"])
        #expect(all.status == 0, "\(all.err)")
        s = try Store.open(at: store)
        #expect(s.tableNames == ["click"])
        #expect(s.verify().isEmpty)
    }
}
