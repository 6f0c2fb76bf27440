import KuaiCore
import KuaiSQL
import Testing

@testable import KuaiPlan

/// Two small in-memory tables for plan tests:
/// t(id BIGINT, name VARCHAR, price DOUBLE, d DATE, ms BIGINT) and s(k BIGINT, label VARCHAR).
/// Plans do not depend on the rows; a few are there so that queries also run.
enum PlanFixture {
    static let t = MemoryTable(
        name: "t",
        schema: [
            Field("id", .bigint), Field("name", .varchar), Field("price", .double), Field("d", .date),
            Field("ms", .bigint),
        ],
        batches: [
            Batch(columns: [
                Column(type: .bigint, ints: [1, 2, 3]), Column(strings: ["a", "b", "a"]),
                Column(doubles: [1.5, 2.5, 3.5]), Column(type: .date, ints: [20213, 20214, 20215]),
                Column(type: .bigint, ints: [1_746_374_400_022, 1_746_460_800_000, 1_746_378_000_500]),
            ])
        ])
    static let s = MemoryTable(
        name: "s", schema: [Field("k", .bigint), Field("label", .varchar)],
        batches: [Batch(columns: [Column(type: .bigint, ints: [1, 2]), Column(strings: ["x", "y"])])])

    static var engine: QueryEngine { QueryEngine(tables: [t, s], options: QueryOptions(threads: 1)) }

    /// The plan the binder makes of `sql` (no optimizer rule applied).
    static func bound(_ sql: String) throws -> LogicalPlan {
        guard case .select(let q) = try Parser.parse(sql) else { throw KuaiError(.syntax, "not a query") }
        return try engine.bindLogical(q, SharedResults()).0
    }

    /// The plan of `sql` after the optimizer's rules up to, not including, the rule named `rule`.
    static func before(_ rule: String, _ sql: String) throws -> LogicalPlan {
        let rules = Optimizer.rules.prefix { $0.name != rule }
        return Optimizer.optimize(try bound(sql), rules: Array(rules))
    }

    /// The binding error of `sql`, or nil when it binds.
    static func bindingError(_ sql: String) -> String? {
        do {
            _ = try bound(sql)
            return nil
        } catch let e as KuaiError {
            return e.message
        } catch {
            return "\(error)"
        }
    }
}

/// One optimizer-rule test: a query over the fixture tables, its plan just before the rule (checked when
/// given) and the plan the rule makes of it (nil: the rule leaves the plan as it is).
struct RewriteCase: Sendable, CustomTestStringConvertible {
    let title: String
    let sql: String
    let before: [String]?
    let after: [String]?

    init(_ title: String, sql: String, before: [String]? = nil, after: [String]?) {
        self.title = title
        self.sql = sql
        self.before = before
        self.after = after
    }

    var testDescription: String { title }

    /// Checks the plan of `sql` before `rule` (when `before` is given) and after it.
    func check(_ rule: some OptimizerRule, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let plan = try PlanFixture.before(rule.name, sql)
        if let before {
            #expect(plan.lines() == before, "before \(rule.name): \(title)", sourceLocation: sourceLocation)
        }
        #expect(
            rule.apply(plan).lines() == after ?? plan.lines(), "after \(rule.name): \(title)",
            sourceLocation: sourceLocation)
    }
}
