import Foundation
import KuaiTestSupport
import Testing

// Closed and full standard streams (issue 13): kuai-convert died with SIGILL (exit 132) when its
// stderr was closed or full (Foundation's FileHandle traps on a failed write), and kuai-query
// exited 1 without a word when its stdout failed. Now: never a signal, a failed write makes the
// exit status non-zero, and a failed stdout is reported on stderr.

@Suite("Trust: closed and full standard streams")
struct TrustOutputTests {
    /// Runs `tool args` through /bin/sh with `redirect` ("2>&-", ">/dev/full", ...) applied.
    private func run(_ tool: KuaiTool, _ args: [String], _ redirect: String) throws -> RunResult {
        try runTool("/bin/sh", ["-c", "exec \"$0\" \"$@\" " + redirect, try tool.path()] + args)
    }

    @Test(arguments: ["2>&-", "2>/dev/full"])
    func convertWithStderrClosedOrFull(_ redirect: String) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = dir.sub("s.kuai")
        // The summary cannot be written: exit 1, but the store is whole.
        let r = try run(.convert, [RepoPaths.seedSample.path, "-o", store], redirect)
        #expect(r.failedCleanly && r.status == 1, "\(redirect): \(r)")
        let v = try kuaiConvert("--verify", store)
        #expect(v.status == 0 && v.out.hasPrefix("ok:"), "\(v)")
        // Nothing to write: exit 0.
        let quiet = try run(.convert, [RepoPaths.seedSample.path, "-o", dir.sub("q.kuai"), "--quiet"], redirect)
        #expect(quiet.status == 0 && !quiet.signaled, "\(redirect): \(quiet)")
        // An error that cannot be reported still fails.
        let bad = try run(.convert, [dir.sub("missing.csv"), "-o", dir.sub("b.kuai")], redirect)
        #expect(bad.failedCleanly && bad.status == 1, "\(redirect): \(bad)")
        let usage = try run(.convert, ["--no-such-option"], redirect)
        #expect(usage.failedCleanly && usage.status == 2, "\(redirect): \(usage)")
    }

    @Test(arguments: [">/dev/full", ">&-"])
    func stdoutThatFailsIsReported(_ redirect: String) throws {
        try withSeedStore { _, store in
            let q = try run(.query, ["--store", store, "--format", "csv", "select * from click"], redirect)
            #expect(q.failedCleanly && q.status == 1, "\(redirect): \(q)")
            #expect(q.err.contains("cannot write the result to standard output"), "\(redirect): \(q.err)")
            let v = try run(.convert, ["--verify", store], redirect)
            #expect(v.failedCleanly && v.status == 1, "\(redirect): \(v)")
            #expect(v.err.contains("could not write all output"), "\(redirect): \(v.err)")
            // The store is unchanged by the failed runs.
            let again = try kuaiQuery(store, "select count(*) as n from click")
            #expect(again.status == 0 && again.out.hasPrefix("n\n"), "\(again)")
        }
    }

    @Test(arguments: ["2>&-", "2>/dev/full"])
    func queryWithStderrClosedOrFull(_ redirect: String) throws {
        try withSeedStore { _, store in
            let good = try run(
                .query, ["--store", store, "--format", "csv", "select count(*) as n from click"], redirect)
            #expect(good.status == 0 && !good.signaled && good.out.hasPrefix("n\n"), "\(redirect): \(good)")
            let bad = try run(.query, ["--store", store, "select nope from click"], redirect)
            #expect(bad.failedCleanly && bad.status == 1, "\(redirect): \(bad)")
        }
    }
}

// Query text (issue 13): a byte order mark at the start of a -f file (or standard input) was a
// syntax error; bytes that are not UTF-8 were silently replaced by U+FFFD. DuckDB 2.0.1 skips the
// mark and refuses invalid UTF-8.
@Suite("Trust: query text bytes")
struct TrustQueryTextTests {
    @Test func byteOrderMarkIsSkippedAndInvalidUTF8IsAnError() throws {
        try withSeedStore { dir, store in
            let bom = dir.write("bom.sql", bytes: [0xEF, 0xBB, 0xBF] + Array("select 1 as x;\n".utf8))
            let q = try runTool(.query, ["--store", store, "--format", "csv", "-f", bom])
            #expect(q.status == 0 && q.out == "x\n1\n", "\(q)")
            let bad = dir.write("bad.sql", bytes: Array("select 'a".utf8) + [0xFF] + Array("' as x;\n".utf8))
            let b = try runTool(.query, ["--store", store, "--format", "csv", "-f", bad])
            #expect(b.failedCleanly && b.status == 1 && b.out.isEmpty, "\(b)")
            #expect(b.err.contains("not valid UTF-8") && b.err.contains("byte 10"), "\(b.err)")
            let exe = try KuaiTool.query.path()
            let stdin = try runTool(
                "/bin/sh",
                ["-c", "printf '\\357\\273\\277select 2 as y;' | exec \"$0\" --store \"$1\" --format csv", exe, store])
            #expect(stdin.status == 0 && stdin.out == "y\n2\n", "\(stdin)")
            let arg = try runTool(
                "/bin/sh",
                ["-c", "exec \"$0\" --store \"$1\" --format csv \"$(printf 'select 1 as \\377x')\"", exe, store])
            #expect(arg.failedCleanly && arg.status == 1 && arg.out.isEmpty, "\(arg)")
            #expect(arg.err.contains("not valid UTF-8"), "\(arg.err)")
        }
    }
}
