import KuaiCore
import Testing

@testable import KuaiPlan

/// ProjectionPruning: every node keeps only the columns read above it and by itself; scans read fewer
/// table columns; column references are renumbered.
@Suite("Optimizer rule: ProjectionPruning")
struct ProjectionPruningTests {
    @Test func scansReadOnlyTheColumnsUsedAboveAndInFilters() throws {
        let plan = try PlanFixture.before(
            "ProjectionPruning", "SELECT name, count(*) FROM t WHERE id > 1 GROUP BY name")
        #expect(
            plan.lines() == [
                "Project [name#0, count_star()#1]",
                "  Aggregate keys=[#0] aggregates=[count_star()]",
                "    Project [name#1]",
                "      Scan t columns=[id, name, price, d, ms] filters=[(id#0 > 1)]",
            ])
        #expect(
            ProjectionPruning().apply(plan).lines() == [
                "Project [name#0, count_star()#1]",
                "  Aggregate keys=[#0] aggregates=[count_star()]",
                "    Project [name#1]",
                "      Scan t columns=[id, name] filters=[(id#0 > 1)]",
            ])
    }

    @Test func joinInputsAndKeysAreRenumbered() throws {
        let plan = try PlanFixture.before(
            "ProjectionPruning", "SELECT a.name FROM t a LEFT JOIN s b ON a.id = b.k WHERE b.label IS NULL")
        #expect(
            ProjectionPruning().apply(plan).lines() == [
                "Project [name#1]",
                "  Filter (label#3 IS NULL)",
                "    Join LEFT keys=[#0=#0]",
                "      Scan t columns=[id, name]",
                "      Scan s columns=[k, label]",
            ])
    }

    @Test func windowsUnionsAndDistinct() throws {
        let window = try PlanFixture.before(
            "ProjectionPruning", "SELECT name, row_number() OVER (PARTITION BY d ORDER BY id) AS rn FROM t")
        #expect(
            ProjectionPruning().apply(window).lines() == [
                "Project [name#1, row_number() OVER (PARTITION BY d ORDER BY id)#3 AS rn]",
                "  Window partition=[#2] order=[#0 ASC NULLS LAST] [row_number()]",
                "    Scan t columns=[id, name, d]",
            ])
        let union = try PlanFixture.before("ProjectionPruning", "SELECT name FROM t UNION ALL SELECT label FROM s")
        #expect(
            ProjectionPruning().apply(union).lines() == [
                "UnionAll",
                "  Project [name#0]",
                "    Scan t columns=[name]",
                "  Project [label#0]",
                "    Scan s columns=[label]",
            ])
        let distinct = try PlanFixture.before("ProjectionPruning", "SELECT DISTINCT name, d FROM t")
        #expect(
            ProjectionPruning().apply(distinct).lines() == [
                "Distinct",
                "  Project [name#0, d#1]",
                "    Scan t columns=[name, d]",
            ])
    }
}
