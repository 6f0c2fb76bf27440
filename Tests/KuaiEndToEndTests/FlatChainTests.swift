import Foundation
import KuaiCore
import KuaiPlan
import KuaiTestSupport
import Testing

/// Issue 13 probe finding: about 500 ORs or 1,000 UNION ALL branches were "nested too deeply" where DuckDB
/// answers. Runs of AND, OR and UNION ALL are flat (DuckDB's n-ary conjunctions and unions) through parse,
/// bind, plan and execution. Expected answers from DuckDB 2.0.1 over the same table (`t`: a = 0..9).
@Suite struct FlatChainTests {
    /// Calls `body` with a read-write session on a fresh store holding `t` (a = 0..9), removed afterwards.
    static func withTable(_ body: (Session) throws -> Void) throws {
        try WritableStore.withSession { _, s throws in
            try runScript(
                s, "CREATE TABLE t AS SELECT * FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) x(a)")
            try body(s)
        }
    }

    /// WHERE clauses of 500 ORs, 10,000 ANDs and a 5,000-element IN list, and the rows of `t` each keeps.
    static let longPredicates: [(predicate: String, rows: Int)] = [
        ((0..<500).map { "a = \($0 * 7)" }.joined(separator: " OR "), 2),
        ((0..<10_000).map { "a <> \($0 + 5)" }.joined(separator: " AND "), 5),
        ("a IN (" + (0..<5_000).map { "\($0 * 2)" }.joined(separator: ", ") + ")", 5),
    ]

    @Test(arguments: longPredicates)
    func longFlatPredicate(predicate: String, rows: Int) throws {
        try Self.withTable { s throws in
            #expect(try sessionCSV(s, "SELECT count(*) AS n FROM t WHERE \(predicate)") == "n\n\(rows)\n")
        }
    }

    @Test func thousandUnionAllBranches() throws {
        try Self.withTable { s throws in
            let unions = (0..<1_000).map { "SELECT \($0) AS x" }.joined(separator: " UNION ALL ")
            #expect(try sessionCSV(s, "SELECT count(*) AS n, sum(x) AS s FROM (\(unions))") == "n,s\n1000,499500\n")
            // Each branch is cast straight to the final type, as DuckDB does: 1 is '1', not '1.0'.
            #expect(
                try sessionCSV(s, "SELECT 1 AS x UNION ALL SELECT 1.5::DOUBLE UNION ALL SELECT 'a'") == "x\n1\n1.5\na\n"
            )
            #expect(
                try sessionCSV(
                    s, "SELECT * FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION SELECT 2 UNION ALL SELECT 3) ORDER BY ALL"
                )
                    == "x\n1\n2\n3\n")
        }
    }

    /// DuckDB names a conjunction flat whichever way it was parenthesised.
    @Test func conjunctionNamesAreFlat() throws {
        try Self.withTable { s throws in
            #expect(
                try sessionCSV(s, "SELECT a = 1 OR (a = 2 OR a = 3), (a = 1 OR a = 2) AND a = 3 FROM t LIMIT 0")
                    == "((a = 1) OR (a = 2) OR (a = 3)),(((a = 1) OR (a = 2)) AND (a = 3))\n")
        }
    }

    /// A long arithmetic chain is a real tree (`+` is not associative for rounding and overflow), bound and
    /// evaluated with a loop over its left spine (`Binder.bindLeftChain`, `ScalarExpr.evalArithmeticChain`):
    /// 900 terms answer 1800 as DuckDB 2.0.1 does, and 995 terms answer 1990 (by arithmetic: DuckDB refuses
    /// 997 terms, its max_expression_depth of 1000; kuai's `Parser.maxTreeDepth` is also 1000); 1,002 terms
    /// are refused with an error and no crash, as DuckDB refuses them.
    @Test func longAdditionChains() throws {
        try Self.withTable { s throws in
            let sum = Array(repeating: "a", count: 900).joined(separator: " + ")
            #expect(try sessionCSV(s, "SELECT \(sum) AS s FROM t WHERE a = 2") == "s\n1800\n")
            let longest = Array(repeating: "a", count: 995).joined(separator: " + ")
            #expect(try sessionCSV(s, "SELECT \(longest) AS s FROM t WHERE a = 2") == "s\n1990\n")
            // Mixed operators of one level and a comparison over the chain: a - 1 - a - 1 ... < 0 for every row.
            let mixed = (0..<990).map { $0 % 2 == 0 ? "a" : "1" }.joined(separator: " - ")
            #expect(try sessionCSV(s, "SELECT count(*) AS n FROM t WHERE \(mixed) < 0") == "n\n10\n")
            let tooLong = Array(repeating: "a", count: 1_002).joined(separator: " + ")
            #expect(throws: KuaiError.self) { try sessionCSV(s, "SELECT \(tooLong) AS s FROM t") }
        }
    }
}
