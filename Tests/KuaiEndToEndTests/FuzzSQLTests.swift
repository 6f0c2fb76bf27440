import Foundation
import KuaiCore
import KuaiFormat
import KuaiIngest
import KuaiPlan
import KuaiSQL
import KuaiTestSupport
import Testing

// SQL fuzzing through parser, binder, planner and execution (issue 4, "Must show" 2), in process
// on a tiny store (the edge fixture: NULLs, quotes, dangling keys; plus table x with the BIGINT
// extremes). Three input sources:
//   1. the differential corpus queries (Corpus/*.slt) mutated at the token and character level;
//   2. random token soup over SQL keywords, the store's names, literals and operators;
//   3. random well-typed-ish queries: expressions over the columns with every operator and
//      function family, extreme literals, CASE, CAST, IN, BETWEEN, LIKE, aggregates, GROUP BY,
//      ORDER BY, LIMIT — inputs that reach execution, where overflow and conversion traps live.
// Property: QueryEngine.execute throws a KuaiError or answers, and the answer renders as csv and
// table; never a crash (a Swift trap ends the test process, with the query in the log below),
// never another error type. The query being run is written to $TMPDIR/kuai-fuzz-last.sql first,
// so a crash can be reproduced. Short fixed-seed run in the suite; KUAI_FUZZ_ITERATIONS=N (and
// KUAI_FUZZ_SEED) for long runs (Tools/fuzz.sh).

/// The tiny store and the runner.
final class SQLFuzzer {
    let dir = TempDir(prefix: "kuai-fuzz-sql")
    let engine: QueryEngine
    let store: Store
    let lastQueryPath = (NSTemporaryDirectory() as NSString).appendingPathComponent("kuai-fuzz-last.sql")
    var inputs = 0, answered = 0, rejected = 0
    var kinds: [String: Int] = [:]
    var started = DispatchTime.now().uptimeNanoseconds

    init() throws {
        let x = dir.write("x.csv", trustExtremesCSV)
        _ = try Converter.convert(sources: [RepoPaths.edge.path, x], to: dir.sub("s.kuai"))
        store = try Store.open(at: dir.sub("s.kuai"))
        engine = QueryEngine(store: store, options: QueryOptions(threads: 2))
    }

    deinit { dir.cleanup() }

    /// Runs one input; records a test issue for anything but an answer or a KuaiError.
    func run(_ sql: String) {
        inputs += 1
        FileManager.default.createFile(atPath: lastQueryPath, contents: Data(sql.utf8))
        do {
            let r = try engine.execute(sql)
            var bytes = 0
            ResultWriter.write(r, format: .csv) { bytes += $0.utf8.count }
            ResultWriter.write(r, format: .table) { bytes += $0.utf8.count }
            answered += 1
        } catch let e as KuaiError {
            rejected += 1
            kinds[e.kind.rawValue, default: 0] += 1
            if ProcessInfo.processInfo.environment["KUAI_FUZZ_VERBOSE"] != nil {
                print("FUZZ \(e.kind) \(e.message.prefix(120)) <- \(sql.prefix(200).debugDescription)")
            }
            if e.message.isEmpty { Issue.record("empty error message for \(sql.debugDescription)") }
        } catch {
            Issue.record("non-KuaiError \(type(of: error)) \(error) for \(sql.debugDescription)")
        }
    }

    func summary(_ name: String) -> String {
        let k = kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let s = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return
            "\(name): \(inputs) inputs, \(answered) answered, \(rejected) errors (\(k)); no crash (\(String(format: "%.1f", s)) s)"
    }

    // MARK: vocabulary

