import Dispatch
import KuaiCore

/// One aggregate computed by `HashAggregateOperator`.
public struct AggregateSpec: Sendable {
    public var function: AggregateFunction
    /// Input column of the argument; nil for count(*).
    public var inputColumn: Int?
    /// `agg(DISTINCT x)`.
    public var distinct: Bool
    /// A BOOLEAN input column: only rows where it is TRUE are aggregated (`FILTER (WHERE ...)`).
    public var filterColumn: Int?
    /// The output column name.
    public var name: String
    /// An ordered aggregate's ORDER BY columns (input column indexes).
    public var orderColumns: [Int]

    public init(
        function: AggregateFunction, inputColumn: Int?, distinct: Bool = false, filterColumn: Int? = nil, name: String,
        orderColumns: [Int] = []
    ) {
        self.function = function
        self.inputColumn = inputColumn
        self.distinct = distinct
        self.filterColumn = filterColumn
        self.name = name
        self.orderColumns = orderColumns
    }

    func makeState() -> AggregateState {
        let inner = function.make(function.argumentType ?? .null)
        if distinct, let t = function.argumentType {
            let d: AggregateState =
                t == .varchar ? StringDistinctState(inner: inner) : DistinctState(inner: inner, type: t)
            // a list keeps NULL as one more distinct element (DuckDB)
            let keepsNull = function.name == "list" || function.name == "array_agg"
            return keepsNull ? DistinctWithNullElementState(distinct: d, inner: inner, type: t) : d
        }
        return inner
    }
}

/// One fresh state per spec, quantiles of the same argument sharing their values
/// (`shareQuantileValues`).
func makeAggregateStates(_ specs: [AggregateSpec]) -> [AggregateState] {
    let states = specs.map { $0.makeState() }
    shareQuantileValues(states, specs: specs)
    return states
}

/// Where a hash aggregate reads its input: a morsel source (drained on all threads, one
/// partial aggregate per thread, merged at the end) or a pull operator (one thread).
public enum AggregateInput {
    case morsels(MorselSource)
    case pull(PhysicalOperator)

    var schema: Schema {
        switch self {
        case .morsels(let m): return m.schema
        case .pull(let p): return p.schema
        }
    }
}

/// GROUP BY: maps each row's key columns to a dense group id with `GroupKeyTable` (dictionary
/// codes and integers without string hashing) and updates column-wise aggregate states.
///
/// Output: the key columns (in `groupColumns` order) followed by one column per aggregate, one
/// row per group, in no particular order. With no key columns there is exactly one row, also for
/// empty input (count 0, other aggregates NULL), as SQL requires.
public final class HashAggregateOperator: PhysicalOperator {
    public let input: AggregateInput
    public let groupColumns: [Int]
    public let aggregates: [AggregateSpec]
    public let schema: Schema
    public let threads: Int
    private var done = false
    /// Result batches not yet returned (one per partition of a partitioned merge).
    private var pendingOutput: [Batch] = []
    /// The input columns the aggregate reads (keys first) and their spill record layout; nil when
    /// some type cannot be spilled or there is no GROUP BY (then the groups stay in memory).
    let spillColumns: [Int]
    let spillCodec: SpilledRows?
    /// The groups still to finish after a spill (nil when nothing spilled).
    private var spilled: SpilledGroups?
    /// Tests: when > 0, a thread's table spills once it holds more groups than this, whatever
    /// the memory (forces the spill path on small data).
    var spillAfterGroups = 0
    /// Tests: when > 0, a thread's table is set aside (`Partial.flush`) once it holds this many
    /// groups, whatever its layout and rows (forces the set-aside path on small data).
    var flushAfterGroups = 0
    /// Whether `flushIfSparse` may set tables aside in this run (`setAsideFits`, decided in `run`).
    private var flushFits = false
    /// Tests: when > 0, the threads partition their rows (HashAggregatePartitioned.swift) after a
    /// sample of this many rows, whatever the keys and the input's size.
    var partitionAfterRows = 0
    /// Whether this run's threads keep tables or partition their rows (decided from a sample).
    let partitionChoice = PartitionChoice()

