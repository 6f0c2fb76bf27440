import KuaiCore

/// The kinds of join. `semi`/`anti` keep the left rows that have / have no match (left columns
/// only); `cross` pairs every left row with every right row.
public enum JoinType: String, Sendable, Hashable {
    case inner, left, right, full, semi, anti, cross

    /// `INNER`, `LEFT`, ... (EXPLAIN).
    public var sqlName: String { rawValue.uppercased() }
}

/// Which input the hash table is built on. `.auto` builds on the smaller input (see
/// `HashJoinOperator`).
public enum BuildSide: String, Sendable, Hashable {
    case auto, left, right
}

/// Equi-join by hash: builds a `JoinHashTable` on one input, streams the other through it.
///
/// - Output columns: left columns ++ right columns (semi/anti: left columns only).
/// - Keys: `leftKeys[i]` of the left input equals `rightKeys[i]` of the right input; NULL keys
///   never match; integer types compare by value (DOUBLE against integer by value); VARCHAR keys
///   by string value (codes are translated once per distinct code when dictionaries differ).
/// - `residual`: the other ON conditions, evaluated on the joined batch (left ++ right columns)
///   of candidate pairs; it returns a BOOLEAN column where NULL counts as false. A LEFT join row
///   whose candidates all fail is emitted with NULLs, as in SQL.
/// - Anti join: left rows with no matching right row, including rows with a NULL key (NOT EXISTS
///   semantics; NOT IN's NULL rule is the planner's job).
/// - Build side: `.right`/`.left` as given. `.auto` materialises the right input (the left one
///   with `readLeftFirst`), then buffers batches of the other until it exceeds that row count: if
///   the other input ends first it is the build side, otherwise the one read first is.
/// - Key filters (`leftKeyFilters`, `rightKeyFilters`): published from the input read first, so
///   that operators below this join drop rows of the other input that cannot match.
/// - Empty key lists give a nested-loop (cross product + residual) join.
public final class HashJoinOperator: PhysicalOperator {
    public let schema: Schema
    public let left: PhysicalOperator
    public let right: PhysicalOperator
    public let type: JoinType
    public let leftKeys: [Int]
    public let rightKeys: [Int]
    public let residual: ((Batch) throws -> Column)?
    public let requestedBuildSide: BuildSide
    /// NOT IN semantics for an anti join (see `init`).
    public let nullAware: Bool
    /// The side the table was built on (after the first `next()` for `.auto`).
    public private(set) var buildSide: BuildSide
    private var label: String

    /// Read the left input first under `.auto` (the planner expects it to be the smaller one).
    public var readLeftFirst = false
    /// Threads that build the table (`JoinHashTable`).
    public var buildThreads = 1
    /// Filters on the left input's keys (entry i for `leftKeys[i]`, nil: none), published from the
    /// right input's keys as soon as the right input is read in full, before the left is read
    /// (`JoinKeyFilter`; the planner places them below this join where they are valid).
    public var leftKeyFilters: [JoinKeyFilter?] = []
    /// Filters on the right input's keys, published from the left input's keys likewise.
    public var rightKeyFilters: [JoinKeyFilter?] = []

    private var prober: JoinProber?
    private var pendingProbe: [Batch] = []
    private var probeInput: PhysicalOperator?
    private var output: [Batch] = []
    private var outputIndex = 0
    private var started = false
    private var finished = false

    /// - Parameter nullAware: for `.anti` only, NOT IN semantics as DuckDB: no rows when the
    ///   right side has a NULL key, all left rows when the right side is empty, otherwise the
    ///   left rows with non-NULL keys and no match. Builds on the right.
    public init(
        left: PhysicalOperator, right: PhysicalOperator, type: JoinType, leftKeys: [Int], rightKeys: [Int],
        residual: ((Batch) throws -> Column)? = nil, buildSide: BuildSide = .auto, nullAware: Bool = false
    ) {
        precondition(leftKeys.count == rightKeys.count, "HashJoin: key lists differ in length")
        self.nullAware = nullAware && type == .anti
        self.left = left
        self.right = right
        self.type = type
        self.leftKeys = leftKeys
        self.rightKeys = rightKeys
        self.residual = residual
        self.requestedBuildSide = self.nullAware ? .right : buildSide
        self.buildSide = self.requestedBuildSide
        self.schema = (type == .semi || type == .anti) ? left.schema : left.schema + right.schema
        self.label = "HashJoin"
    }

    /// Internal: the label used by `NestedLoopJoinOperator`.
    func setLabel(_ l: String) { label = l }

