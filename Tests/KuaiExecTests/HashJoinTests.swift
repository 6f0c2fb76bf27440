import Dispatch
import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

/// Rows sorted by their text, for order-insensitive comparison (joins do not promise an order).
func sortedRows(_ r: [[Value]]) -> [[Value]] {
    r.sorted { $0.description < $1.description }
}

/// A morsel source over fixed batches (one morsel per batch).
final class TestMorsels: MorselSource, @unchecked Sendable {
    let schema: Schema
    let batches: [Batch]
    init(_ batches: [[Column]]) {
        self.batches = batches.map { Batch(columns: $0) }
        schema = batches[0].enumerated().map { Field("c\($0.offset)", $0.element.type) }
    }
    var morselCount: Int { batches.count }
    func morsel(_ i: Int) throws -> Batch? { batches[i] }
    var explainLine: String { "TestMorsels" }
    var explainChildren: [String] { [] }
}

@Suite struct HashJoinTests {
    // DuckDB fixture:
    //   create table l as select * from (values (1,'a'),(2,'b'),(NULL,'c'),(2,'d'),(3,'e')) t(k,v)
    //   create table r as select * from (values (2,'x'),(2,'y'),(NULL,'z'),(4,'q'),(1,'p')) t(k,w)
    // Left comes in two batches, right in two batches with different dictionaries.
    func l() -> BatchReplayOperator {
        source([
            [intCol([1, 2, nil], type: .integer), strCol(["a", "b", "c"])],
            [intCol([2, 3], type: .integer), strCol(["d", "e"])],
        ])
    }
    func r() -> BatchReplayOperator {
        source([[intCol([2, 2, nil]), strCol(["x", "y", "z"])], [intCol([4, 1]), strCol(["q", "p"])]])
    }
    /// The sorted rows of a hash join of `left` (default `l()`) and `right` (default `r()`) on
    /// `keys` (the same column numbers on both sides).
    func join(
        _ t: JoinType, _ side: BuildSide = .auto, left: PhysicalOperator? = nil, right: PhysicalOperator? = nil,
        keys: [Int] = [0], residual: ((Batch) throws -> Column)? = nil, nullAware: Bool = false
    ) throws -> [[Value]] {
        sortedRows(
            try rows(
                HashJoinOperator(
                    left: left ?? l(), right: right ?? r(), type: t, leftKeys: keys, rightKeys: keys,
                    residual: residual, buildSide: side, nullAware: nullAware)))
    }
    /// r.w > 'x' on the joined batch (column 3 = w).
    static func wAfterX(_ b: Batch) throws -> Column {
        Column(
            type: .boolean,
            ints: (0..<b.count).map { i in
                if case .string(let s) = b.columns[3].value(at: i), s > "x" { return 1 }
                return 0
            })
    }

    static let sides: [BuildSide] = [.left, .right, .auto]

    /// DuckDB: select * from l join r on l.k=r.k order by all
    static let matched: [[Value]] = [
        [int(1), str("a"), int(1), str("p")], [int(2), str("b"), int(2), str("x")],
        [int(2), str("b"), int(2), str("y")], [int(2), str("d"), int(2), str("x")],
        [int(2), str("d"), int(2), str("y")],
    ]
    /// The rows of l without a match, NULL-extended (the left and full joins add them).
    static let leftUnmatched: [[Value]] = [[int(3), str("e"), nul, nul], [nul, str("c"), nul, nul]]
    /// The rows of r without a match, NULL-extended (the right and full joins add them).
    static let rightUnmatched: [[Value]] = [[nul, nul, int(4), str("q")], [nul, nul, nul, str("z")]]

    /// DuckDB: select * from l <inner|left|right|full> join r on l.k=r.k order by all
    static let equiJoins: [(JoinType, [[Value]])] = [
        (.inner, matched), (.left, matched + leftUnmatched), (.right, matched + rightUnmatched),
        (.full, matched + leftUnmatched + rightUnmatched),
    ]

    @Test(arguments: equiJoins, sides)
    func equiJoin(_ expected: (type: JoinType, rows: [[Value]]), side: BuildSide) throws {
        #expect(try join(expected.type, side) == sortedRows(expected.rows))
    }

