// kuai-query: answers SQL over a kuai store.
//
//   kuai-query [--store STORE] [--format FORMAT] [options] "SQL"
//   kuai-query [--store STORE] ... -f FILE.sql
//
// STORE defaults to $KUAI_STORE; without either, the run uses a temporary store removed at exit (as
// DuckDB's in-memory database). The default format is `table` when stdout is a terminal, else `csv`.
// Exit codes: 0 success, 1 query or data error (syntax, binding, execution, corrupt store, I/O),
// 2 usage error.

import ArgumentParser
import Foundation
import KuaiCommandLine
import KuaiCore
import KuaiExec
import KuaiFormat
import KuaiOutput
import KuaiPlan
import KuaiSQL
import KuaiShell

#if canImport(Glibc)
    import Glibc
#endif

struct KuaiQuery: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kuai-query",
        abstract: "Answer a SQL query (DuckDB's dialect) over a kuai column store.",
        discussion: """
            STORE may also be given in $KUAI_STORE; without either, the run uses a temporary store \
            removed at exit (DuckDB's in-memory database). The default output format is `table` on a \
            terminal and `csv` otherwise. Exit status: 0 ok, 1 query or data error, 2 usage error.
            """,
        version: FormatConstants.toolVersion)

    @Option(
        help: ArgumentHelp(
            "The store folder written by kuai-convert (default: $KUAI_STORE, else a temporary store removed at exit).",
            valueName: "STORE"))
    var store: String?

    @Option(
        help: ArgumentHelp(
            "Output format: table, csv, tsv, json, jsonl, markdown, line or chart.", valueName: "FORMAT"))
    var format: String?

    @Option(
        help: ArgumentHelp(
            "Table and chart formats: rows shown at most (default 40; the first and last rows of a longer result).",
            valueName: "N"))
    var maxRows: Int?

    @Option(
        help: ArgumentHelp(
            "Table and chart formats: width in characters (default: the terminal's width; none when not a terminal).",
            valueName: "N"))
    var maxWidth: Int?

    @Flag(help: "csv and tsv: leave out the header line.")
    var noHeader = false

    @Option(
        help: ArgumentHelp(
            "Stop a query whose memory exceeds SIZE (e.g. 2GB, 512MB; default 80% of the memory available: physical or the container's limit; 0 = no limit).",
            valueName: "SIZE"))
    var memoryLimit: String?

    @Option(
        help: ArgumentHelp(
            "Folder for the spill files of queries that need more than the memory limit (default: STORE.tmp beside the store; removed afterwards).",
            valueName: "DIR"))
    var tempDirectory: String?

    @Option(
        name: .customShort("f"), help: ArgumentHelp("Run the statements of FILE (separated by ';').", valueName: "FILE")
    )
    var file: String?

    // The value is taken as it is, even when it begins with "-" (a leading `-- comment` line).
    @Option(
        name: .customShort("c"), parsing: .unconditionalSingleValue,
        help: ArgumentHelp("Run the statements of SQL; repeat -c to run several in turn.", valueName: "SQL"))
    var commands: [String] = []

    @Option(help: ArgumentHelp("Threads for every parallel step of a query (default: all cores).", valueName: "N"))
    var threads: Int?

    @Flag(
        help:
            "Print the query's run time to stderr after the result, as DuckDB's `.timer on` does (store open through the last output byte; process start-up and argument parsing excluded), in seconds with 3 decimals ($KUAI_TIMER_DECIMALS: up to 6)."
    )
    var timer = false

    @Argument(help: "The SQL statement.")
    var sql: String?

    func run() throws {}

    /// The parsed command line.
    var options: CommandLineOptions {
        var o = CommandLineOptions()
        o.store = store
        o.format = format
        o.maxRows = maxRows
        o.maxWidth = maxWidth
        o.noHeader = noHeader
        o.memoryLimit = memoryLimit
        o.tempDirectory = tempDirectory
        o.file = file
        o.commands = commands
        o.threads = threads
        o.timer = timer
        o.sql = sql
        return o
    }
}

func fail(_ message: String, code: Int32) -> Never {
    Terminal.write(2, "kuai-query: " + message + "\n")
    exit(code)
}

