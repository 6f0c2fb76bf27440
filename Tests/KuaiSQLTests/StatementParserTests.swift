import KuaiCore
import Testing

@testable import KuaiSQL

/// The writing statements (DuckDB's syntax, Formats/query-language.md "Statements") and their canonical
/// text; the canonical text parses back to itself.
@Suite struct StatementParserTests {
    static let cases: [(String, String)] = [
        ("CREATE TABLE t AS SELECT 1 AS a", "CREATE TABLE t AS SELECT 1 AS a"),
        ("create or replace table t as select * from click;", "CREATE OR REPLACE TABLE t AS SELECT * FROM click"),
        ("CREATE TABLE IF NOT EXISTS t AS (SELECT 1)", "CREATE TABLE IF NOT EXISTS t AS SELECT 1"),
        ("CREATE TABLE main.t AS VALUES (1, 'a')", "CREATE TABLE t AS VALUES (1, 'a')"),
        (
            "CREATE TABLE t AS WITH c AS (SELECT 1 AS x) SELECT x FROM c ORDER BY x",
            "CREATE TABLE t AS WITH c AS (SELECT 1 AS x) SELECT x FROM c ORDER BY x"
        ),
        ("CREATE TABLE t (a INTEGER, b varchar, c TIMESTAMP)", "CREATE TABLE t (a INTEGER, b VARCHAR, c TIMESTAMP)"),
        ("CREATE VIEW v AS SELECT a FROM t", "CREATE VIEW v AS SELECT a FROM t"),
        (
            "CREATE OR REPLACE VIEW v (x, y) AS SELECT a, b FROM t",
            "CREATE OR REPLACE VIEW v (x, y) AS SELECT a, b FROM t"
        ),
        ("CREATE VIEW IF NOT EXISTS v AS SELECT 1", "CREATE VIEW IF NOT EXISTS v AS SELECT 1"),
        ("DROP TABLE t", "DROP TABLE t"),
        ("drop table if exists \"user\"", "DROP TABLE IF EXISTS \"user\""),
        ("DROP VIEW IF EXISTS v", "DROP VIEW IF EXISTS v"),
        ("ALTER TABLE t RENAME TO u", "ALTER TABLE t RENAME TO u"),
        ("ALTER VIEW v RENAME TO w", "ALTER VIEW v RENAME TO w"),
        ("INSERT INTO t VALUES (1, 'a'), (2, NULL)", "INSERT INTO t VALUES (1, 'a'), (2, NULL)"),
        ("INSERT INTO t (b, a) VALUES ('x', 1)", "INSERT INTO t (b, a) VALUES ('x', 1)"),
        ("INSERT INTO t SELECT * FROM u WHERE a > 1", "INSERT INTO t SELECT * FROM u WHERE (a > 1)"),
        ("INSERT INTO t (SELECT 1, 2)", "INSERT INTO t SELECT 1, 2"),
        ("COPY t TO 'out/t.csv'", "COPY t TO 'out/t.csv'"),
        ("COPY t TO 'x.csv' (HEADER, DELIMITER '|')", "COPY t TO 'x.csv' (HEADER, DELIMITER '|')"),
        ("copy (select 1 as a) to 'x.json' (format json)", "COPY (SELECT 1 AS a) TO 'x.json' (FORMAT json)"),
        (
            "COPY t (a, b) TO 'x.csv' WITH (FORMAT 'csv', HEADER false)",
            "COPY t (a, b) TO 'x.csv' (FORMAT 'csv', HEADER false)"
        ),
        ("SELECT * FROM 'data/x.csv'", "SELECT * FROM 'data/x.csv'"),
        ("SELECT * FROM 'x.csv' AS f(a, b)", "SELECT * FROM 'x.csv' AS f(a, b)"),
        (
            "SELECT * FROM read_csv('x.csv', header = true, delim = ',') r",
            "SELECT * FROM read_csv('x.csv', header = true, delim = ',') AS r"
        ),
        ("SELECT count(*) FROM read_csv_auto('x.csv')", "SELECT count_star() FROM read_csv_auto('x.csv')"),
        ("CREATE MACRO f(x) AS x + 1", "CREATE MACRO f(x) AS (x + 1)"),
        (
            "create or replace temp function f(a, b := 1 + 2) as a * b",
            "CREATE OR REPLACE TEMP MACRO f(a, b := (1 + 2)) AS (a * b)"
        ),
        ("CREATE MACRO IF NOT EXISTS f() AS 42", "CREATE MACRO IF NOT EXISTS f() AS 42"),
        ("CREATE MACRO t(n) AS TABLE SELECT * FROM range(n)", "CREATE MACRO t(n) AS TABLE SELECT * FROM range(n)"),
        ("SELECT f(1, b := 2), g(a := 'x')", "SELECT f(1, b := 2), g(a := 'x')"),
        ("SELECT * FROM t(1, step := 2)", "SELECT * FROM t(1, step = 2)"),
        ("DROP MACRO f", "DROP MACRO f"),
        ("DROP MACRO TABLE IF EXISTS t", "DROP MACRO TABLE IF EXISTS t"),
        ("drop function f", "DROP MACRO f"),
    ]

