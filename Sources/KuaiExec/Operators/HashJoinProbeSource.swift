import KuaiCore

/// The probe side of a hash join as a `MorselSource`: each morsel of `probe` is joined against a
/// table built beforehand, so scan -> filter -> probe -> aggregate runs on every core.
///
/// Supported join types: inner, left (probe = left input), semi, anti (probe = left input), and
/// cross/inner with empty keys. Build-side outer joins (right/full) need global match flags: use
/// `HashJoinOperator` for those. Output of one morsel is one batch (left ++ right columns).
public final class HashJoinProbeSource: MorselSource, @unchecked Sendable {
    public let probe: MorselSource
    public let table: JoinHashTable
    public let type: JoinType
    public let probeKeys: [Int]
    public let schema: Schema
    private let buildSchema: Schema
    private let residual: ((Batch) throws -> Column)?
    public let nullAware: Bool

    /// - Parameters:
    ///   - probe: the left input (its morsels are probed independently).
    ///   - build: the right input's rows, keyed by the right keys (`JoinHashTable(columns:count:keys:)`).
    ///   - buildSchema: the right input's schema.
    ///   - probeKeys: key column indexes of the left input, parallel to `build.keys`.
    /// - Precondition: `type` is inner, left, semi, anti or cross.
    ///   - nullAware: NOT IN semantics for `.anti` (see `HashJoinOperator.init`).
    public init(
        probe: MorselSource, build: JoinHashTable, buildSchema: Schema, type: JoinType, probeKeys: [Int],
        residual: ((Batch) throws -> Column)? = nil, nullAware: Bool = false
    ) {
        self.nullAware = nullAware && type == .anti
        precondition(
            [.inner, .left, .semi, .anti, .cross].contains(type), "HashJoinProbeSource: \(type) needs HashJoinOperator")
        self.probe = probe
        self.table = build
        self.type = type
        self.probeKeys = probeKeys
        self.buildSchema = buildSchema
        self.residual = residual
        self.schema = (type == .semi || type == .anti) ? probe.schema : probe.schema + buildSchema
    }

    public var morselCount: Int { probe.morselCount }
    public func prepare() throws { try probe.prepare() }

    public func morsel(_ i: Int) throws -> Batch? {
        guard let b = try probe.morsel(i), b.count > 0 else { return nil }
        let prober = JoinProber(
            table: table, type: type, probeIsLeft: true, probeKeys: probeKeys,
            probeSchema: probe.schema, buildSchema: buildSchema, residual: residual, trackBuild: false)
        prober.nullAware = nullAware
        var parts: [Batch] = []
        try prober.process(b) {
            try QueryControl.checkInterrupt()  // a morsel can fan out into millions of rows
            parts.append($0)
        }
        if parts.isEmpty { return nil }
        if parts.count == 1 { return parts[0] }
        var c = BatchCollector(schema: schema)
        for p in parts { c.append(p) }
        let n = c.count
        return Batch(columns: c.take(), count: n)
    }

    public var explainLine: String {
        let keys = zip(probeKeys, table.keys).map { "#\($0.0)=#\($0.1)" }.joined(separator: ", ")
        return "HashJoinProbe \(type.sqlName) build=right keys=[\(keys)]" + (residual != nil ? " residual" : "")
    }
    public var explainChildren: [String] { [probe.explainLine] + probe.explainChildren.map { "  " + $0 } }
}

/// A hash-join probe over morsels whose build side is materialised on first use (so planning
/// and EXPLAIN do not run the build input). Thread-safe: the first morsel request builds.
public final class LazyJoinProbeSource: MorselSource, @unchecked Sendable {
    public let probe: MorselSource
    public let build: PhysicalOperator
    public let type: JoinType
    public let probeKeys: [Int]
    public let buildKeys: [Int]
    public let residual: ((Batch) throws -> Column)?
    public let schema: Schema
    /// Threads that build the table (`JoinHashTable`).
    public let threads: Int
    /// Filters of the probe input's keys (`JoinKeyFilter`, placed below in its scans), published
    /// from the build's key columns before any probe row is read; nil entries for keys without one.
    public let probeKeyFilters: [JoinKeyFilter?]
    private let lock = Mutex()
    private var inner: HashJoinProbeSource?
    private var failure: Error?

    /// - Parameters: as `HashJoinProbeSource`, with the build input as an operator and its key
    ///   columns, and the threads that build the table.
    public init(
        probe: MorselSource, build: PhysicalOperator, type: JoinType, probeKeys: [Int], buildKeys: [Int],
        residual: ((Batch) throws -> Column)?, threads: Int = 1, probeKeyFilters: [JoinKeyFilter?] = []
    ) {
        self.probeKeyFilters = probeKeyFilters
        self.threads = max(1, threads)
        self.probe = probe
        self.build = build
        self.type = type
        self.probeKeys = probeKeys
        self.buildKeys = buildKeys
        self.residual = residual
        self.schema = (type == .semi || type == .anti) ? probe.schema : probe.schema + build.schema
    }

    public var morselCount: Int { probe.morselCount }

    func source() throws -> HashJoinProbeSource {
        try lock.withLock {
            if let inner { return inner }
            if let failure { throw failure }
            do {
                let (cols, n) = try materializeColumns(build)
                for (i, f) in probeKeyFilters.enumerated() { f?.publish(cols[buildKeys[i]], count: n) }
                // a semi / anti join without a residual only asks whether a key is present
                let keysOnly = (type == .semi || type == .anti) && residual == nil
                let table = try JoinHashTable(
                    columns: cols, count: n, keys: buildKeys, threads: threads, keysOnly: keysOnly)
                let s = HashJoinProbeSource(
                    probe: probe, build: table, buildSchema: build.schema, type: type,
                    probeKeys: probeKeys, residual: residual)
                inner = s
                return s
            } catch {
                failure = error
                throw error
            }
        }
    }

    /// Builds the table (once), then prepares the probe input.
    public func prepare() throws { try source().prepare() }
    public func morsel(_ i: Int) throws -> Batch? { try source().morsel(i) }

    public var explainLine: String {
        let keys = zip(probeKeys, buildKeys).map { "#\($0.0)=#\($0.1)" }.joined(separator: ", ")
        return "HashJoin \(type.sqlName) build=right probe=parallel keys=[\(keys)]"
            + (residual != nil ? " residual" : "")
    }

    /// The probe side's lines, then the build side's (marked `build:`).
    public var explainChildren: [String] {
        [probe.explainLine] + probe.explainChildren.map { "  " + $0 } + ["build: " + build.explainLine]
    }
}
