import Foundation
import KuaiCore
import KuaiFormat
import KuaiTestSupport
import Testing

// Bad queries through the built kuai-query (issue 4, "Bad queries"). The store holds the real
// seed rows and table x (id, v BIGINT) with the BIGINT extremes. Every expectation is DuckDB
// 2.0.1's behaviour on the same CSVs (checked with python3 -c "import duckdb"; the messages
// quoted in comments are DuckDB's): an answer is DuckDB's CSV output
// (`COPY (query) TO 'f.csv' (HEADER)`), an error must exit 1 (never a signal), name its kind
// and contain the listed parts (the expression, the closest names).

/// Table x: the BIGINT extremes, small values and a NULL.
let trustExtremesCSV = "id,v\n1,9223372036854775807\n2,-9223372036854775808\n3,1\n4,0\n5,-1\n6,\n"

/// The shared store of this suite (seed sample + x), converted once per test process.
enum TrustQueryStore {
    static let dir = TempDir(prefix: "kuai-trust-query")
    static let path: String? = {
        let x = dir.write("x.csv", trustExtremesCSV)
        guard let r = try? kuaiConvert(RepoPaths.seedSample.path, x, "-o", dir.sub("s.kuai"), "--quiet"), r.status == 0
        else {
            return nil
        }
        atexit { TrustQueryStore.dir.cleanup() }
        return dir.sub("s.kuai")
    }()
}

struct BadQuery: Sendable, CustomTestStringConvertible {
    enum Expect: Sendable {
        /// DuckDB's CSV answer.
        case rows(String)
        /// exit 1, stderr has "<kind> error" and every part.
        case error(String, [String])
    }
    var sql: String
    var expect: Expect
    var testDescription: String { sql.count > 80 ? String(sql.prefix(77)) + "..." : sql }
    init(_ sql: String, _ expect: Expect) {
        self.sql = sql
        self.expect = expect
    }
}

