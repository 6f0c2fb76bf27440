import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

// TINYINT and SMALLINT in the cast and arithmetic kernels. Expected values and error texts are
// DuckDB 2.0.1's (`SELECT CAST(v AS TINYINT)`, `SELECT x + y` over TINYINT columns).

/// One cast of a column of `from` to `to`: the rows TRY_CAST keeps (nil = NULL) and the error text
/// CAST raises (its start), or nil when every row converts.
struct NarrowCastCase: Sendable, CustomStringConvertible {
    let from: DataType
    let to: DataType
    let input: Column
    let tried: [Int64?]
    let error: String?
    var description: String { "\(from) -> \(to)" }
}

let narrowCastCases: [NarrowCastCase] = [
    NarrowCastCase(
        from: .integer, to: .tinyint, input: intCol([-129, -128, 127, 128], type: .integer),
        tried: [nil, -128, 127, nil],
        error:
            "Type INT32 with value -129 can't be cast because the value is out of range for the destination type INT8"
    ),
    NarrowCastCase(
        from: .bigint, to: .smallint, input: intCol([-32769, -32768, 32767, 32768]), tried: [nil, -32768, 32767, nil],
        error:
            "Type INT64 with value -32769 can't be cast because the value is out of range for the destination type INT16"
    ),
    NarrowCastCase(
        from: .smallint, to: .tinyint, input: intCol([300, -5], type: .smallint), tried: [nil, -5],
        error: "Type INT16 with value 300 can't be cast because the value is out of range for the destination type INT8"
    ),
    NarrowCastCase(
        from: .tinyint, to: .smallint, input: intCol([-128, 127], type: .tinyint), tried: [-128, 127], error: nil),
    // DOUBLE rounds half to even: 127.5 is 128 (out of range), -128.5 is -128.
    NarrowCastCase(
        from: .double, to: .tinyint, input: dblCol([127.5, -128.5, 126.5, .nan]), tried: [nil, -128, 126, nil],
        error:
            "Type DOUBLE with value 127.5 can't be cast because the value is out of range for the destination type INT8"
    ),
    NarrowCastCase(
        from: .varchar, to: .tinyint, input: strCol(["128", " 12 ", "1e2", "x"]), tried: [nil, 12, 100, nil],
        error: "Could not convert string '128' to INT8"),
    NarrowCastCase(
        from: .boolean, to: .tinyint, input: intCol([1, 0], type: .boolean), tried: [1, 0], error: nil),
]

@Test(arguments: narrowCastCases)
func narrowIntegerCasts(_ c: NarrowCastCase) throws {
    let b = Batch(columns: [c.input])
    let tryCast = ScalarExpr(.cast(col(0, c.from), isTry: true), type: c.to, name: "t")
    let r = try tryCast.evaluate(b)
    #expect(r.type == c.to)
    #expect((0..<r.count).map { r.isValid($0) ? r.ints[$0] : nil } == c.tried)
    let cast = ScalarExpr(.cast(col(0, c.from), isTry: false), type: c.to, name: "c")
    if let expected = c.error {
        #expect {
            _ = try cast.evaluate(b)
        } throws: { e in
            (e as? KuaiError)?.message.hasPrefix(expected) ?? false
        }
    } else {
        #expect(throws: Never.self) { _ = try cast.evaluate(b) }
    }
}

/// `+ - *` of TINYINT and SMALLINT overflow at their width with DuckDB's text; NULL rows never raise.
@Test(arguments: [
    (DataType.tinyint, ArithmeticOp.add, Int64(100), Int64(100), "Overflow in addition of INT8 (100 + 100)"),
    (.tinyint, .subtract, -128, 1, "Overflow in subtraction of INT8 (-128 - 1)"),
    (.tinyint, .multiply, 100, 2, "Overflow in multiplication of INT8 (100 * 2)"),
    (.smallint, .add, 30000, 30000, "Overflow in addition of INT16 (30000 + 30000)"),
    (.smallint, .integerDivide, -32768, -1, "Overflow in division of -32768 / -1"),
])
func narrowIntegerOverflow(_ t: DataType, _ op: ArithmeticOp, _ x: Int64, _ y: Int64, _ message: String) throws {
    let b = Batch(columns: [intCol([x, 1], type: t), intCol([y, 1], type: t)])
    let e = ScalarExpr(.arithmetic(op, col(0, t), col(1, t)), type: t, name: "e")
    #expect {
        _ = try e.evaluate(b)
    } throws: { err in
        (err as? KuaiError)?.message.hasPrefix(message) ?? false
    }
    let nulls = Batch(columns: [Column(type: t, ints: [x, 1], validity: [0, 1]), intCol([y, 1], type: t)])
    let r = try e.evaluate(nulls)
    #expect(!r.isValid(0) && r.isValid(1))
}

/// The largest and smallest results that fit are kept; negating the smallest value is DuckDB's
/// negation error.
@Test func narrowIntegerBoundsAndNegation() throws {
    let b = Batch(columns: [intCol([126, -127], type: .tinyint), intCol([1, -1], type: .tinyint)])
    let add = ScalarExpr(.arithmetic(.add, col(0, .tinyint), col(1, .tinyint)), type: .tinyint, name: "a")
    #expect(try add.evaluate(b).ints == [127, -128])
    let neg = ScalarExpr(.negate(col(0, .smallint)), type: .smallint, name: "(-x)")
    #expect(try neg.evaluate(Batch(columns: [intCol([32767], type: .smallint)])).ints == [-32767])
    #expect {
        _ = try neg.evaluate(Batch(columns: [intCol([-32768], type: .smallint)]))
    } throws: { err in
        (err as? KuaiError)?.message.hasPrefix("Overflow in negation of numeric value!") ?? false
    }
}
