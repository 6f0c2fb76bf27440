import KuaiCore
import Testing

@testable import KuaiPlan

/// EXPLAIN prints the physical plan tree (`PhysicalNode.explainLines`): one operator a line, inputs
/// indented under it, a hash join's build input under `build:` with its own inputs; a projection
/// that passes its input through (`SELECT k, label FROM s`) is no operator.
@Suite("EXPLAIN")
struct ExplainTests {
    @Test func joinShowsProbeAndWholeBuildSide() throws {
        let lines = try PlanFixture.engine.explain(
            "SELECT t.name, s.label FROM t JOIN (SELECT k, label FROM s WHERE label <> 'z') s ON s.k = t.id")
        #expect(
            lines == [
                "Project [name, label]",
                "  HashJoin INNER build=right probe=parallel keys=[#0=#0]",
                "    Scan t columns=[id, name]",
                "    build: Scan s columns=[k, label] filters=[(\"label\" != 'z')]",
            ])
    }

    @Test func aggregateOverAParallelScan() throws {
        let lines = try PlanFixture.engine.explain("SELECT name, count(*) FROM t WHERE id > 1 GROUP BY name")
        #expect(
            lines == [
                "HashAggregate keys=[name] aggregates=[count_star()]",
                "  Project [name]",
                "    Scan t columns=[id, name] filters=[(id > 1)] output=[name]",
            ])
    }
}
