import KuaiCore
import KuaiExec
import KuaiPlan
import KuaiSQL

#if canImport(Glibc)
    import Glibc
#endif

/// The shell's dot commands, as DuckDB's CLI names them.
extension InteractiveShell {
    static let help = """
        .exit                  Leave the shell (also .quit, Ctrl-D)
        .help                  Show this list
        .maxrows N             Rows a table shows at most (default 40, fewer on a short window)
        .maxwidth N            Width of tables and charts (default: the terminal's)
        .mode [FORMAT]         Output format: table (duckbox), csv, tsv (tabs), json, jsonl (jsonlines),
                               markdown, line or chart; without FORMAT: the current one
        .quit                  Leave the shell
        .read FILE             Run the statements of FILE
        .schema [TABLE]        The CREATE TABLE statement of every table, or of TABLE
        .tables                The names of the tables
        .timer on|off          Print each statement's run time

        Statements end with ";" and may span several lines. Ctrl-C cancels the line being typed or
        stops the running query.

        """

    func runDotCommand(_ command: String) {
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let args = Array(words.dropFirst())
        switch words[0] {
        case ".quit", ".exit": quit = true
        case ".help": Terminal.write(1, InteractiveShell.help)
        case ".tables": printTables()
        case ".schema": printSchema(args.first)
        case ".timer" where args.count == 1 && ["on", "off"].contains(args[0]):
            runner.settings.timer = args[0] == "on"
        case ".mode": setMode(args)
        case ".maxrows" where args.count == 1 && Int(args[0]).map({ $0 >= 1 }) == true:
            runner.settings.display.maxRows = Int(args[0])
        case ".maxwidth" where args.count == 1 && Int(args[0]).map({ $0 >= 1 }) == true:
            runner.settings.display.maxWidth = Int(args[0])
        case ".read" where args.count == 1:
            let path = args[0]
            guard let text = readTextFile(path) else {
                Terminal.write(2, "Error: cannot read \(path): \(String(cString: strerror(errno)))\n")
                return
            }
            runScript(text, source: path)
        default:
            Terminal.write(2, "Error: unknown command or invalid arguments: \"\(command)\". Enter \".help\" for help\n")
        }
    }

    /// DuckDB's mode names, and kuai's format names.
    static let modes: [String: OutputFormat] = [
        "duckbox": .table, "box": .table, "table": .table, "csv": .csv, "tabs": .tsv, "tsv": .tsv, "json": .json,
        "jsonlines": .jsonl, "jsonl": .jsonl, "markdown": .markdown, "line": .line, "chart": .chart,
    ]

    func setMode(_ args: [String]) {
        guard let name = args.first else {
            Terminal.write(1, "current output mode: \(runner.settings.format.rawValue)\n")
            return
        }
        guard let format = InteractiveShell.modes[name.lowercased()] else {
            let names = OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")
            Terminal.write(2, "Error: unknown mode \"\(name)\"; use one of: \(names)\n")
            return
        }
        runner.settings.format = format
    }

    /// The table names, sorted, in columns across the terminal.
    func printTables() {
        guard let names = try? tableNames(), !names.isEmpty else { return }
        let width = (names.map(\.count).max() ?? 0) + 2
        let perLine = max(1, (Terminal.columns(1) ?? 80) / width)
        var out = ""
        for (i, name) in names.enumerated() {
            let last = i % perLine == perLine - 1 || i == names.count - 1
            out += last ? name + "\n" : name + String(repeating: " ", count: width - name.count)
        }
        Terminal.write(1, out)
    }

    /// `CREATE TABLE name(column TYPE, ...);` per table, as DuckDB's `.schema` prints it (names that
    /// need it in double quotes).
    func printSchema(_ only: String?) {
        do {
            var out = ""
            for name in try tableNames() where only == nil || only!.lowercased() == name.lowercased() {
                let rows = try query("DESCRIBE " + InteractiveShell.quoted(name))
                let columns = rows.map { InteractiveShell.quoted($0[0]) + " " + $0[1] }
                out += "CREATE TABLE \(InteractiveShell.quoted(name))(" + columns.joined(separator: ", ") + ");\n"
            }
            Terminal.write(1, out)
        } catch {
            Terminal.write(2, "Error: \(error)\n")
        }
    }

    func tableNames() throws -> [String] { try query("SHOW TABLES").map { $0[0] } }

    /// The rows of a statement as text.
    func query(_ sql: String) throws -> [[String]] {
        guard case .rows(let rows) = try runner.session.execute(sql) else { return [] }
        var out: [[String]] = []
        while let b = try rows.next() {
            for r in 0..<b.count {
                out.append(
                    b.columns.map { c in
                        c.type == .null || (c.validity.map { $0[r] == 0 } ?? false) ? "NULL" : Kernels.text(c, r)
                    })
            }
        }
        return out
    }

    /// `name`, in double quotes when DuckDB would quote it.
    static func quoted(_ name: String) -> String {
        Keywords.needsQuotes(name)
            ? "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
            : name
    }
}

/// The bytes of a file as UTF-8 text, or nil when it cannot be read (errno says why).
public func readTextFile(_ path: String) -> String? {
    QueryText.readFile(path).map { String(decoding: $0, as: UTF8.self) }
}
