import KuaiCore
import Testing

@testable import KuaiSQL

/// PIVOT, UNPIVOT, DESCRIBE, SUMMARIZE and SHOW where a table stands (Formats/query-language.md, section 4
/// and section 7 "PIVOT and UNPIVOT"): the canonical text of each, which parses back to itself; UNPIVOT's
/// entries; and the errors of forms kuai does not read.
@Suite struct PivotTableParserTests {
    static let cases: [(String, String)] = [
        (
            "SELECT * FROM (UNPIVOT t ON a, b INTO NAME n VALUE v) u",
            "SELECT * FROM t UNPIVOT (v FOR n IN (a, b)) AS u"
        ),
        (
            "SELECT * FROM t UNPIVOT INCLUDE NULLS ((v1, v2) FOR n IN ((a, b) AS x, (c, d) AS 'y'))",
            "SELECT * FROM t UNPIVOT INCLUDE NULLS ((v1, v2) FOR n IN ((a, b) AS 'x', (c, d) AS 'y'))"
        ),
        (
            "WITH u AS (UNPIVOT (SELECT 1 AS a) ON COLUMNS('a') ORDER BY 1 LIMIT 2) SELECT * FROM u",
            "WITH u AS (SELECT * FROM (SELECT 1 AS a) UNPIVOT (\"value\" FOR \"name\" IN (\"columns\"('a'))) ORDER BY 1 LIMIT 2) SELECT * FROM u"
        ),
        (
            "SELECT * FROM t UNPIVOT (v FOR n IN (* EXCLUDE (id))) x(a, b)",
            "SELECT * FROM t UNPIVOT (v FOR n IN (* EXCLUDE (id))) AS x(a, b)"
        ),
        (
            "SELECT * FROM (PIVOT t ON g USING sum(x) AS s GROUP BY k ORDER BY k) p",
            "SELECT * FROM (PIVOT t ON g USING sum(x) AS s GROUP BY k ORDER BY k) AS p"
        ),
        ("SELECT * FROM (DESCRIBE t)", "SELECT * FROM (DESCRIBE t)"),
        ("SELECT * FROM (SHOW TABLES) s", "SELECT * FROM (SHOW TABLES) AS s"),
        (
            "WITH d AS (SUMMARIZE SELECT 1) SELECT * FROM d",
            "WITH d AS (SELECT * FROM (SUMMARIZE SELECT 1)) SELECT * FROM d"
        ),
        ("SUMMARIZE (SHOW TABLES)", "SUMMARIZE SELECT * FROM (SHOW TABLES)"),
    ]

    @Test(arguments: cases)
    func canonicalText(_ sql: String, _ expected: String) throws {
        let text = try Parser.parse(sql).sqlDescription
        #expect(text == expected)
        #expect(try Parser.parse(text).sqlDescription == expected)
    }

    /// The UNPIVOT of a statement inside parentheses: its entries, names and NULL handling.
    @Test func unpivotEntries() throws {
        let sql = "SELECT * FROM (UNPIVOT t ON a AS 'x', (b, c), COLUMNS('d.*') INTO NAME n VALUE v, w)"
        guard case .select(let q) = try Parser.parse(sql), case .select(let core) = q.body,
            case .subquery(let inner, _, _, _)? = core.from, let spec = inner.unpivot
        else {
            Issue.record("no UNPIVOT in FROM")
            return
        }
        #expect(spec.entries.map(\.alias) == ["x", nil, nil])
        #expect(spec.entries.map(\.items.count) == [1, 2, 1])
        #expect(spec.name == "n")
        #expect(spec.values == ["v", "w"])
        #expect(!spec.includeNulls)
    }

    static let errors: [(String, String, String)] = [
        (
            "UNPIVOT t ON a + 1", "query:1:14",
            "at or near \"a\": UNPIVOT takes column names, (c1, c2) lists or COLUMNS(...) only"
        ),
        ("SELECT * FROM t UNPIVOT (v IN (a))", "query:1:28", "at or near \"IN\": expected FOR"),
        ("SELECT * FROM t UNPIVOT INCLUDE (v FOR n IN (a))", "query:1:33", "at or near \"(\": expected NULLS"),
    ]

    @Test(arguments: errors)
    func rejected(_ sql: String, _ location: String, _ message: String) {
        do {
            _ = try Parser.parse(sql)
            Issue.record("parsed: \(sql)")
        } catch let e as KuaiError {
            #expect(e.kind == .syntax)
            #expect(e.location == location)
            #expect(e.message == message)
        } catch {
            Issue.record("\(error)")
        }
    }
}
