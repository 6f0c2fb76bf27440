import Foundation
import KuaiCore
import KuaiFormat
import KuaiIngest
import KuaiPlan
import KuaiSQL
import KuaiTestSupport
import Testing

// Runner of the differential corpus (Tests/KuaiEndToEndTests/Corpus/*.slt; the reader is
// KuaiTestSupport's `Corpus`) and the comparison rule. The format and the rule are documented at the top of Tools/oracle.py, which writes the
// expected blocks from DuckDB 2.0.1; this file must agree with it.

/// Fixture name (as written after `query`/`error`) -> folder of CSVs.
let corpusFixtures: [String: URL] = [
    "seed": RepoPaths.seedSample,
    "mini": RepoPaths.mini,
    "edge": RepoPaths.edge,
    "big": FileManager.default.temporaryDirectory
        .appendingPathComponent("kuai-corpus-big-\(ProcessInfo.processInfo.processIdentifier)"),
]

/// The generated `big` fixture: click (200,000 rows), room (150,000) and gift (70,000), several
/// 65,536-row blocks each. Must write exactly the rows of `big_rows` in Tools/oracle.py (same
/// `SplitMix64` streams, same formulas), since DuckDB's answers were computed from those.
enum BigFixture {
    static let rows: [(String, Int)] = [("click", 200_000), ("room", 150_000), ("gift", 70_000)]
    static let t0: UInt64 = 1_746_374_400_000
    static let categories = ["other", "shop", "game", "talent", "chat"]
    static let headers = [
        "click": "user_id,live_id,streamer_id,timestamp,watch_live_time",
        "room": "p_date,live_id,streamer_id,live_type,start_timestamp,end_timestamp,live_content_category,live_name_id",
        "gift": "user_id,live_id,streamer_id,timestamp,gift_price",
    ]

    /// Writes click.csv, room.csv and gift.csv into `folder`.
    static func generate(into folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (table, count) in rows {
            var out = [UInt8]()
            out.reserveCapacity(count * 60)
            func put(_ s: String) { out.append(contentsOf: s.utf8) }
            func put(_ v: UInt64) { put(String(v)) }
            put(headers[table]! + "\n")
            var g = SplitMix64(seed: table == "click" ? 1 : table == "room" ? 2 : 3)
            for i in 0..<UInt64(count) {
                let a = g.next()
                let b = g.next()
                let c = g.next()
                if table == "room" {
                    let live = 1 + i % 40_000
                    let start = t0 + i * 12_096 + a % 3_600_000
                    let pDate = 20_250_505 + min(20, i * 21 / UInt64(count))
                    let liveType = [1, 1, 1, 2, -124][Int((a >> 20) % 5)]
                    put(pDate)
                    put(",")
                    put(live)
                    put(",")
                    put(1 + live % 3_000)
                    put(",")
                    put(String(liveType))
                    put(",")
                    put(start)
                    put(",")
                    if b % 101 != 0 { put(start + 30_000 + b % 20_000_000) }
                    put(",")
                    if c % 103 != 0 { put(categories[Int((c >> 8) % 3 != 0 ? (c >> 8) % 5 : 0)]) }
                    put(",")
                    put(String(Int64((c >> 16) % 600_000) - 1))
                    put("\n")
                } else {
                    let user = 1 + a % 5_000
                    let live = b % 89 != 0 ? 1 + (a >> 16) % 40_000 : 40_001 + b % 500
                    let ts = t0 + i * (table == "click" ? 9_000 : 25_000) + b % 5_000
                    put(user)
                    put(",")
                    put(live)
                    put(",")
                    put(1 + live % 3_000)
                    put(",")
                    put(ts)
                    put(",")
                    if table == "click" {
                        if c % 97 != 0 { put(c % 7_200_000) }
                    } else {
                        if c % 61 != 0 { put((c >> 8) % 3 + (1 << ((c >> 12) % 12))) }
                    }
                    put("\n")
                }
            }
            try Data(out).write(to: folder.appendingPathComponent("\(table).csv"))
        }
    }
}

/// Records kuai is known not to pass yet: Tests/KuaiEndToEndTests/Corpus/known-failures.txt, one
/// `<file>\t<SQL on one line>` per line (`#` comments), written from a real run by
/// `KUAI_CORPUS_WRITE_KNOWN=1 swift test --filter CorpusTests` (the summary test writes it).
/// Their failures are reported as known issues (the suite stays green, the summary counts them);
/// a listed record that passes is reported by the summary so the line can be removed.
/// $KUAI_CORPUS_STRICT=1 ignores the list: every record must pass.
enum KnownFailures {
    static let strict = ProcessInfo.processInfo.environment["KUAI_CORPUS_STRICT"] == "1"
    static let keys: Set<String> = {
        let url = RepoPaths.corpus.appendingPathComponent("known-failures.txt")
        guard !strict, let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && !$0.isEmpty })
    }()

    /// The list's key of a record: file name, a tab, the SQL with its lines joined by one space.
    static func key(_ r: CorpusRecord) -> String {
        let oneLine = r.sql.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(
            separator: " ")
        return "\(r.file)\t\(oneLine)"
    }

    static func contains(_ r: CorpusRecord) -> Bool { keys.contains(key(r)) }

    /// Rewrites the list with `failing` (when $KUAI_CORPUS_WRITE_KNOWN=1).
    static func write(_ failing: [CorpusRecord]) throws {
        let url = RepoPaths.corpus.appendingPathComponent("known-failures.txt")
        var text = "# Corpus records kuai does not pass yet (file<TAB>SQL on one line), from a real run of\n"
        text += "#   KUAI_CORPUS_WRITE_KNOWN=1 swift test --filter CorpusTests\n"
        text += "# CorpusTests reports them as known issues; KUAI_CORPUS_STRICT=1 makes them fail.\n"
        for r in failing { text += key(r) + "\n" }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}