    static let tables = ["user", "streamer", "room", "click", "comment", "\"like\"", "gift", "negative", "x"]
    static let columns: [String: [String]] = [
        "x": ["id", "v"],
        "click": ["user_id", "live_id", "streamer_id", "timestamp", "watch_live_time"],
        "gift": ["user_id", "live_id", "streamer_id", "timestamp", "gift_price"],
        "room": [
            "p_date", "live_id", "streamer_id", "live_type", "start_timestamp", "end_timestamp",
            "live_content_category", "live_name_id",
        ],
        "user": [
            "user_id", "age", "gender", "country", "device_brand", "reg_timestamp", "is_live_streamer",
            "first_watch_live_timestamp",
        ],
    ]
    static let keywords = [
        "select", "from", "where", "group", "by", "having", "order", "limit", "offset", "as", "and", "or", "not",
        "in", "between", "like", "is", "null", "case", "when", "then", "else", "end", "cast", "distinct", "asc",
        "desc", "nulls", "first", "last", "join", "on", "left", "union", "all", "with", "over", "partition",
        "true", "false", "exists", "interval", "date", "timestamp", "bigint", "double", "varchar", "integer",
    ]
    static let symbols = [
        "(", ")", ",", "*", "+", "-", "/", "//", "%", "=", "<>", "!=", "<", "<=", ">", ">=", "||", ".", ";", "::", "'",
        "\"",
    ]
    static let literals = [
        "0", "1", "-1", "2", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "2147483648",
        "1e308", "1e-308", "0.5", "-0.0", "1e999", "'a'", "''", "'2025-05-05'", "'2025-02-30'", "'shop'",
        "NULL", "1746374400022", "28800000", "'%o%'", "'18-23'", "99999999999999999999",
    ]
    static let functions = [
        "abs", "round", "floor", "ceil", "coalesce", "epoch_ms", "hour", "sum", "avg", "min", "max", "count",
        "lower", "upper", "length", "greatest", "least", "nullif", "date_trunc", "year", "month", "day",
        "median", "quantile_cont", "string_agg", "row_number", "rank", "lag", "lead", "ln", "sqrt", "pow",
    ]
}

/// Random expressions and queries over the store's columns: mostly well-typed (so they reach
/// execution), some untyped (for the binder).
struct QueryGenerator {
    var rng: SplitMix64
    var table = "x"
    var cols: [String] = []
    var ints: [String] = [], strs: [String] = [], dates: [String] = []

    static let typed: [String: (ints: [String], strs: [String], dates: [String])] = [
        "x": (["id", "v"], [], []),
        "click": (["user_id", "live_id", "streamer_id", "timestamp", "watch_live_time"], [], []),
        "gift": (["user_id", "live_id", "streamer_id", "timestamp", "gift_price"], [], []),
        "room": (
            ["p_date", "live_id", "streamer_id", "live_type", "start_timestamp", "end_timestamp", "live_name_id"],
            ["live_content_category"], []
        ),
        "user": (
            ["user_id", "is_live_streamer", "onehot_feat0"], ["age", "gender", "country", "device_brand", "fans_num"],
            ["reg_timestamp", "first_watch_live_timestamp"]
        ),
    ]

    mutating func literal() -> String {
        rng.pick(
            SQLFuzzer.literals + [
                "\(Int64.random(in: Int64.min...Int64.max, using: &rng))",
                "\(Int.random(in: -1000...1000, using: &rng))",
                "\(Double.random(in: -1e6...1e6, using: &rng))", "DATE '2025-05-26'", "TIMESTAMP '2025-05-05 12:00:00'",
            ])
    }

    mutating func intLiteral() -> String {
        rng.pick([
            "0", "1", "-1", "2", "7", "-124", "28800000", "1746374400022", "9223372036854775807",
            "-9223372036854775808",
            "2147483647", "-2147483648", "4294967296", "\(Int64.random(in: Int64.min...Int64.max, using: &rng))",
            "\(Int.random(in: -100...100, using: &rng))",
        ])
    }

    /// A leaf of an expression tree: one of `columns` (when the table has some) or one of `constants`.
    mutating func leaf(_ columns: [String], _ constants: [String]) -> String {
        !columns.isEmpty && rng.chance(65) ? rng.pick(columns) : rng.pick(constants)
    }

