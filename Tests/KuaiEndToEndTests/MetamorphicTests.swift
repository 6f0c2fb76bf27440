import Foundation
import KuaiCore
import KuaiFormat
import KuaiPlan
import KuaiTestSupport
import Testing

// Metamorphic checks in the style of SQLancer (TLP and NoREC), generated with a fixed seed by
// `python3 Tools/metamorphic.py --write-suite Tests/KuaiEndToEndTests/Metamorphic/checks.txt`: each
// check is two queries over a corpus fixture whose answers must hold the same rows (any order),
// whatever the right answer is. The long runs (thousands of checks, and DuckDB's answers to the
// same queries) are Tools/metamorphic.py's; this is their short fixed-seed run.

/// One check of Metamorphic/checks.txt.
struct MetamorphicCheck: Sendable, CustomTestStringConvertible {
    var line: Int
    var kind: String
    var fixture: String
    var a: String
    var b: String
    var testDescription: String { "checks.txt:\(line) \(kind) [\(fixture)]" }

    static let file = RepoPaths.root.appendingPathComponent("Tests/KuaiEndToEndTests/Metamorphic/checks.txt")

    /// The checks of the file (a `check <kind> <fixture>` line, then query A and query B).
    static func all() -> [MetamorphicCheck] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var out: [MetamorphicCheck] = []
        var i = 0
        while i < lines.count {
            let parts = lines[i].split(separator: " ")
            if parts.count == 3, parts[0] == "check", i + 2 < lines.count {
                out.append(
                    MetamorphicCheck(
                        line: i + 1, kind: String(parts[1]), fixture: String(parts[2]), a: lines[i + 1],
                        b: lines[i + 2]))
                i += 3
            } else {
                i += 1
            }
        }
        return out
    }
}

@Suite("Metamorphic checks (TLP, NoREC), fixed seed")
struct MetamorphicTests {
    static let checks = MetamorphicCheck.all()

    @Test func suiteIsPresent() {
        #expect(MetamorphicTests.checks.count >= 50, "run python3 Tools/metamorphic.py --write-suite ...")
        let kinds = Set(MetamorphicTests.checks.map(\.kind))
        for k in ["tlp_where", "tlp_aggregate", "tlp_group", "tlp_distinct", "norec"] {
            #expect(kinds.contains(k), "no \(k) check in checks.txt")
        }
    }

    /// Both queries answer (or both fail, an overflow say), and with the same rows.
    @Test("metamorphic check", arguments: MetamorphicTests.checks)
    func check(_ c: MetamorphicCheck) throws {
        let store = try FixtureStores.shared.store(c.fixture)
        let a = Result { try MetamorphicTests.answer(store, c.a) }
        let b = Result { try MetamorphicTests.answer(store, c.b) }
        switch (a, b) {
        case (.success(let x), .success(let y)):
            if let d = MetamorphicTests.multisetDifference(x, y) {
                Issue.record("\(c.kind): \(d)\nA: \(c.a)\nB: \(c.b)")
            }
        case (.failure(let e), .failure):
            #expect(e is KuaiError, "\(e)")
        case (.failure(let e), _), (_, .failure(let e)):
            Issue.record("only one query fails (\(e))\nA: \(c.a)\nB: \(c.b)")
        }
    }

    /// The answer's rows (no header), as CSV fields.
    static func answer(_ store: Store, _ sql: String) throws -> [[String]] {
        let result = try QueryEngine(store: store).execute(sql)
        var text = ""
        ResultWriter.write(result, format: .csv) { text += $0 }
        return Array(CSVCompare.parse(text).dropFirst())
    }

    /// nil when `x` and `y` hold the same rows in any order (numbers within the corpus's tolerance).
    static func multisetDifference(_ x: [[String]], _ y: [[String]]) -> String? {
        if x.count != y.count { return "\(x.count) rows vs \(y.count) rows" }
        func key(_ r: [String]) -> [String] {
            r.map { f in Double(f).map { String(format: "%+.9e", $0) } ?? "~" + f }
        }
        let xs = x.sorted { key($0).lexicographicallyPrecedes(key($1)) }
        let ys = y.sorted { key($0).lexicographicallyPrecedes(key($1)) }
        for (i, (r, s)) in zip(xs, ys).enumerated() {
            let same = r.count == s.count && zip(r, s).allSatisfy { CSVCompare.fieldsEqual($0, $1, decimal: true) }
            if !same { return "row \(i): \(r) vs \(s)" }
        }
        return nil
    }
}
