import KuaiCore

/// Every row of a table, read block by block, as boxed values.
public func allRows(_ table: TableSource) throws -> [[Value]] {
    var out: [[Value]] = []
    for b in 0..<table.blockCount {
        let cols = try (0..<table.schema.count).map { try table.readColumn($0, block: b) }
        for r in 0..<table.blockRowCount(b) { out.append(cols.map { $0.value(at: r) }) }
    }
    return out
}