/// Parses "4GB", "512MB", "100KB", "1000" (bytes); nil when malformed.
func parseSize(_ text: String) -> Int? {
    let t = String(text.filter { $0 != " " }).uppercased()
    let units: [(String, Int)] = [
        ("TIB", 1 << 40), ("GIB", 1 << 30), ("MIB", 1 << 20), ("KIB", 1 << 10),
        ("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000),
        ("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10), ("B", 1),
    ]
    for (u, m) in units where t.hasSuffix(u) {
        // Int(Double) traps on inf, NaN and values past Int.max ("1e30GB", "infGB"): reject them.
        guard let v = Double(String(t.dropLast(u.count))), v >= 0, v * Double(m) < 9.0e18 else { return nil }
        return Int(v * Double(m))
    }
    return Int(t)
}

/// Reads all of standard input as UTF-8 text (`QueryText.decode`: a byte order mark skipped,
/// bytes that are not UTF-8 an error).
func readStandardInput() -> String {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, 65536) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    do { return try QueryText.decode(bytes, source: "stdin") } catch { fail("\(error)", code: 1) }
}

signal(SIGPIPE, SIG_IGN)
// the first query's one-time work, begun on the second core (StartupWork)
StartupWork.begin(extra: Session.warmUp)
// A closed stdout or stderr gets /dev/null read-only: writes to it fail (reported) and no store
// file opened later can take its descriptor.
StandardStreams.protectClosedDescriptors()
#if os(Linux)
    // Column buffers of a block are ~0.5 MB; keep them on the heap instead of a fresh mmap (and
    // page faults) per allocation, and keep freed memory for the next batch.
    // glibc's mallopt (not exported by the Glibc module): M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3,
    // M_MMAP_MAX = -4.
    @_silgen_name("mallopt") func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
    /// The heap settings for a memory limit of `limit` bytes: freed memory kept for reuse counts
    /// against the limit (it stays resident), so under a small limit (below 4 GiB) glibc keeps at
    /// most 1/16 of it and serves allocations from 1/64 of it up by mmap (returned at once when freed).
    /// Under a larger limit every allocation comes from the heap, also those over 32 MiB (a column
    /// or sort array of millions of rows): a freed one is reused by the next operator instead of
    /// being unmapped and faulted in again page by page (a page fault costs 3-5 µs on a virtual
    /// machine; q02 took 24% less CPU, g06 13%).
    func configureHeap(limit: Int) {
        let small = limit > 0 && limit < 4 << 30
        _ = glibcMallopt(-3, Int32(small ? max(1 << 20, limit / 64) : 32 << 20))
        _ = glibcMallopt(-1, Int32(small ? max(4 << 20, limit / 16) : 256 << 20))
        if !small { _ = glibcMallopt(-4, 0) }
    }
#endif

let argumentCheck = ArgumentCheck(
    valueOptions: [
        "--store", "--format", "--max-rows", "--max-width", "--memory-limit", "--temp-directory", "-f", "-c",
        "--threads",
    ],
    numericOptions: ["--max-rows", "--max-width", "--threads"],
    longOptions: [
        "--store", "--format", "--max-rows", "--max-width", "--no-header", "--memory-limit", "--temp-directory",
        "--threads",
        "--timer",
        "--version", "--help",
    ],
    formats: OutputFormat.allCases.map(\.rawValue))

let arguments = Array(CommandLine.arguments.dropFirst())
// swift-argument-parser's completion scripts offer a `help` subcommand, which kuai-query would run
// as SQL: generate them here without it.
KuaiQuery.answerCompletionRequest(in: arguments)

let checkedArguments: [String]
do {
    checkedArguments = try argumentCheck.check(arguments)
} catch {
    fail(((error as? KuaiError)?.message ?? "\(error)") + " (see --help)", code: 2)
}
// Plain command lines are read without swift-argument-parser (CommandLineOptions.plain); it reads the rest
// (help, version, usage errors).
let command =
    CommandLineOptions.plain(checkedArguments) ?? KuaiQuery.parse(checkedArguments) { fail($0, code: 2) }.options

/// The input: scripts with their names in messages, or nil for the interactive shell.
let scripts: [(text: String, source: String)]?
let inputs = (command.sql != nil ? 1 : 0) + (command.file != nil ? 1 : 0) + (command.commands.isEmpty ? 0 : 1)
if inputs > 1 { fail("give the SQL one way: as an argument, with -f FILE or with -c SQL", code: 2) }
do { try QueryText.checkArguments() } catch { fail("\(error)", code: 1) }
if let file = command.file {
    guard let bytes = QueryText.readFile(file) else {
        fail("cannot read query file \(file): \(String(cString: strerror(errno)))", code: 1)
    }
    do { scripts = [(try QueryText.decode(bytes, source: file), file)] } catch { fail("\(error)", code: 1) }
} else if let s = command.sql {
    scripts = [(s, "query")]
} else if !command.commands.isEmpty {
    let n = command.commands.count
    scripts = command.commands.enumerated().map { ($1, n == 1 ? "-c" : "-c#\($0 + 1)") }
} else if Terminal.isTerminal(0) {
    scripts = nil
} else {
    scripts = [(readStandardInput(), "stdin")]
}

let format: OutputFormat
if let f = command.format {
    guard let parsed = OutputFormat(rawValue: f.lowercased()) else {
        fail(
            "unknown format \"\(f)\"; use one of: " + OutputFormat.allCases.map(\.rawValue).joined(separator: ", "),
            code: 2)
    }
    format = parsed
} else {
    format = Terminal.isTerminal(1) ? .table : .csv
}

// Default memory limit: 80% of the available memory (physical, or the control group's limit when
// lower), as DuckDB's default `memory_limit`; `--memory-limit 0` turns the limit off.
var limitBytes = AvailableMemory.processDefaultLimitBytes()
if let m = command.memoryLimit {
    guard let v = parseSize(m) else { fail("invalid --memory-limit \"\(m)\" (use e.g. 2GB or 512MB)", code: 2) }
    limitBytes = v
}
#if os(Linux)
    configureHeap(limit: limitBytes)
#endif

/// The folder of the temporary store of a run without a store; removed at exit.
nonisolated(unsafe) var temporaryStoreFolder: String?

/// Without a store (no --store, no $KUAI_STORE) a run works as DuckDB's in-memory database: over
/// an empty store in a new folder under $TMPDIR (else /tmp), which tables created in the run
/// live in and which is removed when the process exits.
func temporaryStorePath() -> String {
    let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    var template = Array((base + "/kuai-memory-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else {
        fail("cannot make a temporary store under \(base): \(String(cString: strerror(errno)))", code: 1)
    }
    temporaryStoreFolder = String(cString: made)
    atexit {
        if let folder = temporaryStoreFolder { try? FileManager.default.removeItem(atPath: folder) }
    }
    return temporaryStoreFolder! + "/memory.kuai"
}

let givenStore = (command.store ?? getenv("KUAI_STORE").map { String(cString: $0) }).flatMap { $0.isEmpty ? nil : $0 }
let storePath = givenStore ?? temporaryStorePath()
// Spill files: --temp-directory, else STORE.tmp beside the store (DuckDB's `database.tmp`).
var storeFolder = storePath
while storeFolder.utf8.last == UInt8(ascii: "/") { storeFolder.removeLast() }
SpillDirectory.configure(command.tempDirectory ?? storeFolder + ".tmp")

// $KUAI_SPILL_TEST_BYTES (tests only): spilling operators spill once their state holds more than
// this many bytes, whatever the memory limit, so that small data takes the spill path.
if let v = getenv("KUAI_SPILL_TEST_BYTES").flatMap({ Int(String(cString: $0)) }), v > 0 {
    MemoryGuard.testSpillBytes = v
}

/// Seconds before the progress bar appears: 2 (DuckDB's wait), or $KUAI_PROGRESS_DELAY_MS.
func progressDelay() -> Double {
    guard let v = getenv("KUAI_PROGRESS_DELAY_MS").flatMap({ Int(String(cString: $0)) }) else { return 2 }
    return Double(v) / 1000
}

/// A missing store is created by a writing statement: the shell and a script that starts with one
/// open it read-write; any other run reports the missing store.
func storeAccess(_ scripts: [(text: String, source: String)]?) -> StoreAccess {
    if access(storePath + "/manifest.json", F_OK) == 0 || givenStore == nil { return .readWrite }
    guard let scripts else { return .readWrite }
    guard let first = scripts.first, let s = SQLScript(first.text).statements.first,
        let statement = try? SQLScript(first.text).parse(s)
    else { return .readOnly }
    return statement.writesStore ? .readWrite : .readOnly
}

let startSeconds = ProgressBar.now()
// --threads bounds the engine's own parallel steps too (sorts, windows, merges)
ProcessorLimit.threads = command.threads ?? 0
let runner: ScriptRunner
do {
    let session = try Session(
        storePath: storePath, access: storeAccess(scripts),
        settings: SessionSettings(threads: command.threads ?? 0, memoryLimitBytes: limitBytes))
    let settings = RunSettings(
        format: format,
        display: DisplayRequest(maxRows: command.maxRows, maxWidth: command.maxWidth, header: !command.noHeader),
        timer: command.timer, progress: Terminal.isTerminal(2), progressDelay: progressDelay(),
        timerDecimals: getenv("KUAI_TIMER_DECIMALS").flatMap { Int(String(cString: $0)) } ?? 3)
    runner = ScriptRunner(session: session, settings: settings)
} catch let e as KuaiError {
    fail(e.description, code: e.kind == .usage ? 2 : 1)
}

guard let scripts else { exit(InteractiveShell(runner: runner, storeName: givenStore ?? ":memory:").run()) }
do {
    for (i, script) in scripts.enumerated() {
        try runner.run(script.text, source: script.source, started: i == 0 ? startSeconds : nil)
    }
} catch let f as ScriptFailure {
    fail(f.message, code: f.error.kind == .usage ? 2 : 1)
} catch {
    fail("\(error)", code: 1)
}
