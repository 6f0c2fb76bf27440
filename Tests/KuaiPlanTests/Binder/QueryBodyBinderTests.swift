import Testing

@testable import KuaiPlan

/// Set operations (SetOperationBinder), VALUES (ValuesBinder) and CTEs (Binder.bindCTEs).
@Suite("Binder: set operations, VALUES, CTEs")
struct QueryBodyBinderTests {
    static let plans: [PlanCase] = [
        PlanCase(
            "SELECT id FROM t UNION SELECT k FROM s",
            [
                "Distinct",
                "  UnionAll",
                "    Project [id#0]",
                "      Scan t columns=[id, name, price, d, ms]",
                "    Project [k#0]",
                "      Scan s columns=[k, label]",
            ]),
        // Inputs are cast to the common column type; nested UNION ALLs are one.
        PlanCase(
            "SELECT price FROM t UNION ALL SELECT k FROM s UNION ALL SELECT NULL",
            [
                "UnionAll",
                "  Project [price#2]",
                "    Scan t columns=[id, name, price, d, ms]",
                "  Project [CAST(k#0 AS DOUBLE)]",
                "    Project [k#0]",
                "      Scan s columns=[k, label]",
                "  Project [NULL]",
                "    Project [NULL]",
                "      OneRow rows=1 []",
            ]),
        PlanCase(
            "SELECT id FROM t EXCEPT SELECT k FROM s ORDER BY 1",
            [
                "Sort [#0 ASC NULLS LAST]",
                "  EXCEPT",
                "    Project [id#0]",
                "      Scan t columns=[id, name, price, d, ms]",
                "    Project [k#0]",
                "      Scan s columns=[k, label]",
            ]),
        PlanCase("VALUES (1, 'a'), (2, NULL)", ["Values rows=2 [col0, col1]"]),
        // A CTE used twice is shared: computed once per query.
        PlanCase(
            "WITH c AS (SELECT id FROM t) SELECT * FROM c a JOIN c b ON a.id = b.id",
            [
                "Project [id#0, id#1]",
                "  Join INNER residual=(id#0 = id#1)",
                "    SharedCTE #1",
                "      Project [id#0]",
                "        Scan t columns=[id, name, price, d, ms]",
                "    SharedCTE #1",
                "      Project [id#0]",
                "        Scan t columns=[id, name, price, d, ms]",
            ]),
    ]

    static let errors: [ErrorCase] = [
        ErrorCase(
            "SELECT id FROM t UNION SELECT k, label FROM s",
            "set operation inputs have 1 and 2 columns; they must have the same number"),
        ErrorCase(
            "SELECT id FROM t UNION SELECT d FROM t",
            "set operation column 1 has types BIGINT and DATE that do not unify"),
        ErrorCase(
            "SELECT id FROM t UNION SELECT k FROM s ORDER BY id + 1",
            "ORDER BY after a set operation must name an output column or position"),
        ErrorCase(
            "SELECT id FROM t UNION SELECT k FROM s ORDER BY nope",
            "column \"nope\" not found in the result; columns: id"),
        ErrorCase("VALUES ('a'), (1)", "VALUES column 1 mixes VARCHAR and INTEGER"),
        ErrorCase("SELECT (SELECT k, label FROM s)", "a scalar subquery must return exactly one column, found 2"),
        ErrorCase(
            "SELECT name FROM t WHERE id IN (SELECT k, label FROM s)",
            "a subquery in IN must return exactly one column, found 2"),
    ]

    @Test(arguments: plans) func plan(_ c: PlanCase) throws { try c.check() }
    @Test(arguments: errors) func error(_ c: ErrorCase) { c.check() }
}
