import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

// The fused selection loops (`x op y`, `(p ± q) op k`, `x IN (long list)`) must select exactly the
// rows on which the general path (`evaluate`, whose semantics the DuckDB-derived tests pin down)
// gives TRUE, and must raise the same errors.

/// The TRUE rows of `e` by the general path, restricted to `input`.
private func referenceRows(_ e: ScalarExpr, _ batch: Batch, _ input: [Int32]?) throws -> [Int32] {
    let c = try e.evaluate(batch)
    var out: [Int32] = []
    for i in 0..<batch.count where c.isValid(i) && c.ints[i] != 0 { out.append(Int32(i)) }
    guard let input else { return out }
    let keep = Set(input)
    return out.filter { keep.contains($0) }
}

/// Random BIGINT columns with NULLs, values small enough that sums never overflow.
private func randomBatch(rows: Int, seed: UInt64) -> Batch {
    var g = SplitMix64(seed: seed)
    func column(_ nulls: Bool) -> Column {
        let v = (0..<rows).map { _ in Int64(bitPattern: g.next() % 2001) - 1000 }
        let valid: [UInt8]? = nulls ? (0..<rows).map { _ in g.next() % 7 == 0 ? 0 : 1 } : nil
        return Column(type: .bigint, ints: v, validity: valid)
    }
    return Batch(columns: [column(false), column(true), column(false)])
}

private let compareOps: [CompareOp] = [.equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual]

@Test(arguments: compareOps)
func engineFusedSelectMatchesEvaluate(_ op: CompareOp) throws {
    let batch = randomBatch(rows: 1037, seed: 11)
    let k = lit(.int(3), .integer)
    func arith(_ o: ArithmeticOp, _ a: ScalarExpr, _ b: ScalarExpr) -> ScalarExpr {
        ScalarExpr(.arithmetic(o, a, b), type: .bigint, name: "arith")
    }
    func cmp(_ a: ScalarExpr, _ b: ScalarExpr) -> ScalarExpr {
        ScalarExpr(.compare(op, a, b), type: .boolean, name: "cmp")
    }
    let shapes: [ScalarExpr] = [
        cmp(col(0, .bigint), col(2, .bigint)),  // column op column
        cmp(col(1, .bigint), col(0, .bigint)),  // ... with NULLs
        cmp(arith(.subtract, col(0, .bigint), col(2, .bigint)), k),  // (a - b) op k
        cmp(arith(.add, col(1, .bigint), col(2, .bigint)), k),  // (a + b) op k, NULLs
        cmp(arith(.subtract, col(0, .bigint), lit(.int(5), .integer)), k),  // (a - 5) op k
        cmp(arith(.add, lit(.int(-5), .integer), col(1, .bigint)), k),  // (-5 + a) op k
        cmp(arith(.subtract, lit(.int(7), .integer), col(2, .bigint)), k),  // (7 - a) op k
        cmp(k, arith(.subtract, col(0, .bigint), col(1, .bigint))),  // k op (a - b)
    ]
    let subset: [Int32] = stride(from: 0, to: 1037, by: 3).map { Int32($0) }
    for e in shapes {
        #expect(try e.selectRows(batch, nil) == referenceRows(e, batch, nil))
        #expect(try e.selectRows(batch, subset) == referenceRows(e, batch, subset))
    }
}

@Test func engineFusedSelectOverflow() throws {
    let b = Batch(columns: [intCol([Int64.max, 1]), intCol([1, 1])])
    let sum = ScalarExpr(.arithmetic(.add, col(0, .bigint), col(1, .bigint)), type: .bigint, name: "(a + b)")
    let e = ScalarExpr(.compare(.greater, sum, lit(.int(0), .integer)), type: .boolean, name: "((a + b) > 0)")
    #expect(throws: KuaiError.self) { _ = try e.selectRows(b, nil) }
    // The overflowing row is not selected by an earlier conjunct: no error, as in the general path.
    #expect(try e.selectRows(b, [1]) == [1])
    // Overflow under a NULL never raises.
    let nb = Batch(columns: [Column(type: .bigint, ints: [Int64.max, 1], validity: [0, 1]), intCol([1, 1])])
    #expect(try e.selectRows(nb, nil) == [1])
    // A HUGEINT sum is exact beyond Int64.
    let wide = ScalarExpr(.arithmetic(.add, col(0, .bigint), col(1, .bigint)), type: .hugeint, name: "(a + b)")
    let big = ScalarExpr(.compare(.greater, wide, lit(.int(Int64.max), .bigint)), type: .boolean, name: "w")
    #expect(try big.selectRows(b, nil) == [0])
}

