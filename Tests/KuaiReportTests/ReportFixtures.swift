import Foundation
import KuaiFormat
import KuaiIngest
import Testing

@testable import KuaiReport

/// Paths of the source tree (tests read Samples/ and the Expected answers from it).
enum SourceTree {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let mini = root + "/Samples/kuailive-mini"
    static let recipes = root + "/Samples/recipes"
    static let expected = root + "/Tests/KuaiReportTests/Expected"
}

/// A temporary folder removed by `cleanup()`.
struct TempFolder {
    let path: String

    init(_ prefix: String) {
        path = NSTemporaryDirectory() + "/" + prefix + "-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        _ = FileManager.default.createFile(atPath: path + "/" + name, contents: Data(text.utf8))
        return path + "/" + name
    }
}

/// Stores converted from the built-in sample, once per test process.
enum FixtureStores {
    /// Every table of Samples/kuailive-mini.
    static let full: String = convert(leaving: [])
    /// The sample without `gift` and `like`: the recipes reading them must say so.
    static let partial: String = convert(leaving: ["gift", "like"])

    static func convert(leaving out: Set<String>) -> String {
        let folder = TempFolder("kuai-report-store")
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
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let typeLine = lines.removeFirst()
    if lines.last == "" { lines.removeLast() }
    return (
        String(typeLine.dropFirst("# types: ".count)).split(separator: "|").map(String.init), lines.map(parseCSVLine)
    )
}

/// The fields of one CSV line (RFC 4180 quoting; the recipes' answers hold no newline in a field).
func parseCSVLine(_ line: String) -> [String] {
    var fields: [String] = []
    var field = ""
    var quoted = false
    var chars = Array(line)[...]
    while let ch = chars.popFirst() {
        if quoted {
            if ch == "\"" {
                if chars.first == "\"" {
                    field.append("\"")
                    chars.removeFirst()
                } else {
                    quoted = false
                }
            } else {
                field.append(ch)
            }
        } else if ch == "\"" {
            quoted = true
        } else if ch == "," {
            fields.append(field)
            field = ""
        } else {
            field.append(ch)
        }
    }
    fields.append(field)
    return fields
}

/// The corpus's comparison rule (Tools/oracle.py `fields_equal`): equal text, or two numbers equal
/// to a relative 1e-9 when either looks like a float or the column is DECIMAL in DuckDB.
func fieldsEqual(_ expected: String, _ actual: String, decimal: Bool) -> Bool {
    if expected == actual { return true }
    let floatLike: (String) -> Bool = { s in s.contains(".") || s.lowercased().contains("e") || s.contains("inf") }
    guard decimal || (floatLike(expected) && floatLike(actual)), let x = Double(expected), let y = Double(actual) else {
        return false
    }
    return abs(x - y) <= 1e-9 * max(abs(x), abs(y))
}
