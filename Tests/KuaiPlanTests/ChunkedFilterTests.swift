import KuaiCore
import Testing

@testable import KuaiPlan

/// A scan's filter evaluated range by range (`TableScan.chunkedFilter`) over a source whose
/// columns decode by ranges: the rows and values that pass equal those the filter gives row by
/// row here in the test, with NULLs that start mid-block, conjuncts that empty a range, and filter
/// columns that are also output columns.
@Suite("Filters over ranges of a block")
struct ChunkedFilterTests {
    /// A block of 70,000 rows (nine ranges of `TableScan.chunkRows`, the last short):
    /// a = i, NULL every 13th row; b = (i * 7919) % 100,000, NULL from row 40,000 on every 3rd;
    /// c = i % 1000, never NULL.
    static let n = 70_000
    static func a(_ i: Int) -> Int64? { i % 13 == 0 ? nil : Int64(i) }
    static func b(_ i: Int) -> Int64? { i >= 40_000 && i % 3 == 0 ? nil : Int64((i * 7919) % 100_000) }
    static func c(_ i: Int) -> Int64? { Int64(i % 1000) }

    /// A one-block table whose columns also decode by ranges (slices of the block's columns),
    /// counting the ranges read.
    final class RangeTable: TableSource, @unchecked Sendable {
        let base: MemoryTable
        var rangesRead = 0
        let lock = Mutex()
        init(_ base: MemoryTable) { self.base = base }
        var name: String { base.name }
        var schema: Schema { base.schema }
        var rowCount: Int { base.rowCount }
        var blockCount: Int { base.blockCount }
        func blockRowCount(_ block: Int) -> Int { base.blockRowCount(block) }
        func zoneMap(column: Int, block: Int) -> ZoneMap? { nil }
        func readColumn(_ column: Int, block: Int) throws -> Column { try base.readColumn(column, block: block) }
        func chunks(_ column: Int, block: Int, inPlace: Bool) throws -> BlockChunks? {
            Slices(column: try base.readColumn(column, block: block), table: self)
        }
        final class Slices: BlockChunks {
            let column: Column
            let table: RangeTable
            var next = 0
            init(column: Column, table: RangeTable) {
                self.column = column
                self.table = table
            }
            func read(_ start: Int, _ count: Int) -> Column {
                #expect(start == next && start % 8 == 0)
                next = start + count
                table.lock.withLock { table.rangesRead += 1 }
                return column.slice(start..<(start + count))
            }
        }
    }

    static func table() -> RangeTable {
        func col(_ f: (Int) -> Int64?) -> Column {
            let xs = (0..<n).map(f)
            return Column(type: .bigint, ints: xs.map { $0 ?? 0 }, validity: xs.map { $0 == nil ? 0 : 1 })
        }
        return RangeTable(
            MemoryTable(
                name: "t", schema: [Field("a", .bigint), Field("b", .bigint), Field("c", .bigint)],
                batches: [Batch(columns: [col(a), col(b), col(c)], count: n)]))
    }

    /// The rows of `sql`'s answer as text ("NULL" for NULL), in order.
    static func rows(_ t: RangeTable, _ sql: String) throws -> [[String]] {
        let r = try QueryEngine(tables: [t], options: QueryOptions(threads: 1)).execute(sql)
        var out: [[String]] = []
        for batch in r.batches {
            for i in 0..<batch.count {
                out.append(batch.columns.map { $0.isValid(i) ? String($0.ints[i]) : "NULL" })
            }
        }
        return out
    }

    static func text(_ v: Int64?) -> String { v.map { String($0) } ?? "NULL" }

    @Test func filterColumnsAlsoOutputKeepTheirValuesAndNulls() throws {
        let t = Self.table()
        let got = try Self.rows(t, "SELECT a, b, c FROM t WHERE b < 30000 AND c >= 500")
        let want = (0..<Self.n).filter { i in (Self.b(i).map { $0 < 30000 } ?? false) && Self.c(i)! >= 500 }
            .map { [Self.text(Self.a($0)), Self.text(Self.b($0)), Self.text(Self.c($0))] }
        #expect(got == want)
        #expect(t.rangesRead == 2 * 9)
    }

    @Test func nullTestsAndEmptyRanges() throws {
        let t = Self.table()
        // b IS NULL holds only from row 40,000: the first five ranges keep nothing
        let got = try Self.rows(t, "SELECT b, a FROM t WHERE b IS NULL AND a % 2 = 0")
        let want = (0..<Self.n).filter { i in Self.b(i) == nil && (Self.a(i).map { $0 % 2 == 0 } ?? false) }
            .map { [Self.text(Self.b($0)), Self.text(Self.a($0))] }
        #expect(got == want)
        #expect(!want.isEmpty)
        let none = try Self.rows(t, "SELECT a FROM t WHERE a > 1000000")
        #expect(none.isEmpty)
    }

    @Test func aggregateOverAFilterOnlyColumn() throws {
        let t = Self.table()
        let got = try Self.rows(t, "SELECT count(*), sum(c) FROM t WHERE a BETWEEN 1234 AND 65432")
        let kept = (0..<Self.n).filter { i in Self.a(i).map { $0 >= 1234 && $0 <= 65432 } ?? false }
        #expect(got == [[String(kept.count), String(kept.reduce(Int64(0)) { $0 + Self.c($1)! })]])
    }
}
