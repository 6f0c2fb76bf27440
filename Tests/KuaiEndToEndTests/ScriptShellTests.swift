import Foundation
import KuaiTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs `exe` with `args` and `input` on its standard input (a file, so not a terminal).
func runWithInput(_ exe: String, _ args: [String], input: String) throws -> RunResult {
    let dir = TempDir(prefix: "kuai-stdin")
    defer { dir.cleanup() }
    let path = dir.write("input.sql", input)
    return try runTool("/bin/sh", ["-c", "exec \"$0\" \"$@\" < \"\(path)\""] + [exe] + args)
}

/// Scripts (issue 9): several statements from `-f FILE`, standard input or repeated `-c SQL`, each
/// result printed in order; a failing statement stops the script with exit 1 and is named by
/// file, line and column.
@Suite struct ScriptTests {
    let script = """
        SELECT 1 AS a;
        SELECT count(*) AS n FROM names;  -- a comment; with a semicolon
        SELECT name
          FROM names WHERE nosuch = 1;
        SELECT 3 AS never;

        """

    @Test func standardInputRunsEveryStatement() throws {
        let store = try TerminalStore.store()
        let r = try runWithInput(
            try KuaiTool.query.path(), ["--store", store],
            input: "SELECT 1 AS a; SELECT 'x;y' AS b;\nSELECT count(*) AS n FROM names;\n")
        #expect(r.status == 0 && r.out == "a\n1\nb\nx;y\nn\n5\n" && r.err.isEmpty, "\(r)")
    }

    @Test func repeatedDashCRunsInOrder() throws {
        let store = try TerminalStore.store()
        let r = try runTool(
            try KuaiTool.query.path(), ["--store", store, "-c", "SELECT 1 AS a", "-c", "SELECT 2 AS b; SELECT 3 AS c"])
        #expect(r.status == 0 && r.out == "a\n1\nb\n2\nc\n3\n", "\(r)")
        let bad = try runTool(
            try KuaiTool.query.path(), ["--store", store, "-c", "SELECT 1 AS a", "-c", "SELECT 2 AS b; SELECT x"])
        #expect(bad.status == 1 && bad.out == "a\n1\nb\n2\n", "\(bad)")
        #expect(bad.err.hasPrefix("kuai-query: -c#2:1:23: binding error: column \"x\" not found"), "\(bad.err)")
    }

