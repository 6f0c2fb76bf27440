import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiExec

/// The random parts of USING SAMPLE / TABLESAMPLE: counts, uniqueness, repeatability and rough
/// uniformity. Every test uses fixed seeds, so the statistical bounds (many standard deviations
/// wide) are checked over the same numbers on every run.
@Suite struct SampleTests {
    /// Batches of the integers 0..<n, `batchRows` a batch.
    func counting(_ n: Int, batchRows: Int) -> BatchReplayOperator {
        var batches: [Batch] = []
        var start = 0
        while start < n {
            let end = min(n, start + batchRows)
            batches.append(Batch(columns: [intCol((start..<end).map { Int64($0) })]))
            start = end
        }
        return BatchReplayOperator(schema: [Field("i", .bigint)], batches: batches)
    }

    func values(_ op: PhysicalOperator) throws -> [Int64] {
        var out: [Int64] = []
        while let b = try op.next() {
            #expect(b.count > 0)
            for r in 0..<b.count {
                guard case .int(let v) = b.columns[0].value(at: r) else {
                    Issue.record("not an integer")
                    continue
                }
                out.append(v)
            }
        }
        return out
    }

    func reservoir(_ n: Int, rows: Int, seed: UInt64, batchRows: Int = 1000) throws -> [Int64] {
        let spec = SampleSpec(method: .reservoir, size: Double(rows), isPercentage: false, seed: seed)
        return try values(ReservoirSampleOperator(child: counting(n, batchRows: batchRows), spec: spec))
    }

    @Test(arguments: [(10_000, 50), (10_000, 0), (10_000, 10_000), (100, 1_000), (50_000, 7_000), (0, 5)])
    func reservoirKeepsExactlyTheCountOfDistinctInputRowsInOrder(n: Int, k: Int) throws {
        let got = try reservoir(n, rows: k, seed: 7)
        #expect(got.count == min(n, k))
        #expect(got == got.sorted())  // input order, each row once
        #expect(Set(got).count == got.count)
        #expect(got.allSatisfy { $0 >= 0 && $0 < n })
    }

    @Test func reservoirRepeatsWithASeedAndVariesWithAnother() throws {
        let a = try reservoir(100_000, rows: 100, seed: 42)
        #expect(try reservoir(100_000, rows: 100, seed: 42) == a)
        #expect(try reservoir(100_000, rows: 100, seed: 43) != a)
    }

    @Test func reservoirIsRoughlyUniform() throws {
        // 2000 samples of 10 of 100 rows: each row is expected 200 times (sd ~13.4)
        var hits = [Int](repeating: 0, count: 100)
        for seed in 0..<2000 {
            for v in try reservoir(100, rows: 10, seed: UInt64(seed), batchRows: 7) { hits[Int(v)] += 1 }
        }
        #expect(hits.allSatisfy { $0 > 120 && $0 < 280 }, "\(hits)")
        // the first and the last halves of the input are chosen alike
        let early = hits[0..<50].reduce(0, +)
        #expect(early > 9_500 && early < 10_500)
    }

    @Test(arguments: [
        // (rows, percentage, DuckDB 2.0.1's count: `SELECT count(*) FROM range(n) USING SAMPLE p% (reservoir)`)
        (250_001, 0.0015, 3), (99, 50.0, 50), (100_000, 10.0, 10_000), (300_000, 7.77777, 23_331), (100_050, 0.1, 150),
        (100_150, 0.1, 100), (123_456, 0.00123, 1), (5, 10.0, 1), (0, 10.0, 0), (201_000, 0.5, 1_005),
        (100_000, 10.5555, 10_555), (200_000, 100.0, 200_000),
    ])
    func reservoirPercentageFollowsDuckDBsSegments(n: Int, percentage: Double, expected: Int) throws {
        #expect(ReservoirSampleOperator.percentageCount(rows: n, percentage: percentage) == expected)
        for batchRows in [2048, 30_000] {
            let spec = SampleSpec(method: .reservoir, size: percentage, isPercentage: true, seed: 1)
            let got = try values(ReservoirSampleOperator(child: counting(n, batchRows: batchRows), spec: spec))
            #expect(got.count == expected)
            #expect(Set(got).count == got.count)
        }
    }

