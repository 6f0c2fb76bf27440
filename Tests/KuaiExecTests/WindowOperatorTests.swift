import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

@Suite struct WindowOperatorTests {
    // DuckDB fixture (columns id, g, o, v, s = #0..#4), in two batches:
    //   create table t as select * from (values (1,1,10,5,'b'),(2,1,20,NULL,'a'),(3,1,20,3,'c'),(4,1,30,7,NULL),
    //     (5,2,5,1,'x'),(6,2,NULL,2,'y'),(7,NULL,1,4,'z'),(8,2,5,-1,'w')) t(id,g,o,v,s)
    // Every query is `select id, <functions> from t order by id`; the operator keeps the input order.
    func t() -> BatchReplayOperator {
        source([
            [
                intCol([1, 2, 3, 4], type: .integer), intCol([1, 1, 1, 1], type: .integer),
                intCol([10, 20, 20, 30], type: .integer),
                intCol([5, nil, 3, 7], type: .integer), strCol(["b", "a", "c", nil]),
            ],
            [
                intCol([5, 6, 7, 8], type: .integer), intCol([2, 2, nil, 2], type: .integer),
                intCol([5, nil, 1, 5], type: .integer),
                intCol([1, 2, 4, -1], type: .integer), strCol(["x", "y", "z", "w"]),
            ],
        ])
    }
    func run(partition: [Int], order: [SortKey], _ fs: [WindowFunction]) throws -> [[Value]] {
        let op = WindowOperator(child: t(), partitionBy: partition, orderBy: order, functions: fs)
        return try rows(op).map { Array($0[5...]) }
    }
    static let byO = [SortKey(column: 2)]
    static let byOId = [SortKey(column: 2), SortKey(column: 0)]
    static let byId = [SortKey(column: 0)]

