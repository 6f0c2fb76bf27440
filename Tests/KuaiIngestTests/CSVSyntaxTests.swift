import Foundation
import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiIngest

/// read_csv's quote, escape and comment bytes in the record scanner, the field reader and the
/// reader, and its value options (nullstr, decimal_separator, dateformat).
@Suite struct CSVSyntaxTests {
    func syntax(quote: Character = "\"", escape: Character? = nil, comment: Character? = nil) -> CSVSyntax {
        var s = CSVSyntax()
        s.quote = quote.asciiValue!
        s.escape = (escape ?? quote).asciiValue!
        s.comment = comment?.asciiValue
        return s
    }

    func ends(_ text: String, _ s: CSVSyntax) -> [Int] {
        let b = Array(text.utf8)
        return b.withUnsafeBufferPointer { p in
            var out: [Int] = []
            var pos = 0
            while let e = RecordScanner.recordEnd(p.baseAddress!, from: pos, to: b.count, syntax: s) {
                out.append(e)
                pos = e
            }
            return out
        }
    }

    @Test func recordEndsFollowTheQuoteEscapeAndCommentBytes() {
        // a quoted delimiter and newline inside single quotes
        #expect(ends("1,'a,\nb'\n2,x\n", syntax(quote: "'")) == [9, 13])
        #expect(ends("1,'a,\nb'\n2,x\n", syntax()) == [6, 9, 13])
        // an escaped quote does not close the field
        #expect(ends("1,\"a\\\",\nb\"\n2\n", syntax(escape: "\\")) == [11, 13])
        // a comment line with an unbalanced quote, a comment after a value
        #expect(ends("# it's \"odd\n1,2 # \"x\n3,4\n", syntax(comment: "#")) == [12, 21, 25])
    }

    @Test func chunksAreCutAfterCommentsHoldingQuotes() {
        let b = Array("a,b\n# \"\n1,2\n3,".utf8)
        let cut = b.withUnsafeBufferPointer { p in
            RecordScanner.lastRecordBoundary(
                p.baseAddress!, count: b.count,
                firstQuote: RecordScanner.firstQuote(p.baseAddress!, from: 0, to: b.count),
                syntax: syntax(comment: "#"))
        }
        #expect(cut == 12)
    }

    @Test func fieldsEndAtAnUnquotedComment() {
        var x = FieldExtractor(syntax: syntax(comment: "#"))
        defer { x.deallocate() }
        let b = Array("2 # note, more\n3\n".utf8)
        let f = b.withUnsafeBufferPointer { x.extract($0.baseAddress!, at: 0, end: b.count) }
        #expect(f.count == 2 && f.terminator == .newline && f.next == 15)
    }

    /// Reads `text` as an inferred table with `configure` applied, at several chunk sizes; the rows
    /// of each read must agree.
    func read(_ text: String, _ configure: (inout CSVReadOptions) -> Void) throws -> (Schema, [[Value]]) {
        var results: [(Schema, [[Value]])] = []
        for chunk in [16, 37, 1 << 20] {
            var o = options(chunk: chunk, batchRows: 3)
            o.header = nil
            o.delimiter = nil
            configure(&o)
            let r = try readText(text, table: "t", o)
            results.append((r.schema, r.rows))
        }
        #expect(results.allSatisfy { $0.0 == results[0].0 && $0.1 == results[0].1 })
        return results[0]
    }

    @Test func theReaderTakesQuoteEscapeAndComment() throws {
        let q = try read("a;b\n1;'x;y'\n2;'it''s'\n") {
            $0.quote = UInt8(ascii: "'")
            $0.escape = $0.quote
        }
        #expect(q.0 == [Field("a", .bigint), Field("b", .varchar)])
        #expect(q.1 == [[.int(1), .string("x;y")], [.int(2), .string("it's")]])
        let e = try read("a,b\n1,\"x\\\"y\"\n2,\"p\\\\q\"\n") { $0.escape = UInt8(ascii: "\\") }
        #expect(e.1 == [[.int(1), .string("x\"y")], [.int(2), .string("p\\q")]])
        let c = try read("# exported\na,b\n1,2\n  # note \"\n3,x # c\n4,5\n") { $0.comment = UInt8(ascii: "#") }
        #expect(c.0 == [Field("a", .bigint), Field("b", .varchar)])
        #expect(c.1 == [[.int(1), .string("2")], [.int(3), .string("x ")], [.int(4), .string("5")]])
    }

