import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

@Suite struct LimitOperatorTests {
    // DuckDB: select * from range(10) limit 4 offset 3 -> 3,4,5,6
    @Test func limitOffsetAcrossBatches() throws {
        let src = source([[intCol([0, 1])], [intCol([2, 3, 4])], [intCol([5, 6, 7, 8, 9])]])
        #expect(try rows(LimitOperator(child: src, limit: 4, offset: 3)) == [[int(3)], [int(4)], [int(5)], [int(6)]])
    }
    @Test func offsetOnly() throws {
        let src = source([[intCol([0, 1])], [intCol([2, 3, 4])]])
        #expect(try rows(LimitOperator(child: src, limit: nil, offset: 4)) == [[int(4)]])
    }
    @Test func limitZero() throws {
        #expect(try rows(LimitOperator(child: source([[intCol([0, 1])]]), limit: 0, offset: 0)).isEmpty)
    }
}
