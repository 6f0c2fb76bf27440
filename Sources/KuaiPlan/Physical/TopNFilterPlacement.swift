import KuaiCore
import KuaiExec

/// Where a top-N's filter on its first sort key (`TopNFilter`) goes: as the last conjunct of the
/// scan its input reads, when that input is the scan itself or a projection of it. The filter
/// then tests the first key's expression rewritten over the scan's columns, so that rows which
/// cannot enter the result are dropped before the scan decodes the other columns and before the
/// projection computes the rest of the row. Being last, the conjunct sees only the rows the
/// query's own conjuncts kept, the rows the projection would compute the key for anyway.
enum TopNFilterPlacement {
    /// `input` (the top-N's input) with a filter for the first sort key `key` in its scan, and
    /// the filter; nil when the input has another shape, or the key cannot be bounded (VARCHAR,
    /// HUGEINT, ...) or is not deterministic.
    static func attach(_ input: LogicalPlan, key: SortKey) -> (LogicalPlan, TopNFilter)? {
        switch input {
        case .scan(let t, let cols, let conj, let output):
            let c = output?[key.column] ?? key.column
            let e = BoundExpr.column(c, type: t.schema[cols[c]].type, name: t.schema[cols[c]].name)
            guard let (test, filter) = predicate(e, key) else { return nil }
            return (.scan(table: t, columns: cols, conjuncts: conj + [test], output: output), filter)
        case .project(.scan(let t, let cols, let conj, let output), let exprs, let names):
            let e = exprs[key.column].remapColumns { output?[$0] ?? $0 }
            guard let (test, filter) = predicate(e, key) else { return nil }
            return (
                .project(.scan(table: t, columns: cols, conjuncts: conj + [test], output: output), exprs, names: names),
                filter
            )
        default:
            return nil
        }
    }

    /// `topn_filter(e)` and its filter, when `e` can be bounded.
    private static func predicate(_ e: BoundExpr, _ key: SortKey) -> (BoundExpr, TopNFilter)? {
        let plain = !e.contains {
            switch $0.kind {
            case .function(let f, _): return !f.deterministic
            case .outerColumn, .windowCall, .subquery, .inSubquery: return true
            default: return false
            }
        }
        guard TopNFilter.supports(e.type), plain else { return nil }
        let filter = TopNFilter(key: key)
        let test = BoundExpr(
            .function(filter.function(keyType: e.type), [e]), type: .boolean, name: "topn_filter(\(e.name))")
        return (test, filter)
    }
}
