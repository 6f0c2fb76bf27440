import KuaiCore
import Testing

@testable import KuaiPlan

/// Top-N filters (`TopNFilterPlacement`): a top-N over a scan, or over a projection of one, bounds
/// its first key in the scan; other inputs and keys get none. The answers of such queries are
/// checked against DuckDB in the corpus (37-topn-filters.slt); these tests check where the filter
/// goes.
@Suite("Top-N filters")
struct TopNFilterTests {
    /// t(k BIGINT, d DOUBLE, s VARCHAR): 5000 rows, k = i, d = i / 10, s = "s\(i % 7)".
    static let t = MemoryTable(
        name: "t", schema: [Field("k", .bigint), Field("d", .double), Field("s", .varchar)],
        batches: [
            Batch(columns: [
                Column(type: .bigint, ints: (0..<5000).map { Int64($0) }),
                Column(doubles: (0..<5000).map { Double($0) / 10 }),
                Column(strings: (0..<5000).map { "s\($0 % 7)" }),
            ])
        ])
    static var engine: QueryEngine { QueryEngine(tables: [t], options: QueryOptions(threads: 1)) }

    @Test func boundsAColumnKeyInTheScan() throws {
        let sql = "SELECT k, s FROM t ORDER BY k DESC LIMIT 3"
        #expect(
            try Self.engine.explain(sql) == [
                "TopN limit=3 offset=0 keys=[#0 DESC NULLS LAST]",
                "  Scan t columns=[k, s] filters=[topn_filter(k)]",
            ])
        let r = try Self.engine.execute(sql)
        #expect(r.rowCount == 3)
    }

    @Test func boundsAComputedKeyOverTheScanColumns() throws {
        let sql = "SELECT s, d * 2 + k AS x FROM t ORDER BY x, s LIMIT 4"
        let plan = try Self.engine.explain(sql)
        #expect(plan.last == "    Scan t columns=[k, d, s] filters=[topn_filter(((d * 2) + k))]")
    }

    @Test func boundsATextKey() throws {
        let plan = try Self.engine.explain("SELECT s, k FROM t ORDER BY s LIMIT 3")
        #expect(plan.last == "    Scan t columns=[k, s] filters=[topn_filter(s)]")
        #expect(try Self.engine.execute("SELECT s, k FROM t ORDER BY s LIMIT 3").rowCount == 3)
    }

    @Test func noBoundForAggregatesOrWithoutLimit() throws {
        for sql in [
            "SELECT s, count(*) AS n FROM t GROUP BY s ORDER BY n LIMIT 3",
            "SELECT k FROM t ORDER BY k",
        ] {
            #expect(try !Self.engine.explain(sql).joined().contains("topn_filter"), "\(sql)")
        }
    }
}
