import KuaiCore
import Testing

@testable import KuaiSQL

/// Precedence and printing: each expression's `sqlDescription` (fully parenthesised) must equal the name
/// DuckDB 2.0.1 gives the unaliased result column `SELECT <expr> FROM t`, which shows DuckDB's parse tree.
/// Expected strings were produced by DuckDB, not by kuai:
///
///     import duckdb; c = duckdb.connect()
///     c.sql("create table t(a int, b int, c int, d int, s varchar, u varchar, x bool, y bool, z bool, ts bigint)")
///     c.sql(f"select {expr} from t limit 0").columns[0]
@Suite struct PrecedenceTests {
    static let cases: [(String, String)] = [
        ("a + b * c", "(a + (b * c))"),
        // AT TIME ZONE (names from `create table t(a timestamp, b interval, s varchar, u varchar)`)
        ("a AT TIME ZONE s + b", "(timezone(s, a) + b)"),
        ("a AT TIME ZONE s AT TIME ZONE u", "timezone(u, timezone(s, a))"),
        ("a AT TIME ZONE s::varchar", "timezone(CAST(s AS VARCHAR), a)"),
        ("a AT TIME ZONE s = b", "(timezone(s, a) = b)"),
        ("a * b + c", "((a * b) + c)"),
        ("a - b - c", "((a - b) - c)"),
        ("a - (b - c)", "(a - (b - c))"),
        ("a / b * c", "((a / b) * c)"),
        ("a // b * c", "((a // b) * c)"),
        ("a % b + c", "((a % b) + c)"),
        ("a + b % c", "(a + (b % c))"),
        ("-a + b", "((-(a)) + b)"),
        ("- a * b", "((-(a)) * b)"),
        ("- - a", "(-((-(a))))"),
        ("+a", "(+(a))"),
        ("a + b || s", "((a + b) || s)"),
        ("s || a + b", "(s || (a + b))"),
        ("s || u || s", "((s || u) || s)"),
        ("a = b + c", "(a = (b + c))"),
        ("a + b = c", "((a + b) = c)"),
        ("a < b AND c < d", "((a < b) AND (c < d))"),
        ("x OR y AND z", "(x OR (y AND z))"),
        ("(x OR y) AND z", "((x OR y) AND z)"),
        ("NOT x AND y", "((NOT x) AND y)"),
        ("NOT x = y", "(NOT (x = y))"),
        ("NOT a = b", "(NOT (a = b))"),
        ("NOT NOT x", "(NOT (NOT x))"),
        ("x AND NOT y OR z", "((x AND (NOT y)) OR z)"),
        ("a IS NULL", "(a IS NULL)"),
        ("a IS NOT NULL", "(a IS NOT NULL)"),
        ("NOT a IS NULL", "(NOT (a IS NULL))"),
        ("a = b IS NULL", "((a = b) IS NULL)"),
        ("a + b IS NULL", "((a + b) IS NULL)"),
        ("a IS NULL = x", "((a IS NULL) = x)"),
        ("a BETWEEN b AND c", "(a BETWEEN b AND c)"),
        ("a NOT BETWEEN b AND c", "(NOT (a BETWEEN b AND c))"),
        ("a BETWEEN b + 1 AND c * 2", "(a BETWEEN (b + 1) AND (c * 2))"),
        ("a BETWEEN b AND c AND x", "((a BETWEEN b AND c) AND x)"),
        ("a BETWEEN b AND c = x", "((a BETWEEN b AND c) = x)"),
        ("x = a BETWEEN b AND c", "(x = (a BETWEEN b AND c))"),
        ("a IN (1, 2, 3)", "(a IN (1, 2, 3))"),
        ("a NOT IN (1, 2)", "(NOT (a IN (1, 2)))"),
        ("a + 1 IN (b, c)", "((a + 1) IN (b, c))"),
        ("a IN (1) = x", "((a IN (1)) = x)"),
        ("x = a IN (1)", "(x = (a IN (1)))"),
        ("s LIKE 'a%'", "(s ~~ 'a%')"),
        ("s NOT LIKE 'a%'", "(s !~~ 'a%')"),
        ("s ILIKE 'A%'", "(s ~~* 'A%')"),
        ("s NOT ILIKE 'a%'", "(s !~~* 'a%')"),
        ("s || u LIKE 'a%'", "((s || u) ~~ 'a%')"),
        ("s LIKE 'a%' = x", "((s ~~ 'a%') = x)"),
        ("x = s LIKE 'a%'", "(x = (s ~~ 'a%'))"),
        ("s LIKE 'a%' AND u LIKE 'b%'", "((s ~~ 'a%') AND (u ~~ 'b%'))"),
        ("a IS DISTINCT FROM b", "(a IS DISTINCT FROM b)"),
        ("a IS NOT DISTINCT FROM b", "(a IS NOT DISTINCT FROM b)"),
        ("a + 1 IS DISTINCT FROM b", "((a + 1) IS DISTINCT FROM b)"),
        ("a::bigint", "CAST(a AS BIGINT)"),
        ("a::bigint + b", "(CAST(a AS BIGINT) + b)"),
        ("CAST(a AS DOUBLE) / b", "(CAST(a AS DOUBLE) / b)"),
        ("TRY_CAST(s AS INTEGER)", "TRY_CAST(s AS INTEGER)"),
        ("CAST(a + b AS VARCHAR)", "CAST((a + b) AS VARCHAR)"),
        ("CASE WHEN a > 1 THEN 'x' ELSE 'y' END", "CASE  WHEN ((a > 1)) THEN ('x') ELSE 'y' END"),
        ("CASE WHEN a > 1 THEN 'x' END", "CASE  WHEN ((a > 1)) THEN ('x') ELSE NULL END"),
        (
            "CASE a WHEN 1 THEN 'x' WHEN 2 THEN 'y' ELSE 'z' END",
            "CASE  WHEN ((a = 1)) THEN ('x') WHEN ((a = 2)) THEN ('y') ELSE 'z' END"
        ),
        ("CASE WHEN a > 1 AND b > 2 THEN a + 1 END", "CASE  WHEN (((a > 1) AND (b > 2))) THEN ((a + 1)) ELSE NULL END"),
        ("count(*)", "count_star()"),
        ("count(a)", "count(a)"),
        ("count(DISTINCT a)", "count(DISTINCT a)"),
        ("sum(a) FILTER (WHERE a > 1)", "sum(a) FILTER (WHERE (a > 1))"),
        ("string_agg(s, ',' ORDER BY a)", "string_agg(s, ',' ORDER BY a)"),
        ("string_agg(s, ',' ORDER BY a DESC, b NULLS FIRST)", "string_agg(s, ',' ORDER BY a DESC, b NULLS FIRST)"),
        (
            "row_number() OVER (PARTITION BY a ORDER BY b DESC NULLS FIRST)",
            "row_number() OVER (PARTITION BY a ORDER BY b DESC NULLS FIRST)"
        ),
        (
            "sum(a) OVER (ORDER BY b ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
            "sum(a) OVER (ORDER BY b ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
        ),
        (
            "sum(a) OVER (ORDER BY b ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING)",
            "sum(a) OVER (ORDER BY b ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING)"
        ),
        (
            "sum(a) OVER (ORDER BY b RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)",
            "sum(a) OVER (ORDER BY b RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)"
        ),
        ("count(*) OVER ()", "count() OVER ()"),
        ("lag(a, 1) OVER (PARTITION BY b, c ORDER BY d)", "lag(a, 1) OVER (PARTITION BY b, c ORDER BY d)"),
        ("hour(epoch_ms(ts + 28800000))", "\"hour\"(epoch_ms((ts + 28800000)))"),
        ("round(100.0 * count(*) / 3, 3)", "round(((100.0 * count_star()) / 3), 3)"),
        ("round(sum(a) / 60000.0, 1)", "round((sum(a) / 60000.0), 1)"),
        ("(ts + 28800000) // 86400000", "((ts + 28800000) // 86400000)"),
        ("1.5", "1.5"),
        (".5", ".5"),
        ("1e3", "1e3"),
        ("'it''s'", "'it''s'"),
        ("NULL", "NULL"),
        ("true", "true"),
        ("false", "false"),
        ("-1", "-1"),
        ("-1.5", "-1.5"),
        ("9223372036854775807", "9223372036854775807"),
        ("-9223372036854775808", "-9223372036854775808"),
        ("a + -1", "(a + -1)"),
        ("a - -1", "(a - -1)"),
        ("a * -b", "(a * (-(b)))"),
        ("abs(-a)", "abs((-(a)))"),
        ("coalesce(a, b, 0)", "COALESCE(a, b, 0)"),
        ("nullif(a, 0)", "\"nullif\"(a, 0)"),
        ("greatest(a, b, c)", "greatest(a, b, c)"),
        ("EXTRACT(hour FROM epoch_ms(ts))", "date_part('HOUR', epoch_ms(ts))"),
        ("EXISTS (SELECT 1)", "EXISTS(SELECT 1)"),
        ("a = (SELECT 1)", "(a = (SELECT 1))"),
        ("a IN (SELECT 1)", "(a = ANY(SELECT 1))"),
        ("x IS NOT NULL AND a > 0", "((x IS NOT NULL) AND (a > 0))"),
        ("a > 0 OR a < 0 AND b = 1", "((a > 0) OR ((a < 0) AND (b = 1)))"),
        ("a <> b", "(a != b)"),
        ("a != b", "(a != b)"),
        ("a == b", "(a = b)"),
        ("a >= b AND a <= c", "((a >= b) AND (a <= c))"),
        ("x AND y AND z", "(x AND y AND z)"),
        ("x OR y OR z", "(x OR y OR z)"),
        ("a IN (SELECT 1) AND x", "((a = ANY(SELECT 1)) AND x)"),
        ("a NOT IN (SELECT 1)", "(NOT (a = ANY(SELECT 1)))"),
        ("NOT EXISTS (SELECT 1)", "(NOT EXISTS(SELECT 1))"),
        ("(SELECT max(a) FROM t) + 1", "((SELECT max(a) FROM t) + 1)"),
        ("timestamp '2020-01-01 10:00:00'", "CAST('2020-01-01 10:00:00' AS TIMESTAMP)"),
        ("left(s, 2)", "\"left\"(s, 2)"),
        ("\"upper\"(s)", "upper(s)"),
        ("t.a + t.b", "(t.a + t.b)"),
        ("DATE '2020-01-01'", "CAST('2020-01-01' AS DATE)"),
        ("a::DOUBLE", "CAST(a AS DOUBLE)"),
        ("cast(a as int)", "CAST(a AS INTEGER)"),
        ("cast(a as integer)", "CAST(a AS INTEGER)"),
        ("x = NOT y AND z", "((x = (NOT y)) AND z)"),
        ("a IN (1) IN (x)", "((a IN (1)) IN (x))"),
        ("- 2 * a", "(-2 * a)"),
        ("NOT x IS NULL", "(NOT (x IS NULL))"),
        ("a + 1 BETWEEN b AND c + 1", "((a + 1) BETWEEN b AND (c + 1))"),
        ("x IS NOT DISTINCT FROM y = z", "(x IS NOT DISTINCT FROM (y = z))"),
        ("a IS NULL IS NOT NULL", "((a IS NULL) IS NOT NULL)"),
        ("x AND y OR NOT z AND x", "((x AND y) OR ((NOT z) AND x))"),
        ("s LIKE 'a!_b' ESCAPE '!'", "like_escape(s, 'a!_b', '!')"),
        ("s NOT LIKE 'a!_b' ESCAPE '!'", "(NOT like_escape(s, 'a!_b', '!'))"),
        ("s ILIKE 'a!_b' ESCAPE '!'", "ilike_escape(s, 'a!_b', '!')"),
        ("s NOT ILIKE 'a!_b' ESCAPE '!'", "(NOT ilike_escape(s, 'a!_b', '!'))"),
        ("s ~~ 'a' ESCAPE '!'", "like_escape(s, 'a', '!')"),
        ("s ~~* 'a' ESCAPE '!'", "ilike_escape(s, 'a', '!')"),
        ("s LIKE 'a' ESCAPE '!' AND x", "(like_escape(s, 'a', '!') AND x)"),
        ("s LIKE 'a' ESCAPE '!' || ''", "like_escape(s, 'a', ('!' || ''))"),
        ("s LIKE 'a' || 'b' ESCAPE '!'", "like_escape(s, ('a' || 'b'), '!')"),
        ("s LIKE 'a' ESCAPE '!' = x", "(like_escape(s, 'a', '!') = x)"),
        ("s || u LIKE 'a' ESCAPE '!'", "like_escape((s || u), 'a', '!')"),
        ("NOT s LIKE 'a' ESCAPE '!'", "(NOT like_escape(s, 'a', '!'))"),
        ("s LIKE 'a' ESCAPE '!' IS NULL", "(like_escape(s, 'a', '!') IS NULL)"),
        ("not_ilike_escape(s, 'a', '!')", "not_ilike_escape(s, 'a', '!')"),
        ("count(DISTINCT (a, b))", "count(DISTINCT \"row\"(a, b))"),
        ("count((a, b))", "count(\"row\"(a, b))"),
        ("count(DISTINCT (a,))", "count(DISTINCT \"row\"(a))"),
        ("count(row(a, b))", "count(\"row\"(a, b))"),
        ("count(DISTINCT (a, (b, a)))", "count(DISTINCT \"row\"(a, \"row\"(b, a)))"),
        ("count(DISTINCT ((a, b)))", "count(DISTINCT \"row\"(a, b))"),
    ]

    @Test(arguments: PrecedenceTests.cases)
    func printsAsDuckDB(sql: String, expected: String) throws {
        let e = try Parser.parseExpression(sql)
        #expect(e.sqlDescription == expected)
        // The printed form parses back to itself.
        #expect(try Parser.parseExpression(e.sqlDescription).sqlDescription == expected)
    }
}

/// 400 random expressions (nested arithmetic, comparisons, IS, LIKE, BETWEEN, IN, CASE, casts, windows)
/// whose parse tree must match DuckDB's, compared through the printed form.
@Suite struct DuckDBCorpusTests {
    @Test func randomExpressionsParseAsInDuckDB() throws {
        var mismatches: [String] = []
        for (sql, expected) in DuckDBPrintedCorpus.cases {
            let printed = (try? Parser.parse(sql).sqlDescription) ?? "ERROR"
            if printed != expected { mismatches.append("\(sql)\n  duckdb: \(expected)\n  kuai:   \(printed)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.prefix(5).joined(separator: "\n"))")
    }
}
