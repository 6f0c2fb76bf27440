import KuaiCore
import Testing

@testable import KuaiPlan

/// AggregateBelowJoin: a GROUP BY over a join whose aggregates read one input and combine exactly
/// from partial results is split into a GROUP BY of that input by its join keys, the join, and a
/// GROUP BY that combines the partial results; other aggregates, inputs and shapes keep the plan.
/// The fixture tables have no zone maps: the key bound is given (one value for 100 rows, or as many
/// values as rows).
@Suite("Optimizer rule: AggregateBelowJoin")
struct AggregateBelowJoinTests {
    static let few = AggregateBelowJoin(keyBound: { _, _ in (rows: 100, values: 1) })
    static let many = AggregateBelowJoin(keyBound: { _, _ in (rows: 100, values: 100) })

    static let cases: [RewriteCase] = [
        RewriteCase(
            "count(*), count(x), integer sum, min and max of the left input grouped by the right input's column",
            sql:
                "SELECT s.label, count(*), count(t.d), sum(t.ms), min(t.name), max(t.d) FROM t JOIN s ON s.k = t.id GROUP BY s.label",
            after: [
                "Project [label#0, count_star()#1, count(t.d)#2, sum(t.ms)#3, min(t.\"name\")#4, max(t.d)#5]",
                "  Project [label#0, CAST(count_star()#1 AS BIGINT), CAST(count(t.d)#2 AS BIGINT), sum(t.ms)#3, min(t.\"name\")#4, max(t.d)#5]",
                "    Aggregate keys=[#0] aggregates=[sum(#1), sum(#2), sum(#3), min(#4), max(#5)]",
                "      Project [label#7, #p0#1, #p1#2, #p2#3, #p3#4, #p4#5]",
                "        Join INNER keys=[#0=#0]",
                "          Aggregate keys=[#0] aggregates=[count_star(), count(#1), sum(#2), min(#3), max(#4)]",
                "            Project [id#0 AS #0, d#3 AS #1, ms#4 AS #2, name#1 AS #3, d#3 AS #4]",
                "              Scan t columns=[id, name, price, d, ms]",
                "          Scan s columns=[k, label]",
            ]),
        RewriteCase(
            "the fact input on the right, grouped also by its own column",
            sql: "SELECT s.label, t.name, sum(t.id) FROM s JOIN t ON t.ms = s.k GROUP BY ALL",
            after: [
                "Project [label#0, name#1, sum(t.id)#2]",
                "  Project [label#0, name#1, sum(t.id)#2]",
                "    Aggregate keys=[#0, #1] aggregates=[sum(#2)]",
                "      Project [label#1, name#3, #p0#4]",
                "        Join INNER keys=[#0=#0]",
                "          Scan s columns=[k, label]",
                "          Aggregate keys=[#0, #1] aggregates=[sum(#2)]",
                "            Project [ms#4 AS #0, name#1 AS #1, id#0 AS #2]",
                "              Scan t columns=[id, name, price, d, ms]",
            ]),
        RewriteCase(
            "avg of integers as a sum and a count, FILTER, and an argument that cannot fail",
            sql:
                "SELECT s.label, avg(t.ms), count(*) FILTER (WHERE t.ms > 0), sum(CASE WHEN t.name = 'a' THEN 1 ELSE 0 END) FROM t JOIN s ON s.k = t.id GROUP BY 1",
            after: [
                "Project [label#0, avg(t.ms)#1, count_star() FILTER (WHERE (t.ms > 0))#2, sum(CASE  WHEN ((t.\"name\" = \'a\')) THEN (1) ELSE 0 END)#3]",
                "  Project [label#0, (CAST(#c0#1 AS DOUBLE) / CAST(#c1#2 AS DOUBLE)), CAST(count_star() FILTER (WHERE (t.ms > 0))#3 AS BIGINT), sum(CASE  WHEN ((t.\"name\" = \'a\')) THEN (1) ELSE 0 END)#4]",
                "    Aggregate keys=[#0] aggregates=[sum(#1), sum(#2), sum(#3), sum(#4)]",
                "      Project [label#6, #p0#1, #p1#2, #p2#3, #p3#4]",
                "        Join INNER keys=[#0=#0]",
                "          Aggregate keys=[#0] aggregates=[sum(#1), count(#1), count_star() FILTER #2, sum(#3)]",
                "            Project [id#0 AS #0, ms#4 AS #1, (ms#4 > 0) AS #2, CASE WHEN (name#1 = \'a\') THEN 1 ELSE 0 END AS #3]",
                "              Scan t columns=[id, name, price, d, ms]",
                "          Scan s columns=[k, label]",
            ]),
        RewriteCase(
            "LEFT join from the fact input",
            sql: "SELECT s.label, count(*) FROM t LEFT JOIN s ON s.k = t.id GROUP BY 1",
            after: [
                "Project [label#0, count_star()#1]",
                "  Project [label#0, CAST(count_star()#1 AS BIGINT)]",
                "    Aggregate keys=[#0] aggregates=[sum(#1)]",
                "      Project [label#3, #p0#1]",
                "        Join LEFT keys=[#0=#0]",
                "          Aggregate keys=[#0] aggregates=[count_star()]",
                "            Project [id#0 AS #0]",
                "              Scan t columns=[id, name, price, d, ms]",
                "          Scan s columns=[k, label]",
            ]),
    ]

