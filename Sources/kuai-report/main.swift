// kuai-report: the KuaiLive notebook's charts as one self-contained HTML page.
//
//   kuai-report --store STORE -o report.html [--recipes DIR]... [--only NAME,...] [--no-builtin]
//   kuai-report --list [--recipes DIR]...
//
// Runs each recipe (built-in ones from Sources/KuaiReport/Recipes, embedded at build time, then those of each
// --recipes folder; a folder recipe with a built-in's name replaces it) through kuai's query engine
// and writes the page. Exit codes: 0 every recipe drew its chart (or was skipped because the store
// lacks its tables, or returned no rows); 3 the page was written but at least one recipe failed
// (bad header, query error, result not fitting its chart: each is shown in the page and on
// stderr); 1 no page was written (store, recipe folder or output file error); 2 usage error.

import ArgumentParser
import Foundation
import KuaiCommandLine
import KuaiCore
import KuaiFormat
import KuaiPlan
import KuaiReport

struct KuaiReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kuai-report",
        abstract: "Draw the KuaiLive charts of a kuai store as one self-contained HTML page.",
        discussion: """
            Recipes (one SQL file per chart, header format in Formats/report-recipe.md) come built in \
            and from --recipes folders. STORE may also be given in $KUAI_STORE. Exit status: 0 every \
            chart drawn or skipped for missing tables; 3 page written, some recipe failed; 1 no page \
            written; 2 usage error.
            """,
        version: FormatConstants.toolVersion)

    @Option(help: ArgumentHelp("The store folder (default: $KUAI_STORE).", valueName: "STORE"))
    var store: String?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write the page to FILE.", valueName: "FILE"))
    var output: String?

    @Option(
        help: ArgumentHelp(
            "A folder of recipe files (*.sql) to add; may be repeated. A recipe named like a built-in one replaces it.",
            valueName: "DIR"))
    var recipes: [String] = []

    @Option(help: ArgumentHelp("Only these recipes (comma-separated names).", valueName: "NAMES"))
    var only: String?

    @Flag(help: "Leave out the built-in recipes.")
    var noBuiltin = false

    @Flag(help: "List the recipes (name, chart, tables, title) and exit.")
    var list = false

    @Option(help: ArgumentHelp("The page title.", valueName: "TEXT"))
    var title = "KuaiLive report"

    @Option(help: ArgumentHelp("Worker threads (default: all cores).", valueName: "N"))
    var threads: Int?

    @Flag(name: [.customShort("q"), .long], help: "Print only errors and skipped recipes (no line per recipe).")
    var quiet = false

    func run() throws {}
}

func say(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

func fail(_ message: String, code: Int32) -> Never {
    say("kuai-report: " + message)
    exit(code)
}

// swift-argument-parser's completion scripts offer a `help` subcommand, which kuai-report does not
// have (it takes no arguments): generate them here without it (CompletionScript).
KuaiReportCommand.answerCompletionRequest(in: Array(CommandLine.arguments.dropFirst()))
let command = KuaiReportCommand.parse(Array(CommandLine.arguments.dropFirst())) { fail($0, code: 2) }

var entries = command.noBuiltin ? [] : RecipeCatalog.builtIn()
for folder in command.recipes {
    do {
        entries = RecipeCatalog.merged(entries, try RecipeCatalog.folder(folder))
    } catch {
        fail("\(error)", code: 1)
    }
}
if let only = command.only {
    let names = only.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
    let unknown = names.filter { n in !entries.contains { $0.name == n } }
    if !unknown.isEmpty {
        fail(
            "no recipe named \(unknown.joined(separator: ", ")) (recipes: \(entries.map(\.name).joined(separator: ", ")))",
            code: 2)
    }
    entries = entries.filter { names.contains($0.name) }
}

if command.list {
    for e in entries {
        switch e {
        case .recipe(let r):
            print(
                r.name.padding(toLength: 28, withPad: " ", startingAt: 0) + " "
                    + r.chart.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + " "
                    + r.tables.joined(separator: ",").padding(toLength: 40, withPad: " ", startingAt: 0) + " " + r.title
            )
        case .invalid(let name, _, let error, _):
            print(name.padding(toLength: 28, withPad: " ", startingAt: 0) + " invalid: " + error.description)
        }
    }
    exit(0)
}

guard let outputPath = command.output else { fail("missing -o FILE (see --help)", code: 2) }
guard let storePath = command.store ?? ProcessInfo.processInfo.environment["KUAI_STORE"], !storePath.isEmpty else {
    fail("no store given: use --store STORE or set KUAI_STORE", code: 2)
}
if entries.isEmpty { fail("no recipes to run", code: 2) }

let store: Store
do {
    store = try Store.open(at: storePath)
} catch {
    fail("\(error)", code: 1)
}
// Default memory limit: 80% of physical memory, as kuai-query.
let limit = Int(Double(ProcessInfo.processInfo.physicalMemory) * 0.8)
let builder = ReportBuilder(store: store, options: QueryOptions(threads: command.threads ?? 0, memoryLimitBytes: limit))
let report = builder.build(entries) { outcome in
    let seconds = String(format: "%7.3f s", outcome.seconds)
    let name = outcome.name.padding(toLength: 28, withPad: " ", startingAt: 0)
    switch outcome.status {
    case .drawn:
        if !command.quiet { say("  " + name + " drawn          " + seconds) }
    case .empty:
        if !command.quiet { say("  " + name + " no rows        " + seconds) }
    case .missingTables(let tables):
        say(
            "  " + name + " skipped: the store has no table" + (tables.count == 1 ? " " : "s ")
                + tables.joined(separator: ", "))
    case .failed(let message):
        say("  " + name + " FAILED         " + seconds)
        say("kuai-report: recipe " + outcome.name + " failed: " + message)
    }
}
let page = HTMLPage.render(report, title: command.title, version: FormatConstants.toolVersion)
do {
    // Write beside the target and rename, so a failed write never leaves half a page.
    let temporary = outputPath + ".tmp-\(getpid())"
    try Data(page.utf8).write(to: URL(fileURLWithPath: temporary))
    if rename(temporary, outputPath) != 0 {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        fail("cannot write \(outputPath): \(reason)", code: 1)
    }
} catch {
    fail("cannot write \(outputPath): \(error.localizedDescription)", code: 1)
}
let failed = report.outcomes.filter(\.isFailure).count
if !command.quiet {
    say(
        "wrote \(outputPath): \(report.outcomes.count) recipes, \(failed) failed, "
            + String(format: "%.2f s", report.seconds))
}
exit(failed > 0 ? 3 : 0)
