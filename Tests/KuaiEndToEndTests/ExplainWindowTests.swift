import KuaiCore
import KuaiPlan
import Testing

/// Plans as text (CONTRIBUTING.md, Style 9): a window query shows the Window operator with its partition
/// and order keys over a scan that reads only the named columns, and QUALIFY as a filter above it.
@Test func explainShowsWindowPartitionOrderAndQualify() throws {
    let engine = QueryEngine(tables: [engineTable()], options: QueryOptions(threads: 2))
    let lines = try engine.explain(
        "SELECT name, row_number() OVER (PARTITION BY name ORDER BY id DESC) AS rn FROM t QUALIFY rn = 1")
    #expect(lines.contains { $0.contains("Window partition=[") && $0.contains("DESC") && $0.contains("row_number()") })
    let window = try #require(lines.firstIndex { $0.contains("Window") })
    let scan = try #require(lines.firstIndex { $0.contains("Scan t") })
    #expect(scan > window)
    #expect(lines[scan].contains("columns=[id, name]"))
    #expect(
        lines.contains { $0.contains("Filter") && $0.contains("rn") && $0.contains("= 1") }
            || lines.contains { $0.contains("Filter") && $0.contains("= 1") })
    // The answer agrees with DuckDB 2.0.1 on the same rows:
    // SELECT name, row_number() OVER (PARTITION BY name ORDER BY id DESC) AS rn FROM t QUALIFY rn = 1 ORDER BY name NULLS LAST
    // over (1,'a'),(2,'b'),(3,NULL),(4,'a'),(NULL,'c') gives a,1 / b,1 / c,1 / NULL,1.
    #expect(
        try csvOf(
            engine,
            "SELECT name, row_number() OVER (PARTITION BY name ORDER BY id DESC) AS rn FROM t QUALIFY rn = 1 ORDER BY name NULLS LAST"
        )
            == "name,rn\na,1\nb,1\nc,1\n,1\n")
}