    mutating func intExpr(_ d: Int) -> String {
        if d <= 0 || rng.chance(30) { return !ints.isEmpty && rng.chance(65) ? rng.pick(ints) : intLiteral() }
        switch Int.random(in: 0..<15, using: &rng) {
        case 12: return "\(rng.pick(["mod", "greatest", "least"]))(\(intExpr(d - 1)), \(intExpr(d - 1)))"
        case 13:
            return
                "date_diff('\(rng.pick(["day", "month", "year", "hour", "week"]))', \(dateExpr(d - 1)), \(dateExpr(d - 1)))"
        case 14:
            return rng.pick([
                "sign(\(intExpr(d - 1)))", "strpos(\(strExpr(d - 1)), 'a')",
                "date_part('\(rng.pick(["year", "dow", "doy", "epoch"]))', \(dateExpr(d - 1)))",
                "epoch_ms(\(tsExpr(d - 1)))", "trunc(\(intExpr(d - 1)))",
            ])
        case 0, 1, 2: return "(\(intExpr(d - 1)) \(rng.pick(["+", "-", "*", "//", "%"])) \(intExpr(d - 1)))"
        case 3: return "\(rng.pick(["abs", "-"]))(\(intExpr(d - 1)))"
        case 4: return "round(\(intExpr(d - 1)), \(rng.pick(["0", "-2", "-18", "-19", "-30", "2"])))"
        case 5:
            return
                "cast(\(rng.pick([dblExpr(d - 1), strExpr(d - 1), intExpr(d - 1)])) as \(rng.pick(["bigint", "integer"])))"
        case 6: return "case when \(boolExpr(d - 1)) then \(intExpr(d - 1)) else \(intExpr(d - 1)) end"
        case 7: return "coalesce(\(intExpr(d - 1)), \(intExpr(d - 1)))"
        case 8: return "hour(epoch_ms(\(intExpr(d - 1))))"
        case 9: return "\(rng.pick(["floor", "ceil"]))(\(intExpr(d - 1)))"
        case 10: return "length(\(strExpr(d - 1)))"
        default: return "\(rng.pick(["year", "month", "day"]))(\(dateExpr(d - 1)))"
        }
    }

    mutating func dblExpr(_ d: Int) -> String {
        if d <= 0 || rng.chance(30) {
            return rng.pick([
                "0.5", "-0.0", "1e308", "-1e308", "1e-308", "3.25", "\(Double.random(in: -1e9...1e9, using: &rng))",
            ])
        }
        switch Int.random(in: 0..<8, using: &rng) {
        case 7:
            return
                "\(rng.pick(["pow", "power"]))(\(dblExpr(d - 1)), \(rng.pick(["2", "0.5", "-1", "1e3", dblExpr(d - 1)])))"
                + rng.pick([
                    "", " + exp(\(dblExpr(d - 1)))", " + ln(\(dblExpr(d - 1)))", " + sqrt(\(dblExpr(d - 1)))",
                    " + cbrt(\(dblExpr(d - 1)))", " + log10(\(dblExpr(d - 1)))",
                ])
        case 0, 1: return "(\(intExpr(d - 1)) / \(intExpr(d - 1)))"
        case 2:
            return
                "(\(dblExpr(d - 1)) \(rng.pick(["+", "-", "*", "/", "%", "//"])) \(rng.pick([dblExpr(d - 1), intExpr(d - 1)])))"
        case 3: return "round(\(dblExpr(d - 1)), \(rng.pick(["0", "1", "-3", "400", "-400"])))"
        case 4: return "\(rng.pick(["floor", "ceil", "abs", "-"]))(\(dblExpr(d - 1)))"
        case 5: return "cast(\(rng.pick([intExpr(d - 1), strExpr(d - 1)])) as double)"
        default: return "case when \(boolExpr(d - 1)) then \(dblExpr(d - 1)) end"
        }
    }

    mutating func strExpr(_ d: Int) -> String {
        if d <= 0 || rng.chance(35) {
            return leaf(strs, ["'a'", "''", "'shop'", "'18-23'", "'2025-05-05'", "'12'", "'1e400'", "'中文'", "NULL"])
        }
        switch Int.random(in: 0..<8, using: &rng) {
        case 5:
            return
                "\(rng.pick(["substring", "substr"]))(\(strExpr(d - 1)), \(intExpr(d - 1))\(rng.chance(50) ? ", \(intExpr(d - 1))" : ""))"
        case 6:
            return rng.pick([
                "left(\(strExpr(d - 1)), \(intExpr(d - 1)))", "right(\(strExpr(d - 1)), \(intExpr(d - 1)))",
                "split_part(\(strExpr(d - 1)), '-', \(intExpr(d - 1)))",
                "replace(\(strExpr(d - 1)), 'a', \(strExpr(d - 1)))",
                "reverse(\(strExpr(d - 1)))", "trim(\(strExpr(d - 1)))", "concat(\(strExpr(d - 1)), \(intExpr(d - 1)))",
            ])
        case 7:
            return
                "strftime(\(rng.chance(50) ? dateExpr(d - 1) : tsExpr(d - 1)), '\(rng.pick(["%Y-%m-%d", "%H:%M:%S", "%j", "%%", "%", "%Q"]))')"
        case 0: return "\(rng.pick(["lower", "upper"]))(\(strExpr(d - 1)))"
        case 1: return "cast(\(rng.pick([intExpr(d - 1), dblExpr(d - 1), dateExpr(d - 1)])) as varchar)"
        case 2: return "(\(strExpr(d - 1)) || \(strExpr(d - 1)))"
        case 3: return "coalesce(\(strExpr(d - 1)), \(strExpr(d - 1)))"
        default: return "case when \(boolExpr(d - 1)) then \(strExpr(d - 1)) else \(strExpr(d - 1)) end"
        }
    }

