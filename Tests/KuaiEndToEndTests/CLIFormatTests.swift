import Foundation
import KuaiTestSupport
import Testing

/// kuai-query's output formats and options, run as a user runs them (output to a file, as in a pipe).
@Suite struct CLIFormatTests {
    func query(_ args: [String], env: [String: String] = [:]) throws -> RunResult {
        try runTool(.query, ["--store", try TerminalStore.store()] + args, env: env)
    }

    /// Expected text: DuckDB 1.5.6's CLI (`duckdb -markdown -c ...`; the 2.0.1 CLI is not installable
    /// here, and its markdown renderer is the same code).
    @Test func markdownAsDuckDB() throws {
        let r = try query([
            "--format", "markdown",
            "SELECT 1 AS a, 'xy|z' AS bb, NULL AS c, 2.5::DOUBLE AS dd UNION ALL SELECT 1000, 'q', 1, 3",
        ])
        #expect(
            r.status == 0
                && r.out == """
                    |  a   |  bb   |  c   | dd  |
                    |-----:|-------|-----:|----:|
                    | 1    | xy\\|z | NULL | 2.5 |
                    | 1000 | q     | 1    | 3.0 |

                    """,
            "\(r)")
    }

    /// Expected text: DuckDB 1.5.6's CLI (`duckdb -line -c ...`).
    @Test func lineAsDuckDB() throws {
        let r = try query([
            "--format", "line", "SELECT 1 AS a, 'xyz' AS longname, NULL AS c UNION ALL SELECT 2, '中文', 3",
        ])
        #expect(
            r.status == 0
                && r.out == """
                           a = 1
                    longname = xyz
                           c = NULL

                           a = 2
                    longname = 中文
                           c = 3

                    """,
            "\(r)")
    }

    @Test func noHeader() throws {
        let csv = try query(["--no-header", "--format", "csv", "SELECT 1 AS a, 'x' AS b"])
        #expect(csv.status == 0 && csv.out == "1,x\n", "\(csv)")
        let tsv = try query(["--no-header", "--format", "tsv", "SELECT 1 AS a, 'x' AS b"])
        #expect(tsv.status == 0 && tsv.out == "1\tx\n", "\(tsv)")
    }

    /// `-noheader` (DuckDB's spelling) printed the help and exited 0; `--threads -3` said "Missing value".
    @Test(arguments: [
        (["-noheader"], "did you mean --no-header?"), (["-csv"], "did you mean --format csv?"),
        (["-timer"], "did you mean --timer?"), (["-xyz"], "unknown option \"-xyz\""),
        (["--threads", "-3"], "--threads takes a whole number of at least 1 (got \"-3\")"),
        (["--threads=0"], "--threads takes a whole number of at least 1 (got \"0\")"),
        (["--max-rows", "-1"], "--max-rows takes a whole number of at least 1"),
    ])
    func usageErrors(_ args: [String], _ message: String) throws {
        let r = try query(args + ["SELECT 1"])
        #expect(r.status == 2 && r.out.isEmpty, "\(args): \(r)")
        #expect(r.err.hasPrefix("kuai-query: ") && r.err.contains(message), "\(args): \(r.err)")
    }

    /// EXPLAIN prints the plan as a tree whatever the format: not a CSV column with a header and quotes.
    @Test(arguments: ["csv", "json", "table"])
    func explainIsATree(_ format: String) throws {
        let r = try query([
            "--format", format, "EXPLAIN SELECT c1, count(*), min(c2) FROM wide WHERE c3 > 5 GROUP BY c1",
        ])
        #expect(r.status == 0, "\(r)")
        let lines = r.out.split(separator: "\n")
        #expect(
            lines.first?.hasPrefix("HashAggregate keys=[c1] aggregates=[count_star(), min(c2)]") == true, "\(r.out)")
        #expect(lines.count >= 2 && lines[1].hasPrefix("  "), "\(r.out)")
        #expect(!r.out.contains("\"") && !r.out.hasPrefix("explain"), "\(r.out)")
    }

    /// A table in a pipe: DuckDB's 40 rows, no width limit.
    @Test func tableInPipe() throws {
        let r = try query(["--format", "table", "SELECT * FROM wide"])
        #expect(r.status == 0, "\(r)")
        let lines = r.out.split(separator: "\n")
        #expect(lines.count == 49, "\(r.out)")
        #expect(lines.allSatisfy { $0.count == lines[0].count || $0 == lines.last }, "one width: \(r.out)")
        #expect(lines.last?.hasPrefix("  118000 rows (40 shown) ") == true, "\(r.out)")
        #expect(lines.last?.hasSuffix(" 23 columns") == true, "\(r.out)")
        // --max-width under 80 counts as 80, as in DuckDB
        let few = try query(["--format", "table", "--max-rows", "4", "--max-width", "60", "SELECT * FROM wide"])
        #expect(few.out.split(separator: "\n").count == 4 + 9, "\(few.out)")
        #expect(
            few.out.hasSuffix("  118000 rows (4 shown)                            23 columns (8 shown)\n"), "\(few.out)"
        )
    }

    /// The generated completion scripts of every kuai executable offer no `help` subcommand
    /// (kuai-query would run it as SQL, kuai-convert read it as a source) and still parse.
    @Test(arguments: [KuaiTool.query, .convert, .report], ["bash", "zsh", "fish"])
    func completionScriptsHaveNoHelpSubcommand(_ tool: KuaiTool, _ shell: String) throws {
        let r = try runTool(tool, ["--generate-completion-script", shell])
        let option = [KuaiTool.query: "max-rows", .convert: "reject-file", .report: "no-builtin"][tool]!
        #expect(r.status == 0 && r.out.contains(option), "\(r)")
        #expect(!r.out.contains("help:Show subcommand help") && !r.out.contains("-fa 'help'"), "\(r.out)")
        let name = tool.rawValue
        #expect(!r.out.contains("_\(name)_help") && !r.out.contains("\"\(name) help\""), "\(r.out)")
        #expect(r.out.contains(shell == "fish" ? "-l 'help'" : "--help"), "the --help flag stays")
        if shell == "bash" {
            let dir = TempDir(prefix: "kuai-completion")
            defer { dir.cleanup() }
            let check = try runTool("/bin/bash", ["-n", dir.write("k.bash", r.out)])
            #expect(check.status == 0, "\(check)")
        }
    }

    /// `--format chart` (no colours in a pipe): one bar per row, scaled to the widest value.
    @Test func chart() throws {
        let r = try query([
            "--format", "chart", "--max-width", "60", "SELECT name, viewers FROM names ORDER BY viewers DESC",
        ])
        #expect(r.status == 0, "\(r)")
        let lines = r.out.split(separator: "\n")
        #expect(lines.count == 6, "\(r.out)")
        #expect(lines[0].hasPrefix("name") && lines[0].hasSuffix("viewers"), "\(r.out)")
        #expect(lines[1].hasPrefix("ｆｕｌｌ") && lines[1].contains(" 980000 ████"), "\(r.out)")
        #expect(lines[1].filter { $0 == "█" }.count == 60 - 8 - 2 - 7 - 1, "\(r.out)")
        #expect(lines[2].hasPrefix("主播小王") && lines[2].hasSuffix("1200 "), "a bar under one eighth: \(r.out)")
        let bad = try query(["--format", "chart", "SELECT name, category FROM names"])
        #expect(bad.status == 2 && bad.err.contains("column \"category\" is VARCHAR"), "\(bad)")
        let many = try query([
            "--format", "chart", "--max-width", "60", "SELECT name, viewers, id FROM names ORDER BY id LIMIT 2",
        ])
        #expect(many.out.split(separator: "\n").count == 5 && many.out.contains("■ viewers  ■ id"), "\(many.out)")
    }
}
