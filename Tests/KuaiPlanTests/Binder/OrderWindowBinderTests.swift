import Testing

@testable import KuaiPlan

/// ORDER BY, LIMIT and OFFSET (OrderBinder), window calls and QUALIFY (WindowBinder, HavingBinder).
@Suite("Binder: ORDER BY, LIMIT, windows, QUALIFY")
struct OrderWindowBinderTests {
    static let plans: [PlanCase] = [
        PlanCase(
            "SELECT name FROM t ORDER BY 1 DESC",
            ["Sort [#0 DESC NULLS LAST]", "  Project [name#1]", "    Scan t columns=[id, name, price, d, ms]"]),
        // A term outside the select list is a hidden column, dropped after the sort.
        PlanCase(
            "SELECT name FROM t ORDER BY id",
            [
                "Project [name#0]",
                "  Sort [#1 ASC NULLS LAST]",
                "    Project [name#1, id#0]",
                "      Scan t columns=[id, name, price, d, ms]",
            ]),
        // SELECT DISTINCT with such a term groups by the select list and sorts by first(term) (DuckDB 2.0.1).
        PlanCase(
            "SELECT DISTINCT name FROM t ORDER BY id",
            [
                "Project [name#0]",
                "  Sort [#1 ASC NULLS LAST]",
                "    Aggregate keys=[#0] aggregates=[first(#1)]",
                "      Project [name#1, id#0]",
                "        Scan t columns=[id, name, price, d, ms]",
            ]),
        PlanCase(
            "SELECT name, sum(price) AS total FROM t GROUP BY name ORDER BY total DESC, count(*)",
            [
                "Project [name#0, total#1]",
                "  Sort [#1 DESC NULLS LAST, #2 ASC NULLS LAST]",
                "    Project [name#0, sum(price)#1 AS total, count_star()#2]",
                "      Aggregate keys=[#0] aggregates=[sum(#1), count_star()]",
                "        Project [name#1, price#2]",
                "          Scan t columns=[id, name, price, d, ms]",
            ]),
        PlanCase(
            "SELECT id FROM t LIMIT 2 OFFSET 1",
            ["Limit 2 offset 1", "  Project [id#0]", "    Scan t columns=[id, name, price, d, ms]"]),
        PlanCase(
            "SELECT name, rank() OVER w AS r FROM t WINDOW w AS (PARTITION BY name ORDER BY price DESC) QUALIFY r = 1",
            [
                "Project [name#1, rank() OVER (PARTITION BY \"name\" ORDER BY price DESC)#5 AS r]",
                "  Filter (rank() OVER (PARTITION BY \"name\" ORDER BY price DESC)#5 = 1)",
                "    Window partition=[#1] order=[#2 DESC NULLS LAST] [rank()]",
                "      Scan t columns=[id, name, price, d, ms]",
            ]),
        PlanCase(
            "SELECT id, sum(price) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM t",
            [
                "Project [id#0, sum(price) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)#5 AS s]",
                "  Window partition=[] order=[#0 ASC NULLS LAST] [sum(#2) ROWS BETWEEN 1 PRECEDING AND CURRENT ROW]",
                "    Scan t columns=[id, name, price, d, ms]",
            ]),
    ]

    static let errors: [ErrorCase] = [
        ErrorCase("SELECT name FROM t ORDER BY 3", "ORDER term out of range - should be between 1 and 1"),
        ErrorCase(
            "SELECT name FROM t ORDER BY nope",
            "column \"nope\" not found; did you mean \"name\"? (columns: id, name, price, d, ms)"),
        ErrorCase("SELECT id FROM t LIMIT -1", "LIMIT must be a non-negative integer constant, found -1"),
        // LIMIT / OFFSET per outer row need the outer row's rows to be one partition (correlations by =)
        ErrorCase(
            "SELECT name FROM t WHERE EXISTS (SELECT 1 FROM s WHERE s.k > t.id LIMIT 1 OFFSET 1)",
            "LIMIT and OFFSET in a correlated subquery are supported only in a SELECT whose outer columns are compared with = or IS NOT DISTINCT FROM"
        ),
        ErrorCase("SELECT id FROM t QUALIFY id = 1", "QUALIFY needs a window function"),
        ErrorCase("SELECT rank() OVER w FROM t", "window \"w\" is not defined"),
        ErrorCase("SELECT lag(id, 1.5) OVER (ORDER BY id) FROM t", "the offset of lag must be an integer constant"),
        ErrorCase("SELECT lead(id, id) OVER (ORDER BY id) FROM t", "column \"id\" not found (columns: )"),
        // a default over the row is bound as a CASE over two lag calls, except with IGNORE NULLS
        ErrorCase(
            "SELECT lag(id, 1, id IGNORE NULLS) OVER (ORDER BY id) FROM t", "the default of lag must be a constant"),
    ]

    @Test(arguments: plans) func plan(_ c: PlanCase) throws { try c.check() }
    @Test(arguments: errors) func error(_ c: ErrorCase) { c.check() }
}
