import Foundation
import KuaiCore
import Testing

@testable import KuaiFormat

/// A fresh temporary folder, removed by `cleanup()`.
struct TempDir {
    let path: String
    init() {
        var template = Array((NSTemporaryDirectory() + "/kuai-format-XXXXXX").utf8CString)
        let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!
        path = String(cString: p)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
    func sub(_ name: String) -> String { path + "/" + name }
}

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

/// A column from optional Int64s (nil = NULL).
func intColumn(_ type: DataType, _ v: [Int64?]) -> Column {
    let hasNull = v.contains { $0 == nil }
    return Column(type: type, ints: v.map { $0 ?? 0 }, validity: hasNull ? v.map { $0 == nil ? 0 : 1 } : nil)
}

func doubleColumn(_ v: [Double?]) -> Column {
    let hasNull = v.contains { $0 == nil }
    return Column(doubles: v.map { $0 ?? 0 }, validity: hasNull ? v.map { $0 == nil ? 0 : 1 } : nil)
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

/// A deterministic generator (SplitMix64) so tests are reproducible.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Reads a whole file.
func readBytes(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path)!) }

func writeBytes(_ path: String, _ bytes: [UInt8]) {
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
}