let badQueries: [BadQuery] = [
    // Unknown names: DuckDB 'Table with name clik does not exist! Did you mean "click"?' and
    // 'Referenced column "user_idd" not found in FROM clause! Candidate bindings: "user_id", ...'.
    BadQuery("select * from clik", .error("binding", ["clik", "click"])),
    BadQuery("select count(*) from \"likes\"", .error("binding", ["likes", "like"])),
    BadQuery("select user_idd from click", .error("binding", ["user_idd", "user_id"])),
    BadQuery("select count(*) from click where watch_time > 3", .error("binding", ["watch_time", "watch_live_time"])),
    BadQuery("select gender, count(*) from click group by gender", .error("binding", ["gender", "user_id"])),
    // Type errors: DuckDB "No function matches the given name and argument types 'sum(VARCHAR)'".
    BadQuery(
        "select sum(live_content_category) from room", .error("binding", ["sum(live_content_category)", "VARCHAR"])),
    BadQuery("select avg(gender) from user", .error("binding", ["avg(gender)", "VARCHAR"])),
    // Division: `/` is DOUBLE division (inf), `//` and `%` by zero are errors naming the expression.
    BadQuery("select 1/0 as a", .rows("a\ninf\n")),
    BadQuery("select -1/0 as a", .rows("a\n-inf\n")),
    BadQuery("select v / 0 as r from x where id in (3, 5) order by id", .rows("r\ninf\n-inf\n")),
    BadQuery("select 1//0", .error("execution", ["Division by zero", "(1 // 0)"])),
    BadQuery("select 5 % 0", .error("execution", ["Division by zero", "(5 % 0)"])),
    BadQuery("select v // 0 from x where id = 3", .error("execution", ["Division by zero", "(v // 0)"])),
    BadQuery("select v % 0 from x where id = 3", .error("execution", ["Division by zero", "(v % 0)"])),
    BadQuery("select v // 0 as q from x where id = 6", .rows("q\n\n")),  // NULL // 0 is NULL
    // BIGINT overflow: DuckDB "Overflow in addition of INT64 (9223372036854775807 + 1)!" etc.
    BadQuery(
        "select 9223372036854775807 + 1", .error("execution", ["Overflow in addition", "9223372036854775807 + 1"])),
    BadQuery(
        "select v + 1 from x where id = 1",
        .error("execution", ["Overflow in addition of INT64 (9223372036854775807 + 1)", "v + 1"])),
    BadQuery(
        "select v * 2 from x where id = 1",
        .error("execution", ["Overflow in multiplication of INT64 (9223372036854775807 * 2)", "v * 2"])),
    BadQuery("select v * v from x where id = 2", .error("execution", ["Overflow in multiplication"])),
    BadQuery(
        "select v - 1 from x where id = 2",
        .error("execution", ["Overflow in subtraction of INT64 (-9223372036854775808 - 1)"])),
    BadQuery("select -v from x where id = 2", .error("execution", ["Overflow"])),
    BadQuery("select abs(v) from x where id = 2", .error("execution", ["Overflow", "abs"])),
    BadQuery("select v // -1 from x where id = 2", .error("execution", ["Overflow in division"])),
    BadQuery("select cast(v as integer) from x where id = 1", .error("execution", ["out of range", "INT32"])),
    BadQuery("select v % -1 as m from x order by id", .rows("m\n0\n0\n0\n0\n0\n\n")),
    // sum() of BIGINT widens to HUGEINT as DuckDB's does (no overflow), avg is DOUBLE.
    BadQuery("select sum(v) as s from x where v > 0", .rows("s\n9223372036854775808\n")),
    BadQuery("select sum(v) as s from x where id = 2 or id = 5", .rows("s\n-9223372036854775809\n")),
    BadQuery("select sum(v) as s from x", .rows("s\n-1\n")),
    BadQuery("select avg(v) as a from x where v > 0", .rows("a\n4.611686018427388e+18\n")),
    BadQuery("select sum(v) as s, count(*) as n from x where v < 0", .rows("s,n\n-9223372036854775809,2\n")),
    // The widened sum flows on in 128 bits (DuckDB: HUGEINT arithmetic, casts, comparisons).
    BadQuery(
        "select sum(v) + 1 as s, sum(v) * -2 as m, sum(v) / 2 as h from x where v > 0",
        .rows("s,m,h\n9223372036854775809,-18446744073709551616,4.611686018427388e+18\n")),
    BadQuery(
        "select cast(sum(v) as varchar) as t, cast(sum(v) as double) as d from x where v > 0",
        .rows("t,d\n9223372036854775808,9.223372036854776e+18\n")),
    BadQuery(
        "select id, sum(v) as s from x group by id having sum(v) > 0 order by sum(v) desc",
        .rows("id,s\n1,9223372036854775807\n3,1\n")),
    // DuckDB "Conversion Error: Type INT128 with value 9223372036854775808 can't be cast ... INT64".
    BadQuery(
        "select cast(sum(v) as bigint) from x where v > 0",
        .error("execution", ["INT128", "9223372036854775808", "INT64"])),
    // DuckDB "Out of Range Error: Overflow in HUGEINT addition: ..." (a sum of sums past 128 bits is
    // out of reach of this table; the 128-bit overflow of + is).
    BadQuery(
        "select sum(v) * 9223372036854775807 * 9223372036854775807 from x where v > 0",
        .error("execution", ["Overflow in multiplication of INT128"])),
]

/// Requirements of issue 4 that kuai does not meet yet, by query (reported as known issues so the
/// suite stays usable; `KUAI_TRUST_STRICT=1` makes them fail). Formats/bad-input.md lists them.
let trustKnownGaps: [String: String] = [:]

/// Runs `body`; when `key` is a known gap (and not strict), its failures are known issues.
func trustExpect(_ key: String, _ body: () throws -> Void) rethrows {
    if let reason = trustKnownGaps[key], ProcessInfo.processInfo.environment["KUAI_TRUST_STRICT"] == nil {
        withKnownIssue(Comment(rawValue: reason), isIntermittent: true) { try body() }
    } else {
        try body()
    }
}

@Suite("Trust: bad queries through kuai-query")
struct TrustQueryTests {
    static func store() throws -> String {
        _ = try KuaiTool.convert.path()
        _ = try KuaiTool.query.path()
        return try #require(TrustQueryStore.path, "converting the seed sample and x.csv failed")
    }

