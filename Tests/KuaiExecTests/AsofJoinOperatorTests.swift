import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

/// `AsofJoinOperator` over literal batches; expected pairs from DuckDB 2.0.1:
/// e(k, t, name) = (1,10,'e1'), (1,25,'e2'), (2,5,'e3'), (2,30,'e4'), (NULL,30,'e5'), (1,NULL,'e6'), (3,1,'e7')
/// s(k, t, state) = (1,0,'s1'), (1,20,'s2'), (2,10,'s3'), (2,30,'s4'), (NULL,0,'s5'), (1,NULL,'s6')
/// `SELECT name, state FROM e ASOF JOIN s ON e.k = s.k AND e.t op s.t`.
@Suite struct AsofJoinOperatorTests {
    /// Inputs laid out as the operator takes them: the name, then the key, then the order value.
    func events() -> BatchReplayOperator {
        source([
            [strCol(["e1", "e2", "e3"]), intCol([1, 1, 2]), intCol([10, 25, 5])],
            [strCol(["e4", "e5", "e6", "e7"]), intCol([2, nil, 1, 3]), intCol([30, 30, nil, 1])],
        ])
    }
    func states() -> BatchReplayOperator {
        source([
            [strCol(["s1", "s2"]), intCol([1, 1]), intCol([0, 20])],
            [strCol(["s3", "s4", "s5", "s6"]), intCol([2, 2, nil, 1]), intCol([10, 30, 0, nil])],
        ])
    }

    struct Case: Sendable, CustomStringConvertible {
        let op: CompareOp
        let pairs: [String: String]
        var description: String { op.rawValue }
    }
    static let cases: [Case] = [
        Case(op: .greaterEqual, pairs: ["e1": "s1", "e2": "s2", "e4": "s4"]),
        Case(op: .greater, pairs: ["e1": "s1", "e2": "s2", "e4": "s3"]),
        Case(op: .lessEqual, pairs: ["e1": "s2", "e3": "s3", "e4": "s4"]),
        Case(op: .less, pairs: ["e1": "s2", "e3": "s3"]),
    ]

    @Test(arguments: cases) func innerAndLeft(_ c: Case) throws {
        for keep in [false, true] {
            let join = AsofJoinOperator(left: events(), right: states(), keyCount: 1, op: c.op, keepUnmatched: keep)
            let got = try rows(join)
            #expect(got.allSatisfy { $0.count == 6 })
            var pairs: [String: String] = [:]
            for r in got {
                guard case .string(let e) = r[0] else { continue }
                if case .string(let s) = r[3] { pairs[e] = s } else { #expect(keep && r[3] == nul) }
            }
            #expect(pairs == c.pairs, "\(c) keep=\(keep)")
            #expect(got.count == (keep ? 7 : c.pairs.count), "\(c) keep=\(keep)")
        }
    }

    /// An empty right input: INNER gives no rows, LEFT every left row with NULLs.
    @Test func emptyRight() throws {
        let empty = BatchReplayOperator(schema: states().schema, batches: [])
        #expect(
            try rows(
                AsofJoinOperator(left: events(), right: empty, keyCount: 1, op: .greaterEqual, keepUnmatched: false)
            ).isEmpty)
        let empty2 = BatchReplayOperator(schema: states().schema, batches: [])
        #expect(
            try rows(
                AsofJoinOperator(left: events(), right: empty2, keyCount: 1, op: .greaterEqual, keepUnmatched: true)
            ).count == 7)
    }
}