@Test func engineInListSelectMatchesEvaluate() throws {
    let batch = randomBatch(rows: 2000, seed: 5)
    var items: [ScalarExpr] = (0..<40).map { lit(.int(Int64($0 * 37 - 700)), .bigint) }
    let e = ScalarExpr(.inList(col(1, .bigint), items, negated: false), type: .boolean, name: "in")
    let subset: [Int32] = stride(from: 1, to: 2000, by: 2).map { Int32($0) }
    #expect(try e.selectRows(batch, nil) == referenceRows(e, batch, nil))
    #expect(try e.selectRows(batch, subset) == referenceRows(e, batch, subset))
    #expect(try !e.selectRows(batch, nil).isEmpty)
    // With a NULL in the list the found rows are still TRUE (the rest NULL).
    items.append(lit(.null, .bigint))
    let n = ScalarExpr(.inList(col(0, .bigint), items, negated: false), type: .boolean, name: "in")
    #expect(try n.selectRows(batch, nil) == referenceRows(n, batch, nil))
}

@Test func engineIntHashSetLargeAndSparse() {
    // More values than the filter's bit budget, and values far apart.
    let values = (0..<300_000).map { Int64($0) * 1_000_003 - 5 }
    let set = IntHashSet(values + [Int64.min, Int64.max])
    let probes: [Int64] = [-5, 1_000_003 - 5, 299_999 * 1_000_003 - 5, Int64.min, Int64.max, -4, 0, 17, Int64.min + 1]
    var out = [Int64](repeating: 9, count: probes.count)
    probes.withUnsafeBufferPointer { p in out.withUnsafeMutableBufferPointer { set.contains(p, into: $0) } }
    #expect(out == [1, 1, 1, 1, 1, 0, 0, 0, 0])
}

@Test func engineSumInt64IsExact() {
    let xs: [Int64] = [Int64.max, Int64.max, Int64.min, -1, 1 << 40, -(1 << 33), Int64.max, 7]
    var want: Int128 = 0
    for x in xs { want += Int128(x) }
    for n in 0...xs.count {
        var w: Int128 = 0
        for x in xs.prefix(n) { w += Int128(x) }
        #expect(xs.withUnsafeBufferPointer { sumInt64(UnsafeBufferPointer(rebasing: $0[0..<n])) } == w)
    }
    #expect(xs.withUnsafeBufferPointer { sumInt64($0) } == want)
}

