import Foundation
import KuaiCore
import KuaiPlan
import KuaiSQL
import KuaiTestSupport
import Testing

/// The rows of a statement's result as DuckDB's `COPY ... (HEADER)` CSV.
/// The KuaiError that running `sql` in `session` raises; nil, with an issue recorded, when it
/// succeeds or raises another error.
func sessionError(_ session: Session, _ sql: String) -> KuaiError? {
    do {
        _ = try sessionCSV(session, sql)
        Issue.record("no error for \(sql)")
    } catch let e as KuaiError {
        return e
    } catch {
        Issue.record("not a KuaiError for \(sql): \(error)")
    }
    return nil
}

func sessionCSV(_ session: Session, _ sql: String) throws -> String {
    switch try session.execute(sql) {
    case .rows(let rows):
        var out = ""
        ResultWriter.write(try rows.collect(), format: .csv) { out += $0 }
        return out
    case .outcome(let o):
        var out = ""
        ResultWriter.write(o.duckDBResult, format: .csv) { out += $0 }
        return out
    }
}

/// Session over in-memory tables and files read in place; expected text from DuckDB 2.0.1
/// (`COPY (<query>) TO 'x.csv' (HEADER)` run in the repository root).
@Suite struct SessionReadTests {
    static let gift = RepoPaths.edge.appendingPathComponent("gift.csv").path

    @Test func selectStreamsRows() throws {
        let s = Session(tables: [engineTable()])
        guard case .rows(let rows) = try s.execute("SELECT id, name FROM t WHERE id > 1 ORDER BY id") else {
            Issue.record("no rows")
            return
        }
        #expect(rows.schema == [Field("id", .bigint), Field("name", .varchar)])
        var n = 0
        while let b = try rows.next() { n += b.count }
        #expect(n == 3)
        #expect(try rows.next() == nil)
    }

