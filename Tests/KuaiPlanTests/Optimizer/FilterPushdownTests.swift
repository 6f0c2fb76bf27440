import KuaiCore
import Testing

@testable import KuaiPlan

/// FilterPushdown: a filter right over a scan becomes the scan's conjuncts; filters merge; a filter
/// over an aggregate (HAVING) stays where it is.
@Suite("Optimizer rule: FilterPushdown")
struct FilterPushdownTests {
    static let cases: [RewriteCase] = [
        RewriteCase(
            "filter conjuncts move into the scan", sql: "SELECT name FROM t WHERE id > 1 AND price < 3",
            before: [
                "Project [name#1]",
                "  Filter ((id#0 > 1) AND (price#2 < 3))",
                "    Scan t columns=[id, name, price, d, ms]",
            ],
            after: [
                "Project [name#1]",
                "  Scan t columns=[id, name, price, d, ms] filters=[(id#0 > 1), (price#2 < 3)]",
            ]),
        // (FilterThroughProjection, which runs before, has moved the outer WHERE below the projection)
        RewriteCase(
            "a filter moved below a projection joins the scan's conjuncts",
            sql: "SELECT * FROM (SELECT id, name FROM t WHERE id > 1) x WHERE name = 'a'",
            after: [
                "Project [id#0, name#1]",
                "  Project [id#0, name#1]",
                "    Scan t columns=[id, name, price, d, ms] filters=[(id#0 > 1), (name#1 = 'a')]",
            ]),
        RewriteCase(
            "a filter above an aggregate (HAVING) stays",
            sql: "SELECT name, count(*) AS n FROM t GROUP BY name HAVING count(*) > 1", after: nil),
    ]

    @Test(arguments: cases) func rewrite(_ c: RewriteCase) throws { try c.check(FilterPushdown()) }

    @Test func stackedFiltersMerge() {
        let t = PlanFixture.t
        let id = BoundExpr.column(0, type: .bigint, name: "id")
        let one = BoundExpr.constant(.int(1), type: .bigint)
        let gt = BoundExpr(.compare(.greater, id, one), type: .boolean, name: "(id > 1)")
        let lt = BoundExpr(.compare(.less, id, one), type: .boolean, name: "(id < 1)")
        let scan = LogicalPlan.scan(table: t, columns: [0, 1], conjuncts: [])
        let stacked = LogicalPlan.filter(.filter(.project(scan, [id], names: ["id"]), gt), lt)
        #expect(
            FilterPushdown().apply(stacked).lines() == [
                "Filter ((id#0 > 1) AND (id#0 < 1))",
                "  Project [id#0]",
                "    Scan t columns=[id, name]",
            ])
    }
}