    /// - Parameters:
    ///   - groupColumns: input column indexes of the grouping keys.
    ///   - groupNames: output names of the key columns.
    public init(
        input: AggregateInput, groupColumns: [Int], groupNames: [String], aggregates: [AggregateSpec], threads: Int
    ) {
        self.input = input
        self.groupColumns = groupColumns
        self.aggregates = aggregates
        self.threads = max(1, threads)
        let inSchema = input.schema
        self.schema =
            zip(groupColumns, groupNames).map { Field($1, inSchema[$0].type) }
            + aggregates.map { Field($0.name, $0.function.returnType) }
        var used = groupColumns
        for a in aggregates {
            for c in [a.inputColumn, a.filterColumn].compactMap({ $0 }) + a.orderColumns where !used.contains(c) {
                used.append(c)
            }
        }
        spillColumns = used
        let types = used.map { inSchema[$0].type }
        spillCodec =
            groupColumns.isEmpty || !types.allSatisfy(SpilledRows.spillable)
            ? nil : SpilledRows(types: types, keyCount: groupColumns.count)
    }

    /// One thread's groups: the key table, the states, and once memory ran short the spill file
    /// of the rows whose groups it does not hold (`HashAggregateOperator+Spill`).
    ///
    /// A table whose rows are mostly new groups (high cardinality: each key seen about once) is
    /// set aside once it is large (`flush()`), and a fresh small table takes the next rows: probes
    /// stay in cache, and no table doubles past what its groups need. The set-aside groups
    /// (`flushed`) are combined with the others at the end like another thread's (the same key
    /// may stand in several of them), as DuckDB's radix-partitioned aggregate does with its
    /// abandoned thread-local tables.
    final class Partial {
        private(set) var table: any GroupKeyTable
        private(set) var states: [AggregateState]
        var ids: [Int32] = []
        /// False for the tables that aggregate one spilled partition (they never spill again).
        let maySpill: Bool
        /// Rows of groups not in `table`, written once memory ran short (nil before).
        var spill: PartitionedSpill?
        /// Groups set aside by `flush()`, oldest first.
        private(set) var flushed: [GroupSource] = []
        /// Groups in `flushed`, all sources counted.
        var flushedGroups: Int { flushed.reduce(0) { $0 + $1.count } }
        /// Rows added to `table` since it was made (the set-aside rule compares it to its groups).
        var rowsInTable = 0
        /// Rows still to pass by the table after a sparse table was set aside (`passThrough`).
        var passRows = 0
        /// Batches passed by the table and not yet a group source.
        var passed: [Batch] = []
        /// True while the thread samples its keys for the partitioning choice (`kept`: the
        /// batches sampled; `groupsAtHalf`: the groups of the first half of the sample).
        var sampling = false
        var kept: [Batch] = []
        var groupsAtHalf = 0
        /// The thread's rows by partition once the run partitions (then `table` stays empty).
        var partitions: PartitionedRows?
        /// Rows in `passed`.
        var passedRows: Int { passed.reduce(0) { $0 + $1.count } }
        private let keyTypes: [DataType]
        private let specs: [AggregateSpec]

        init(keyTypes: [DataType], specs: [AggregateSpec], maySpill: Bool = true) {
            table = makeGroupKeyTable(keyTypes: keyTypes)
            states = makeAggregateStates(specs)
            self.maySpill = maySpill
            self.keyTypes = keyTypes
            self.specs = specs
        }

        /// Sets the table's groups aside (their key columns and states) and starts an empty table.
        /// The new table is `makeGroupKeyTable(following:)` the old one.
        func flush() {
            flushed.append(GroupSource(keys: table.keyColumns(), count: table.count, states: states))
            table = makeGroupKeyTable(following: table)
            states = makeAggregateStates(specs)
            rowsInTable = 0
        }

        /// Drops the table and the states for empty ones.
        func reset() {
            table = makeGroupKeyTable(keyTypes: keyTypes)
            states = makeAggregateStates(specs)
            rowsInTable = 0
        }

        /// Every group of this thread: the set-aside ones (oldest first), then the table's (left
        /// out when empty). Order matters for order-sensitive aggregates: a group's rows were
        /// added in this order.
        /// Replaces the table by an empty one (its groups were taken by `sources()`), so that its
        /// memory is freed before the groups are merged.
        func releaseTable() { table = makeGroupKeyTable(keyTypes: keyTypes) }