    // DuckDB: select * from l where exists (select 1 from r where r.k=l.k) -> (1,'a'),(2,'b'),(2,'d')
    //         select * from l where not exists (...) -> (3,'e'),(NULL,'c')
    @Test(arguments: sides) func semiAnti(side: BuildSide) throws {
        #expect(try join(.semi, side) == sortedRows([[int(1), str("a")], [int(2), str("b")], [int(2), str("d")]]))
        #expect(try join(.anti, side) == sortedRows([[int(3), str("e")], [nul, str("c")]]))
    }

    /// DuckDB: select * from l left join r on l.k=r.k and r.w > 'x' order by all (the same with r3)
    static let leftWAfterX: [[Value]] = [
        [int(1), str("a"), nul, nul], [int(2), str("b"), int(2), str("y")], [int(2), str("d"), int(2), str("y")],
        [int(3), str("e"), nul, nul], [nul, str("c"), nul, nul],
    ]

    // DuckDB: select * from l left join r on l.k=r.k and r.w > 'x' order by all
    //  -> [(1,'a',None,None), (2,'b',2,'y'), (2,'d',2,'y'), (3,'e',None,None), (None,'c',None,None)]
    // DuckDB: select * from l full join r on l.k=r.k and r.w > 'x' order by all
    //  -> ... + (None,None,1,'p'), (None,None,2,'x'), (None,None,4,'q'), (None,None,None,'z')
    @Test(arguments: sides) func residualOuter(side: BuildSide) throws {
        #expect(try join(.left, side, residual: Self.wAfterX) == sortedRows(Self.leftWAfterX))
        #expect(
            try join(.full, side, residual: Self.wAfterX)
                == sortedRows(
                    Self.leftWAfterX + [
                        [nul, nul, int(1), str("p")], [nul, nul, int(2), str("x")], [nul, nul, int(4), str("q")],
                        [nul, nul, nul, str("z")],
                    ]))
        #expect(
            try join(.inner, side, residual: Self.wAfterX)
                == sortedRows([[int(2), str("b"), int(2), str("y")], [int(2), str("d"), int(2), str("y")]]))
    }

    // Unique build keys with a residual. DuckDB:
    //   create table r3 as select * from (values (4,'q'),(1,'p'),(NULL,'z'),(2,'y')) t(k,w)
    //   select * from l left join r3 on l.k=r3.k and r3.w > 'x' order by all
    //   -> [(1,'a',None,None), (2,'b',2,'y'), (2,'d',2,'y'), (3,'e',None,None), (None,'c',None,None)]
    //   select * from l right join r3 on l.k=r3.k and r3.w > 'x' order by all
    //   -> [(2,'b',2,'y'), (2,'d',2,'y'), (None,None,1,'p'), (None,None,4,'q'), (None,None,None,'z')]
    @Test(arguments: sides) func residualUniqueBuild(side: BuildSide) throws {
        let r3 = { source([[intCol([4, 1]), strCol(["q", "p"])], [intCol([nil, 2]), strCol(["z", "y"])]]) }
        #expect(try join(.left, side, right: r3(), residual: Self.wAfterX) == sortedRows(Self.leftWAfterX))
        #expect(
            try join(.right, side, right: r3(), residual: Self.wAfterX)
                == sortedRows([
                    [int(2), str("b"), int(2), str("y")], [int(2), str("d"), int(2), str("y")],
                    [nul, nul, int(1), str("p")], [nul, nul, int(4), str("q")], [nul, nul, nul, str("z")],
                ]))
    }

    // DuckDB: select * from l where exists (select 1 from r where r.k=l.k and r.w > 'x') -> (2,'b'),(2,'d')
    //         ... not exists ... -> (1,'a'),(3,'e'),(None,'c')
    @Test(arguments: sides) func residualSemiAnti(side: BuildSide) throws {
        #expect(
            try join(.semi, side, residual: Self.wAfterX) == sortedRows([[int(2), str("b")], [int(2), str("d")]]))
        #expect(
            try join(.anti, side, residual: Self.wAfterX)
                == sortedRows([[int(1), str("a")], [int(3), str("e")], [nul, str("c")]]))
    }

    // DuckDB: select count(*) from l cross join r -> 25
    // DuckDB: select * from l join r on l.k < r.k order by all
    //  -> [(1,'a',2,'x'), (1,'a',2,'y'), (1,'a',4,'q'), (2,'b',4,'q'), (2,'d',4,'q'), (3,'e',4,'q')]
    @Test func crossAndNestedLoop() throws {
        #expect(try rows(NestedLoopJoinOperator(left: l(), right: r(), type: .cross)).count == 25)
        let less: (Batch) throws -> Column = { b in
            Column(
                type: .boolean,
                ints: (0..<b.count).map { i in
                    if case .int(let a) = b.columns[0].value(at: i), case .int(let c) = b.columns[2].value(at: i), a < c
                    {
                        return 1
                    }
                    return 0
                })
        }
        let got = sortedRows(try rows(NestedLoopJoinOperator(left: l(), right: r(), type: .inner, predicate: less)))
        #expect(
            got
                == sortedRows([
                    [int(1), str("a"), int(2), str("x")], [int(1), str("a"), int(2), str("y")],
                    [int(1), str("a"), int(4), str("q")],
                    [int(2), str("b"), int(4), str("q")], [int(2), str("d"), int(4), str("q")],
                    [int(3), str("e"), int(4), str("q")],
                ]))
    }

    // A join without keys streams: the probe batch is cut into slices whose pairs fill about one output chunk,
    // so the first batch comes before the whole product exists. The rows are those of the full product:
    // 1000 x 300 pairs; LEFT JOIN ON l.k < r.k keeps, per left k, the r values above it (or one NULL row).
    @Test func nestedLoopStreamsInChunks() throws {
        let left = { source([[intCol((0..<1000).map { Int64($0) })]]) }
        let right = { source([[intCol((0..<300).map { Int64($0 * 3) })]]) }
        let cross = NestedLoopJoinOperator(left: left(), right: right(), type: .cross)
        let first = try #require(try cross.next())
        #expect(first.count <= JoinProber.chunkSize && first.count >= JoinProber.chunkSize / 2)
        var total = first.count
        while let b = try cross.next() { total += b.count }
        #expect(total == 300_000)
        let less: (Batch) throws -> Column = { b in
            Column(type: .boolean, ints: (0..<b.count).map { i in b.columns[0].ints[i] < b.columns[1].ints[i] ? 1 : 0 })
        }
        let got = try rows(NestedLoopJoinOperator(left: left(), right: right(), type: .left, predicate: less))
        var expected = 0
        for k in 0..<1000 {
            let above = (0..<300).filter { $0 * 3 > k }.count
            expected += max(above, 1)
        }
        #expect(got.count == expected)
    }

    // VARCHAR keys with different dictionaries and a multi-column key (string, int).
    // DuckDB: select * from (values ('a',1,10),('b',2,20),('a',2,30),(NULL,1,40)) l(s,i,x)
    //         join (values ('a',1,'A1'),('a',2,'A2'),('b',1,'B1'),(NULL,1,'nul')) r(s,i,y) on l.s=r.s and l.i=r.i order by all
    //  -> [('a', 1, 10, 'a', 1, 'A1'), ('a', 2, 30, 'a', 2, 'A2')]
    @Test(arguments: sides) func multiColumnStringKeys(side: BuildSide) throws {
        let left = source([[strCol(["a", "b", "a", nil]), intCol([1, 2, 2, 1]), intCol([10, 20, 30, 40])]])
        let right = source([
            [strCol(["b", "a"]), intCol([1, 2]), strCol(["B1", "A2"])],
            [strCol(["a", nil]), intCol([1, 1]), strCol(["A1", "N"])],
        ])
        #expect(
            try join(.inner, side, left: left, right: right, keys: [0, 1])
                == sortedRows([
                    [str("a"), int(1), int(10), str("a"), int(1), str("A1")],
                    [str("a"), int(2), int(30), str("a"), int(2), str("A2")],
                ]))
    }

    // Single VARCHAR key, probe dictionary differs from build dictionary, strings absent on one side.
    // DuckDB: select l.s, r.y from (values ('x'),('y'),('w'),(NULL)) l(s) join (values ('y',1),('x',2),('z',3)) r(s,y) on l.s=r.s order by all
    //  -> [('x', 2), ('y', 1)]
    @Test func stringKeyAcrossDictionaries() throws {
        let left = source([[strCol(["x", "y", "w", nil])]])
        let right = source([[strCol(["y", "x", "z"]), intCol([1, 2, 3])]])
        #expect(
            try join(.inner, .right, left: left, right: right) == [
                [str("x"), str("x"), int(2)], [str("y"), str("y"), int(1)],
            ])
    }

    // INTEGER against BIGINT and DOUBLE against BIGINT keys compare by value.
    // DuckDB: select * from (values (1::INTEGER),(2::INTEGER)) l(a) join (values (2::BIGINT),(3::BIGINT)) r(b) on a=b -> [(2, 2)]
    // DuckDB: select * from (values (2.0::DOUBLE),(2.5::DOUBLE)) l(a) join (values (2::BIGINT)) r(b) on a=b -> [(2.0, 2)]
    @Test func mixedNumericKeys() throws {
        let a = try rows(
            HashJoinOperator(
                left: source([[intCol([1, 2], type: .integer)]]), right: source([[intCol([2, 3])]]),
                type: .inner, leftKeys: [0], rightKeys: [0], buildSide: .right))
        #expect(a == [[int(2), int(2)]])
        let b = try rows(
            HashJoinOperator(
                left: source([[dblCol([2.0, 2.5])]]), right: source([[intCol([2])]]),
                type: .inner, leftKeys: [0], rightKeys: [0], buildSide: .right))
        #expect(b == [[dbl(2.0), int(2)]])
    }

    @Test func largeFanOutIsChunked() throws {
        // 300 left rows x 1000 right rows with one key: 300k output rows in batches of <= 65536.
        let left = source([[intCol(Array(repeating: 7, count: 300)), intCol((0..<300).map { Int64($0) })]])
        let right = source([[intCol(Array(repeating: 7, count: 1000))]])
        let op = HashJoinOperator(
            left: left, right: right, type: .inner, leftKeys: [0], rightKeys: [0], buildSide: .right)
        var total = 0
        var maxBatch = 0
        var sum: Int64 = 0
        while let b = try op.next() {
            total += b.count
            maxBatch = max(maxBatch, b.count)
            sum += b.columns[1].ints.reduce(0, +)
        }
        #expect(total == 300_000 && maxBatch <= 65536 && sum == 1000 * (299 * 300 / 2))
    }

    @Test(arguments: [(JoinType.inner, BuildSide.right, 0), (.left, .right, 5), (.anti, .auto, 5)])
    func emptyBuildSide(_ type: JoinType, _ side: BuildSide, rowCount: Int) throws {
        let empty = BatchReplayOperator(schema: [Field("k", .bigint)], batches: [])
        #expect(try join(type, side, right: empty).count == rowCount)
    }

    // Keys spread far apart (no dense bucket array: hashed lookup), with duplicates, NULLs and a
    // unique-key build side. Same DuckDB answers as `equiJoin` / `semiAnti` with keys scaled.
    @Test(arguments: sides) func hashedIntegerKeys(side: BuildSide) throws {
        let m: Int64 = 1_000_000_007_000
        let left = {
            source([
                [intCol([1 * m, 2 * m, nil], type: .bigint), strCol(["a", "b", "c"])],
                [intCol([2 * m, 3 * m]), strCol(["d", "e"])],
            ])
        }
        let right = {
            source([
                [intCol([2 * m, 2 * m, nil]), strCol(["x", "y", "z"])], [intCol([4 * m, 1 * m]), strCol(["q", "p"])],
            ])
        }
        #expect(
            try join(.left, side, left: left(), right: right())
                == sortedRows([
                    [int(m), str("a"), int(m), str("p")], [int(2 * m), str("b"), int(2 * m), str("x")],
                    [int(2 * m), str("b"), int(2 * m), str("y")],
                    [int(2 * m), str("d"), int(2 * m), str("x")], [int(2 * m), str("d"), int(2 * m), str("y")],
                    [int(3 * m), str("e"), nul, nul], [nul, str("c"), nul, nul],
                ]))
        // unique build keys; DuckDB (keys unscaled): create table r2 as select * from (values (4,'q'),(1,'p'),(NULL,'z')) t(k,w)
        //   select * from l full join r2 on l.k=r2.k order by all
        //   -> [(1,'a',1,'p'), (2,'b',None,None), (2,'d',None,None), (3,'e',None,None), (None,'c',None,None), (None,None,4,'q'), (None,None,None,'z')]
        //   select * from l semi join r2 on l.k=r2.k -> [(1,'a')]; anti join -> [(2,'b'), (2,'d'), (3,'e'), (None,'c')]
        let uniqueRight = { source([[intCol([4 * m, 1 * m, nil]), strCol(["q", "p", "z"])]]) }
        #expect(
            try join(.full, side, left: left(), right: uniqueRight())
                == sortedRows([
                    [int(m), str("a"), int(m), str("p")], [int(2 * m), str("b"), nul, nul],
                    [int(2 * m), str("d"), nul, nul],
                    [int(3 * m), str("e"), nul, nul],
                    [nul, str("c"), nul, nul], [nul, nul, int(4 * m), str("q")], [nul, nul, nul, str("z")],
                ]))
        #expect(try join(.semi, side, left: left(), right: uniqueRight()) == [[int(m), str("a")]])
        #expect(
            try join(.anti, side, left: left(), right: uniqueRight())
                == sortedRows([
                    [int(2 * m), str("b")], [int(2 * m), str("d")], [int(3 * m), str("e")], [nul, str("c")],
                ]))
    }

    // NOT IN (null-aware anti join). DuckDB:
    //   select * from l where k not in (select k from r) -> []
    //   select * from l where k not in (select k from r where k is not null and k <> 1) -> [(1,'a'), (3,'e')]
    //   select * from l where k not in (select k from r where false) -> all 5 rows of l
    @Test func nullAwareAnti() throws {
        #expect(try join(.anti, nullAware: true).isEmpty)
        let r2 = source([[intCol([2, 2, 4]), strCol(["x", "y", "q"])]])
        #expect(try join(.anti, right: r2, nullAware: true) == sortedRows([[int(1), str("a")], [int(3), str("e")]]))
        let empty = BatchReplayOperator(schema: [Field("k", .bigint), Field("w", .varchar)], batches: [])
        #expect(try join(.anti, right: empty, nullAware: true).count == 5)
        let op = HashJoinOperator(
            left: l(), right: r(), type: .anti, leftKeys: [0], rightKeys: [0], buildSide: .left, nullAware: true)
        #expect(op.explainLine == "HashJoin ANTI null-aware build=right keys=[#0=#0]")
    }

    @Test func explain() {
        let op = HashJoinOperator(left: l(), right: r(), type: .left, leftKeys: [0], rightKeys: [0], buildSide: .right)
        #expect(op.explainLine == "HashJoin LEFT build=right keys=[#0=#0]")
    }

    // Same answers as the operator's LEFT join (DuckDB query of equiJoins), probe run per morsel in parallel.
    @Test func morselProbe() throws {
        let probe = TestMorsels([
            [intCol([1, 2, nil], type: .integer), strCol(["a", "b", "c"])],
            [intCol([2, 3], type: .integer), strCol(["d", "e"])],
        ])
        let (cols, n) = try materializeColumns(r())
        let table = try JoinHashTable(columns: cols, count: n, keys: [0])
        let src = HashJoinProbeSource(probe: probe, build: table, buildSchema: r().schema, type: .left, probeKeys: [0])
        final class Sink: @unchecked Sendable {
            var rows: [[Value]] = []
            let lock = Mutex()
        }
        let sink = Sink()
        DispatchQueue.concurrentPerform(iterations: src.morselCount) { m in
            let b = try! src.morsel(m)!
            sink.lock.withLock { for i in 0..<b.count { sink.rows.append(b.columns.map { $0.value(at: i) }) } }
        }
        #expect(sortedRows(sink.rows) == sortedRows(Self.matched + Self.leftUnmatched))
        let semi = HashJoinProbeSource(probe: probe, build: table, buildSchema: r().schema, type: .semi, probeKeys: [0])
        var n2 = 0
        for i in 0..<semi.morselCount { n2 += try semi.morsel(i)?.count ?? 0 }
        #expect(n2 == 3)
    }
}