/// A large block through the scan's fused filters: the rows and every output column (filter
/// columns and the others, gathered) must be those of a row-by-row reference.
@Test func engineScanFiltersLargeBlocks() throws {
    let firstPart = 8192
    let n = firstPart * 3 + 1234
    var g = SplitMix64(seed: 21)
    let a = (0..<n).map { _ in Int64(g.next() % 1000) }
    let b: [Int64?] = (0..<n).map { i in i % 9 == 0 ? nil : Int64(g.next() % 1000) }
    let extra = (0..<n).map { Int64($0) * 3 }
    let dict = StringDictionary(["x", "y", "z"])
    let s = (0..<n).map { i in Int32(i < firstPart ? 1 : Int(g.next() % 3)) }  // no "x" in the first part
    let schema: Schema = [Field("a", .bigint), Field("b", .bigint), Field("e", .bigint), Field("s", .varchar)]
    let block = Batch(columns: [
        Column(type: .bigint, ints: a), intCol(b), Column(type: .bigint, ints: extra),
        Column(codes: s, dictionary: dict),
    ])
    let table = MemoryTable(
        name: "m", schema: schema,
        batches: [block, Batch(columns: block.columns.map { $0.slice(0..<100) }, count: 100)])
    let diff = ScalarExpr(.arithmetic(.subtract, col(0, .bigint), col(1, .bigint)), type: .bigint, name: "(a - b)")
    let c1 = ScalarExpr(.compare(.greater, diff, lit(.int(100), .integer)), type: .boolean, name: "((a - b) > 100)")
    let c2 = ScalarExpr(
        .compare(.equal, col(3, .varchar), lit(.string("x"), .varchar)), type: .boolean, name: "(s = 'x')")
    // Output columns in another order than the table's: e, s, b, a.
    let scan = TableScan(
        table: table, columns: [2, 3, 1, 0],
        conjuncts: [
            c1.remapColumns { [3, 2, 0, 1][$0] }, c2.remapColumns { [3, 2, 0, 1][$0] },
        ])
    guard let got = try scan.morsel(0) else {
        Issue.record("no rows")
        return
    }
    var want: [Int] = []
    for i in 0..<n where b[i] != nil && a[i] - b[i]! > 100 && s[i] == 0 { want.append(i) }
    #expect(got.count == want.count && !want.isEmpty)
    #expect(got.columns[0].ints == want.map { extra[$0] })
    #expect(got.columns[1].codes == want.map { s[$0] })
    #expect(got.columns[2].ints == want.map { b[$0]! })
    #expect(got.columns[3].ints == want.map { a[$0] })
    #expect(got.columns[2].validity == nil || !got.columns[2].validity!.contains(0))
    // A filter that keeps every row (over output column 0 = e).
    let all = ScalarExpr(
        .compare(.greaterEqual, col(0, .bigint), lit(.int(0), .integer)), type: .boolean, name: "e >= 0")
    let every = try TableScan(table: table, columns: [2, 0], conjuncts: [all]).morsel(0)
    #expect(every?.count == n && every?.columns[0].ints == extra && every?.columns[1].ints == a)
    // An overflow in the last row raises (the general path's error).
    var big = a
    big[n - 1] = Int64.max
    let bigTable = MemoryTable(
        name: "m", schema: schema,
        batches: [
            Batch(columns: [
                Column(type: .bigint, ints: big), Column(type: .bigint, ints: a.map { -$0 - 1 }),
                Column(type: .bigint, ints: extra), Column(codes: s, dictionary: dict),
            ])
        ])
    let sum = ScalarExpr(.arithmetic(.subtract, col(0, .bigint), col(1, .bigint)), type: .bigint, name: "(a - b)")
    let over = ScalarExpr(.compare(.greater, sum, lit(.int(0), .integer)), type: .boolean, name: "((a - b) > 0)")
    #expect(throws: KuaiError.self) {
        _ = try TableScan(table: bigTable, columns: [0, 1], conjuncts: [over]).morsel(0)
    }
}