    /// An error in a `-f` file names the file, the line and the column (it said `query:2:7`); the
    /// statements before it printed their results, the ones after it did not run.
    @Test func failingStatementOfAFileIsNamed() throws {
        let store = try TerminalStore.store()
        let dir = TempDir(prefix: "kuai-script")
        defer { dir.cleanup() }
        let path = dir.write("steps.sql", script)
        let r = try runTool(try KuaiTool.query.path(), ["--store", store, "-f", path])
        #expect(r.status == 1 && r.out == "a\n1\nn\n5\n", "\(r)")
        #expect(
            r.err == """
                kuai-query: \(path):4:20: binding error: column "nosuch" not found (columns: id, name, category, viewers)
                  FROM names WHERE nosuch = 1;
                                   ^

                """, "\(r.err)")
        let piped = try runWithInput(try KuaiTool.query.path(), ["--store", store], input: script)
        #expect(piped.status == 1 && piped.out == "a\n1\nn\n5\n", "\(piped)")
        #expect(piped.err.hasPrefix("kuai-query: stdin:4:20: binding error"), "\(piped.err)")
    }

    /// A syntax error and a runtime error are named too: the runtime error (which has no position of
    /// its own) by the start of its statement.
    @Test func syntaxAndRuntimeErrorsNameTheStatement() throws {
        let store = try TerminalStore.store()
        let syntax = try runTool(
            try KuaiTool.query.path(), ["--store", store, "-c", "SELECT 1 AS a;\nSELEC 2;\nSELECT 3;"])
        #expect(syntax.status == 1 && syntax.out == "a\n1\n", "\(syntax)")
        #expect(syntax.err.hasPrefix("kuai-query: -c:2:1: syntax error: at or near \"SELEC\""), "\(syntax.err)")
        let runtime = try runTool(
            try KuaiTool.query.path(),
            ["--store", store, "-c", "SELECT 1 AS a;\n  SELECT 10 // (id - 1) AS q FROM names;"])
        #expect(runtime.status == 1 && runtime.out.hasPrefix("a\n1\n"), "\(runtime)")
        #expect(runtime.err.hasPrefix("kuai-query: -c:2:3: execution error: Division by zero"), "\(runtime.err)")
        #expect(runtime.err.hasSuffix("  SELECT 10 // (id - 1) AS q FROM names;\n  ^\n"), "\(runtime.err)")
    }

    @Test func oneInputOnly() throws {
        let store = try TerminalStore.store()
        let r = try runTool(try KuaiTool.query.path(), ["--store", store, "-c", "SELECT 1", "SELECT 2"])
        #expect(r.status == 2 && r.err.contains("give the SQL one way"), "\(r)")
    }

    /// Dot commands in scripts, as DuckDB's CLI reads them: a line beginning with "." where no
    /// statement is pending; `.output` / `.once` send results to a file, `.headers off` drops csv
    /// headers, `.quit` ends the script, and an error's line number is still the script's.
    @Test func dotCommandsInScripts() throws {
        let store = try TerminalStore.store()
        let dir = TempDir(prefix: "kuai-dot")
        defer { dir.cleanup() }
        let out = dir.sub("out.csv")
        let once = dir.sub("once.csv")
        let input = """
            .mode tsv
            SELECT 1 AS a, 2 AS b;
            .mode csv
            SELECT '
            .not a command' AS s;
            .output \(out)
            .mode csv
            SELECT count(*) AS n FROM names;
              .output
            .headers off
            .once \(once)
            SELECT 7 AS x;
            SELECT 8 AS y;
            .print done here
            .quit
            SELECT 9 AS never;

            """
        let r = try runWithInput(try KuaiTool.query.path(), ["--store", store], input: input)
        #expect(r.status == 0 && r.out == "a\tb\n1\t2\ns\n\"\n.not a command\"\n8\ndone here\n", "\(r)")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "n\n5\n")
        #expect(try String(contentsOfFile: once, encoding: .utf8) == "7\n")
        let bad = try runWithInput(
            try KuaiTool.query.path(), ["--store", store],
            input: ".mode csv\n.bogus x\nSELECT 1 AS a;\n\nSELECT nosuch;\n")
        #expect(bad.status == 1 && bad.out == "a\n1\n", "\(bad)")
        #expect(bad.err.hasPrefix("Error: unknown command or invalid arguments: \".bogus x\""), "\(bad.err)")
        #expect(bad.err.contains("kuai-query: stdin:5:8: binding error"), "\(bad.err)")
        let dashC = try runTool(try KuaiTool.query.path(), ["--store", store, "-c", ".tables"])
        #expect(dashC.status == 0 && dashC.out.contains("names"), "\(dashC)")
    }
}

/// True when the terminal output ends with a new prompt at the start of a line (compared as bytes:
/// "\r\n" is one Character in Swift).
func endsWithPrompt(_ text: String) -> Bool { text.utf8.suffix(3).elementsEqual("\nD ".utf8) }

/// The interactive shell (issue 9), driven through a pseudo-terminal as a user types.
@Suite struct ShellTests {
    /// Types `line` and reads until the next prompt `D ` at the start of a line.
    func enter(_ s: PTYSession, _ line: String, expect: String? = nil) {
        let before = s.output.count
        s.waitForLineEditing()
        s.send(line + "\r")
        s.read(until: { all in
            let new = String(decoding: s.output[before...], as: UTF8.self)
            return endsWithPrompt(new) && (expect == nil || new.contains(expect!))
        })
    }