    @Test func fileReadInPlace() throws {
        let s = Session(tables: [])
        #expect(
            try sessionCSV(
                s, "SELECT user_id, count(*) AS n, sum(gift_price) AS s FROM '\(Self.gift)' GROUP BY ALL ORDER BY ALL")
                == "user_id,n,s\n1,2,2\n3,1,1000000\n5,1,3\n8,1,1\n,1,6\n")
        #expect(
            try sessionCSV(
                s,
                "SELECT g.live_id, typeof(g.timestamp) FROM read_csv('\(Self.gift)', header = true) g WHERE gift_price > 5 ORDER BY 1"
            ) == "live_id,\"typeof(g.\"\"timestamp\"\")\"\n101,BIGINT\n104,BIGINT\n")
    }

    @Test(arguments: [
        ("SELECT * FROM read_csv('/no/such/file.csv')", KuaiError.Kind.io),
        ("SELECT * FROM read_csv('x.csv', heder = true)", .binding),
        ("SELECT * FROM read_parquet_nope('x')", .binding),
        ("SELECT * FROM 'x.unknown'", .binding),
        ("SELECT * FROM read_csv(1)", .binding),
    ])
    func tableFunctionErrors(_ sql: String, _ kind: KuaiError.Kind) {
        let s = Session(tables: [])
        do {
            _ = try sessionCSV(s, sql)
            Issue.record("no error for \(sql)")
        } catch let e as KuaiError {
            #expect(e.kind == kind, "\(e)")
            #expect(e.location != nil)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func csvErrorsNameFileLineColumn() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let f = dir.write("bad.csv", "a,b\n1,2\n3,x\n")
        let s = Session(tables: [])
        // Column b is inferred BIGINT from the sample unless the sample sees "x": sample 1 row.
        let e = sessionError(s, "SELECT * FROM read_csv('\(f)', sample_size = 1)")
        #expect(e?.kind == .csv)
        #expect(e?.location == f + ":3:2", "\(String(describing: e))")  // line 3, field 2 (b)
    }

    /// DESCRIBE of a CSV reads its header and type sample only (DuckDB's sniffer does the same): a bad
    /// row after the sample does not stop it, while every query that reads its bad value, a LIMIT that
    /// reaches it included, still fails with its error. A LIMIT that ends before it stops reading there
    /// and answers (DuckDB streams the file the same way), and so does a query that does not read the
    /// bad value's column (count(*), `a`): it is scanned, not converted (projection pushdown, as DuckDB).
    @Test func describeOfACSVReadsOnlyTheSample() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let f = dir.write("late.csv", "a,b\n1,2\n3,4\n5,x\n")
        let s = Session(tables: [])
        #expect(
            try sessionCSV(s, "DESCRIBE SELECT * FROM read_csv('\(f)', sample_size = 2)")
                == "column_name,column_type,null,key,default,extra\na,BIGINT,YES,,,\nb,BIGINT,YES,,,\n")
        #expect(try sessionCSV(s, "SELECT * FROM read_csv('\(f)', sample_size = 2) LIMIT 2") == "a,b\n1,2\n3,4\n")
        #expect(try sessionCSV(s, "SELECT count(*) FROM read_csv('\(f)', sample_size = 2)") == "count_star()\n3\n")
        #expect(try sessionCSV(s, "SELECT sum(a) AS s FROM read_csv('\(f)', sample_size = 2)") == "s\n9\n")
        for q in [
            "SELECT * FROM read_csv('\(f)', sample_size = 2) LIMIT 3",
            "SELECT * FROM read_csv('\(f)', sample_size = 2) LIMIT 1 OFFSET 2",
            "SELECT sum(b) FROM read_csv('\(f)', sample_size = 2)",
        ] {
            let e = sessionError(s, q)
            #expect(e?.kind == .csv)
            #expect(e?.location == f + ":4:2", "\(String(describing: e))")
        }
    }

    /// A LIMIT over a CSV file (through projections) reads only the rows it needs, across the
    /// reader's 65,536-row batches, with OFFSET, and keeps the file's order.
    @Test func csvLimitReadsAPrefixInFileOrder() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var text = "k,v\n"
        for k in 0..<200_000 { text += "\(k),\(k * 3)\n" }
        let f = dir.write("rows.csv", text)
        let s = Session(tables: [])
        #expect(
            try sessionCSV(s, "SELECT k, v - k AS d FROM '\(f)' LIMIT 3 OFFSET 65535")
                == "k,d\n65535,131070\n65536,131072\n65537,131074\n")
        #expect(try sessionCSV(s, "SELECT count(*) AS n FROM (SELECT * FROM '\(f)' LIMIT 140000)") == "n\n140000\n")
        #expect(try sessionCSV(s, "SELECT * FROM '\(f)' LIMIT 0") == "k,v\n")
        #expect(
            try sessionCSV(s, "SELECT max(k) AS m FROM (SELECT k FROM '\(f)' LIMIT 10 OFFSET 199995)") == "m\n199999\n")
    }

    /// A semicolon-, tab- or pipe-separated file read by read_csv or `FROM 'file.csv'` has its
    /// delimiter detected (DuckDB's sniffer reads columns a and b), or given with delim / sep; a
    /// comma given for such a file is an error saying what the file looks like, not one VARCHAR
    /// column named "a;b" (issue 13).
    @Test func otherDelimitersAreDetectedOrGiven() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let s = Session(tables: [])
        for (name, text, delim, shown) in [
            ("semi.csv", "a;b\n1;2\n", ";", "';'"), ("tab.tsv", "a\tb\n1\t2\n", "\\t", "tab"),
            ("pipe.csv", "a|b\n1|2\n", "|", "'|'"),
        ] {
            let f = dir.write(name, text)
            for sql in [
                "SELECT * FROM read_csv('\(f)')", "SELECT * FROM '\(f)'",
                "SELECT * FROM read_csv('\(f)', delim = '\(delim)')",
                "SELECT * FROM read_csv('\(f)', sep = '\(delim)')",
            ] {
                #expect(try sessionCSV(s, sql) == "a,b\n1,2\n", "\(sql)")
            }
            let e = sessionError(s, "SELECT * FROM read_csv('\(f)', delim = ',')")
            #expect(e?.kind == .csv)
            #expect(e?.location == f + ":1:1", "\(String(describing: e))")
            #expect(e?.message.contains("looks \(shown)-separated, not ','-separated") == true)
        }
    }

    @Test func writingStatementsNeedAWritableSession() {
        let s = Session(tables: [engineTable()])
        for sql in ["CREATE TABLE u AS SELECT 1", "DROP TABLE t", "INSERT INTO t SELECT * FROM t"] {
            #expect(throws: KuaiError.self) { try s.execute(sql) }
        }
    }

    @Test func scriptRunsStatementByStatement() throws {
        let s = Session(tables: [engineTable()])
        let script = SQLScript("SELECT count(*) AS n FROM t;\nSELECT max(id) AS m FROM t;\nSELECT nope FROM t;")
        var outputs: [String] = []
        for st in script.statements {
            do {
                guard case .rows(let r) = try s.execute(try script.parse(st)) else { continue }
                var text = ""
                ResultWriter.write(try r.collect(), format: .csv) { text += $0 }
                outputs.append(text)
            } catch let e as KuaiError {
                outputs.append("error at \(e.location ?? "")")
                break
            }
        }
        #expect(outputs == ["n\n5\n", "m\n4\n", "error at query:3:8"])
    }
}

