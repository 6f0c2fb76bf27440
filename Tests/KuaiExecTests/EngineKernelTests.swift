import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

// Expected strings come from DuckDB 2.0.1 (`COPY (SELECT ...) TO 'x.csv' (HEADER)`), see the
// comment of each table.

/// DOUBLE text as DuckDB's CSV writer prints it.
@Test(arguments: [
    (1.0 / 3, "0.3333333333333333"), (2.5, "2.5"), (1e20, "1e+20"), (3.0, "3.0"), (-0.0, "-0.0"),
    (Double.infinity, "inf"), (-Double.infinity, "-inf"), (Double.nan, "nan"), (1e16, "1e+16"),
    (1e15, "1000000000000000.0"), (123456789012345678.0, "1.2345678901234568e+17"), (1e-5, "1e-05"),
    (0.0001, "0.0001"), (1.5e-7, "1.5e-07"), (1e301, "1e+301"), (1180591620717411303424.0, "1.1805916207174113e+21"),
    (1e21, "1e+21"), (123456780000000.0, "123456780000000.0"), (100.0, "100.0"), (0.1, "0.1"),
    (-2.25, "-2.25"), (3.3333333333333335, "3.3333333333333335"), (0.0, "0.0"), (5e-324, "5e-324"),
])
func engineDoubleText(_ value: Double, _ expected: String) {
    #expect(ValueFormatter.double(value) == expected)
    var bytes = [UInt8](repeating: 0, count: 64)
    let n = bytes.withUnsafeMutableBufferPointer { TextBytes.double(value, $0.baseAddress!) }
    #expect(String(decoding: bytes[0..<n], as: UTF8.self) == expected)
}

/// The byte writer of DOUBLE text (CSV output, CAST to VARCHAR) agrees with `ValueFormatter.double`
/// on every kind of value: 16-17 digit quotients as g03's minutes, random bit patterns (huge, tiny,
/// subnormal), powers of ten and their neighbours, integers near 2^53.
@Test func doubleTextBytesMatchTheFormatter() {
    var values: [Double] = (1..<20_000).map { Double($0 * 7919) / 60_000.0 }
    var rng = SplitMix64(seed: 11)
    for _ in 0..<50_000 {
        let d = Double(bitPattern: rng.next())
        if d.isFinite { values.append(d) }
    }
    for k in -30...30 {
        let p = Double("1e\(k)")!
        values += [p, p.nextUp, p.nextDown, -p, 1.5 * p, p / 3]
    }
    values += [
        9_007_199_254_740_993, 9_007_199_254_740_992, 123_456_789_012_345_680, .leastNonzeroMagnitude,
        .greatestFiniteMagnitude, .leastNormalMagnitude, -0.0, 0.1 + 0.2, 1e15, 1e16, 9.999999999999999e15,
    ]
    var bytes = [UInt8](repeating: 0, count: 64)
    var wrong: [String] = []
    for d in values {
        let n = bytes.withUnsafeMutableBufferPointer { TextBytes.double(d, $0.baseAddress!) }
        let text = String(decoding: bytes[0..<n], as: UTF8.self)
        if text != ValueFormatter.double(d) { wrong.append("\(d.bitPattern): \(text)") }
    }
    #expect(wrong.isEmpty, "\(wrong.prefix(5))")
}

/// TIMESTAMP / DATE text: epoch_ms(...) and DATE literals as DuckDB prints them.
@Test(arguments: [
    (Int64(1_746_374_400_022) * 1000, "2025-05-04 16:00:00.022"),
    (Int64(1_746_374_400_000) * 1000, "2025-05-04 16:00:00"),
    (Int64(1_746_374_400_100) * 1000, "2025-05-04 16:00:00.1"),
    (Int64(1_746_378_000_500) * 1000, "2025-05-04 17:00:00.5"),
    (Int64(0), "1970-01-01 00:00:00"), (Int64(-1), "1969-12-31 23:59:59.999999"),
])
func engineTimestampText(_ micros: Int64, _ expected: String) {
    #expect(ValueFormatter.timestamp(micros) == expected)
}

