import KuaiCore
import Testing

@testable import KuaiPlan

/// LATERAL joins (LateralJoinBinder.swift) and the rowid pseudo-column (bindNamedTable) over the plan
/// fixture's tables. Expected rows are DuckDB 2.0.1's on the same two tables.
@Suite("Binder: LATERAL joins and rowid")
struct LateralBinderTests {
    /// One BIGINT column per answer (NULL as nil).
    static let answers: [(sql: String, rows: [Int64?])] = [
        ("SELECT x.c FROM t, LATERAL (SELECT count(*) AS c FROM s WHERE s.k = t.id) x ORDER BY t.id", [1, 1, 0]),
        (
            "SELECT x.k FROM t, LATERAL (SELECT k FROM s WHERE s.k <= t.id ORDER BY k DESC LIMIT 1) x ORDER BY t.id",
            [1, 2, 2]
        ),
        ("SELECT g.n FROM t, generate_series(1, t.id) g(n) ORDER BY t.id, g.n", [1, 1, 2, 1, 2, 3]),
        (
            "SELECT x.k FROM t LEFT JOIN LATERAL (SELECT k FROM s WHERE s.k = t.id) x ON true ORDER BY t.id",
            [1, 2, nil]
        ),
        ("SELECT rowid FROM t WHERE rowid >= 1 ORDER BY rowid", [1, 2]),
    ]

    @Test(arguments: answers.indices)
    func lateralAndRowIdGiveDuckDBsRows(_ i: Int) throws {
        let (sql, rows) = Self.answers[i]
        let r = try PlanFixture.engine.execute(sql)
        let got: [Int64?] = r.batches.flatMap { b in
            (0..<b.count).map { b.columns[0].isValid($0) ? b.columns[0].ints[$0] : nil }
        }
        #expect(got == rows, "\(sql)")
    }

    /// The dependent join: the left side meets the subquery's rows for D (its distinct outer values) on
    /// IS NOT DISTINCT FROM, and the subquery's filter reads D's column.
    @Test func lateralIsAJoinOnTheDistinctOuterValues() throws {
        let text = try PlanFixture.bound("SELECT x.label FROM t, LATERAL (SELECT label FROM s WHERE s.k = t.id) x")
            .lines().joined(separator: "\n")
        #expect(text.contains("IS NOT DISTINCT FROM"), "\(text)")
        #expect(text.contains("Distinct"), "\(text)")
        #expect(!text.contains("outer1"), "\(text)")
    }

    /// A subquery that reads no earlier column stays an ordinary cross join.
    @Test func uncorrelatedSubqueryStaysAJoin() throws {
        let text = try PlanFixture.bound("SELECT * FROM t, LATERAL (SELECT k FROM s) x").lines().joined(separator: "\n")
        #expect(!text.contains("Distinct"), "\(text)")
    }

    @Test(arguments: [
        (
            "SELECT * FROM t RIGHT JOIN LATERAL (SELECT t.id AS x) s ON true",
            "The combining JOIN type must be INNER or LEFT for a LATERAL reference"
        ),
        ("SELECT * FROM t, LATERAL (SELECT max(t.id) AS m FROM s) x", "LATERAL join cannot contain aggregates"),
        ("SELECT rowid FROM (SELECT * FROM t)", "column \"rowid\" not found"),
        ("SELECT rowid FROM t, s", "column reference \"rowid\" is ambiguous"),
    ])
    func errors(_ sql: String, _ message: String) {
        let error = PlanFixture.bindingError(sql)
        #expect(error?.contains(message) == true, "\(sql): \(error ?? "no error")")
    }

    /// Without the word rowid in the statement a table is scanned without the pseudo-column; with it, the
    /// column is there but `*` leaves it out.
    @Test func rowIdOnlyWhenNamed() throws {
        let plain = try PlanFixture.bound("SELECT * FROM t").lines().joined(separator: "\n")
        #expect(!plain.contains("rowid"), "\(plain)")
        let named = try PlanFixture.engine.execute("SELECT *, rowid FROM t WHERE rowid = 0")
        #expect(named.fields.map(\.name) == ["id", "name", "price", "d", "ms", "rowid"])
    }
}
