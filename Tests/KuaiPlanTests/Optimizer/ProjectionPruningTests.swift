import KuaiCore
import Testing

@testable import KuaiPlan

/// ProjectionPruning: every node keeps only the columns read above it and by itself; scans read fewer
/// table columns; column references are renumbered.
@Suite("Optimizer rule: ProjectionPruning")
struct ProjectionPruningTests {
    static let cases: [RewriteCase] = [
        RewriteCase(
            "scans read only the columns used above and in filters",
            sql: "SELECT name, count(*) FROM t WHERE id > 1 GROUP BY name",
            before: [
                "Project [name#0, count_star()#1]",
                "  Aggregate keys=[#0] aggregates=[count_star()]",
                "    Project [name#1]",
                "      Scan t columns=[id, name, price, d, ms] filters=[(id#0 > 1)]",
            ],
            after: [
                "Project [name#0, count_star()#1]",
                "  Aggregate keys=[#0] aggregates=[count_star()]",
                "    Project [name#1]",
                "      Scan t columns=[id, name] filters=[(id#0 > 1)]",
            ]),
        RewriteCase(
            "join inputs and keys are renumbered",
            sql: "SELECT a.name FROM t a LEFT JOIN s b ON a.id = b.k WHERE b.label IS NULL",
            after: [
                "Project [name#1]",
                "  Filter (label#3 IS NULL)",
                "    Join LEFT keys=[#0=#0]",
                "      Scan t columns=[id, name]",
                "      Scan s columns=[k, label]",
            ]),
        RewriteCase(
            "windows", sql: "SELECT name, row_number() OVER (PARTITION BY d ORDER BY id) AS rn FROM t",
            after: [
                "Project [name#1, row_number() OVER (PARTITION BY d ORDER BY id)#3 AS rn]",
                "  Window partition=[#2] order=[#0 ASC NULLS LAST] [row_number()]",
                "    Scan t columns=[id, name, d]",
            ]),
        RewriteCase(
            "unions", sql: "SELECT name FROM t UNION ALL SELECT label FROM s",
            after: [
                "UnionAll",
                "  Project [name#0]",
                "    Scan t columns=[name]",
                "  Project [label#0]",
                "    Scan s columns=[label]",
            ]),
        RewriteCase(
            "distinct", sql: "SELECT DISTINCT name, d FROM t",
            after: [
                "Distinct",
                "  Project [name#0, d#1]",
                "    Scan t columns=[name, d]",
            ]),
    ]

    @Test(arguments: cases) func rewrite(_ c: RewriteCase) throws { try c.check(ProjectionPruning()) }
}
