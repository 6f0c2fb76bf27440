import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// Index of the column `qualifier.name` in `scope`, nil when absent; throws when ambiguous.
    func resolve(_ qualifier: String?, _ name: String, _ scope: [ScopeColumn]) -> Int? {
        let n = name.lowercased()
        let q = qualifier?.lowercased()
        return scope.firstIndex {
            $0.name.lowercased() == n && (q == nil ? !$0.hidden : $0.qualifier?.lowercased() == q)
        }
    }

    func resolveColumn(_ qualifier: String?, _ name: String, _ pos: SourcePosition, _ scope: [ScopeColumn]) throws
        -> ColumnReference
    {
        let n = name.lowercased()
        let q = qualifier?.lowercased()
        let matches = scope.indices.filter {
            scope[$0].name.lowercased() == n && (q == nil ? !scope[$0].hidden : scope[$0].qualifier?.lowercased() == q)
        }
        if matches.count == 1 { return .input(matches[0]) }
        if matches.count > 1 {
            throw Binder.error("column reference \"\(name)\" is ambiguous; qualify it with a table name", pos)
        }
        if let outer, let i = resolve(qualifier, name, outer) { return .outer(depth: 1, index: i) }
        if let q, !scope.contains(where: { $0.qualifier?.lowercased() == q }) {
            let tables = Array(Set(scope.compactMap(\.qualifier))).sorted()
            throw Binder.error(
                "table \"\(qualifier!)\" not found in FROM clause; tables: \(tables.joined(separator: ", "))", pos)
        }
        let display = qualifier.map { "\($0).\(name)" } ?? name
        var msg = "column \"\(display)\" not found"
        if let s = closest(name, scope.map(\.name)) { msg += "; did you mean \"\(s)\"?" }
        msg += " (columns: " + scope.map(\.name).joined(separator: ", ") + ")"
        throw Binder.error(msg, pos)
    }

    /// The candidate with the smallest edit distance to `name` (case-insensitive), if close enough.
    func closest(_ name: String, _ candidates: [String]) -> String? {
        let a = Array(name.lowercased().utf8)
        var best: (String, Int)? = nil
        for c in candidates {
            let b = Array(c.lowercased().utf8)
            var prev = Array(0...b.count)
            for i in 1...max(a.count, 1) where a.count > 0 {
                var cur = [i] + [Int](repeating: 0, count: b.count)
                for j in stride(from: 1, through: b.count, by: 1) {
                    cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                prev = cur
            }
            var d = a.isEmpty ? b.count : prev[b.count]
            // A name typed with letters left out ("wach_time" for "watch_live_time") is close too:
            // every letter of it appears in order in the candidate, which is at most twice as long.
            if d > max(2, a.count / 2), a.count >= 4, 2 * a.count >= b.count, Self.isSubsequence(a, of: b) {
                d = max(2, a.count / 2)
            }
            if best == nil || d < best!.1 { best = (c, d) }
        }
        if let best, best.1 <= max(2, a.count / 2) { return best.0 }
        return nil
    }

    /// True when the bytes of `a` appear in `b` in order (not necessarily adjacent).
    static func isSubsequence(_ a: [UInt8], of b: [UInt8]) -> Bool {
        var i = 0
        for x in b where i < a.count && a[i] == x { i += 1 }
        return i == a.count
    }
}
