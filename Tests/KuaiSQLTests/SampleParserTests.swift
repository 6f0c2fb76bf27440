import KuaiCore
import Testing

@testable import KuaiSQL

/// USING SAMPLE / TABLESAMPLE entries as DuckDB's grammar reads them: defaults, method spellings,
/// seeds, rounding and the parser's errors.
@Suite struct SampleParserTests {
    static let entries: [(String, SampleMethod, Double, Bool, UInt64?)] = [
        ("10%", .system, 10, true, nil),
        ("10 PERCENT (bernoulli)", .bernoulli, 10, true, nil),
        ("1000 ROWS", .reservoir, 1000, false, nil),
        ("1000", .reservoir, 1000, false, nil),
        ("reservoir(50 ROWS) REPEATABLE (42)", .reservoir, 50, false, 42),
        ("10% (system, 42)", .system, 10, true, 42),
        ("BERNOULLI(2.5%)", .bernoulli, 2.5, true, nil),
        ("system(10 ROWS)", .reservoir, 10, false, nil),
        ("3 ROWS (\"Reservoir\", 7)", .reservoir, 3, false, 7),
        ("(4 ROWS)", .reservoir, 4, false, nil),
        ("1.5 ROWS", .reservoir, 2, false, nil),
        ("2.5 ROWS", .reservoir, 2, false, nil),
        ("1e1", .reservoir, 10, false, nil),
        ("0%", .system, 0, true, nil),
    ]

    @Test(arguments: SampleParserTests.entries)
    func usingSample(entry: String, method: SampleMethod, size: Double, percent: Bool, seed: UInt64?) throws {
        let c = try core("SELECT * FROM t USING SAMPLE \(entry)")
        guard case .sample(let inner?, let clause)? = c.from, case .table("t", nil, _) = inner else {
            Issue.record("no sample over t: \(String(describing: c.from))")
            return
        }
        #expect(clause.method == method && clause.size == size && clause.isPercentage == percent)
        #expect(clause.seed == seed && clause.usingSample)
        // the printed form parses back to the same entry
        let printed = try Parser.parse("SELECT * FROM t USING SAMPLE \(entry)").sqlDescription
        #expect(try Parser.parse(printed).sqlDescription == printed)
    }

    @Test func tableSampleFollowsTheAlias() throws {
        let c = try core("SELECT x.a FROM t AS x TABLESAMPLE 5 ROWS JOIN u TABLESAMPLE 10% USING (a) WHERE x.a > 1")
        #expect(
            c.from?.sqlDescription
                == "t AS x TABLESAMPLE 5 ROWS (reservoir) INNER JOIN u TABLESAMPLE 10.0% (system) USING (a)")
        #expect(c.whereClause != nil)
    }

    @Test func selectWithoutFrom() throws {
        guard case .sample(nil, let clause)? = try core("SELECT 1 USING SAMPLE 0 ROWS").from else {
            Issue.record("no sample")
            return
        }
        #expect(clause.size == 0)
    }

    @Test(arguments: [
        "SELECT * FROM t USING SAMPLE 101%", "SELECT * FROM t USING SAMPLE -1%", "SELECT * FROM t USING SAMPLE i%",
        "SELECT * FROM t USING SAMPLE (5+5) ROWS", "SELECT * FROM t USING SAMPLE '10' ROWS",
        "SELECT * FROM t USING SAMPLE 1000000001 ROWS", "SELECT * FROM t USING SAMPLE 10% (foo)",
        "SELECT * FROM t USING SAMPLE 10 ROWS (bernoulli)", "SELECT * FROM t USING SAMPLE 10% REPEATABLE (42)",
        "SELECT * FROM t USING SAMPLE 10% (system, -1)", "SELECT * FROM t TABLESAMPLE 10 ROWS AS x",
        "SELECT * FROM t USING SAMPLE",
    ])
    func errors(sql: String) throws {
        #expect(throws: KuaiError.self) { try Parser.parse(sql) }
    }
}
