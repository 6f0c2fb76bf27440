import Foundation
import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiIngest

/// Projection pushdown in the CSV reader (`CSVReadOptions.projection`): the columns not asked for
/// are scanned for the record's shape but never converted.
@Suite struct CSVProjectionTests {
    /// Reads `path` as an inferred table with `projection`, at several chunk and batch sizes, and
    /// returns the rows of each read (they must agree).
    func projected(_ path: String, _ projection: [Int]?) throws -> [[Value]] {
        var results: [[[Value]]] = []
        for var o in [options(), options(chunk: 16, batchRows: 2), options(chunk: 61, batchRows: 5, workers: 1)] {
            o.header = nil
            o.delimiter = nil
            o.projection = projection
            let r = try CSVTableReader.readAll(path: path, table: "", options: o)
            for b in r.batches { #expect(b.columns.count == (projection ?? Array(r.schema.indices)).count) }
            results.append(rows(r.batches))
        }
        #expect(results.allSatisfy { $0 == results[0] })
        return results[0]
    }

    @Test func projectedColumnsAreThoseOfTheWholeRead() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        // quoted fields (a delimiter, a newline, a doubled quote inside), empty fields, CRLF
        let path = dir.write(
            "t.csv",
            "id,name,day,score\n1,\"a,b\",2024-01-01,1.5\n2,,2024-01-02,\r\n3,\"x\ny\",,2.5\n4,\"q\"\"q\",2024-01-04,3\n"
        )
        let whole = try projected(path, nil)
        #expect(whole.count == 4)
        for projection in [[0], [1], [3], [0, 2], [1, 3], [0, 1, 2, 3]] {
            let part = try projected(path, projection)
            #expect(part == whole.map { row in projection.map { row[$0] } }, "\(projection)")
        }
        // no column: only the row count
        let none = try projected(path, [])
        #expect(none.count == 4 && none.allSatisfy(\.isEmpty))
    }

    @Test func aBadValueInAColumnNotReadIsNoError() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var text = "a,b,c\n"
        for i in 0..<50 { text += "\(i),x,\(i * 2)\n" }
        text += "50,y,abc\n51,z,4\n"
        let path = dir.write("t.csv", text)
        var o = options(chunk: 64, sampleRows: 20)
        o.header = nil
        o.projection = [0, 1]
        let r = try CSVTableReader.readAll(path: path, table: "", options: o)
        #expect(r.schema.map(\.type) == [.bigint, .varchar, .bigint])
        #expect(rows(r.batches).map { $0[0] } == (0...51).map { .int(Int64($0)) })
        o.projection = []
        #expect(try CSVTableReader.readAll(path: path, table: "", options: o).batches.reduce(0) { $0 + $1.count } == 52)
        // reading the column meets the value, named by file, line, column and column name
        o.projection = [2]
        let e = kuaiError { _ = try CSVTableReader.readAll(path: path, table: "", options: o) }
        #expect(e?.kind == .csv)
        #expect(e?.location == path + ":52:3")
        #expect(e?.message.hasPrefix("column \"c\" (BIGINT, inferred): expected a BIGINT") == true)
    }

    @Test(arguments: [("50,y\n", ":52:3", "too few fields"), ("50,y,3,4\n", ":52:4", "too many fields")])
    func aRecordOfTheWrongWidthIsStillAnError(_ bad: String, _ location: String, _ message: String) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var text = "a,b,c\n"
        for i in 0..<50 { text += "\(i),x,\(i * 2)\n" }
        text += bad + "51,z,4\n"
        let path = dir.write("t.csv", text)
        for projection in [[], [0], [2]] {
            var o = options(chunk: 64, sampleRows: 20)
            o.projection = projection
            let e = kuaiError { _ = try CSVTableReader.readAll(path: path, table: "", options: o) }
            #expect(e?.kind == .csv)
            #expect(e?.location == path + location, "\(projection)")
            #expect(e?.message.contains(message) == true, "\(projection): \(e?.message ?? "no error")")
        }
    }
}
