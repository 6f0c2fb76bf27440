import KuaiCore
import Testing

@testable import KuaiPlan

/// FilterThroughProjection: WHERE conjuncts over a projection that read only passed-through columns move
/// below it (renumbered to the projection's input); conjuncts over computed columns stay above.
@Suite("Optimizer rule: FilterThroughProjection")
struct FilterThroughProjectionTests {
    static let cases: [RewriteCase] = [
        RewriteCase(
            "a conjunct over a passed-through column moves below, one over a computed column stays",
            sql: "SELECT * FROM (SELECT price * 2 AS p2, id FROM t) WHERE id > 1 AND p2 > 3",
            after: [
                "Project [p2#0, id#1]",
                "  Filter (p2#0 > 3)",
                "    Project [(price#2 * 2) AS p2, id#0]",
                "      Filter (id#0 > 1)",
                "        Scan t columns=[id, name, price, d, ms]",
            ]),
        RewriteCase(
            "through two projections",
            sql: "SELECT * FROM (SELECT name, id FROM (SELECT id, name, price + 1 AS q FROM t)) WHERE name = 'a'",
            after: [
                "Project [name#0, id#1]",
                "  Project [name#1, id#0]",
                "    Project [id#0, name#1, (price#2 + 1) AS q]",
                "      Filter (name#1 = 'a')",
                "        Scan t columns=[id, name, price, d, ms]",
            ]),
        RewriteCase(
            "a conjunct over a computed column stays",
            sql: "SELECT * FROM (SELECT id + 1 AS j FROM t) WHERE j > 1",
            after: nil),
    ]

    @Test(arguments: cases) func rewrite(_ c: RewriteCase) throws { try c.check(FilterThroughProjection()) }
}