    @Test func delimitersOfSeveralBytes() throws {
        var bars = CSVSyntax(delimiter: UInt8(ascii: "|"))
        bars.delimiterTail = [UInt8(ascii: "|")]
        // a single bar inside a field, a quoted delimiter, an empty field
        #expect(ends("1||\"x||\ny\"||a|b\n2||||\n", bars) == [16, 22])
        let r = try read("a||b||c\n1||\"x||y\"||2024-01-01\n2||y|z||\n3||||2024-01-03\n") {
            $0.delimiter = UInt8(ascii: "|")
            $0.delimiterTail = [UInt8(ascii: "|")]
        }
        #expect(r.0 == [Field("a", .bigint), Field("b", .varchar), Field("c", .date)])
        #expect(
            r.1 == [
                [.int(1), .string("x||y"), day(2024, 1, 1)], [.int(2), .string("y|z"), .null],
                [.int(3), .null, day(2024, 1, 3)],
            ])
        // too many fields: named at the field after the last column
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.write("t.csv", "a::b\n1::2\n3::4::5\n")
        var o = options()
        o.delimiter = UInt8(ascii: ":")
        o.delimiterTail = [UInt8(ascii: ":")]
        let e = kuaiError { _ = try CSVTableReader.readAll(path: path, table: "t", options: o) }
        #expect(e?.location == path + ":3:3")
        #expect(e?.message.contains("too many fields: expected 2, found 3") == true)
    }

    @Test func nullStringsAndDecimalCommas() throws {
        let n = try read("a,b,c\n1,\"NA\",x\n,-,\"\"\nNA,3,\n") { $0.values.nullStrings = [Array("NA".utf8)] }
        #expect(n.0.map(\.type) == [.varchar, .varchar, .varchar])
        #expect(
            n.1 == [
                [.string("1"), .null, .string("x")], [.string(""), .string("-"), .string("")],
                [.null, .string("3"), .string("")],
            ])
        let all = try read("a,b\n1,NA\n-,2\n") { $0.values.nullStrings = [Array("NA".utf8), Array("-".utf8)] }
        #expect(all.0.map(\.type) == [.bigint, .bigint])
        #expect(all.1 == [[.int(1), .null], [.null, .int(2)]])
        let d = try read("a;b\n1,5;x\n-2,25;y\n3;z\n") { $0.values.decimalSeparator = UInt8(ascii: ",") }
        #expect(d.0.map(\.type) == [.double, .varchar])
        #expect(d.1.map { $0[0] } == [.double(1.5), .double(-2.25), .double(3)])
    }

    @Test func aDateFormatReadsDatesAndNamesTheFieldThatDoesNotMatch() throws {
        let dmy = CSVTemporalFormat(text: "%d/%m/%Y") { s in
            // a small strptime for the test: DD/MM/YYYY only
            guard s.count == 10, s[2] == UInt8(ascii: "/"), s[5] == UInt8(ascii: "/") else { return nil }
            func n(_ r: Range<Int>) -> Int? { Int(String(decoding: s[r], as: UTF8.self)) }
            guard let d = n(0..<2), let m = n(3..<5), let y = n(6..<10) else { return nil }
            return UTCDates.days(y, m, d) * 86_400_000_000
        }
        let r = try read("d,x\n01/02/2024,1\n13/02/2024,2\n") { $0.values.dateFormat = dmy }
        #expect(r.0.map(\.type) == [.date, .bigint])
        #expect(r.1.map { $0[0] } == [day(2024, 2, 1), day(2024, 2, 13)])
        var text = "d,x\n"
        for i in 0..<30 { text += "0\(i % 9 + 1)/02/2024,\(i)\n" }
        text += "2024-02-03,31\n"
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.write("t.csv", text)
        var o = options(chunk: 64, sampleRows: 10)
        o.values.dateFormat = dmy
        let e = kuaiError { _ = try CSVTableReader.readAll(path: path, table: "t", options: o) }
        #expect(e?.location == path + ":32:1")
        #expect(e?.message.hasPrefix("column \"d\" (DATE, inferred): expected a DATE written as '%d/%m/%Y'") == true)
    }
}