        /// Appends `source` to the set-aside groups.
        func setAside(_ source: GroupSource) { flushed.append(source) }

        func sources() -> [GroupSource] {
            flushed
                + (table.count > 0 ? [GroupSource(keys: table.keyColumns(), count: table.count, states: states)] : [])
        }
    }

    /// Groups given as key columns and their aggregate states (`count` rows and groups).
    struct GroupSource {
        var keys: [Column]
        var count: Int
        var states: [AggregateState]
    }

    /// A thread's table is set aside once it holds this many groups and its rows were mostly new
    /// groups (`flushIfSparse`, `SetAsideRule`).
    static let flushGroups = SetAsideRule.keys

    /// Sets `p`'s table aside (`Partial.flush`) when it holds at least `flushGroups` groups
    /// (`flushAfterGroups` in tests) from fewer than 1.1 rows a group, and its layout is hashed
    /// over several keys (direct arrays and single keys gain nothing). Only when `flushFits`,
    /// not once it spills, nor in the tables of a spilled partition.
    func flushIfSparse(_ p: Partial) {
        guard p.maySpill, p.spill == nil else { return }
        if flushAfterGroups > 0 {
            if p.table.count >= flushAfterGroups {
                p.flush()
                p.passRows = passThroughRows
            }
            return
        }
        guard flushFits, SetAsideRule.isSparse(keys: p.table.count, rows: p.rowsInTable, minimum: Self.flushGroups)
        else { return }
        switch p.table.layout {
        case .packedHashed, .general:
            p.flush()
            p.passRows = passThroughRows
        default: return
        }
    }

    /// True when the set-aside groups can never be what passes the memory limit: with every input
    /// row a group of its own, the groups set aside and merged at the end (twice: sources and
    /// merged table) would take at most half the memory at which GROUP BY spills. A spill merges
    /// the set-aside groups in memory, so near the limit (or with an input of unknown size) tables
    /// are not set aside and GROUP BY spills as it would without.
    /// - Parameters:
    ///   - rows: an upper bound of the input rows (nil: unknown).
    ///   - limit: the memory limit in bytes (0: none).
    func setAsideFits(rows: Int?, limit: Int = MemoryGuard.limit) -> Bool {
        guard let rows else { return false }
        if limit == 0 { return true }
        let perGroup = 24 + 8 * groupColumns.count + 16 * aggregates.count
        return Double(rows) * Double(2 * perGroup) <= Double(limit) * MemoryGuard.spillFraction / 2
    }

    func consume(_ p: Partial, _ batch: Batch) throws {
        let n = batch.count
        if p.ids.count < n { p.ids = [Int32](repeating: 0, count: n) }
        // Most aggregates compute on 64-bit values: HUGEINT beyond Int64 is an error there
        // (keys are exact: GroupKeyTable compares HUGEINT keys in 128 bits).
        for (k, spec) in aggregates.enumerated() {
            guard let ic = spec.inputColumn, batch.columns[ic].highs != nil else { continue }
            if spec.distinct || !p.states[k].acceptsWideInput {
                try requireNarrow(batch.columns[ic], "aggregate \(spec.name)")
            }
        }
        if p.sampling { try follow(partitionChoice.mode, p) }
        if let rows = p.partitions { return scatter(batch, into: rows) }
        if p.spill == nil && p.maySpill && spillCodec != nil && shouldSpill(p, rows: n) {
            try setAsidePassed(p)
            p.passRows = 0
            p.spill = try PartitionedSpill()
            if p.sampling {
                // a spilling table keeps its rows: no thread partitions
                try follow(partitionChoice.decide(.tables), p)
            }
        }
        if p.spill != nil { return try consumeSpilling(p, batch) }
        if p.passRows > 0 { return try passThrough(p, batch) }
        if !groupColumns.isEmpty { flushIfSparse(p) }
        p.rowsInTable += n
        let keys = groupColumns.map { batch.columns[$0] }
        let groupsBefore = p.table.count
        p.ids.withUnsafeMutableBufferPointer { ids in
            // Without GROUP BY every row is in group 0: `p.ids` was created zeroed and nothing
            // writes another id into it, so one row registers the group.
            p.table.findOrInsert(keys, rowCount: groupColumns.isEmpty ? min(n, 1) : n, into: ids)
        }
        try update(p, batch, count: n)
        if p.sampling { try sampled(p, batch, count: n, groupsBefore: groupsBefore) }
    }

