import Foundation
import KuaiCore
import KuaiFormat
import Testing

@testable import KuaiIngest

/// The kuai-convert executable beside the test bundle (built by `swift build --build-tests`
/// and by `swift test`), or nil.
let kuaiConvertBinary: String? = {
    let dir = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
    let p = dir + "/kuai-convert"
    return FileManager.default.isExecutableFile(atPath: p) ? p : nil
}()

/// Runs kuai-convert with `args`; returns exit status, stdout and stderr.
func runConvert(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: kuaiConvertBinary!)
    p.arguments = args
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

@Suite(.enabled(if: kuaiConvertBinary != nil, "kuai-convert is not built next to the tests"))
struct CLITests {
    @Test func convertThenVerify() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = dir.path + "/s.kuai"
        let r = try runConvert([seedSampleDir, "-o", store])
        #expect(r.status == 0, "\(r.err)")
        // Summary: one line per table and a total line, on stderr (not a terminal: no progress).
        let lines = r.err.split(separator: "\n")
        #expect(lines.count == 9)
        #expect(lines.first?.hasPrefix("user ") == true)
        #expect(lines.first?.contains("5 rows") == true)
        #expect(lines.last?.hasPrefix("total ") == true)
        #expect(lines.last?.contains("73 rows") == true)
        #expect(r.out.isEmpty)
        let v = try runConvert(["--verify", store])
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
        let bad = dir.write("like.csv", likeHeader + "1,2,3,99999999999999999999\n")
        let r = try runConvert([bad, "-o", dir.path + "/s.kuai"])
        #expect(r.status == 1)
        #expect(r.err.hasPrefix("kuai-convert: \(bad):2:4: csv error: number too large for BIGINT"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/s.kuai"))
    }

    @Test func rejectFileCountIsPrinted() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let like = dir.write("like.csv", likeHeader + "1,2,3,4\nx,2,3,4\n5,6,7,8,9\n")
        let rejects = dir.path + "/bad.txt"
        let r = try runConvert([like, "-o", dir.path + "/s.kuai", "--reject-file", rejects, "--quiet"])
        #expect(r.status == 0)
        #expect(r.err == "kuai-convert: rejected 2 bad rows of \(like) (listed in \(rejects))\n")
        #expect(try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n").count == 2)
    }

    @Test(arguments: [[String](), ["x.csv"], ["-o", "s"], ["--bogus"], ["--verify"]])
    func usageErrorsExitTwo(_ args: [String]) throws {
        let r = try runConvert(args)
        #expect(r.status == 2, "\(args)")
        #expect(r.err.hasPrefix("kuai-convert: "), "\(args)")
    }

    @Test func missingSourceAndDamagedStoreExitOne() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var r = try runConvert([dir.path + "/nope", "-o", dir.path + "/s.kuai"])
        #expect(r.status == 1)
        #expect(r.err == "kuai-convert: \(dir.path)/nope: io error: no such file or folder\n")
        r = try runConvert(["--verify", dir.path + "/nope"])
        #expect(r.status == 1)
        // Flip one byte in the middle of a column file: verify reports it.
        let store = dir.path + "/s.kuai"
        #expect(try runConvert([miniDir, "-o", store, "--quiet"]).status == 0)
        let col = store + "/" + (try Store.open(at: store).table("room").columnFilePath(1))
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: col)))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: col))
        r = try runConvert(["--verify", store])
        #expect(r.status == 1)
        #expect(r.err.contains("kuai-convert: "))
        #expect(r.out.isEmpty)
    }

    @Test func helpExitsZero() throws {
        let r = try runConvert(["--help"])
        #expect(r.status == 0)
        #expect(r.out.contains("USAGE: kuai-convert"))
    }
}

@Suite(.enabled(if: kuaiConvertBinary != nil, "kuai-convert is not built next to the tests"))
struct KillTests {
    /// kill -9 in the middle of a conversion: the earlier store at that path reads back unchanged,
    /// no half store appears, and the next run succeeds (and clears the dead run's temporary folder).
    @Test func killDuringConversionKeepsTheOldStore() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = dir.path + "/s.kuai"
        #expect(try runConvert([seedSampleDir, "-o", store, "--quiet"]).status == 0)
        let before = try storedRows(try Store.open(at: store).table("click"))

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
            let p = Process()
            p.executableURL = URL(fileURLWithPath: kuaiConvertBinary!)
            p.arguments = [src, "-o", store, "--quiet"]
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32(delayMs * 1000))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            #expect(
                p.terminationReason == .uncaughtSignal, "the conversion finished before the kill (delay \(delayMs) ms)")
            let s = try Store.open(at: store)
            #expect(s.tableNames == kuaiLiveTables)
            #expect(try storedRows(try s.table("click")) == before)
            #expect(s.verify().isEmpty)
        }
        // The next run succeeds, replaces the store and removes the dead runs' temporary folders.
        let r = try runConvert([src, "-o", store, "--quiet"])
        #expect(r.status == 0, "\(r.err)")
        let s = try Store.open(at: store)
        #expect(s.tableNames == ["click"])
        #expect(try s.table("click").rowCount == 1_000_000)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["big", "s.kuai"])
    }
}