@Suite struct PackedJoinKeysTests {
    @Test func packsSmallRangesAndRefusesWideOnes() {
        let a = Column(type: .bigint, ints: [5, -3, 7, 0], validity: [1, 1, 1, 0])
        let b = Column(type: .integer, ints: [100, 101, 164, 100])
        let p = PackedJoinKeys([a, b], count: 4)
        #expect(p?.lo == [-3, 100])
        #expect(p?.span == [10, 64])
        #expect(p?.shift == [0, 4])
        // one key, a DOUBLE or VARCHAR key, or spans over 62 bits together: not packed
        #expect(PackedJoinKeys([a], count: 4) == nil)
        #expect(PackedJoinKeys([a, Column(doubles: [1, 2, 3, 4])], count: 4) == nil)
        let wide = Column(type: .bigint, ints: [Int64.min / 2, Int64.max / 2, 0, 0])
        #expect(PackedJoinKeys([wide, b], count: 4) == nil)
        let overflow = Column(type: .bigint, ints: [Int64.min, Int64.max, 0, 0])
        #expect(PackedJoinKeys([overflow, b], count: 4) == nil)
    }

    @Test func probeRowsOutsideTheBuildRangeOrNullCannotMatch() {
        let p = PackedJoinKeys(
            [Column(type: .bigint, ints: [-3, 7]), Column(type: .bigint, ints: [100, 164])], count: 2)!
        let probe = p.pack(
            [
                Column(type: .bigint, ints: [-3, 7, -4, 8, 0, 1], validity: [1, 1, 1, 1, 1, 0]),
                Column(type: .bigint, ints: [100, 164, 100, 100, 165, 100]),
            ], count: 6)
        #expect(probe.validity == [1, 1, 0, 0, 0, 0])
        #expect(probe.ints[0] == 0)
        #expect(probe.ints[1] == 10 | (64 << 4))
    }
}

