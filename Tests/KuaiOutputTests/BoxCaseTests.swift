import Foundation
import KuaiCore
import KuaiOutput
import KuaiPlan
import Testing

/// One record of Cases/box.txt (format: Tools/box_cases.py).
struct BoxCase: CustomStringConvertible {
    var name: String
    var width = 80
    var rows = 40
    var sql: String
    var expected: String
    var description: String { name }
}

/// The records of Cases/box.txt, read from the source tree.
func boxCases() throws -> [BoxCase] {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Cases/box.txt")
    let lines = try String(contentsOf: path, encoding: .utf8).components(separatedBy: "\n")
    var cases: [BoxCase] = []
    var i = 0
    while i < lines.count {
        guard lines[i].hasPrefix("case ") else {
            i += 1
            continue
        }
        let words = lines[i].split(separator: " ")
        var c = BoxCase(name: String(words[1]), sql: "", expected: "")
        for w in words.dropFirst(2) {
            let kv = w.split(separator: "=")
            if kv[0] == "width" { c.width = Int(kv[1])! }
            if kv[0] == "rows" { c.rows = Int(kv[1])! }
        }
        i += 1
        var sql: [String] = []
        while lines[i] != "----" {
            sql.append(lines[i])
            i += 1
        }
        i += 1
        var expected: [String] = []
        while lines[i] != "====" {
            expected.append(lines[i])
            i += 1
        }
        i += 1
        c.sql = sql.joined(separator: "\n")
        c.expected = expected.joined(separator: "\n")
        cases.append(c)
    }
    return cases
}

/// The box table of each case equals DuckDB 2.0.1's, byte for byte (trailing newlines aside).
@Test(arguments: try boxCases())
func boxTableMatchesDuckDB(_ c: BoxCase) throws {
    let engine = QueryEngine(tables: [])
    let result = try engine.execute(c.sql)
    let box = BoxCollector(fields: result.fields, options: BoxOptions(maxRows: c.rows, maxWidth: c.width))
    for b in result.batches { box.append(b) }
    let got = box.render()
    var trimmed = Substring(got)
    while trimmed.hasSuffix("\n") { trimmed = trimmed.dropLast() }
    #expect(String(trimmed) == c.expected, "\(c.name):\n\(got)")
}
