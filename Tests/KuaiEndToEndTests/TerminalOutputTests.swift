import Foundation
import KuaiTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A store for the terminal tests: `wide` (23 columns, 118,000 rows: the shape of the notebook's
/// interactions table at scale 0.01) and `names` (Chinese and emoji text), converted once.
enum TerminalStore {
    static let dir = TempDir(prefix: "kuai-terminal")
    static let path: String? = {
        var wide = (0..<23).map { "c\($0)" }.joined(separator: ",") + "\n"
        wide.reserveCapacity(12_000_000)
        for r in 0..<118_000 {
            wide += "\(r),\(r % 97),name_\(r % 500),\(r * 7 % 1000)"
            for i in 0..<19 { wide += ",\(r * (i + 3) % 1000)" }
            wide += "\n"
        }
        let names = """
            id,name,category,viewers
            1,主播小王,游戏直播,1200
            2,streamer,chat,35
            3,😀 emoji,表情😀,7
            4,ｆｕｌｌ,half,980000
            5,한국어,노래,42

            """
        let w = dir.write("wide.csv", wide)
        let n = dir.write("names.csv", names)
        guard let r = try? kuaiConvert(w, n, "-o", dir.sub("t.kuai"), "--quiet"), r.status == 0 else { return nil }
        atexit { TerminalStore.dir.cleanup() }
        return dir.sub("t.kuai")
    }()

    static func store() throws -> String {
        _ = try KuaiTool.convert.path()
        _ = try KuaiTool.query.path()
        return try #require(path, "converting the terminal test tables failed")
    }
}

/// The lines of a terminal transcript (CR LF line ends), without escape sequences.
func terminalLines(_ text: String) -> [Substring] {
    text.replacingOccurrences(of: "\r", with: "").split(separator: "\n", omittingEmptySubsequences: false)
}

@Suite(.serialized) struct TerminalOutputTests {
    /// Issue 11: on an 80 x 24 terminal, a 23-column, 118k-row table prints at most 45 lines (here
    /// 23: as many rows as fit the window) with both footers, and kuai-query's peak memory is the same
    /// as for 40 rows of it (the rows not shown are counted, not held). On a 50-line window it shows
    /// DuckDB's 40 rows.
    @Test func wideTableAt80ColumnsIsBoundedAndFlat() throws {
        let store = try TerminalStore.store()
        let all = try PTYSession(
            try KuaiTool.query.path(), ["--store", store, "SELECT * FROM wide"], columns: 80, rows: 24)
        let end = try #require(all.wait(), "kuai-query did not finish: \(all.text)")
        #expect(end.status == 0, "\(all.text)")
        let lines = terminalLines(all.text).filter { !$0.isEmpty }
        #expect(lines.count <= 45, "\(lines.count) lines:\n\(all.text)")
        #expect(lines.allSatisfy { testDisplayWidth($0) <= 80 }, "\(all.text)")
        let footer = try #require(lines.last)
        #expect(footer.contains("118000 rows (14 shown)"), "\(footer)")
        #expect(footer.contains(/23 columns \(\d+ shown\)/), "\(footer)")
        #expect(lines.contains { $0.hasPrefix("│ 117999 ") }, "the last row is shown: \(all.text)")

        let tall = try PTYSession(
            try KuaiTool.query.path(), ["--store", store, "SELECT * FROM wide"], columns: 80, rows: 50)
        #expect(tall.wait()?.status == 0, "\(tall.text)")
        #expect(terminalLines(tall.text).filter { !$0.isEmpty }.count == 49, "\(tall.text)")
        #expect(tall.text.contains("118000 rows (40 shown)"), "\(tall.text)")

        let few = try PTYSession(
            try KuaiTool.query.path(), ["--store", store, "SELECT * FROM wide LIMIT 14"], columns: 80)
        let fewEnd = try #require(few.wait())
        #expect(fewEnd.status == 0, "\(few.text)")
        // holding the 2.7 million values as text would take well over 100 MiB
        #expect(
            end.maxRSSKiB - fewEnd.maxRSSKiB < 24 * 1024,
            "peak memory: \(end.maxRSSKiB) KiB for 118,000 rows, \(fewEnd.maxRSSKiB) KiB for 40")
    }

    /// Chinese, Korean, fullwidth and emoji text: every line of the box is as wide as the others on the
    /// terminal (widths by East Asian Width, not by code points).
    @Test func cjkRowsAlign() throws {
        let store = try TerminalStore.store()
        let s = try PTYSession(
            try KuaiTool.query.path(), ["--store", store, "SELECT * FROM names ORDER BY id"], columns: 80)
        let end = try #require(s.wait())
        #expect(end.status == 0, "\(s.text)")
        let box = terminalLines(s.text).filter { ["│", "┌", "├", "└"].contains($0.first) }
        #expect(box.count == 10, "\(s.text)")
        let widths = Set(box.map(testDisplayWidth))
        #expect(widths.count == 1, "line widths \(widths):\n\(s.text)")
        #expect(s.text.contains("│ 主播小王 │ 游戏直播 │"), "\(s.text)")
    }

    /// The progress bar appears on the terminal's standard error while a query runs (here after 0 s
    /// instead of 2 s), and never when standard error is a file or a pipe. The query pairs each of
    /// 1,000 keys' 118 rows with each other (13,924,000 pairs, DuckDB's count): it runs well past
    /// the bar's first 20 ms however fast a join of unique keys gets.
    @Test func progressBarOnTerminalNeverInPipe() throws {
        let store = try TerminalStore.store()
        let slow = "SELECT count(*) AS n FROM wide a JOIN wide b ON a.c3 = b.c3"
        let env = ["KUAI_PROGRESS_DELAY_MS": "0"]
        let s = try PTYSession(try KuaiTool.query.path(), ["--store", store, slow], env: env, columns: 80)
        let end = try #require(s.wait())
        #expect(end.status == 0, "\(s.text)")
        #expect(s.text.contains("%") && s.text.contains("▕") && s.text.contains("▏"), "\(s.text)")
        #expect(s.text.contains("13924000"), "\(s.text)")
        let piped = try runTool(.query, ["--store", store, slow], env: env)
        #expect(piped.status == 0 && piped.out == "n\n13924000\n", "\(piped)")
        #expect(!piped.err.contains("▕") && !piped.err.contains("%"), "\(piped.err)")
    }
}
