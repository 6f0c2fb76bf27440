import Foundation
import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiIngest

@Suite struct CSVErrorTests {
    @Test(arguments: BadCSV.kuaiLiveCases)
    func badInputIsAnErrorWithItsLocation(_ bad: BadCSV) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.write(bad.file, bytes: bad.bytes)
        // The same error whatever the chunking (tiny chunks put the bad row in a later chunk).
        for o in [
            options(), options(chunk: 16, batchRows: 2), options(chunk: 61, batchRows: 5, workers: 1),
            options(sampleRows: 2),
        ] {
            let e = kuaiError { _ = try CSVTableReader.readAll(path: path, table: bad.table, options: o) }
            #expect(e?.kind == .csv, "\(bad.name)")
            #expect(e?.location == path + ":" + bad.location, "\(bad.name): \(e?.description ?? "no error")")
            #expect(e?.message.contains(bad.message) == true, "\(bad.name): \(e?.message ?? "no error")")
        }
    }

    @Test func inferredTypeViolatedAfterTheSample() throws {
        var text = "a,b\n"
        for i in 0..<100 { text += "\(i),s\n" }
        text += "x,s\n"
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.write("t.csv", text)
        let e = kuaiError {
            _ = try CSVTableReader.readAll(path: path, table: "t", options: options(chunk: 64, sampleRows: 50))
        }
        #expect(e?.location == path + ":102:1")
        #expect(
            e?.message == "column \"a\" (BIGINT, inferred): expected a BIGINT (64-bit integer), found 'x'\n  line: x,s")
        // With a sample covering the bad row, the column is VARCHAR and there is no error.
        let r = try CSVTableReader.readAll(path: path, table: "t")
        #expect(r.schema[0].type == .varchar)
    }

    @Test func missingFileIsAnIOError() {
        let e = kuaiError { _ = try CSVTableReader.readAll(path: "/nonexistent/click.csv", table: "click") }
        #expect(e?.kind == .io)
        #expect(e?.location == "/nonexistent/click.csv")
        #expect(e?.message.contains("no such file") == true)
    }

    @Test func overlongRecordIsAnError() throws {
        let text = "a,b\n1,x\n2,\"" + String(repeating: "y", count: 5000) + "\n"
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.write("t.csv", text)
        for skip in [false, true] {
            let e = kuaiError {
                _ = try CSVTableReader.readAll(
                    path: path, table: "t", options: options(chunk: 64, skipBadRows: skip, maxRecordBytes: 1024))
            }
            #expect(e?.kind == .csv)
            #expect(e?.location == path + ":3:2")
            #expect(e?.message.contains("longer than 1024 bytes") == true, "\(e?.message ?? "")")
        }
    }

    @Test func rejectModeSkipsBadRowsAndReportsEach() throws {
        let text =
            KuaiLiveCSV.like
            + "1,2,3,4\n"
            + "5,6,7\n"  // line 3: too few
            + "8,x,9,10\n"  // line 4: not a number
            + "11,12,13,14\n"
            + "15,\"16\n17\",18,19\n"  // line 6-7: quoted newline in a BIGINT
            + "20,21,22,23,24\n"  // line 8: too many
            + "25,26,27,28\n"
            + "29,30,31,\"32"  // line 10: unterminated
        let expectedRows: [[Value]] = [
            [.int(1), .int(2), .int(3), .int(4)], [.int(11), .int(12), .int(13), .int(14)],
            [.int(25), .int(26), .int(27), .int(28)],
        ]
        for o in [
            options(skipBadRows: true), options(chunk: 16, batchRows: 1, skipBadRows: true),
            options(chunk: 40, workers: 1, skipBadRows: true),
        ] {
            let dir = TempDir()
            defer { dir.cleanup() }
            let path = dir.write("like.csv", text)
            let r = try readCSV(path, table: "like", o)
            #expect(r.rows == expectedRows)
            #expect(r.rejects.map(\.location) == ["3:4", "4:2", "6:2", "8:5", "10:4"].map { path + ":" + $0 })
            #expect(r.rejects[0].reason == "column \"timestamp\" (BIGINT): too few fields: expected 4, found 3")
            #expect(r.rejects[1].reason == "column \"live_id\" (BIGINT): expected a BIGINT (64-bit integer), found 'x'")
            #expect(r.rejects[2].reason.hasPrefix("column \"live_id\" (BIGINT): "))
            #expect(r.rejects[3].reason == "too many fields: expected 4, found 5")
            #expect(r.rejects[4].reason.hasPrefix("column \"timestamp\" (BIGINT): unterminated quoted field"))
            #expect(
                r.rejects.map(\.line) == [
                    "5,6,7", "8,x,9,10", "15,\"16\\n17\",18,19", "20,21,22,23,24", "29,30,31,\"32",
                ])
        }
    }

    @Test func headerErrorsAreFatalEvenWhenSkippingRows() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.write("like.csv", "user,live_id,streamer_id,timestamp\n1,2,3,4\n")
        let e = kuaiError {
            _ = try CSVTableReader.readAll(path: path, table: "like", options: options(skipBadRows: true))
        }
        #expect(e?.location == path + ":1:1")
    }
}
