import Testing

@testable import KuaiPlan

/// FROM (TableRefBinder) and WHERE (WhereBinder).
@Suite("Binder: FROM and WHERE")
struct FromWhereBinderTests {
    static let plans: [PlanCase] = [
        PlanCase("SELECT 1", ["Project [1]", "  OneRow rows=1 []"]),
        PlanCase("SELECT x.id FROM t AS x", ["Project [id#0]", "  Scan t columns=[id, name, price, d, ms]"]),
        PlanCase(
            "SELECT * FROM t JOIN (SELECT k AS id, label FROM s) u USING (id)",
            [
                "Project [id#0, name#1, price#2, d#3, ms#4, label#6]",
                "  Join INNER residual=(id#0 = id#5)",
                "    Scan t columns=[id, name, price, d, ms]",
                "    Project [k#0 AS id, label#1]",
                "      Scan s columns=[k, label]",
            ]),
        PlanCase(
            "SELECT t.* EXCLUDE (price, ms), s.* FROM t, s",
            [
                "Project [id#0, name#1, d#3, k#5, label#6]",
                "  Join CROSS",
                "    Scan t columns=[id, name, price, d, ms]",
                "    Scan s columns=[k, label]",
            ]),
        PlanCase(
            "SELECT name FROM t WHERE id > 1",
            ["Project [name#1]", "  Filter (id#0 > 1)", "    Scan t columns=[id, name, price, d, ms]"]),
        // A select-list alias in WHERE is its expression (DuckDB).
        PlanCase(
            "SELECT id * 2 AS double_id FROM t WHERE double_id > 2",
            [
                "Project [(id#0 * 2) AS double_id]",
                "  Filter ((id#0 * 2) > 2)",
                "    Scan t columns=[id, name, price, d, ms]",
            ]),
        // A correlated EXISTS conjunct is an anti join on the correlation key column the subquery outputs.
        PlanCase(
            "SELECT name FROM t WHERE NOT EXISTS (SELECT 1 FROM s WHERE s.k = t.id)",
            [
                "Project [name#1]",
                "  Join ANTI residual=(id#0 = __key1#6)",
                "    Scan t columns=[id, name, price, d, ms]",
                "    Project [1, k#0 AS __key1]",
                "      Scan s columns=[k, label]",
            ]),
        // EXISTS correlated by a comparison other than =: the anti join's residual holds it.
        PlanCase(
            "SELECT name FROM t WHERE NOT EXISTS (SELECT 1 FROM s WHERE s.k = t.id AND s.label <> t.name)",
            [
                "Project [name#1]",
                "  Join ANTI residual=((id#0 = __key1#6) AND (name#1 != __key2#7))",
                "    Scan t columns=[id, name, price, d, ms]",
                "    Project [1, k#0 AS __key1, label#1 AS __key2]",
                "      Scan s columns=[k, label]",
            ]),
        // A row IN a subquery is a semi join on its members; NOT IN an anti join whose condition lets
        // NULL members match.
        PlanCase(
            "SELECT name FROM t WHERE (id, name) IN (SELECT k, label FROM s)",
            [
                "Project [name#1]",
                "  Join SEMI residual=((id#0 = k#5) AND (name#1 = label#6))",
                "    Scan t columns=[id, name, price, d, ms]",
                "    Project [k#0, label#1]",
                "      Scan s columns=[k, label]",
            ]),
        PlanCase(
            "SELECT name FROM t WHERE (id, name) NOT IN (SELECT k, label FROM s)",
            [
                "Project [name#1]",
                "  Join ANTI residual=(((id#0 = k#5) OR (id#0 IS NULL) OR (k#5 IS NULL)) AND ((name#1 = label#6) OR (name#1 IS NULL) OR (label#6 IS NULL)))",
                "    Scan t columns=[id, name, price, d, ms]",
                "    Project [k#0, label#1]",
                "      Scan s columns=[k, label]",
            ]),
        // Row comparisons are member by member, NULL equal to NULL.
        PlanCase(
            "SELECT name FROM t WHERE (id, name) = (2, 'b')",
            [
                "Project [name#1]",
                "  Filter ((id#0 IS NOT DISTINCT FROM 2) AND (name#1 IS NOT DISTINCT FROM 'b'))",
                "    Scan t columns=[id, name, price, d, ms]",
            ]),
    ]