@Suite struct KeyBitFilterTests {
    /// Every build key passes the filter (no false negatives), NULL rows are never candidates,
    /// and most absent keys are ruled out.
    @Test func buildKeysPassAndMostAbsentKeysDoNot() {
        var rng = SplitMix64(seed: 5)
        let n = 300_000
        let keys = (0..<n).map { _ in Int64.random(in: Int64.min...Int64.max, using: &rng) }
        let filter = KeyBitFilter(Column(type: .bigint, ints: keys), count: n)
        let rows = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        defer { rows.deallocate() }
        let all = filter.candidates(Column(type: .bigint, ints: keys), count: n, into: rows)
        #expect(all == n)
        #expect((0..<n).allSatisfy { rows[$0] == Int32($0) })
        let absent = (0..<n).map { _ in Int64.random(in: Int64.min...Int64.max, using: &rng) }
        let v = [UInt8]((0..<n).map { $0 % 10 == 0 ? 0 : 1 })
        let passed = filter.candidates(Column(type: .bigint, ints: absent, validity: v), count: n, into: rows)
        #expect(passed < n / 8)
        #expect((0..<passed).allSatisfy { rows[$0] % 10 != 0 && ($0 == 0 || rows[$0 - 1] < rows[$0]) })
    }

    /// A hashed join table large enough for the filter finds exactly the build keys.
    @Test func largeHashedJoinTableFindsExactlyTheBuildKeys() throws {
        let n = KeyBitFilter.minimumRows + 1000
        let build = Column(type: .bigint, ints: (0..<n).map { Int64($0) * 6 })
        let table = try JoinHashTable(columns: [build], count: n, keys: [0])
        let probe = Column(type: .bigint, ints: (0..<(3 * n)).map { Int64($0) * 2 })
        var ids = [Int32](repeating: -2, count: 3 * n)
        ids.withUnsafeMutableBufferPointer {
            if table.unique {
                table.findUniqueRows([probe], rowCount: 3 * n, interner: table.takeInterner(), into: $0)
            } else {
                table.find([probe], rowCount: 3 * n, interner: table.takeInterner(), into: $0)
            }
        }
        // 2k is a build key 6j exactly when k = 3j for some j < n
        for k in 0..<(3 * n) {
            let expected: Int32 = (k % 3 == 0 && k / 3 < n) ? Int32(k / 3) : -1
            if ids[k] != expected {
                Issue.record("probe \(k): \(ids[k]), expected \(expected)")
                return
            }
        }
    }
}

