import Foundation
import KuaiCore
import Testing

@testable import KuaiFormat

/// One table to write: a schema and batches.
struct TableSpec {
    var name: String
    var schema: Schema
    var batches: [Batch]
}

@discardableResult
func writeStore(_ path: String, _ tables: [TableSpec]) throws -> [TableSummary] {
    let w = try StoreWriter(destination: path)
    var out: [TableSummary] = []
    for t in tables {
        let tw = try w.beginTable(name: t.name, schema: t.schema, sourcePath: "/src/\(t.name).csv", sourceBytes: 123)
        for b in t.batches { try tw.append(b) }
        out.append(try tw.finish())
    }
    try w.commit()
    return out
}

/// Every row of `column` of `table` as boxed values, block after block.
func readValues(_ table: StoreTable, _ column: Int) throws -> [Value] {
    var out: [Value] = []
    for b in 0..<table.blockCount {
        let c = try table.readColumn(column, block: b)
        #expect(c.count == table.blockRowCount(b))
        for i in 0..<c.count { out.append(c.value(at: i)) }
    }
    return out
}

/// Expected boxed values of an int column of `type`.
func boxed(_ type: DataType, _ v: [Int64?]) -> [Value] {
    v.map { x in
        guard let x else { return .null }
        return type == .boolean ? .bool(x != 0) : .int(x)
    }
}

/// Equality that treats NaN as equal to NaN (bitwise for doubles).
func same(_ a: [Value], _ b: [Value]) -> Bool {
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) {
        switch (x, y) {
        case (.double(let p), .double(let q)):
            if p.bitPattern != q.bitPattern && !(p == q) { return false }
        default:
            if x != y { return false }
        }
    }
    return true
}