    @Test(arguments: cases)
    func canonicalText(_ sql: String, _ expected: String) throws {
        let text = try Parser.parse(sql).sqlDescription
        #expect(text == expected)
        #expect(try Parser.parse(text).sqlDescription == expected)
    }

    @Test func createTableFields() throws {
        guard case .createTable(let c) = try Parser.parse("CREATE OR REPLACE TABLE t2 AS SELECT 1") else {
            Issue.record("not CREATE TABLE")
            return
        }
        #expect(c.name.name == "t2")
        #expect(c.name.position.column == 25)
        #expect(c.orReplace && !c.ifNotExists)
    }

    @Test func viewKeepsItsText() throws {
        guard case .createView(let v) = try Parser.parse("CREATE VIEW v AS  SELECT a,  b FROM t -- note\n ;") else {
            Issue.record("not CREATE VIEW")
            return
        }
        #expect(v.queryText == "SELECT a,  b FROM t")
    }

    @Test func copyOptions() throws {
        guard
            case .copy(let c) = try Parser.parse(
                "COPY (SELECT 1) TO '/tmp/a b.csv' (FORMAT csv, HEADER, DELIMITER '|')")
        else {
            Issue.record("not COPY")
            return
        }
        #expect(c.path == "/tmp/a b.csv")
        #expect(c.options.map(\.name) == ["format", "header", "delimiter"])
        #expect(c.options.map(\.value) == ["csv", nil, "|"])
        #expect(c.options.map(\.valueIsString) == [false, false, true])
    }

    static let errors: [(String, String)] = [
        ("CREATE OR REPLACE TABLE IF NOT EXISTS t AS SELECT 1", "query:1:25"),
        ("CREATE TABLE t", "query:1:15"),
        ("CREATE TEMP TABLE t AS SELECT 1", "query:1:8"),
        ("CREATE TABLE t (a INTEGER PRIMARY KEY)", "query:1:27"),
        ("CREATE TABLE t (a INTEGER, A BIGINT)", "query:1:28"),
        ("DROP INDEX i", "query:1:6"),
        ("ALTER TABLE t ADD COLUMN c INTEGER", "query:1:15"),
        ("INSERT t VALUES (1)", "query:1:8"),
        ("INSERT INTO t", "query:1:14"),
        ("COPY t FROM 'x.csv'", "query:1:8"),
        ("COPY t TO x", "query:1:11"),
        ("CREATE TABLE other.t AS SELECT 1", "query:1:14"),
        ("SELECT * FROM read_csv('x.csv', header = true, 'y')", "query:1:48"),
        ("SELECT 1; DROP TABLE t", "query:1:11"),
        ("CREATE MACRO f(x, X) AS x", "query:1:19"),
        ("CREATE MACRO f(a := 1, b) AS a", "query:1:24"),
        ("CREATE MACRO f(x INTEGER) AS x", "query:1:18"),
        ("CREATE MACRO f(x) AS x, (x, y) AS x + y", "query:1:23"),
        ("CREATE OR REPLACE MACRO IF NOT EXISTS f(x) AS x", "query:1:25"),
        ("CREATE MACRO f(x)", "query:1:18"),
        ("SELECT f(b := 1, 2)", "query:1:18"),
        ("SELECT f(b := 1, b := 2)", "query:1:18"),
        ("DROP MACRO VIEW v", "query:1:17"),
    ]

