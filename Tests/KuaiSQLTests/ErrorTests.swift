import KuaiCore
import Testing

@testable import KuaiSQL

/// Bad queries: each throws `KuaiError.syntax` at the offending token (`query:LINE:COL`) with a message naming
/// the token and what was expected. The offending token agrees with DuckDB's "at or near" where
/// DuckDB reports one (DuckDB names the last token for errors at the end of the input; kuai says "end of input").
@Suite struct ErrorTests {
    static let cases: [(String, String, String)] = [
        ("SELECT FROM t", "query:1:8", "at or near \"FROM\": expected a select list item"),
        ("SELECT a FROM", "query:1:14", "at end of input: expected a table name or a subquery"),
        ("SELECT a FROM t WHERE", "query:1:22", "at end of input: expected an expression"),
        ("SELECT a,, b FROM t", "query:1:10", "at or near \",\": expected an expression"),
        ("SELECT a FROM t GROUP a", "query:1:23", "at or near \"a\": expected BY"),
        ("SELECT (a + b FROM t", "query:1:15", "at or near \"FROM\": expected \")\""),
        ("SELECT a b c FROM t", "query:1:12", "at or near \"c\": expected the end of the statement"),
        ("SELECT * FROM a JOIN b", "query:1:23", "at end of input: expected ON or USING after the joined table"),
        ("SELECT * FROM a LEFT b ON 1", "query:1:22", "at or near \"b\": expected JOIN"),
        ("SELECT CAST(a AS blob) FROM t", "query:1:18", "at or near \"blob\": unknown type name \"blob\""),
        ("SELECT CASE WHEN a THEN 1 FROM t", "query:1:27", "at or near \"FROM\": expected END"),
        (
            "SELECT 1 = 2 = 3", "query:1:14",
            "at or near \"=\": chained comparisons are not supported; combine them with AND"
        ),
        ("SELECT a FROM t; SELECT 2", "query:1:18", "at or near \"SELECT\": only one statement is allowed"),
        ("SELECT a FROM t)", "query:1:16", "at or near \")\": expected the end of the statement"),
        ("SELECT count(* FROM t", "query:1:16", "at or near \"FROM\": expected \")\""),
        (
            "SELECT a IS 5 FROM t", "query:1:13",
            "at or near \"5\": expected NULL, DISTINCT FROM, TRUE or FALSE after IS"
        ),
        ("WITH x AS SELECT 1 SELECT 2", "query:1:11", "at or near \"SELECT\": expected \"(\""),
        ("SELECT a FROM t WHERE a IN ()", "query:1:29", "at or near \")\": expected an expression"),
        // Named windows: DuckDB's transformer errors, at the call.
        (
            "SELECT a, rank() OVER (w ORDER BY a) FROM t WINDOW w AS (PARTITION BY b ORDER BY c)", "query:1:11",
            "Cannot override ORDER BY clause of window \"w\""
        ),
        (
            "SELECT rank() OVER (w PARTITION BY a) FROM t WINDOW w AS (PARTITION BY b)", "query:1:8",
            "Cannot override PARTITION BY clause of window \"w\""
        ),
        (
            "SELECT sum(a) OVER (w ORDER BY a) FROM t WINDOW w AS (ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)",
            "query:1:8", "cannot copy window \"w\" because it has a frame clause"
        ),
        ("SELECT sum(a) OVER v FROM t WINDOW w AS ()", "query:1:8", "window \"v\" does not exist"),
        (
            "SELECT INTERVAL 8 FROM t", "query:1:19",
            "at or near \"FROM\": expected an interval unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, ...)"
        ),
        (
            "UPDATE t SET a = 1", "query:1:1",
            "at or near \"UPDATE\": expected a statement (SELECT, WITH, VALUES, EXPLAIN, DESCRIBE, SUMMARIZE, SHOW TABLES, CREATE, DROP, ALTER, INSERT or COPY)"
        ),
        ("INSERT INTO t VALUES", "query:1:21", "at end of input: expected \"(\""),
        ("SELECT 1 UNION", "query:1:15", "at end of input: expected SELECT, VALUES or a parenthesised query"),
        (
            "SELECT sum(a) OVER (ROWS BETWEEN 1 AND 2) FROM t", "query:1:36",
            "at or near \"AND\": expected PRECEDING or FOLLOWING"
        ),
        ("SELECT * FROM t x y", "query:1:19", "at or near \"y\": expected the end of the statement"),
        ("", "query:1:1", "at end of input: empty query"),
        ("  -- only a comment\n", "query:2:1", "at end of input: empty query"),
        ("SELECT a\nFROM t\nWHERE a = = 1", "query:3:11", "at or near \"=\": expected an expression"),
        ("SELECT a\n  FROM t\n  ORDER BY a,\n  LIMIT 1", "query:4:3", "at or near \"LIMIT\": expected an expression"),
        ("SELECT select FROM t", "query:1:8", "at or near \"select\": expected an expression"),
        ("SELECT a FROM like", "query:1:15", "at or near \"like\": expected a table name or a subquery"),
        (
            "SELECT * FROM t WHERE a LIKE 'x' LIKE 'y'", "query:1:34",
            "at or near \"LIKE\": expected an operator between the two predicates (use AND)"
        ),
        ("VALUES (1, 2), (3)", "query:1:16", "at or near \"(\": VALUES lists must all be the same length (2 and 1)"),
        (
            "SELECT x FROM t POSITIONAL JOIN u", "query:1:17",
            "at or near \"POSITIONAL\": POSITIONAL JOIN is not supported"
        ),
        (
            "SELECT x FROM t NATURAL CROSS JOIN u", "query:1:25",
            "at or near \"CROSS\": NATURAL CROSS JOIN is not allowed"
        ),
        ("SELECT * FROM read_csv('x.csv' AS)", "query:1:32", "at or near \"AS\": expected \")\""),
        ("SELECT 'é' + + FROM t", "query:1:16", "at or near \"FROM\": expected an expression"),
        ("EXPLAIN DESCRIBE t", "query:1:9", "at or near \"DESCRIBE\": expected a query after EXPLAIN"),
        ("SELECT s LIKE 'a' ESCAPE", "query:1:25", "at end of input: expected an expression"),
        (
            "SELECT s LIKE 'a' ESCAPE '!' ESCAPE '!'", "query:1:30",
            "at or near \"ESCAPE\": expected the end of the statement"
        ),
        ("SELECT s !~~ 'a' ESCAPE '!'", "query:1:18", "ESCAPE after !~~ is not supported"),
        ("SELECT (a, b FROM t", "query:1:14", "at or near \"FROM\": expected \")\""),
    ]

