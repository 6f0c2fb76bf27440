import KuaiCore
import KuaiExec

/// Turns an optimized `LogicalPlan` into physical operators (a `PhysicalNode` tree).
///
/// Scans, filters and projections stay morsel sources as long as possible, so that the whole
/// chain scan -> filter -> project -> partial aggregate runs per block on every thread; the first
/// operator that needs all rows (sort, limit, distinct, the final merge) pulls them. Expressions are
/// lowered into KuaiExec's `ScalarExpr`s here, fresh for each plan.
struct PhysicalPlanner {
    let threads: Int
    /// Results of shared CTEs, per query.
    let shared: SharedResults
    /// EXPLAIN ANALYZE: wraps every planned operator to measure it (nil: plain operators).
    var profile: ProfileBuilder? = nil

    /// The operators of `p` (measured ones when `profile` is set), with the join key filters
    /// `filters` placed where they can drop rows (see `KeyFilterPlacement`).
    /// `windowEmits`: when `p` is a window, the input columns its output must carry (nil = all).
    func plan(_ p: LogicalPlan, filters: [PendingKeyFilter] = [], windowEmits: Set<Int>? = nil) -> PhysicalNode {
        let down = filters.filter { KeyFilterPlacement.goesThrough(p, $0) }
        let here = filters.filter { !KeyFilterPlacement.goesThrough(p, $0) }
        guard let profile else { return KeyFilterPlacement.filtered(planNode(p, down, windowEmits), here) }
        profile.open()
        return KeyFilterPlacement.filtered(profile.close(planNode(p, down, windowEmits)), here)
    }

    /// The operators of `p`, its inputs planned through `plan`; `filters` test columns of `p`'s
    /// output, and each goes down into the inputs (`KeyFilterPlacement.goesThrough`).
    func planNode(_ p: LogicalPlan, _ filters: [PendingKeyFilter], _ windowEmits: Set<Int>? = nil) -> PhysicalNode {
        switch p {
        case .scan(let table, let cols, let conj, let output):
            // a CSV file is read for the scanned columns only (projection pushdown); a table read
            // without its rowid pseudo-column is scanned as itself
            var t = (table as? CSVFileTable)?.projected(cols) ?? table
            if let r = t as? RowIdTable, !cols.contains(r.rowIdColumn) { t = r.base }
            let leading = KeyFilterPlacement.leadingScanConjuncts(
                filters, table: t, columns: cols, output: output, conjuncts: conj.count)
            let placed = KeyFilterPlacement.scanConjuncts(filters, table: t, columns: cols, output: output)
            return .morsel(
                TableScan(
                    table: t, columns: cols, conjuncts: leading + conj.map { $0.lowered() } + placed, output: output))
        case .values(let schema, let batches, let label):
            return .morsel(BatchListSource(schema: schema, batches: batches, label: label))
        case .filter(let c, let pred):
            if let first = planFirstRowPerPartition(c, pred, filters) { return first }
            let child = plan(c, filters: filters)
            switch child.form {
            case .morsel(let m): return .morsel(FilterSource(child: m, predicate: pred.lowered()), child)
            case .pull(let o): return .pull(FilterOperator(child: o, predicate: pred.lowered()), child)
            }
        case .project(let c, let exprs, let names):
            return planProject(c, exprs, names, KeyFilterPlacement.throughProject(filters, exprs))
        case .aggregate(let c, let groups, let names, let aggs):
            return planAggregate(c, groups, names, aggs, KeyFilterPlacement.throughAggregate(filters, groups))
        case .distinct(let c):
            let s = c.schema
            let keys = Array(0..<s.count)
            return planAggregate(c, keys, s.map(\.name), [], KeyFilterPlacement.throughAggregate(filters, keys))
        case .sort(let c, let keys):
            let child = pull(plan(c, filters: KeyFilterPlacement.throughBreaker(filters)))
            return .pull(SortOperator(child: child.pulled, keys: keys), child)
        case .join(let l, let r, let type, let lk, let rk, let res):
            return planJoin(l, r, type, lk, rk, res)
        case .window:
            return planWindow(p, filters, emitted: windowEmits)
        case .union(let cs):
            return planUnion(cs, filters)
        case .shared(let id, let p):
            let cte = pull(plan(p))
            let source = SharedResultSource(id: id, results: shared, schema: p.schema) { cte.pulled }
            return PhysicalNode(.morsel(source), inputs: [cte])
        case .setOp(let k, let all, let l, let r):
            let (left, right) = (pull(plan(l)), pull(plan(r)))
            return .pull(SetOperationOperator(left: left.pulled, right: right.pulled, kind: k, all: all), left, right)
        case .limit(let c, let limit, let offset):
            return planLimit(c, limit, offset)
        case .sample(let c, let spec):
            // (no key filter goes down into a sample: `plan` places them over it)
            return planSample(c, spec)
        case .unnest(let c, let cols):
            let child = pull(plan(c))
            return .pull(UnnestOperator(child: child.pulled, columns: cols), child)
        case .asofJoin(let l, let r, let k, let op, let keep):
            // a right row whose equality keys are not among the left's never joins (INNER or LEFT):
            // the left's keys, read first, filter the right input at its scan
            let (lw, rw) = (l.schema.count, r.schema.count)
            let lk = Array(lw - k - 1..<lw - 1)
            let rk = Array(rw - k - 1..<rw - 1)
            let rf = KeyFilterPlacement.filters(keys: rk, of: r.schema, otherKeys: lk, otherSchema: l.schema)
            // (the join materialises and sorts its right input, as a breaker would: filtering at the
            // scan is worth it there)
            let left = pull(plan(l))
            let right = pull(
                plan(r, filters: KeyFilterPlacement.throughBreaker(KeyFilterPlacement.pending(rf, keys: rk))))
            return .pull(
                AsofJoinOperator(
                    left: left.pulled, right: right.pulled, keyCount: k, op: op, keepUnmatched: keep,
                    rightKeyFilters: KeyFilterPlacement.placed(rf)),
                left, right)
        }
    }

