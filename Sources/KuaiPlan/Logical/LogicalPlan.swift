import KuaiCore
import KuaiExec

/// The logical plan: relational operators over bound expressions.
///
/// Every expression refers to the output columns of the node's (first) child by 0-based index.
/// The binder builds this tree; the `Optimizer`'s rules rewrite it (Optimizer/, one rule a file);
/// `PhysicalPlanner` turns it into operators. `lines()` prints it (LogicalPlanText.swift).
indirect enum LogicalPlan {
    /// Table columns `columns` (table indexes) read, with pushed conjuncts over them; the output is
    /// `output` (positions in `columns`, in order) when set, else every column read: a column read only
    /// by the conjuncts is then never gathered to the selected rows (late materialisation).
    case scan(table: TableSource, columns: [Int], conjuncts: [BoundExpr], output: [Int]? = nil)
    case filter(LogicalPlan, BoundExpr)
    case project(LogicalPlan, [BoundExpr], names: [String])
    /// Keys are input columns `groupColumns`; output = keys then aggregates.
    case aggregate(LogicalPlan, groupColumns: [Int], groupNames: [String], aggregates: [AggregateSpec])
    case sort(LogicalPlan, [SortKey])
    case limit(LogicalPlan, limit: Int?, offset: Int)
    /// Distinct rows over all columns.
    case distinct(LogicalPlan)
    /// Rows computed already (subquery results, SELECT without FROM = one row of no columns).
    case values(schema: Schema, batches: [Batch], label: String)
    /// Output = left ++ right columns (left only for semi/anti). `residual` is over left ++ right.
    case join(LogicalPlan, LogicalPlan, type: JoinType, leftKeys: [Int], rightKeys: [Int], residual: BoundExpr?)
    /// Output = child ++ one column per function.
    case window(LogicalPlan, partitionBy: [Int], orderBy: [SortKey], functions: [WindowFunction], names: [String])
    /// UNION ALL of inputs with equal column types (names of the first).
    case union([LogicalPlan])
    /// EXCEPT / INTERSECT [ALL].
    case setOp(SetOperationOperator.Kind, all: Bool, LogicalPlan, LogicalPlan)
    /// A CTE referenced more than once: computed once per query (by `id`), then read by every reference.
    case shared(id: Int, LogicalPlan)
    /// `unnest(list)` in a select list: each input row becomes as many rows as its longest list among
    /// `columns` (LIST columns of the input, NULL counting as empty); those columns give their
    /// elements (NULL past a shorter list's end), the other columns repeat (DuckDB semantics).
    case unnest(LogicalPlan, columns: [Int])
    /// `ASOF [LEFT] JOIN` (KuaiExec's `AsofJoinOperator`): each input ends with its `keys` equality
    /// key columns and then its order column; each left row joins the right row of equal keys whose
    /// order value is nearest under `left op right`; `keepUnmatched` for LEFT. Output: left, then right.
    case asofJoin(LogicalPlan, LogicalPlan, keys: Int, op: CompareOp, keepUnmatched: Bool)
    /// `USING SAMPLE` / `TABLESAMPLE`: some of the input's rows (KuaiExec's `SampleSpec`). No filter,
    /// limit or join key filter moves below it: it samples the rows as they come out of its input.
    case sample(LogicalPlan, SampleSpec)

    var schema: Schema {
        switch self {
        case .scan(let t, let cols, _, let output): return (output ?? Array(cols.indices)).map { t.schema[cols[$0]] }
        case .filter(let c, _): return c.schema
        case .project(_, let exprs, let names): return zip(exprs, names).map { Field($1, $0.type) }
        case .aggregate(let c, let g, let names, let aggs):
            let s = c.schema
            return zip(g, names).map { Field($1, s[$0].type) } + aggs.map { Field($0.name, $0.function.returnType) }
        case .sort(let c, _), .limit(let c, _, _), .distinct(let c), .sample(let c, _): return c.schema
        case .values(let s, _, _): return s
        case .join(let l, let r, let type, _, _, _):
            return (type == .semi || type == .anti) ? l.schema : l.schema + r.schema
        case .window(let c, _, _, let fs, let names):
            let s = c.schema
            return s
                + zip(fs, names).map { f, n in
                    Field(n, f.resultType(argumentType: f.argument.map { s[$0].type }))
                }
        case .union(let cs): return cs[0].schema
        case .setOp(_, _, let l, _): return l.schema
        case .shared(_, let p): return p.schema
        case .unnest(let c, let cols):
            return c.schema.enumerated().map { i, f in
                cols.contains(i) ? Field(f.name, f.type.listElement ?? .null) : f
            }
        case .asofJoin(let l, let r, _, _, _): return l.schema + r.schema
        }
    }

    /// A rough row count for choosing join build sides.
    var estimatedRows: Int {
        switch self {
        case .scan(let t, _, let conj, _):
            // a CSV file is not read for an estimate
            let rows = (t as? CSVFileTable)?.estimatedRows ?? t.rowCount
            return conj.isEmpty ? rows : max(1, rows / 4)
        case .filter(let c, _): return max(1, c.estimatedRows / 2)
        case .project(let c, _, _), .sort(let c, _), .distinct(let c), .window(let c, _, _, _, _):
            return c.estimatedRows
        case .aggregate(let c, let g, _, _): return g.isEmpty ? 1 : max(1, c.estimatedRows / 2)
        case .limit(let c, let l, _): return min(c.estimatedRows, l ?? Int.max)
        case .values(_, let b, _): return b.reduce(0) { $0 + $1.count }
        case .join(let l, let r, let type, _, _, _):
            switch type {
            case .left: return l.estimatedRows
            case .semi, .anti: return max(1, l.estimatedRows / 2)  // a filter of the left input
            default: return max(l.estimatedRows, r.estimatedRows)
            }
        case .union(let cs): return cs.reduce(0) { $0 + $1.estimatedRows }
        case .setOp(_, _, let l, _): return l.estimatedRows
        case .shared(_, let p): return p.estimatedRows
        case .unnest(let c, _): return c.estimatedRows * 4
        case .sample(let c, let spec):
            let rows = c.estimatedRows
            return spec.isPercentage ? max(1, Int(Double(rows) * spec.size / 100)) : min(rows, Int(spec.size))
        case .asofJoin(let l, _, _, _, _): return l.estimatedRows
        }
    }
}

