import KuaiCore
import Testing

@testable import KuaiPlan

/// Join key filters (`KeyFilterPlacement`): the input a hash join reads first filters the other one
/// at its scan, below an aggregate on the key, and only on the side whose unmatched rows never
/// reach the output. The answers of such joins are checked against DuckDB in the corpus
/// (34-join-key-filters.slt); these tests check where the filters go.
@Suite("Join key filters")
struct JoinKeyFilterTests {
    /// small(k BIGINT, tag VARCHAR): 3 rows.
    static let small = MemoryTable(
        name: "small", schema: [Field("k", .bigint), Field("tag", .varchar)],
        batches: [Batch(columns: [Column(type: .bigint, ints: [1, 5, 9]), Column(strings: ["a", "b", "c"])])])
    /// big(k BIGINT, v BIGINT): 100 rows, k in 0..<20.
    static let big = MemoryTable(
        name: "big", schema: [Field("k", .bigint), Field("v", .bigint)],
        batches: [
            Batch(columns: [
                Column(type: .bigint, ints: (0..<100).map { Int64($0 % 20) }),
                Column(type: .bigint, ints: (0..<100).map { Int64($0) }),
            ])
        ])
    static var engine: QueryEngine { QueryEngine(tables: [small, big], options: QueryOptions(threads: 1)) }

    @Test func innerJoinFiltersTheAggregatedInputAtItsScan() throws {
        let sql = "SELECT * FROM small JOIN (SELECT k, sum(v) AS s FROM big GROUP BY k) b USING (k)"
        #expect(
            try Self.engine.explain(sql) == [
                "Project [k, tag, s]",
                "  HashJoin INNER build=auto keys=[#0=#0] filters right=[#0]",
                "    Scan small columns=[k, tag]",
                "    HashAggregate keys=[k] aggregates=[sum(v)]",
                "      Scan big columns=[k, v] filters=[join_key_filter(k)]",
            ])
        #expect(try Self.engine.execute(sql).rowCount == 3)
    }

    @Test func leftJoinNeverFiltersItsPreservedInput() throws {
        let lines = try Self.engine.explain(
            "SELECT * FROM (SELECT k, sum(v) AS s FROM big GROUP BY k) b LEFT JOIN small USING (k)")
        #expect(!lines.joined().contains("join_key_filter"))
    }

    @Test func aKeyComputedBelowTheAggregateIsFilteredWhereItIsComputed() throws {
        let lines = try Self.engine.explain(
            "SELECT * FROM small JOIN (SELECT k + 1 AS k1, count(*) AS n FROM big GROUP BY 1) b ON b.k1 = small.k")
        #expect(lines.contains { $0.hasSuffix("Filter join_key_filter((k + 1))") })
    }

    @Test func aWindowPassesTheFilterOnlyOnAPartitionKey() throws {
        let byKey = try Self.engine.explain(
            "SELECT * FROM small JOIN (SELECT k, row_number() OVER (PARTITION BY k ORDER BY v) AS r FROM big) w USING (k)"
        )
        #expect(byKey.contains { $0.contains("Scan big columns=[k, v] filters=[join_key_filter(k)]") })
        let byOther = try Self.engine.explain(
            "SELECT * FROM small JOIN (SELECT k, row_number() OVER (PARTITION BY v ORDER BY k) AS r FROM big) w USING (k)"
        )
        #expect(!byOther.joined().contains("join_key_filter"))
    }

    @Test func aLimitStopsTheFilterAboveIt() throws {
        let lines = try Self.engine.explain(
            "SELECT * FROM small JOIN (SELECT DISTINCT k FROM (SELECT k FROM big ORDER BY v LIMIT 50)) d USING (k)")
        #expect(!lines.contains { $0.contains("Scan big") && $0.contains("join_key_filter") })
        #expect(lines.contains { $0.contains("Filter join_key_filter(k)") })
    }
}