    static let errors: [ErrorCase] = [
        ErrorCase(
            "SELECT nope FROM t", "column \"nope\" not found; did you mean \"name\"? (columns: id, name, price, d, ms)"),
        ErrorCase("SELECT t.id FROM t, t", "column reference \"id\" is ambiguous; qualify it with a table name"),
        ErrorCase("SELECT * FROM clicks", "table \"clicks\" not found (tables: t, s)"),
        ErrorCase("SELECT u.* FROM t", "table \"u\" not found in FROM clause"),
        ErrorCase(
            "SELECT * FROM t JOIN s USING (nope)", "column \"nope\" in USING must exist on both sides of the join"),
        ErrorCase("SELECT id FROM t WHERE count(*) > 1", "WHERE clause cannot contain aggregates"),
        ErrorCase("SELECT id FROM t WHERE price", "WHERE clause must be a BOOLEAN expression, but price is DOUBLE"),
        ErrorCase(
            "SELECT row_number() OVER (ORDER BY id) FROM t WHERE row_number() OVER () = 1",
            "window functions are not allowed in WHERE"),
        ErrorCase(
            "SELECT name FROM t WHERE id = (SELECT k FROM s WHERE s.k > t.id)",
            "correlated subqueries other than EXISTS support only equalities with the outer query (inner = outer) in WHERE; found (s.k > t.id)"
        ),
        ErrorCase(
            "SELECT name FROM t WHERE EXISTS (SELECT 1 FROM s WHERE s.k = t.id QUALIFY row_number() OVER () < t.id)",
            "a correlated subquery may use outer columns only in comparisons of its WHERE; found (row_number() OVER () < t.id)"
        ),
        ErrorCase(
            "SELECT name FROM t WHERE EXISTS (SELECT 1 FROM s WHERE s.k < t.id QUALIFY row_number() OVER () = 1)",
            "window functions in a correlated subquery support only equalities with the outer query; found (s.k < t.id)"
        ),
        ErrorCase(
            "SELECT (id, name) = (1, 'a', 2) FROM t",
            "Cannot compare row values of different sizes (2 and 3) in (\"row\"(id, \"name\") = \"row\"(1, 'a', 2))"),
        ErrorCase(
            "SELECT (id, name) IN (SELECT k, label FROM s) FROM t",
            "a row value IN (subquery) is supported only as a condition of WHERE (joined with AND)"),
        ErrorCase(
            "SELECT name FROM t WHERE (id, name) IN (SELECT k FROM s)", "Subquery returns 1 columns - expected 2"),
        ErrorCase(
            "SELECT name FROM t WHERE EXISTS (SELECT count(*) FROM s WHERE s.k < t.id HAVING count(*) > 1)",
            "a correlated subquery that aggregates supports only equalities with the outer query; found (s.k < t.id)"
        ),
        // A range longer than a table holds is refused when bound (its block count once overflowed: a trap).
        ErrorCase(
            "SELECT count(*) FROM range(9223372036854775807)",
            "range of 9223372036854775807 rows is more than a kuai table holds (281474976645120 rows: 2^32 - 1 blocks of 65536)"
        ),
        // A span past Int64 (nearly 2^64 rows) is clamped to Int.max rows, not trapped on.
        ErrorCase(
            "SELECT count(*) FROM range(-9223372036854775807, 9223372036854775807)",
            "range of 9223372036854775807 rows is more than a kuai table holds (281474976645120 rows: 2^32 - 1 blocks of 65536)"
        ),
        ErrorCase(
            "SELECT count(*) FROM generate_series(9223372036854775807, -9223372036854775807, -1)",
            "generate_series of 9223372036854775807 rows is more than a kuai table holds (281474976645120 rows: 2^32 - 1 blocks of 65536)"
        ),
    ]

    @Test(arguments: plans) func plan(_ c: PlanCase) throws { try c.check() }
    @Test(arguments: errors) func error(_ c: ErrorCase) { c.check() }
}
