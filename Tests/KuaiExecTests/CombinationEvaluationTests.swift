import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

// Expressions over a dictionary column and a small-range integer column are evaluated once per
// combination of values (CombinationEvaluation.swift). Expected strings are written by hand from
// SQL's rules (upper of ASCII, || with NULL is NULL, CAST of an integer is its decimal text).

/// `upper(c0) || '/' || CAST(c1 AS VARCHAR)`.
func labelExpr() -> ScalarExpr {
    let up = ScalarExpr(
        .function(FunctionRegistry.resolve("upper", [.varchar])!, [col(0, .varchar)]), type: .varchar,
        name: "upper(c0)")
    let concat = FunctionRegistry.resolve("concat_op", [.varchar, .varchar])!
    let left = ScalarExpr(.function(concat, [up, lit(.string("/"), .varchar)]), type: .varchar, name: "l")
    let cast = ScalarExpr(.cast(col(1, .bigint), isTry: false), type: .varchar, name: "CAST(c1 AS VARCHAR)")
    return ScalarExpr(.function(concat, [left, cast]), type: .varchar, name: "label")
}

func strings(_ c: Column) -> [String?] {
    (0..<c.count).map { c.isValid($0) ? c.stringView(at: $0).string : nil }
}

@Test func combinationLabelsShareOneDictionaryAcrossBatches() throws {
    let dict = StringDictionary(["chat", "game", "abcdefghijklmno"])
    let e = labelExpr()
    #expect(e.combinationColumns == [0, 1])
    let b1 = Batch(columns: [
        Column(codes: [0, 1, 2, 0, 1], dictionary: dict, validity: [1, 1, 1, 0, 1]),
        intCol([1, 2, 3, 1, nil]),
    ])
    let b2 = Batch(columns: [
        Column(codes: [2, 2, 1, 0, 0], dictionary: dict),
        intCol([3, 1, 2, 2, 1]),
    ])
    let r1 = try e.evaluate(b1)
    let r2 = try e.evaluate(b2)
    #expect(strings(r1) == ["CHAT/1", "GAME/2", "ABCDEFGHIJKLMNO/3", nil, nil])
    #expect(strings(r2) == ["ABCDEFGHIJKLMNO/3", "ABCDEFGHIJKLMNO/1", "GAME/2", "CHAT/2", "CHAT/1"])
    // Both batches have the same domains (same dictionary, range 1...3): one shared result dictionary.
    #expect(r1.dictionary != nil && r1.dictionary === r2.dictionary)
}

@Test func combinationFallsBackToRowsOnErrorsAndWideRanges() throws {
    let dict = StringDictionary(["1", "x"])
    // CAST(c0 || CAST(c1 AS VARCHAR) AS BIGINT): the combination 'x' fails, but no row uses it.
    let concat = FunctionRegistry.resolve("concat_op", [.varchar, .varchar])!
    let inner = ScalarExpr(
        .function(
            concat,
            [col(0, .varchar), ScalarExpr(.cast(col(1, .bigint), isTry: false), type: .varchar, name: "c")]),
        type: .varchar, name: "k")
    let e = ScalarExpr(.cast(inner, isTry: false), type: .bigint, name: "CAST(k AS BIGINT)")
    let b = Batch(columns: [Column(codes: [0, 0, 0], dictionary: dict), intCol([5, 6, 7])])
    let r = try e.evaluate(b)
    #expect(r.ints == [15, 16, 17])
    // A used combination that fails still raises.
    let bad = Batch(columns: [Column(codes: [0, 1], dictionary: dict), intCol([5, 6])])
    #expect(throws: KuaiError.self) { _ = try e.evaluate(bad) }
    // A range too wide for a table: evaluated row by row, same answers (flat form).
    let wide = Batch(columns: [Column(codes: [0, 1], dictionary: dict), intCol([0, 1 << 40])])
    let w = try labelExpr().evaluate(wide)
    #expect(strings(w) == ["1/0", "X/1099511627776"])
    #expect(w.dictionary == nil)
}

@Test func flatConcatOfManyBatchesKeepsHeapsAlive() throws {
    let e = labelExpr()
    // Flat input (no dictionary): per-row kernels; strings longer than 12 bytes live in heaps
    // that every result column keeps.
    var results: [Column] = []
    for k in 0..<4 {
        let b = Batch(columns: [
            Column(flatStrings: ["abcdefghijklm\(k)", "", nil, "é"]),
            intCol([Int64(k), 12, 3, nil]),
        ])
        results.append(try e.evaluate(b))
    }
    for (k, r) in results.enumerated() {
        #expect(strings(r) == ["ABCDEFGHIJKLM\(k)/\(k)", "/12", nil, nil])
    }
}
