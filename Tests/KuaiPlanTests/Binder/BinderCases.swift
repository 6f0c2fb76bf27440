import Testing

@testable import KuaiPlan

/// A query and the plan the binder makes of it (no optimizer rule applied), as `LogicalPlan.lines()`.
struct PlanCase: Sendable, CustomTestStringConvertible {
    let sql: String
    let plan: [String]
    init(_ sql: String, _ plan: [String]) {
        self.sql = sql
        self.plan = plan
    }
    var testDescription: String { sql }

    func check() throws {
        #expect(try PlanFixture.bound(sql).lines() == plan)
    }
}

/// A query the binder refuses, and its message (DuckDB's wording where DuckDB has one).
struct ErrorCase: Sendable, CustomTestStringConvertible {
    let sql: String
    let message: String
    init(_ sql: String, _ message: String) {
        self.sql = sql
        self.message = message
    }
    var testDescription: String { sql }

    func check() {
        #expect(PlanFixture.bindingError(sql) == message)
    }
}
