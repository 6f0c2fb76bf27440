import Foundation
import Testing

// Reader of the differential corpus's text format (Tests/KuaiEndToEndTests/Corpus/*.slt). The
// format is documented at the top of Tools/oracle.py, which writes the expected blocks from
// DuckDB 2.0.1; this reader must agree with it. The runner and the comparison rule are in
// Tests/KuaiEndToEndTests/CorpusSupport.swift.

/// One `query` or `error` record of a corpus file.
public struct CorpusRecord: Sendable, CustomTestStringConvertible {
    public enum Kind: String, Sendable { case query, error }
    /// File name, e.g. "05-aggregates.slt".
    public var file: String
    /// 1-based line of the `query`/`error` header.
    public var line: Int
    public var kind: Kind
    public var fixture: String
    /// The SQL with a trailing `;` removed.
    public var sql: String
    /// DuckDB's CSV output (header + rows, each line ending in "\n"); empty for `error` records.
    public var expectedCSV: String
    /// DuckDB's result type names ("BIGINT", "DECIMAL(4,2)", ...), when recorded.
    public var expectedTypes: [String]?
    /// The `#` comment lines just above the header, without the `# ` (empty when there are none).
    public var comment: [String]

    public var testDescription: String {
        let first = sql.split(separator: "\n").first.map(String.init) ?? ""
        return "\(file):\(line) \(first.prefix(90))"
    }
}

/// Parser of the .slt text format (see Tools/oracle.py).
public enum Corpus {
    /// The corpus file names, sorted. Honours $KUAI_CORPUS_FILTER (a substring of the file name).
    public static func fileNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: RepoPaths.corpus.path)) ?? []
        let filter = ProcessInfo.processInfo.environment["KUAI_CORPUS_FILTER"]
        return names.filter { $0.hasSuffix(".slt") && (filter == nil || $0.contains(filter!)) }.sorted()
    }

    /// Every record of every corpus file, in file order.
    public static func allRecords() -> [CorpusRecord] { fileNames().flatMap(records) }

    /// The records of one corpus file (none when it cannot be read).
    public static func records(_ name: String) -> [CorpusRecord] {
        let url = RepoPaths.corpus.appendingPathComponent(name)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return parse(text, file: name)
    }

    /// Parses one file. Malformed headers are skipped by the oracle's stricter parser first.
    public static func parse(_ text: String, file: String) -> [CorpusRecord] {
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        var records: [CorpusRecord] = []
        var i = 0
        while i < lines.count {
            let words = lines[i].split(separator: " ", omittingEmptySubsequences: true)
            guard words.count == 2, let kind = CorpusRecord.Kind(rawValue: String(words[0])) else {
                i += 1
                continue
            }
            let comment = lines[..<i].reversed().prefix { $0.hasPrefix("#") }.reversed().map {
                String($0.dropFirst()).trimmingCharacters(in: .whitespaces)
            }
            let header = i + 1
            i += 1
            var sql: [String] = []
            while i < lines.count, !lines[i].trimmingCharacters(in: .whitespaces).isEmpty, !lines[i].hasPrefix("----") {
                sql.append(lines[i])
                i += 1
            }
            var types: [String]? = nil
            var expected = ""
            if i < lines.count, lines[i].hasPrefix("----") {
                let sep = lines[i]
                if let r = sep.range(of: "types:") {
                    let list = sep[r.upperBound...].trimmingCharacters(in: .whitespaces)
                    types = list.isEmpty ? [] : list.components(separatedBy: "|")
                }
                i += 1
                while i < lines.count, lines[i] != "" {
                    expected += (lines[i] == "(empty)" ? "" : lines[i]) + "\n"
                    i += 1
                }
            }
            var q = sql.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            while q.hasSuffix(";") {
                q.removeLast()
                q = q.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            records.append(
                CorpusRecord(
                    file: file, line: header, kind: kind, fixture: String(words[1]),
                    sql: q, expectedCSV: kind == .query ? expected : "",
                    expectedTypes: kind == .query ? types : nil, comment: comment))
        }
        return records
    }
}