    @Test func shellSession() throws {
        let store = try TerminalStore.store()
        let home = TempDir(prefix: "kuai-home")
        defer { home.cleanup() }
        let sql = home.write("more.sql", "SELECT 40 + 2 AS answer;\n")
        let s = try PTYSession(
            try KuaiTool.query.path(), ["--store", store], env: ["HOME": home.path], columns: 80, rows: 30)
        #expect(s.read(until: { $0.hasSuffix("D ") }), "no prompt: \(s.text)")
        #expect(s.text.contains("Enter \".help\" for usage hints."), "\(s.text)")

        enter(s, "SELECT 1 AS a;", expect: "│     1 │")
        // a statement over three lines: continuation prompts, then one result
        s.waitForLineEditing()
        s.send("SELECT\r")
        #expect(s.read(until: { $0.hasSuffix("· ") }))
        s.waitForLineEditing()
        s.send("  name, viewers\r")
        enter(s, "FROM names WHERE id = 1;", expect: "│ 主播小王 │    1200 │")
        enter(s, ".tables", expect: "names  wide")
        // keywords in double quotes, as DuckDB 1.5.6's `.schema` writes them
        enter(
            s, ".schema names",
            expect: "CREATE TABLE \"names\"(id BIGINT, \"name\" VARCHAR, category VARCHAR, viewers BIGINT);")
        #expect(s.text.contains("CREATE TABLE \"names\"(id BIGINT, \"name\" VARCHAR"), "\(s.text)")
        enter(s, ".mode csv")
        enter(s, ".timer on")
        enter(s, "SELECT 7 AS seven;", expect: "Run Time (s): real ")
        #expect(s.text.contains("seven\r\n7\r\n"), "\(s.text)")
        enter(s, ".read \(sql)", expect: "answer\r\n42\r\n")
        // an error is shown and the shell goes on
        enter(s, "SELECT nosuch;", expect: "binding error: column \"nosuch\" not found")
        // Ctrl-C cancels the line being typed
        s.waitForLineEditing()
        s.send("SELECT 'never")
        s.send("\u{3}")
        #expect(s.read(until: endsWithPrompt), "\(s.text.suffix(300).debugDescription)")
        // Ctrl-C stops a running query and keeps the shell
        let before = s.output.count
        s.waitForLineEditing()
        s.send("SELECT count(*) FROM wide a JOIN wide b ON a.c1 = b.c1;\r")
        s.read(until: { _ in false }, timeout: 0.5)
        s.send("\u{3}")
        s.read(until: { _ in endsWithPrompt(String(decoding: s.output[before...], as: UTF8.self)) })
        let tail = String(decoding: s.output[before...], as: UTF8.self)
        #expect(tail.contains("Interrupted"), "\(tail)")
        enter(s, "SELECT 8 AS eight;", expect: "eight\r\n8\r\n")
        enter(s, ".help", expect: ".read FILE")
        s.waitForLineEditing()
        s.send(".quit\r")
        let end = try #require(s.wait(timeout: 20), "the shell did not quit: \(s.text)")
        #expect(end.status == 0, "\(s.text)")
        let history = try String(contentsOfFile: home.sub(".kuai_history"), encoding: .utf8)
        #expect(history.contains("SELECT\\0401\\040AS\\040a;"), "\(history)")
    }

    /// Ctrl-D on an empty line leaves the shell.
    @Test func controlDLeaves() throws {
        let store = try TerminalStore.store()
        let home = TempDir(prefix: "kuai-home")
        defer { home.cleanup() }
        let s = try PTYSession(try KuaiTool.query.path(), ["--store", store], env: ["HOME": home.path])
        #expect(s.read(until: { $0.hasSuffix("D ") }))
        s.waitForLineEditing()
        s.send("\u{4}")
        #expect(s.wait(timeout: 20)?.status == 0, "\(s.text)")
    }
}
