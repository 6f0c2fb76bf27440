import KuaiCore
import KuaiExec

/// Eager aggregation (Yan and Larson, "Eager Aggregation and Lazy Aggregation", VLDB 1995): a GROUP
/// BY over an INNER join, or a LEFT join's preserved input, whose aggregates read one input only (the
/// fact input F: clicks) while its keys are the other input's columns (the dimension D: a user's age
/// and gender) is computed in two steps. F is first aggregated by its join keys (and the grouping keys
/// read from F); those partial rows are joined to D and aggregated again by the query's keys:
///
///     SELECT u.age, count(*), sum(c.watch) FROM click c JOIN user u USING (user_id) GROUP BY u.age
///     = SELECT u.age, CAST(sum(p.n) AS BIGINT), sum(p.w)
///       FROM (SELECT user_id, count(*) AS n, sum(watch) AS w FROM click GROUP BY user_id) p
///       JOIN user u USING (user_id) GROUP BY u.age
///
/// Each F row meets the same D rows as its partial row does (those with its join key), so every
/// aggregate that combines exactly from partial results gives the same answer: count(*) and count(x)
/// (summed), sum of integers and BOOLEAN (exact Int128 sums, summed again), avg of integers (a
/// partial sum and count: the total sum as DOUBLE over the total count, as DuckDB divides), min and
/// max (not of DOUBLE: -0.0 and 0.0 are equal, and which one shows would depend on the order), also
/// with FILTER. DOUBLE sums and averages (whose rounding depends on order), DISTINCT and ordered
/// aggregates keep the plan. F rows whose key is NULL, or which meet no D row, make partial rows that do the same. A grouping
/// with no keys keeps the plan too (over no rows it must still give count 0).
///
/// Only applied where it pays: F is a table scan (under filters and column projections) whose join
/// keys, and grouping keys read from F, span at most a quarter of its rows by the zone maps (integer
/// columns: `max - min + 1` each, multiplied), so the join and the second aggregation see a fraction
/// of the rows. F-side grouping keys must be columns, and arguments and FILTER conditions
/// expressions that cannot fail (`BoundExpr.cannotFail`): one that may is not moved below the join,
/// where it would also meet rows the join drops.
struct AggregateBelowJoin: OptimizerRule {
    var name: String { "AggregateBelowJoin" }

    /// The fewest F rows per distinct key value bound for the rewrite.
    static let minimumRowsPerKey = 4

    /// F's rows and a bound on the distinct values of its `columns` (`distinctBound` by default,
    /// from zone maps); nil when unknown, which keeps the plan.
    var keyBound: @Sendable (_ fact: LogicalPlan, _ columns: [Int]) -> (rows: Int, values: Int)? = {
        AggregateBelowJoin.distinctBound($0, columns: $1)
    }

    func apply(_ plan: LogicalPlan) -> LogicalPlan {
        plan.transformedUp { node in
            guard case .aggregate(let child, let groups, let groupNames, let aggs) = node, !groups.isEmpty else {
                return node
            }
            return Self.rewritten(child, groups, groupNames, aggs, keyBound: keyBound) ?? node
        }
    }

    /// Which join input an expression reads.
    enum Side { case left, right, neither, both }

    static func side(_ e: BoundExpr, leftWidth lw: Int) -> Side {
        let refs = e.referencedColumns
        if refs.isEmpty { return .neither }
        if refs.allSatisfy({ $0 < lw }) { return .left }
        if refs.allSatisfy({ $0 >= lw }) { return .right }
        return .both
    }

    /// How an aggregate is split: the partial aggregates of F's rows (the original aggregate's
    /// function, or sum and count for avg) and the functions that combine each partial column.
    struct Split {
        var partials: [AggregateFunction]
        var combiners: [AggregateFunction]
    }

