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

/// A window over a window's output (plain columns between them) with the same PARTITION BY and
/// ORDER BY takes the lower window's sorted order (`sorted=below`); with another ORDER BY, a
/// computed key or a filter between them, it sorts. The answers are the same either way; corpus
/// 91 compares them with DuckDB.
@Test func explainShowsAWindowThatTakesTheOrderOfTheWindowBelow() throws {
    let engine = QueryEngine(tables: [engineTable()], options: QueryOptions(threads: 2))
    let lower = "SELECT id, name, lag(id) OVER (PARTITION BY name ORDER BY id) AS l FROM t"
    func windows(_ upper: String) throws -> [String] {
        try engine.explain("WITH g AS (\(lower)) SELECT \(upper) FROM g").filter { $0.contains("Window") }
    }
    let same = try windows("id AS k, sum(l) OVER (PARTITION BY name ORDER BY id ROWS UNBOUNDED PRECEDING) AS s")
    #expect(same.count == 2)
    #expect(same.first?.contains("sorted=below") == true)
    #expect(same.last?.contains("sorted=below") == false)
    for upper in [
        "sum(l) OVER (PARTITION BY name ORDER BY id DESC) AS s",
        "sum(l) OVER (PARTITION BY name ORDER BY id + 0) AS s",
        "sum(l) OVER (ORDER BY id) AS s",
        "sum(l) OVER (PARTITION BY name) AS s",
    ] {
        #expect(try windows(upper).allSatisfy { !$0.contains("sorted=below") }, "\(upper)")
    }
    let filtered = try engine.explain(
        "WITH g AS (\(lower)), f AS (SELECT * FROM g WHERE l > 1) "
            + "SELECT sum(l) OVER (PARTITION BY name ORDER BY id) AS s FROM f")
    #expect(filtered.allSatisfy { !$0.contains("sorted=below") })
}
