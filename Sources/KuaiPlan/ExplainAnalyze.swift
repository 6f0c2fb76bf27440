import KuaiCore
import KuaiExec
import KuaiSQL

#if canImport(Glibc)
    import Glibc
#endif

/// Wraps each operator the physical planner makes in a measured one (`ProfiledOperator`,
/// `ProfiledSource` of KuaiExec) and records the tree of their `ProfileNode`s: the planner calls
/// `open()` before planning a logical node (its children register in the open level) and `close`
/// after.
final class ProfileBuilder {
    struct Entry {
        let node: ProfileNode
        let source: ProfiledSource?
        let op: ProfiledOperator?
    }
    private var levels: [[Entry]] = [[]]

    /// The top operators planned (the query's root, then any planned outside it).
    var roots: [ProfileNode] { levels[0].map(\.node) }

    func open() { levels.append([]) }

    /// `planned` with its operator replaced by a measured one, registered as a child of the open level
    /// (its own planned inputs become the measured node's children).
    func close(_ planned: PhysicalNode) -> PhysicalNode {
        let children = levels.removeLast()
        // a node that plans to its child unchanged (a pass-through projection) is not an operator
        if let only = children.first, children.count == 1, only.source === planned.object || only.op === planned.object
        {
            levels[levels.count - 1].append(only)
            return planned
        }
        let node = ProfileNode(line: planned.line, children: children.map(\.node))
        for c in children { c.source?.consumer = node }
        let inputs = planned.inputs.map(\.node)
        let labels = planned.inputs.map(\.label)
        switch planned.form {
        case .morsel(let m):
            let s = ProfiledSource(m, node: node)
            levels[levels.count - 1].append(Entry(node: node, source: s, op: nil))
            return PhysicalNode(.morsel(s), inputs: inputs, labels: labels)
        case .pull(let o):
            let p = ProfiledOperator(o, node: node)
            levels[levels.count - 1].append(Entry(node: node, source: nil, op: p))
            return PhysicalNode(.pull(p), inputs: inputs, labels: labels)
        }
    }
}

extension PhysicalNode {
    /// The node's operator object (to recognise a node planned to its input unchanged).
    var object: AnyObject {
        switch form {
        case .morsel(let m): return m
        case .pull(let o): return o
        }
    }
}

extension QueryEngine {
    /// EXPLAIN ANALYZE: runs `query` to the end (its rows are counted, not returned) with every
    /// operator measured, and returns the plan as EXPLAIN prints it with, per operator, the rows it
    /// produced, its own time (summed over threads) and the peak memory while it ran (resident
    /// memory above the start of the query), under a line with the total time, rows and peak.
    /// - Throws: as executing the query.
    func explainAnalyze(_ query: Query) throws -> QueryResult {
        let shared = SharedResults()
        let (plan, _) = try bind(query, shared)
        let profile = ProfileBuilder()
        var planner = PhysicalPlanner(threads: threads, shared: shared)
        planner.profile = profile
        ProfileClock.baseline = MemoryGuard.residentBytes()
        let start = ProfileClock.now()
        let op = planner.pull(planner.plan(try resolvingSubqueries(plan, shared))).pulled
        var rows = 0
        while let b = try op.next() {
            try MemoryGuard.check()
            rows += b.count
        }
        let seconds = Double(ProfileClock.now() - start) / 1e9
        let peak = max(0, MemoryGuard.residentBytes() - ProfileClock.baseline)
        var lines = ExplainAnalyzeText.lines(profile.roots)
        lines.insert(
            "Total Time: \(ExplainAnalyzeText.seconds(seconds)), rows: \(rows), peak memory: "
                + MemoryGuard.binaryUnits(max(peak, profile.roots.map(ExplainAnalyzeText.peak).max() ?? 0)),
            at: 0)
        return QueryResult(fields: [Field("explain", .varchar)], batches: [Batch(columns: [Column(strings: lines)])])
    }
}

/// The text of EXPLAIN ANALYZE: EXPLAIN's tree (two spaces per level; a join's build side
/// marked `build:`) on the left, then right-aligned columns `rows`, `time` (seconds, 4 decimals,
/// 10 characters) and `memory` (10 characters).
enum ExplainAnalyzeText {
    static func lines(_ roots: [ProfileNode]) -> [String] {
        var rows: [(label: String, node: ProfileNode)] = []
        func walk(_ n: ProfileNode, _ indent: String, _ prefix: String) {
            rows.append((indent + prefix + n.line, n))
            let isJoin = n.line.hasPrefix("HashJoin") && n.children.count == 2
            for (i, c) in n.children.enumerated() { walk(c, indent + "  ", isJoin && i == 1 ? "build: " : "") }
        }
        for r in roots { walk(r, "", "") }
        let labelWidth = max(8, rows.map(\.label.count).max() ?? 0)
        let rowWidth = max(4, rows.map { String($0.node.rows).count }.max() ?? 0)
        func line(_ label: String, _ r: String, _ t: String, _ m: String) -> String {
            label + String(repeating: " ", count: labelWidth - label.count) + "  " + pad(r, rowWidth) + "  "
                + pad(t, 10) + "  " + pad(m, 10)
        }
        var out = [line("operator", "rows", "time", "memory")]
        for (label, n) in rows {
            out.append(
                line(
                    label, String(n.rows), seconds(Double(n.timeNanoseconds) / 1e9),
                    MemoryGuard.binaryUnits(max(0, n.peakBytes))))
        }
        return out
    }

    static func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }

    /// `0.0123s`.
    static func seconds(_ s: Double) -> String {
        let tenThousandths = Int((s * 10_000).rounded())
        let frac = String(tenThousandths % 10_000)
        return "\(tenThousandths / 10_000)." + String(repeating: "0", count: 4 - frac.count) + frac + "s"
    }

    /// The largest peak of a subtree.
    static func peak(_ n: ProfileNode) -> Int { max(n.peakBytes, n.children.map(peak).max() ?? 0) }
}