    /// The split of `spec`, or nil when it does not combine exactly from partial results.
    static func split(_ spec: AggregateSpec) -> Split? {
        guard !spec.distinct, spec.orderColumns.isEmpty else { return nil }
        let f = spec.function
        guard let sumOfCounts = AggregateRegistry.resolve("sum", .bigint),
            let sumOfSums = AggregateRegistry.resolve("sum", .hugeint)
        else { return nil }
        switch f.name {
        case "count_star", "count":
            return Split(partials: [f], combiners: [sumOfCounts])
        case "sum":
            guard let t = f.argumentType, (t.isInteger && !t.mayBeWide) || t == .boolean, f.returnType == .hugeint
            else { return nil }
            return Split(partials: [f], combiners: [sumOfSums])
        case "avg":
            // DuckDB's avg of integers: the exact sum as DOUBLE over the count (`avgDivide`)
            guard let t = f.argumentType, t.isInteger, !t.mayBeWide, f.returnType == .double,
                let sum = AggregateRegistry.resolve("sum", t), let count = AggregateRegistry.resolve("count", t)
            else { return nil }
            return Split(partials: [sum, count], combiners: [sumOfSums, sumOfCounts])
        case "min", "max":
            // DOUBLE: -0.0 and 0.0 (equal) would depend on which partial comes first
            guard f.returnType != .double, let c = AggregateRegistry.resolve(f.name, f.returnType) else { return nil }
            return Split(partials: [f], combiners: [c])
        default:
            return nil
        }
    }

    /// The two-step plan of `aggregate(child, groups, aggs)`, or nil when the rule does not apply.
    static func rewritten(
        _ child: LogicalPlan, _ groups: [Int], _ groupNames: [String], _ aggs: [AggregateSpec],
        keyBound: (LogicalPlan, [Int]) -> (rows: Int, values: Int)?
    ) -> LogicalPlan? {
        guard let m = match(child, groups, aggs, keyBound: keyBound) else { return nil }
        let (combined, firstPartial) = twoSteps(m, groupNames, aggs)
        let original = LogicalPlan.aggregate(child, groupColumns: groups, groupNames: groupNames, aggregates: aggs)
            .schema
        return restoredOutput(combined, original: original, aggs: aggs, firstPartial: firstPartial)
    }

    /// A GROUP BY over a join that the rule takes: the join's inputs as the fact input F and the
    /// dimension D, and what the aggregate reads, over the join's output.
    struct Match {
        let type: JoinType
        let fact: LogicalPlan
        let dim: LogicalPlan
        let factIsLeft: Bool
        let lk: [Int]
        let rk: [Int]
        /// F's join keys (columns of F).
        let factKeys: [Int]
        /// Where F's and D's columns start in the join's output.
        let factOffset: Int
        let dimOffset: Int
        /// The aggregate's input columns as expressions over the join's output.
        let exprs: [BoundExpr]
        let groupExprs: [BoundExpr]
        /// The grouping keys read from F (indexes into `groupExprs`), and their columns of F.
        let factGroups: [Int]
        let factGroupColumns: [Int]
        let splits: [Split]
    }

    /// The `Match` of `aggregate(child, groups, aggs)`, or nil when the plan is not a GROUP BY over
    /// an INNER (or LEFT) join whose aggregates read one input with keys that take few values.
    static func match(
        _ child: LogicalPlan, _ groups: [Int], _ aggs: [AggregateSpec],
        keyBound: (LogicalPlan, [Int]) -> (rows: Int, values: Int)?
    ) -> Match? {
        // the join, and the expressions of the aggregate's input over its columns
        let join: LogicalPlan
        let exprs: [BoundExpr]
        switch child {
        case .join:
            join = child
            exprs = BoundExpr.columns(of: child.schema)
        case .project(let j, let es, _):
            guard case .join = j else { return nil }
            join = j
            exprs = es
        default:
            return nil
        }
        guard case .join(let l, let r, let type, let lk, let rk, nil) = join, !lk.isEmpty,
            type == .inner || type == .left
        else { return nil }
        let lw = l.schema.count
        // what the aggregates read (arguments and FILTER conditions) must come from one input, F
        let reads = aggs.flatMap { a in [a.inputColumn, a.filterColumn].compactMap { $0 } }.map { exprs[$0] }
        guard !reads.contains(where: \.referencesOuterColumns), reads.allSatisfy(\.cannotFail) else { return nil }
        let readSides = Set(reads.map { side($0, leftWidth: lw) }).subtracting([.neither])
        guard readSides.count <= 1, !readSides.contains(.both) else { return nil }
        let factIsLeft: Bool
        if let s = readSides.first {
            factIsLeft = s == .left
        } else {
            factIsLeft = type == .left || l.estimatedRows >= r.estimatedRows
        }
        if type == .left && !factIsLeft { return nil }
        let fact = factIsLeft ? l : r
        let factOffset = factIsLeft ? 0 : lw
        let factKeys = factIsLeft ? lk : rk
        let factSide: Side = factIsLeft ? .left : .right
        // grouping keys: D's expressions (computed after the join), or F's columns
        let groupExprs = groups.map { exprs[$0] }
        let groupSides = groupExprs.map { side($0, leftWidth: lw) }
        guard !groupSides.contains(.both) else { return nil }
        let factGroups = groupExprs.indices.filter { groupSides[$0] == factSide }
        var factGroupColumns: [Int] = []
        for i in factGroups {
            guard case .column(let c) = groupExprs[i].kind else { return nil }
            factGroupColumns.append(c - factOffset)
        }
        let splits = aggs.compactMap(split)
        guard splits.count == aggs.count else { return nil }
        // it pays only when F's keys take few values for its rows
        // (a grouping key that is a join key adds no values: each column counted once)
        var bounded: [Int] = []
        for c in factKeys + factGroupColumns where !bounded.contains(c) { bounded.append(c) }
        guard let (rows, values) = keyBound(fact, bounded),
            values <= rows / minimumRowsPerKey
        else { return nil }
        return Match(
            type: type, fact: fact, dim: factIsLeft ? r : l, factIsLeft: factIsLeft, lk: lk, rk: rk,
            factKeys: factKeys, factOffset: factOffset, dimOffset: factIsLeft ? lw : 0, exprs: exprs,
            groupExprs: groupExprs, factGroups: factGroups, factGroupColumns: factGroupColumns, splits: splits)
    }

