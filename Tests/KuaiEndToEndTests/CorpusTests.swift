import Foundation
import KuaiTestSupport
import Testing

// The differential corpus: every record of Tests/KuaiEndToEndTests/Corpus/*.slt runs through
// Converter (fixture -> temporary store, once per fixture), QueryEngine and ResultWriter(.csv), and
// must give the answer DuckDB 2.0.1 gave (Tools/oracle.py wrote the expected blocks).
// Run one file: KUAI_CORPUS_FILTER=05-agg swift test --filter CorpusTests

@Suite("Differential corpus (expected answers from DuckDB 2.0.1)")
struct CorpusTests {
    static let records = Corpus.allRecords()

    /// One test case per record, named "file:line first line of the SQL". A record listed in
    /// Corpus/known-failures.txt fails as a known issue (see `KnownFailures`).
    @Test("corpus record", arguments: CorpusTests.records)
    func record(_ record: CorpusRecord) {
        guard let message = CorpusRunner.outcome(record).message else { return }
        let comment = Comment(
            rawValue: "\(record.file):\(record.line) [\(record.fixture)]\n\(record.sql)\n=> \(message)")
        if KnownFailures.contains(record) {
            withKnownIssue("listed in Corpus/known-failures.txt", isIntermittent: true) { Issue.record(comment) }
        } else {
            Issue.record(comment)
        }
    }

    /// The corpus is present and well formed: at least 200 records, each with an expected block.
    @Test func corpusIsComplete() {
        let records = CorpusTests.records
        if ProcessInfo.processInfo.environment["KUAI_CORPUS_FILTER"] == nil {
            #expect(records.count >= 200)
        }
        for r in records where r.kind == .query {
            #expect(
                !r.expectedCSV.isEmpty,
                "\(r.file):\(r.line) has no expected block: run python3 Tools/oracle.py --regenerate")
        }
        for r in records {
            #expect(corpusFixtures[r.fixture] != nil, "\(r.file):\(r.line) unknown fixture \(r.fixture)")
        }
    }

    /// Prints passed/failed per corpus file (the per-record tests carry the failures), how many
    /// failures are known (listed) and which listed records pass now.
    @Test func summary() {
        var perFile: [(String, Int, Int, Int)] = []
        var nowPassing: [String] = []
        for name in Corpus.fileNames() {
            let rs = CorpusTests.records.filter { $0.file == name }
            var passed = 0
            var known = 0
            for r in rs {
                let ok = CorpusRunner.outcome(r).message == nil
                if ok { passed += 1 }
                if KnownFailures.contains(r) {
                    if ok { nowPassing.append("\(r.file):\(r.line)") } else { known += 1 }
                }
            }
            perFile.append((name, passed, rs.count - passed, known))
        }
        func row(_ n: String, _ p: Int, _ f: Int, _ k: Int) -> String {
            "  \(n.padding(toLength: 30, withPad: " ", startingAt: 0)) \(String(p).leftPad(6)) \(String(f).leftPad(6)) \(String(k).leftPad(6))"
        }
        var lines = [
            "corpus summary (\(KnownFailures.strict ? "strict" : "known failures listed")):",
            "  \("file".padding(toLength: 30, withPad: " ", startingAt: 0)) passed failed  known",
        ]
        for (name, p, f, k) in perFile { lines.append(row(name, p, f, k)) }
        lines.append(
            row(
                "total", perFile.reduce(0) { $0 + $1.1 }, perFile.reduce(0) { $0 + $1.2 },
                perFile.reduce(0) { $0 + $1.3 }))
        if ProcessInfo.processInfo.environment["KUAI_CORPUS_WRITE_KNOWN"] == "1",
            ProcessInfo.processInfo.environment["KUAI_CORPUS_FILTER"] == nil
        {
            let failing = CorpusTests.records.filter { CorpusRunner.outcome($0).message != nil }
            do {
                try KnownFailures.write(failing)
                lines.append("  wrote \(failing.count) records to Corpus/known-failures.txt")
            } catch {
                Issue.record("cannot write known-failures.txt: \(error)")
            }
        } else if !nowPassing.isEmpty {
            lines.append(
                "  listed in known-failures.txt but passing now (remove them): " + nowPassing.joined(separator: ", "))
        }
        print(lines.joined(separator: "\n"))
    }
}

/// Self-tests of the comparison rule (they need no engine).
@Suite struct CSVCompareTests {
    @Test(arguments: [
        ("1.0000000000000002", "1.0", true), ("0.1", "0.1000001", false), ("3", "3.0", false),
        ("inf", "inf", true), ("-inf", "inf", false), ("nan", "nan", true), ("1e+20", "100000000000000000000.0", true),
        ("2025-05-05", "2025-05-05", true), ("2025-05-05 00:00:00.1", "2025-05-05 00:00:00.10", false),
        ("42.857142857142854", "42.85714285714286", true), ("", "0.0", false), ("x", "x", true),
    ])
    func fields(_ a: String, _ b: String, _ equal: Bool) {
        #expect(CSVCompare.fieldsEqual(a, b) == equal)
    }

    @Test func parsesQuotedFields() {
        let rows = CSVCompare.parse("a,b\n\"x,y\",\"q\"\"q\"\n,\"\"\n\n")
        #expect(rows == [["a", "b"], ["x,y", "q\"q"], ["", ""], [""]])
    }

    @Test func reportsDifferences() {
        #expect(CSVCompare.difference(expected: "a\n1\n", actual: "a\n1\n") == nil)
        #expect(CSVCompare.difference(expected: "a\n1\n", actual: "a\n1\n2\n") != nil)
        #expect(CSVCompare.difference(expected: "a\n0.3\n", actual: "a\n0.30000000000000004\n") == nil)
        #expect(CSVCompare.difference(expected: "a\n3\n", actual: "a\n3.0\n") != nil)
        #expect(CSVCompare.difference(expected: "a\n3\n", actual: "a\n3.0\n", types: ["DECIMAL(2,0)"]) != nil)
        #expect(CSVCompare.difference(expected: "a\n1.50\n", actual: "a\n1.50\n", types: ["DECIMAL(3,2)"]) == nil)
        #expect(
            CSVCompare.kuaiType("DECIMAL(18,3)") == "DECIMAL(18,3)" && CSVCompare.kuaiType("TINYINT") == "TINYINT"
                && CSVCompare.kuaiType("UTINYINT") == "INTEGER")
    }

    @Test func parsesCorpusText() {
        let text =
            "# c\nquery seed\nSELECT 1 AS a;\n---- types: INTEGER\na\n1\n\nerror mini\nSELECT 1 // 0;\n----\nDivision by zero\n\nquery edge\nSELECT NULL AS n\n----\nn\n(empty)\n"
        let rs = Corpus.parse(text, file: "t.slt")
        #expect(rs.count == 3)
        #expect(
            rs[0].sql == "SELECT 1 AS a" && rs[0].expectedCSV == "a\n1\n" && rs[0].expectedTypes == ["INTEGER"]
                && rs[0].line == 2)
        #expect(rs[1].kind == .error && rs[1].fixture == "mini" && rs[1].sql == "SELECT 1 // 0")
        #expect(rs[2].expectedCSV == "n\n\n" && rs[2].expectedTypes == nil)
    }
}

extension String {
    fileprivate func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
