import KuaiCore
import KuaiExec

// The logical plan as text, for plan tests (Tests/KuaiPlanTests) and debugging: one node a line,
// inputs indented by two spaces; a column reference prints as `name#index`, so a test sees which
// input column each expression reads. The plan of an uncorrelated subquery in a node's expressions
// follows the node's line under `Subquery #id (use)`, before the node's inputs.

extension LogicalPlan {
    /// The plan, one node a line (see the file comment).
    func lines(indent: String = "") -> [String] {
        var out = [indent + line]
        for q in expressions.flatMap(\.subqueries) {
            out.append(indent + "  Subquery #\(q.id) (\(q.use))")
            out += q.plan.lines(indent: indent + "    ")
        }
        var inputs = children
        if case .shared(_, let p) = self { inputs = [p] }
        for c in inputs { out += c.lines(indent: indent + "  ") }
        return out
    }

    /// The node's own line.
    var line: String {
        switch self {
        case .scan(let t, let cols, let conj, let output):
            var s = "Scan \(t.name) columns=[" + cols.map { t.schema[$0].name }.joined(separator: ", ") + "]"
            if !conj.isEmpty { s += " filters=[" + conj.map(\.planText).joined(separator: ", ") + "]" }
            if let output { s += " output=[" + output.map { t.schema[cols[$0]].name }.joined(separator: ", ") + "]" }
            return s
        case .filter(_, let p): return "Filter " + p.planText
        case .project(_, let exprs, let names):
            let items = zip(exprs, names).map { e, n in e.planText + (n == e.name ? "" : " AS \(n)") }
            return "Project [" + items.joined(separator: ", ") + "]"
        case .aggregate(_, let g, _, let aggs):
            return "Aggregate keys=[" + g.map { "#\($0)" }.joined(separator: ", ") + "] aggregates=["
                + aggs.map(\.planText).joined(separator: ", ") + "]"
        case .sort(_, let keys): return "Sort [" + keys.map(\.description).joined(separator: ", ") + "]"
        case .limit(_, let limit, let offset):
            return "Limit" + (limit.map { " \($0)" } ?? "") + (offset != 0 ? " offset \(offset)" : "")
        case .distinct: return "Distinct"
        case .values(let schema, let batches, let label):
            return "\(label) rows=\(batches.reduce(0) { $0 + $1.count }) [" + schema.map(\.name).joined(separator: ", ")
                + "]"
        case .join(_, _, let type, let lk, let rk, let res):
            var s = "Join \(type.sqlName)"
            if !lk.isEmpty { s += " keys=[" + zip(lk, rk).map { "#\($0)=#\($1)" }.joined(separator: ", ") + "]" }
            if let res { s += " residual=" + res.planText }
            return s
        case .window(_, let p, let o, let fs, _):
            return "Window partition=[" + p.map { "#\($0)" }.joined(separator: ", ") + "] order=["
                + o.map(\.description).joined(separator: ", ") + "] [" + fs.map(\.description).joined(separator: ", ")
                + "]"
        case .union: return "UnionAll"
        case .setOp(let k, let all, _, _): return k.rawValue + (all ? " ALL" : "")
        case .shared(let id, _): return "SharedCTE #\(id)"
        case .unnest(_, let cols): return "Unnest [" + cols.map { "#\($0)" }.joined(separator: ", ") + "]"
        case .sample(_, let spec): return "Sample \(spec)"
        case .asofJoin(_, _, let k, let op, let keep):
            return "AsofJoin \(keep ? "LEFT" : "INNER") keys=\(k) order=\(op.rawValue)"
        }
    }
}

extension AggregateSpec {
    /// `name([DISTINCT] #input) [FILTER #f] [ORDER BY #o, ...]`.
    var planText: String {
        var s = function.name + "(" + (distinct ? "DISTINCT " : "") + (inputColumn.map { "#\($0)" } ?? "") + ")"
        if let f = filterColumn { s += " FILTER #\(f)" }
        if !orderColumns.isEmpty { s += " ORDER BY " + orderColumns.map { "#\($0)" }.joined(separator: ", ") }
        return s
    }
}

extension BoundExpr {
    /// The expression with every column reference as `name#index` (outer columns as `outer1.name#index`).
    var planText: String {
        let c = children.map(\.planText)
        switch kind {
        case .column(let i): return "\(name)#\(i)"
        case .outerColumn(let d, let i): return "outer\(d).\(name)#\(i)"
        case .constant(let v): return ScalarExpr.literalText(v, type: type)
        case .windowCall(let k): return "window#\(k)"
        case .subquery(let q): return "subquery#\(q.id)(\(q.use))"
        case .inSubquery(_, let q, let n): return "(\(c[0]) \(n ? "NOT " : "")IN subquery#\(q.id))"
        case .arithmetic(let op, _, _): return "(\(c[0]) \(op.rawValue) \(c[1]))"
        case .compare(let op, _, _): return "(\(c[0]) \(op.rawValue) \(c[1]))"
        case .and: return "(" + c.joined(separator: " AND ") + ")"
        case .or: return "(" + c.joined(separator: " OR ") + ")"
        case .not: return "(NOT \(c[0]))"
        case .negate: return "(-\(c[0]))"
        case .isNull(_, let n): return "(\(c[0]) IS \(n ? "NOT " : "")NULL)"
        case .isDistinctFrom(_, _, let n): return "(\(c[0]) IS \(n ? "NOT " : "")DISTINCT FROM \(c[1]))"
        case .inList(_, _, let n):
            return "(\(c[0]) \(n ? "NOT " : "")IN (" + c.dropFirst().joined(separator: ", ") + "))"
        case .like(_, let p, let n, let ci, let e):
            let op = (n ? "NOT " : "") + (ci ? "ILIKE" : "LIKE")
            return "(\(c[0]) \(op) \(ScalarExpr.literalText(.string(p), type: .varchar))"
                + (e.map { " ESCAPE \(ScalarExpr.literalText(.string($0), type: .varchar))" } ?? "") + ")"
        case .caseWhen(let ws, let e):
            var s = "CASE"
            for k in ws.indices { s += " WHEN \(c[2 * k]) THEN \(c[2 * k + 1])" }
            if e != nil { s += " ELSE \(c[c.count - 1])" }
            return s + " END"
        case .cast(_, let isTry): return (isTry ? "TRY_CAST(" : "CAST(") + "\(c[0]) AS \(type))"
        case .function(let f, _): return f.name + "(" + c.joined(separator: ", ") + ")"
        }
    }
}
