import KuaiCore
import KuaiExec

/// A join key filter on its way down the input it filters: `column` is the column of the current
/// node's output that it tests; `belowBreaker` is set once it has passed an operator that reads
/// all its input before it emits (aggregate, DISTINCT, sort, window).
struct PendingKeyFilter {
    let filter: JoinKeyFilter
    var column: Int
    var belowBreaker = false
    /// The filter of a join probed in a pipeline from a scan with conjuncts of its own: placed as
    /// that scan's first conjunct even without a breaker, so that the other conjuncts (and the
    /// gathers of the columns they read) run only on the rows whose key can match.
    var beforeScanConjuncts = false
}

/// Where a hash join's key filters (`JoinKeyFilter`) go in the input they filter.
///
/// A filter drops rows whose key cannot match the join. That is right at any point of the input
/// from which only operators that keep a row or drop it by its key lead up to the join: filters,
/// projections that pass the key column through, aggregates and DISTINCT that group by it (a
/// group is kept or dropped whole), sorts, windows partitioned by it (a partition is kept or
/// dropped whole), and UNION ALL (`goesThrough`). A filter goes down through those as far as it
/// can and is placed where it stops: as a conjunct of the table scan it reaches, or as a filter
/// over the output of the node that stops it (a projection computing the key, a LIMIT, a join, a
/// set operation, VALUES rows, a shared CTE's result).
///
/// It is placed only if it passed an operator that reads all its input before it emits
/// (aggregate, DISTINCT, sort, window): in a pipeline without one, the join's own probe drops the
/// same rows as cheaply (`KeyBitFilter`). Placed filters are marked, so that the join publishes
/// only those (`HashJoinOperator.leftKeyFilters`).
enum KeyFilterPlacement {
    /// The filters of a join input (`keys` of `plan`, matched by `otherKeys` of the other input's
    /// `otherSchema`), one per key whose type on both sides can carry a filter; nil entries for the
    /// others.
    static func filters(keys: [Int], of schema: Schema, otherKeys: [Int], otherSchema: Schema) -> [JoinKeyFilter?] {
        zip(keys, otherKeys).map { k, o in
            let t = schema[k].type
            return t == otherSchema[o].type && JoinKeyFilter.supports(t) ? JoinKeyFilter(keyType: t) : nil
        }
    }

    /// `filters` as pending filters on `keys`.
    static func pending(_ filters: [JoinKeyFilter?], keys: [Int]) -> [PendingKeyFilter] {
        zip(filters, keys).compactMap { f, k in f.map { PendingKeyFilter(filter: $0, column: k) } }
    }

    /// `filters` as pending filters of a pipelined probe input, placed only before a scan's own
    /// conjuncts (`PendingKeyFilter.beforeScanConjuncts`) or below a breaker.
    static func pipelined(_ filters: [JoinKeyFilter?], keys: [Int]) -> [PendingKeyFilter] {
        zip(filters, keys).compactMap { f, k in
            f.map { PendingKeyFilter(filter: $0, column: k, beforeScanConjuncts: true) }
        }
    }

    /// `filters` with only the placed ones kept (`JoinKeyFilter.isPlaced`).
    static func placed(_ filters: [JoinKeyFilter?]) -> [JoinKeyFilter?] {
        filters.map { $0?.isPlaced == true ? $0 : nil }
    }

    /// The conjuncts of a scan of `columns` of `table` (output positions `output`) for the filters
    /// that passed a breaker; each is marked placed.
    static func scanConjuncts(_ filters: [PendingKeyFilter], table: TableSource, columns: [Int], output: [Int]?)
        -> [ScalarExpr]
    {
        tests(filters) {
            output?[$0] ?? $0
        } name: {
            table.schema[columns[$0]].name
        }
    }

