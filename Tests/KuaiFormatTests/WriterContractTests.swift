import Dispatch
import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiFormat

/// The writer's contract with ingest and the reader's with the engine (Store.swift doc comments).
@Suite struct WriterContractTests {
    @Test func batchesThatDoNotMatchTheSchemaAreRejected() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let w = try StoreWriter(destination: dir.sub("s"))
        let tw = try w.beginTable(
            name: "t", schema: [Field("a", .bigint), Field("b", .varchar)], sourcePath: nil, sourceBytes: 0)
        // Wrong type.
        #expect(throws: KuaiError.self) {
            try tw.append(Batch(columns: [Column(doubles: [1]), Column(strings: ["x"])]))
        }
        w.abort()
        let w2 = try StoreWriter(destination: dir.sub("s"))
        let tw2 = try w2.beginTable(
            name: "t", schema: [Field("a", .bigint), Field("b", .varchar)], sourcePath: nil, sourceBytes: 0)
        // Wrong column count.
        #expect(throws: KuaiError.self) { try tw2.append(Batch(columns: [intCol([1])])) }
        // Duplicate table and column names.
        #expect(throws: KuaiError.self) {
            _ = try w2.beginTable(name: "t", schema: [], sourcePath: nil, sourceBytes: 0)
        }
        #expect(throws: KuaiError.self) {
            _ = try w2.beginTable(
                name: "u", schema: [Field("x", .bigint), Field("x", .date)], sourcePath: nil, sourceBytes: 0)
        }
        // A dictionary code outside the batch dictionary.
        let bad = Column(codes: [0, 5], dictionary: StringDictionary(["only"]))
        #expect(throws: KuaiError.self) { try tw2.append(Batch(columns: [intCol([1, 2]), bad])) }
        w2.abort()
    }

    @Test func nullTypedColumnsAreAllNull() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let schema: Schema = [Field("a", .bigint), Field("b", .varchar), Field("c", .double)]
        let n = 1000
        let batch = Batch(columns: [
            Column.nulls(.null, count: n), Column.nulls(.null, count: n), Column.nulls(.null, count: n),
        ])
        try writeStore(dir.sub("s"), [TableSpec(name: "t", schema: schema, batches: [batch])])
        let t = try Store.open(at: dir.sub("s")).table("t")
        for c in 0..<3 { #expect(try readValues(t, c) == Array(repeating: .null, count: n)) }
    }

    @Test func parallelReadersShareOneDictionaryAndDecodeCorrectly() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let n = 5 * 65_536 + 17
        var g = SplitMix64(seed: 21)
        let ids: [Int64?] = (0..<n).map { _ in Int64(g.next() % 1_000_000) }
        let cats: [String?] = (0..<n).map { i in ["x", "y", "z", "w"][i % 4] }
        try writeStore(
            dir.sub("s"),
            [
                TableSpec(
                    name: "t", schema: [Field("id", .bigint), Field("cat", .varchar)],
                    batches: [Batch(columns: [intCol(ids), Column(strings: cats)])])
            ])
        let t = try Store.open(at: dir.sub("s")).table("t")
        let blocks = t.blockCount
        let results = ResultSlots<(Bool, ObjectIdentifier)>(blocks * 4)
        DispatchQueue.concurrentPerform(iterations: blocks * 4) { k in
            let b = k % blocks
            do {
                let a = try t.readColumn(0, block: b)
                let s = try t.readColumn(1, block: b)
                let lo = b * FormatConstants.blockRows
                var ok = true
                for i in 0..<a.count where a.ints[i] != ids[lo + i]! || s.dictionary![s.codes[i]] != cats[lo + i]! {
                    ok = false
                }
                results.set(k, (ok, ObjectIdentifier(s.dictionary!)))
            } catch {
                results.set(k, (false, ObjectIdentifier(t)))
            }
        }
        let all = results.all()
        #expect(all.allSatisfy { $0.0 })
        #expect(Set(all.map { $0.1 }).count == 1, "one dictionary object per column")
    }

    @Test func summariesReportFileSizes() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let s = try writeStore(
            dir.sub("s"),
            [
                TableSpec(
                    name: "t", schema: [Field("a", .bigint)],
                    batches: [Batch(columns: [intCol([1, 2, 3])])])
            ])
        let t = try Store.open(at: dir.sub("s")).table("t")
        #expect(s[0].storeBytes == t.storeBytes)
        #expect(s[0].storeBytes == readBytes(dir.sub("s") + "/" + t.columnFilePath(0)).count)
    }
}