/// Converts each fixture once per test process (into a temporary folder) and hands out stores.
final class FixtureStores: @unchecked Sendable {
    static let shared = FixtureStores()
    private let lock = NSLock()
    private var stores: [String: Result<Store, Error>] = [:]
    private let folder: URL = FileManager.default.temporaryDirectory
        .appendingPathComponent("kuai-corpus-\(ProcessInfo.processInfo.processIdentifier)")

    /// The store of `fixture`, converted on first use with `Converter.convert`.
    func store(_ fixture: String) throws -> Store {
        lock.lock()
        defer { lock.unlock() }
        if let r = stores[fixture] { return try r.get() }
        let r = Result<Store, Error> {
            guard let src = corpusFixtures[fixture] else {
                throw KuaiError(.usage, "unknown corpus fixture \(fixture)")
            }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            if fixture == "big" { try BigFixture.generate(into: src) }
            let dest = folder.appendingPathComponent(fixture).path
            _ = try Converter.convert(sources: [src.path], to: dest)
            return try Store.open(at: dest)
        }
        stores[fixture] = r
        return try r.get()
    }
}

/// What running one record gave.
enum RecordOutcome: Sendable {
    case passed
    case failed(String)

    var message: String? { if case .failed(let m) = self { return m } else { return nil } }
}

/// Runs the statements of a record of several statements (Tools/oracle.py, "Several statements") in a
/// read-write session on a copy of the store at `storePath` (removed afterwards): every statement but the
/// last must return no rows; the last one's rows are the answer.
func runStatements(_ script: SQLScript, onCopyOf storePath: String) throws -> QueryResult {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kuai-corpus-record-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let copy = dir.appendingPathComponent("store").path
    try FileManager.default.copyItem(atPath: storePath, toPath: copy)
    let session = try Session(storePath: copy, access: .readWrite)
    var last: QueryResult? = nil
    for (i, st) in script.statements.enumerated() {
        switch try session.execute(try script.parse(st)) {
        case .rows(let rows):
            let r = try rows.collect()
            if i < script.statements.count - 1 && r.rowCount > 0 {
                throw KuaiError(.usage, "a statement before the last of a corpus record returned rows")
            }
            last = r
        case .outcome(let o): last = o.duckDBResult
        }
    }
    guard let last else { throw KuaiError(.usage, "a corpus record without a statement") }
    return last
}

/// Runs records against kuai; each record runs once per process (memoised), so the per-record
/// tests and the summary share the work whatever order Swift Testing picks.
enum CorpusRunner {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var memo: [String: RecordOutcome] = [:]
    /// $KUAI_CORPUS_IGNORE_TYPES=1 compares only the CSV text, not the result types.
    static let checkTypes = ProcessInfo.processInfo.environment["KUAI_CORPUS_IGNORE_TYPES"] != "1"

    /// The outcome of `record`, computed on first use.
    static func outcome(_ record: CorpusRecord) -> RecordOutcome {
        let key = "\(record.file):\(record.line)"
        lock.lock()
        if let o = memo[key] {
            lock.unlock()
            return o
        }
        lock.unlock()
        let o = run(record)
        lock.lock()
        memo[key] = o
        lock.unlock()
        return o
    }

    /// Runs `record` in-process: QueryEngine + ResultWriter(.csv), compared with DuckDB's CSV.
    static func run(_ record: CorpusRecord) -> RecordOutcome {
        var record = record
        // `$FIXTURES/` is Tests/Fixtures/ (Tools/oracle.py's expand_paths)
        record.sql = record.sql.replacingOccurrences(
            of: "$FIXTURES/", with: RepoPaths.root.appendingPathComponent("Tests/Fixtures").path + "/")
        do {
            let store = try FixtureStores.shared.store(record.fixture)
            let engine = QueryEngine(store: store)
            let script = SQLScript(record.sql)
            // several statements: the first ones run on a private copy of the fixture store
            let execute: () throws -> QueryResult =
                script.statements.count > 1
                ? { try runStatements(script, onCopyOf: store.path) } : { try engine.execute(record.sql) }
            switch record.kind {
            case .error:
                do {
                    let result = try execute()
                    var text = ""
                    ResultWriter.write(result, format: .csv) { text += $0 }
                    return .failed("DuckDB raises an error, kuai returned \(result.rowCount) row(s)")
                } catch is KuaiError {
                    return .passed
                } catch {
                    return .failed("threw a non-KuaiError: \(error)")
                }
            case .query:
                let result = try execute()
                var text = ""
                ResultWriter.write(result, format: .csv) { text += $0 }
                if let d = CSVCompare.difference(
                    expected: record.expectedCSV, actual: text, types: record.expectedTypes)
                {
                    return .failed(
                        "\(d)\n--- kuai:\n\(text.prefix(1500))--- DuckDB:\n\(record.expectedCSV.prefix(1500))")
                }
                if checkTypes, let duck = record.expectedTypes {
                    let want = duck.map(CSVCompare.kuaiType)
                    let got = result.fields.map { $0.type.description }
                    if got != want {
                        return .failed(
                            "result types \(got.joined(separator: "|")), DuckDB's \(want.joined(separator: "|")) (text matches)"
                        )
                    }
                }
                return .passed
            }
        } catch {
            return .failed("\(error)")
        }
    }
}
