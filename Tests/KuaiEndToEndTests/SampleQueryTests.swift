import Testing

/// USING SAMPLE / TABLESAMPLE through the query engine: a seed picks the same rows on every run and
/// every thread count; no seed picks others; the sample sits below WHERE in the plan.
@Suite struct SampleQueryTests {
    @Test(arguments: [
        "SELECT i FROM range(300000) t(i) USING SAMPLE 20 ROWS (reservoir, 42)",
        "SELECT i FROM range(300000) t(i) USING SAMPLE reservoir(0.01%) REPEATABLE (7)",
        "SELECT i FROM range(300000) t(i) USING SAMPLE 0.05% (bernoulli, 42)",
        "SELECT i FROM range(300000) t(i) USING SAMPLE 3% (system, 42)",
        "SELECT t.i FROM range(300000) t(i) TABLESAMPLE 10 ROWS (reservoir, 9) WHERE t.i % 2 = 0",
    ])
    func aSeedRepeatsTheRows(sql: String) throws {
        let first = try csv(sql, threads: 2)
        #expect(first.split(separator: "\n").count > 1)
        #expect(try csv(sql, threads: 2) == first)
        #expect(try csv(sql, threads: 1) == first)
    }

    @Test func withoutASeedTheRowsVary() throws {
        let sql = "SELECT list(i ORDER BY i) FROM range(1000000) t(i) USING SAMPLE 50 ROWS"
        let runs = try (0..<3).map { _ in try csv(sql) }
        // three draws of 50 of 1,000,000 rows all equal: about never
        #expect(Set(runs).count > 1)
    }

    @Test func theSampleIsBelowWhere() throws {
        let plan = try csv("EXPLAIN SELECT i FROM range(1000) t(i) WHERE i > 5 USING SAMPLE 10 ROWS (reservoir, 1)")
        let lines = plan.split(separator: "\n").map(String.init)
        let filter = lines.firstIndex { $0.contains("Filter") }
        let sample = lines.firstIndex { $0.contains("Sample reservoir 10 rows seed=1") }
        #expect(filter != nil && sample != nil && filter! < sample!, "\(lines)")
    }
}
