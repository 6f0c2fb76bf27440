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
    /// Results of shared CTEs, per query.
    let shared: SharedResults
    /// EXPLAIN ANALYZE: wraps every planned operator to measure it (nil: plain operators).
    var profile: ProfileBuilder? = nil

    func plan(_ p: LogicalPlan) -> Planned {
        guard let profile else { return planNode(p) }
        profile.open()
        return profile.close(planNode(p))
    }

    func planNode(_ p: LogicalPlan) -> Planned {
        switch p {
        case .scan(let t, let cols, let conj):
            return .morsel(TableScan(table: t, columns: cols, conjuncts: conj.map { $0.lowered() }))
        case .values(let schema, let batches, let label):
            return .morsel(BatchListSource(schema: schema, batches: batches, label: label))
        case .filter(let c, let pred):
            switch plan(c) {
            case .morsel(let m): return .morsel(FilterSource(child: m, predicate: pred.lowered()))
            case .pull(let o): return .pull(FilterOperator(child: o, predicate: pred.lowered()))
            }
        case .project(let c, let exprs, let names):
            // Over a filtered scan: the scan outputs only the columns the projection reads (a
            // column read only by the filter is not gathered to the selected rows).
            if case .scan(let t, let cols, let conj) = c, !conj.isEmpty {
                let used = Set(exprs.flatMap(\.referencedColumns)).sorted()
                if used.count < cols.count {
                    var position: [Int: Int] = [:]
                    for (n, o) in used.enumerated() { position[o] = n }
                    let scan = TableScan(
                        table: t, columns: cols, conjuncts: conj.map { $0.lowered() }, output: used)
                    return .morsel(
                        ProjectSource(
                            child: scan, expressions: exprs.map { $0.remapColumns { position[$0]! }.lowered() },
                            names: names))
                }
            }
            // A projection that passes its input through unchanged is not an operator.
            if exprs.count == c.schema.count && exprs.enumerated().allSatisfy({ $0.element.columnIndex == $0.offset }) {
                return plan(c)
            }
            switch plan(c) {
            case .morsel(let m):
                return .morsel(ProjectSource(child: m, expressions: exprs.map { $0.lowered() }, names: names))
            case .pull(let o):
                return .pull(ProjectOperator(child: o, expressions: exprs.map { $0.lowered() }, names: names))
            }
        case .aggregate(let c, let groups, let names, let aggs):
            let input: AggregateInput
            switch plan(c) {
            case .morsel(let m): input = .morsels(m)
            case .pull(let o): input = .pull(o)
            }
            return .pull(
                HashAggregateOperator(
                    input: input, groupColumns: groups, groupNames: names, aggregates: aggs, threads: threads))
        case .distinct(let c):
            let input: AggregateInput
            switch plan(c) {
            case .morsel(let m): input = .morsels(m)
            case .pull(let o): input = .pull(o)
            }
            let s = c.schema
            return .pull(
                HashAggregateOperator(
                    input: input, groupColumns: Array(0..<s.count), groupNames: s.map(\.name),
                    aggregates: [], threads: threads))
        case .sort(let c, let keys):
            return .pull(SortOperator(child: pull(plan(c)), keys: keys))
        case .join(let l, let r, let type, let lk, let rk, let res):
            return planJoin(l, r, type, lk, rk, res)
        case .window(let c, let p, let o, let fs, _):
            return .pull(WindowOperator(child: pull(plan(c)), partitionBy: p, orderBy: o, functions: fs))
        case .union(let cs):
            let planned = cs.map(plan)
            let sources = planned.compactMap { p -> MorselSource? in
                if case .morsel(let m) = p { return m }
                return nil
            }
            if sources.count == planned.count { return .morsel(UnionAllSource(sources: sources)) }
            return .pull(UnionAllOperator(children: planned.map(pull)))
        case .shared(let id, let p):
            let planner = self
            return .morsel(
                SharedResultSource(id: id, results: shared, schema: p.schema) { planner.pull(planner.plan(p)) })
        case .setOp(let k, let all, let l, let r):
            return .pull(SetOperationOperator(left: pull(plan(l)), right: pull(plan(r)), kind: k, all: all))
        case .limit(let c, let limit, let offset):
            if case .sort(let sc, let keys) = c {
                return .pull(SortOperator(child: pull(plan(sc)), keys: keys, limit: limit, offset: offset))
            }
            if let limit, case (let k, false) = limit.addingReportingOverflow(max(0, offset)),
                let streamed = limitedCrossJoin(c, rows: k)
            {
                return .pull(LimitOperator(child: streamed, limit: limit, offset: offset))
            }
            return .pull(LimitOperator(child: pull(plan(c)), limit: limit, offset: offset))
        }
    }

    /// `LIMIT` over a CROSS JOIN (through projections, which keep the row count): any `rows` rows of the
    /// product are a right answer, so each input is cut to its first `rows` rows (min(k, |L|) * min(k, |R|)
    /// >= min(k, |L| * |R|)) and the join streams its pairs (`NestedLoopJoinOperator` probes in slices), so
    /// the limit stops it after about one output chunk instead of computing the whole product. nil when `p`
    /// is not such a join.
    func limitedCrossJoin(_ p: LogicalPlan, rows k: Int) -> PhysicalOperator? {
        switch p {
        case .project(let c, let exprs, let names):
            guard let inner = limitedCrossJoin(c, rows: k) else { return nil }
            return ProjectOperator(child: inner, expressions: exprs.map { $0.lowered() }, names: names)
        case .join(let l, let r, .cross, let lk, let rk, nil) where lk.isEmpty && rk.isEmpty:
            let left = LimitOperator(child: pull(plan(l)), limit: k, offset: 0)
            let right = LimitOperator(child: pull(plan(r)), limit: k, offset: 0)
            return NestedLoopJoinOperator(left: left, right: right, type: .cross)
        default:
            return nil
        }
    }

    /// Hash joins: the smaller input (by estimate) is the build side; a morsel-source probe side
    /// stays parallel (`LazyJoinProbeSource`); outer joins on the build side and joins without a
    /// usable probe source use `HashJoinOperator` / `NestedLoopJoinOperator`.
    func planJoin(_ l: LogicalPlan, _ r: LogicalPlan, _ type: JoinType, _ lk: [Int], _ rk: [Int], _ res: BoundExpr?)
        -> Planned
    {
        let lw = l.schema.count
        let rw = r.schema.count
        func closure(_ e: BoundExpr?) -> ((Batch) throws -> Column)? {
            guard let e = e?.lowered() else { return nil }
            return { b in try e.evaluate(b) }
        }
        let le = l.estimatedRows
        let re = r.estimatedRows
        let lp = plan(l)
        let probeable: Set<JoinType> = [.inner, .left, .semi, .anti, .cross]
        if probeable.contains(type), case .morsel(let lm) = lp, re <= le || type != .inner {
            return .morsel(
                LazyJoinProbeSource(
                    probe: lm, build: pull(plan(r)), type: type, probeKeys: lk, buildKeys: rk,
                    residual: closure(res)))
        }
        let rp = plan(r)
        if type == .inner || type == .cross, case .morsel(let rm) = rp, le < re {
            // Build on the left, probe the right in parallel, then restore left ++ right order.
            let swapped = res?.remapColumns { $0 < lw ? $0 + rw : $0 - lw }
            let probe = LazyJoinProbeSource(
                probe: rm, build: pull(lp), type: type, probeKeys: rk, buildKeys: lk,
                residual: closure(swapped))
            let s = probe.schema
            let order = (0..<lw).map { rw + $0 } + (0..<rw).map { $0 }
            return .morsel(
                ProjectSource(
                    child: probe, expressions: order.map { ScalarExpr.column($0, type: s[$0].type, name: s[$0].name) },
                    names: order.map { s[$0].name }))
        }
        if lk.isEmpty {
            return .pull(NestedLoopJoinOperator(left: pull(lp), right: pull(rp), type: type, predicate: closure(res)))
        }
        return .pull(
            HashJoinOperator(
                left: pull(lp), right: pull(rp), type: type, leftKeys: lk, rightKeys: rk,
                residual: closure(res), buildSide: .auto))
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

/// The computed rows of shared CTEs of one query, by CTE id.
final class SharedResults: @unchecked Sendable {
    /// One CTE's rows; its own lock, so computing one CTE may read another.
    final class Entry: @unchecked Sendable {
        let lock = Mutex()
        var batches: [Batch]?
    }
    private let lock = Mutex()
    private var entries: [Int: Entry] = [:]

    func batches(_ id: Int, _ make: () throws -> PhysicalOperator) throws -> [Batch] {
        let e = lock.withLock { () -> Entry in
            if let e = entries[id] { return e }
            let e = Entry()
            entries[id] = e
            return e
        }
        return try e.lock.withLock {
            if let r = e.batches { return r }
            let op = try make()
            var out: [Batch] = []
            while let b = try op.next() { if b.count > 0 { out.append(b) } }
            e.batches = out
            return out
        }
    }
}

/// The rows of a shared CTE as morsels (one per batch); computed on first use.
final class SharedResultSource: MorselSource, @unchecked Sendable {
    let id: Int
    let results: SharedResults
    let schema: Schema
    let make: () -> PhysicalOperator
    init(id: Int, results: SharedResults, schema: Schema, make: @escaping () -> PhysicalOperator) {
        self.id = id
        self.results = results
        self.schema = schema
        self.make = make
    }
    func all() throws -> [Batch] { try results.batches(id) { make() } }
    var morselCount: Int { (try? all().count) ?? 0 }
    func morsel(_ i: Int) throws -> Batch? { try all()[i] }
    var explainLine: String { "SharedCTE #\(id)" }
    var explainChildren: [String] {
        Explain.lines(make()).map { $0 }
    }
}
