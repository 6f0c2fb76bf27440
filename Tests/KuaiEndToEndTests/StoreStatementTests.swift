import Foundation
import KuaiCore
import KuaiFormat
import KuaiPlan
import KuaiSQL
import KuaiTestSupport
import Testing

/// A read-write session on a fresh store in a temporary folder.
struct WritableStore {
    let dir = TempDir(prefix: "kuai-store")
    var path: String { dir.sub("s.kuai") }
    func session(_ settings: SessionSettings = SessionSettings()) throws -> Session {
        try Session(storePath: path, access: .readWrite, settings: settings)
    }
    func cleanup() { dir.cleanup() }

    /// Calls `body` with a fresh store and a read-write session on it; the store is removed afterwards.
    static func withSession<T>(_ body: (WritableStore, Session) throws -> T) throws -> T {
        let w = WritableStore()
        defer { w.cleanup() }
        return try body(w, try w.session())
    }

    /// Runs `script` (`runScript`) in a read-write session on a fresh store, removed afterwards.
    static func run(_ script: String) throws -> [String] {
        try withSession { try runScript($1, script) }
    }
}

/// Runs every statement of `script` in `session`; returns the CSV of each result (DuckDB's Count /
/// Success result for statements without rows).
@discardableResult
func runScript(_ session: Session, _ script: String) throws -> [String] {
    let s = SQLScript(script)
    var out: [String] = []
    for st in s.statements {
        var text = ""
        switch try session.execute(try s.parse(st)) {
        case .rows(let r): ResultWriter.write(try r.collect(), format: .csv) { text += $0 }
        case .outcome(let o): ResultWriter.write(o.duckDBResult, format: .csv) { text += $0 }
        }
        out.append(text)
    }
    return out
}

/// The error a statement throws (nil when it succeeds).
func statementError(_ session: Session, _ sql: String) -> KuaiError? {
    do {
        _ = try sessionCSV(session, sql)
        return nil
    } catch let e as KuaiError {
        return e
    } catch {
        return KuaiError(.execution, "\(error)")
    }
}

/// CREATE TABLE AS, views, DROP, ALTER and INSERT on a store, with DuckDB 2.0.1's answers (each expected
/// text is DuckDB's `COPY (...) TO 'x.csv' (HEADER)` or its Count result for the same statements).
@Suite struct StoreStatementTests {
    static let everyType = """
        SELECT i::BIGINT AS b, (i * 7)::INTEGER AS i32, CASE WHEN i % 3 = 0 THEN NULL ELSE sum(i) OVER () END AS s,
         i / 4 AS d, DATE '2025-05-26' - CAST(i AS INTEGER) AS dt, epoch_ms(1746374400022 + i * 3600000) AS ts,
         INTERVAL 8 HOUR AS iv, i % 2 = 0 AS flag, CASE WHEN i = 2 THEN NULL ELSE 'v' || i END AS str, NULL AS n
        FROM (VALUES (1), (2), (3), (4), (5)) v(i) ORDER BY i
        """
    static let everyTypeCSV = """
        b,i32,s,d,dt,ts,iv,flag,str,n
        1,7,15,0.25,2025-05-25,2025-05-04 17:00:00.022,08:00:00,false,v1,
        2,14,15,0.5,2025-05-24,2025-05-04 18:00:00.022,08:00:00,true,,
        3,21,,0.75,2025-05-23,2025-05-04 19:00:00.022,08:00:00,false,v3,
        4,28,15,1.0,2025-05-22,2025-05-04 20:00:00.022,08:00:00,true,v4,
        5,35,15,1.25,2025-05-21,2025-05-04 21:00:00.022,08:00:00,false,v5,

        """

