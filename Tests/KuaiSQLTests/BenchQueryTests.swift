import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiSQL

/// Every bench query parses, and its canonical text parses again to the same canonical text.
@Suite struct BenchQueryTests {
    /// The twelve queries are read (from the corpus file that holds them), in order.
    @Test func theTwelveBenchQueriesAreRead() {
        let expected = (1...12).map { "q" + ($0 < 10 ? "0" : "") + "\($0)" }
        #expect(BenchQueries.all.map { String($0.name.prefix(3)) } == expected)
    }

    @Test(arguments: BenchQueries.all.map(\.name))
    func benchQueryParses(name: String) throws {
        let sql = BenchQueries.all.first { $0.name == name }!.sql
        let statement = try Parser.parse(sql)
        guard case .select = statement else {
            Issue.record("\(name) is not a SELECT")
            return
        }
        let printed = statement.sqlDescription
        let reparsed = try Parser.parse(printed)
        #expect(reparsed.sqlDescription == printed)
    }
}