    /// The conjuncts to test before a scan's own `conjuncts` (none when it has none): the filters
    /// of a pipelined probe (`beforeScanConjuncts`) that did not pass a breaker; each is marked placed.
    static func leadingScanConjuncts(
        _ filters: [PendingKeyFilter], table: TableSource, columns: [Int], output: [Int]?, conjuncts: Int
    ) -> [ScalarExpr] {
        guard conjuncts > 0 else { return [] }
        let pipelined = filters.filter { $0.beforeScanConjuncts && !$0.belowBreaker }
            .map { PendingKeyFilter(filter: $0.filter, column: $0.column, belowBreaker: true) }
        return scanConjuncts(pipelined, table: table, columns: columns, output: output)
    }

    /// The predicates of the filters of `filters` that passed a breaker, each on the input column
    /// `column(f.column)` named `name` of it; each is marked placed.
    private static func tests(
        _ filters: [PendingKeyFilter], column: (Int) -> Int = { $0 }, name: (Int) -> String
    ) -> [ScalarExpr] {
        filters.filter(\.belowBreaker).map { f in
            let c = column(f.column)
            f.filter.isPlaced = true
            return f.filter.predicate(column: c, columnName: name(c))
        }
    }

    /// Whether `f`, a filter on a column of the output of `p`, goes down into `p`'s inputs (or,
    /// for a scan, into its conjuncts); else it is placed over `p`'s output.
    static func goesThrough(_ p: LogicalPlan, _ f: PendingKeyFilter) -> Bool {
        switch p {
        case .scan, .filter, .sort, .union, .distinct: return true
        case .project(_, let exprs, _): return exprs[f.column].columnIndex != nil
        case .aggregate(_, let groups, _, _): return f.column < groups.count
        case .window(_, let partitionBy, _, _, _): return partitionBy.contains(f.column)
        // (a sample samples every row of its input: a key filter below it would change which)
        case .values, .join, .limit, .setOp, .shared, .unnest, .asofJoin, .sample: return false
        }
    }

    /// `node` under a filter of the filters of `filters` that passed a breaker; each is marked
    /// placed. `node` itself when there is none.
    static func filtered(_ node: PhysicalNode, _ filters: [PendingKeyFilter]) -> PhysicalNode {
        let schema: Schema
        switch node.form {
        case .morsel(let m): schema = m.schema
        case .pull(let o): schema = o.schema
        }
        let tests = tests(filters) { schema[$0].name }
        guard !tests.isEmpty else { return node }
        let predicate =
            tests.count == 1
            ? tests[0] : ScalarExpr(.and(tests), type: .boolean, name: tests.map(\.name).joined(separator: " AND "))
        switch node.form {
        case .morsel(let m): return PhysicalNode(.morsel(FilterSource(child: m, predicate: predicate)), inputs: [node])
        case .pull(let o): return PhysicalNode(.pull(FilterOperator(child: o, predicate: predicate)), inputs: [node])
        }
    }

    /// Through a projection: filters on a column the projection copies from its input.
    static func throughProject(_ filters: [PendingKeyFilter], _ exprs: [BoundExpr]) -> [PendingKeyFilter] {
        filters.compactMap { f in
            exprs[f.column].columnIndex.map {
                PendingKeyFilter(
                    filter: f.filter, column: $0, belowBreaker: f.belowBreaker,
                    beforeScanConjuncts: f.beforeScanConjuncts)
            }
        }
    }

    /// Through an aggregate (or DISTINCT) with input key columns `groups`: filters on a key.
    static func throughAggregate(_ filters: [PendingKeyFilter], _ groups: [Int]) -> [PendingKeyFilter] {
        filters.map { PendingKeyFilter(filter: $0.filter, column: groups[$0.column], belowBreaker: true) }
    }

    /// Through a sort or a window (on a partition column): the same columns, below a breaker.
    static func throughBreaker(_ filters: [PendingKeyFilter]) -> [PendingKeyFilter] {
        filters.map { PendingKeyFilter(filter: $0.filter, column: $0.column, belowBreaker: true) }
    }
}
