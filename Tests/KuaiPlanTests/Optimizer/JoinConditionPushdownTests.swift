import KuaiCore
import Testing

@testable import KuaiPlan

/// JoinConditionPushdown: equalities across the sides become hash keys (expressions through extra
/// projected columns), single-side conjuncts move into the input where the join type allows it.
@Suite("Optimizer rule: JoinConditionPushdown")
struct JoinConditionPushdownTests {
    static let cases: [RewriteCase] = [
        // The expression key (id + 1 = k + 1) is computed by a projection on each side and dropped again
        // above the join.
        RewriteCase(
            "inner join keys and side filters",
            sql:
                "SELECT t.name, s.label FROM t JOIN s ON s.k = t.id AND s.label <> 'z' WHERE t.price > 1 AND t.id + 1 = s.k + 1",
            before: [
                "Project [name#1, label#6]",
                "  Filter ((price#2 > 1) AND ((id#0 + 1) = (k#5 + 1)))",
                "    Join INNER residual=((k#5 = id#0) AND (label#6 != 'z'))",
                "      Scan t columns=[id, name, price, d, ms]",
                "      Scan s columns=[k, label]",
            ],
            after: [
                "Project [name#1, label#6]",
                "  Project [id#0, name#1, price#2, d#3, ms#4, k#6, label#7]",
                "    Join INNER keys=[#5=#2, #0=#0]",
                "      Project [id#0, name#1, price#2, d#3, ms#4, (id#0 + 1)]",
                "        Filter (price#2 > 1)",
                "          Scan t columns=[id, name, price, d, ms]",
                "      Project [k#0, label#1, (k#0 + 1)]",
                "        Filter (label#1 != 'z')",
                "          Scan s columns=[k, label]",
            ]),
        // WHERE on the left moves into the left input; WHERE on the right (it removes the NULL-extended rows)
        // and ON over the left (it only decides matches) stay.
        RewriteCase(
            "a left join keeps its meaning",
            sql: "SELECT t.name FROM t LEFT JOIN s ON s.k = t.id AND t.price > 2 WHERE t.id > 1 AND s.label = 'x'",
            after: [
                "Project [name#1]",
                "  Filter (label#6 = 'x')",
                "    Join LEFT keys=[#0=#0] residual=(price#2 > 2)",
                "      Filter (id#0 > 1)",
                "        Scan t columns=[id, name, price, d, ms]",
                "      Scan s columns=[k, label]",
            ]),
        RewriteCase(
            "a cross join with a WHERE equality is an inner hash join",
            sql: "SELECT t.name FROM t, s WHERE s.k = t.id",
            before: [
                "Project [name#1]",
                "  Filter (k#5 = id#0)",
                "    Join CROSS",
                "      Scan t columns=[id, name, price, d, ms]",
                "      Scan s columns=[k, label]",
            ],
            after: [
                "Project [name#1]",
                "  Join INNER keys=[#0=#0]",
                "    Scan t columns=[id, name, price, d, ms]",
                "    Scan s columns=[k, label]",
            ]),
        RewriteCase(
            "a correlated EXISTS becomes a keyed semi join",
            sql: "SELECT name FROM t WHERE EXISTS (SELECT 1 FROM s WHERE s.k = t.id AND s.label <> 'z')",
            after: [
                "Project [name#1]",
                "  Join SEMI keys=[#0=#1]",
                "    Scan t columns=[id, name, price, d, ms]",
                "    Project [1, k#0 AS __key1]",
                "      Filter (label#1 != 'z')",
                "        Scan s columns=[k, label]",
            ]),
        // IS NOT DISTINCT FROM: two keys that are never NULL, the filled value and the NULL test.
        RewriteCase(
            "IS NOT DISTINCT FROM becomes two hash keys",
            sql: "SELECT t.name, s.label FROM t LEFT JOIN s ON t.id IS NOT DISTINCT FROM s.k",
            after: [
                "Project [name#1, label#6]",
                "  Project [id#0, name#1, price#2, d#3, ms#4, k#7, label#8]",
                "    Join LEFT keys=[#5=#2, #6=#3]",
                "      Project [id#0, name#1, price#2, d#3, ms#4, coalesce(id#0, 0), (id#0 IS NULL)]",
                "        Scan t columns=[id, name, price, d, ms]",
                "      Project [k#0, label#1, coalesce(k#0, 0), (k#0 IS NULL)]",
                "        Scan s columns=[k, label]",
            ]),
        RewriteCase(
            "a = b OR (a IS NULL AND b IS NULL) is IS NOT DISTINCT FROM",
            sql: "SELECT t.name FROM t JOIN s ON s.k = t.id OR (t.id IS NULL AND s.k IS NULL)",
            after: [
                "Project [name#1]",
                "  Project [id#0, name#1, price#2, d#3, ms#4, k#7, label#8]",
                "    Join INNER keys=[#5=#2, #6=#3]",
                "      Project [id#0, name#1, price#2, d#3, ms#4, coalesce(id#0, 0), (id#0 IS NULL)]",
                "        Scan t columns=[id, name, price, d, ms]",
                "      Project [k#0, label#1, coalesce(k#0, 0), (k#0 IS NULL)]",
                "        Scan s columns=[k, label]",
            ]),
        // A NULL test of another column: not the same condition, it stays the residual.
        RewriteCase(
            "an OR of other NULL tests stays a residual",
            sql: "SELECT t.name FROM t JOIN s ON s.k = t.id OR (t.ms IS NULL AND s.k IS NULL)",
            after: [
                "Project [name#1]",
                "  Join INNER residual=((k#5 = id#0) OR ((ms#4 IS NULL) AND (k#5 IS NULL)))",
                "    Scan t columns=[id, name, price, d, ms]",
                "    Scan s columns=[k, label]",
            ]),
    ]

    @Test(arguments: cases) func rewrite(_ c: RewriteCase) throws { try c.check(JoinConditionPushdown()) }
}
