import Foundation
import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiIngest

let badInputs: [BadCSV] = [
    BadCSV(
        "too few fields", "like.csv", KuaiLiveCSV.like + "1,2,3,4\n5,6,7\n", "like.csv:3:4",
        "too few fields: expected 4, found 3"
    ),
    BadCSV(
        "too few fields (one)", "like.csv", KuaiLiveCSV.like + "1,2,3,4\n5\n", "like.csv:3:2",
        "too few fields: expected 4, found 1"),
    BadCSV(
        "too many fields", "like.csv", KuaiLiveCSV.like + "1,2,3,4,5,6\n", "like.csv:2:5",
        "too many fields: expected 4, found 6"),
    BadCSV(
        "too many fields (trailing comma)", "like.csv", KuaiLiveCSV.like + "1,2,3,4,\n", "like.csv:2:5",
        "too many fields: expected 4, found 5"),
    BadCSV(
        "unterminated quote", "like.csv", KuaiLiveCSV.like + "1,2,3,4\n1,\"2,3,4\n5,6,7,8\n", "like.csv:3:2",
        "unterminated quoted field"),
    BadCSV("text after closing quote", "t.csv", "a,b\nx,\"y\"z\n", "t.csv:2:2", "after the closing quote"),
    BadCSV(
        "non-numeric BIGINT", "like.csv", KuaiLiveCSV.like + "1,2,3,4\n1,abc,3,4\n", "like.csv:3:2",
        "expected a BIGINT (64-bit integer), found 'abc'"),
    BadCSV(
        "decimal in BIGINT", "gift.csv", "user_id,live_id,streamer_id,timestamp,gift_price\n1,2,3,4,5.5\n",
        "gift.csv:2:5",
        "expected a BIGINT (64-bit integer), found '5.5'"),
    BadCSV(
        "BIGINT too large", "like.csv", KuaiLiveCSV.like + "1,2,3,9223372036854775808\n", "like.csv:2:4",
        "number too large for BIGINT"),
    BadCSV(
        "BIGINT too small", "like.csv", KuaiLiveCSV.like + "-9223372036854775809,2,3,4\n", "like.csv:2:1",
        "number too large for BIGINT"),
    BadCSV(
        "BIGINT 30 digits", "like.csv", KuaiLiveCSV.like + "1,123456789012345678901234567890,3,4\n", "like.csv:2:2",
        "number too large for BIGINT"),
    BadCSV(
        "bad date (no Feb 30)", "user.csv",
        KuaiLiveCSV.user + KuaiLiveCSV.userRow
            + KuaiLiveCSV.userRow.replacingOccurrences(of: "2023-05-03,0-10", with: "2023-02-30,0-10"),
        "user.csv:3:7", "expected a DATE written YYYY-MM-DD, found '2023-02-30'"),
    BadCSV(
        "bad date (format)", "user.csv",
        KuaiLiveCSV.user
            + KuaiLiveCSV.userRow.replacingOccurrences(of: "2023-05-03,0-50000", with: "05/03/2023,0-50000"),
        "user.csv:2:10", "expected a DATE written YYYY-MM-DD, found '05/03/2023'"),
    BadCSV(
        "header mismatch", "click.csv", "user_id,live_id,streamer,timestamp,watch_live_time\n1,2,3,4,5\n",
        "click.csv:1:3",
        "expected column 3 to be 'streamer_id', found 'streamer'"),
    BadCSV(
        "header missing column", "like.csv", "user_id,live_id,streamer_id\n1,2,3\n", "like.csv:1:4",
        "missing column 'timestamp'"),
    BadCSV(
        "header extra column", "like.csv", "user_id,live_id,streamer_id,timestamp,x\n1,2,3,4,5\n", "like.csv:1:5",
        "unexpected column 'x'"),
    BadCSV("empty file", "like.csv", "", "like.csv:1:1", "empty file"),
    BadCSV("BOM only", "t.csv", "\u{FEFF}", "t.csv:1:1", "empty file"),
    BadCSV("blank header", "t.csv", "\n1,2\n", "t.csv:1:1", "empty header line"),
    BadCSV(
        "binary header", "t.csv", bytes: [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x2C, 0x0A, 0x00, 0xFF], "t.csv:1:1",
        "not a CSV text file"),
    BadCSV("NUL in a string", "t.csv", bytes: Array("a,b\n1,x\n2,y\0z\n".utf8), "t.csv:3:2", "NUL byte"),
    BadCSV(
        "invalid UTF-8 in a string", "t.csv", bytes: Array("a,b\n1,x\n2,".utf8) + [0xC3, 0x28] + [0x0A], "t.csv:3:2",
        "not valid UTF-8"),
    BadCSV(
        "NUL in a number", "like.csv", bytes: Array((KuaiLiveCSV.like + "1,2\0,3,4\n").utf8), "like.csv:2:2", "NUL byte"
    ),
    BadCSV(
        "line numbers after quoted newlines", "room.csv",
        KuaiLiveCSV.room + "1,2,3,4,5,6,\"a\nb\",8\n1,2,3,4,5,6,\"p\r\nq\r\n\",8\nx,2,3,4,5,6,c,8\n", "room.csv:7:1",
        "found 'x'"),
    BadCSV(
        "error in a later line", "like.csv",
        KuaiLiveCSV.like + String(repeating: "1,2,3,4\n", count: 999) + "1,2,3,x4\n",
        "like.csv:1001:4", "found 'x4'"),
]

@Suite struct CSVErrorTests {
    @Test(arguments: badInputs)
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
            #expect(e?.location == dir.path + "/" + bad.location, "\(bad.name): \(e?.description ?? "no error")")
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
