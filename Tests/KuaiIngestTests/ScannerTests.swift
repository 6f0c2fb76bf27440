import Foundation
import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiIngest

/// The byte-level building blocks: SWAR digit runs and delimiter search, the record scanner,
/// the field converters, the interner.
@Suite struct ScannerTests {
    /// `bytes` followed by 16 bytes of padding, as chunk buffers have.
    func padded(_ s: String) -> [UInt8] { Array(s.utf8) + [UInt8](repeating: 0, count: 16) }

    @Test(arguments: [
        ("", 0, 0), ("x", 0, 0), ("0", 0, 1), ("7,", 7, 1), ("12345678", 12_345_678, 8), ("123456789", 12_345_678, 8),
        ("9999999,", 9_999_999, 7), ("00000001", 1, 8), ("12/3", 12, 2), ("1:2", 1, 1), ("123\u{0}", 123, 3),
        ("5\u{FF}", 5, 1), ("5\u{7F}", 5, 1),
    ])
    func digits8(_ text: String, _ value: UInt64, _ count: Int) {
        let b = padded(text)
        let r = b.withUnsafeBufferPointer { SWAR.digits8($0.baseAddress!) }
        #expect(r.count == count, "\(text)")
        if count > 0 { #expect(r.value == value, "\(text)") }
    }

    @Test func digits8AgreesWithAByteLoopOnEveryByteValue() {
        for b in 0...255 {
            for len in 0...8 {
                var bytes = [UInt8](repeating: UInt8(ascii: "7"), count: 16)
                if len < 8 { bytes[len] = UInt8(b) }
                let r = bytes.withUnsafeBufferPointer { SWAR.digits8($0.baseAddress!) }
                var n = 0
                while n < 8 && bytes[n] >= 0x30 && bytes[n] <= 0x39 { n += 1 }
                #expect(r.count == n, "byte \(b) at \(len)")
            }
        }
    }

    @Test(arguments: [
        ("abc,def", 3), ("\n", 0), (",", 0), ("abcdefgh,", 8), ("abcdefghijklmnop\n", 16), ("a\u{FF}\u{80}b,", 6),
    ])
    func findDelimiter(_ text: String, _ offset: Int) {
        let b = padded(text)
        #expect(
            b.withUnsafeBufferPointer { SWAR.findDelimiter($0.baseAddress!, 0x2C) } == Array(text.utf8).firstIndex {
                $0 == 0x2C || $0 == 0x0A
            }!)
        #expect(Array(text.utf8).firstIndex { $0 == 0x2C || $0 == 0x0A } == offset)
        // the same text with ';' for ',': found with ';' as the delimiter, and a ',' is then ordinary
        let semi = padded(String(decoding: Array(text.utf8).map { $0 == 0x2C ? 0x3B : $0 }, as: UTF8.self))
        #expect(semi.withUnsafeBufferPointer { SWAR.findDelimiter($0.baseAddress!, 0x3B) } == offset)
        let commaIgnored = padded(text + "\n")
        #expect(
            commaIgnored.withUnsafeBufferPointer { SWAR.findDelimiter($0.baseAddress!, 0x3B) }
                == Array(text.utf8).firstIndex { $0 == 0x0A } ?? text.utf8.count)
    }

    @Test func integersOfEveryLengthThroughTheParser() throws {
        // Fast path (1-15 digits) and general path (16-19 digits) must agree with Int64(String).
        var rng = SystemRandomNumberGenerator()
        var text = "a,b\n"
        var expected: [[Value]] = []
        for digits in 1...19 {
            for _ in 0..<20 {
                var s = String(Int.random(in: 1...9, using: &rng))
                for _ in 1..<digits { s += String(Int.random(in: 0...9, using: &rng)) }
                if Int64(s) == nil { continue }
                let neg = Bool.random(using: &rng)
                let t = (neg ? "-" : "") + s
                text += "\(t),\(t)\n"
                expected.append([.int(Int64(t)!), .int(Int64(t)!)])
            }
        }
        #expect(try readText(text, table: "t").rows == expected)
    }

    @Test(arguments: [
        ("2025-05-26", 20234), ("1970-01-01", 0), ("1969-12-31", -1), ("2000-02-29", 11016), ("0001-01-01", -719162),
        ("9999-12-31", 2_932_896),
    ])
    func dates(_ text: String, _ days: Int64) {
        let b = padded(text)
        let r = b.withUnsafeBufferPointer { FieldParse.date($0.baseAddress!, text.utf8.count) }
        guard case .value(let v) = r else {
            Issue.record("\(text) rejected")
            return
        }
        #expect(v == days)
    }

    @Test(arguments: [
        "2025-13-01", "2025-00-10", "2023-02-29", "1900-02-29", "2025-04-31", "2025-1-01", "20250101", "2025-01-01x",
        "abcd-01-01",
    ])
    func badDates(_ text: String) {
        let b = padded(text)
        let r = b.withUnsafeBufferPointer { FieldParse.date($0.baseAddress!, text.utf8.count) }
        if case .value = r { Issue.record("\(text) accepted") }
    }

    @Test(arguments: [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")])
    func recordScannerFindsRecordEndsOutsideQuotes(_ delimiter: UInt8) {
        let text = Array("a,\"x\ny\",b\nc,\"\"\"\",d\n\"open\n".utf8).map { $0 == 0x2C ? delimiter : $0 }
        text.withUnsafeBufferPointer { b in
            let p = b.baseAddress!
            #expect(RecordScanner.recordEnd(p, from: 0, to: b.count, delimiter: delimiter) == 10)
            #expect(RecordScanner.recordEnd(p, from: 10, to: b.count, delimiter: delimiter) == 19)
            #expect(RecordScanner.recordEnd(p, from: 19, to: b.count, delimiter: delimiter) == nil)
            #expect(RecordScanner.lastRecordBoundary(p, count: b.count, delimiter: delimiter) == 19)
            #expect(RecordScanner.lastRecordBoundary(p, count: 5, delimiter: delimiter) == nil)
        }
    }

    /// A quote after a character that is not the delimiter is an ordinary byte: with ';' as the
    /// delimiter, `a,"x` does not open a quoted field, so the LF after it ends the record.
    @Test func recordScannerQuotesOpenOnlyAfterTheDelimiter() {
        let text = Array("a,\"x\nb;\"y\nz\"\n".utf8)
        text.withUnsafeBufferPointer { b in
            let p = b.baseAddress!
            #expect(RecordScanner.recordEnd(p, from: 0, to: b.count, delimiter: UInt8(ascii: ";")) == 5)
            #expect(RecordScanner.recordEnd(p, from: 5, to: b.count, delimiter: UInt8(ascii: ";")) == 13)
            #expect(RecordScanner.recordEnd(p, from: 0, to: b.count, delimiter: UInt8(ascii: ",")) == 10)
        }
    }

    /// The delimiter detection rule (`CSVDialect`): the candidate giving every sampled record the
    /// same number of fields, more than one, and the most fields; `,` first on a tie and when none does.
    @Test(arguments: [
        ("a,b\n1,2\n", ","), ("a;b\n1,5;2\n3,5;4\n", ";"), ("a\tb\tc\n1\t2\t3\n", "\t"), ("a|b\n\"x|y\"|2\n", "|"),
        ("a,b;c\n1,2;3\n", ","), ("one\nrow\n", ","), ("a;b\n1;2;3\n", ","), ("\u{FEFF}x;y\n1;2\n", ";"),
        ("a,b\n\n1,2\n\n", ","), ("n;note\nann;\"a,b,c\"\n", ";"),
    ])
    func delimiterDetection(_ text: String, _ expected: String) {
        let bytes = Array(text.utf8)
        let d = bytes.withUnsafeBufferPointer {
            CSVDialect.delimiter(of: $0.baseAddress!, count: $0.count, skipLines: 0)
        }
        #expect(d == UInt8(ascii: Unicode.Scalar(expected)!), "\(text.debugDescription)")
    }

    @Test func internerGivesDenseCodesAndValidatesText() {
        var it = ByteInterner()
        defer { it.deallocate() }
        var codes: [Int32] = []
        for i in 0..<10_000 {
            let s = padded("value-\(i % 3000)")
            codes.append(
                s.withUnsafeBufferPointer { b in
                    let n = "value-\(i % 3000)".utf8.count
                    return it.intern(b.baseAddress!, n, hash: hashBytes(b.baseAddress!, n))
                })
        }
        #expect(it.count == 3000)
        for i in 0..<10_000 { #expect(it.strings[Int(codes[i])] == "value-\(i % 3000)") }
        let bad = [UInt8]([0x61, 0xC3, 0x28]) + [UInt8](repeating: 0, count: 8)
        #expect(
            bad.withUnsafeBufferPointer { it.intern($0.baseAddress!, 3, hash: hashBytes($0.baseAddress!, 3)) }
                == ByteInterner.binary)
        it.reset()
        #expect(it.count == 0)
        let e = padded("")
        #expect(e.withUnsafeBufferPointer { it.intern($0.baseAddress!, 0, hash: hashBytes($0.baseAddress!, 0)) } == 0)
    }

    @Test func hashDependsOnlyOnTheBytes() {
        let a = padded("hello world, long string") + [1, 2, 3]
        var b =
            [UInt8](repeating: 0xAA, count: 5) + Array("hello world, long string".utf8)
            + [UInt8](repeating: 0xBB, count: 16)
        let n = "hello world, long string".utf8.count
        for k in 1...n {
            let ha = a.withUnsafeBufferPointer { hashBytes($0.baseAddress!, k) }
            let hb = b.withUnsafeMutableBufferPointer { hashBytes(UnsafePointer($0.baseAddress! + 5), k) }
            #expect(ha == hb, "length \(k)")
        }
    }
}

@Suite struct GeneratedCSVTests {
    /// Random valid room.csv rows written in every accepted spelling (quoted or not, spaces,
    /// `+`, leading zeros, CRLF, quoted commas/quotes/newlines in strings, empty fields), read
    /// back with several chunk sizes: the values must be the generated ones.
    @Test(arguments: [1, 2, 3, 4, 5])
    func generatedRoomRowsReadBack(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var text =
            "p_date,live_id,streamer_id,live_type,start_timestamp,end_timestamp,live_content_category,live_name_id\n"
        var expected: [[Value]] = []
        let words = [
            "shop", "other", "chat", "a,b", "say \"hi\"", "two\nlines", "北京", "x\r\ny", " padded ", "+", "5000+", "-",
        ]
        for _ in 0..<3000 {
            var row: [Value] = []
            var fields: [String] = []
            for c in 0..<8 {
                if Int.random(in: 0..<25, using: &rng) == 0 {
                    row.append(.null)
                    fields.append(Bool.random(using: &rng) ? "" : "\"\"")
                    continue
                }
                if c == 6 {
                    let w = words.randomElement(using: &rng)!
                    row.append(.string(w))
                    let needsQuotes = w.contains(",") || w.contains("\"") || w.contains("\n") || w.contains("\r")
                    fields.append(
                        needsQuotes || Bool.random(using: &rng)
                            ? "\"" + w.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : w)
                    continue
                }
                let digits = Int.random(in: 1...19, using: &rng)
                var v = Int64.random(in: 0...Int64.max, using: &rng)
                if digits < 19 { v %= Int64(pow(10.0, Double(digits))) }
                if Bool.random(using: &rng) { v = -v }
                row.append(.int(v))
                var s = String(v)
                switch Int.random(in: 0..<12, using: &rng) {
                case 0: s = " \(s) "
                case 1: s = v >= 0 ? "+\(s)" : s
                case 2: s = v >= 0 ? "000\(s)" : s
                case 3: s = "\"\(s)\""
                default: break
                }
                fields.append(s)
            }
            expected.append(row)
            text += fields.joined(separator: ",") + (Int.random(in: 0..<5, using: &rng) == 0 ? "\r\n" : "\n")
        }
        for (chunk, batch) in [(1 << 20, 65_536), (4096, 1000), (333, 77), (64, 5)] {
            let r = try readText(text, table: "room", options(chunk: chunk, batchRows: batch))
            #expect(r.rows.count == expected.count)
            let firstBad = r.rows.indices.first { $0 >= expected.count || r.rows[$0] != expected[$0] }
            #expect(
                firstBad == nil,
                "seed \(seed) chunk \(chunk): row \(firstBad ?? -1): \(firstBad.map { "\(r.rows[$0]) vs \(expected[$0])" } ?? "")"
            )
        }
    }
}