    @Test func createTableAsKeepsEveryType() throws {
        try WritableStore.withSession { w, s throws in
            #expect(try runScript(s, "CREATE TABLE t AS " + Self.everyType) == ["Count\n5\n"])
            #expect(try sessionCSV(s, "SELECT * FROM t") == Self.everyTypeCSV)
            // A new session (another process) reads the same rows and types.
            let r = try Session(storePath: w.path)
            #expect(try sessionCSV(r, "SELECT * FROM t") == Self.everyTypeCSV)
            guard case .rows(let rows) = try r.execute("SELECT * FROM t") else { return }
            #expect(
                rows.schema.map(\.type) == [
                    .bigint, .integer, .hugeint, .double, .date, .timestamp, .interval, .boolean, .varchar, .null,
                ])
            #expect(try Store.open(at: w.path).verify().isEmpty)
        }
    }

    /// A high-cardinality VARCHAR written by CREATE TABLE AS is stored as plain strings after its first
    /// block (Formats/column-file.md, "VARCHAR: dictionary or plain"), so one column mixes dictionary
    /// and plain blocks, with string-bound zone maps: filters (pruned by those bounds), LIKE,
    /// aggregates, sort and join read it as DuckDB 2.0.1 answers.
    @Test func highCardinalityStringsReadBackFromPlainBlocks() throws {
        try WritableStore.withSession { w, s throws in
            try runScript(
                s,
                """
                CREATE TABLE t AS SELECT i, CASE WHEN i % 1000 = 7 THEN NULL ELSE 'k_' || (i * 7919 % 200000) END AS pk,
                  CASE i % 3 WHEN 0 THEN 'a' WHEN 1 THEN 'b' ELSE 'c' END AS cat FROM range(200000) t(i)
                """)
            let t = try Store.open(at: w.path).table("t")
            #expect(try t.blockInfo(column: 1, block: 1).encoding == .plainStrings)
            #expect(try t.blockInfo(column: 2, block: 1).encoding != .plainStrings)
            let expected: [(String, String)] = [
                (
                    "SELECT count(*), count(pk), count(DISTINCT pk), min(pk), max(pk) FROM t",
                    "count_star(),count(pk),count(DISTINCT pk),min(pk),max(pk)\n200000,199800,199800,k_0,k_99999\n"
                ),
                ("SELECT count(*) FROM t WHERE pk > 'k_199'", "count_star()\n89908\n"),
                ("SELECT i, pk FROM t WHERE pk = 'k_123456'", "i,pk\n178624,k_123456\n"),
                ("SELECT count(*) FROM t WHERE pk LIKE 'k_1999%'", "count_star()\n111\n"),
                (
                    "SELECT cat, count(*), min(pk), max(pk) FROM t WHERE pk BETWEEN 'k_5' AND 'k_6' GROUP BY cat ORDER BY cat",
                    "cat,count_star(),min(pk),max(pk)\na,3689,k_5,k_6\nb,3716,k_50,k_59992\nc,3696,k_500,k_59999\n"
                ),
                ("SELECT pk FROM t ORDER BY pk DESC NULLS LAST LIMIT 3", "pk\nk_99999\nk_99998\nk_99997\n"),
                (
                    "SELECT count(*) FROM t a JOIN t b ON a.pk = b.pk WHERE a.i < 70000 AND b.i >= 65536",
                    "count_star()\n4460\n"
                ),
            ]
            for (sql, csv) in expected { #expect(try sessionCSV(s, sql) == csv, "\(sql)") }
            #expect(try Store.open(at: w.path).verify().isEmpty)
        }
    }

    @Test func hugeintBeyond64Bits() throws {
        try WritableStore.withSession { w, s throws in
            try runScript(
                s,
                """
                CREATE TABLE h AS SELECT g, sum(x) AS s FROM (VALUES (1, 9223372036854775807), (1, 9223372036854775807),
                  (2, 5), (3, NULL), (4, -9223372036854775807), (4, -9223372036854775807)) v(g, x) GROUP BY g ORDER BY g
                """)
            let expected = "g,s\n1,18446744073709551614\n2,5\n3,\n4,-18446744073709551614\n"
            #expect(try sessionCSV(try Session(storePath: w.path), "SELECT * FROM h") == expected)
            #expect(try Store.open(at: w.path).verify().isEmpty)
        }
    }

    @Test func insertionOrderIsKept() throws {
        let out = try WritableStore.run(
            """
            CREATE TABLE t AS SELECT * FROM (VALUES (3, 'c'), (1, 'a'), (2, 'b')) v(k, name) ORDER BY k DESC;
            INSERT INTO t VALUES (0, 'z'), (9, 'y');
            INSERT INTO t SELECT k + 10, upper(name) FROM t WHERE k < 2;
            SELECT * FROM t;
            """)
        #expect(out == ["Count\n3\n", "Count\n2\n", "Count\n2\n", "k,name\n3,c\n2,b\n1,a\n0,z\n9,y\n11,A\n10,Z\n"])
    }

    @Test func ddlStatements() throws {
        let out = try WritableStore.run(
            """
            CREATE TABLE a AS SELECT 1 AS x;
            CREATE TABLE IF NOT EXISTS a AS SELECT 2 AS x;
            CREATE OR REPLACE TABLE a AS SELECT 3 AS x UNION ALL SELECT 4;
            ALTER TABLE a RENAME TO b;
            CREATE TABLE e (id INTEGER, name VARCHAR);
            INSERT INTO e (name, id) VALUES ('q', 7);
            INSERT INTO e (name) VALUES ('r');
            DROP TABLE IF EXISTS nope;
            SHOW TABLES;
            SELECT * FROM b;
            SELECT * FROM e;
            DROP TABLE b;
            SHOW TABLES;
            """)
        #expect(
            out == [
                "Count\n1\n", "Count\n", "Count\n2\n", "Success\n", "Count\n", "Count\n1\n", "Count\n1\n", "Success\n",
                "name\nb\ne\n", "x\n3\n4\n", "id,name\n7,q\n,r\n", "Success\n", "name\ne\n",
            ])
    }

    @Test func views() throws {
        try WritableStore.withSession { w, s throws in
            let out = try runScript(
                s,
                """
                CREATE TABLE t AS SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'a')) v(k, g);
                CREATE VIEW va AS SELECT k FROM t WHERE g = 'a';
                CREATE VIEW vc (grp, n) AS SELECT g, count(*) FROM t GROUP BY g;
                SELECT * FROM va ORDER BY k;
                INSERT INTO t VALUES (4, 'a');
                SELECT sum(k) AS s FROM va;
                SELECT v.grp, v.n FROM vc v ORDER BY 1;
                CREATE OR REPLACE VIEW va AS SELECT k * 10 AS k10 FROM t WHERE g = 'b';
                SELECT * FROM va;
                """)
            #expect(
                out == [
                    "Count\n3\n", "Count\n", "Count\n", "k\n1\n3\n", "Count\n1\n", "s\n8\n", "grp,n\na,3\nb,1\n",
                    "Count\n",
                    "k10\n20\n",
                ])
            // A view over a dropped table: a binding error naming the view, where the query uses it.
            try runScript(s, "DROP TABLE t")
            let e = statementError(s, "SELECT * FROM va")
            #expect(e?.kind == .binding)
            #expect(e?.location == "query:1:15")
            #expect(
                e?.message.contains("view \"va\"") == true && e?.message.contains("\"t\"") == true,
                "\(String(describing: e))")
            // The view text survives in the manifest: another session sees it.
            #expect(statementError(try Session(storePath: w.path), "SELECT * FROM vc")?.kind == .binding)
        }
    }

    static let errors: [(String, KuaiError.Kind, String)] = [
        ("CREATE TABLE t AS SELECT 2", .binding, "query:1:14"),
        ("CREATE TABLE v AS SELECT 2", .binding, "query:1:14"),
        ("CREATE VIEW t AS SELECT 2", .binding, "query:1:13"),
        ("CREATE VIEW w AS SELECT * FROM nope", .binding, "query:1:32"),
        ("DROP TABLE nope", .binding, "query:1:12"),
        ("DROP VIEW t", .binding, "query:1:11"),
        ("DROP TABLE v", .binding, "query:1:12"),
        ("ALTER TABLE nope RENAME TO x", .binding, "query:1:13"),
        ("ALTER TABLE t RENAME TO v", .binding, "query:1:25"),
        ("INSERT INTO nope VALUES (1)", .binding, "query:1:13"),
        ("INSERT INTO v VALUES (1)", .binding, "query:1:13"),
        ("INSERT INTO t VALUES (1)", .binding, "query:1:15"),
        ("INSERT INTO t VALUES (1, 'a', NULL, 4)", .binding, "query:1:15"),
        ("INSERT INTO t SELECT 1", .binding, "query:1:15"),
        ("INSERT INTO t (c) VALUES (5)", .binding, "query:1:16"),
        ("INSERT INTO t (a, a) VALUES (5, 6)", .binding, "query:1:19"),
        ("INSERT INTO t VALUES (DATE '2025-01-01', 'x', NULL)", .binding, "query:1:23"),
        ("INSERT INTO t VALUES (1, 'x', 3)", .binding, "query:1:31"),
        ("INSERT INTO t SELECT 1, 'x', 3", .binding, "query:1:30"),
        ("INSERT INTO t VALUES ('abc', 'a', NULL)", .execution, ""),
        ("INSERT INTO t VALUES (99999999999, 'a', NULL)", .execution, ""),
    ]

    /// Errors of DuckDB 2.0.1 for the same statements: Catalog errors for missing or existing names,
    /// Binder errors for INSERT's width and columns, Conversion errors for impossible casts (at bind
    /// time in kuai) and for values that do not convert (while rows flow). None changes the store.
    @Test(arguments: errors)
    func statementErrors(_ sql: String, _ kind: KuaiError.Kind, _ location: String) throws {
        try WritableStore.withSession { w, s throws in
            try runScript(
                s,
                "CREATE TABLE t AS SELECT 1::INTEGER AS a, 'x' AS b, DATE '2025-01-01' AS d; CREATE VIEW v AS SELECT * FROM t"
            )
            let before = snapshot(w.path)
            let e = statementError(s, sql)
            #expect(e?.kind == kind, "\(sql): \(String(describing: e))")
            if !location.isEmpty { #expect(e?.location == location, "\(sql): \(String(describing: e))") }
            #expect(snapshot(w.path) == before, "\(sql) changed the store")
            #expect(try sessionCSV(s, "SELECT * FROM t") == "a,b,d\n1,x,2025-01-01\n")
        }
    }

    @Test func insertCastsAsDuckDB() throws {
        let out = try WritableStore.run(
            """
            CREATE TABLE t AS SELECT 1::INTEGER AS a, 'x' AS b, DATE '2025-01-01' AS d;
            INSERT INTO t VALUES (true, 15, '2025-02-03');
            INSERT INTO t (b, a) VALUES ('q', 7);
            SELECT * FROM t;
            """)
        #expect(out.last == "a,b,d\n1,x,2025-01-01\n1,15,2025-02-03\n7,q,\n")
    }

    /// TINYINT and SMALLINT columns: written to the store (ids 13 and 12), range-checked on INSERT,
    /// read back with their types by another session, and written to Parquet as INT(8) / INT(16) and
    /// read back as the same types (DuckDB 2.0.1 answers the same statements with these rows and errors).
    @Test func narrowIntegersRoundTrip() throws {
        try WritableStore.withSession { w, s throws in
            let rows = "t,s\n-2,-600\n-1,-300\n0,0\n1,300\n2,600\n127,-32768\n"
            try runScript(
                s,
                """
                CREATE TABLE t AS SELECT CAST(i AS TINYINT) AS t, CAST(i * 300 AS SMALLINT) AS s FROM range(-2, 3) r(i);
                INSERT INTO t VALUES (127, -32768);
                """)
            #expect(
                statementError(s, "INSERT INTO t VALUES (128, 0)")?.message.contains("destination type INT8") == true)
            #expect(statementError(s, "INSERT INTO t VALUES ('5', '40000')")?.message.contains("to INT16") == true)
            let r = try Session(storePath: w.path)
            #expect(try sessionCSV(r, "SELECT * FROM t ORDER BY t") == rows)
            guard case .rows(let result) = try r.execute("SELECT * FROM t") else { return }
            #expect(result.schema.map(\.type) == [.tinyint, .smallint])
            #expect(try Store.open(at: w.path).verify().isEmpty)
            let file = w.dir.sub("t.parquet")
            try runScript(s, "COPY t TO '\(file)' (FORMAT parquet)")
            #expect(try sessionCSV(s, "SELECT * FROM read_parquet('\(file)') ORDER BY t") == rows)
            #expect(
                try sessionCSV(s, "SELECT typeof(t) AS a, typeof(s) AS b FROM read_parquet('\(file)') LIMIT 1")
                    == "a,b\nTINYINT,SMALLINT\n")
        }
    }

    @Test func readOnlySessionRefusesWrites() throws {
        let w = WritableStore()
        defer { w.cleanup() }
        try runScript(try w.session(), "CREATE TABLE t AS SELECT 1 AS x")
        let r = try Session(storePath: w.path)
        #expect(statementError(r, "DROP TABLE t")?.kind == .execution)
        #expect(try sessionCSV(r, "SELECT * FROM t") == "x\n1\n")
    }
}

@Suite struct NoStoreTests {
    /// Without --store and $KUAI_STORE, kuai-query works as DuckDB's in-memory database: queries
    /// without tables, files read in SQL, tables made in the run; the temporary store is gone after.
    @Test func runWithoutAStoreUsesATemporaryOne() throws {
        let tmp = TempDir(prefix: "kuai-nostore")
        defer { tmp.cleanup() }
        let csv = tmp.sub("t.csv")
        try "a,b\n1,x\n2,y\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let env = ["TMPDIR": tmp.path]
        let r = try runTool(
            .query,
            [
                "CREATE TABLE t AS SELECT * FROM read_csv('\(csv)'); SELECT sum(a) AS s, max(b) AS m FROM t; "
                    + "SELECT 40 + 2 AS x"
            ], env: env)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == "s,m\n3,y\nx\n42\n")
        let left = try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0.hasPrefix("kuai-memory") }
        #expect(left.isEmpty)
        // a failed run removes it too, and a second run does not see the first one's tables
        let failed = try runTool(.query, ["SELECT * FROM t"], env: env)
        #expect(failed.failedCleanly && failed.err.contains("\"t\""))
        let after = try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0.hasPrefix("kuai-memory") }
        #expect(after.isEmpty)
    }
}