    /// The two steps of `m`: F aggregated by its keys, joined to D, aggregated again by the
    /// query's keys (the partial results combined). Returns that plan (grouping keys, then one
    /// column per combined partial) and, per aggregate, its first combined column after the keys.
    static func twoSteps(_ m: Match, _ groupNames: [String], _ aggs: [AggregateSpec]) -> (
        LogicalPlan, firstPartial: [Int]
    ) {
        // 1. F's keys, F-side grouping keys and what the aggregates read, aggregated by the keys
        let factSchema = m.fact.schema
        let k = m.factKeys.count
        let preKeys = k + m.factGroups.count
        var preExprs =
            (m.factKeys + m.factGroupColumns).map {
                BoundExpr.column($0, type: factSchema[$0].type, name: factSchema[$0].name)
            }
        func pre(_ column: Int?) -> Int? {
            guard let column else { return nil }
            preExprs.append(m.exprs[column].remapColumns { $0 - m.factOffset })
            return preExprs.count - 1
        }
        var partials: [AggregateSpec] = []
        var combiners: [AggregateFunction] = []
        var firstPartial: [Int] = []  // per aggregate, its first partial column
        for (a, sp) in zip(aggs, m.splits) {
            let input = pre(a.inputColumn)
            let filter = pre(a.filterColumn)
            firstPartial.append(partials.count)
            for (f, c) in zip(sp.partials, sp.combiners) {
                partials.append(
                    AggregateSpec(function: f, inputColumn: input, filterColumn: filter, name: "#p\(partials.count)"))
                combiners.append(c)
            }
        }
        let preNames = preExprs.indices.map { "#\($0)" }
        let partial = LogicalPlan.aggregate(
            .project(m.fact, preExprs, names: preNames), groupColumns: Array(0..<preKeys),
            groupNames: Array(preNames.prefix(preKeys)), aggregates: partials)

        // 2. the partial rows joined to D as F's rows were
        let partialWidth = preKeys + partials.count
        let newJoin: LogicalPlan =
            m.factIsLeft
            ? .join(partial, m.dim, type: m.type, leftKeys: Array(0..<k), rightKeys: m.rk, residual: nil)
            : .join(m.dim, partial, type: m.type, leftKeys: m.lk, rightKeys: Array(0..<k), residual: nil)
        let partialOffset = m.factIsLeft ? 0 : m.dim.schema.count
        let newDimOffset = m.factIsLeft ? partialWidth : 0
        let joinSchema = newJoin.schema

        // 3. grouped again by the query's keys, the partial results combined
        var finalExprs: [BoundExpr] = []
        for (i, e) in m.groupExprs.enumerated() {
            if let f = m.factGroups.firstIndex(of: i) {
                let c = partialOffset + k + f
                finalExprs.append(.column(c, type: joinSchema[c].type, name: e.name))
            } else {
                finalExprs.append(e.remapColumns { $0 - m.dimOffset + newDimOffset })
            }
        }
        for j in partials.indices {
            let c = partialOffset + preKeys + j
            finalExprs.append(.column(c, type: joinSchema[c].type, name: "#p\(j)"))
        }
        let g = m.groupExprs.count
        // a final takes the original aggregate's name when it is its only one (avg has two)
        var finalNames = combiners.indices.map { "#c\($0)" }
        for (j, a) in aggs.enumerated() where m.splits[j].partials.count == 1 { finalNames[firstPartial[j]] = a.name }
        let finals = combiners.enumerated().map { j, c in
            AggregateSpec(function: c, inputColumn: g + j, name: finalNames[j])
        }
        let combined = LogicalPlan.aggregate(
            .project(newJoin, finalExprs, names: finalExprs.map(\.name)), groupColumns: Array(0..<g),
            groupNames: groupNames, aggregates: finals)
        return (combined, firstPartial)
    }

