import KuaiCore

/// The `GroupKeyTable` without key columns (aggregates without GROUP BY, DISTINCT of no column):
/// every row is group 0, which exists once a row was inserted.
final class NoKeyTable: GroupKeyTable {
    let keyTypes: [DataType] = []
    private(set) var count = 0
    let interner = StringInterner()
    var layout: GroupKeyLayout { .none }

    func reserve(_ n: Int) {}

    func findOrInsert(_ keys: [Column], rowCount n: Int, into ids: UnsafeMutableBufferPointer<Int32>) {
        if n == 0 { return }
        count = 1
        for i in 0..<n { ids[i] = 0 }
    }

    func find(
        _ keys: [Column], rowCount n: Int, nullsMatch: Bool, into ids: UnsafeMutableBufferPointer<Int32>,
        interner: StringInterner
    ) {
        for i in 0..<n { ids[i] = count > 0 ? 0 : -1 }
    }

    func keyColumns() -> [Column] { [] }
}