    /// A sample: bernoulli and system per morsel when the input is a morsel source (both cores), else
    /// per pulled batch; a reservoir over the pulled input.
    func planSample(_ c: LogicalPlan, _ spec: SampleSpec) -> PhysicalNode {
        let child = plan(c)
        if spec.method == .reservoir {
            let input = pull(child)
            return .pull(ReservoirSampleOperator(child: input.pulled, spec: spec), input)
        }
        switch child.form {
        case .morsel(let m): return .morsel(SampleSource(child: m, spec: spec), child)
        case .pull(let o): return .pull(SampleFilterOperator(child: o, spec: spec), child)
        }
    }

    /// A projection. A projection that passes its input through unchanged is not an operator, except
    /// over a scan with an output list (late materialisation), where it names the columns kept.
    func planProject(_ c: LogicalPlan, _ exprs: [BoundExpr], _ names: [String], _ filters: [PendingKeyFilter])
        -> PhysicalNode
    {
        var lateMaterialized = false
        if case .scan(_, _, _, _?) = c { lateMaterialized = true }
        if !lateMaterialized && exprs.count == c.schema.count
            && exprs.enumerated().allSatisfy({ $0.element.columnIndex == $0.offset })
        {
            return plan(c, filters: filters)
        }
        var emits: Set<Int>? = nil
        if case .window(let w, _, _, _, _) = c {
            // the window releases the input columns this projection does not read
            emits = Set(exprs.flatMap(\.referencedColumns).filter { $0 < w.schema.count })  // per plan, not per row
        }
        let child = plan(c, filters: filters, windowEmits: emits)
        let lowered = exprs.map { $0.lowered() }
        switch child.form {
        case .morsel(let m): return .morsel(ProjectSource(child: m, expressions: lowered, names: names), child)
        case .pull(let o): return .pull(ProjectOperator(child: o, expressions: lowered, names: names), child)
        }
    }

    /// `FirstRowPerPartitionOperator` for a filter that keeps only row number 1 of a window
    /// computing row_number() alone (`QUALIFY row_number() OVER (...) = 1`, DISTINCT ON): the
    /// first row of each partition without sorting every row. nil for any other filter.
    func planFirstRowPerPartition(_ c: LogicalPlan, _ pred: BoundExpr, _ filters: [PendingKeyFilter])
        -> PhysicalNode?
    {
        guard case .window(let input, let p, let o, let fs, _) = c, fs.count == 1, fs[0].kind == .rowNumber,
            fs[0].filter == nil, Self.keepsRowNumberOne(pred, column: input.schema.count)
        else { return nil }
        let child = pull(plan(input, filters: KeyFilterPlacement.throughBreaker(filters)))
        return .pull(FirstRowPerPartitionOperator(child: child.pulled, partitionBy: p, orderBy: o), child)
    }