    /// Rows a thread passes by its table after setting a sparse table aside, before it tries a
    /// table again (tests: 4 x `flushAfterGroups`).
    var passThroughRows: Int { 4 * (flushAfterGroups > 0 ? flushAfterGroups : Self.flushGroups) }

    /// `consume` while `p` passes rows by its table (the keys were mostly new groups, so a table
    /// would gain little but cache misses): the batch is kept as it is, and every
    /// `flushGroups` rows (tests: `flushAfterGroups`) the kept rows become a group source of one
    /// group a row (`setAsidePassed`), merged with the other groups at the end, as DuckDB's
    /// aggregate does once its thread-local tables stop reducing their input.
    func passThrough(_ p: Partial, _ batch: Batch) throws {
        p.passed.append(batch)
        p.passRows -= batch.count
        if p.passRows <= 0 || p.passedRows >= passThroughRows / 4 { try setAsidePassed(p) }
    }

    /// Sets the rows `p` passed by its table aside as a group source: their key columns, and
    /// states with one group a row. Nothing when there are none.
    func setAsidePassed(_ p: Partial) throws {
        guard p.passedRows > 0 else { return }
        var c = BatchCollector(schema: input.schema)
        for b in p.passed { c.append(b) }
        let m = p.passedRows
        let columns = c.take()
        p.passed = []
        let states = makeAggregateStates(aggregates)
        let ids = [Int32](unsafeUninitializedCapacity: m) { ids, filled in
            for i in 0..<m { ids[i] = Int32(i) }
            filled = m
        }
        try update(states, groups: m, ids: ids, Batch(columns: columns, count: m), count: m)
        p.setAside(GroupSource(keys: groupColumns.map { columns[$0] }, count: m, states: states))
    }

    /// Adds the first `n` rows of `batch` to the states of `p`, row i to group `p.ids[i]`.
    func update(_ p: Partial, _ batch: Batch, count n: Int) throws {
        try update(p.states, groups: p.table.count, ids: p.ids, batch, count: n)
    }

    /// Adds the first `n` rows of `batch` to `states` (of `groups` groups), row i to group `ids[i]`.
    /// Rows clustered by their keys come as runs of one group (`GroupRuns`) to the states that
    /// use them, unless the aggregate has a FILTER or an ORDER BY.
    func update(_ states: [AggregateState], groups: Int, ids: [Int32], _ batch: Batch, count n: Int) throws {
        let takesRuns = { (k: Int) in
            states[k].usesRuns && self.aggregates[k].filterColumn == nil && self.aggregates[k].orderColumns.isEmpty
        }
        let runs =
            groups > 1 && aggregates.indices.contains(where: takesRuns)
            ? ids.withUnsafeBufferPointer { GroupRuns.of($0, count: n) } : nil
        for (k, spec) in aggregates.enumerated() {
            let state = states[k]
            state.resize(groups)
            var inputCol = spec.inputColumn.map { batch.columns[$0] }
            var order = spec.orderColumns.map { batch.columns[$0] }
            if let f = spec.filterColumn {
                let fc = batch.columns[f]
                var sel: [Int32] = []
                ScalarExpr.forEachTrue(fc) { sel.append(Int32($0)) }
                if sel.count < n {
                    let subIds = sel.map { ids[Int($0)] }
                    inputCol = inputCol.map { c in sel.withUnsafeBufferPointer { c.gather($0) } }
                    order = order.map { c in sel.withUnsafeBufferPointer { c.gather($0) } }
                    try subIds.withUnsafeBufferPointer {
                        try state.update(inputCol, order: order, ids: $0, count: sel.count)
                    }
                    continue
                }
            }
            try ids.withUnsafeBufferPointer { ids in
                if let runs, takesRuns(k) { return try state.update(inputCol, ids: ids, runs: runs, count: n) }
                try state.update(inputCol, order: order, ids: ids, count: n)
            }
        }
    }

