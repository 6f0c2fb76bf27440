import KuaiCore
import Testing

@testable import KuaiPlan

/// LimitPushdown: LIMIT moves below projections, so that it sits on the sort (a top-N sort).
@Suite("Optimizer rule: LimitPushdown")
struct LimitPushdownTests {
    static let cases: [RewriteCase] = [
        RewriteCase(
            "limit moves below the projection onto the sort",
            sql: "SELECT name, id + 1 AS y FROM t ORDER BY price LIMIT 2 OFFSET 1",
            before: [
                "Limit 2 offset 1",
                "  Project [name#0, y#1]",
                "    Sort [#2 ASC NULLS LAST]",
                "      Project [name#1, (id#0 + 1) AS y, price#2]",
                "        Scan t columns=[id, name, price, d, ms]",
            ],
            after: [
                "Project [name#0, y#1]",
                "  Limit 2 offset 1",
                "    Sort [#2 ASC NULLS LAST]",
                "      Project [name#1, (id#0 + 1) AS y, price#2]",
                "        Scan t columns=[id, name, price, d, ms]",
            ])
    ]

    @Test(arguments: cases) func rewrite(_ c: RewriteCase) throws { try c.check(LimitPushdown()) }

    @Test func limitStaysAboveOtherOperators() throws {
        let plan = try PlanFixture.before("LimitPushdown", "SELECT DISTINCT name FROM t LIMIT 1")
        #expect(plan.lines().first == "Limit 1")
        #expect(LimitPushdown().apply(plan).lines() == plan.lines())
    }
}
