import Foundation
import KuaiCore
import KuaiExec
import KuaiPlan
import Testing

/// SUMMARIZE of the `mini` fixture's click table and of a query over it, against DuckDB 2.0.1's
/// rows (`python3 Tools/summarize_expected.py`): every value equal as text (avg and std as DuckDB
/// prints its DOUBLEs; q25/q50/q75 from the same t-digest fed in the same order; avg of a DATE as
/// its nanosecond timestamp), null_percentage equal as a number (DECIMAL(9,2) in both),
/// approx_unique within DuckDB's own error: DuckDB's sketch has 64 registers (about 13%
/// standard error), kuai's 4,096, so the two must be within 15% of each other and kuai's within 5% of
/// the exact count.
@Suite struct SummarizeTests {
    static let clickExpected = """
        user_id|BIGINT|1|24|23|7.870672097759674|7.716071710164294|2|2|12|4910|0.00
        live_id|BIGINT|7|11597|2053|5734.488187372709|3286.9089215970866|2929|5598|8552|4910|0.00
        streamer_id|BIGINT|2|443|36|66.77902240325865|76.33880538921004|41|41|41|4910|0.00
        timestamp|BIGINT|1746374401556|1748188777379|3813|1747313269832.1882|527628998.9878336|1746857945135|1747318349882|1747756795848|4910|0.00
        watch_live_time|BIGINT|27|7199000|4437|125545.22871690428|453202.38653657684|5680|19961|75579|4910|0.00
        """

    static let query =
        "SELECT user_id, watch_live_time / 1000 AS seconds, epoch_ms(timestamp) AS ts, CAST(epoch_ms(timestamp) AS DATE) AS day, CASE WHEN watch_live_time > 60000 THEN 'long' END AS kind FROM click WHERE live_id % 3 = 0"

    static let queryExpected = """
        user_id|BIGINT|1|24|23|8.004842615012107|7.749404981323064|2|2|12|1652|0.00
        seconds|DOUBLE|0.027|7199.0|1570|136.19791767554474|515.773714740997|5.782295630725864|20.832596923076924|70.89460227272727|1652|0.00
        ts|TIMESTAMP|2025-05-04 16:35:20.86|2025-05-25 15:59:37.379|1533|2025-05-15 13:50:28.773009||2025-05-10 00:30:33.763|2025-05-15 19:58:39.538465|2025-05-20 18:05:42.119915|1652|0.00
        day|DATE|2025-05-04|2025-05-25|22|2025-05-15 02:45:37.046004843||2025-05-10|2025-05-15|2025-05-20|1652|0.00
        kind|VARCHAR|long|long|1||||||1652|71.97
        """

    func engine() throws -> QueryEngine {
        QueryEngine(store: try FixtureStores.shared.store("mini"), options: QueryOptions(threads: 2))
    }

    /// The rows of a result as text fields (NULL as "").
    func rows(_ r: QueryResult) -> [[String]] {
        var out: [[String]] = []
        for b in r.batches {
            for i in 0..<b.count {
                out.append(b.columns.map { c in c.type == .null || !c.isValid(i) ? "" : Kernels.text(c, i) })
            }
        }
        return out
    }

    func check(_ sql: String, _ expected: String, exactSource: String) throws {
        let e = try engine()
        let r = try e.execute(sql)
        #expect(
            r.fields.map(\.name) == [
                "column_name", "column_type", "min", "max", "approx_unique", "avg", "std", "q25", "q50", "q75", "count",
                "null_percentage",
            ])
        let got = rows(r)
        let want = expected.split(separator: "\n").map {
            $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        }
        try #require(got.count == want.count, "\(got)")
        for (g, w) in zip(got, want) {
            for k in [0, 1, 2, 3, 5, 6, 7, 8, 9, 10] {
                #expect(g[k] == w[k], "\(w[0]) column \(k): \(g[k]) != DuckDB's \(w[k])")
            }
            #expect(Double(g[11]) == Double(w[11]), "\(w[0]) null_percentage \(g[11]) != \(w[11])")
            let exact = try #require(
                rows(try e.execute("SELECT count(DISTINCT \"\(g[0])\") FROM (\(exactSource)) t")).first.flatMap {
                    Double($0[0])
                })
            let kuai = try #require(Double(g[4]))
            let duck = try #require(Double(w[4]))
            #expect(abs(kuai - duck) <= 0.15 * duck + 1, "\(w[0]) approx_unique \(kuai), DuckDB \(duck)")
            #expect(abs(kuai - exact) <= 0.05 * exact + 1, "\(w[0]) approx_unique \(kuai), exact \(exact)")
        }
    }

    @Test func summarizeClick() throws {
        try check("SUMMARIZE click", Self.clickExpected, exactSource: "SELECT * FROM click")
    }

    @Test func summarizeQuery() throws {
        try check("SUMMARIZE " + Self.query, Self.queryExpected, exactSource: Self.query)
    }

    /// DESCRIBE of a query: the result's names and types, as DESCRIBE of a table (DuckDB's columns).
    @Test func describeQuery() throws {
        let r = try engine().execute("DESCRIBE SELECT user_id, watch_live_time / 1000 AS seconds, 'x' AS s FROM click")
        #expect(
            rows(r) == [
                ["user_id", "BIGINT", "YES", "", "", ""], ["seconds", "DOUBLE", "YES", "", "", ""],
                ["s", "VARCHAR", "YES", "", "", ""],
            ])
        #expect(r.fields.map(\.name) == ["column_name", "column_type", "null", "key", "default", "extra"])
    }
}