    private func start() throws {
        started = true
        var side = requestedBuildSide
        var buildCols: [Column] = []
        var buildCount = 0
        if side == .auto {
            // read the input expected to be smaller in full, then the other one up to as many rows
            let firstIsLeft = readLeftFirst
            let (first, second) = firstIsLeft ? (left, right) : (right, left)
            let f = try materializeColumns(first)
            publish(firstIsLeft ? rightKeyFilters : leftKeyFilters, firstIsLeft ? leftKeys : rightKeys, f)
            var buffered: [Batch] = []
            var secondCount = 0
            var secondDone = false
            while secondCount <= f.count {
                guard let b = try second.next() else {
                    secondDone = true
                    break
                }
                try MemoryGuard.check()
                buffered.append(b)
                secondCount += b.count
            }
            if secondDone && secondCount < f.count {
                // the second input is the smaller one: build on it, probe with the first
                side = firstIsLeft ? .right : .left
                var c = BatchCollector(schema: second.schema)
                for b in buffered { c.append(b) }
                buildCount = c.count
                buildCols = c.take()
                probeInput = BatchReplayOperator(schema: first.schema, columns: f.columns, count: f.count)
            } else {
                side = firstIsLeft ? .left : .right
                buildCols = f.columns
                buildCount = f.count
                pendingProbe = buffered
                probeInput = secondDone ? nil : second
            }
        } else if side == .right {
            (buildCols, buildCount) = try materializeColumns(right)
            publish(leftKeyFilters, rightKeys, (buildCols, buildCount))
            probeInput = left
        } else {
            (buildCols, buildCount) = try materializeColumns(left)
            publish(rightKeyFilters, leftKeys, (buildCols, buildCount))
            probeInput = right
        }
        buildSide = side
        let probeIsLeft = side == .right
        // a semi / anti join probed from its left side without a residual only asks whether a key
        // is present
        let keysOnly = probeIsLeft && (type == .semi || type == .anti) && residual == nil
        let table = try JoinHashTable(
            columns: buildCols, count: buildCount, keys: probeIsLeft ? rightKeys : leftKeys, threads: buildThreads,
            keysOnly: keysOnly)
        let trackBuild: Bool
        switch type {
        case .full: trackBuild = true
        case .left, .semi, .anti: trackBuild = !probeIsLeft
        case .right: trackBuild = probeIsLeft
        case .inner, .cross: trackBuild = false
        }
        prober = JoinProber(
            table: table, type: type, probeIsLeft: probeIsLeft,
            probeKeys: probeIsLeft ? leftKeys : rightKeys,
            probeSchema: probeIsLeft ? left.schema : right.schema,
            buildSchema: probeIsLeft ? right.schema : left.schema,
            residual: residual, trackBuild: trackBuild)
        prober?.nullAware = nullAware
    }

    /// Publishes each filter of `filters` from the key column `keys[i]` of the read input `read`.
    private func publish(_ filters: [JoinKeyFilter?], _ keys: [Int], _ read: (columns: [Column], count: Int)) {
        for (i, f) in filters.enumerated() {
            f?.publish(read.columns[keys[i]], count: read.count)
        }
    }

    public func next() throws -> Batch? {
        if !started { try start() }
        while true {
            if outputIndex < output.count {
                outputIndex += 1
                let b = output[outputIndex - 1]
                if outputIndex == output.count {
                    output.removeAll(keepingCapacity: true)
                    outputIndex = 0
                }
                return b
            }
            if finished { return nil }
            guard let prober else { return nil }
            var probeBatch: Batch? = nil
            if !pendingProbe.isEmpty {
                probeBatch = pendingProbe.removeFirst()
            } else if let input = probeInput {
                probeBatch = try input.next()
                if probeBatch == nil { probeInput = nil }
            }
            if var b = probeBatch {
                // Without keys every probe row meets every build row: probe a slice whose pairs fill about one
                // output chunk, so that output streams (a LIMIT above stops the product early).
                let buildRows = prober.table.rowCount
                if leftKeys.isEmpty && buildRows > 0 && b.count > 1 && b.count * buildRows > JoinProber.chunkSize {
                    let rows = max(1, JoinProber.chunkSize / buildRows)
                    if rows < b.count {
                        pendingProbe.insert(b.slice(rows..<b.count), at: 0)
                        b = b.slice(0..<rows)
                    }
                }
                try prober.process(b) {
                    try QueryControl.checkInterrupt()  // a batch can fan out into millions of rows
                    output.append($0)
                }
            } else {
                try prober.finish { output.append($0) }
                finished = true
                self.prober = nil
            }
        }
    }

    public var explainLine: String {
        var keys = zip(leftKeys, rightKeys).map { "#\($0.0)=#\($0.1)" }.joined(separator: ", ")
        if keys.isEmpty { keys = "" }
        return "\(label) \(type.sqlName)\(nullAware ? " null-aware" : "") build=\(buildSide.rawValue) keys=[\(keys)]"
            + (residual != nil ? " residual" : "") + Self.filterText("left", leftKeyFilters, leftKeys)
            + Self.filterText("right", rightKeyFilters, rightKeys)
    }
    public var children: [PhysicalOperator] { [left, right] }

    /// ` filters side=[#k, ...]` for the key columns of one input that carry a key filter ("" for none).
    private static func filterText(_ side: String, _ filters: [JoinKeyFilter?], _ keys: [Int]) -> String {
        let filtered = zip(filters, keys).compactMap { f, k in f.map { _ in "#\(k)" } }
        return filtered.isEmpty ? "" : " filters \(side)=[\(filtered.joined(separator: ", "))]"
    }
}