/// Ungrouped count / sum / min / max (the one-group fast paths) against a row-by-row reference,
/// over several batches with extremes, with and without NULLs, serial and parallel.
@Test func engineUngroupedAggregatesMatchReference() throws {
    var g = SplitMix64(seed: 99)
    var batches: [Batch] = []
    var all: [Int64?] = []
    for b in 0..<5 {
        let n = [1, 5000, 3, 70_000, 2][b]
        var v: [Int64?] = (0..<n).map { _ in Int64(bitPattern: g.next()) >> Int64(g.next() % 60) }
        if n > 2 {
            v[0] = Int64.max
            v[1] = Int64.min
        }
        if b == 3 { for i in stride(from: 0, to: n, by: 7) { v[i] = nil } }
        all += v
        batches.append(
            Batch(columns: [intCol(v), Column(doubles: v.map { Double($0 ?? 0) }, validity: intCol(v).validity)]))
    }
    let src = BatchListSource(schema: [Field("x", .bigint), Field("d", .double)], batches: batches)
    let specs = [
        spec("count_star", nil, nil, as: "n"), spec("count", .bigint, 0, as: "c"), spec("sum", .bigint, 0, as: "s"),
        spec("min", .bigint, 0, as: "lo"), spec("max", .bigint, 0, as: "hi"), spec("min", .double, 1, as: "dlo"),
        spec("max", .double, 1, as: "dhi"),
    ]
    let valid = all.compactMap { $0 }
    var sum: Int128 = 0
    for x in valid { sum += Int128(x) }
    for threads in [1, 2] {
        let agg = HashAggregateOperator(
            input: .morsels(src), groupColumns: [], groupNames: [], aggregates: specs, threads: threads)
        let b = try #require(try agg.next())
        #expect(b.columns[0].ints == [Int64(all.count)])
        #expect(b.columns[1].ints == [Int64(valid.count)])
        #expect(b.columns[2].int128(at: 0) == sum)
        #expect(b.columns[3].ints == [valid.min()!] && b.columns[4].ints == [valid.max()!])
        #expect(b.columns[5].doubles == [Double(valid.min()!)] && b.columns[6].doubles == [Double(valid.max()!)])
    }
}

/// `a + b` / `a - b` of BIGINT columns: wrapped values where no row overflows, DuckDB's overflow
/// error exactly when a valid row overflows (against Swift's overflow-reporting arithmetic).
@Test func engineAddSubtractOverflowMatchesReference() throws {
    var g = SplitMix64(seed: 4)
    let edges: [Int64] = [Int64.max, Int64.min, -1, 0, 1, Int64.max - 1, Int64.min + 1, 1 << 62, -(1 << 62)]
    for trial in 0..<200 {
        let n = 1 + Int(g.next() % 40)
        let a = (0..<n).map { _ in
            g.next() % 3 == 0 ? edges[Int(g.next() % UInt64(edges.count))] : Int64(bitPattern: g.next()) >> 2
        }
        let b = (0..<n).map { _ in
            g.next() % 3 == 0 ? edges[Int(g.next() % UInt64(edges.count))] : Int64(bitPattern: g.next()) >> 2
        }
        let batch = Batch(columns: [Column(type: .bigint, ints: a), Column(type: .bigint, ints: b)])
        for op in [ArithmeticOp.add, .subtract] {
            let e = ScalarExpr(.arithmetic(op, col(0, .bigint), col(1, .bigint)), type: .bigint, name: "e")
            var overflow = false
            var want: [Int64] = []
            for i in 0..<n {
                let r = op == .add ? a[i].addingReportingOverflow(b[i]) : a[i].subtractingReportingOverflow(b[i])
                overflow = overflow || r.overflow
                want.append(r.partialValue)
            }
            if overflow {
                #expect(throws: KuaiError.self, "trial \(trial) \(op)") { _ = try e.evaluate(batch) }
            } else {
                #expect(try e.evaluate(batch).ints == want, "trial \(trial) \(op)")
            }
        }
    }
}

