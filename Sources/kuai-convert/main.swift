// kuai-convert: KuaiLive CSV files -> kuai column store (README "kuai-convert").
//
//   kuai-convert SOURCE... -o STORE [--replace] [--reject-file PATH]
//   kuai-convert --verify STORE
//
// Exit codes: 0 success, 1 bad data / damaged store / I/O failure, 2 usage error.
import ArgumentParser
import Foundation
import KuaiCommandLine
import KuaiCore
import KuaiFormat
import KuaiIngest

struct KuaiConvert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kuai-convert",
        abstract: "Convert KuaiLive CSV files into a kuai column store, or verify a store.",
        discussion: """
            Each CSV becomes one table named after its file (click.csv -> click). The eight KuaiLive \
            tables (user, streamer, room, click, comment, like, gift, negative) get their known \
            schema; other CSVs get types inferred from their first 20,000 rows. A new store is built \
            beside STORE and renamed into place. When STORE is already a store, the tables are added \
            to it in one commit: a table of the same name is replaced, every other table and view is \
            kept (--replace drops them instead). On any error nothing is written and an existing \
            store at STORE is left unchanged.

            Exit status: 0 success, 1 bad CSV data, damaged store or I/O error, 2 usage error.
            """,
        version: FormatConstants.toolVersion)

    @Argument(help: ArgumentHelp("Folders of CSV files and/or single .csv files.", valueName: "SOURCE"))
    var sources: [String] = []

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("The store folder to write.", valueName: "STORE"))
    var output: String?

    @Option(
        help: ArgumentHelp(
            "Skip bad rows instead of stopping; write each as 'file:line:column: reason' to PATH.", valueName: "PATH"))
    var rejectFile: String?

    @Option(
        help: ArgumentHelp(
            "Read every block of the store at STORE and report what is wrong (after converting, if SOURCEs are given).",
            valueName: "STORE"))
    var verify: String?

    @Flag(help: "Print no progress and no summary.")
    var quiet = false

    @Flag(
        help: "When STORE is already a store, replace all of it: its other tables and views are dropped.")
    var replace = false

    func validate() throws {
        if sources.isEmpty && verify == nil { throw ValidationError("give SOURCE... -o STORE, or --verify STORE") }
        if !sources.isEmpty && output == nil { throw ValidationError("missing -o STORE: where to write the store") }
        if sources.isEmpty && output != nil {
            throw ValidationError("no SOURCE given: a folder of CSV files or .csv files")
        }
        if sources.isEmpty && rejectFile != nil { throw ValidationError("--reject-file needs SOURCE... -o STORE") }
        if sources.isEmpty && replace { throw ValidationError("--replace needs SOURCE... -o STORE") }
    }
}

/// Writes a line to stderr.
func printError(_ s: String) {
    StandardStreams.write(2, s + "\n")
}

/// Progress on a terminal (one rewritten line) and the events kept for the closing summary.
final class Reporter: @unchecked Sendable {
    let showProgress: Bool
    private let lock = NSLock()
    private var lastPrint: UInt64 = 0
    private var progressShown = false
    private(set) var tables: [(table: String, rows: Int, csvBytes: Int, storeBytes: Int, seconds: Double)] = []
    private(set) var rejected: [(file: String, rows: Int)] = []

    init(showProgress: Bool) { self.showProgress = showProgress }

    func handle(_ event: ConvertEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .progress(let file, let done, let total):
            guard showProgress else { return }
            let now = DispatchTime.now().uptimeNanoseconds
            if now - lastPrint < 200_000_000 && done < total { return }
            lastPrint = now
            let pct = total > 0 ? Int(Double(done) * 100 / Double(total)) : 100
            let name = (file as NSString).lastPathComponent
            StandardStreams.write(2, "\r\u{1B}[K\(name): \(pct)% (\(mb(done)) of \(mb(total)))")
            progressShown = true
        case .tableDone(let table, let rows, let csv, let store, let seconds):
            tables.append((table, rows, csv, store, seconds))
        case .rejected(let file, let rows):
            rejected.append((file, rows))
        }
    }

    func clearProgress() {
        lock.lock()
        defer { lock.unlock() }
        if progressShown { StandardStreams.write(2, "\r\u{1B}[K") }
        progressShown = false
    }
}

func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }

func grouped(_ n: Int) -> String {
    let s = String(n)
    var out = ""
    for (i, ch) in s.enumerated() {
        if i > 0 && (s.count - i) % 3 == 0 && ch != "-" { out += "," }
        out.append(ch)
    }
    return out
}

