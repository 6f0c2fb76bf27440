import Testing

@testable import KuaiPlan

/// GROUP BY (GroupBinder), HAVING and aggregate calls (AggregateBinder): a projection of keys and
/// aggregate inputs, the aggregate (keys, then aggregates), HAVING over it.
@Suite("Binder: GROUP BY, HAVING, aggregates")
struct GroupBinderTests {
    static let plans: [PlanCase] = [
        PlanCase(
            "SELECT name, count(*) FROM t GROUP BY 1",
            [
                "Project [name#0, count_star()#1]",
                "  Aggregate keys=[#0] aggregates=[count_star()]",
                "    Project [name#1]",
                "      Scan t columns=[id, name, price, d, ms]",
            ]),
        PlanCase(
            "SELECT name AS n, sum(price) FROM t GROUP BY n",
            [
                "Project [name#0 AS n, sum(price)#1]",
                "  Aggregate keys=[#0] aggregates=[sum(#1)]",
                "    Project [name#1, price#2]",
                "      Scan t columns=[id, name, price, d, ms]",
            ]),
        PlanCase(
            "SELECT name, d, max(id) FROM t GROUP BY ALL",
            [
                "Project [name#0, d#1, max(id)#2]",
                "  Aggregate keys=[#0, #1] aggregates=[max(#2)]",
                "    Project [name#1, d#3, id#0]",
                "      Scan t columns=[id, name, price, d, ms]",
            ]),
        PlanCase(
            "SELECT count(*) FROM t HAVING count(*) > 1",
            [
                "Project [count_star()#0]",
                "  Filter (count_star()#0 > 1)",
                "    Aggregate keys=[] aggregates=[count_star()]",
                "      Project []",
                "        Scan t columns=[id, name, price, d, ms]",
            ]),
        // A correlated scalar subquery with an aggregate: grouped by its correlation key, LEFT JOINed.
        PlanCase(
            "SELECT name, (SELECT max(k) FROM s WHERE s.k = t.id) AS m FROM t",
            [
                "Project [name#1, (SELECT max(k) FROM s WHERE (s.k = t.id))#5 AS m]",
                "  Join LEFT residual=(id#0 = __key1#6)",
                "    Scan t columns=[id, name, price, d, ms]",
                "    Project [max(k)#1, k#0 AS __key1]",
                "      Aggregate keys=[#0] aggregates=[max(#1)]",
                "        Project [k#0, k#0]",
                "          Scan s columns=[k, label]",
            ]),
    ]

    static let errors: [ErrorCase] = [
        ErrorCase(
            "SELECT name, count(*) FROM t",
            "column \"name\" must appear in the GROUP BY clause or must be part of an aggregate function"),
        ErrorCase("SELECT name FROM t GROUP BY 2", "GROUP BY term out of range - should be between 1 and 1"),
        ErrorCase("SELECT count(*) FROM t GROUP BY count(*)", "GROUP BY clause cannot contain aggregates"),
        ErrorCase(
            "SELECT count(*) FROM t HAVING price > 1",
            "column \"price\" must appear in the GROUP BY clause or must be part of an aggregate function"),
        ErrorCase(
            "SELECT count(*) FROM t HAVING count(*)",
            "HAVING clause must be a BOOLEAN expression, but count_star() is BIGINT"),
        ErrorCase("SELECT sum(count(*)) FROM t", "aggregate function calls cannot be nested"),
    ]

    @Test(arguments: plans) func plan(_ c: PlanCase) throws { try c.check() }
    @Test(arguments: errors) func error(_ c: ErrorCase) { c.check() }
}
