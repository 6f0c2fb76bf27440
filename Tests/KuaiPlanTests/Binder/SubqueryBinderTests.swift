import KuaiCore
import Testing

@testable import KuaiPlan

/// Uncorrelated subqueries (SubqueryBinder, Physical/SubqueryResolution.swift): the binder plans them as
/// `subquery` expressions and runs nothing; they run once when the query runs, EXPLAIN prints their
/// plans without running them. Expected rows are DuckDB 2.0.1's on the same two tables.
@Suite("Binder: uncorrelated subqueries are planned, not run")
struct SubqueryBinderTests {
    /// A scalar subquery is part of the plan; NOT IN casts the subquery's column to the common type.
    static let plans: [PlanCase] = [
        PlanCase(
            "SELECT name FROM t WHERE id = (SELECT max(k) FROM s)",
            [
                "Project [name#1]",
                "  Filter (id#0 = subquery#1(scalar))",
                "    Subquery #1 (scalar)",
                "      Project [max(k)#0]",
                "        Aggregate keys=[] aggregates=[max(#0)]",
                "          Project [k#0]",
                "            Scan s columns=[k, label]",
                "    Scan t columns=[id, name, price, d, ms]",
            ]),
        // (an IN conjunct of the outermost WHERE is a semi join, WhereBinder; NOT IN keeps the list)
        PlanCase(
            "SELECT id FROM t WHERE price NOT IN (SELECT k FROM s)",
            [
                "Project [id#0]",
                "  Filter (price#2 NOT IN subquery#1)",
                "    Subquery #1 (values)",
                "      Project [CAST(k#0 AS DOUBLE)]",
                "        Project [k#0]",
                "          Scan s columns=[k, label]",
                "    Scan t columns=[id, name, price, d, ms]",
            ]),
    ]

    @Test(arguments: plans) func plan(_ c: PlanCase) throws { try c.check() }

    /// `(SELECT k FROM s)` has two rows: running the query is DuckDB's error, EXPLAIN is not.
    @Test func explainRunsNoSubquery() throws {
        let sql = "SELECT id FROM t WHERE id = (SELECT k FROM s)"
        let lines = try PlanFixture.engine.explain(sql)
        #expect(
            lines == [
                "Scan t columns=[id] filters=[(id = (SELECT k FROM s))]",
                "Subquery #1 (scalar)",
                "  Scan s columns=[k]",
            ])
        do {
            _ = try PlanFixture.engine.execute(sql)
            Issue.record("a scalar subquery of two rows ran without error")
        } catch let e as KuaiError {
            #expect(e.kind == .execution)
            #expect(e.message == "More than one row returned by a subquery used as an expression")
        }
    }

    static let answers: [(sql: String, rows: [Int64])] = [
        ("SELECT id FROM t WHERE id = (SELECT max(k) FROM s)", [2]),
        ("SELECT id FROM t WHERE id IN (SELECT k FROM s) ORDER BY id", [1, 2]),
        ("SELECT id FROM t WHERE id NOT IN (SELECT k FROM s) ORDER BY id", [3]),
        ("SELECT id FROM t WHERE id IN (SELECT k FROM s WHERE k > 5)", []),
        ("SELECT count(*) FROM t WHERE EXISTS (SELECT 1 FROM s WHERE k > 5)", [0]),
        ("SELECT count(*) FROM t WHERE NOT EXISTS (SELECT 1 FROM s WHERE k > 5)", [3]),
        // nested: the inner subquery runs first
        (
            "SELECT id FROM t WHERE id > (SELECT min(k) FROM s WHERE k IN (SELECT k FROM s WHERE label = 'y')) ORDER BY id",
            [3]
        ),
    ]

    @Test(arguments: answers.indices)
    func subqueriesGiveDuckDBsRows(_ i: Int) throws {
        let (sql, rows) = Self.answers[i]
        let r = try PlanFixture.engine.execute(sql)
        #expect(r.batches.flatMap { b in (0..<b.count).map { b.columns[0].ints[$0] } } == rows, "\(sql)")
    }
}
