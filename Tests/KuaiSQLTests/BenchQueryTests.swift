import KuaiCore
import Testing

@testable import KuaiSQL

/// Every bench query parses, and its canonical text parses again to the same canonical text.
@Suite struct BenchQueryTests {
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
