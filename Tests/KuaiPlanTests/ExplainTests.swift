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

    /// A join on IS NOT DISTINCT FROM alone is a hash join on the filled key and the NULL test of each
    /// side (not a nested loop over every pair).
    @Test func notDistinctJoinIsAHashJoin() throws {
        let lines = try PlanFixture.engine.explain(
            "SELECT t.name, s.label FROM t FULL JOIN s ON s.k IS NOT DISTINCT FROM t.id")
        #expect(
            lines == [
                "Project [name, label]",
                "  HashJoin FULL build=auto keys=[#1=#1, #2=#2]",
                "    Project [name, COALESCE(id, 0), (id IS NULL)]",
                "      Scan t columns=[id, name]",
                "    Project [label, COALESCE(k, 0), (k IS NULL)]",
                "      Scan s columns=[k, label]",
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
