import KuaiCore
import Testing

/// `RowIdTable`: the rowid column numbers rows across blocks, its zone maps are each block's row
/// range, a sparse read gives the rowids of the rows asked for, and the base columns pass through.
@Suite("RowIdTable")
struct RowIdTableTests {
    /// Three blocks of 3, 1 and 2 rows of one BIGINT column.
    static func table() -> RowIdTable {
        let blocks: [[Int64]] = [[10, 11, 12], [13], [14, 15]]
        let batches = blocks.map { Batch(columns: [Column(type: .bigint, ints: $0)], count: $0.count) }
        return RowIdTable(MemoryTable(name: "t", schema: [Field("x", .bigint)], batches: batches))
    }

    @Test func numbersRowsAcrossBlocks() throws {
        let t = Self.table()
        #expect(t.schema.map(\.name) == ["x", "rowid"])
        #expect(t.rowIdColumn == 1)
        #expect(try t.readColumn(1, block: 0).ints == [0, 1, 2])
        #expect(try t.readColumn(1, block: 1).ints == [3])
        #expect(try t.readColumn(1, block: 2).ints == [4, 5])
        #expect(try t.readColumn(0, block: 2).ints == [14, 15])
    }

    @Test func zoneMapsAreRowRanges() {
        let t = Self.table()
        #expect(t.zoneMap(column: 1, block: 0) == ZoneMap(rowCount: 3, nullCount: 0, min: .int(0), max: .int(2)))
        #expect(t.zoneMap(column: 1, block: 2) == ZoneMap(rowCount: 2, nullCount: 0, min: .int(4), max: .int(5)))
        #expect(t.zoneMap(column: 0, block: 0) == nil)
    }

    @Test func sparseReadGivesTheChosenRows() throws {
        let t = Self.table()
        let rows: [Int32] = [0, 2]
        let c = try rows.withUnsafeBufferPointer { try t.readColumn(1, block: 0, rows: $0) }
        #expect(c.ints == [0, 2])
        #expect(c.validity == nil)
    }
}
