import Foundation
import KuaiTestSupport
import Testing

// The rule of the engine's hot paths (issue 8): no Swift String, Dictionary, Set or boxed Value per
// row in any operator or function loop. This test scans every source file of Sources/KuaiExec
// for the constructs that box or hash a row (below) and compares what it finds with the committed
// list Tools/boxed-row-paths.txt, where each remaining use is named (file, enclosing function or
// registry entry, construct, count) with the reason it is not a per-row cost (once per batch, once
// per dictionary entry, an error path) or why it is still row by row. A new use fails the test
// until it is listed with a reason (better: replaced by a buffer loop); a listed use that is gone
// fails too, so the list stays the true account of what remains.

/// The constructs that box, hash or allocate per value when they sit in a row loop.
let boxedRowConstructs: [(name: String, pattern: String)] = [
    // FunctionRegistry.rowwise and its ArgReader: every row a boxed Value (the registry's row path).
    ("rowwise", #"\browwise\("#),
    ("ArgReader", #"\bArgReader\b"#),
    // Column.value(at:): one column value boxed as a Value.
    ("value(at:)", #"\.value\(at:"#),
    ("[Value]", #"\[Value\]"#),
    // A Swift String made from a row's bytes.
    ("String of a view", #"\.stringView\(at:[^)]*\)\.string\b|views?\[[^\]]*\]\.string\b"#),
    ("String(decoding:)", #"\bString\(decoding:"#),
    // A Swift String made from a value (DuckDB's text of a number, date, timestamp...).
    ("String of a value", #"\bValueFormatter\.|\bKernels\.text\("#),
    // Swift's hashed collections (SipHash over boxed keys).
    ("Dictionary", #"\bDictionary<|\[[A-Z][A-Za-z0-9]*: [A-Z\[][A-Za-z0-9\]]*\]"#),
    ("Set", #"\bSet<|\bSet\("#),
]

/// One use: `path|function|construct|count`, `function` being the innermost enclosing `func`,
/// `init`, registry entry (`ScalarFunction("name"`) or type-level `let`/`var` (nesting followed
/// by counting brackets outside string literals; comments are skipped).
func scanBoxedRowConstructs(_ sources: URL) throws -> [String: Int] {
    let declaration = try NSRegularExpression(
        pattern:
            #"\bfunc\s+([A-Za-z_][A-Za-z0-9_]*)|\b(init)\??[(<]|ScalarFunction\(\s*"([a-z_0-9]+)"|\b(?:let|var)\s+([A-Za-z_][A-Za-z0-9_]*)\s*[:=]"#
    )
    let literal = try NSRegularExpression(pattern: #""(?:[^"\\]|\\.)*""#)
    let constructs = try boxedRowConstructs.map { ($0.name, try NSRegularExpression(pattern: $0.pattern)) }
    var found: [String: Int] = [:]
    let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
    for case let url as URL in files where url.pathExtension == "swift" {
        let path = String(url.path.dropFirst(sources.deletingLastPathComponent().path.count + 1))
        // Enclosing declarations: name, bracket depth of the declaration, whether its body opened.
        var stack: [(name: String, depth: Int, opened: Bool)] = []
        var depth = 0
        for raw in try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        {
            let line = String(raw.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            let range = NSRange(line.startIndex..., in: line)
            // A declaration has ended when a line starts at its depth after its body opened (or
            // outside it); a new declaration replaces those at its depth.
            while let last = stack.last, last.depth > depth || (last.opened && last.depth >= depth) {
                stack.removeLast()
            }
            if let m = declaration.firstMatch(in: line, range: range) {
                for g in 1...4 {
                    guard let r = Range(m.range(at: g), in: line) else { continue }
                    if g != 4 || depth <= 1 {
                        while let last = stack.last, last.depth >= depth { stack.removeLast() }
                        stack.append((String(line[r]), depth, false))
                    }
                    break
                }
            }
            let enclosing = stack.last?.name ?? "(file)"
            for (name, regex) in constructs {
                let k = regex.numberOfMatches(in: line, range: range)
                if k > 0 { found["\(path)|\(enclosing)|\(name)", default: 0] += k }
            }
            let code = literal.stringByReplacingMatches(in: line, range: range, withTemplate: "")
            for ch in code {
                if ch == "{" || ch == "(" || ch == "[" { depth += 1 }
                if ch == "}" || ch == ")" || ch == "]" { depth -= 1 }
            }
            for k in stack.indices where stack[k].depth < depth { stack[k].opened = true }
        }
    }
    return found
}

@Test func noNewBoxedValuesStringsOrHashedCollectionsInRowLoops() throws {
    let sources = RepoPaths.root.appendingPathComponent("Sources/KuaiExec")
    let listFile = RepoPaths.root.appendingPathComponent("Tools/boxed-row-paths.txt")
    let found = try scanBoxedRowConstructs(sources)
    var listed: [String: Int] = [:]
    for line in try String(contentsOf: listFile, encoding: .utf8).split(separator: "\n") {
        if line.hasPrefix("#") || line.allSatisfy(\.isWhitespace) { continue }
        let fields = line.split(separator: "|", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        #expect(fields.count == 5 && !fields[4].isEmpty, "every entry needs 5 fields and a reason: \(line)")
        guard fields.count == 5, let count = Int(fields[3]) else { continue }
        listed[fields[0...2].joined(separator: "|"), default: 0] += count
    }
    let added = found.filter { listed[$0.key] != $0.value }.map { "\($0.key)|\($0.value)" }.sorted()
    let gone = listed.filter { found[$0.key] == nil }.map(\.key).sorted()
    #expect(
        added.isEmpty,
        """
        A boxed Value, Swift String, Dictionary or Set construct was added to (or its count changed in) \
        Sources/KuaiExec. Replace it with a buffer loop, or, when it is not per row, list it in \
        Tools/boxed-row-paths.txt with the reason (path | function | construct | count | reason):
        \(added.joined(separator: "\n"))
        """)
    #expect(
        gone.isEmpty,
        "listed in Tools/boxed-row-paths.txt but no longer found, remove:\n\(gone.joined(separator: "\n"))")
}

@Test func boxedRowScanFindsAnAddedRowwiseCall() throws {
    // The scan itself must see a construct where the rule means it: a registry entry's rowwise call.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("boxed-scan-\(getpid())/KuaiExec")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
    try """
    extension FunctionRegistry {
        static let fs: [ScalarFunction] = [
            ScalarFunction("sign", [.double], .integer) { a, t, n, _ in
                rowwise(a, t, n, result: .integer) { r, i in .int(1) }  // rowwise( in a comment is not counted
            },
        ]
        static func loop(
            _ c: Column
        ) {
            var seen = Set<Int64>()
            for i in 0..<c.count { let v = c.value(at: i); _ = v }
        }
    }
    """.write(to: dir.appendingPathComponent("F.swift"), atomically: true, encoding: .utf8)
    let found = try scanBoxedRowConstructs(dir)
    #expect(
        found == [
            "KuaiExec/F.swift|sign|rowwise": 1, "KuaiExec/F.swift|loop|Set": 1, "KuaiExec/F.swift|loop|value(at:)": 1,
        ])
}
