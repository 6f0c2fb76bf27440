import KuaiCore
import Testing

@testable import KuaiPlan

/// LateMaterialization: a filtered scan under a projection outputs only the columns the projection reads.
@Suite("Optimizer rule: LateMaterialization")
struct LateMaterializationTests {
    static let cases: [RewriteCase] = [
        RewriteCase(
            "filter-only columns are not output", sql: "SELECT name FROM t WHERE id > 1 AND price < 3",
            before: [
                "Project [name#1]",
                "  Scan t columns=[id, name, price] filters=[(id#0 > 1), (price#2 < 3)]",
            ],
            after: [
                "Project [name#0]",
                "  Scan t columns=[id, name, price] filters=[(id#0 > 1), (price#2 < 3)] output=[name]",
            ]),
        RewriteCase("no change without filters", sql: "SELECT name FROM t", after: nil),
        RewriteCase("no change when every column is used", sql: "SELECT * FROM t WHERE id > 1", after: nil),
    ]

    @Test(arguments: cases) func rewrite(_ c: RewriteCase) throws { try c.check(LateMaterialization()) }
}