    /// True when `pred` holds for a row exactly when column `column` (a row number: 1, 2, ...) is 1:
    /// `rn = 1`, `rn <= 1`, `rn < 2`, or the same with the operands swapped.
    static func keepsRowNumberOne(_ pred: BoundExpr, column: Int) -> Bool {
        guard case .compare(let op, let a, let b) = pred.kind else { return false }
        func isColumn(_ e: BoundExpr) -> Bool {
            if case .column(let i) = e.kind { return i == column }
            return false
        }
        func constant(_ e: BoundExpr) -> Int64? {
            if case .constant(.int(let v)) = e.kind { return v }
            return nil
        }
        let test: (op: CompareOp, k: Int64)
        if isColumn(a), let k = constant(b) {
            test = (op, k)
        } else if isColumn(b), let k = constant(a) {
            test = (op.flipped, k)  // `k op rn` is `rn op.flipped k`
        } else {
            return false
        }
        return (test.op == .equal || test.op == .lessEqual) && test.k == 1 || test.op == .less && test.k == 2
    }

    /// A window operator over `w` (a `.window` plan) whose output carries the input columns
    /// `emitted` (nil = all), as a morsel source (`WindowSource`): the operators above it run on
    /// every thread.
    func planWindow(_ w: LogicalPlan, _ filters: [PendingKeyFilter], emitted: Set<Int>?) -> PhysicalNode {
        guard case .window(let c, let p, let o, let fs, _) = w else { preconditionFailure("not a window plan") }
        let child = pull(plan(c, filters: KeyFilterPlacement.throughBreaker(filters)))
        let window = WindowOperator(
            child: child.pulled, partitionBy: p, orderBy: o, functions: fs, emitted: emitted?.sorted())
        if !(p.isEmpty && o.isEmpty), let below = Self.windowBelow(child.pulled, partitionBy: p, orderBy: o) {
            below.shareOrdering(with: window)
        }
        return PhysicalNode(.morsel(WindowSource(window)), inputs: [child])
    }

    /// The window operator under `input` whose sorted order a window over `input` with keys
    /// `partitionBy` and `orderBy` (columns of `input`) can take instead of sorting: one reached
    /// through projections of plain columns only (so its input rows are `input`'s, row for row),
    /// whose PARTITION BY and ORDER BY are the same columns, directions and NULLS orders. A running
    /// sum over a lag (sessions from gaps between a user's events) sorts once so. nil when there is
    /// none.
    static func windowBelow(_ input: PhysicalOperator, partitionBy: [Int], orderBy: [SortKey]) -> WindowOperator? {
        var columns = partitionBy + orderBy.map(\.column)
        /// Maps `columns` through a projection; false when one is not a plain column there.
        func through(_ project: ProjectTransform) -> Bool {
            for (i, c) in columns.enumerated() {
                guard c < project.expressions.count, case .column(let j) = project.expressions[c].kind else {
                    return false
                }
                columns[i] = j
            }
            return true
        }
        var node: AnyObject = input
        while true {
            switch node {
            case let d as MorselDriver: node = d.source
            case let p as ProfiledOperator: node = p.inner
            case let p as ProfiledSource: node = p.inner
            case let w as WindowSource: node = w.window
            case let s as ProjectSource:
                guard through(s.transform) else { return nil }
                node = s.child
            case let t as TransformOperator<ProjectTransform>:
                guard through(t.transform) else { return nil }
                node = t.child
            case let w as WindowOperator:
                // the window's own columns come first in its output; its results follow
                guard columns.allSatisfy({ $0 < w.child.schema.count }) else { return nil }
                let keys = zip(columns[partitionBy.count...], orderBy).map { c, k in
                    SortKey(column: c, ascending: k.ascending, nullsFirst: k.nullsFirst)
                }
                return Array(columns[..<partitionBy.count]) == w.partitionBy && keys == w.orderBy ? w : nil
            default: return nil
            }
        }
    }

    /// A hash aggregate (also DISTINCT: every column a key, no aggregate) over a morsel source (partial
    /// aggregates per thread, then a merge) or a pull operator.
    func planAggregate(
        _ c: LogicalPlan, _ groups: [Int], _ names: [String], _ aggs: [AggregateSpec], _ filters: [PendingKeyFilter]
    ) -> PhysicalNode {
        let child = plan(c, filters: filters)
        let input: AggregateInput
        switch child.form {
        case .morsel(let m): input = .morsels(m)
        case .pull(let o): input = .pull(o)
        }
        return .pull(
            HashAggregateOperator(
                input: input, groupColumns: groups, groupNames: names, aggregates: aggs, threads: threads), child)
    }