    mutating func dateExpr(_ d: Int) -> String {
        if d <= 0 || rng.chance(40) {
            return leaf(dates, ["DATE '2025-05-26'", "DATE '1970-01-01'", "DATE '0001-01-01'", "DATE '9999-12-31'"])
        }
        return rng.pick([
            "cast(\(strExpr(d - 1)) as date)", "cast(epoch_ms(\(intExpr(d - 1))) as date)",
            "coalesce(\(dateExpr(d - 1)), DATE '2025-05-05')",
            "make_date(\(intExpr(d - 1)), \(intExpr(d - 1)), \(intExpr(d - 1)))",
            "(\(dateExpr(d - 1)) + \(intExpr(d - 1)))",
            "(\(dateExpr(d - 1)) - \(intExpr(d - 1)))",
            "cast(date_trunc('\(rng.pick(["month", "year", "week", "day"]))', \(dateExpr(d - 1))) as date)",
        ])
    }

    mutating func tsExpr(_ d: Int) -> String {
        if d <= 0 || rng.chance(30) {
            return rng.pick([
                "TIMESTAMP '2025-05-05 12:00:00'", "epoch_ms(\(intLiteral()))", "TIMESTAMP '9999-12-31 23:59:59'",
            ])
        }
        return rng.pick([
            "epoch_ms(\(intExpr(d - 1)))", "epoch_ms(\(intExpr(d - 1)) + 28800000)",
            "(\(tsExpr(d - 1)) + to_\(rng.pick(["days", "hours", "minutes", "seconds"]))(\(intExpr(d - 1))))",
            "(\(tsExpr(d - 1)) - INTERVAL \(rng.pick(["1", "100000", "-3"])) \(rng.pick(["day", "hour", "month"])))",
            "date_trunc('\(rng.pick(["hour", "day", "month"]))', \(tsExpr(d - 1)))",
            "strptime(\(strExpr(d - 1)), '%Y-%m-%d')",
        ])
    }

    mutating func boolExpr(_ d: Int) -> String {
        if d <= 0 || rng.chance(15) { return rng.pick(["true", "false", "NULL"]) }
        switch Int.random(in: 0..<9, using: &rng) {
        case 0, 1: return "(\(intExpr(d - 1)) \(rng.pick(["=", "<>", "<", "<=", ">", ">="])) \(intExpr(d - 1)))"
        case 2: return "(\(boolExpr(d - 1)) \(rng.pick(["and", "or"])) \(boolExpr(d - 1)))"
        case 3: return "not (\(boolExpr(d - 1)))"
        case 4: return "\(rng.pick([intExpr(d - 1), strExpr(d - 1)])) is \(rng.pick(["", "not "]))null"
        case 5: return "\(intExpr(d - 1)) \(rng.pick(["in", "not in"])) (\(intLiteral()), \(intLiteral()), NULL)"
        case 6: return "\(intExpr(d - 1)) between \(intExpr(d - 1)) and \(intExpr(d - 1))"
        case 7:
            return
                "\(strExpr(d - 1)) \(rng.pick(["like", "not like"])) \(rng.pick(["'%o%'", "'_'", "'%'", "''", "'1%'"]))"
        default: return "(\(dblExpr(d - 1)) \(rng.pick(["<", ">", "="])) \(dblExpr(d - 1)))"
        }
    }