/// One summary line per table and a total line, on stderr.
func printSummary(
    _ tables: [(table: String, rows: Int, csvBytes: Int, storeBytes: Int, seconds: Double)], wallSeconds: Double
) {
    let width = max(5, tables.map(\.table.count).max() ?? 0)
    func line(_ name: String, _ rows: Int, _ csv: Int, _ store: Int, _ seconds: Double) -> String {
        let pad = String(repeating: " ", count: width - name.count)
        let r = grouped(rows)
        let c = grouped(csv)
        let s = grouped(store)
        return "\(name)\(pad)  \(String(repeating: " ", count: max(0, 11 - r.count)))\(r) rows"
            + "  \(String(repeating: " ", count: max(0, 13 - c.count)))\(c) CSV bytes"
            + "  \(String(repeating: " ", count: max(0, 13 - s.count)))\(s) store bytes"
            + "  " + String(format: "%7.2f s", seconds)
    }
    for t in tables { printError(line(t.table, t.rows, t.csvBytes, t.storeBytes, t.seconds)) }
    let csv = tables.reduce(0) { $0 + $1.csvBytes }
    let store = tables.reduce(0) { $0 + $1.storeBytes }
    let ratio = csv > 0 ? String(format: " (store/CSV %.2f)", Double(store) / Double(csv)) : ""
    printError(line("total", tables.reduce(0) { $0 + $1.rows }, csv, store, wallSeconds) + ratio)
}

/// When STORE was already a store: which of its tables were replaced and which were kept or dropped.
func printStoreChange(before: [String], written: [String], replaced: Bool, store: String) {
    guard !before.isEmpty else { return }
    let lowered = Set(written.map { $0.lowercased() })
    let replacedTables = before.filter { lowered.contains($0.lowercased()) }
    let others = before.filter { !lowered.contains($0.lowercased()) }
    var parts: [String] = []
    if !replacedTables.isEmpty { parts.append("replaced \(replacedTables.joined(separator: ", "))") }
    if !others.isEmpty { parts.append((replaced ? "dropped " : "kept ") + others.joined(separator: ", ")) }
    if parts.isEmpty { return }
    printError("kuai-convert: \(store): " + parts.joined(separator: "; "))
}

/// Runs the parsed command; returns the exit status.
func run(_ cmd: KuaiConvert) -> Int32 {
    if !cmd.sources.isEmpty, let output = cmd.output {
        let reporter = Reporter(showProgress: !cmd.quiet && isatty(STDERR_FILENO) != 0)
        var options = ConvertOptions(rejectFile: cmd.rejectFile, report: { reporter.handle($0) })
        options.csv.workers = ProcessInfo.processInfo.activeProcessorCount
        options.replaceStore = cmd.replace
        let t0 = DispatchTime.now().uptimeNanoseconds
        let before = (try? Store.open(at: output))?.tableNames ?? []
        do {
            _ = try Converter.convert(sources: cmd.sources, to: output, options: options)
        } catch {
            reporter.clearProgress()
            return fail(error)
        }
        reporter.clearProgress()
        if !cmd.quiet {
            printSummary(reporter.tables, wallSeconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            printStoreChange(
                before: before, written: reporter.tables.map(\.table), replaced: cmd.replace, store: output)
        }
        for r in reporter.rejected {
            printError(
                "kuai-convert: rejected \(grouped(r.rows)) bad rows of \(r.file) (listed in \(cmd.rejectFile ?? "the reject file"))"
            )
        }
        if let rf = cmd.rejectFile, reporter.rejected.isEmpty, !cmd.quiet {
            printError("kuai-convert: rejected 0 rows (\(rf) is empty)")
        }
    }
    if let path = cmd.verify {
        let store: Store
        do { store = try Store.open(at: path) } catch { return fail(error) }
        let problems = store.verify()
        for p in problems { printError("kuai-convert: \(p.description)") }
        if !problems.isEmpty {
            printError("kuai-convert: \(problems.count) problem\(problems.count == 1 ? "" : "s") in \(path)")
            return 1
        }
        var tables = 0
        var blocks = 0
        for name in store.tableNames {
            guard let t = try? store.table(name) else { continue }
            tables += 1
            blocks += t.blockCount * t.schema.count
        }
        StandardStreams.write(1, "ok: \(tables) tables, \(blocks) blocks\n")
    }
    return 0
}

/// Prints `kuai-convert: <error>` and returns the exit status for it.
func fail(_ error: Error) -> Int32 {
    if let e = error as? KuaiError {
        printError("kuai-convert: \(e.description)")
        return e.kind == .usage ? 2 : 1
    }
    printError("kuai-convert: \(error)")
    return 1
}

// Standard streams through POSIX writes: a closed or full stderr/stdout is an exit status, not a trap.
StandardStreams.protectClosedDescriptors()
signal(SIGPIPE, SIG_IGN)
// swift-argument-parser's completion scripts offer a `help` subcommand, which kuai-convert would read
// as a source: generate them here without it (CompletionScript).
KuaiConvert.answerCompletionRequest(in: Array(CommandLine.arguments.dropFirst()))

let status: Int32
do {
    let cmd = try KuaiConvert.parse(Array(CommandLine.arguments.dropFirst()))
    status = run(cmd)
} catch {
    if KuaiConvert.exitCode(for: error) == .success {
        StandardStreams.write(1, KuaiConvert.fullMessage(for: error) + "\n")
        status = 0
    } else {
        printError("kuai-convert: \(KuaiConvert.message(for: error))")
        printError(KuaiConvert.usageString())
        status = 2
    }
}
exit(StandardStreams.exitStatus(status, program: "kuai-convert"))
