import KuaiCore
import Testing

@testable import KuaiPlan

/// LateMaterialization: a filtered scan under a projection outputs only the columns the projection reads.
@Suite("Optimizer rule: LateMaterialization")
struct LateMaterializationTests {
    @Test func filterOnlyColumnsAreNotOutput() throws {
        let plan = try PlanFixture.before("LateMaterialization", "SELECT name FROM t WHERE id > 1 AND price < 3")
        #expect(
            plan.lines() == [
                "Project [name#1]",
                "  Scan t columns=[id, name, price] filters=[(id#0 > 1), (price#2 < 3)]",
            ])
        #expect(
            LateMaterialization().apply(plan).lines() == [
                "Project [name#0]",
                "  Scan t columns=[id, name, price] filters=[(id#0 > 1), (price#2 < 3)] output=[name]",
            ])
    }

    @Test func noChangeWithoutFiltersOrWhenEveryColumnIsUsed() throws {
        for sql in ["SELECT name FROM t", "SELECT * FROM t WHERE id > 1"] {
            let plan = try PlanFixture.before("LateMaterialization", sql)
            #expect(LateMaterialization().apply(plan).lines() == plan.lines(), "\(sql)")
        }
    }
}
