import KuaiCore

/// UNION ALL: the batches of each child in turn. The planner has unified the column types
/// (DuckDB's rules); the schema (names too) is the first child's.
public final class UnionAllOperator: PhysicalOperator {
    public let schema: Schema
    public let children: [PhysicalOperator]
    private var current = 0

    /// - Precondition: at least one child; every child has the first child's column count.
    public init(children: [PhysicalOperator]) {
        precondition(!children.isEmpty, "UnionAll needs at least one input")
        self.children = children
        self.schema = children[0].schema
    }

    public func next() throws -> Batch? {
        while current < children.count {
            if let b = try children[current].next() { return b }
            current += 1
        }
        return nil
    }

    public var explainLine: String { "UnionAll inputs=\(children.count)" }
}

/// UNION ALL over morsel sources: the morsels of each child in turn, so a union of scans stays
/// parallel (e.g. the event tables of the funnel and fact-table queries).
public final class UnionAllSource: MorselSource, @unchecked Sendable {
    public let schema: Schema
    public let sources: [MorselSource]
    private let starts: [Int]

    /// - Precondition: at least one source; all with the first source's column count and types.
    public init(sources: [MorselSource]) {
        precondition(!sources.isEmpty, "UnionAll needs at least one input")
        self.sources = sources
        self.schema = sources[0].schema
        var s: [Int] = [0]
        for src in sources { s.append(s.last! + src.morselCount) }
        self.starts = s
    }

    public var morselCount: Int { starts.last! }
    public var rowBound: Int? {
        sources.reduce(Int?(0)) { total, src in total.flatMap { t in src.rowBound.map { t + $0 } } }
    }

    public func prepare() throws {
        for s in sources { try s.prepare() }
    }

    public func morsel(_ i: Int) throws -> Batch? {
        var k = 0
        while i >= starts[k + 1] { k += 1 }
        return try sources[k].morsel(i - starts[k])
    }

    public var explainLine: String { "UnionAll inputs=\(sources.count)" }
    public var explainChildren: [String] {
        sources.flatMap { [$0.explainLine] + $0.explainChildren.map { "  " + $0 } }
    }
}
