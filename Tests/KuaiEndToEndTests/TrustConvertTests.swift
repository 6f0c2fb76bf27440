import Foundation
import KuaiCore
import KuaiFormat
import KuaiTestSupport
import Testing

// Bad (BadCSV.kuaiLiveCases) and unusual CSV input fed to the built kuai-convert executable (issue 4, "Bad CSV input").
// Every bad case: exit status 1, stderr `kuai-convert: <file>:<line>:<column>: csv error:
// column "<name>" (<TYPE>): <what was expected>` (for an error in a field) and `  line: <the record>`, no store written at -o, no temporary folder left beside it, and an
// existing store at -o unchanged byte for byte. Expected values of the unusual-but-valid cases
// are DuckDB 2.0.1's answers over the same CSV text (`COPY (query) TO 'out.csv' (HEADER)`, the
// generator is in the comment above `unusualCases`).

/// `select * from`-style answers of DuckDB over the same CSV text: (case, file, text, query, CSV).
/// Regenerate with: for each case, `duckdb.connect().sql("create table T as select * from
/// read_csv('FILE')")` then `COPY (QUERY) TO 'out.csv' (HEADER)` and read out.csv with newline="".
let unusualCases: [(name: String, file: String, text: String, query: String, expected: String)] = [
    (
        "CRLF line ends", "like.csv",
        "user_id,live_id,streamer_id,timestamp\r\n1,2,3,1746374400022\r\n4,5,6,1746374400023\r\n",
        "select * from \"like\" order by user_id",
        "user_id,live_id,streamer_id,timestamp\n1,2,3,1746374400022\n4,5,6,1746374400023\n"
    ),
    (
        "UTF-8 byte order mark", "like.csv",
        "\u{FEFF}user_id,live_id,streamer_id,timestamp\n1,2,3,1746374400022\n4,5,6,1746374400023\n",
        "select * from \"like\" order by user_id",
        "user_id,live_id,streamer_id,timestamp\n1,2,3,1746374400022\n4,5,6,1746374400023\n"
    ),
    (
        "missing final newline", "like.csv",
        "user_id,live_id,streamer_id,timestamp\n1,2,3,1746374400022\n4,5,6,1746374400023",
        "select * from \"like\" order by user_id",
        "user_id,live_id,streamer_id,timestamp\n1,2,3,1746374400022\n4,5,6,1746374400023\n"
    ),
    (
        "quoted commas, quotes and newlines", "notes.csv",
        "id,note\n1,\"a,b\"\n2,\"say \"\"hi\"\"\"\n3,\"line1\nline2\"\n4,plain\n5,\"x\r\ny\"\n",
        "select id, note from notes order by id",
        "id,note\n1,\"a,b\"\n2,\"say \"\"hi\"\"\"\n3,\"line1\nline2\"\n4,plain\n5,\"x\r\ny\"\n"
    ),
    (
        "negative numbers and a quoted category", "room.csv",
        KuaiLiveCSV.room
            + "20250505,10,20,-124,1746374400022,1746378000022,shop,-1\n20250506,11,21,2,1746460800000,1748275200000,\"other, misc\",5\n",
        "select live_id, live_type, live_name_id, live_content_category from room order by live_id",
        "live_id,live_type,live_name_id,live_content_category\n10,-124,-1,shop\n11,2,5,\"other, misc\"\n"
    ),
    (
        "empty fields are NULL (counts)", "like.csv",
        "user_id,live_id,streamer_id,timestamp\n1,,3,\n,5,6,7\n8,9,10,11\n",
        "select count(*) as n, count(user_id) as u, count(live_id) as l, count(timestamp) as t, sum(timestamp) as s from \"like\"",
        "n,u,l,t,s\n3,2,2,2,18\n"
    ),
    (
        "empty fields are NULL (rows)", "like.csv", "user_id,live_id,streamer_id,timestamp\n1,,3,\n,5,6,7\n8,9,10,11\n",
        "select * from \"like\" order by streamer_id",
        "user_id,live_id,streamer_id,timestamp\n1,,3,\n,5,6,7\n8,9,10,11\n"
    ),
    (
        "header-only file is an empty table", "like.csv", "user_id,live_id,streamer_id,timestamp\n",
        "select count(*) as n, sum(user_id) as s from \"like\"", "n,s\n0,\n"
    ),
]

