import KuaiCore
import Testing

@testable import KuaiSQL

func query(_ sql: String) throws -> Query {
    guard case .select(let q) = try Parser.parse(sql) else { throw KuaiError(.syntax, "not a query") }
    return q
}

func core(_ sql: String) throws -> SelectCore {
    guard case .select(let c) = try query(sql).body else { throw KuaiError(.syntax, "not a simple SELECT") }
    return c
}

/// Statements and their canonical text (`Statement.sqlDescription`). Expectations follow the grammar in
/// Formats/query-language.md; the canonical text of every case also parses back to itself.
@Suite struct ParserTests {
    static let cases: [(String, String)] = [
        // select lists
        ("SELECT 1", "SELECT 1"),
        ("select 1;", "SELECT 1"),
        ("SELECT DISTINCT a, b FROM t", "SELECT DISTINCT a, b FROM t"),
        ("SELECT DISTINCT ON (a, b + 1) a, c FROM t", "SELECT DISTINCT ON (a, (b + 1)) a, c FROM t"),
        ("SELECT ALL a FROM t", "SELECT a FROM t"),
        ("SELECT * FROM t", "SELECT * FROM t"),
        ("SELECT t.*, u.a FROM t, u", "SELECT t.*, u.a FROM t CROSS JOIN u"),
        ("SELECT * EXCLUDE (a, b) FROM t", "SELECT * EXCLUDE (a, b) FROM t"),
        ("SELECT * EXCLUDE a FROM t", "SELECT * EXCLUDE (a) FROM t"),
        ("SELECT t.* EXCLUDE (a) FROM t", "SELECT t.* EXCLUDE (a) FROM t"),
        ("SELECT a AS x, b y, c \"Z z\", d AS 'w' FROM t", "SELECT a AS x, b AS y, c AS \"Z z\", d AS w FROM t"),
        ("SELECT 1 AS from", "SELECT 1 AS \"from\""),
        ("SELECT a, b, FROM t", "SELECT a, b FROM t"),
        (
            "SELECT a first, b value, c name, d count, e kind FROM t",
            "SELECT a AS \"first\", b AS \"value\", c AS \"name\", d AS count, e AS kind FROM t"
        ),
        // keywords as names
        ("SELECT timestamp FROM click ORDER BY timestamp", "SELECT \"timestamp\" FROM click ORDER BY \"timestamp\""),
        (
            "SELECT min(timestamp), max(date), first(day) FROM t",
            "SELECT min(\"timestamp\"), max(date), \"first\"(\"day\") FROM t"
        ),
        (
            "SELECT hour, year, value, name, kind, last FROM t",
            "SELECT \"hour\", \"year\", \"value\", \"name\", kind, \"last\" FROM t"
        ),
        (
            "WITH first AS (SELECT 1 AS x) SELECT f.x FROM first f",
            "WITH \"first\" AS (SELECT 1 AS x) SELECT f.x FROM \"first\" AS f"
        ),
        (
            "SELECT * FROM \"user\" u JOIN \"like\" l ON u.user_id = l.user_id",
            "SELECT * FROM \"user\" AS u INNER JOIN \"like\" AS l ON (u.user_id = l.user_id)"
        ),
        ("SELECT t.from FROM t", "SELECT t.\"from\" FROM t"),
        ("SELECT left(s, 2), right(s, 1) FROM t", "SELECT \"left\"(s, 2), \"right\"(s, 1) FROM t"),
        ("SELECT \"Mixed\", Upper FROM T", "SELECT Mixed, Upper FROM T"),
        // literals
        (
            "SELECT TIMESTAMP '2025-05-26 10:00:00', DATE '2025-05-26', timestamp FROM t",
            "SELECT CAST('2025-05-26 10:00:00' AS TIMESTAMP), CAST('2025-05-26' AS DATE), \"timestamp\" FROM t"
        ),
        ("SELECT INTEGER '5', VARCHAR 'x'", "SELECT CAST('5' AS INTEGER), CAST('x' AS VARCHAR)"),
        (
            "SELECT INTERVAL 8 HOUR, INTERVAL 2 DAYS, INTERVAL '8 hours', INTERVAL '1' DAY, INTERVAL (1 + 1) MINUTE",
            "SELECT to_hours(CAST(trunc(CAST(8 AS DOUBLE)) AS BIGINT)), to_days(CAST(trunc(CAST(2 AS DOUBLE)) AS INTEGER)), CAST('8 hours' AS INTERVAL), to_days(CAST(trunc(CAST(1 AS DOUBLE)) AS INTEGER)), to_minutes(CAST(trunc(CAST((1 + 1) AS DOUBLE)) AS BIGINT))"
        ),
        (
            "SELECT INTERVAL '1 day 2 hours', INTERVAL '90 min', INTERVAL '1.5' HOUR",
            "SELECT CAST('1 day 2 hours' AS INTERVAL), CAST('90 min' AS INTERVAL), to_hours(CAST(trunc(CAST(1.5 AS DOUBLE)) AS BIGINT))"
        ),
        (
            "SELECT epoch_ms(ts) + INTERVAL 8 HOUR FROM t",
            "SELECT (epoch_ms(ts) + to_hours(CAST(trunc(CAST(8 AS DOUBLE)) AS BIGINT))) FROM t"
        ),
        ("SELECT interval FROM t", "SELECT \"interval\" FROM t"),
        (
            "SELECT 9223372036854775807, 9223372036854775808, -9223372036854775808, -9223372036854775809",
            "SELECT 9223372036854775807, 9223372036854775808, -9223372036854775808, -9223372036854775809"
        ),
        ("SELECT TRUE, FALSE, NULL, 'a''b'", "SELECT true, false, NULL, 'a''b'"),
        // FROM
        ("SELECT * FROM t AS x", "SELECT * FROM t AS x"),
        ("SELECT * FROM t x(a, b)", "SELECT * FROM (SELECT * FROM t) AS x(a, b)"),
        ("SELECT * FROM (SELECT 1) s", "SELECT * FROM (SELECT 1) AS s"),
        ("SELECT * FROM (SELECT 1, 2) AS s(a, b)", "SELECT * FROM (SELECT 1, 2) AS s(a, b)"),
        ("SELECT * FROM (SELECT 1)", "SELECT * FROM (SELECT 1)"),
        ("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(n, s)", "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s)"),
        ("SELECT * FROM a JOIN b ON a.x = b.x", "SELECT * FROM a INNER JOIN b ON (a.x = b.x)"),
        ("SELECT * FROM a INNER JOIN b USING (x, y)", "SELECT * FROM a INNER JOIN b USING (x, y)"),
        ("SELECT * FROM a LEFT JOIN b ON TRUE", "SELECT * FROM a LEFT JOIN b ON true"),
        (
            "SELECT * FROM a LEFT OUTER JOIN b ON a.x = b.x AND b.y > 1",
            "SELECT * FROM a LEFT JOIN b ON ((a.x = b.x) AND (b.y > 1))"
        ),
        ("SELECT * FROM a RIGHT JOIN b USING (x)", "SELECT * FROM a RIGHT JOIN b USING (x)"),
        ("SELECT * FROM a FULL OUTER JOIN b USING (x)", "SELECT * FROM a FULL JOIN b USING (x)"),
        ("SELECT * FROM a CROSS JOIN b", "SELECT * FROM a CROSS JOIN b"),
        ("SELECT * FROM a SEMI JOIN b USING (x)", "SELECT * FROM a SEMI JOIN b USING (x)"),
        ("SELECT * FROM a ANTI JOIN b ON a.x = b.x", "SELECT * FROM a ANTI JOIN b ON (a.x = b.x)"),
        ("SELECT * FROM a, b, c", "SELECT * FROM a CROSS JOIN b CROSS JOIN c"),
        ("SELECT * FROM a, b JOIN c ON b.x = c.x", "SELECT * FROM a CROSS JOIN (b INNER JOIN c ON (b.x = c.x))"),
        (
            "SELECT * FROM a JOIN b USING (x) JOIN c USING (y)",
            "SELECT * FROM a INNER JOIN b USING (x) INNER JOIN c USING (y)"
        ),
        (
            "SELECT * FROM a JOIN (b JOIN c USING (y)) USING (x)",
            "SELECT * FROM a INNER JOIN (b INNER JOIN c USING (y)) USING (x)"
        ),
        (
            "SELECT * FROM ((SELECT 1 AS x) UNION ALL (SELECT 2)) u",
            "SELECT * FROM (SELECT 1 AS x UNION ALL SELECT 2) AS u"
        ),
        ("SELECT * FROM ((SELECT 1)) u", "SELECT * FROM (SELECT 1) AS u"),
        // clauses
        (
            "SELECT a, count(*) FROM t WHERE b > 1 GROUP BY a HAVING count(*) > 2 ORDER BY 2 DESC, 1 LIMIT 10 OFFSET 5",
            "SELECT a, count_star() FROM t WHERE (b > 1) GROUP BY a HAVING (count_star() > 2) ORDER BY 2 DESC, 1 LIMIT 10 OFFSET 5"
        ),
        ("SELECT a FROM t OFFSET 5 LIMIT 10", "SELECT a FROM t LIMIT 10 OFFSET 5"),
        ("SELECT a FROM t LIMIT ALL", "SELECT a FROM t"),
        ("SELECT a, sum(b) FROM t GROUP BY ALL ORDER BY ALL", "SELECT a, sum(b) FROM t GROUP BY ALL ORDER BY ALL"),
        ("SELECT a FROM t ORDER BY ALL DESC NULLS FIRST", "SELECT a FROM t ORDER BY ALL DESC NULLS FIRST"),
        (
            "SELECT a FROM t ORDER BY a ASC NULLS LAST, b DESC NULLS FIRST",
            "SELECT a FROM t ORDER BY a NULLS LAST, b DESC NULLS FIRST"
        ),
        // A reference to a named window is replaced by the window (DuckDB's transformer), extended by the
        // call's own clauses.
        (
            "SELECT a, row_number() OVER w AS rn FROM t WINDOW w AS (PARTITION BY b ORDER BY c) QUALIFY rn = 1",
            "SELECT a, row_number() OVER (PARTITION BY b ORDER BY c) AS rn FROM t WINDOW w AS (PARTITION BY b ORDER BY c) QUALIFY (rn = 1)"
        ),
        (
            "SELECT a FROM t QUALIFY row_number() OVER (PARTITION BY a ORDER BY b) = 1",
            "SELECT a FROM t QUALIFY (row_number() OVER (PARTITION BY a ORDER BY b) = 1)"
        ),
        (
            "SELECT sum(a) OVER (w ORDER BY b) FROM t WINDOW w AS (PARTITION BY c)",
            "SELECT sum(a) OVER (PARTITION BY c ORDER BY b) FROM t WINDOW w AS (PARTITION BY c)"
        ),
        (
            "SELECT sum(a) OVER (ORDER BY b ROWS 2 PRECEDING) FROM t",
            "SELECT sum(a) OVER (ORDER BY b ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM t"
        ),
        (
            "SELECT sum(a) OVER (ORDER BY b RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM t",
            "SELECT sum(a) OVER (ORDER BY b RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM t"
        ),
        (
            "SELECT first_value(a) OVER (PARTITION BY b ORDER BY ts RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND CURRENT ROW) FROM t",
            "SELECT first_value(a) OVER (PARTITION BY b ORDER BY ts RANGE BETWEEN to_days(CAST(trunc(CAST(1 AS DOUBLE)) AS INTEGER)) PRECEDING AND CURRENT ROW) FROM t"
        ),
        // CTEs and set operations
        (
            "WITH a AS (SELECT 1), b(x, y) AS MATERIALIZED (SELECT 1, 2), c AS NOT MATERIALIZED (SELECT 3) SELECT * FROM a, b, c",
            "WITH a AS (SELECT 1), b(x, y) AS (SELECT 1, 2), c AS (SELECT 3) SELECT * FROM a CROSS JOIN b CROSS JOIN c"
        ),
        ("SELECT 1 UNION SELECT 2 UNION ALL SELECT 3", "SELECT 1 UNION SELECT 2 UNION ALL SELECT 3"),
        ("SELECT 1 UNION DISTINCT SELECT 2", "SELECT 1 UNION SELECT 2"),
        ("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3", "SELECT 1 UNION (SELECT 2 INTERSECT SELECT 3)"),
        ("SELECT 1 INTERSECT SELECT 2 UNION SELECT 3", "SELECT 1 INTERSECT SELECT 2 UNION SELECT 3"),
        ("(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3", "(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3"),
        (
            "SELECT 1 EXCEPT ALL SELECT 2 INTERSECT ALL SELECT 3",
            "SELECT 1 EXCEPT ALL (SELECT 2 INTERSECT ALL SELECT 3)"
        ),
        ("SELECT 1 EXCEPT (SELECT 2 EXCEPT SELECT 3)", "SELECT 1 EXCEPT (SELECT 2 EXCEPT SELECT 3)"),
        (
            "(SELECT a FROM t ORDER BY a LIMIT 3) UNION ALL SELECT 1 ORDER BY 1",
            "(SELECT a FROM t ORDER BY a LIMIT 3) UNION ALL SELECT 1 ORDER BY 1"
        ),
        ("((SELECT 1))", "SELECT 1"),
        ("VALUES (1, 2), (3, 4)", "VALUES (1, 2), (3, 4)"),
        ("WITH x AS (SELECT 1) (SELECT * FROM x)", "WITH x AS (SELECT 1) SELECT * FROM x"),
        // subqueries in expressions
        ("SELECT (SELECT 1) + 1", "SELECT ((SELECT 1) + 1)"),
        ("SELECT ((SELECT 1) UNION SELECT 2)", "SELECT (SELECT 1 UNION SELECT 2)"),
        ("SELECT ((SELECT 1) + 1)", "SELECT ((SELECT 1) + 1)"),
        (
            "SELECT * FROM t WHERE a IN (SELECT b FROM u) AND NOT EXISTS (SELECT 1 FROM v WHERE v.c = t.c)",
            "SELECT * FROM t WHERE ((a = ANY(SELECT b FROM u)) AND (NOT EXISTS(SELECT 1 FROM v WHERE (v.c = t.c))))"
        ),
        ("SELECT * FROM t WHERE a NOT IN (SELECT b FROM u)", "SELECT * FROM t WHERE (NOT (a = ANY(SELECT b FROM u)))"),
        (
            "SELECT * FROM t WHERE a = ANY (SELECT b FROM u) OR a <> ALL (SELECT c FROM v)",
            "SELECT * FROM t WHERE ((a = ANY(SELECT b FROM u)) OR (NOT (a = ANY(SELECT c FROM v))))"
        ),
        // the other quantified comparisons, named as DuckDB names them (ALL as NOT ... ANY)
        (
            "SELECT * FROM t WHERE a > ALL (SELECT b FROM u) OR a < SOME (SELECT c FROM v)",
            "SELECT * FROM t WHERE ((NOT (a <= ANY(SELECT b FROM u))) OR (a < ANY(SELECT c FROM v)))"
        ),
        ("SELECT a = ALL (SELECT b FROM u)", "SELECT (NOT (a != ANY(SELECT b FROM u)))"),
        (
            "SELECT * FROM t WHERE a IN (1, 2) AND b NOT IN ('x')",
            "SELECT * FROM t WHERE ((a IN (1, 2)) AND (NOT (b IN ('x'))))"
        ),
        // function forms
        (
            "SELECT count(*), count(DISTINCT a), count(ALL a), count() FROM t",
            "SELECT count_star(), count(DISTINCT a), count(a), count() FROM t"
        ),
        (
            "SELECT COUNT(*) FILTER (WHERE a > 1), Sum(a) FILTER (a > 2) FROM t",
            "SELECT count_star() FILTER (WHERE (a > 1)), sum(a) FILTER (WHERE (a > 2)) FROM t"
        ),
        ("SELECT string_agg(s, ',' ORDER BY a DESC) FROM t", "SELECT string_agg(s, ',' ORDER BY a DESC) FROM t"),
        (
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a DESC), percentile_disc(0.1) WITHIN GROUP (ORDER BY a) FROM t",
            "SELECT quantile_cont(0.5 ORDER BY a DESC), quantile_disc(0.1 ORDER BY a) FROM t"
        ),
        ("SELECT mode() WITHIN GROUP (ORDER BY a) FROM t", "SELECT \"mode\"() WITHIN GROUP (ORDER BY a) FROM t"),
        (
            "SELECT EXTRACT(hour FROM ts), EXTRACT('dow' FROM ts) FROM t",
            "SELECT date_part('HOUR', ts), date_part('dow', ts) FROM t"
        ),
        (
            "SELECT CAST(a AS DECIMAL(18, 3)), CAST(b AS VARCHAR(10)), TRY_CAST(c AS DOUBLE PRECISION), d::TEXT FROM t",
            "SELECT CAST(a AS DECIMAL(18, 3)), CAST(b AS VARCHAR), TRY_CAST(c AS DOUBLE), CAST(d AS VARCHAR) FROM t"
        ),
        ("SELECT a::TIMESTAMP WITHOUT TIME ZONE FROM t", "SELECT CAST(a AS TIMESTAMP) FROM t"),
        (
            "SELECT CASE WHEN a = 1 THEN 'x' WHEN a = 2 THEN 'y' END FROM t",
            "SELECT CASE  WHEN ((a = 1)) THEN ('x') WHEN ((a = 2)) THEN ('y') ELSE NULL END FROM t"
        ),
        ("SELECT 2 ^ 3, 2 ** 3", "SELECT (2 ^ 3), (2 ** 3)"),
        (
            "SELECT a IS TRUE, a IS NOT FALSE, a ISNULL, a NOTNULL FROM t",
            "SELECT (a IS NOT DISTINCT FROM true), (a IS DISTINCT FROM false), (a IS NULL), (a IS NOT NULL) FROM t"
        ),
        // other statements
        ("EXPLAIN SELECT a FROM t", "EXPLAIN SELECT a FROM t"),
        ("DESCRIBE click", "DESCRIBE click"),
        ("describe \"user\";", "DESCRIBE \"user\""),
        ("SHOW TABLES", "SHOW TABLES"),
        ("SHOW click", "DESCRIBE click"),
        // comments and layout
        ("-- leading comment\nSELECT /* inline */ a -- trailing\nFROM t /* end */", "SELECT a FROM t"),
    ]

    @Test(arguments: ParserTests.cases)
    func canonicalText(sql: String, expected: String) throws {
        let printed = try Parser.parse(sql).sqlDescription
        #expect(printed == expected)
        #expect(try Parser.parse(printed).sqlDescription == printed)
    }

    @Test func identifiersKeepTheirSpellingFunctionsAreLowerCased() throws {
        let c = try core("SELECT Foo.Bar, \"Quoted\", COUNT(x), \"MyFunc\"(1) FROM Foo")
        guard case .expr(.column("Foo", "Bar", _), nil) = c.items[0] else {
            Issue.record("\(c.items[0])")
            return
        }
        guard case .expr(.column(nil, "Quoted", _), nil) = c.items[1] else {
            Issue.record("\(c.items[1])")
            return
        }
        guard case .expr(.function(let f), nil) = c.items[2], f.name == "count" else {
            Issue.record("\(c.items[2])")
            return
        }
        guard case .expr(.function(let g), nil) = c.items[3], g.name == "myfunc" else {
            Issue.record("\(c.items[3])")
            return
        }
        guard case .table("Foo", nil, _) = c.from else {
            Issue.record("\(String(describing: c.from))")
            return
        }
    }

    @Test func literalsAndTypes() throws {
        let c = try core("SELECT 2147483648, 1.50, 'x', DATE '2025-05-26', INTERVAL '8 hours', CAST(a AS INT8)")
        let exprs = c.items.compactMap { item -> Expr? in
            if case .expr(let e, _) = item { return e } else { return nil }
        }
        guard case .literal(.integer(2_147_483_648), _) = exprs[0] else {
            Issue.record("\(exprs[0])")
            return
        }
        guard case .literal(.decimal("1.50"), _) = exprs[1] else {
            Issue.record("\(exprs[1])")
            return
        }
        guard case .literal(.string("x"), _) = exprs[2] else {
            Issue.record("\(exprs[2])")
            return
        }
        guard case .literal(.typed(.date, "2025-05-26"), _) = exprs[3] else {
            Issue.record("\(exprs[3])")
            return
        }
        // INTERVAL 'text' is DuckDB's CAST('text' AS INTERVAL), read when the query is bound
        guard case .literal(.typed(.interval, "8 hours"), _) = exprs[4] else {
            Issue.record("\(exprs[4])")
            return
        }
        guard case .cast(_, .bigint, isTry: false, _) = exprs[5] else {
            Issue.record("\(exprs[5])")
            return
        }
    }

    @Test func orderByFields() throws {
        let q = try query("SELECT a FROM t ORDER BY a DESC NULLS LAST, b, c NULLS FIRST")
        #expect(q.orderBy.map(\.ascending) == [false, true, true])
        #expect(q.orderBy.map(\.nullsFirst) == [false, nil, true])
        #expect(q.orderByAll == nil)
        let all = try query("SELECT a FROM t ORDER BY ALL DESC")
        #expect(all.orderBy.isEmpty)
        #expect(all.orderByAll?.ascending == false)
        #expect(all.orderByAll?.nullsFirst == nil)
    }

    @Test func functionCallFields() throws {
        let c = try core(
            "SELECT string_agg(DISTINCT s, ',' ORDER BY a) FILTER (WHERE a > 0) OVER (PARTITION BY b) FROM t")
        guard case .expr(.function(let f), _) = c.items[0] else {
            Issue.record("not a call")
            return
        }
        #expect(f.name == "string_agg")
        #expect(f.distinct)
        #expect(!f.star)
        #expect(f.arguments.count == 2)
        #expect(f.orderBy.count == 1)
        #expect(f.filter != nil)
        #expect(f.over?.partitionBy.count == 1)
        let star = try core("SELECT count(*) FROM t")
        guard case .expr(.function(let s), _) = star.items[0] else {
            Issue.record("not a call")
            return
        }
        #expect(s.star && s.arguments.isEmpty && s.name == "count")
    }

    @Test func windowFrameFields() throws {
        let c = try core("SELECT sum(a) OVER (ORDER BY b ROWS BETWEEN 3 PRECEDING AND 1 FOLLOWING) FROM t")
        guard case .expr(.function(let f), _) = c.items[0], let frame = f.over?.frame else {
            Issue.record("no frame")
            return
        }
        #expect(frame.unit == .rows)
        guard case .preceding(.literal(.integer(3), _)) = frame.start else {
            Issue.record("\(frame.start)")
            return
        }
        guard case .following(.literal(.integer(1), _)) = frame.end else {
            Issue.record("\(frame.end)")
            return
        }
    }

    @Test func positionsOfNodes() throws {
        let c = try core("SELECT a,\n  b + 1 AS x\nFROM t JOIN u ON t.k = u.k")
        guard case .expr(let e, _) = c.items[1] else {
            Issue.record("no item")
            return
        }
        #expect(e.position == SourcePosition(line: 2, column: 3, offset: 12))
        guard case .join(_, _, .table(_, _, let up), _, let jp) = c.from else {
            Issue.record("no join")
            return
        }
        #expect(jp.line == 3 && jp.column == 8)
        #expect(up.line == 3 && up.column == 13)
    }

    @Test func subqueryAliasAndColumns() throws {
        let c = try core("SELECT * FROM (SELECT 1, 2) AS s(a, b)")
        guard case .subquery(_, "s", let columns, _) = c.from else {
            Issue.record("\(String(describing: c.from))")
            return
        }
        #expect(columns == ["a", "b"])
    }

    @Test func cteFields() throws {
        let q = try query("WITH a(x) AS (SELECT 1), b AS (SELECT 2) SELECT * FROM a, b")
        #expect(q.ctes.map(\.name) == ["a", "b"])
        #expect(q.ctes[0].columnNames == ["x"])
    }

    @Test func statementKinds() throws {
        guard case .explain = try Parser.parse("EXPLAIN SELECT 1") else {
            Issue.record("explain")
            return
        }
        guard case .describe("click", _) = try Parser.parse("DESCRIBE click") else {
            Issue.record("describe")
            return
        }
        guard case .showTables = try Parser.parse("show tables;") else {
            Issue.record("show")
            return
        }
    }
}
