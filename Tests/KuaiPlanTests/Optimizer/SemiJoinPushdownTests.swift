import KuaiCore
import Testing

@testable import KuaiPlan

/// SemiJoinPushdown: a semi or anti join whose keys read one input of the join below it moves into that
/// input (the preserved one of a LEFT join only), through a chain of joins; otherwise it stays.
@Suite("Optimizer rule: SemiJoinPushdown")
struct SemiJoinPushdownTests {
    static let cases: [RewriteCase] = [
        RewriteCase(
            "IN (subquery) on a left-input key filters the left input before the join",
            sql: "SELECT t.name, s.label FROM t JOIN s ON s.k = t.id WHERE t.ms IN (SELECT k FROM s)",
            after: [
                "Project [name#1, label#6]",
                "  Join INNER keys=[#0=#0]",
                "    Join SEMI keys=[#4=#0]",
                "      Scan t columns=[id, name, price, d, ms]",
                "      Project [k#0]",
                "        Scan s columns=[k, label]",
                "    Scan s columns=[k, label]",
            ]),
        RewriteCase(
            "on a right-input key, the right input",
            sql: "SELECT t.name FROM t JOIN s ON s.k = t.id WHERE s.label IN (SELECT name FROM t)",
            after: [
                "Project [name#1]",
                "  Join INNER keys=[#0=#0]",
                "    Scan t columns=[id, name, price, d, ms]",
                "    Join SEMI keys=[#1=#0]",
                "      Scan s columns=[k, label]",
                "      Project [name#1]",
                "        Scan t columns=[id, name, price, d, ms]",
            ]),
        RewriteCase(
            "NOT EXISTS on the preserved input of a LEFT join moves into it",
            sql: "SELECT t.name FROM t LEFT JOIN s ON s.k = t.id WHERE NOT EXISTS (SELECT 1 FROM s x WHERE x.k = t.ms)",
            after: [
                "Project [name#1]",
                "  Join LEFT keys=[#0=#0]",
                "    Join ANTI keys=[#4=#1]",
                "      Scan t columns=[id, name, price, d, ms]",
                "      Project [1, k#0 AS __key1]",
                "        Scan s columns=[k, label]",
                "    Scan s columns=[k, label]",
            ]),
        RewriteCase(
            "EXISTS on the null-padded input of a LEFT join stays above it",
            sql: "SELECT t.name FROM t LEFT JOIN s ON s.k = t.id WHERE EXISTS (SELECT 1 FROM t x WHERE x.id = s.k)",
            after: nil),
        RewriteCase(
            "keys reading both inputs stay above the join",
            sql: "SELECT t.name FROM t JOIN s ON s.k = t.id WHERE (t.ms, s.label) IN (SELECT id, name FROM t)",
            after: nil),
    ]

    @Test(arguments: cases) func rewrite(_ c: RewriteCase) throws { try c.check(SemiJoinPushdown()) }
}