    /// The original aggregate's output (`original`: its schema) over the two-step plan `combined`:
    /// the names, count's BIGINT (the combined sums are HUGEINT), avg's division of its combined
    /// sum by its combined count.
    static func restoredOutput(
        _ combined: LogicalPlan, original: Schema, aggs: [AggregateSpec], firstPartial: [Int]
    ) -> LogicalPlan {
        let g = original.count - aggs.count
        let cs = combined.schema
        func column(_ i: Int) -> BoundExpr { .column(i, type: cs[i].type, name: cs[i].name) }
        func cast(_ e: BoundExpr, _ t: DataType, _ name: String) -> BoundExpr {
            e.type == t ? e : BoundExpr(.cast(e, isTry: false), type: t, name: name)
        }
        var out = (0..<g).map { BoundExpr.column($0, type: cs[$0].type, name: original[$0].name) }
        for (j, a) in aggs.enumerated() {
            let c = g + firstPartial[j]
            let name = original[g + j].name
            if a.function.name == "avg" {
                let quotient = BoundExpr(
                    .arithmetic(.divide, cast(column(c), .double, name), cast(column(c + 1), .double, name)),
                    type: .double, name: name)
                out.append(quotient)
            } else {
                out.append(cast(column(c), original[g + j].type, name))
            }
        }
        return .project(combined, out, names: original.map(\.name))
    }

    /// The rows of `plan` and a bound on the distinct combinations of its `columns`, when `plan` is
    /// a table scan under filters and column projections and every column is an integer column with
    /// zone maps: the product of `max - min + 1` (plus one for NULL) over the columns; nil otherwise.
    static func distinctBound(_ plan: LogicalPlan, columns: [Int]) -> (rows: Int, values: Int)? {
        switch plan {
        case .filter(let c, _):
            return distinctBound(c, columns: columns)
        case .project(let c, let es, _):
            var inner: [Int] = []
            for i in columns {
                guard case .column(let j) = es[i].kind else { return nil }
                inner.append(j)
            }
            return distinctBound(c, columns: inner)
        case .scan(let t, let cols, _, let output):
            var product = 1
            for i in columns {
                let col = cols[output?[i] ?? i]
                // (a CSV file keeps no zone maps: not read to learn so)
                guard t.schema[col].type.isInteger, !(t is CSVFileTable), t.blockCount > 0 else { return nil }
                var lo = Int64.max
                var hi = Int64.min
                var nulls = false
                for b in 0..<t.blockCount {
                    guard let z = t.zoneMap(column: col, block: b) else { return nil }
                    nulls = nulls || z.nullCount > 0
                    if z.nullCount == z.rowCount { continue }
                    guard case .int(let a) = z.min, case .int(let bb) = z.max else { return nil }
                    lo = min(lo, a)
                    hi = max(hi, bb)
                }
                let span = lo > hi ? (partialValue: Int64(-1), overflow: false) : hi.subtractingReportingOverflow(lo)
                guard !span.overflow, span.partialValue < Int64.max - 2 else { return nil }
                let (m, o) = product.multipliedReportingOverflow(by: Int(span.partialValue) + 1 + (nulls ? 1 : 0))
                guard !o else { return nil }
                product = m
            }
            return (t.rowCount, product)
        default:
            return nil
        }
    }
}