    // row_number(), rank(), dense_rank() over (partition by g order by o)
    // -> (1,1,1),(2,2,2),(3,2,2),(4,4,3),(1,1,1),(3,3,2),(1,1,1),(2,1,1)
    @Test func ranking() throws {
        let got = try run(
            partition: [1], order: Self.byO,
            [WindowFunction(.rowNumber), WindowFunction(.rank), WindowFunction(.denseRank)])
        #expect(
            got == [
                [int(1), int(1), int(1)], [int(2), int(2), int(2)], [int(3), int(2), int(2)], [int(4), int(4), int(3)],
                [int(1), int(1), int(1)], [int(3), int(3), int(2)], [int(1), int(1), int(1)], [int(2), int(1), int(1)],
            ])
        let types = WindowOperator(
            child: t(), partitionBy: [1], orderBy: Self.byO, functions: [WindowFunction(.rowNumber)]
        ).schema.map(\.type)
        #expect(types.last == .bigint)
    }

    // count(*), count(v), sum(v), avg(v) over (partition by g order by o)  -- default RANGE frame, peers included
    // -> (1,1,5,5.0),(3,2,8,4.0),(3,2,8,4.0),(4,3,15,5.0),(2,2,0,0.0),(3,3,2,0.6666666666666666),(1,1,4,4.0),(2,2,0,0.0)
    @Test func runningAggregatesWithPeers() throws {
        let op = WindowOperator(
            child: t(), partitionBy: [1], orderBy: Self.byO,
            functions: [
                WindowFunction(.countStar), WindowFunction(.count, argument: 3),
                WindowFunction(.sum, argument: 3), WindowFunction(.avg, argument: 3),
            ])
        #expect(op.schema.suffix(4).map(\.type) == [.bigint, .bigint, .hugeint, .double])
        let got = try rows(op).map { Array($0[5...]) }
        #expect(
            got == [
                [int(1), int(1), int(5), dbl(5)], [int(3), int(2), int(8), dbl(4)], [int(3), int(2), int(8), dbl(4)],
                [int(4), int(3), int(15), dbl(5)],
                [int(2), int(2), int(0), dbl(0)], [int(3), int(3), int(2), dbl(0.6666666666666666)],
                [int(1), int(1), int(4), dbl(4)],
                [int(2), int(2), int(0), dbl(0)],
            ])
    }

    // min(v), max(v), min(s) over (partition by g order by o), max(s) over (partition by g)
    // -> (5,5,'b','c'),(3,5,'a','c'),(3,5,'a','c'),(3,7,'a','c'),(-1,1,'w','y'),(-1,2,'w','y'),(4,4,'z','z'),(-1,1,'w','y')
    @Test func minMax() throws {
        let a = try run(
            partition: [1], order: Self.byO,
            [WindowFunction(.min, argument: 3), WindowFunction(.max, argument: 3), WindowFunction(.min, argument: 4)])
        let b = try run(partition: [1], order: [], [WindowFunction(.max, argument: 4)])
        let got = zip(a, b).map { $0 + $1 }
        #expect(
            got == [
                [int(5), int(5), str("b"), str("c")], [int(3), int(5), str("a"), str("c")],
                [int(3), int(5), str("a"), str("c")],
                [int(3), int(7), str("a"), str("c")],
                [int(-1), int(1), str("w"), str("y")], [int(-1), int(2), str("w"), str("y")],
                [int(4), int(4), str("z"), str("z")],
                [int(-1), int(1), str("w"), str("y")],
            ])
    }

    // first_value(v), last_value(v) over (partition by g order by o),
    // last_value(s) over (partition by g order by o rows between unbounded preceding and unbounded following)
    // -> (5,5,None),(5,3,None),(5,3,None),(5,7,None),(1,-1,'y'),(1,2,'y'),(4,4,'z'),(1,-1,'y')
    @Test func firstLast() throws {
        let whole = WindowFrame(mode: .rows, start: .unboundedPreceding, end: .unboundedFollowing)
        let got = try run(
            partition: [1], order: Self.byO,
            [
                WindowFunction(.firstValue, argument: 3), WindowFunction(.lastValue, argument: 3),
                WindowFunction(.lastValue, argument: 4, frame: whole),
            ])
        #expect(
            got == [
                [int(5), int(5), nul], [int(5), int(3), nul], [int(5), int(3), nul], [int(5), int(7), nul],
                [int(1), int(-1), str("y")], [int(1), int(2), str("y")], [int(4), int(4), str("z")],
                [int(1), int(-1), str("y")],
            ])
    }

    // lag(v), lead(v, 2), lag(s, 1, 'none'), lead(v, 1, 99) over (partition by g order by o, id)
    // -> (None,3,'none',None),(5,7,'b',3),(None,None,'a',7),(3,None,'c',99),(None,2,'none',-1),(-1,None,'w',99),(None,None,'none',99),(1,None,'x',2)
    @Test func lagLead() throws {
        let got = try run(
            partition: [1], order: Self.byOId,
            [
                WindowFunction(.lag, argument: 3), WindowFunction(.lead, argument: 3, offset: 2),
                WindowFunction(.lag, argument: 4, offset: 1, defaultValue: .string("none")),
                WindowFunction(.lead, argument: 3, offset: 1, defaultValue: .int(99)),
            ])
        #expect(
            got == [
                [nul, int(3), str("none"), nul], [int(5), int(7), str("b"), int(3)], [nul, nul, str("a"), int(7)],
                [int(3), nul, str("c"), int(99)],
                [nul, int(2), str("none"), int(-1)], [int(-1), nul, str("w"), int(99)],
                [nul, nul, str("none"), int(99)],
                [int(1), nul, str("x"), int(2)],
            ])
    }

    // sum(v) over (partition by g order by o, id rows between 1 preceding and 1 following),
    // count(*) over (partition by g order by id rows between current row and unbounded following),
    // sum(v) over (order by id rows between 2 preceding and 1 preceding)
    // -> (5,4,None),(8,3,5),(10,2,5),(10,1,3),(0,3,10),(1,2,8),(4,1,3),(2,1,6)
    @Test func rowsFrames() throws {
        let a = try run(
            partition: [1], order: Self.byOId,
            [
                WindowFunction(
                    .sum, argument: 3, frame: WindowFrame(mode: .rows, start: .preceding(1), end: .following(1)))
            ])
        let b = try run(
            partition: [1], order: Self.byId,
            [WindowFunction(.countStar, frame: WindowFrame(mode: .rows, start: .currentRow, end: .unboundedFollowing))])
        let c = try run(
            partition: [], order: Self.byId,
            [
                WindowFunction(
                    .sum, argument: 3, frame: WindowFrame(mode: .rows, start: .preceding(2), end: .preceding(1)))
            ])
        let got = (0..<8).map { a[$0] + b[$0] + c[$0] }
        #expect(
            got == [
                [int(5), int(4), nul], [int(8), int(3), int(5)], [int(10), int(2), int(5)], [int(10), int(1), int(3)],
                [int(0), int(3), int(10)], [int(1), int(2), int(8)], [int(4), int(1), int(3)],
                [int(2), int(1), int(6)],
            ])
    }

    // sum(v) over (partition by g order by o range between 10 preceding and current row),
    // count(*) over (order by o desc range between 5 preceding and 5 following), sum(v) over ()
    // -> (5,3,21),(8,2,21),(8,2,21),(10,1,21),(0,4,21),(2,1,21),(4,3,21),(0,4,21)
    @Test func rangeFrames() throws {
        let a = try run(
            partition: [1], order: Self.byO,
            [
                WindowFunction(
                    .sum, argument: 3, frame: WindowFrame(mode: .range, start: .preceding(10), end: .currentRow))
            ])
        let b = try run(
            partition: [], order: [SortKey(column: 2, ascending: false)],
            [WindowFunction(.countStar, frame: WindowFrame(mode: .range, start: .preceding(5), end: .following(5)))])
        let c = try run(partition: [], order: [], [WindowFunction(.sum, argument: 3)])
        let got = (0..<8).map { a[$0] + b[$0] + c[$0] }
        #expect(
            got == [
                [int(5), int(3), int(21)], [int(8), int(2), int(21)], [int(8), int(2), int(21)],
                [int(10), int(1), int(21)],
                [int(0), int(4), int(21)], [int(2), int(1), int(21)], [int(4), int(3), int(21)],
                [int(0), int(4), int(21)],
            ])
    }

    // sum(v::DOUBLE) over (partition by g order by o), avg(v::DOUBLE) over (order by id rows between 1 preceding and current row),
    // row_number() over ()
    // -> (5.0,5.0,1),(8.0,5.0,2),(8.0,3.0,3),(15.0,5.0,4),(0.0,4.0,5),(2.0,1.5,6),(4.0,3.0,7),(0.0,1.5,8)
    @Test func doubleAggregates() throws {
        let src = source([
            [
                intCol([1, 2, 3, 4, 5, 6, 7, 8]), intCol([1, 1, 1, 1, 2, 2, nil, 2]),
                intCol([10, 20, 20, 30, 5, nil, 1, 5]),
                dblCol([5, nil, 3, 7, 1, 2, 4, -1]),
            ]
        ])
        let op = WindowOperator(
            child: src, partitionBy: [1], orderBy: [SortKey(column: 2)], functions: [WindowFunction(.sum, argument: 3)])
        let a = try rows(op).map { $0[4] }
        let src2 = source([[intCol([1, 2, 3, 4, 5, 6, 7, 8]), dblCol([5, nil, 3, 7, 1, 2, 4, -1])]])
        let op2 = WindowOperator(
            child: src2, partitionBy: [], orderBy: [SortKey(column: 0)],
            functions: [
                WindowFunction(
                    .avg, argument: 1, frame: WindowFrame(mode: .rows, start: .preceding(1), end: .currentRow)),
                WindowFunction(.rowNumber),
            ])
        let b = try rows(op2).map { Array($0[2...]) }
        #expect(a == [dbl(5), dbl(8), dbl(8), dbl(15), dbl(0), dbl(2), dbl(4), dbl(0)])
        #expect(
            b == [
                [dbl(5), int(1)], [dbl(5), int(2)], [dbl(3), int(3)], [dbl(5), int(4)], [dbl(4), int(5)],
                [dbl(1.5), int(6)], [dbl(3), int(7)],
                [dbl(1.5), int(8)],
            ])
    }

    // String partition keys across dictionaries: row_number() over (partition by s order by id)
    // DuckDB: select id, row_number() over (partition by s order by id) from (values (1,'a'),(2,'b'),(3,'a'),(4,'b'),(5,NULL),(6,NULL)) t(id,s) order by id
    // -> (1,1),(2,1),(3,2),(4,2),(5,1),(6,2)
    @Test func stringPartitionsAcrossDictionaries() throws {
        let src = source([
            [intCol([1, 2, 3]), strCol(["a", "b", "a"])], [intCol([4, 5, 6]), strCol(["b", nil, nil])],
        ])
        let op = WindowOperator(
            child: src, partitionBy: [1], orderBy: [SortKey(column: 0)], functions: [WindowFunction(.rowNumber)])
        #expect(try rows(op).map { $0[2] } == [int(1), int(1), int(2), int(2), int(1), int(2)])
    }

    // Many partitions over several batches: row_number restarts per (a, b) partition.
    /// `spread`: partition values spread over the whole Int64 range, so the sort keys need two
    /// words and partition boundaries are not read off the first word.
    @Test(arguments: [false, true]) func manyPartitions(spread: Bool) throws {
        let n = 100_000
        var rng = SplitMix64(seed: 3)
        let a = (0..<n).map { _ in
            Int64.random(in: 0..<50, using: &rng) * (spread ? 180_000_000_000_000_000 : 1) - (spread ? Int64.max : 0)
        }
        let b = (0..<n).map { _ in Int64.random(in: 0..<40, using: &rng) }
        let ts = (0..<n).map { _ in Int64.random(in: 0..<1_000_000, using: &rng) }
        let batches = stride(from: 0, to: n, by: 10_000).map { s in
            [intCol(Array(a[s..<s + 10_000])), intCol(Array(b[s..<s + 10_000])), intCol(Array(ts[s..<s + 10_000]))]
        }
        let op = WindowOperator(
            child: source(batches), partitionBy: [0, 1], orderBy: [SortKey(column: 2)],
            functions: [WindowFunction(.rowNumber)])
        var got: [Int64] = []
        while let bt = try op.next() { got.append(contentsOf: bt.columns[3].ints) }
        // reference: for each row, 1 + number of rows in its partition with a smaller (ts, index)
        var byPart: [[Int64]: [(Int64, Int)]] = [:]
        for i in 0..<n { byPart[[a[i], b[i]], default: []].append((ts[i], i)) }
        var expected = [Int64](repeating: 0, count: n)
        for (_, rowsOfPart) in byPart {
            for (k, r) in rowsOfPart.sorted(by: { $0 < $1 }).enumerated() { expected[r.1] = Int64(k + 1) }
        }
        #expect(got == expected)
    }

    /// rank/dense_rank over more than 65536 rows (the radix path that puts values back in row
    /// order), against a reference computed from the definition.
    @Test func largeRankAndDenseRank() throws {
        let n = 70_000
        var rng = SplitMix64(seed: 8)
        let a = (0..<n).map { _ in Int64.random(in: 0..<10, using: &rng) }
        let b = (0..<n).map { _ in Int64.random(in: 0..<50, using: &rng) }
        let op = WindowOperator(
            child: source([[intCol(a), intCol(b)]]), partitionBy: [0], orderBy: [SortKey(column: 1)],
            functions: [WindowFunction(.rank), WindowFunction(.denseRank), WindowFunction(.rowNumber)])
        var rank: [Int64] = []
        var dense: [Int64] = []
        var rn: [Int64] = []
        while let bt = try op.next() {
            rank.append(contentsOf: bt.columns[2].ints)
            dense.append(contentsOf: bt.columns[3].ints)
            rn.append(contentsOf: bt.columns[4].ints)
        }
        // rank = 1 + rows of the partition with a smaller b; dense_rank = 1 + distinct smaller b values
        var smaller = [[Int]](repeating: [Int](repeating: 0, count: 51), count: 10)
        var present = [[Bool]](repeating: [Bool](repeating: false, count: 50), count: 10)
        for i in 0..<n {
            smaller[Int(a[i])][Int(b[i]) + 1] += 1
            present[Int(a[i])][Int(b[i])] = true
        }
        for p in 0..<10 { for v in 1...50 { smaller[p][v] += smaller[p][v - 1] } }
        var badRank = 0
        var badDense = 0
        for i in 0..<n {
            let p = Int(a[i])
            let v = Int(b[i])
            if rank[i] != Int64(smaller[p][v] + 1) { badRank += 1 }
            if dense[i] != Int64(present[p][0..<v].filter { $0 }.count + 1) { badDense += 1 }
        }
        #expect(badRank == 0 && badDense == 0)
        // row_number is a permutation of 1...size within each partition, ordered like b
        var rows = [[(Int64, Int64)]](repeating: [], count: 10)
        for i in 0..<n { rows[Int(a[i])].append((rn[i], b[i])) }
        var badRowNumber = 0
        for p in 0..<10 {
            let sorted = rows[p].sorted { $0.0 < $1.0 }
            for (k, r) in sorted.enumerated() where r.0 != Int64(k + 1) || (k > 0 && sorted[k - 1].1 > r.1) {
                badRowNumber += 1
            }
        }
        #expect(badRowNumber == 0)
    }

    @Test func explain() {
        let op = WindowOperator(
            child: t(), partitionBy: [1], orderBy: Self.byO,
            functions: [WindowFunction(.rowNumber), WindowFunction(.sum, argument: 3)])
        #expect(op.explainLine == "Window partition=[#1] order=[#2 ASC NULLS LAST] functions=[row_number(), sum(#3)]")
    }
}
