import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

// HUGEINT values beyond Int64 (Column.highs): storage helpers, the operators that compute on them
// exactly and the ones that refuse them. Expected values follow from 128-bit arithmetic (the
// spec: DuckDB's HUGEINT is a signed 128-bit integer); the end-to-end answers are in the corpus
// (18-errors-overflow.slt, from DuckDB 2.0.1).

/// 2^64 + k: the same low word as k, another high word.
func twoTo64(plus k: Int128) -> Int128 { (Int128(1) << 64) + k }

@Suite struct HugeintTests {
    @Test func storageIsNarrowUnlessAValueDoesNotFit() {
        let narrow = Column(hugeints: [1, -5, Int128(Int64.min)])
        #expect(!narrow.isWide && narrow.ints == [1, -5, Int64.min] && narrow.type == .hugeint)
        // a value beyond Int64 under a NULL does not make the column wide
        let nullWide = Column(hugeints: [1, Int128(Int64.max) + 1], validity: [1, 0])
        #expect(!nullWide.isWide)
        let wide = hugeCol([Int128(Int64.max) + 1, -3, nil, Int128.min])
        #expect(wide.isWide && wide.count == 4)
        #expect(
            wide.int128(at: 0) == Int128(Int64.max) + 1 && wide.int128(at: 1) == -3 && wide.int128(at: 3) == Int128.min)
        #expect(wide.ints[1] == -3)  // a row that fits keeps its value in `ints`
        #expect(
            wide.value(at: 0) == .hugeint(Int128(Int64.max) + 1) && wide.value(at: 1) == .int(-3)
                && wide.value(at: 2) == .null)
        #expect(wide.firstRowOutsideInt64() == 0)
        let sel: [Int32] = [1, 2]
        let g = sel.withUnsafeBufferPointer { wide.gather($0) }
        #expect(g.highs != nil && g.fitsInt64() && g.narrowedIfPossible().highs == nil)
        let s = wide.slice(3..<4)
        #expect(s.int128(at: 0) == Int128.min)
        var b = ColumnBuilder(type: .hugeint)
        b.append(intCol([7, nil], type: .hugeint))
        b.append(wide)
        let c = b.take()
        #expect(
            (0..<c.count).map { c.value(at: $0) } == [
                int(7), nul, .hugeint(Int128(Int64.max) + 1), int(-3), nul, .hugeint(Int128.min),
            ])
    }

    @Test func sortOrdersBothWords() throws {
        let vals: [Int128?] = [
            twoTo64(plus: 1), 1, nil, -twoTo64(plus: 0), Int128(Int64.max), Int128(Int64.max) + 1, -1, Int128.max,
            Int128.min,
        ]
        let op = SortOperator(
            child: source([[hugeCol(vals), intCol((0..<Int64(vals.count)).map { $0 })]]), keys: [SortKey(column: 0)])
        let got = try rows(op).map { $0[0] }
        let want = vals.compactMap { $0 }.sorted().map(huge) + [nul]
        #expect(got == want)
        let desc = SortOperator(
            child: source([[hugeCol(vals)]]), keys: [SortKey(column: 0, ascending: false, nullsFirst: true)])
        #expect(try rows(desc).map { $0[0] } == [nul] + vals.compactMap { $0 }.sorted(by: >).map(huge))
    }

    @Test func topNKeepsWideRowsAfterANarrowBound() throws {
        // 70,000 narrow rows fill the top-nul buffer (a 64-bit bound is set), then a wide batch
        // arrives whose low words are small: it must win on its 128-bit value.
        let narrow = intCol((0..<70_000).map { Int64($0) }, type: .hugeint)
        let wide = hugeCol([twoTo64(plus: 3), twoTo64(plus: 0), -twoTo64(plus: 5)])
        let op = SortOperator(
            child: source([[narrow], [narrow], [wide]]), keys: [SortKey(column: 0, ascending: false)], limit: 3)
        #expect(try rows(op).map { $0[0] } == [huge(twoTo64(plus: 3)), huge(twoTo64(plus: 0)), int(69_999)])
        let asc = SortOperator(child: source([[narrow], [narrow], [wide]]), keys: [SortKey(column: 0)], limit: 2)
        #expect(try rows(asc).map { $0[0] } == [huge(-twoTo64(plus: 5)), int(0)])
    }

    @Test func groupByAndDistinctSeparateEqualLowWords() throws {
        // 1 and 2^64 + 1 share the low word: they are different groups.
        let keys = hugeCol([1, twoTo64(plus: 1), 1, nil, twoTo64(plus: 1)])
        let vals = intCol([10, 20, 30, 40, 50])
        let src = BatchListSource(
            schema: [Field("k", .hugeint), Field("v", .bigint)], batches: [Batch(columns: [keys, vals])])
        let specs = [spec("sum", .bigint, 1, as: "s")]
        let agg = HashAggregateOperator(
            input: .morsels(src), groupColumns: [0], groupNames: ["k"], aggregates: specs, threads: 1)
        let got = try rows(agg).sorted { "\($0)" < "\($1)" }
        #expect(
            Set(got.map { "\($0)" })
                == Set([[int(1), int(40)], [huge(twoTo64(plus: 1)), int(70)], [nul, int(40)]].map { "\($0)" }))
        let distinct = DistinctOperator(child: source([[keys]]))
        #expect(try rows(distinct).map { $0[0] } == [int(1), huge(twoTo64(plus: 1)), nul])
    }

    @Test func aggregatesOfWideInputMergeAcrossThreads() throws {
        // sum / min / max / avg / count of HUGEINT input, several morsels on 2 threads.
        let parts: [[Int128?]] = [[twoTo64(plus: 1), 5, nil], [-twoTo64(plus: 0), 7], [Int128(Int64.max), 1]]
        let src = BatchListSource(schema: [Field("x", .hugeint)], batches: parts.map { Batch(columns: [hugeCol($0)]) })
        let specs = ["sum", "min", "max", "count", "avg"].map { spec($0, .hugeint, 0) }
        let agg = HashAggregateOperator(
            input: .morsels(src), groupColumns: [], groupNames: [], aggregates: specs, threads: 2)
        let all = parts.flatMap { $0 }.compactMap { $0 }
        let total = all.reduce(0, +)
        let got = try rows(agg)
        #expect(got.count == 1)
        #expect(Array(got[0][0..<4]) == [huge(total), huge(all.min()!), huge(all.max()!), int(Int64(all.count))])
        guard case .double(let avg) = got[0][4] else {
            Issue.record("avg is \(got[0][4])")
            return
        }
        let want = Double(total) / Double(all.count)
        #expect(abs(avg - want) <= 1e-12 * abs(want))
    }

    @Test func sumPast128BitsIsAnError() throws {
        let src = BatchListSource(
            schema: [Field("x", .hugeint)], batches: [Batch(columns: [hugeCol([Int128.max, 1])])])
        let specs = [spec("sum", .hugeint, 0, as: "s")]
        let agg = HashAggregateOperator(
            input: .morsels(src), groupColumns: [], groupNames: [], aggregates: specs, threads: 1)
        #expect { _ = try agg.next() } throws: {
            ($0 as? KuaiError)?.message.contains("Overflow in HUGEINT addition") == true
        }
    }

    @Test func operatorsThatComputeIn64BitsRefuseWideValues() throws {
        let wide = hugeCol([twoTo64(plus: 1), 2])
        // join key
        let join = HashJoinOperator(
            left: source([[wide]]), right: source([[hugeCol([1, 2])]]), type: .inner, leftKeys: [0], rightKeys: [0],
            buildSide: .right)
        #expect { _ = try rows(join) } throws: {
            ($0 as? KuaiError)?.message.contains("outside the BIGINT range is not supported in a join key") == true
        }
        // count(DISTINCT x)
        let src = BatchListSource(schema: [Field("x", .hugeint)], batches: [Batch(columns: [wide])])
        let spec = AggregateSpec(
            function: AggregateRegistry.resolve("count", .hugeint)!, inputColumn: 0, distinct: true,
            name: "count(DISTINCT x)")
        let agg = HashAggregateOperator(
            input: .morsels(src), groupColumns: [], groupNames: [], aggregates: [spec], threads: 1)
        #expect { _ = try agg.next() } throws: { ($0 as? KuaiError)?.kind == .execution }
        // a wide column whose valid rows all fit is accepted (values are in `ints`)
        let fits = Column(hugeints: [twoTo64(plus: 1), 2], validity: [0, 1])
        #expect(!fits.isWide)
        var forced = Column(type: .hugeint, ints: [1, 2])
        forced.highs = [1, 0]
        forced.validity = [0, 1]
        let ok = HashJoinOperator(
            left: source([[forced]]), right: source([[hugeCol([1, 2])]]), type: .inner, leftKeys: [0], rightKeys: [0],
            buildSide: .right)
        #expect(try rows(ok) == [[int(2), int(2)]])
    }

    @Test func expressionsComputeIn128Bits() throws {
        let x = ScalarExpr.column(0, type: .hugeint, name: "x")
        let one = ScalarExpr.constant(.int(1), type: .hugeint)
        let batch = Batch(columns: [hugeCol([Int128(Int64.max), twoTo64(plus: 1), nil])])
        let add = ScalarExpr(.arithmetic(.add, x, one), type: .hugeint, name: "(x + 1)")
        let r = try add.evaluate(batch)
        #expect((0..<3).map { r.value(at: $0) } == [huge(Int128(Int64.max) + 1), huge(twoTo64(plus: 2)), nul])
        let gt = ScalarExpr(
            .compare(.greater, x, ScalarExpr.constant(.int(Int64.max), type: .hugeint)), type: .boolean,
            name: "(x > max)")
        let c = try gt.evaluate(batch)
        #expect((0..<3).map { c.value(at: $0) } == [.bool(false), .bool(true), nul])
        let big = ScalarExpr(
            .arithmetic(.multiply, x, ScalarExpr.constant(.hugeint(Int128.max / 2), type: .hugeint)), type: .hugeint,
            name: "(x * big)")
        #expect { _ = try big.evaluate(batch) } throws: {
            ($0 as? KuaiError)?.message.contains("Overflow in multiplication of INT128") == true
        }
        let toDouble = ScalarExpr(.cast(x, isTry: false), type: .double, name: "CAST(x AS DOUBLE)")
        let d = try toDouble.evaluate(batch)
        #expect(d.doubles[1] == Double(twoTo64(plus: 1)))
        let toBig = ScalarExpr(.cast(x, isTry: false), type: .bigint, name: "CAST(x AS BIGINT)")
        #expect { _ = try toBig.evaluate(batch) } throws: {
            ($0 as? KuaiError)?.message.contains("INT128 with value 18446744073709551617") == true
        }
        let text = ScalarExpr(.cast(x, isTry: false), type: .varchar, name: "CAST(x AS VARCHAR)")
        #expect(try text.evaluate(batch).value(at: 1) == .string("18446744073709551617"))
    }

    @Test func windowSumAndPartitionsUseBothWords() throws {
        // partition by k (1 and 2^64 + 1 are different partitions), sum(v) over the partition
        let k = hugeCol([1, twoTo64(plus: 1), 1, twoTo64(plus: 1)])
        let v = intCol([Int64.max, 5, Int64.max, 6])
        let op = WindowOperator(
            child: source([[k, v]]), partitionBy: [0], orderBy: [], functions: [WindowFunction(.sum, argument: 1)])
        let got = try rows(op).map { $0[2] }
        #expect(got == [huge(2 * Int128(Int64.max)), int(11), huge(2 * Int128(Int64.max)), int(11)])
    }
}
