import KuaiCore
import KuaiPlan
import Testing

/// Plans as text (CONTRIBUTING.md, Style 9): a window query shows the Window operator with its partition
/// and order keys over a scan that reads only the named columns, and QUALIFY as a filter above it; a
/// QUALIFY keeping row number 1 of a row_number() window alone is the FirstRowPerPartition operator
/// (no Window, no Filter).
@Test func explainShowsWindowPartitionOrderAndQualify() throws {
    let engine = QueryEngine(tables: [engineTable()], options: QueryOptions(threads: 2))
    let lines = try engine.explain(
        "SELECT name, row_number() OVER (PARTITION BY name ORDER BY id DESC) AS rn FROM t QUALIFY rn <= 2")
    #expect(lines.contains { $0.contains("Window partition=[") && $0.contains("DESC") && $0.contains("row_number()") })
    let window = try #require(lines.firstIndex { $0.contains("Window") })
    let scan = try #require(lines.firstIndex { $0.contains("Scan t") })
    #expect(scan > window)
    #expect(lines[scan].contains("columns=[id, name]"))
    #expect(lines.contains { $0.contains("Filter") && $0.contains("<= 2") })
    for test in ["rn = 1", "rn <= 1", "rn < 2", "1 = rn", "2 > rn"] {
        let first = try engine.explain(
            "SELECT name, row_number() OVER (PARTITION BY name ORDER BY id DESC) AS rn FROM t QUALIFY \(test)")
        #expect(first.contains { $0.contains("FirstRowPerPartition partition=[") && $0.contains("DESC") }, "\(test)")
        #expect(!first.contains { $0.contains("Window") || $0.contains("Filter") }, "\(test)")
    }
    for test in ["rn = 2", "rn < 3", "rn >= 1"] {
        let other = try engine.explain(
            "SELECT name, row_number() OVER (PARTITION BY name ORDER BY id DESC) AS rn FROM t QUALIFY \(test)")
        #expect(!other.contains { $0.contains("FirstRowPerPartition") }, "\(test)")
    }
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
