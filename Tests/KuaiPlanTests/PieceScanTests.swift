import KuaiCore
import Testing

@testable import KuaiExec
@testable import KuaiPlan

/// A hash aggregate over a scan takes a block in pieces of `TableScan.chunkRows` rows when every
/// column it reads decodes by ranges (`MorselSource.morsel(_:pieces:)`): the groups equal those
/// the test computes row by row, on one thread and on two, and an expression evaluated per value
/// of a range (`CombinationDomains`) gives every piece the values of its own rows, also when a
/// later piece's range lies inside an earlier one's and reuses its table.
@Suite("Aggregates over blocks in pieces")
struct PieceScanTests {
    typealias RangeTable = ChunkedFilterTests.RangeTable
    static let n = ChunkedFilterTests.n
    static let pieces = (n + TableScan.chunkRows - 1) / TableScan.chunkRows

    /// d: 0...699 in the first piece, then 100...399 (a range inside the first), NULL every 11th
    /// row from row 30,000 on.
    static func d(_ i: Int) -> Int64? {
        if i >= 30_000 && i % 11 == 0 { return nil }
        return Int64(i < TableScan.chunkRows ? i % 700 : 100 + i % 300)
    }

    static func table() -> RangeTable {
        let base = ChunkedFilterTests.table().base
        let xs = (0..<n).map(d)
        let dc = Column(type: .bigint, ints: xs.map { $0 ?? 0 }, validity: xs.map { $0 == nil ? 0 : 1 })
        return RangeTable(
            MemoryTable(
                name: "t", schema: base.schema + [Field("d", .bigint)],
                batches: [Batch(columns: base.batches[0].columns + [dc], count: n)]))
    }

    static func rows(_ t: RangeTable, _ sql: String, threads: Int) throws -> [[String]] {
        let r = try QueryEngine(tables: [t], options: QueryOptions(threads: threads)).execute(sql)
        var out: [[String]] = []
        for batch in r.batches {
            for i in 0..<batch.count {
                out.append(
                    batch.columns.map { c in
                        switch c.value(at: i) {
                        case .null: return "NULL"
                        case .string(let s): return s
                        case .int(let v): return String(v)
                        default: return "?"
                        }
                    })
            }
        }
        return out
    }

    @Test(arguments: [1, 2]) func groupsEqualTheRowByRowAnswer(threads: Int) throws {
        let t = Self.table()
        let got = try Self.rows(
            t, "SELECT c % 7 AS k, count(*), count(a), sum(a), min(b), max(b) FROM t GROUP BY k ORDER BY k",
            threads: threads)
        var want: [[String]] = []
        for k in 0..<7 {
            let rows = (0..<Self.n).filter { Int(ChunkedFilterTests.c($0)!) % 7 == k }
            let a = rows.compactMap(ChunkedFilterTests.a)
            let b = rows.compactMap(ChunkedFilterTests.b)
            want.append([
                String(k), String(rows.count), String(a.count), String(a.reduce(0, +)), String(b.min()!),
                String(b.max()!),
            ])
        }
        #expect(got == want)
        // three columns, each read range by range: one piece per range
        #expect(t.rangesRead == 3 * Self.pieces)
    }

    @Test(arguments: [1, 2]) func perValueExpressionsOverPieces(threads: Int) throws {
        let t = Self.table()
        let got = try Self.rows(
            t, "SELECT CAST(d AS VARCHAR) || '!' AS s, count(*) FROM t GROUP BY s ORDER BY count(*) DESC, s",
            threads: threads)
        var counts: [String: Int] = [:]
        for i in 0..<Self.n { counts[Self.d(i).map { "\($0)!" } ?? "NULL", default: 0] += 1 }
        let want = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { [$0.key, String($0.value)] }
        #expect(got == want)
        #expect(t.rangesRead == Self.pieces)
    }

    @Test func aRangeInsideAnotherIsCovered() {
        typealias D = CombinationDomains.Domain
        func domains(_ d: [D]) -> CombinationDomains {
            var c = CombinationDomains(Batch(columns: [], count: 0), columns: [])!
            c.domains = d
            return c
        }
        let wide = domains([.range(min: 0, max: 699)])
        #expect(wide.covers(domains([.range(min: 100, max: 399)])))
        #expect(wide.covers(wide))
        #expect(!wide.covers(domains([.range(min: -1, max: 399)])))
        #expect(!wide.covers(domains([.range(min: 100, max: 700)])))
        #expect(!wide.covers(domains([.range(min: 0, max: 1), .range(min: 0, max: 1)])))
        let dict = StringDictionary(["x", "y"])
        let other = StringDictionary(["x", "y"])
        let byDict = domains([.dictionary(ObjectIdentifier(dict), count: 2)])
        #expect(byDict.covers(byDict))
        #expect(!byDict.covers(domains([.dictionary(ObjectIdentifier(other), count: 2)])))
        #expect(!byDict.covers(domains([.range(min: 0, max: 1)])))
    }
}