    /// Any expression, not always well-typed (exercises the binder's type checks).
    mutating func anyExpr(_ d: Int) -> String {
        if d <= 0 || rng.chance(25) { return rng.chance(60) ? rng.pick(cols) : literal() }
        let a = anyExpr(d - 1)
        switch Int.random(in: 0..<6, using: &rng) {
        case 0:
            return "(\(a) \(rng.pick(["+", "-", "*", "/", "//", "%", "=", "<", "and", "or", "||"])) \(anyExpr(d - 1)))"
        case 1: return "\(rng.pick(SQLFuzzer.functions))(\(a))"
        case 2:
            return
                "cast(\(a) as \(rng.pick(["bigint", "integer", "double", "varchar", "date", "timestamp", "boolean"])))"
        case 3: return "case when \(anyExpr(d - 1)) then \(a) else \(anyExpr(d - 1)) end"
        case 4: return "\(a) \(rng.pick(["in", "not in"])) (\(literal()), \(anyExpr(d - 1)))"
        default:
            return
                "\(a) \(rng.pick(["like", "between 1 and", "is", "is not"])) \(rng.pick(["'%o%'", "2", "null", "true"]))"
        }
    }

    mutating func scalar(_ d: Int) -> String {
        if rng.chance(15) { return anyExpr(d) }
        switch Int.random(in: 0..<5, using: &rng) {
        case 0, 1: return intExpr(d)
        case 2: return dblExpr(d)
        case 3: return strExpr(d)
        default: return rng.chance(50) ? dateExpr(d) : tsExpr(d)
        }
    }

    mutating func query() -> String {
        table = rng.pick(Array(Self.typed.keys).sorted())
        let t = Self.typed[table]!
        (ints, strs, dates) = (t.ints, t.strs, t.dates)
        cols = t.ints + t.strs + t.dates
        let from = table == "user" ? "\"user\"" : table
        let d = Int.random(in: 1...4, using: &rng)
        let filter = rng.chance(15) ? anyExpr(d) : boolExpr(d)
        switch Int.random(in: 0..<6, using: &rng) {
        case 5:
            let w = rng.pick([
                "row_number()", "rank()", "dense_rank()", "lag(\(scalar(1)), \(intLiteral()))",
                "lead(\(scalar(1)), \(rng.pick(["1", "0", "-1", "1000000"])))",
                "first_value(\(scalar(1)))", "last_value(\(scalar(1)))", "sum(\(intExpr(1)))", "count(*)",
                "min(\(scalar(1)))",
            ])
            return
                "select \(scalar(d)) as a, \(w) over (partition by \(rng.pick(cols)) order by \(rng.pick(cols))\(rng.chance(50) ? " desc" : "")) as w from \(from) order by 1, 2 limit 50"
        case 0, 1:
            return
                "select \(scalar(d)) as a, \(scalar(d)) as b from \(from) where \(filter) order by 1, 2 limit \(Int.random(in: 0...20, using: &rng))"
        case 2:
            let g = rng.chance(50) ? rng.pick(cols) : scalar(1)
            let agg = rng.pick(["sum", "avg", "min", "max", "count"])
            let arg = agg == "sum" || agg == "avg" ? intExpr(d) : scalar(d)
            return
                "select \(g) as g, \(agg)(\(arg)) as s, count(*) as n from \(from) group by 1 having \(rng.pick(["count(*) > 0", "s is not null", "true", "min(\(intExpr(1))) > 0"])) order by 1 nulls first"
        case 3:
            return "select distinct \(scalar(d)) as a from \(from) where \(filter) order by a desc nulls last"
        default:
            return
                "select count(\(rng.pick(["*", "distinct " + rng.pick(cols), scalar(d)]))) as c, sum(\(intExpr(d))) as s, avg(\(dblExpr(d))) as m from \(from) where \(filter)"
        }
    }
}