    func run() throws -> Batch? {
        let inSchema = input.schema
        let keyTypes = groupColumns.map { inSchema[$0].type }
        var partials: [Partial] = []
        switch input {
        case .pull(let op):
            flushFits = false
            let p = Partial(keyTypes: keyTypes, specs: aggregates)
            while let b = try op.next() {
                try MemoryGuard.check()
                if b.count > 0 { try consume(p, b) }
            }
            if p.spill == nil { try setAsidePassed(p) }
            partials = [p]
        case .morsels(let src):
            flushFits = setAsideFits(rows: src.rowBound)
            let workers = max(1, min(threads, src.morselCount))
            partials = (0..<workers).map { _ in Partial(keyTypes: keyTypes, specs: aggregates) }
            let sample = partitioningAllowed(rows: src.rowBound, workers: workers)
            for p in partials { p.sampling = sample }
            // A block in pieces keeps a thread's buffers small and reused; a thread that scatters
            // rows into partitions takes blocks whole (a piece would split into tiny batches).
            let inPieces: (Int) -> Bool = { [partials] w in partials[w].partitions == nil }
            try MorselScheduler.run(src, threads: workers, pieces: inPieces) { [partials] w, _, b in
                try self.consume(partials[w], b)
            }
            if partials.contains(where: { $0.partitions != nil }) {
                // threads still sampling (too few rows to decide) follow the others
                for p in partials where p.sampling { try follow(.partitions, p) }
                pendingOutput = try partitionedResult(partials)
                partials = []
                return pendingOutput.isEmpty ? nil : pendingOutput.removeFirst()
            }
            for p in partials where p.sampling { try follow(.tables, p) }
            for p in partials where p.spill == nil { try setAsidePassed(p) }
        }
        if partials.contains(where: { $0.spill != nil }) {
            let s = try SpilledGroups(operator: self, partials: &partials)
            spilled = s
            return try s.nextBatch()
        }
        let (keyParts, states, groups) = try merged(partials, keyTypes: keyTypes)
        partials = []  // the per-thread tables and states are merged: free them before the result is built
        if groupColumns.isEmpty { return Batch(columns: try states.map { try $0.finalize(groups: 1) }, count: 1) }
        pendingOutput = try outputParts(keyParts, states, groups)
        return pendingOutput.isEmpty ? nil : pendingOutput.removeFirst()
    }

    /// The result rows of `groups` groups: the key columns, then each state's finalised column;
    /// nil when there are no groups.
    func output(_ keyCols: [Column], _ states: [AggregateState], _ groups: Int) throws -> Batch? {
        if groups == 0 { return nil }
        var cols = keyCols
        for s in states { cols.append(try s.finalize(groups: groups)) }
        return Batch(columns: cols, count: groups)
    }

    /// `output` over keys given in parts (groups numbered part after part): one batch a part,
    /// the finalised states sliced to match. Empty parts give no batch.
    func outputParts(_ keyParts: [[Column]], _ states: [AggregateState], _ groups: Int) throws -> [Batch] {
        if keyParts.count == 1 { return try output(keyParts[0], states, groups).map { [$0] } ?? [] }
        let finals = try states.map { try $0.finalize(groups: groups) }
        var batches: [Batch] = []
        var start = 0
        for part in keyParts {
            let n = part.first?.count ?? 0
            if n == 0 { continue }
            batches.append(Batch(columns: part + finals.map { $0.slice(start..<start + n) }, count: n))
            start += n
        }
        return batches
    }

    /// The partial aggregates combined: the distinct keys (in parts, groups numbered part after
    /// part), the merged states and the group count. Many groups, or groups set aside
    /// (`Partial.flush`), are combined partition by partition on all threads
    /// (`PartitionedKeyMerge`; one part a partition), and the states of different aggregates
    /// merge in parallel; few groups are inserted into the first partial's table (one part).
    func merged(_ partials: [Partial], keyTypes: [DataType]) throws -> ([[Column]], [AggregateState], Int) {
        let total = partials.reduce(0) { $0 + $1.table.count + $1.flushedGroups }
        let anyFlushed = partials.contains { !$0.flushed.isEmpty }
        let multiple = partials.filter { $0.table.count > 0 }.count > 1
        // direct tables (dense integer keys) insert the other tables' keys without hashing
        let allDirect = partials.allSatisfy { $0.table.layout == .intDirect }
        if !groupColumns.isEmpty
            && (anyFlushed || (multiple && !allDirect && total >= PartitionedKeyMerge.minimumGroups))
        {
            let sources = partials.flatMap { $0.sources() }
            // the sources hold the keys and states: the tables' slots and stored keys can go now
            for p in partials { p.releaseTable() }
            return try mergedSources(sources, keyTypes: keyTypes)
        }
        let global = partials[0]
        for p in partials.dropFirst() {
            for source in p.sources() { try add(source, to: global) }
        }
        let groups = global.table.count
        let keyCols = groups > 0 ? global.table.keyColumns() : keyTypes.map { Column.nulls($0, count: 0) }
        return ([keyCols], global.states, groups)
    }

