import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

/// The window functions computed in chunks of sorted positions (`PositionChunks`): chunk edges at,
/// just before and just after partition and peer-group starts, chunks of one position, and one
/// chunk must all give the values of the definitions (computed here row by row).
@Suite struct WindowChunkTests {
    /// 40 sorted positions: partitions start at 0, 7, 8, 20 (20 positions long) and 40 is the end;
    /// peer groups also start at 3, 5, 12, 13, 14, 25 and 33 (position 7 is a one-row partition).
    static let n = 40
    static let partitionStarts: Set<Int> = [0, 7, 8, 20]
    static let peerStarts: Set<Int> = partitionStarts.union([3, 5, 12, 13, 14, 25, 33])

    /// The chunkings tried: one chunk, every position alone, and edges around every group start.
    static let chunkings: [[Int]] = [
        [], Array(1..<n), [7, 8, 20], [6, 9, 19, 21], [3, 13, 25, 33], [2, 4, 12, 14, 26, 34], [10, 30], [1, 39],
    ]

    /// A window over `n` rows whose sorted position i is row (i * 17) % n (so the results land in a
    /// shuffled row order), split into chunks at `edges`; column 0 holds row r's value r * 3, NULL where
    /// r % 4 == 1.
    static func partitions(edges: [Int]) -> WindowPartitions {
        let perm = (0..<n).map { Int32(($0 * 17) % n) }
        let values = (0..<n).map { r in r % 4 == 1 ? nil : Int64(r * 3) }
        let cuts = [0] + edges + [n]
        return WindowPartitions(
            columns: [intCol(values)], count: n, perm: perm,
            partStart: (0..<n).map { partitionStarts.contains($0) ? 1 : 0 },
            peerStart: (0..<n).map { peerStarts.contains($0) ? 1 : 0 }, orderBy: [SortKey(column: 0)],
            chunking: PositionChunks(ranges: zip(cuts, cuts.dropFirst()).map { $0..<$1 }))
    }

    /// The first position of the group holding i (`starts`: partition or peer-group starts).
    static func groupStart(_ i: Int, _ starts: Set<Int>) -> Int { (0...i).last { starts.contains($0) }! }
    static func groupEnd(_ i: Int, _ starts: Set<Int>) -> Int {
        ((i + 1)...n).first { $0 == n || starts.contains($0) }!
    }

    /// `values[sorted position]` moved to row order.
    static func byRow(_ values: [Value]) -> [Value] {
        var out = [Value](repeating: .null, count: n)
        for i in 0..<n { out[(i * 17) % n] = values[i] }
        return out
    }

    @Test(arguments: chunkings) func ranking(edges: [Int]) throws {
        let p = Self.partitions(edges: edges)
        let rowNumber = (0..<Self.n).map { Value.int(Int64($0 - Self.groupStart($0, Self.partitionStarts) + 1)) }
        let rank = (0..<Self.n).map { i in
            Value.int(Int64(Self.groupStart(i, Self.peerStarts) - Self.groupStart(i, Self.partitionStarts) + 1))
        }
        let dense = (0..<Self.n).map { i in
            let ps = Self.groupStart(i, Self.partitionStarts)
            return Value.int(Int64((ps...i).filter { Self.peerStarts.contains($0) }.count))
        }
        #expect(values(p.ranking(.rowNumber)) == Self.byRow(rowNumber))
        #expect(values(p.ranking(.rank)) == Self.byRow(rank))
        #expect(values(p.ranking(.denseRank)) == Self.byRow(dense))
    }