/// Token and character mutations of a query text.
func mutateSQL(_ sql: String, using rng: inout SplitMix64) -> String {
    var tokens: [String]
    // Tokens as written (a string keeps its quotes): slices of the UTF-8 text by offset and length.
    let utf8 = Array(sql.utf8)
    if let t = try? Lexer.tokenize(sql) {
        tokens = t.filter { $0.kind != .endOfInput && $0.position.offset + $0.length <= utf8.count }
            .map { String(decoding: utf8[$0.position.offset..<($0.position.offset + $0.length)], as: UTF8.self) }
    } else {
        tokens = sql.split(separator: " ").map(String.init)
    }
    let vocab =
        SQLFuzzer.keywords + SQLFuzzer.symbols + SQLFuzzer.literals + SQLFuzzer.tables + SQLFuzzer.functions
        + SQLFuzzer.columns.values.flatMap { $0 }
    for _ in 0..<Int.random(in: 1...3, using: &rng) {
        let n = tokens.count
        switch Int.random(in: 0..<7, using: &rng) {
        case 0 where n > 0: tokens.remove(at: Int.random(in: 0..<n, using: &rng))
        case 1 where n > 0: tokens[Int.random(in: 0..<n, using: &rng)] = rng.pick(vocab)
        case 2: tokens.insert(rng.pick(vocab), at: Int.random(in: 0...n, using: &rng))
        case 3 where n > 1: tokens.swapAt(Int.random(in: 0..<n, using: &rng), Int.random(in: 0..<n, using: &rng))
        case 4 where n > 0:
            let i = Int.random(in: 0..<n, using: &rng)
            tokens.insert(tokens[i], at: i)
        case 5 where n > 0:
            // A literal becomes an extreme.
            if let i = tokens.indices.filter({ tokens[$0].first?.isNumber == true }).randomElement(using: &rng) {
                tokens[i] = rng.pick([
                    "0", "9223372036854775807", "-9223372036854775808", "1e308", "99999999999999999999",
                ])
            }
        default:
            // Character-level damage of the joined text.
            var chars = Array(tokens.joined(separator: " "))
            if !chars.isEmpty {
                let i = Int.random(in: 0..<chars.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: chars.remove(at: i)
                case 1: chars.insert(rng.pick(["'", "\"", "(", ")", "\0", "\u{FFFD}", "-", "/", "*", "\n"]), at: i)
                default: chars[i] = rng.pick(["'", "\"", "(", ")", ";", " ", "9", "e"])
                }
            }
            tokens = [String(chars)]
        }
    }
    return tokens.joined(separator: " ")
}

@Suite("Fuzz: SQL through parser, binder and execution", .serialized)
struct FuzzSQLTests {
    @Test func mutatedCorpusQueriesThrowOrAnswer() throws {
        let f = try SQLFuzzer()
        var rng = SplitMix64(seed: FuzzSettings.seed(11))
        let corpus = Corpus.allRecords().map(\.sql)
        try #require(!corpus.isEmpty, "no corpus queries found")
        for _ in 0..<FuzzSettings.iterations(400) { f.run(mutateSQL(rng.pick(corpus), using: &rng)) }
        print(f.summary("SQL fuzz, mutated corpus queries (\(corpus.count) seeds)"))
    }

    @Test func tokenSoupThrowsOrAnswers() throws {
        let f = try SQLFuzzer()
        var rng = SplitMix64(seed: FuzzSettings.seed(12))
        let vocab =
            SQLFuzzer.keywords + SQLFuzzer.symbols + SQLFuzzer.literals + SQLFuzzer.tables + SQLFuzzer.functions
            + SQLFuzzer.columns.values.flatMap { $0 }
        for _ in 0..<FuzzSettings.iterations(400) {
            var words = rng.chance(70) ? ["select"] : []
            for _ in 0..<Int.random(in: 1...25, using: &rng) { words.append(rng.pick(vocab)) }
            f.run(words.joined(separator: rng.chance(80) ? " " : ""))
        }
        print(f.summary("SQL fuzz, token soup"))
    }

    @Test func generatedQueriesThrowOrAnswer() throws {
        let f = try SQLFuzzer()
        var gen = QueryGenerator(rng: SplitMix64(seed: FuzzSettings.seed(13)))
        for _ in 0..<FuzzSettings.iterations(400) { f.run(gen.query()) }
        print(f.summary("SQL fuzz, generated queries"))
        // Most generated queries must get past the parser, or the generator tests nothing.
        #expect(f.kinds["syntax", default: 0] * 4 < f.inputs, "\(f.summary("generated"))")
    }
}
