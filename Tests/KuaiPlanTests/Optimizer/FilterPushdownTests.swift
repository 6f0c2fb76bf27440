import KuaiCore
import Testing

@testable import KuaiPlan

/// FilterPushdown: a filter right over a scan becomes the scan's conjuncts; filters merge; a filter
/// over a projection or an aggregate (HAVING) stays where it is.
@Suite("Optimizer rule: FilterPushdown")
struct FilterPushdownTests {
    @Test func filterConjunctsMoveIntoTheScan() throws {
        let plan = try PlanFixture.before("FilterPushdown", "SELECT name FROM t WHERE id > 1 AND price < 3")
        #expect(
            plan.lines() == [
                "Project [name#1]",
                "  Filter ((id#0 > 1) AND (price#2 < 3))",
                "    Scan t columns=[id, name, price, d, ms]",
            ])
        #expect(
            FilterPushdown().apply(plan).lines() == [
                "Project [name#1]",
                "  Scan t columns=[id, name, price, d, ms] filters=[(id#0 > 1), (price#2 < 3)]",
            ])
    }

    @Test func filtersAboveProjectionsAndAggregatesStay() throws {
        let sub = try PlanFixture.before(
            "FilterPushdown", "SELECT * FROM (SELECT id, name FROM t WHERE id > 1) x WHERE name = 'a'")
        #expect(
            FilterPushdown().apply(sub).lines() == [
                "Project [id#0, name#1]",
                "  Filter (name#1 = 'a')",
                "    Project [id#0, name#1]",
                "      Scan t columns=[id, name, price, d, ms] filters=[(id#0 > 1)]",
            ])
        let having = try PlanFixture.before(
            "FilterPushdown", "SELECT name, count(*) AS n FROM t GROUP BY name HAVING count(*) > 1")
        #expect(FilterPushdown().apply(having).lines() == having.lines())
    }

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
