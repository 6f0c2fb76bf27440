import KuaiCore
import Testing

@testable import KuaiPlan

/// The driver: every rule in order over the whole plan; a shared CTE's plan optimized on its own (every
/// one of its columns kept).
@Suite("Optimizer driver")
struct OptimizerDriverTests {
    @Test func rulesRunInTheirOrder() {
        #expect(
            Optimizer.rules.map(\.name) == [
                "ConstantFolding", "HourOfEpochMsFusion", "FilterThroughProjection", "JoinConditionPushdown",
                "SemiJoinPushdown", "FilterPushdown", "AggregateBelowJoin", "LimitPushdown", "ProjectionPruning",
                "LateMaterialization",
            ])
    }

    @Test func sharedCTEPlansAreOptimizedOnTheirOwn() throws {
        let plan = try PlanFixture.bound(
            "WITH c AS (SELECT id, name FROM t WHERE price > 1 + 1) SELECT a.id FROM c a JOIN c b ON a.id = b.id")
        #expect(
            Optimizer.optimize(plan).lines() == [
                "Project [id#0]",
                "  Join INNER keys=[#0=#0]",
                "    SharedCTE #1",
                "      Project [id#0, name#1]",
                "        Scan t columns=[id, name, price] filters=[(price#2 > 2)] output=[id, name]",
                "    SharedCTE #1",
                "      Project [id#0, name#1]",
                "        Scan t columns=[id, name, price] filters=[(price#2 > 2)] output=[id, name]",
            ])
    }
}
