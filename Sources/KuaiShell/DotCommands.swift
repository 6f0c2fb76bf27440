import KuaiCore
import KuaiExec
import KuaiPlan
import KuaiSQL

#if canImport(Glibc)
    import Glibc
#endif

/// The dot commands, as DuckDB's CLI names them: in the interactive shell, and in scripts (standard
/// input, `-f FILE`, `-c`) on a line of their own where no statement is pending.
extension ScriptRunner {
    static let help = """
        .exit                  Leave the shell (also .quit, Ctrl-D); in a script, stop it
        .headers on|off        Header lines of csv and tsv results (as --no-header)
        .help                  Show this list
        .maxrows N             Rows a table shows at most (default 40, fewer on a short window)
        .maxwidth N            Width of tables and charts (default: the terminal's)
        .mode [FORMAT]         Output format: table (duckbox), csv, tsv (tabs), json, jsonl (jsonlines),
                               markdown, line or chart; without FORMAT: the current one
        .once FILE             Write the next statement's result to FILE
        .output [FILE]         Write results to FILE (replaced); without FILE: to standard output
        .print TEXT            Print TEXT
        .quit                  Leave the shell
        .read FILE             Run the statements of FILE
        .schema [TABLE]        The CREATE TABLE statement of every table, or of TABLE
        .tables                The names of the tables
        .timer on|off          Print each statement's run time

        Statements end with ";" and may span several lines. Ctrl-C cancels the line being typed or
        stops the running query.

        """

    /// Runs the dot command `command` (one line, leading white space removed); an unknown command
    /// or bad arguments print DuckDB's error line and change nothing.
    /// - Returns: false for `.quit` / `.exit` (stop reading), else true.
    @discardableResult
    public func runDotCommand(_ command: String) -> Bool {
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let args = Array(words.dropFirst())
        switch words[0] {
        case ".quit", ".exit": return false
        case ".help": emit(ScriptRunner.help)
        case ".tables": printTables()
        case ".schema": printSchema(args.first)
        case ".timer" where args.count == 1 && ["on", "off"].contains(args[0]):
            settings.timer = args[0] == "on"
        case ".headers", ".header":
            guard args.count == 1, ["on", "off"].contains(args[0]) else { fallthrough }
            settings.display.header = args[0] == "on"
        case ".mode": setMode(args)
        case ".maxrows" where args.count == 1 && Int(args[0]).map({ $0 >= 1 }) == true:
            settings.display.maxRows = Int(args[0])
        case ".maxwidth" where args.count == 1 && Int(args[0]).map({ $0 >= 1 }) == true:
            settings.display.maxWidth = Int(args[0])
        case ".output" where args.count <= 1: redirect(to: args.first, once: false)
        case ".once" where args.count == 1: redirect(to: args[0], once: true)
        case ".print":
            emit(String(command.dropFirst(words[0].count).drop(while: { $0 == " " || $0 == "\t" })) + "\n")
        case ".read" where args.count == 1:
            let path = args[0]
            guard let text = readTextFile(path) else {
                Terminal.write(2, "Error: cannot read \(path): \(String(cString: strerror(errno)))\n")
                return true
            }
            do {
                try run(text, source: path)
            } catch let f as ScriptFailure {
                Terminal.write(2, f.message + "\n")
            } catch {
                Terminal.write(2, "\(error)\n")
            }
        default:
            Terminal.write(2, "Error: unknown command or invalid arguments: \"\(command)\". Enter \".help\" for help\n")
        }
        return true
    }

    /// `.output FILE` / `.once FILE`: results go to FILE (created or emptied) from the next statement
    /// on (`.once`: for the next statement only); `.output` alone: back to standard output.
    func redirect(to path: String?, once: Bool) {
        closeOutput()
        guard let path else { return }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            Terminal.write(2, "Error: cannot open \"\(path)\": \(String(cString: strerror(errno)))\n")
            return
        }
        output = OutputTarget(fd: fd, path: path, once: once)
    }

    /// DuckDB's mode names, and kuai's format names.
    static let modes: [String: OutputFormat] = [
        "duckbox": .table, "box": .table, "table": .table, "csv": .csv, "tabs": .tsv, "tsv": .tsv, "json": .json,
        "jsonlines": .jsonl, "jsonl": .jsonl, "markdown": .markdown, "line": .line, "chart": .chart,
    ]

    func setMode(_ args: [String]) {
        guard let name = args.first else {
            Terminal.write(1, "current output mode: \(settings.format.rawValue)\n")
            return
        }
        guard let format = ScriptRunner.modes[name.lowercased()] else {
            let names = OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")
            Terminal.write(2, "Error: unknown mode \"\(name)\"; use one of: \(names)\n")
            return
        }
        settings.format = format
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
        emit(out)
    }

    /// `CREATE TABLE name(column TYPE, ...);` per table, as DuckDB's `.schema` prints it (names that
    /// need it in double quotes).
    func printSchema(_ only: String?) {
        do {
            var out = ""
            for name in try tableNames() where only == nil || only!.lowercased() == name.lowercased() {
                let rows = try query("DESCRIBE " + ScriptRunner.quoted(name))
                let columns = rows.map { ScriptRunner.quoted($0[0]) + " " + $0[1] }
                out += "CREATE TABLE \(ScriptRunner.quoted(name))(" + columns.joined(separator: ", ") + ");\n"
            }
            emit(out)
        } catch {
            Terminal.write(2, "Error: \(error)\n")
        }
    }

    func tableNames() throws -> [String] { try query("SHOW TABLES").map { $0[0] } }

    /// The rows of a statement as text.
    func query(_ sql: String) throws -> [[String]] {
        guard case .rows(let rows) = try session.execute(sql) else { return [] }
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