    @Test(arguments: errors)
    func syntaxErrors(_ sql: String, _ location: String) {
        #expect(throws: KuaiError.self) { try Parser.parse(sql) }
        do {
            _ = try Parser.parse(sql)
        } catch let e as KuaiError {
            #expect(e.kind == .syntax)
            #expect(e.location == location, "\(e)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

/// Splitting a script into statements (Script.swift): `;` inside strings, quoted names and comments
/// does not split; positions are those of the whole text.
@Suite struct ScriptTests {
    @Test func splitsOnSemicolons() {
        let text = "SELECT 1;\n  SELECT 'a;b' AS \"x;y\"; -- c;d\n/* e; */ SELECT E'\\';' ;;\n"
        let s = SQLScript(text)
        #expect(s.statements.map(\.text) == ["SELECT 1", "SELECT 'a;b' AS \"x;y\"", "SELECT E'\\';'"])
        #expect(s.statements.map(\.start.line) == [1, 2, 3])
        #expect(s.statements.map(\.start.column) == [1, 3, 10])
        for st in s.statements {
            #expect(String(decoding: s.bytes[st.range], as: UTF8.self) == st.text)
        }
    }

    @Test func lastStatementWithoutSemicolonAndEmptyOnes() {
        #expect(SQLScript("").statements.isEmpty)
        #expect(SQLScript(" ;; -- only a comment\n").statements.isEmpty)
        #expect(SQLScript("SELECT 1;\nSELECT 2").statements.map(\.text) == ["SELECT 1", "SELECT 2"])
        // "it's" spelled with a doubled quote, and an identifier ending in e before a string.
        #expect(SQLScript("SELECT 'it''s;'; SELECT type'x'").statements.count == 2)
    }

    @Test func unterminatedStringRunsToTheEnd() throws {
        let s = SQLScript("SELECT 1;\nSELECT 'abc;\nSELECT 2;")
        #expect(s.statements.count == 2)
        do {
            _ = try s.parse(s.statements[1])
            Issue.record("no error")
        } catch let e as KuaiError {
            #expect(e.location == "query:2:8")
        }
    }

    @Test func errorsNameScriptPositions() throws {
        let s = SQLScript("SELECT 1;\n\n  SELECT a FROM t WHERE;\n")
        #expect(try s.parse(s.statements[0]).sqlDescription == "SELECT 1")
        do {
            _ = try s.parse(s.statements[1])
            Issue.record("no error")
        } catch let e as KuaiError {
            #expect(e.kind == .syntax)
            #expect(e.location == "query:3:24", "\(e)")
        }
    }

    @Test(arguments: [
        ("SELECT 1;", true), ("SELECT 1", false), ("SELECT ';'", false), ("SELECT 1; -- done", true),
        ("SELECT 1; SELECT", false), ("/* ; */", false), ("SELECT \"a;\"", false), ("SELECT 1;\n", true),
        ("", false), ("SELECT 'a' /* x;", false),
    ])
    func completeness(_ text: String, _ complete: Bool) {
        #expect(SQLScript.isComplete(text) == complete)
    }
}
