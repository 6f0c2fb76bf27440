import Foundation
import KuaiShell
import KuaiTestSupport
import Testing

/// kuai-query's command lines read without swift-argument-parser (`CommandLineOptions.plain`): which
/// are read so, into which options, and that kuai-query answers alike when swift-argument-parser reads
/// the same options (written `--name=value`, which only it reads).
@Suite struct CommandLineOptionsTests {
    struct PlainCase: CustomTestStringConvertible, Sendable {
        let arguments: [String]
        /// The options read, as "name=value" in declaration order; nil when left to swift-argument-parser.
        let expected: String?
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static func describe(_ o: CommandLineOptions) -> String {
        var parts: [String] = []
        if let v = o.store { parts.append("store=\(v)") }
        if let v = o.format { parts.append("format=\(v)") }
        if let v = o.maxRows { parts.append("maxRows=\(v)") }
        if let v = o.maxWidth { parts.append("maxWidth=\(v)") }
        if o.noHeader { parts.append("noHeader") }
        if let v = o.memoryLimit { parts.append("memoryLimit=\(v)") }
        if let v = o.tempDirectory { parts.append("tempDirectory=\(v)") }
        if let v = o.file { parts.append("file=\(v)") }
        if !o.commands.isEmpty { parts.append("commands=\(o.commands.joined(separator: "|"))") }
        if let v = o.threads { parts.append("threads=\(v)") }
        if o.timer { parts.append("timer") }
        if let v = o.sql { parts.append("sql=\(v)") }
        return parts.joined(separator: " ")
    }

    static let cases: [PlainCase] = [
        PlainCase(arguments: [], expected: ""),
        PlainCase(arguments: ["--store", "s", "SELECT 1"], expected: "store=s sql=SELECT 1"),
        PlainCase(
            arguments: ["--store", "s", "--format", "csv", "--timer", "-f", "q.sql"],
            expected: "store=s format=csv file=q.sql timer"),
        PlainCase(
            arguments: [
                "--max-rows", "5", "--max-width", "80", "--no-header", "--memory-limit", "2GB", "--temp-directory",
                "t", "--threads", "1", "x",
            ],
            expected: "maxRows=5 maxWidth=80 noHeader memoryLimit=2GB tempDirectory=t threads=1 sql=x"),
        PlainCase(arguments: ["-c", "SELECT 1", "-c", "SELECT 2"], expected: "commands=SELECT 1|SELECT 2"),
        PlainCase(arguments: ["-c", "-- note\nSELECT 1", "-c", "-1"], expected: "commands=-- note\nSELECT 1|-1"),
        PlainCase(arguments: ["--store", "s", "--", "-- note\nSELECT 1"], expected: "store=s sql=-- note\nSELECT 1"),
        // Left to swift-argument-parser: help, version, other spellings, repeats, unknowns, odd values.
        PlainCase(arguments: ["--help"], expected: nil),
        PlainCase(arguments: ["-h"], expected: nil),
        PlainCase(arguments: ["--version"], expected: nil),
        PlainCase(arguments: ["--store=s", "x"], expected: nil),
        PlainCase(arguments: ["--store", "a", "--store", "b"], expected: nil),
        PlainCase(arguments: ["--timer", "--timer"], expected: nil),
        PlainCase(arguments: ["--bogus", "x"], expected: nil),
        PlainCase(arguments: ["--store"], expected: nil),
        PlainCase(arguments: ["--store", "-x"], expected: nil),
        PlainCase(arguments: ["--store", ""], expected: nil),
        PlainCase(arguments: [""], expected: nil),
        PlainCase(arguments: ["a", "b"], expected: nil),
        PlainCase(arguments: ["a", "--", "b"], expected: nil),
        PlainCase(arguments: ["--", "a", "b"], expected: nil),
        PlainCase(arguments: ["--"], expected: nil),
        PlainCase(arguments: ["--threads", "two"], expected: nil),
        PlainCase(arguments: ["--generate-completion-script", "bash"], expected: nil),
    ]

    @Test(arguments: cases)
    func plainCommandLines(_ c: PlainCase) {
        #expect(CommandLineOptions.plain(c.arguments).map(Self.describe) == c.expected)
    }

    /// The same options read both ways give the same answer byte for byte.
    @Test func bothReadersAnswerAlike() throws {
        try withSeedStore { _, store in try answerAlike(store) }
    }

    func answerAlike(_ store: String) throws {
        let sql = "SELECT gender, count(*) AS n FROM user GROUP BY ALL ORDER BY 1"
        let plain = try runTool(
            .query, ["--store", store, "--format", "tsv", "--no-header", "--max-rows", "3", "--threads", "1", sql])
        let parsed = try runTool(
            .query, ["--store=" + store, "--format=tsv", "--no-header", "--max-rows=3", "--threads=1", sql])
        #expect(plain.status == 0 && !plain.out.isEmpty, "\(plain)")
        #expect(plain.out == parsed.out && plain.err == parsed.err && plain.status == parsed.status)
        // -c's value is taken as it is, also when it begins with a `-- comment` line.
        let commented = "-- note\nSELECT 42 AS x"
        let plainC = try runTool(.query, ["--store", store, "--format", "csv", "-c", commented])
        let parsedC = try runTool(.query, ["--store=" + store, "--format=csv", "-c", commented])
        #expect(plainC.status == 0 && plainC.out == "x\n42\n", "\(plainC)")
        #expect(plainC.out == parsedC.out && plainC.err == parsedC.err && plainC.status == parsedC.status)
    }
}