@Test func engineDateTextAndParse() {
    #expect(ValueFormatter.date(20213) == "2025-05-05")
    #expect(ValueFormatter.date(0) == "1970-01-01")
    #expect(ValueFormatter.date(-1) == "1969-12-31")
    #expect(ValueFormatter.parseDate("2025-05-05") == 20213)
    #expect(ValueFormatter.parseDate("2024-02-29") != nil)
    #expect(ValueFormatter.parseDate("2025-02-29") == nil)
    let ts: Int64? = ValueFormatter.parseTimestamp("2025-05-04 16:00:00.022")
    #expect(ts == Int64(1_746_374_400_022_000))
    #expect(ValueFormatter.interval(IntervalValue(micros: 8 * 3_600_000_000)) == "08:00:00")
    #expect(ValueFormatter.interval(IntervalValue(micros: 86_400_000_000 + 5_400_000_000)) == "25:30:00")
    #expect(ValueFormatter.interval(IntervalValue(days: 1, micros: 5_400_000_000)) == "1 day 01:30:00")
    #expect(
        ValueFormatter.interval(IntervalValue(months: 14, days: -3, micros: -1))
            == "1 year 2 months -3 days -00:00:00.000001")
}

// MARK: - expression helpers

func col(_ i: Int, _ t: DataType) -> ScalarExpr { ScalarExpr.column(i, type: t, name: "c\(i)") }
func lit(_ v: Value, _ t: DataType) -> ScalarExpr { ScalarExpr.constant(v, type: t) }

func bools(_ c: Column) -> [Bool?] {
    (0..<c.count).map { c.isValid($0) ? c.ints[$0] != 0 : nil }
}

@Test func engineBigintOverflowRaises() throws {
    let b = Batch(columns: [intCol([Int64.max, 1])])
    let e = ScalarExpr(.arithmetic(.add, col(0, .bigint), lit(.int(1), .integer)), type: .bigint, name: "(x + 1)")
    #expect(throws: KuaiError.self) { _ = try e.evaluate(b) }
    do {
        _ = try e.evaluate(b)
    } catch let err as KuaiError {
        #expect(err.kind == .execution)
        #expect(err.message.contains("(x + 1)"))
        #expect(err.message.contains("9223372036854775807 + 1"))
    }
    // A NULL row's garbage never raises.
    let nb = Batch(columns: [Column(type: .bigint, ints: [Int64.max, 1], validity: [0, 1])])
    let r = try e.evaluate(nb)
    #expect(r.isValid(0) == false && r.ints[1] == 2)
}

@Test func engineIntegerOverflowAndDivision() throws {
    let b = Batch(columns: [intCol([2_147_483_647], type: .integer), intCol([0], type: .integer)])
    let add = ScalarExpr(.arithmetic(.add, col(0, .integer), lit(.int(1), .integer)), type: .integer, name: "(a + 1)")
    #expect(throws: KuaiError.self) { _ = try add.evaluate(b) }
    let idiv = ScalarExpr(
        .arithmetic(.integerDivide, lit(.int(1), .integer), col(1, .integer)), type: .integer, name: "(1 // b)")
    #expect(throws: KuaiError.self) { _ = try idiv.evaluate(b) }
    let mod = ScalarExpr(
        .arithmetic(.modulo, lit(.int(1), .integer), col(1, .integer)), type: .integer, name: "(1 % b)")
    #expect(throws: KuaiError.self) { _ = try mod.evaluate(b) }
    // `/` is DOUBLE division: 1 / 0 = inf (DuckDB 2.0.1).
    let div = ScalarExpr(.arithmetic(.divide, lit(.int(1), .integer), col(1, .integer)), type: .double, name: "(1 / b)")
    #expect(try div.evaluate(b).doubles[0] == .infinity)
    // Int64.min // -1 and % -1 must not trap.
    let mb = Batch(columns: [intCol([Int64.min]), intCol([-1])])
    let q = ScalarExpr(.arithmetic(.integerDivide, col(0, .bigint), col(1, .bigint)), type: .bigint, name: "(a // b)")
    #expect(throws: KuaiError.self) { _ = try q.evaluate(mb) }
    // -7 // 2 = -3, -7 % 3 = -1 (truncation, as DuckDB)
    let nb = Batch(columns: [intCol([-7]), intCol([2]), intCol([3])])
    #expect(
        try ScalarExpr(.arithmetic(.integerDivide, col(0, .bigint), col(1, .bigint)), type: .bigint, name: "q")
            .evaluate(nb).ints == [-3])
    #expect(
        try ScalarExpr(.arithmetic(.modulo, col(0, .bigint), col(2, .bigint)), type: .bigint, name: "m").evaluate(nb)
            .ints == [-1])
}

