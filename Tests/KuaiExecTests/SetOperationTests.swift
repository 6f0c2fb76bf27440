import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

@Suite struct SetOperationTests {
    // L = (values (1,'a'),(1,'a'),(2,NULL),(2,NULL),(3,'c'),(4,'d'),(4,'d'),(4,'d')) l(x,y)
    // R = (values (1,'a'),(2,NULL),(4,'d'),(5,'e')) r(x,y)
    func l() -> BatchReplayOperator {
        source([
            [intCol([1, 1, 2, 2]), strCol(["a", "a", nil, nil])],
            [intCol([3, 4, 4, 4]), strCol(["c", "d", "d", "d"])],
        ])
    }
    func r() -> BatchReplayOperator { source([[intCol([1, 2, 4, 5]), strCol(["a", nil, "d", "e"])]]) }

    // DuckDB: select distinct * from L order by all -> [(1,'a'), (2,None), (3,'c'), (4,'d')]
    @Test func distinct() throws {
        #expect(
            try rows(DistinctOperator(child: l())) == [
                [int(1), str("a")], [int(2), nul], [int(3), str("c")], [int(4), str("d")],
            ])
    }

    // DuckDB: select * from L union select * from R order by all -> [(1,'a'),(2,None),(3,'c'),(4,'d'),(5,'e')]
    @Test func union() throws {
        let u = DistinctOperator(child: UnionAllOperator(children: [l(), r()]))
        #expect(
            sortedRows(try rows(u))
                == sortedRows([
                    [int(1), str("a")], [int(2), nul], [int(3), str("c")], [int(4), str("d")], [int(5), str("e")],
                ]))
        #expect(try rows(UnionAllOperator(children: [l(), r()])).count == 12)
    }

    // DuckDB: L EXCEPT R -> [(3,'c')]; L INTERSECT R -> [(1,'a'),(2,None),(4,'d')]
    //         L EXCEPT ALL R -> [(1,'a'),(2,None),(3,'c'),(4,'d'),(4,'d')]; L INTERSECT ALL R -> [(1,'a'),(2,None),(4,'d')]
    @Test func exceptIntersect() throws {
        #expect(try rows(SetOperationOperator(left: l(), right: r(), kind: .except)) == [[int(3), str("c")]])
        #expect(
            sortedRows(try rows(SetOperationOperator(left: l(), right: r(), kind: .intersect)))
                == sortedRows([[int(1), str("a")], [int(2), nul], [int(4), str("d")]]))
        #expect(
            sortedRows(try rows(SetOperationOperator(left: l(), right: r(), kind: .except, all: true)))
                == sortedRows([
                    [int(1), str("a")], [int(2), nul], [int(3), str("c")], [int(4), str("d")], [int(4), str("d")],
                ]))
        #expect(
            sortedRows(try rows(SetOperationOperator(left: l(), right: r(), kind: .intersect, all: true)))
                == sortedRows([[int(1), str("a")], [int(2), nul], [int(4), str("d")]]))
    }

    @Test func unionAllSource() throws {
        let a = TestMorsels([[intCol([1, 2])], [intCol([3])]])
        let b = TestMorsels([[intCol([4])]])
        let u = UnionAllSource(sources: [a, b])
        #expect(u.morselCount == 3)
        #expect(try (0..<3).map { try u.morsel($0)!.columns[0].ints } == [[1, 2], [3], [4]])
    }
}