    static let kept: [RewriteCase] = [
        RewriteCase(
            "avg of DOUBLE", sql: "SELECT s.label, avg(t.price) FROM t JOIN s ON s.k = t.id GROUP BY 1", after: nil),
        RewriteCase(
            "DOUBLE sum", sql: "SELECT s.label, sum(t.price) FROM t JOIN s ON s.k = t.id GROUP BY 1", after: nil),
        RewriteCase(
            "DOUBLE min", sql: "SELECT s.label, min(t.price) FROM t JOIN s ON s.k = t.id GROUP BY 1", after: nil),
        RewriteCase(
            "DISTINCT", sql: "SELECT s.label, count(DISTINCT t.ms) FROM t JOIN s ON s.k = t.id GROUP BY 1", after: nil),
        RewriteCase(
            "a FILTER condition that may fail",
            sql: "SELECT s.label, count(*) FILTER (WHERE t.ms + 1 > 0) FROM t JOIN s ON s.k = t.id GROUP BY 1",
            after: nil),
        RewriteCase(
            "a fact-side grouping key that is an expression",
            sql: "SELECT s.label, t.ms % 3 AS m, count(*) FROM t JOIN s ON s.k = t.id GROUP BY ALL", after: nil),
        RewriteCase("no GROUP BY", sql: "SELECT count(*), sum(t.ms) FROM t JOIN s ON s.k = t.id", after: nil),
        RewriteCase(
            "aggregates of both inputs",
            sql: "SELECT s.label, sum(t.ms), min(s.k) FROM t JOIN s ON s.k = t.id GROUP BY 1",
            after: nil),
        RewriteCase(
            "a fact-side argument that is an expression",
            sql: "SELECT s.label, sum(t.ms + 1) FROM t JOIN s ON s.k = t.id GROUP BY 1", after: nil),
        RewriteCase(
            "a grouping key reading both inputs",
            sql: "SELECT s.label || t.name AS x, count(*) FROM t JOIN s ON s.k = t.id GROUP BY 1", after: nil),
        RewriteCase(
            "the null-padded input of a LEFT join as the fact input",
            sql: "SELECT t.name, count(s.k) FROM t LEFT JOIN s ON s.k = t.id GROUP BY 1", after: nil),
        RewriteCase(
            "a residual join condition",
            sql: "SELECT s.label, count(*) FROM t JOIN s ON s.k = t.id AND s.label < t.name GROUP BY 1", after: nil),
    ]

    @Test(arguments: cases) func rewrite(_ c: RewriteCase) throws { try c.check(Self.few) }
    @Test(arguments: cases + kept) func keptWhenKeysTakeManyValues(_ c: RewriteCase) throws {
        try RewriteCase(c.title, sql: c.sql, after: nil).check(Self.many)
    }
    @Test(arguments: kept) func keptShapes(_ c: RewriteCase) throws { try c.check(Self.few) }

    /// Grouping by the fact input's join key adds no values to bound: the key column is asked once.
    @Test func groupingByTheJoinKeyBoundsItOnce() throws {
        let oneColumnOnly = AggregateBelowJoin(keyBound: { _, columns in
            (rows: 100, values: columns == [0] ? 1 : 100)
        })
        let plan = try PlanFixture.before(
            "AggregateBelowJoin", "SELECT t.id, s.label, count(*) FROM t JOIN s ON s.k = t.id GROUP BY ALL")
        #expect(plan.lines().allSatisfy { !$0.contains("sum(") })
        #expect(oneColumnOnly.apply(plan).lines().contains { $0.contains("aggregates=[sum(") })
    }
}
