import KuaiCore
import KuaiExec

/// A planned subtree: a morsel source (still parallel per block) or a pull operator.
enum Planned {
    case morsel(MorselSource)
    case pull(PhysicalOperator)
}

/// Turns an optimized `LogicalPlan` into physical operators.
///
/// Scans, filters and projections stay morsel sources as long as possible, so that the whole
/// chain scan -> filter -> project -> partial aggregate runs per block on every thread; the first
/// operator that needs all rows (sort, limit, distinct, the final merge) pulls them.
struct PhysicalPlanner {
    let threads: Int

    func plan(_ p: LogicalPlan) -> Planned {
        switch p {
        case .scan(let t, let cols, let conj):
            return .morsel(TableScan(table: t, columns: cols, conjuncts: conj))
        case .values(let schema, let batches, let label):
            return .morsel(BatchListSource(schema: schema, batches: batches, label: label))
        case .filter(let c, let pred):
            switch plan(c) {
            case .morsel(let m): return .morsel(FilterSource(child: m, predicate: pred))
            case .pull(let o): return .pull(FilterOperator(child: o, predicate: pred))
            }
        case .project(let c, let exprs, let names):
            switch plan(c) {
            case .morsel(let m): return .morsel(ProjectSource(child: m, expressions: exprs, names: names))
            case .pull(let o): return .pull(ProjectOperator(child: o, expressions: exprs, names: names))
            }
        case .aggregate(let c, let groups, let names, let aggs):
            let input: AggregateInput
            switch plan(c) {
            case .morsel(let m): input = .morsels(m)
            case .pull(let o): input = .pull(o)
            }
            return .pull(HashAggregateOperator(input: input, groupColumns: groups, groupNames: names, aggregates: aggs, threads: threads))
        case .distinct(let c):
            let input: AggregateInput
            switch plan(c) {
            case .morsel(let m): input = .morsels(m)
            case .pull(let o): input = .pull(o)
            }
            let s = c.schema
            return .pull(HashAggregateOperator(input: input, groupColumns: Array(0..<s.count), groupNames: s.map(\.name),
                                               aggregates: [], threads: threads))
        case .sort(let c, let keys):
            return .pull(SortOperator(child: pull(plan(c)), keys: keys))
        case .limit(let c, let limit, let offset):
            if case .sort(let sc, let keys) = c {
                return .pull(SortOperator(child: pull(plan(sc)), keys: keys, limit: limit, offset: offset))
            }
            return .pull(LimitOperator(child: pull(plan(c)), limit: limit, offset: offset))
        }
    }

    func pull(_ p: Planned) -> PhysicalOperator {
        switch p {
        case .morsel(let m): return MorselDriver(source: m, threads: threads)
        case .pull(let o): return o
        }
    }
}

/// EXPLAIN text: one operator per line, children indented by two spaces.
enum Explain {
    static func lines(_ op: PhysicalOperator, indent: String = "") -> [String] {
        var out = [indent + op.explainLine]
        if let d = op as? MorselDriver {
            out = [indent + d.source.explainLine] + d.source.explainChildren.map { indent + "  " + $0 }
            return out
        }
        if let a = op as? HashAggregateOperator, case .morsels(let m) = a.input {
            out.append(indent + "  " + m.explainLine)
            out.append(contentsOf: m.explainChildren.map { indent + "    " + $0 })
        }
        for c in op.children { out.append(contentsOf: lines(c, indent: indent + "  ")) }
        return out
    }
}
