import Foundation
import KuaiFormat
import KuaiIngest
import KuaiTestSupport
import Testing

@testable import KuaiReport

/// Paths of the source tree (tests read Samples/ and the Expected answers from it).
enum SourceTree {
    static let mini = RepoPaths.mini.path
    static let recipes = RepoPaths.root.appendingPathComponent("Sources/KuaiReport/Recipes").path
    static let expected = RepoPaths.root.appendingPathComponent("Tests/KuaiReportTests/Expected").path
}

/// Stores converted from the built-in sample, once per test process.
enum FixtureStores {
    /// Every table of Samples/kuailive-mini.
    static let full: String = convert(leaving: [])
    /// The sample without `gift` and `like`: the recipes reading them must say so.
    static let partial: String = convert(leaving: ["gift", "like"])

    static func convert(leaving out: Set<String>) -> String {
        let folder = TempDir(prefix: "kuai-report-store")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: SourceTree.mini)) ?? []).sorted()
        let csvs = names.filter { $0.hasSuffix(".csv") && !out.contains(String($0.dropLast(4))) }
        let store = folder.path + "/mini.kuai"
        do {
            _ = try Converter.convert(sources: csvs.map { SourceTree.mini + "/" + $0 }, to: store)
        } catch {
            Issue.record("cannot convert the sample: \(error)")
        }
        return store
    }
}

/// DuckDB's answer to a built-in recipe over the sample (Tools/report_check.py --write-expected):
/// the result types and the CSV rows (header first).
func expectedAnswer(_ name: String) throws -> (types: [String], rows: [[String]]) {
    let text = try String(contentsOfFile: SourceTree.expected + "/" + name + ".csv", encoding: .utf8)
    let typeLine = text.prefix { $0 != "\n" }
    return (
        String(typeLine.dropFirst("# types: ".count)).split(separator: "|").map(String.init),
        CSVCompare.parse(String(text.dropFirst(typeLine.count + 1)))
    )
}
