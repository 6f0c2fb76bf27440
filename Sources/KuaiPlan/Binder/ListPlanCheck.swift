import KuaiCore
import KuaiExec

/// Where a bound plan may hold LIST values. kuai keeps lists as values that are built, passed on,
/// taken apart and printed; a list as a key (GROUP BY, DISTINCT, ORDER BY, joins, INTERSECT /
/// EXCEPT, window partitions), an ordering comparison, IN, CASE / COALESCE results or the argument
/// of an aggregate other than count is refused with a binding error (never a wrong answer).
/// `=`, `<>` and IS [NOT] DISTINCT FROM between lists compare their text (DuckDB's CAST to
/// VARCHAR, one text per list value of a type, so equal texts are equal lists; NULL elements
/// compare equal, as DuckDB's list equality).
enum ListPlanCheck {
    /// The list functions whose arguments or results may be lists (ListBinder.swift).
    static let listFunctions: Set<String> = [
        "list_value", "len", "array_extract", "array_slice", "list_contains", "list_position", "string_split",
        "list_sort", "list_reverse_sort", "array_to_string",
    ]

    /// `plan` with list equality rewritten to text equality, shared CTE plans and subquery plans
    /// included (as `Optimizer.optimize` walks them).
    /// - Throws: `KuaiError.binding` for a use of a list kuai does not support.
    static func checked(_ plan: LogicalPlan) throws -> LogicalPlan {
        var failure: KuaiError?
        func note(_ error: Error) { if failure == nil { failure = error as? KuaiError } }
        let out = plan.transformedUp { node in
            if case .shared(let id, let p) = node {
                do { return .shared(id: id, try checked(p)) } catch {
                    note(error)
                    return node
                }
            }
            if failure == nil { failure = nodeFailure(node) }
            return node.mapExpressions { e in
                do { return try e.transformed(rewrittenWithSubqueries) } catch {
                    note(error)
                    return e
                }
            }
        }
        if let failure { throw failure }
        return out
    }

    /// `rewritten`, after checking the plan of a subquery node.
    static func rewrittenWithSubqueries(_ x: BoundExpr) throws -> BoundExpr {
        switch x.kind {
        case .subquery(var q):
            q.plan = try checked(q.plan)
            return BoundExpr(.subquery(q), type: x.type, name: x.name)
        case .inSubquery(let a, var q, let negated):
            if a.type.isList { throw unsupported("IN") }
            q.plan = try checked(q.plan)
            return BoundExpr(.inSubquery(a, q, negated: negated), type: x.type, name: x.name)
        default:
            return try rewritten(x)
        }
    }

    static func unsupported(_ what: String) -> KuaiError {
        KuaiError(.binding, "\(what) is not supported for LIST values")
    }

    /// The error of a node that would use a list as a key.
    static func nodeFailure(_ node: LogicalPlan) -> KuaiError? {
        func anyList(_ schema: Schema, _ columns: [Int]) -> Bool { columns.contains { schema[$0].type.isList } }
        switch node {
        case .aggregate(let c, let groups, _, let aggs):
            if anyList(c.schema, groups) { return unsupported("GROUP BY") }
            for a in aggs where a.function.argumentType?.isList == true {
                let name = a.function.name
                if a.distinct || !(name == "count" || name == "list" || name == "array_agg") {
                    return unsupported("\(name)()")
                }
            }
            for a in aggs where a.orderColumns.contains(where: { c.schema[$0].type.isList }) {
                return unsupported("ORDER BY in an aggregate")
            }
        case .distinct(let c):
            if c.schema.contains(where: { $0.type.isList }) { return unsupported("DISTINCT") }
        case .sort(let c, let keys):
            if anyList(c.schema, keys.map(\.column)) { return unsupported("ORDER BY") }
        case .join(let l, let r, _, let lk, let rk, _):
            if anyList(l.schema, lk) || anyList(r.schema, rk) { return unsupported("a join key") }
        case .setOp(_, _, let l, _):
            if l.schema.contains(where: { $0.type.isList }) { return unsupported("INTERSECT / EXCEPT") }
        case .window(let c, let p, let o, let fs, _):
            if anyList(c.schema, p + o.map(\.column)) { return unsupported("a window's PARTITION BY / ORDER BY") }
            if anyList(c.schema, fs.compactMap(\.argument)) { return unsupported("a window function") }
        default: break
        }
        return nil
    }

    /// One expression node: list equality as text equality; an error for the unsupported forms.
    static func rewritten(_ e: BoundExpr) throws -> BoundExpr {
        let listChild = e.children.contains { $0.type.isList }
        switch e.kind {
        case .compare(let op, let a, let b) where a.type.isList || b.type.isList:
            guard op == .equal || op == .notEqual else { throw unsupported("comparison \(op.rawValue)") }
            return BoundExpr(.compare(op, text(a), text(b)), type: e.type, name: e.name)
        case .isDistinctFrom(let a, let b, let negated) where a.type.isList || b.type.isList:
            return BoundExpr(.isDistinctFrom(text(a), text(b), negated: negated), type: e.type, name: e.name)
        case .function(let f, _) where (listChild || e.type.isList) && !listFunctions.contains(f.name):
            throw unsupported("\(f.name)()")
        case .function(let f, let args) where ["concat_op", "concat", "concat_ws"].contains(f.name):
            // `l || x` and concat of a list: DuckDB concatenates lists (or refuses a list beside text);
            // kuai does not, so the list must not silently become its text here
            for a in args {
                // the binder's implicit cast keeps the operand's name; an explicit CAST is named for itself
                if case .cast(let x, _) = a.kind, x.type.isList, a.name == x.name { throw unsupported("|| / concat") }
            }
            return e
        case .inList where listChild: throw unsupported("IN")
        case .caseWhen where e.type.isList: throw unsupported("CASE")
        case .arithmetic where listChild, .negate where listChild, .like where listChild:
            throw unsupported("\(e.name)")
        default: return e
        }
    }

    /// A list as its text (a NULL-typed operand stays NULL).
    static func text(_ x: BoundExpr) -> BoundExpr {
        if x.type == .varchar { return x }
        if x.type == .null { return BoundExpr.constant(.null, type: .varchar, name: x.name) }
        return BoundExpr(.cast(x, isTry: false), type: .varchar, name: x.name)
    }
}