@Test func engineThreeValuedLogic() throws {
    // a, b over all 9 combinations of TRUE / FALSE / NULL
    let a = intCol([1, 1, 1, 0, 0, 0, nil, nil, nil], type: .boolean)
    let b = intCol([1, 0, nil, 1, 0, nil, 1, 0, nil], type: .boolean)
    let batch = Batch(columns: [a, b])
    let and = ScalarExpr(.and([col(0, .boolean), col(1, .boolean)]), type: .boolean, name: "and")
    let or = ScalarExpr(.or([col(0, .boolean), col(1, .boolean)]), type: .boolean, name: "or")
    let not = ScalarExpr(.not(col(0, .boolean)), type: .boolean, name: "not")
    #expect(bools(try and.evaluate(batch)) == [true, false, nil, false, false, false, nil, false, nil])
    #expect(bools(try or.evaluate(batch)) == [true, true, true, true, false, nil, true, nil, nil])
    #expect(bools(try not.evaluate(batch)) == [false, false, false, true, true, true, nil, nil, nil])
    // The selection vector keeps only TRUE rows.
    #expect(try and.selectRows(batch, nil) == [0])
    #expect(try or.selectRows(batch, nil) == [0, 1, 2, 3, 6])
}

@Test func engineInListWithNull() throws {
    // 1 IN (1, NULL) = true; 2 IN (1, NULL) = NULL; 2 NOT IN (1, NULL) = NULL; NULL IN (1) = NULL
    let b = Batch(columns: [intCol([1, 2, nil], type: .integer)])
    let e = ScalarExpr(
        .inList(col(0, .integer), [lit(.int(1), .integer), lit(.null, .integer)], negated: false), type: .boolean,
        name: "in")
    #expect(bools(try e.evaluate(b)) == [true, nil, nil])
    let n = ScalarExpr(
        .inList(col(0, .integer), [lit(.int(1), .integer), lit(.null, .integer)], negated: true), type: .boolean,
        name: "not in")
    #expect(bools(try n.evaluate(b)) == [false, nil, nil])
}

@Test(arguments: [
    ("abc", "a%", true), ("abc", "%c", true), ("abc", "a_c", true), ("abc", "a_", false), ("", "%", true),
    ("a_c", "a_c", true), ("héllo", "h_llo", true), ("10-100", "%-%", true), ("abc", "b%", false), ("abc", "%b%", true),
])
func engineLike(_ s: String, _ pattern: String, _ expected: Bool) throws {
    let b = Batch(columns: [Column(strings: [s])])
    let e = ScalarExpr(
        .like(col(0, .varchar), pattern: pattern, negated: false, caseInsensitive: false), type: .boolean, name: "like")
    #expect(bools(try e.evaluate(b)) == [expected])
}

// LIKE ... ESCAPE: expected values from DuckDB 2.0.1 (`SELECT s LIKE p ESCAPE e`); nil = an error.
@Test(
    arguments: [
        ("a_b", "%!_%", "!", false, Optional(true)), ("ab", "%!_%", "!", false, false), ("a%", "a!%", "!", false, true),
        ("a!b", "a!!b", "!", false, true), ("a!!b", "a!!b", "!", false, false), ("ab", "a!b", "!", false, true),
        ("a_b", "a_b", "_", false, false), ("a%b", "a%%b", "%", false, true), ("a_b", "%!_%", "", false, false),
        ("", "", "!", false, true), ("x", "", "!", false, false), ("A_b", "a!_B", "!", true, true),
        ("a_b", "ax_b", "X", true, true), ("AXB", "ax_b", "x", true, false),
        // A pattern ending with the escape character fails only when the match reaches it.
        ("b", "a!", "!", false, false), ("a", "a!", "!", false, nil), ("ba", "%a!", "!", false, nil),
        ("b", "%a!", "!", false, false),
        ("", "!", "!", false, nil), ("a", "a_!", "!", false, false), ("ab", "a_!", "!", false, nil),
        // An escape string longer than one byte is an error for every non-NULL row.
        ("x", "a", "!!", false, nil), ("x", "a", "é", false, nil),
    ] as [(String, String, String, Bool, Bool?)])
func engineLikeEscape(_ s: String, _ pattern: String, _ escape: String, _ ci: Bool, _ expected: Bool?) throws {
    let b = Batch(columns: [Column(strings: [s, nil])])
    let e = ScalarExpr(
        .like(col(0, .varchar), pattern: pattern, negated: false, caseInsensitive: ci, escape: escape),
        type: .boolean, name: "like_escape")
    if let expected {
        #expect(bools(try e.evaluate(b)) == [expected, nil])
    } else {
        #expect(throws: KuaiError.self) { _ = try e.evaluate(b) }
        // NULL rows raise no error.
        #expect(bools(try e.evaluate(Batch(columns: [Column(strings: [nil])]))) == [nil])
    }
}