@Suite struct RegionKeyTableTests {
    /// The build rows each probe key matches through a `JoinHashTable`, in the table's order.
    static func matches(_ table: JoinHashTable, _ probe: Column) -> [[Int32]] {
        let n = probe.count
        var ids = [Int32](repeating: -2, count: n)
        let interner = table.takeInterner()
        ids.withUnsafeMutableBufferPointer {
            if table.unique {
                table.findUniqueRows([probe], rowCount: n, interner: interner, into: $0)
            } else {
                table.find([probe], rowCount: n, interner: interner, into: $0)
            }
        }
        return ids.map { id -> [Int32] in
            if id < 0 { return [] }
            if table.unique { return [id] }
            return Array(table.buildRows(ofBucket: Int(id)))
        }
    }

    /// Each probe key's build rows, in build order, computed with a dictionary.
    static func expected(_ build: Column, _ probe: Column) -> [[Int32]] {
        var rowsOf: [Int64: [Int32]] = [:]
        for i in 0..<build.count where build.isValid(i) { rowsOf[build.ints[i], default: []].append(Int32(i)) }
        return (0..<probe.count).map { probe.isValid($0) ? rowsOf[probe.ints[$0]] ?? [] : [] }
    }

    /// Repeated, unique, negative and extreme keys with NULLs, built on one and on two threads:
    /// every probe finds exactly its build rows in build order.
    @Test(arguments: [1, 2])
    func findsExactlyTheBuildRows(threads: Int) throws {
        var rng = SplitMix64(seed: 17)
        let n = RegionKeyTable.minimumRows + 5000
        for repeats in [1, 3] {
            var keys = (0..<n).map { i -> Int64 in
                let k = Int64.random(in: -5_000_000_000...5_000_000_000, using: &rng)
                return repeats == 1 ? k &* 8 &+ Int64(i % 8) : k % Int64(n / repeats)
            }
            keys[0] = .min
            keys[1] = .max
            if repeats == 1 { keys[2] = 0 }
            let valid = [UInt8]((0..<n).map { $0 % 101 == 50 ? 0 : 1 })
            let build = Column(type: .bigint, ints: keys, validity: valid)
            let table = try JoinHashTable(columns: [build], count: n, keys: [0], threads: threads)
            #expect(table.unique == (repeats == 1))
            #expect(!table.isDense)
            let probeKeys =
                keys.shuffled(using: &rng).prefix(20_000)
                + (0..<20_000).map { _ in Int64.random(in: .min ... .max, using: &rng) }
            let probe = Column(
                type: .bigint, ints: Array(probeKeys), validity: (0..<probeKeys.count).map { $0 % 97 == 0 ? 0 : 1 })
            #expect(Self.matches(table, probe) == Self.expected(build, probe))
        }
    }