    /// UNION ALL: a morsel source when every input is one, else inputs pulled one after the other.
    func planUnion(_ cs: [LogicalPlan], _ filters: [PendingKeyFilter]) -> PhysicalNode {
        let planned = cs.map { plan($0, filters: filters) }
        let sources = planned.compactMap { p -> MorselSource? in
            if case .morsel(let m) = p.form { return m }
            return nil
        }
        if sources.count == planned.count {
            return PhysicalNode(.morsel(UnionAllSource(sources: sources)), inputs: planned)
        }
        let pulled = planned.map(pull)
        return PhysicalNode(.pull(UnionAllOperator(children: pulled.map(\.pulled))), inputs: pulled)
    }

    /// LIMIT / OFFSET: over a sort, a top-N sort; over a CROSS JOIN, a streamed limited join
    /// (`limitedCrossJoin`); else a limit over the pulled input.
    func planLimit(_ c: LogicalPlan, _ limit: Int?, _ offset: Int) -> PhysicalNode {
        if limit != nil, let late = LateProjection.split(c) {
            // the projection runs on the rows the top-N keeps (`LateProjection`)
            let top = pull(planLimit(.sort(late.input, late.keys), limit, offset))
            let lowered = late.exprs.map { $0.lowered() }
            return .pull(ProjectOperator(child: top.pulled, expressions: lowered, names: late.names), top)
        }
        if case .sort(let sc, let keys) = c {
            // a top-N's bound on its first key filters the scan below (`TopNFilterPlacement`)
            let bounded = limit == nil ? nil : TopNFilterPlacement.attach(sc, key: keys[0])
            let planned = plan(bounded?.0 ?? sc)
            let child = pull(planned)
            var morsels: MorselSource?
            if case .morsel(let m) = planned.form { morsels = m }  // a parallel top-N
            let sort = SortOperator(
                child: child.pulled, keys: keys, limit: limit, offset: offset, morsels: morsels, threads: threads)
            sort.topNFilter = bounded?.1
            return .pull(sort, child)
        }
        if let limit, case (let k, false) = limit.addingReportingOverflow(max(0, offset)),
            let streamed = limitedCrossJoin(c, rows: k)
        {
            return .pull(LimitOperator(child: streamed.pulled, limit: limit, offset: offset), streamed)
        }
        var input = c
        if let limit, case (let k, false) = limit.addingReportingOverflow(max(0, offset)),
            let cut = Self.csvPrefix(c, rows: k)
        {
            input = cut
        }
        let child = pull(plan(input))
        return .pull(LimitOperator(child: child.pulled, limit: limit, offset: offset), child)
    }

    /// `p` with its CSV file scan cut to the first `rows` rows (`CSVFileTable.prefix`), when `p` is
    /// such a scan without filters under projections only (which keep rows and their order): the
    /// limit above takes the first rows anyway. nil for any other plan.
    static func csvPrefix(_ p: LogicalPlan, rows k: Int) -> LogicalPlan? {
        switch p {
        case .project(let c, let exprs, let names):
            return csvPrefix(c, rows: k).map { .project($0, exprs, names: names) }
        case .scan(let table as CSVFileTable, let columns, let conjuncts, let output) where conjuncts.isEmpty:
            return .scan(table: table.prefix(rows: k), columns: columns, conjuncts: [], output: output)
        default:
            return nil
        }
    }

    /// `LIMIT` over a CROSS JOIN (through projections, which keep the row count): any `rows` rows of the
    /// product are a right answer, so each input is cut to its first `rows` rows (min(k, |L|) * min(k, |R|)
    /// >= min(k, |L| * |R|)) and the join streams its pairs (`NestedLoopJoinOperator` probes in slices), so
    /// the limit stops it after about one output chunk instead of computing the whole product. nil when `p`
    /// is not such a join.
    func limitedCrossJoin(_ p: LogicalPlan, rows k: Int) -> PhysicalNode? {
        switch p {
        case .project(let c, let exprs, let names):
            guard let inner = limitedCrossJoin(c, rows: k) else { return nil }
            return .pull(
                ProjectOperator(child: inner.pulled, expressions: exprs.map { $0.lowered() }, names: names), inner)
        case .join(let l, let r, .cross, let lk, let rk, nil) where lk.isEmpty && rk.isEmpty:
            let (lp, rp) = (pull(plan(l)), pull(plan(r)))
            let left = PhysicalNode.pull(LimitOperator(child: lp.pulled, limit: k, offset: 0), lp)
            let right = PhysicalNode.pull(LimitOperator(child: rp.pulled, limit: k, offset: 0), rp)
            return .pull(NestedLoopJoinOperator(left: left.pulled, right: right.pulled, type: .cross), left, right)
        default:
            return nil
        }
    }