    func filtered(_ method: SampleSpec.Method, _ percentage: Double, n: Int, seed: UInt64) throws -> [Int64] {
        let spec = SampleSpec(method: method, size: percentage, isPercentage: true, seed: seed)
        return try values(SampleFilterOperator(child: counting(n, batchRows: 65_536), spec: spec))
    }

    @Test func bernoulliKeepsAboutThePercentage() throws {
        // 1,000,000 rows at 10%: 100,000 expected, sd 300
        let got = try filtered(.bernoulli, 10, n: 1_000_000, seed: 5)
        #expect(got.count > 97_000 && got.count < 103_000)
        #expect(got == got.sorted() && Set(got).count == got.count)
        #expect(try filtered(.bernoulli, 10, n: 1_000_000, seed: 5) == got)
        #expect(try filtered(.bernoulli, 10, n: 1_000_000, seed: 6) != got)
    }

    @Test func systemKeepsWholeVectorsAboutThePercentage() throws {
        // 1,000 vectors at 30%: 300 expected, sd 14.5
        let n = 1_000 * SampleSpec.vectorSize
        let got = try filtered(.system, 30, n: n, seed: 9)
        #expect(got.count % SampleSpec.vectorSize == 0)
        let vectors = got.count / SampleSpec.vectorSize
        #expect(vectors > 220 && vectors < 380)
        // every kept vector is whole: its first row starts a vector and its rows follow on
        for v in stride(from: 0, to: got.count, by: SampleSpec.vectorSize) {
            #expect(got[v] % Int64(SampleSpec.vectorSize) == 0)
            #expect(got[v + SampleSpec.vectorSize - 1] == got[v] + Int64(SampleSpec.vectorSize) - 1)
        }
        #expect(try filtered(.system, 30, n: n, seed: 9) == got)
    }

    @Test(arguments: [SampleSpec.Method.bernoulli, .system])
    func zeroAndHundredPercent(method: SampleSpec.Method) throws {
        #expect(try filtered(method, 0, n: 10_000, seed: 1).isEmpty)
        #expect(try filtered(method, 100, n: 10_000, seed: 1) == (0..<10_000).map { Int64($0) })
    }

    /// A morsel source of the batches of `counting`.
    final class Morsels: MorselSource, @unchecked Sendable {
        let batches: [Batch]
        init(_ batches: [Batch]) { self.batches = batches }
        var schema: Schema { [Field("i", .bigint)] }
        var morselCount: Int { batches.count }
        func morsel(_ i: Int) throws -> Batch? { batches[i] }
        var explainLine: String { "Morsels" }
        var explainChildren: [String] { [] }
    }

    @Test func morselSampleIsTheSameOnAnyThreadCount() throws {
        let batches = (0..<40).map { m in Batch(columns: [intCol((0..<5_000).map { Int64(m * 5_000 + $0) })]) }
        let spec = SampleSpec(method: .bernoulli, size: 25, isPercentage: true, seed: 3)
        let serial = try values(MorselDriver(source: SampleSource(child: Morsels(batches), spec: spec), threads: 1))
        let parallel = try values(MorselDriver(source: SampleSource(child: Morsels(batches), spec: spec), threads: 4))
        #expect(serial == parallel)
        // and the same rows as the pulled form, which numbers batches as the morsels are numbered
        let pulled = try values(
            SampleFilterOperator(
                child: BatchReplayOperator(schema: [Field("i", .bigint)], batches: batches), spec: spec))
        #expect(pulled == serial)
        #expect(serial.count > 45_000 && serial.count < 55_000)
    }
}

@Suite struct KthSmallestTests {
    @Test(arguments: [1, 2, 3, 10, 1000, 20_001])
    func matchesSorting(count: Int) {
        var random = SampleRandom(seed: UInt64(count), stream: 0)
        // few distinct values for small counts (ties), full range for large ones
        let values = (0..<count).map { _ in count < 100 ? random.next() % 4 : random.next() }
        let sorted = values.sorted()
        for rank in Set([0, count / 3, count / 2, count - 1]) {
            var scratch = values
            #expect(KeyedReservoir.kthSmallest(&scratch, rank) == sorted[rank])
        }
    }
}
