import Foundation
import KuaiTestSupport
import Testing

/// Samples/notebook.sql (issue 9, must-show 1) on the built-in sample: the script runs through, its
/// answers are DuckDB 2.0.1's byte for byte and every exported CSV has DuckDB's bytes. The expected
/// values come from DuckDB running the same file on the same CSVs
/// (`python3 Tools/notebook_compare.py --data Samples/kuailive-mini --write-expected
/// Tests/KuaiEndToEndTests/Notebook`): answers.csv, and exports.txt naming each exported file with
/// its size and the FNV-1a 64 hash of its bytes (the files themselves are 5 MB).
@Suite struct NotebookTests {
    static let expected = RepoPaths.root.appendingPathComponent("Tests/KuaiEndToEndTests/Notebook")

    /// FNV-1a, 64 bits (the hash Tools/notebook_compare.py writes).
    static func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    @Test func notebookOnTheSampleMatchesDuckDB() throws {
        let dir = TempDir(prefix: "kuai-notebook")
        defer { dir.cleanup() }
        let store = dir.sub("mini.kuai")
        let convert = try kuaiConvert(RepoPaths.mini.path, "-o", store, "--quiet")
        #expect(convert.status == 0, "\(convert)")
        try FileManager.default.createDirectory(atPath: dir.sub("notebook_out"), withIntermediateDirectories: false)
        let notebook = RepoPaths.root.appendingPathComponent("Samples/notebook.sql").path
        // The script writes to notebook_out/ relative to the working directory.
        let r = try runTool(
            "/bin/sh",
            [
                "-c", "cd \"$0\" && exec \"$1\" --store \"$2\" -f \"$3\"", dir.path,
                try KuaiTool.query.path(), store, notebook,
            ])
        #expect(r.status == 0 && r.err.isEmpty, "\(r.status) \(r.err)")
        let answers = try String(contentsOf: Self.expected.appendingPathComponent("answers.csv"), encoding: .utf8)
        #expect(r.out == answers, "\(CSVCompare.difference(expected: answers, actual: r.out) ?? "same rows")")

        let listing = try String(contentsOf: Self.expected.appendingPathComponent("exports.txt"), encoding: .utf8)
        let lines = listing.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(dir.entries().contains("notebook_out") && lines.count == 10)
        let written = (try? FileManager.default.contentsOfDirectory(atPath: dir.sub("notebook_out"))) ?? []
        #expect(written.sorted() == lines.map { $0[0] }.sorted())
        for line in lines {
            let bytes = FileManager.default.contents(atPath: dir.sub("notebook_out/" + line[0])).map { [UInt8]($0) }
            let got = bytes.map { "\($0.count) " + String(Self.fnv1a64($0), radix: 16).leftPadded(to: 16) }
            #expect(got == "\(line[1]) \(line[2])", "\(line[0]): got \(got ?? "no file"), DuckDB \(line[1]) \(line[2])")
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