    /// Hash joins: the smaller input (by estimate) is the build side; a morsel-source probe side
    /// stays parallel (`LazyJoinProbeSource`); outer joins on the build side and joins without a
    /// usable probe source use `HashJoinOperator` / `NestedLoopJoinOperator`. A `HashJoinOperator`
    /// reads the input expected to be smaller first and filters the other one by its keys
    /// (`KeyFilterPlacement`).
    func planJoin(_ l: LogicalPlan, _ r: LogicalPlan, _ type: JoinType, _ lk: [Int], _ rk: [Int], _ res: BoundExpr?)
        -> PhysicalNode
    {
        let lw = l.schema.count
        let rw = r.schema.count
        switch joinForm(l, r, type) {
        case .probeLeft:
            // (a probe row without a match leaves the output of an inner or semi join only)
            let lf = [.inner, .semi].contains(type) ? pipelinedFilters(keys: lk, of: l, otherKeys: rk, other: r) : []
            let lp = plan(l, filters: KeyFilterPlacement.pipelined(lf, keys: lk))
            guard case .morsel(let lm) = lp.form else { return pulledJoin(lp, plan(r), type, lk, rk, res) }
            let build = pull(plan(r))
            let join = LazyJoinProbeSource(
                probe: lm, build: build.pulled, type: type, probeKeys: lk, buildKeys: rk,
                residual: Self.closure(res), threads: threads, probeKeyFilters: KeyFilterPlacement.placed(lf))
            return PhysicalNode(.morsel(join), inputs: [lp, build], labels: ["", "build: "])
        case .probeRight:
            let lp = plan(l)
            let rf = type == .inner ? pipelinedFilters(keys: rk, of: r, otherKeys: lk, other: l) : []
            let rp = plan(r, filters: KeyFilterPlacement.pipelined(rf, keys: rk))
            guard case .morsel(let rm) = rp.form else { return pulledJoin(lp, rp, type, lk, rk, res) }
            // Build on the left, probe the right in parallel, then restore left ++ right order.
            let swapped = res?.remapColumns { $0 < lw ? $0 + rw : $0 - lw }
            let build = pull(lp)
            let probe = LazyJoinProbeSource(
                probe: rm, build: build.pulled, type: type, probeKeys: rk, buildKeys: lk,
                residual: Self.closure(swapped), threads: threads, probeKeyFilters: KeyFilterPlacement.placed(rf))
            let s = probe.schema
            let order = (0..<lw).map { rw + $0 } + (0..<rw).map { $0 }
            let reorder = ProjectSource(
                child: probe, expressions: order.map { ScalarExpr.column($0, type: s[$0].type, name: s[$0].name) },
                names: order.map { s[$0].name })
            return .morsel(reorder, PhysicalNode(.morsel(probe), inputs: [rp, build], labels: ["", "build: "]))
        case .pulled:
            // The input read first filters the other one by its keys where unmatched rows of that
            // other input never reach the output.
            let leftFirst = l.estimatedRows < r.estimatedRows
            var lf: [JoinKeyFilter?] = []
            var rf: [JoinKeyFilter?] = []
            if leftFirst, [.inner, .left, .semi, .anti].contains(type) {
                rf = KeyFilterPlacement.filters(keys: rk, of: r.schema, otherKeys: lk, otherSchema: l.schema)
            } else if !leftFirst, [.inner, .right, .semi].contains(type) {
                lf = KeyFilterPlacement.filters(keys: lk, of: l.schema, otherKeys: rk, otherSchema: r.schema)
            }
            let lp = plan(l, filters: KeyFilterPlacement.pending(lf, keys: lk))
            let rp = plan(r, filters: KeyFilterPlacement.pending(rf, keys: rk))
            return pulledJoin(
                lp, rp, type, lk, rk, res, leftFirst: leftFirst, leftFilters: KeyFilterPlacement.placed(lf),
                rightFilters: KeyFilterPlacement.placed(rf))
        }
    }