    /// Builds grouped in one pass (a dense key, and a hashed key below the region tables' size):
    /// most keys on one row, some on two to five, NULLs; every probe finds exactly its build rows
    /// in build order, and a build without repeats is `unique`.
    @Test(arguments: [true, false])
    func loneFirstGroupingFindsExactlyTheBuildRows(dense: Bool) throws {
        var rng = SplitMix64(seed: 23)
        let n = 20_000
        for repeatEvery in [0, 7] {
            var keys: [Int64] = (0..<n).map { i in dense ? Int64(i) : Int64(i) &* 1_000_003 &- 7_000_000 }
            if repeatEvery > 0 {
                // every 7th row repeats the key of an earlier row (up to five rows per key)
                for i in stride(from: repeatEvery, to: n, by: repeatEvery) { keys[i] = keys[i / 5] }
            }
            keys.shuffle(using: &rng)
            let build = Column(type: .bigint, ints: keys, validity: (0..<n).map { $0 % 101 == 3 ? 0 : 1 })
            let table = try JoinHashTable(columns: [build], count: n, keys: [0])
            #expect(table.isDense == dense)
            #expect(table.unique == (repeatEvery == 0))
            let probeKeys = keys.prefix(5000) + (0..<5000).map { _ in Int64.random(in: -10...30_000_000, using: &rng) }
            let probe = Column(type: .bigint, ints: Array(probeKeys))
            #expect(RegionKeyTableTests.matches(table, probe) == RegionKeyTableTests.expected(build, probe))
        }
    }

    /// Keys whose hashes crowd into one region beyond 7/8 of its slots: the table falls back to
    /// one hash table and still finds every key.
    @Test func crowdedRegionFallsBack() throws {
        // a tenth of the keys hash into region 5 of 16 (1/16 of the slots at load 3/4 holds 3/64)
        let n = RegionKeyTable.minimumRows
        var keys: [Int64] = []
        var k: Int64 = 1
        while keys.count < n / 10 {
            if (UInt64(bitPattern: k) &* goldenRatio64) >> 60 == 5 { keys.append(k) }
            k += 1
        }
        while keys.count < n {
            keys.append(k)
            k += 1
        }
        let build = Column(type: .bigint, ints: keys)
        #expect(RegionKeyTable.build(build, count: n, threads: 2) == nil)
        let table = try JoinHashTable(columns: [build], count: n, keys: [0], threads: 2)
        let probe = Column(type: .bigint, ints: Array(keys.prefix(1000)) + Array(keys.suffix(1000)) + [0, -1, k])
        #expect(Self.matches(table, probe) == Self.expected(build, probe))
    }
}