    /// `sources` combined by `PartitionedKeyMerge` (a source's states merge in source order).
    private func mergedSources(_ sources: [GroupSource], keyTypes: [DataType]) throws -> (
        [[Column]], [AggregateState], Int
    ) {
        let m = PartitionedKeyMerge.mergeParts(
            sources: sources.map(\.keys), counts: sources.map(\.count), keyTypes: keyTypes, threads: threads)
        let count = m.partCounts.reduce(0, +)
        let states = makeAggregateStates(aggregates)
        try forEachAggregate(states.count) { k in
            states[k].resize(count)
            for (t, source) in sources.enumerated() {
                try m.mappings[t].withUnsafeBufferPointer { try states[k].merge(source.states[k], mapping: $0) }
            }
        }
        return (m.parts, states, count)
    }

    /// Inserts the groups of `source` into `global`'s table and merges their states into its states.
    func add(_ source: GroupSource, to global: Partial) throws {
        var mapping = [Int32](repeating: 0, count: source.count)
        mapping.withUnsafeMutableBufferPointer { m in
            global.table.findOrInsert(source.keys, rowCount: source.count, into: m)
        }
        let groups = global.table.count
        try forEachAggregate(global.states.count) { k in
            global.states[k].resize(groups)
            try mapping.withUnsafeBufferPointer { try global.states[k].merge(source.states[k], mapping: $0) }
        }
    }

    /// Runs `body(k)` for each aggregate index on up to `threads` threads; rethrows the first error.
    private func forEachAggregate(_ n: Int, _ body: (Int) throws -> Void) throws {
        if threads <= 1 || n <= 1 {
            for k in 0..<n { try body(k) }
            return
        }
        let failure = SchedulerState(total: 0)
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: n) { k in
                do { try box.value(k) } catch { failure.fail(error) }
            }
        }
        if let e = failure.failure { throw e }
    }

    public func next() throws -> Batch? {
        if let s = spilled { return try s.nextBatch() }
        if !pendingOutput.isEmpty { return pendingOutput.removeFirst() }
        if done { return nil }
        done = true
        return try run()
    }

    public var explainLine: String {
        let inSchema = input.schema
        let keys = groupColumns.map { inSchema[$0].name }.joined(separator: ", ")
        let aggs = aggregates.map(\.name).joined(separator: ", ")
        return "HashAggregate keys=[\(keys)] aggregates=[\(aggs)]"
    }

    public var children: [PhysicalOperator] {
        if case .pull(let p) = input { return [p] }
        return []
    }
}

/// When a hash table that takes keys row by row is set aside and replaced by a fresh one (GROUP
/// BY's `Partial.flush`, the set-aside keys of `RowDistinctCountState`): it holds at least
/// `minimum` keys (2^18 by default: a few MB of keys) filled from fewer than 1.1 rows a key, so
/// that growing it further would gain little but cache misses.
enum SetAsideRule {
    static let keys = 1 << 18

    /// True when a table of `keys` keys filled from `rows` rows should be set aside.
    static func isSparse(keys n: Int, rows: Int, minimum: Int) -> Bool { n >= minimum && rows * 10 < n * 11 }

    /// For a state that does not know its input's size: true while four times the memory it
    /// holds stays under the point where it would spill (`MemoryGuard.shouldSpill`).
    static func fits(held: Int) -> Bool { !MemoryGuard.shouldSpill(holding: 4 * held, growing: 4 * held) }
}