    /// Key filters for the probe input `p` of a pipelined join (keys `keys`; `other`'s `otherKeys`
    /// are built): worth it only when the build side is estimated at most a quarter of the probe side,
    /// so that few probe rows pass (an estimate can be far off: a filter that passes more than 7/8 of
    /// the rows of its trial turns itself off, `JoinKeyFilter`).
    func pipelinedFilters(keys: [Int], of p: LogicalPlan, otherKeys: [Int], other: LogicalPlan) -> [JoinKeyFilter?] {
        guard other.estimatedRows <= p.estimatedRows / 4 else { return [] }
        return KeyFilterPlacement.filters(keys: keys, of: p.schema, otherKeys: otherKeys, otherSchema: other.schema)
    }

    /// How `planJoin` plans a join of `l` and `r`: probing a morsel source on the left or on the
    /// right (in parallel), or with both inputs pulled.
    enum JoinForm { case probeLeft, probeRight, pulled }

    /// The form `planJoin` gives a join (from the estimates and whether its inputs plan as morsel
    /// sources).
    func joinForm(_ l: LogicalPlan, _ r: LogicalPlan, _ type: JoinType) -> JoinForm {
        let le = l.estimatedRows
        let re = r.estimatedRows
        // (a much smaller left input is read first when the right one has a breaker: its keys then
        // filter the right input below it)
        let filterRight = le <= re / 4 && !plansAsMorsels(r)
        if [.inner, .left, .semi, .anti, .cross].contains(type), plansAsMorsels(l), re <= le || type != .inner,
            !filterRight || type == .cross
        {
            return .probeLeft
        }
        if type == .inner || type == .cross, le < re, plansAsMorsels(r) { return .probeRight }
        return .pulled
    }

    /// Whether `planNode` makes a morsel source of `p` (else a pull operator).
    func plansAsMorsels(_ p: LogicalPlan) -> Bool {
        switch p {
        case .scan, .values, .shared: return true
        case .filter(let c, _), .project(let c, _, _): return plansAsMorsels(c)
        case .union(let cs): return cs.allSatisfy(plansAsMorsels)
        case .sample(let c, let spec): return spec.method != .reservoir && plansAsMorsels(c)
        case .join(let l, let r, let type, _, _, _): return joinForm(l, r, type) != .pulled
        case .aggregate, .sort, .limit, .distinct, .window, .setOp, .unnest, .asofJoin: return false
        }
    }

    /// A join of two pulled inputs: `HashJoinOperator` (reading the left input first when
    /// `leftFirst`, publishing the key filters given), or without keys `NestedLoopJoinOperator`.
    func pulledJoin(
        _ lp: PhysicalNode, _ rp: PhysicalNode, _ type: JoinType, _ lk: [Int], _ rk: [Int], _ res: BoundExpr?,
        leftFirst: Bool = false, leftFilters: [JoinKeyFilter?] = [], rightFilters: [JoinKeyFilter?] = []
    ) -> PhysicalNode {
        let (left, right) = (pull(lp), pull(rp))
        if lk.isEmpty {
            return .pull(
                NestedLoopJoinOperator(
                    left: left.pulled, right: right.pulled, type: type, predicate: Self.closure(res)),
                left, right)
        }
        let join = HashJoinOperator(
            left: left.pulled, right: right.pulled, type: type, leftKeys: lk, rightKeys: rk,
            residual: Self.closure(res), buildSide: .auto)
        join.readLeftFirst = leftFirst
        join.buildThreads = threads
        join.leftKeyFilters = leftFilters
        join.rightKeyFilters = rightFilters
        return .pull(join, left, right)
    }

    /// A join condition as the operators take it: a function from a batch of left ++ right columns to
    /// a BOOLEAN column.
    static func closure(_ e: BoundExpr?) -> ((Batch) throws -> Column)? {
        guard let e = e?.lowered() else { return nil }
        return { b in try e.evaluate(b) }
    }

    /// The node as a pull operator (a morsel source is driven by `MorselDriver` on `threads` threads).
    func pull(_ node: PhysicalNode) -> PhysicalNode {
        switch node.form {
        case .pull: return node
        case .morsel(let m):
            return PhysicalNode(
                .pull(MorselDriver(source: m, threads: threads)), inputs: node.inputs.map(\.node),
                labels: node.inputs.map(\.label))
        }
    }
}

extension PhysicalNode {
    /// The operator of a node made by `PhysicalPlanner.pull`.
    var pulled: PhysicalOperator {
        guard case .pull(let o) = form else { preconditionFailure("a morsel source where a pull operator is needed") }
        return o
    }
}