/// Selections over many chunks whose selectivity changes from chunk to chunk (so both the
/// branch-free and the branching loops run, and switch), with NULLs and an input selection.
@Test func engineSelectionAcrossSparseAndDenseChunks() throws {
    let n = 10 * ScalarExpr.selectChunk + 77
    var g = SplitMix64(seed: 8)
    // Chunks alternate between "almost nothing passes" and "most rows pass".
    let a: [Int64] = (0..<n).map { i in
        (i / ScalarExpr.selectChunk) % 2 == 0 ? (g.next() % 500 == 0 ? 900 : 0) : Int64(g.next() % 1000)
    }
    let b: [Int64?] = (0..<n).map { i in i % 5 == 0 ? nil : Int64(g.next() % 100) }
    let d: [Double] = a.map { Double($0) / 2 }
    let batch = Batch(columns: [Column(type: .bigint, ints: a), intCol(b), Column(doubles: d)])
    let k = lit(.int(400), .integer)
    let shapes: [ScalarExpr] = [
        ScalarExpr(.compare(.greater, col(0, .bigint), k), type: .boolean, name: "a > 400"),
        ScalarExpr(
            .compare(.greater, col(2, .double), lit(.double(200.5), .double)), type: .boolean, name: "d > 200.5"),
        ScalarExpr(.compare(.lessEqual, col(1, .bigint), lit(.int(3), .integer)), type: .boolean, name: "b <= 3"),
        ScalarExpr(
            .compare(
                .greater,
                ScalarExpr(.arithmetic(.subtract, col(0, .bigint), col(1, .bigint)), type: .bigint, name: "(a - b)"), k),
            type: .boolean, name: "(a - b) > 400"),
        ScalarExpr(
            .inList(col(0, .bigint), (0..<20).map { lit(.int(Int64($0 * 50)), .bigint) }, negated: false),
            type: .boolean, name: "a in"),
    ]
    let subset: [Int32] = (0..<n).filter { $0 % 3 != 1 }.map { Int32($0) }
    for e in shapes {
        #expect(try e.selectRows(batch, nil) == referenceRows(e, batch, nil), "\(e.name)")
        #expect(try e.selectRows(batch, subset) == referenceRows(e, batch, subset), "\(e.name) on a subset")
    }
}

/// A scan with `output`: the filter column is decoded for the filter but not output, an output
/// column is gathered, and a column neither filtered nor output is never read.
@Test func engineScanOutputsOnlyRequestedColumns() throws {
    let t = makeZoned()
    let ge = ScalarExpr(
        .compare(
            .greaterEqual, ScalarExpr.column(0, type: .bigint, name: "ts"), ScalarExpr.constant(.int(5), type: .integer)
        ),
        type: .boolean, name: "ts >= 5")
    // Scanned columns: ts, v, g; output: v only.
    let scan = TableScan(table: t, columns: [0, 1, 2], conjuncts: [ge], output: [1])
    #expect(scan.schema == [Field("v", .bigint)])
    #expect(scan.explainLine == "Scan z columns=[ts, v, g] filters=[ts >= 5] output=[v]")
    var rows: [Int64] = []
    for m in 0..<scan.morselCount {
        if let b = try scan.morsel(m) {
            #expect(b.columns.count == 1)
            rows += b.columns[0].ints
        }
    }
    #expect(rows == (5..<16).map { Int64($0) * 10 })
    #expect(!t.reads.contains { $0.column == 2 })
    // Blocks where the zone map proves the filter (ts 8...15): the filter column is not read.
    #expect(!t.reads.contains { $0.column == 0 && $0.block >= 2 })
}

@Test func engineIntHashSetDenseForm() {
    // Spans under IntHashSet.denseSpan are bitmaps: at the ends of the Int64 range too.
    for base in [Int64.min, -3, 1_000_000, Int64.max - Int64(IntHashSet.denseSpan) + 1] {
        let values = [base, base + 1, base + 63, base + 64, base + (Int64(IntHashSet.denseSpan) - 1), base + 64]
        let set = IntHashSet(values)
        #expect(set.isDense && set.count == 5)
        let probes =
            values + [base &- 1, base + 2, base + 65, base &+ Int64(IntHashSet.denseSpan), Int64.min, Int64.max, 0]
        var out = [Int64](repeating: 9, count: probes.count)
        probes.withUnsafeBufferPointer { p in out.withUnsafeMutableBufferPointer { set.contains(p, into: $0) } }
        var want = probes.map { values.contains($0) ? Int64(1) : 0 }
        want[want.count - 1] = values.contains(0) ? 1 : 0
        #expect(out == want, "base \(base)")
        let sel = probes.withUnsafeBufferPointer { set.select($0, nil, nil, probes.count) }
        #expect(sel == want.enumerated().filter { $0.element == 1 }.map { Int32($0.offset) })
    }
    #expect(!IntHashSet([0, Int64(IntHashSet.denseSpan)]).isDense)
}