@Test func engineStringComparisonsUseByteOrderAndDictionaries() throws {
    let c = Column(strings: ["100-1000", "10-100", "B", "a", nil])
    let b = Batch(columns: [c])
    let lt = ScalarExpr(.compare(.less, col(0, .varchar), lit(.string("10-100"), .varchar)), type: .boolean, name: "lt")
    #expect(bools(try lt.evaluate(b)) == [false, false, false, false, nil])
    let gt = ScalarExpr(.compare(.greater, col(0, .varchar), lit(.string("B"), .varchar)), type: .boolean, name: "gt")
    #expect(bools(try gt.evaluate(b)) == [false, false, false, true, nil])
    let eq = ScalarExpr(.compare(.equal, col(0, .varchar), lit(.string("zz"), .varchar)), type: .boolean, name: "eq")
    #expect(bools(try eq.evaluate(b)) == [false, false, false, false, nil])
}

@Test func engineCastDoubleToIntegerRoundsHalfToEven() throws {
    // DuckDB: CAST(2.5::DOUBLE AS INTEGER) = 2, 3.5 -> 4, -2.5 -> -2
    let b = Batch(columns: [Column(doubles: [2.5, 3.5, -2.5, 1e20])])
    let e = ScalarExpr(.cast(col(0, .double), isTry: true), type: .integer, name: "cast")
    let r = try e.evaluate(b)
    #expect(Array(r.ints.prefix(3)) == [2, 4, -2])
    #expect(r.isValid(3) == false)
    let strict = ScalarExpr(.cast(col(0, .double), isTry: false), type: .bigint, name: "CAST(x AS BIGINT)")
    #expect(throws: KuaiError.self) { _ = try strict.evaluate(b) }
}

@Test func engineHourOfEpochMsMatchesCalendar() throws {
    // hour(epoch_ms(ms + 28800000)) for 2025-05-04 16:00:00.022 UTC = 00 China time
    let ms: [Int64?] = [1_746_374_400_022, 1_746_378_000_500, -1, nil]
    let b = Batch(columns: [intCol(ms)])
    let f = FunctionRegistry.resolve("hour_of_epoch_ms", [.bigint])!
    let e = ScalarExpr(
        .function(
            f,
            [ScalarExpr(.arithmetic(.add, col(0, .bigint), lit(.int(28_800_000), .integer)), type: .bigint, name: "x")]),
        type: .bigint, name: "h")
    let r = try e.evaluate(b)
    #expect(Array(r.ints.prefix(3)) == [0, 1, 7])
    #expect(r.isValid(3) == false)
}

@Test func engineCaseEvaluatesOnlyTakenBranches() throws {
    // CASE WHEN x = 0 THEN NULL ELSE 10 // x END must not raise for x = 0.
    let b = Batch(columns: [intCol([0, 5])])
    let cond = ScalarExpr(.compare(.equal, col(0, .bigint), lit(.int(0), .integer)), type: .boolean, name: "x = 0")
    let div = ScalarExpr(
        .arithmetic(.integerDivide, lit(.int(10), .integer), col(0, .bigint)), type: .bigint, name: "10 // x")
    let e = ScalarExpr(.caseWhen([(cond, lit(.null, .bigint))], elseExpr: div), type: .bigint, name: "case")
    let r = try e.evaluate(b)
    #expect(r.isValid(0) == false && r.ints[1] == 2)
}

@Test func engineDictionaryLevelEvaluationIsCachedPerDictionary() throws {
    let dict = StringDictionary(["M", "F"])
    let c1 = Column(codes: [0, 1, 0], dictionary: dict)
    let c2 = Column(codes: [1, 1], dictionary: dict, validity: [1, 0])
    let e = ScalarExpr(.compare(.equal, col(0, .varchar), lit(.string("M"), .varchar)), type: .boolean, name: "g = 'M'")
    #expect(bools(try e.evaluate(Batch(columns: [c1]))) == [true, false, true])
    #expect(bools(try e.evaluate(Batch(columns: [c2]))) == [false, nil])
    #expect(e.dictCache.lookup(dict) != nil)
}