/// `FROM 'x.parquet'`, `read_parquet(...)` and globs over the Parquet fixtures (written by DuckDB
/// and pyarrow, Tools/parquet_fixtures.py); expected text from DuckDB 2.0.1 (`COPY (<query>) TO
/// 'x.csv' (HEADER)` run in the repository root).
@Suite struct SessionParquetTests {
    static let dir = RepoPaths.root.appendingPathComponent("Tests/Fixtures/parquet").path

    @Test(arguments: [
        (
            "SELECT cat, count(*) AS n, sum(i32) AS s, min(dt) AS mn, max(ts) AS mx, count(flag) AS f FROM '\(dir)/duckdb-zstd.parquet' GROUP BY ALL ORDER BY ALL",
            "cat,n,s,mn,mx,f\n\"\",47,-17068,2025-05-05,2025-05-04 10:15:13.579911,46\nchat,48,108928,2025-05-04,2025-05-04 10:04:56.295966,47\ngame,47,-59152,2025-05-04,2025-05-04 10:09:03.209544,45\nother,47,114563,2025-05-04,2025-05-04 10:13:10.123122,46\nshop,48,7807,2025-05-05,2025-05-04 10:06:59.752755,46\ntalent,47,-110728,2025-05-05,2025-05-04 10:11:06.666333,45\n,16,-111748,2025-05-04,2025-05-04 09:11:26.419452,16\n"
        ),
        (
            "SELECT count(*) AS n, count(name) AS c, sum(i64) AS s, round(sum(d), 2) AS d FROM read_parquet('\(dir)/pyarrow-delta-v2.parquet')",
            "n,c,s,d\n300,287,524656127636000,1296.0\n"
        ),
        ("SELECT count(*) AS n FROM read_parquet('\(dir)/duckdb-*.parquet')", "n\n1800\n"),
        (
            "SELECT count(*) AS n, min(i64) AS lo FROM '\(dir)/pyarrow-snappy-v2.parquet' WHERE i64 > 1746485641506",
            "n,lo\n276,1747275764963\n"
        ),
        (
            "SELECT typeof(max(ts)) AS t, max(ts) AS m FROM '\(dir)/pyarrow-int96.parquet'",
            "t,m\nTIMESTAMP,2025-05-04 10:15:13.579911\n"
        ),
    ])
    func answersLikeDuckDB(_ sql: String, _ expected: String) throws {
        #expect(try sessionCSV(Session(tables: []), sql) == expected)
    }

    /// COPY ... (FORMAT parquet) and back: the same grouped answer as DuckDB's over the source file,
    /// for a single file and for a PARTITION_BY folder (the partition column read back from the
    /// folder names).
    @Test(arguments: ["(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100)", "(FORMAT parquet, PARTITION_BY (cat))"])
    func copyToParquetAndBack(_ options: String) throws {
        let tmp = NSTemporaryDirectory() + "kuai-copy-parquet-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let partitioned = options.contains("PARTITION_BY")
        let target = tmp + (partitioned ? "/p" : "/x.parquet")
        let s = Session(tables: [])
        _ = try sessionCSV(s, "COPY (SELECT * FROM '\(Self.dir)/duckdb-zstd.parquet') TO '\(target)' \(options)")
        let source = partitioned ? "read_parquet('\(target)/**/*.parquet')" : "'\(target)'"
        #expect(
            try sessionCSV(
                s,
                "SELECT cat, count(*) AS n, sum(i32) AS s, min(dt) AS mn, max(ts) AS mx, count(flag) AS f FROM \(source) GROUP BY ALL ORDER BY ALL"
            )
                == "cat,n,s,mn,mx,f\n\"\",47,-17068,2025-05-05,2025-05-04 10:15:13.579911,46\nchat,48,108928,2025-05-04,2025-05-04 10:04:56.295966,47\ngame,47,-59152,2025-05-04,2025-05-04 10:09:03.209544,45\nother,47,114563,2025-05-04,2025-05-04 10:13:10.123122,46\nshop,48,7807,2025-05-05,2025-05-04 10:06:59.752755,46\ntalent,47,-110728,2025-05-05,2025-05-04 10:11:06.666333,45\n,16,-111748,2025-05-04,2025-05-04 09:11:26.419452,16\n"
        )
    }

    @Test func missingFileAndNestedErrors() throws {
        let s = Session(tables: [])
        #expect { _ = try sessionCSV(s, "SELECT * FROM read_parquet('/no/such/*.parquet')") } throws: {
            ($0 as? KuaiError)?.kind == .io
        }
        #expect { _ = try sessionCSV(s, "SELECT * FROM read_parquet('\(Self.dir)/x.parquet', nope = 1)") } throws: {
            ($0 as? KuaiError)?.kind == .binding
        }
    }
}