@Suite("Trust: kuai-convert on bad and unusual CSVs")
struct TrustConvertTests {
    /// A store converted from a good like.csv, used as "the earlier store at that path".
    static func goodStore(in dir: TempDir, name: String = "old.kuai") throws -> String {
        let src = dir.write("good/like.csv", KuaiLiveCSV.like + "1,2,3,4\n5,6,7,8\n")
        let store = dir.sub(name)
        let r = try kuaiConvert(src, "-o", store, "--quiet")
        try #require(r.status == 0 && !r.signaled, "\(r)")
        return store
    }

    @Test(arguments: BadCSV.kuaiLiveCases)
    func badCSVFailsAndWritesNothing(_ bad: BadCSV) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let src = dir.write("src/" + bad.file, bytes: bad.bytes)
        // 1. No store at -o: none is created.
        let fresh = dir.sub("new.kuai")
        let r = try kuaiConvert(src, "-o", fresh)
        #expect(r.failedCleanly && r.status == 1, "\(bad.name): \(r)")
        #expect(r.err.contains("kuai-convert: \(src):\(bad.location): csv error: "), "\(bad.name): \(r.err)")
        #expect(r.err.contains(bad.message), "\(bad.name): \(r.err)")
        #expect(!FileManager.default.fileExists(atPath: fresh), "\(bad.name): a store was written")
        // 2. An earlier store at -o: unchanged byte for byte, and no temporary folder remains.
        let old = try Self.goodStore(in: dir)
        let before = snapshot(old)
        let entriesBefore = dir.entries()
        let r2 = try kuaiConvert(src, "-o", old)
        #expect(r2.failedCleanly && r2.status == 1, "\(bad.name): \(r2)")
        #expect(committedSnapshot(old) == before, "\(bad.name): the earlier store changed")
        #expect(uncommittedLeftovers(in: old).isEmpty, "\(bad.name): \(uncommittedLeftovers(in: old))")
        #expect(dir.entries() == entriesBefore, "\(bad.name): folder now holds \(dir.entries())")
        #expect(leftoverTemporaries(in: dir.path).isEmpty)
        // The same bad file as the second source of a folder: the good first table is not kept either.
        let folder = dir.sub("src")
        dir.write("src/a.csv", "x,y\n1,2\n")  // sorts before every file of the cases
        let r3 = try kuaiConvert(folder, "-o", old)
        #expect(r3.failedCleanly, "\(bad.name): \(r3)")
        #expect(r3.err.contains("\(src):\(bad.location): csv error: "), "\(bad.name): \(r3.err)")
        #expect(committedSnapshot(old) == before, "\(bad.name): the earlier store changed (folder source)")
        #expect(uncommittedLeftovers(in: old).isEmpty)
        #expect(leftoverTemporaries(in: dir.path).isEmpty)
    }

    @Test func badRowDeepInABigFileIsLocatedExactly() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        // About 26 MB: more than one 16 MiB read chunk, parsed by both workers. Rows 2..<1000 hold
        // quoted newlines (two physical lines per record), so line numbers must count them.
        var text = "id,s,v\n"
        text.reserveCapacity(27_000_000)
        var line = 2
        for i in 0..<1_000 {
            text += "\(i),\"two\nlines\",\(i)\n"
            line += 2
        }
        let badRecord = 600_000
        for i in 1_000..<700_000 {
            if i == badRecord {
                text += "\(i),plain,12x\n"
                break
            }
            text += "\(i),plain,\(i * 7)\n"
            line += 1
        }
        text += "700001,plain,1\n"
        let src = dir.write("t.csv", text)
        let r = try kuaiConvert(src, "-o", dir.sub("s.kuai"))
        #expect(r.failedCleanly, "\(r)")
        #expect(r.err.contains("\(src):\(line):3: csv error: "), "\(r.err) (expected line \(line))")
        #expect(r.err.contains("'12x'"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: dir.sub("s.kuai")))
        #expect(leftoverTemporaries(in: dir.path).isEmpty)
    }

    @Test func missingSourceFile() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let old = try Self.goodStore(in: dir)
        let before = snapshot(old)
        let missing = dir.sub("nope/click.csv")
        for target in [dir.sub("new.kuai"), old] {
            let r = try kuaiConvert(missing, "-o", target)
            #expect(r.failedCleanly && r.status == 1, "\(r)")
            #expect(r.err.contains(missing), "\(r.err)")
            #expect(r.err.contains("io error"), "\(r.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.sub("new.kuai")))
        #expect(snapshot(old) == before)
        #expect(leftoverTemporaries(in: dir.path).isEmpty)
    }

    @Test(arguments: unusualCases.map(\.name))
    func unusualButValidCSVReadsAsDuckDBReadsIt(_ name: String) throws {
        let c = unusualCases.first { $0.name == name }!
        let dir = TempDir()
        defer { dir.cleanup() }
        let src = dir.write("src/" + c.file, c.text)
        let store = dir.sub("s.kuai")
        let r = try kuaiConvert(src, "-o", store)
        #expect(r.status == 0 && !r.signaled, "\(name): \(r)")
        let q = try kuaiQuery(store, c.query)
        #expect(q.status == 0 && !q.signaled, "\(name): \(q)")
        #expect(q.out == c.expected, "\(name): got \(q.out.debugDescription), DuckDB \(c.expected.debugDescription)")
    }

    @Test func headerOnlyFileIsAnEmptyTableWithItsSchema() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let src = dir.write("click.csv", KuaiLiveCSV.click)
        let store = dir.sub("s.kuai")
        let r = try kuaiConvert(src, "-o", store)
        #expect(r.status == 0, "\(r)")
        #expect(r.err.contains("0 rows"), "\(r.err)")
        let s = try Store.open(at: store)
        let t = try s.table("click")
        #expect(t.rowCount == 0)
        #expect(t.schema.map(\.name) == ["user_id", "live_id", "streamer_id", "timestamp", "watch_live_time"])
        #expect(t.schema.allSatisfy { $0.type == .bigint })
        let v = try kuaiConvert("--verify", store)
        #expect(v.status == 0, "\(v)")
        let q = try kuaiQuery(store, "select * from click")
        #expect(q.status == 0, "\(q)")
        #expect(q.out == "user_id,live_id,streamer_id,timestamp,watch_live_time\n", "\(q.out.debugDescription)")
    }

    /// Issue 13, "CSV errors name the column": an error in a field names the column by its header
    /// name and type (also for a type-inferred file, and in --reject-file rows) and shows the
    /// record, cut to 100 characters around the bad field.
    @Test func csvErrorsNameTheColumnAndShowTheLine() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var runs = 0
        func stderrOf(_ file: String, _ text: String) throws -> String {
            runs += 1
            let src = dir.write("src\(runs)/" + file, text)
            let r = try kuaiConvert(src, "-o", dir.sub("s\(runs).kuai"))
            #expect(r.failedCleanly && r.status == 1, "\(r)")
            return r.err.replacingOccurrences(of: src, with: file)
        }
        // KuaiLive table: the header's name and the schema's type.
        #expect(
            try stderrOf("like.csv", KuaiLiveCSV.like + "1,2,3,4\n1,abc,3,4\n")
                == """
                kuai-convert: like.csv:3:2: csv error: column "live_id" (BIGINT): expected a BIGINT (64-bit integer), found 'abc'
                  line: 1,abc,3,4

                """)
        // A long field after the bad one: the line is cut after 100 characters.
        let long = String(repeating: "x", count: 300)
        let cutTail = try stderrOf("like.csv", KuaiLiveCSV.like + "1,\(long),3,4\n")
        #expect(cutTail.hasSuffix("\n  line: 1," + String(repeating: "x", count: 98) + "…\n"), "\(cutTail)")
        // A long field before the bad one: the line is cut before it, the bad field shown.
        let y = String(repeating: "y", count: 300)
        let cutHead = try stderrOf("room.csv", KuaiLiveCSV.room + "1,2,3,4,5,6,\"\(y)\",x\n")
        #expect(cutHead.contains("room.csv:2:8: csv error: column \"live_name_id\" (BIGINT): "), "\(cutHead)")
        #expect(cutHead.hasSuffix("\n  line: …" + String(repeating: "y", count: 97) + "\",x\n"), "\(cutHead)")
        // A type-inferred file: the inferred type is said to be inferred.
        let sample = 20_000  // TypeInference.defaultSampleRows: the rows the types are inferred from
        var inferred = "a,b\n"
        for i in 0..<(sample + 10) { inferred += "\(i),s\n" }
        inferred += "x,s\n"
        let line = sample + 12
        #expect(
            try stderrOf("t.csv", inferred)
                == """
                kuai-convert: t.csv:\(line):1: csv error: column "a" (BIGINT, inferred): expected a BIGINT (64-bit integer), found 'x'
                  line: x,s

                """)
        // Control characters of the record are escaped: the message stays on two lines.
        let tabbed = try stderrOf("like.csv", KuaiLiveCSV.like + "1,\"a\tb\r\nc\",3,4\n")
        #expect(tabbed.hasSuffix("\n  line: 1,\"a\\tb\\r\\nc\",3,4\n"), "\(tabbed)")
        // --reject-file rows: the same words and the line, one row per bad record.
        let src = dir.write("rej/like.csv", KuaiLiveCSV.like + "1,2,3,4\n1,abc,3,4\n5,6\n")
        let rejects = dir.sub("rejects.txt")
        let r = try kuaiConvert(src, "-o", dir.sub("rej.kuai"), "--reject-file", rejects)
        #expect(r.status == 0, "\(r)")
        #expect(
            (try? String(contentsOfFile: rejects, encoding: .utf8)) == """
                \(src):3:2: column "live_id" (BIGINT): expected a BIGINT (64-bit integer), found 'abc'; line: 1,abc,3,4
                \(src):4:3: column "streamer_id" (BIGINT): too few fields: expected 4, found 2; line: 5,6

                """)
    }

    /// Issue 13: a header `x,X,x_1` converted with exit 0 into a table no query could read
    /// ("ambiguous"). Names are deduplicated case-insensitively as DuckDB 2.0.1 does; the expected
    /// names and rows are DuckDB's (`SELECT * FROM read_csv(...)`).
    @Test func headerNamesDifferingOnlyInCaseAreRenamed() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let src = dir.write("dup.csv", "x,X,x_1\n1,2,3\n")
        let store = dir.sub("s.kuai")
        let c = try kuaiConvert(src, "-o", store, "--quiet")
        try #require(c.status == 0, "\(c)")
        let q = try kuaiQuery(store, "select * from dup")
        #expect(q.status == 0 && q.out == "x,X_1,x_1_1\n1,2,3\n", "\(q)")
        let named = try kuaiQuery(store, "select x, X_1, x_1_1 from dup")
        #expect(named.status == 0 && named.out == "x,X_1,x_1_1\n1,2,3\n", "\(named)")
    }

    @Test func rejectFileSkipsBadRowsAndListsThem() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let src = dir.write(
            "like.csv",
            KuaiLiveCSV.like
                + "1,2,3,4\n"
                + "5,6,7\n"  // line 3: too few fields
                + "8,x,9,10\n"  // line 4: not a number
                + "11,12,13,14\n"
                + "20,21,22,23,24\n"  // line 6: too many fields
                + "25,26,27,9223372036854775808\n"  // line 7: too large
                + "30,31,32,33\n")
        let rejects = dir.sub("rejects.txt")
        let store = dir.sub("s.kuai")
        let r = try kuaiConvert(src, "-o", store, "--reject-file", rejects)
        #expect(r.status == 0 && !r.signaled, "\(r)")
        #expect(r.err.contains("rejected 4 bad rows of \(src)"), "\(r.err)")
        let lines =
            (try? String(contentsOfFile: rejects, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        #expect(lines.count == 4, "\(lines)")
        let want = [
            ("3:4", "too few fields"), ("4:2", "'x'"), ("6:5", "too many fields"), ("7:4", "too large for BIGINT"),
        ]
        for (i, (loc, reason)) in want.enumerated() where i < lines.count {
            #expect(lines[i].hasPrefix("\(src):\(loc): "), "\(lines[i])")
            #expect(lines[i].contains(reason), "\(lines[i])")
        }
        // The good rows are all there.
        let s = try Store.open(at: store)
        let t = try s.table("like")
        #expect(t.rowCount == 3)
        let ids = try t.readColumn(0, block: 0)
        #expect(ids.ints == [1, 11, 30])
        // Without --reject-file the first bad row stops the run.
        let r2 = try kuaiConvert(src, "-o", dir.sub("t.kuai"))
        #expect(r2.failedCleanly && r2.err.contains("\(src):3:4: csv error"), "\(r2)")
        #expect(!FileManager.default.fileExists(atPath: dir.sub("t.kuai")))
    }

    @Test func rejectFileWithNoBadRowsAndBadHeaders() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let good = dir.write("a/like.csv", KuaiLiveCSV.like + "1,2,3,4\n")
        let r = try kuaiConvert(good, "-o", dir.sub("s.kuai"), "--reject-file", dir.sub("rej.txt"))
        #expect(r.status == 0, "\(r)")
        #expect(r.err.contains("rejected 0 rows"), "\(r.err)")
        #expect((try? String(contentsOfFile: dir.sub("rej.txt"), encoding: .utf8)) == "")
        // A header that is not the KuaiLive table is not a row to skip: the run stops.
        let bad = dir.write("b/click.csv", "user_id,live_id\n1,2\n")
        let r2 = try kuaiConvert(bad, "-o", dir.sub("t.kuai"), "--reject-file", dir.sub("rej2.txt"))
        #expect(r2.failedCleanly && r2.err.contains("\(bad):1:"), "\(r2)")
        #expect(!FileManager.default.fileExists(atPath: dir.sub("t.kuai")))
        // A reject file that cannot be created: an error before anything is written.
        let r3 = try kuaiConvert(good, "-o", dir.sub("u.kuai"), "--reject-file", dir.sub("no/such/folder/rej.txt"))
        #expect(r3.failedCleanly, "\(r3)")
        #expect(!FileManager.default.fileExists(atPath: dir.sub("u.kuai")))
        #expect(leftoverTemporaries(in: dir.path).isEmpty)
    }

    @Test func outputThatIsNotAStoreIsNeverReplaced() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let good = dir.write("like.csv", KuaiLiveCSV.like + "1,2,3,4\n")
        let precious = dir.write("docs/thesis.txt", "do not delete")
        let r = try kuaiConvert(good, "-o", dir.sub("docs"))
        #expect(r.failedCleanly, "\(r)")
        #expect(FileManager.default.contents(atPath: precious) == Data("do not delete".utf8))
        let r2 = try kuaiConvert(good, "-o", precious)
        #expect(r2.failedCleanly, "\(r2)")
        #expect(FileManager.default.contents(atPath: precious) == Data("do not delete".utf8))
    }
}