extension LogicalPlan {
    /// The inputs of the node. A `shared` CTE plan is optimized and planned on its own (it is computed
    /// once however often it is read), so it counts as no input here.
    var children: [LogicalPlan] {
        switch self {
        case .scan, .values, .shared: return []
        case .filter(let c, _), .project(let c, _, _), .aggregate(let c, _, _, _), .sort(let c, _),
            .limit(let c, _, _), .distinct(let c), .window(let c, _, _, _, _), .unnest(let c, _), .sample(let c, _):
            return [c]
        case .join(let l, let r, _, _, _, _), .setOp(_, _, let l, let r), .asofJoin(let l, let r, _, _, _):
            return [l, r]
        case .union(let cs): return cs
        }
    }

    /// The same node over new inputs (`kids` in the order of `children`).
    func withChildren(_ kids: [LogicalPlan]) -> LogicalPlan {
        switch self {
        case .scan, .values, .shared: return self
        case .filter(_, let p): return .filter(kids[0], p)
        case .project(_, let e, let n): return .project(kids[0], e, names: n)
        case .aggregate(_, let g, let gn, let a):
            return .aggregate(kids[0], groupColumns: g, groupNames: gn, aggregates: a)
        case .sort(_, let k): return .sort(kids[0], k)
        case .limit(_, let l, let o): return .limit(kids[0], limit: l, offset: o)
        case .distinct: return .distinct(kids[0])
        case .window(_, let p, let o, let f, let n):
            return .window(kids[0], partitionBy: p, orderBy: o, functions: f, names: n)
        case .join(_, _, let t, let lk, let rk, let r):
            return .join(kids[0], kids[1], type: t, leftKeys: lk, rightKeys: rk, residual: r)
        case .setOp(let k, let a, _, _): return .setOp(k, all: a, kids[0], kids[1])
        case .union: return .union(kids)
        case .unnest(_, let cols): return .unnest(kids[0], columns: cols)
        case .sample(_, let spec): return .sample(kids[0], spec)
        case .asofJoin(_, _, let k, let op, let keep):
            return .asofJoin(kids[0], kids[1], keys: k, op: op, keepUnmatched: keep)
        }
    }

    /// The node with each of its own expressions replaced by `f(expression)` (inputs unchanged).
    func mapExpressions(_ f: (BoundExpr) -> BoundExpr) -> LogicalPlan {
        switch self {
        case .scan(let t, let c, let conj, let o): return .scan(table: t, columns: c, conjuncts: conj.map(f), output: o)
        case .filter(let c, let p): return .filter(c, f(p))
        case .project(let c, let e, let n): return .project(c, e.map(f), names: n)
        case .join(let l, let r, let t, let lk, let rk, let res):
            return .join(l, r, type: t, leftKeys: lk, rightKeys: rk, residual: res.map(f))
        default: return self
        }
    }

    /// The plan with `f` applied to every node, inputs first (shared CTE plans excepted, see `children`).
    func transformedUp(_ f: (LogicalPlan) -> LogicalPlan) -> LogicalPlan {
        let kids = children
        let node = kids.isEmpty ? self : withChildren(kids.map { $0.transformedUp(f) })
        return f(node)
    }

    /// The plan with every expression of every node replaced by `f(expression)`.
    func mapAllExpressions(_ f: (BoundExpr) -> BoundExpr) -> LogicalPlan {
        transformedUp { $0.mapExpressions(f) }
    }
}
