import Foundation

extension BadCSV {
    /// Bad CSV files and the error each must give, for the CSV reader (KuaiIngestTests) and for the
    /// built kuai-convert (KuaiEndToEndTests): `location` is `line:column` after the file's path,
    /// `message` a part of the error's message (issue 4, "Bad CSV input").
    public static let kuaiLiveCases: [BadCSV] = {
        let csv = KuaiLiveCSV.self
        return [
            BadCSV(
                "too few fields", "like.csv", csv.like + "1,2,3,4\n5,6,7\n", "3:4",
                "column \"timestamp\" (BIGINT): too few fields: expected 4, found 3"),
            BadCSV("too few fields (one)", "like.csv", csv.like + "1,2,3,4\n5\n", "3:2", "expected 4, found 1"),
            BadCSV(
                "too many fields", "like.csv", csv.like + "1,2,3,4,5,6\n", "2:5", "too many fields: expected 4, found 6"
            ),
            BadCSV("too many fields (trailing comma)", "like.csv", csv.like + "1,2,3,4,\n", "2:5", "found 5"),
            BadCSV(
                "unterminated quoted field", "like.csv", csv.like + "1,2,3,4\n1,\"2,3,4\n5,6,7,8\n", "3:2",
                "column \"live_id\" (BIGINT): unterminated quoted field"),
            BadCSV("text after closing quote", "t.csv", "a,b\nx,\"y\"z\n", "2:2", "after the closing quote"),
            BadCSV(
                "non-numeric BIGINT", "like.csv", csv.like + "1,2,3,4\n1,abc,3,4\n", "3:2",
                "column \"live_id\" (BIGINT): expected a BIGINT (64-bit integer), found 'abc'\n  line: 1,abc,3,4"),
            BadCSV(
                "decimal in BIGINT", "gift.csv", "user_id,live_id,streamer_id,timestamp,gift_price\n1,2,3,4,5.5\n",
                "2:5", "expected a BIGINT (64-bit integer), found '5.5'"),
            BadCSV(
                "number too large for BIGINT", "like.csv", csv.like + "1,2,3,9223372036854775808\n", "2:4",
                "column \"timestamp\" (BIGINT): number too large for BIGINT"),
            BadCSV(
                "BIGINT too small", "like.csv", csv.like + "-9223372036854775809,2,3,4\n", "2:1",
                "number too large for BIGINT"),
            BadCSV(
                "BIGINT 30 digits", "like.csv", csv.like + "1,123456789012345678901234567890,3,4\n", "2:2",
                "number too large for BIGINT"),
            BadCSV(
                "bad date (no Feb 30)", "user.csv",
                csv.user + csv.userRow
                    + csv.userRow.replacingOccurrences(of: "2023-05-03,0-10", with: "2023-02-30,0-10"),
                "3:7", "column \"reg_timestamp\" (DATE): expected a DATE written YYYY-MM-DD, found '2023-02-30'"),
            BadCSV(
                "bad date (format)", "user.csv",
                csv.user + csv.userRow.replacingOccurrences(of: "2023-05-03,0-50000", with: "05/03/2023,0-50000"),
                "2:10", "expected a DATE written YYYY-MM-DD, found '05/03/2023'"),
            BadCSV(
                "header not the KuaiLive table", "click.csv",
                "user_id,live_id,streamer,timestamp,watch_live_time\n1,2,3,4,5\n",
                "1:3", "expected column 3 to be 'streamer_id', found 'streamer'"),
            BadCSV(
                "header missing a column", "like.csv", "user_id,live_id,streamer_id\n1,2,3\n", "1:4",
                "missing column 'timestamp'"),
            BadCSV(
                "header extra column", "like.csv", "user_id,live_id,streamer_id,timestamp,x\n1,2,3,4,5\n", "1:5",
                "unexpected column 'x'"),
            BadCSV("empty file", "like.csv", "", "1:1", "empty file"),
            BadCSV("BOM only", "t.csv", "\u{FEFF}", "1:1", "empty file"),
            BadCSV("blank header", "t.csv", "\n1,2\n", "1:1", "empty header line"),
            BadCSV(
                "binary header", "t.csv", bytes: [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x2C, 0x0A, 0x00, 0xFF], "1:1",
                "not a CSV text file"),
            BadCSV(
                "binary file (gzip bytes)", "click.csv",
                bytes: [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x2C, 0x0A, 0x00, 0xFF, 0x00, 0x13],
                "1:1", "not a CSV text file"),
            BadCSV(
                "NUL byte in a field", "notes.csv", bytes: Array("id,note\n1,x\n2,y\0z\n".utf8), "3:2",
                "column \"note\" (VARCHAR, inferred): found binary data (a NUL byte): not a CSV text file\n  line: 2,y\\0z"
            ),
            BadCSV("NUL in a number", "like.csv", bytes: Array((csv.like + "1,2\0,3,4\n").utf8), "2:2", "NUL byte"),
            BadCSV(
                "invalid UTF-8", "notes.csv", bytes: Array("id,note\n1,x\n2,".utf8) + [0xC3, 0x28, 0x0A], "3:2",
                "column \"note\" (VARCHAR, inferred): found bytes that are not valid UTF-8: not a CSV text file\n  line: 2,\u{FFFD}("
            ),
            BadCSV(
                "line numbers count quoted newlines", "room.csv",
                csv.room + "1,2,3,4,5,6,\"a\nb\",8\n1,2,3,4,5,6,\"p\r\nq\r\n\",8\nx,2,3,4,5,6,c,8\n", "7:1",
                "column \"p_date\" (BIGINT): expected a BIGINT (64-bit integer), found 'x'"),
            BadCSV(
                "error in a later line", "like.csv",
                csv.like + String(repeating: "1,2,3,4\n", count: 999) + "1,2,3,x4\n",
                "1001:4", "found 'x4'"),
        ]
            + [(";", "';'"), ("\t", "tab")].map { separator, name in
                BadCSV(
                    "\(name)-separated file", "t.csv", "a\(separator)b\n1\(separator)2\n", "1:1",
                    "looks \(name)-separated, not ','-separated")
            }
    }()
}
