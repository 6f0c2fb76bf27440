import KuaiCore
import Testing

@testable import KuaiPlan

/// ConstantFolding: constant subtrees become their value (names kept); subtrees that read a column, or
/// whose evaluation fails, stay as they are.
@Suite("Optimizer rule: ConstantFolding")
struct ConstantFoldingTests {
    @Test func foldsConstantSubtreesInEveryClause() throws {
        let plan = try PlanFixture.before(
            "ConstantFolding", "SELECT id + (1 + 2) AS x, upper('a' || 'b') FROM t WHERE d > DATE '2025-05-01' + 1")
        #expect(
            plan.lines() == [
                "Project [(id#0 + (1 + 2)) AS x, upper(concat_op('a', 'b'))]",
                "  Filter (d#3 > date_add_days('2025-05-01', CAST(1 AS BIGINT)))",
                "    Scan t columns=[id, name, price, d, ms]",
            ])
        let folded = ConstantFolding().apply(plan)
        #expect(
            folded.lines() == [
                "Project [(id#0 + 3) AS x, 'AB']",
                "  Filter (d#3 > '2025-05-02')",
                "    Scan t columns=[id, name, price, d, ms]",
            ])
        // The folded node keeps the expression's name: the result column is still DuckDB's `upper(('a' || 'b'))`.
        guard case .project(_, let exprs, _) = folded else {
            Issue.record("expected a projection")
            return
        }
        #expect(exprs[1].name == "upper(('a' || 'b'))")
        #expect(exprs[1].constantValue == .string("AB"))
    }

    @Test func keepsSubtreesThatReadColumnsOrFail() throws {
        try RewriteCase(
            "subtrees that read columns or fail stay",
            sql: "SELECT id // 0 AS bad, CASE WHEN id > 1 THEN 1 // 0 ELSE 2 END AS c, 1 + 2 AS k FROM t",
            after: [
                "Project [(id#0 // 0) AS bad, CASE WHEN (id#0 > 1) THEN (1 // 0) ELSE 2 END AS c, 3 AS k]",
                "  Scan t columns=[id, name, price, d, ms]",
            ]
        ).check(ConstantFolding())
    }
}