    /// Errors of the lexer itself (sql, location, message fragment): `LexerTests` runs them through
    /// `Lexer.tokenize`, `syntaxError` through the parser, which reports them as they are.
    static let lexerCases: [(String, String, String)] = [
        ("SELECT 'abc", "query:1:8", "unterminated string literal"),
        ("SELECT \"abc", "query:1:8", "unterminated quoted identifier"),
        ("SELECT 1 /* never closed", "query:1:10", "unterminated /* comment"),
        ("SELECT \"\"", "query:1:8", "zero-length quoted identifier"),
        ("SELECT @x", "query:1:8", "\"@\": unexpected character"),
        ("SELECT a\n  # b", "query:2:3", "\"#\": unexpected character"),
        ("SELECT ?", "query:1:8", "unexpected character"),
        ("SELECT \u{01}", "query:1:8", "byte 0x1"),
        ("SELECT a ! b", "query:1:10", "unexpected character"),
        ("SELECT E'abc\\'", "query:1:8", "unterminated string literal"),
    ]

    @Test(arguments: ErrorTests.cases + ErrorTests.lexerCases)
    func syntaxError(sql: String, location: String, message: String) {
        expectSyntaxError(at: location, containing: message) { try Parser.parse(sql) }
    }

    /// (sql, line, column, expected snippet)
    static let snippets: [(String, Int, Int, String)] = [
        ("SELECT FROM t", 1, 8, "SELECT FROM t\n       ^"),
        ("SELECT a\nFROM t\nWHERE a = = 1", 3, 11, "WHERE a = = 1\n          ^"),
        ("SELECT 'é', x FROM", 1, 19, "SELECT 'é', x FROM\n                  ^"),
        ("\tSELECT\t@", 1, 9, "\tSELECT\t@\n\t      \t^"),
        ("a\r\nb c", 2, 3, "b c\n  ^"),
        ("abc", 1, 1, "abc\n^"),
        ("abc", 9, 99, "abc\n   ^"),
        ("", 1, 1, "\n^"),
    ]

    @Test(arguments: ErrorTests.snippets)
    func caret(sql: String, line: Int, column: Int, expected: String) {
        #expect(caretSnippet(sql: sql, position: SourcePosition(line: line, column: column, offset: 0)) == expected)
    }

    @Test func caretFromAnError() throws {
        let sql = "SELECT a,\n       count(*\nFROM t"
        let error = try #require(throws: KuaiError.self) { try Parser.parse(sql) }
        let position = try #require(sourcePosition(fromLocation: error.location ?? ""))
        #expect(caretSnippet(sql: sql, position: position) == "FROM t\n^")
    }
}

/// Checks that `body` throws a `KuaiError.syntax` at `location` (`query:LINE:COL`) whose message
/// contains `message`; an issue is recorded at the caller when it returns, throws another error or
/// the error differs.
func expectSyntaxError<T>(
    at location: String, containing message: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> T
) {
    guard let error = #expect(throws: KuaiError.self, sourceLocation: sourceLocation, performing: body) else {
        return
    }
    #expect(error.kind == .syntax, sourceLocation: sourceLocation)
    #expect(error.location == location, sourceLocation: sourceLocation)
    #expect(error.message.contains(message), "\(error.message)", sourceLocation: sourceLocation)
}