    @Test(arguments: chunkings) func distribution(edges: [Int]) throws {
        let p = Self.partitions(edges: edges)
        let cume = (0..<Self.n).map { i in
            let ps = Self.groupStart(i, Self.partitionStarts)
            let pe = Self.groupEnd(i, Self.partitionStarts)
            return Value.double(Double(Self.groupEnd(i, Self.peerStarts) - ps) / Double(pe - ps))
        }
        let percent = (0..<Self.n).map { i in
            let ps = Self.groupStart(i, Self.partitionStarts)
            let pe = Self.groupEnd(i, Self.partitionStarts)
            let rank = Self.groupStart(i, Self.peerStarts) - ps + 1
            return Value.double(pe - ps > 1 ? Double(rank - 1) / Double(pe - ps - 1) : 0)
        }
        #expect(values(p.distribution(WindowFunction(.cumeDist))) == Self.byRow(cume))
        #expect(values(p.distribution(WindowFunction(.percentRank))) == Self.byRow(percent))
        let single = Self.partitions(edges: [])
        #expect(
            values(p.distribution(WindowFunction(.ntile, offset: 3)))
                == values(single.distribution(WindowFunction(.ntile, offset: 3))))
    }

    /// The value of column 0 at sorted position i.
    static func value(_ i: Int) -> Value {
        let r = (i * 17) % n
        return r % 4 == 1 ? .null : .int(Int64(r * 3))
    }

    /// lag / lead with offsets 0, 1 and 3, plain and IGNORE NULLS, against the definition.
    @Test(arguments: chunkings) func lagLead(edges: [Int]) throws {
        let p = Self.partitions(edges: edges)
        let value = Self.value
        for kind in [WindowFunction.Kind.lag, .lead] {
            for offset in [0, 1, 3] {
                for ignoreNulls in [false, true] {
                    var f = WindowFunction(kind, argument: 0, offset: offset)
                    f.ignoreNulls = ignoreNulls
                    let expected = (0..<Self.n).map { i -> Value in
                        let ps = Self.groupStart(i, Self.partitionStarts)
                        let pe = Self.groupEnd(i, Self.partitionStarts)
                        if offset == 0 { return value(i) }
                        var candidates = kind == .lag ? Array((ps..<i).reversed()) : Array((i + 1)..<pe)
                        if ignoreNulls { candidates = candidates.filter { value($0) != .null } }
                        return candidates.count >= offset ? value(candidates[offset - 1]) : .null
                    }
                    #expect(values(p.lagLead(f)) == Self.byRow(expected), "\(kind) \(offset) \(ignoreNulls)")
                }
            }
        }
    }

    /// Running count and sum (`runningIntAggregate`, and the block path `framed` takes for so few
    /// rows): ROWS to the current row, RANGE to the end of the row's peer group, from the
    /// partition's first row.
    @Test(arguments: chunkings) func runningAggregates(edges: [Int]) throws {
        let p = Self.partitions(edges: edges)
        for mode in [WindowFrame.Mode.rows, .range] {
            let frame = WindowFrame(mode: mode, start: .unboundedPreceding, end: .currentRow)
            let frames = (0..<Self.n).map { i in
                (Self.groupStart(i, Self.partitionStarts), mode == .rows ? i + 1 : Self.groupEnd(i, Self.peerStarts))
            }
            let inFrame = frames.map { s, e in
                (s..<e).compactMap { i -> Int64? in
                    if case .int(let x) = Self.value(i) { return x }
                    return nil
                }
            }
            let count = inFrame.map { Value.int(Int64($0.count)) }
            let sum = inFrame.map { $0.isEmpty ? Value.null : .int($0.reduce(0, +)) }
            for (kind, expected) in [(WindowFunction.Kind.count, count), (.sum, sum)] {
                let f = WindowFunction(kind, argument: 0, frame: frame)
                let running = try #require(p.runningIntAggregate(f, p.columns[0], frame))
                #expect(values(running) == Self.byRow(expected))
                #expect(values(try p.framed(f)) == Self.byRow(expected))  // the block path
            }
        }
    }

    @Test func chunksCarryMarks() {
        let chunks = PositionChunks(ranges: [0..<3, 3..<5, 5..<9, 9..<12])
        let marks: [UInt8] = [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
        #expect(chunks.lastMarkBefore(marks) == [0, 0, 0, 6])
        #expect(chunks.firstMarkAfter(marks, count: 12) == [6, 6, 12, 12])
    }

    @Test(arguments: [0, 1, 100, 16_384, 50_000, 1 << 20]) func chunksCoverPositions(count: Int) {
        let chunks = PositionChunks(count: count, threads: 2)
        #expect(chunks.ranges.first?.lowerBound ?? 0 == 0)
        #expect(chunks.ranges.last?.upperBound ?? 0 == count)
        #expect(zip(chunks.ranges, chunks.ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(chunks.ranges.allSatisfy { !$0.isEmpty })
        #expect(chunks.ranges.count <= 8)
    }
}

/// A column's values, row by row.
private func values(_ c: Column) -> [Value] { (0..<c.count).map { c.value(at: $0) } }
