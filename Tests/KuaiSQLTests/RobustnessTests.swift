import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiSQL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// No input crashes the parser: deep nesting is refused with a syntax error, long flat lists are fine,
/// and random mutations of valid queries either parse or throw `KuaiError.syntax`.
@Suite struct RobustnessTests {
    /// Builders of an input nested `n` levels deep.
    static let nesters: [(String, @Sendable (Int) -> String)] = [
        ("parentheses", { n in "SELECT " + String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n) }),
        ("unclosed parentheses", { n in "SELECT " + String(repeating: "(", count: n) }),
        ("NOT", { n in "SELECT " + String(repeating: "NOT ", count: n) + "true" }),
        ("unary minus", { n in "SELECT " + String(repeating: "- ", count: n) + "x" }),
        ("casts", { n in "SELECT x" + String(repeating: "::INTEGER", count: n) }),
        ("additions", { n in "SELECT " + Array(repeating: "x", count: n + 1).joined(separator: " + ") }),
        (
            "comparisons under AND",
            { n in "SELECT " + String(repeating: "x = (", count: n) + "1" + String(repeating: ")", count: n) }
        ),
        (
            "function calls",
            { n in "SELECT " + String(repeating: "abs(", count: n) + "1" + String(repeating: ")", count: n) }
        ),
        (
            "scalar subqueries",
            { n in String(repeating: "SELECT (", count: n) + "SELECT 1" + String(repeating: ")", count: n) }
        ),
        (
            "FROM subqueries",
            { n in String(repeating: "SELECT * FROM (", count: n) + "SELECT 1" + String(repeating: ") t", count: n) }
        ),
        (
            "CASE",
            { n in
                "SELECT " + String(repeating: "CASE WHEN x THEN ", count: n) + "1" + String(repeating: " END", count: n)
            }
        ),
        ("UNION", { n in Array(repeating: "SELECT 1", count: n + 1).joined(separator: " UNION ") }),
        ("joins", { n in "SELECT * FROM t0" + (1...n).map { " JOIN t\($0) USING (k)" }.joined() }),
        (
            "IN lists",
            { n in "SELECT " + String(repeating: "x IN (", count: n) + "1" + String(repeating: ")", count: n) }
        ),
        (
            "parenthesised queries",
            { n in String(repeating: "(", count: n) + "SELECT 1" + String(repeating: ")", count: n) }
        ),
    ]

    @Test(arguments: RobustnessTests.nesters.map(\.0))
    func deepNestingIsRefused(kind: String) {
        let build = RobustnessTests.nesters.first { $0.0 == kind }!.1
        for n in [1_000, 5_000] {
            do {
                _ = try Parser.parse(build(n))
                Issue.record("\(kind) nested \(n) deep parsed")
            } catch let error as KuaiError {
                #expect(error.kind == .syntax)
                #expect(
                    error.message.contains("nested too deeply") || kind == "unclosed parentheses", "\(error.message)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test(arguments: RobustnessTests.nesters.map(\.0).filter { $0 != "unclosed parentheses" })
    func moderateNestingParses(kind: String) throws {
        let build = RobustnessTests.nesters.first { $0.0 == kind }!.1
        let statement = try Parser.parse(build(50))
        // The printer and a second parse cope with the tree as well.
        _ = try Parser.parse(statement.sqlDescription)
    }

    /// Chains of binary operators may be much longer than the recursion limit (up to `Parser.maxTreeDepth`).
    @Test func longOperatorChainsParse() throws {
        let ors = (0..<900).map { "x = \($0)" }.joined(separator: " OR ")
        let statement = try Parser.parse("SELECT * FROM t WHERE \(ors)")
        #expect(try Parser.parse(statement.sqlDescription).sqlDescription == statement.sqlDescription)
        let sum = (0..<450).map { "c\($0)" }.joined(separator: " + ")
        _ = try Parser.parse("SELECT \(sum) FROM t").sqlDescription
        let unions = Array(repeating: "SELECT 1", count: 900).joined(separator: " UNION ALL ")
        _ = try Parser.parse(unions).sqlDescription
    }

    /// Runs of AND, OR and UNION ALL are flat (DuckDB's n-ary conjunctions and unions): 10,000 of them parse
    /// into a balanced tree whose depth is the logarithm of the run, print flat and parse back the same.
    @Test func andOrAndUnionAllRunsAreFlat() throws {
        for op in ["AND", "OR"] {
            let run = (0..<10_000).map { "x <> \($0)" }.joined(separator: " \(op) ")
            let statement = try Parser.parse("SELECT * FROM t WHERE \(run)")
            let printed = statement.sqlDescription
            #expect(printed.contains("((x != 0) \(op) (x != 1) \(op) (x != 2) \(op) "), "\(printed.prefix(200))")
            #expect(try Parser.parse(printed).sqlDescription == printed)
            guard case .select(let q) = statement, case .select(let core) = q.body, let w = core.whereClause else {
                Issue.record("not a SELECT with WHERE")
                continue
            }
            #expect(Self.depth(w) <= 16, "\(op): depth \(Self.depth(w))")
        }
        // Mixed: AND binds tighter; a run of OR over runs of AND.
        let mixed = try Parser.parseExpression("a AND b AND c OR d OR e AND f")
        #expect(mixed.sqlDescription == "((a AND b AND c) OR d OR (e AND f))")
        // DuckDB flattens a parenthesised conjunction of the same kind too.
        #expect(try Parser.parseExpression("a OR (b OR c)").sqlDescription == "(a OR b OR c)")
        #expect(try Parser.parseExpression("(a OR b) AND c").sqlDescription == "((a OR b) AND c)")
        let unions = (0..<5_000).map { "SELECT \($0)" }.joined(separator: " UNION ALL ")
        let u = try Parser.parse(unions)
        #expect(u.sqlDescription == unions)
        // A UNION (without ALL) or EXCEPT inside the run keeps its place: ((1 ALL 2) UNION 3) ALL 4 ALL 5.
        let mixedSets = "SELECT 1 UNION ALL SELECT 2 UNION SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5"
        #expect(try Parser.parse(mixedSets).sqlDescription == mixedSets)
        guard case .select(let mq) = try Parser.parse(mixedSets),
            case .setOperation(.union, true, let left, _, _) = mq.body,
            case .setOperation(.union, false, _, _, _) = left
        else {
            Issue.record("the UNION run does not start with the distinct UNION")
            return
        }
    }

    /// Depth of an expression tree (binary nodes only).
    static func depth(_ e: Expr) -> Int {
        if case .binary(_, let l, let r, _) = e { return 1 + max(depth(l), depth(r)) }
        return 1
    }

    @Test func longFlatListsParse() throws {
        let items = (0..<20_000).map { "c\($0)" }.joined(separator: ", ")
        _ = try Parser.parse(
            "SELECT \(items) FROM t WHERE x IN (\((0..<20_000).map(String.init).joined(separator: ",")))")
        let rows = Array(repeating: "(1, 'a')", count: 20_000).joined(separator: ", ")
        _ = try Parser.parse("VALUES \(rows)")
    }

    /// A fixed-seed random mutator over the bench queries and the parser-test queries: 20,000 inputs, each must
    /// parse or throw `KuaiError.syntax`; any crash fails the whole test run. `KUAI_FUZZ_ITERATIONS` and
    /// `KUAI_FUZZ_SEED` (environment) run a longer or different campaign.
    @Test func randomMutationsParseOrThrow() {
        let iterations = FuzzSettings.iterations(20_000)
        let seed = FuzzSettings.seed(0x6B7561_69)
        var corpus = BenchQueries.all.map(\.sql)
        corpus += ParserTests.cases.map(\.0)
        corpus += ErrorTests.cases.map(\.0)
        var rng = SplitMix64(seed: seed)
        let fragments = [
            "(", ")", ",", "'", "\"", "--", "/*", "*/", "SELECT", "FROM", "WHERE", "JOIN", "ON", "OVER", "(",
            "CASE", "END", "NOT", "IN", "IS", "NULL", "::", "||", "-", "+", "*", "e", ".", "1e",
            "9999999999999999999999",
            "INTERVAL", "TIMESTAMP", "DATE", "'2025-01-01'", "UNION", "ALL", "BY", "ORDER", "WITH", "AS", "\u{0}",
            "é", "\t", "\n", "\r\n", ";", "EXISTS", "BETWEEN", "AND", "ROWS", "PRECEDING", "FILTER", "*", "E'\\",
        ]
        var parsed = 0
        var failed = 0
        for i in 0..<iterations {
            var bytes = Array(corpus[i % corpus.count].utf8)
            let edits = 1 + Int(rng.next() % 4)
            for _ in 0..<edits {
                let position = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count + 1))
                switch rng.next() % 5 {
                case 0:  // delete a run
                    if !bytes.isEmpty {
                        let start = min(position, bytes.count - 1)
                        let length = min(1 + Int(rng.next() % 8), bytes.count - start)
                        bytes.removeSubrange(start..<(start + length))
                    }
                case 1:  // insert a fragment
                    let fragment = fragments[Int(rng.next() % UInt64(fragments.count))]
                    bytes.insert(contentsOf: Array(" \(fragment) ".utf8), at: min(position, bytes.count))
                case 2:  // random byte
                    let b = UInt8(truncatingIfNeeded: rng.next())
                    if position < bytes.count { bytes[position] = b } else { bytes.append(b) }
                case 3:  // duplicate a run
                    if !bytes.isEmpty {
                        let start = min(position, bytes.count - 1)
                        let length = min(1 + Int(rng.next() % 40), bytes.count - start)
                        bytes.insert(contentsOf: Array(bytes[start..<(start + length)]), at: start)
                    }
                default:  // truncate
                    bytes.removeSubrange(min(position, bytes.count)...)
                }
            }
            // Arbitrary bytes become a String the way a CLI would read them (invalid UTF-8 repaired).
            let sql = String(decoding: bytes, as: UTF8.self)
            do {
                let statement = try Parser.parse(sql)
                _ = statement.sqlDescription
                parsed += 1
            } catch let error as KuaiError {
                failed += 1
                if error.kind != .syntax { Issue.record("non-syntax error \(error) for \(sql)") }
                if let location = error.location, let position = sourcePosition(fromLocation: location) {
                    _ = caretSnippet(sql: sql, position: position)
                } else {
                    Issue.record("error without a query location: \(error)")
                }
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
        #expect(parsed + failed == iterations)
        #expect(parsed > iterations / 40 && failed > iterations / 40, "parsed \(parsed), failed \(failed)")
    }

    /// Pure random byte strings (mostly ASCII, some UTF-8 and control bytes): parse or throw.
    @Test func randomBytesParseOrThrow() {
        var rng = SplitMix64(seed: 42)
        let alphabet = Array("SELECTFROMWHEREselect abc_019 ()*,.;'\"-+/%<>=!|:^~\t\n".utf8)
        for _ in 0..<5_000 {
            let length = Int(rng.next() % 60)
            var bytes: [UInt8] = []
            for _ in 0..<length {
                let r = rng.next()
                bytes.append(
                    r % 10 == 0 ? UInt8(truncatingIfNeeded: r >> 8) : alphabet[Int((r >> 8) % UInt64(alphabet.count))])
            }
            do {
                _ = try Parser.parse(String(decoding: bytes, as: UTF8.self)).sqlDescription
            } catch let error as KuaiError {
                #expect(error.kind == .syntax)
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }
}