    @Test(arguments: badQueries)
    func badQueryBehavesAsDuckDB(_ q: BadQuery) throws {
        let r = try kuaiQuery(try Self.store(), q.sql)
        #expect(!r.signaled, "\(q.sql): crashed: \(r)")
        trustExpect(q.sql) {
            switch q.expect {
            case .rows(let csv):
                #expect(r.status == 0 && r.out == csv, "\(q.sql): DuckDB answers \(csv.debugDescription); kuai: \(r)")
            case .error(let kind, let parts):
                #expect(r.status == 1, "\(q.sql): \(r)")
                #expect(r.out.isEmpty, "\(q.sql): rows printed before the error: \(r.out)")
                #expect(r.err.contains("\(kind) error"), "\(q.sql): \(r.err)")
                for p in parts { #expect(r.err.contains(p), "\(q.sql): error lacks \"\(p)\": \(r.err)") }
            }
        }
    }

    /// The line after the query line has a caret under the column of "query:L:C".
    static func checkCaret(_ sql: String, _ err: String, line: Int, column: Int) {
        #expect(err.contains("query:\(line):\(column): syntax error"), "\(err)")
        let lines = err.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let queryLine = sql.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)[line - 1]
        guard let i = lines.firstIndex(of: queryLine), i + 1 < lines.count else {
            Issue.record("no snippet of line \(line) in: \(err)")
            return
        }
        let caret = lines[i + 1]
        #expect(
            caret.firstIndex(of: "^").map { caret.distance(from: caret.startIndex, to: $0) } == column - 1,
            "caret not under column \(column): \n\(lines[i])\n\(caret)")
    }

    @Test(arguments: [
        // DuckDB 2.0.1: 'syntax error at or near "<token>"' with its caret at the same line:column.
        ("select user_id + from click", 1, 18),
        ("select (1 + 2 from click", 1, 15),
        ("select user_id from click group user_id", 1, 33),
        ("select user_id\nfrom click\nwhere user_id = = 3", 3, 17),
        ("select count(* from click", 1, 16),
        ("select 'unterminated from click", 1, 8),  // DuckDB: "unterminated string literal"
    ])
    func syntaxErrorShowsACaret(_ sql: String, _ line: Int, _ column: Int) throws {
        let r = try kuaiQuery(try Self.store(), sql)
        #expect(r.failedCleanly && r.status == 1, "\(r)")
        Self.checkCaret(sql, r.err, line: line, column: column)
    }

    // Every test of this suite reads one shared store: no query here may write it (a `drop table x`
    // removed x while the other tests ran).
    @Test(arguments: [
        "", ";", "select", "(((((", String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000),
        "select " + String(repeating: "-", count: 10_000) + "1",
        "select " + String(repeating: "not ", count: 10_000) + "true",
        "select 99999999999999999999999999999999999999999", "select 1e999 as x", "select -9223372036854775809",
        "select \u{0}", "select '\u{FFFD}\u{1F600}' as s", "select * from x; select * from x", "drop table nosuch",
        "select * from x where id = (select id from x)", "select v from x order by 99", "select v from x limit -1",
        "select v from x limit 9223372036854775807 offset 9223372036854775807",
        "select count(*) from x group by 99", "select * from x, x", "select cast('abc' as bigint)",
        "select cast('2025-02-30' as date)",
    ])
    func oddQueriesNeverCrash(_ sql: String) throws {
        let r = try kuaiQuery(try Self.store(), sql)
        #expect(!r.signaled, "crashed on \(sql.prefix(80).debugDescription): \(r)")
        #expect(r.status == 0 || r.status == 1, "\(sql.prefix(80).debugDescription): \(r)")
        if r.status == 1 { #expect(r.err.hasPrefix("kuai-query: "), "\(r.err.prefix(300))") }
    }

    /// Dates and intervals past the TIMESTAMP range: DuckDB 2.0.1 raises an error for each
    /// ("Date and time not in timestamp range", "timestamp field value out of range", "... can't
    /// be cast ..."); kuai must too (exit 1) — these crashed kuai or printed a wrapped, wrong value.
    @Test(arguments: [
        "select TIMESTAMP '2025-01-01' + to_days(213503982) as t",
        "select to_days(9223372036854775807) as i",
        "select cast(DATE '5881580-07-10' as timestamp) as t",
        "select date_trunc('month', DATE '5881580-07-10') as d",
        "select TIMESTAMP '99999999-01-01 00:00:00' as t",
        "select cast('99999999-01-01 00:00' as timestamp) as t",
        "select date_diff('year', DATE '9999-12-31' + 4294967296, DATE '0001-01-01') as d",
        "select date_trunc('month', v::date) as d from x",
    ])
    func outOfRangeDatesAreErrors(_ sql: String) throws {
        let r = try kuaiQuery(try Self.store(), sql)
        #expect(r.failedCleanly && r.status == 1, "\(sql): \(r)")
        #expect(r.out.isEmpty, "\(sql): \(r.out)")
    }

    @Test(arguments: [
        ["--memory-limit", "1e30GB"], ["--memory-limit", "infGB"], ["--memory-limit", "nanMB"],
        ["--memory-limit", "-5MB"],
        ["--memory-limit", "lots"], ["--threads=-3"], ["--format", "xml"], ["-f", "/nonexistent/q.sql"],
    ])
    func badOptionsAreUsageErrors(_ args: [String]) throws {
        let r = try runTool(
            .query, ["--store", try Self.store()] + args + (args.contains("-f") ? [] : ["select 1"]))
        #expect(!r.signaled, "\(args): crashed: \(r)")
        #expect(r.status == 1 || r.status == 2, "\(args): \(r)")
        #expect(r.err.hasPrefix("kuai-query: ") || r.err.contains("Error"), "\(args): \(r.err)")
    }

    /// `--help` prints the usage and exits 0 (it once crashed on a forced cast of ArgumentParser's
    /// HelpCommand).
    @Test func helpPrintsUsageAndExitsZero() throws {
        let r = try runTool(.query, ["--help"])
        #expect(!r.signaled, "crashed: \(r)")
        #expect(r.status == 0, "\(r)")
        #expect(r.out.contains("--memory-limit"), "\(r.out)")
    }

    /// `--version` of both tools prints the release and the store format version, exit 0.
    @Test func versionOfBothTools() throws {
        for tool in [KuaiTool.query, KuaiTool.convert] {
            let r = try runTool(tool, ["--version"])
            #expect(
                r.status == 0 && r.out.hasPrefix("kuai ")
                    && r.out.contains("store format \(FormatConstants.formatVersion)"), "\(tool): \(r)")
        }
    }

    /// `--timer` prints DuckDB's `.timer on` line to stderr and leaves stdout as it is without it.
    @Test func timerPrintsRunTimeToStderrOnly() throws {
        let store = try Self.store()
        let plain = try runTool(.query, ["--store", store, "--format", "csv", "select 41 + 1 as v"])
        let timed = try runTool(.query, ["--store", store, "--format", "csv", "--timer", "select 41 + 1 as v"])
        #expect(plain.status == 0 && timed.status == 0, "\(plain) \(timed)")
        #expect(timed.out == plain.out && plain.out == "v\n42\n", "\(timed.out)")
        let line = timed.err.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.hasPrefix("Run Time (s): real "), "\(timed.err)")
        #expect(Double(line.dropFirst("Run Time (s): real ".count)).map { $0 >= 0 && $0 < 60 } == true, "\(line)")
        #expect(plain.err.isEmpty, "\(plain.err)")
        // three decimals as DuckDB prints them; $KUAI_TIMER_DECIMALS asks for up to six
        for (asked, printed) in [("", 3), ("6", 6), ("5", 5), ("9", 6), ("1", 3), ("x", 3)] {
            let r = try runTool(
                .query, ["--store", store, "--timer", "select 1"],
                env: asked.isEmpty ? [:] : ["KUAI_TIMER_DECIMALS": asked])
            let seconds = r.err.split(separator: "\n").last.map { String($0.dropFirst("Run Time (s): real ".count)) }
            let digits = seconds?.split(separator: ".").last?.count
            #expect(r.status == 0 && digits == printed && seconds.flatMap(Double.init) != nil, "\(asked): \(r.err)")
        }
    }

    /// A group-by over 400,000 distinct keys needs well over 70 MB in a debug build; a count(*)
    /// needs the process's baseline (~25 MB). With `--memory-limit 48MB` the count answers and the
    /// group-by stops with a clear error (DuckDB: "Out of Memory Error: could not allocate ...");
    /// without the option both answer.
    @Test func memoryLimitStopsAQueryThatExceedsIt() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var text = "k,v\n"
        text.reserveCapacity(400_000 * 16)
        for i in 0..<400_000 { text += "\(i &* 7919 % 1_000_003),\(i)\n" }
        let src = dir.write("big.csv", text)
        let store = dir.sub("s.kuai")
        let c = try kuaiConvert(src, "-o", store, "--quiet")
        try #require(c.status == 0, "\(c)")
        let sql = "select k, count(*) as n, sum(v) as s from big group by k order by n desc, k limit 1"
        let ok = try kuaiQuery(store, sql)
        #expect(ok.status == 0 && ok.out == "k,n,s\n0,1,0\n", "\(ok)")
        let small = try kuaiQuery(store, "select count(*) as n from big", ["--memory-limit", "48MB"])
        #expect(small.status == 0 && small.out == "n\n400000\n", "a small query under --memory-limit 48MB: \(small)")
        let limited = try kuaiQuery(store, sql, ["--memory-limit", "48MB"])
        #expect(!limited.signaled, "\(limited)")
        trustExpect("memory limit") {
            #expect(
                limited.failedCleanly && limited.status == 1, "--memory-limit 48MB did not stop the query: \(limited)")
            #expect(limited.err.contains("memory limit"), "\(limited.err)")
            #expect(limited.out.isEmpty)
        }
    }
}
