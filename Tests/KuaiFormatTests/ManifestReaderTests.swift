import Foundation
import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiFormat

/// The manifest's JSON parser (`JSONReader`, RFC 8259) and its reading into `Manifest`: what parses,
/// what is refused with which message, and members missing or of the wrong type named by their path.
@Suite struct ManifestReaderTests {
    /// A value as text, to compare parses: objects as `{name:value,...}`, strings quoted with Swift's
    /// escapes, integers and doubles as Swift prints them.
    static func render(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let n): return "int \(n)"
        case .number(let d): return "double \(d)"
        case .string(let s): return s.debugDescription
        case .array(let items): return "[" + items.map(render).joined(separator: ",") + "]"
        case .object(let names, let values):
            return "{" + zip(names, values).map { "\($0.debugDescription):\(render($1))" }.joined(separator: ",") + "}"
        }
    }

    struct ParseCase: CustomTestStringConvertible, Sendable {
        let json: String
        let expected: String
        var testDescription: String { json }
    }

    static let valid: [ParseCase] = [
        ParseCase(json: "0", expected: "int 0"),
        ParseCase(json: " \t\r\n-12 \n", expected: "int -12"),
        ParseCase(json: "9223372036854775807", expected: "int 9223372036854775807"),
        ParseCase(json: "-9223372036854775808", expected: "int -9223372036854775808"),
        ParseCase(json: "9223372036854775808", expected: "double 9.223372036854776e+18"),
        ParseCase(json: "1.5e3", expected: "double 1500.0"),
        ParseCase(json: "-0.25E-2", expected: "double -0.0025"),
        ParseCase(json: "true", expected: "true"),
        ParseCase(json: "[false, null]", expected: "[false,null]"),
        ParseCase(json: "[]", expected: "[]"),
        ParseCase(json: "{}", expected: "{}"),
        ParseCase(json: #"{"a" : 1, "b":[{"c":"d"}]}"#, expected: #"{"a":int 1,"b":[{"c":"d"}]}"#),
        ParseCase(json: #""tab\tquote\"slash\/back\\nl\n""#, expected: #""tab\tquote\"slash/back\\nl\n""#),
        ParseCase(json: #""\u00e9\u4e2d\ud83d\ude00\b\f\r""#, expected: "\"é中😀\\u{08}\\u{0C}\\r\""),
        ParseCase(json: "\"é中😀\"", expected: "\"é中😀\""),
        ParseCase(json: #"{"k":1,"k":2}"#, expected: #"{"k":int 1,"k":int 2}"#),
    ]

    @Test(arguments: valid)
    func parses(_ c: ParseCase) throws {
        #expect(Self.render(try JSONReader.parse(Array(c.json.utf8))) == c.expected)
    }

    @Test func repeatedNameTakesTheLastMember() throws {
        let v = try JSONReader.parse(Array(#"{"k":1,"k":2}"#.utf8))
        #expect(Self.render(v.member("k")!) == "int 2")
        #expect(v.member("x") == nil)
    }

    struct ErrorCase: CustomTestStringConvertible, Sendable {
        let bytes: [UInt8]
        let message: String
        var testDescription: String { String(decoding: bytes, as: UTF8.self).debugDescription }
        init(_ text: String, _ message: String) {
            bytes = Array(text.utf8)
            self.message = message
        }
        init(bytes: [UInt8], _ message: String) {
            self.bytes = bytes
            self.message = message
        }
    }

    static let invalid: [ErrorCase] = [
        ErrorCase("", "expected a value (end of file) at line 1, column 1"),
        ErrorCase("{\"a\": 1,\n  \"b\" 2}", "expected ':' at line 2, column 7"),
        ErrorCase("[1, 2", "expected ',' or ']' (end of file) at line 1, column 6"),
        ErrorCase("[1,]", "expected a value at line 1, column 4"),
        ErrorCase("{\"a\":1,}", "expected a member name at line 1, column 8"),
        ErrorCase("{a:1}", "expected a member name at line 1, column 2"),
        ErrorCase("01", "unexpected text after the value at line 1, column 2"),
        ErrorCase("1.", "expected a digit (end of file) at line 1, column 3"),
        ErrorCase("-", "expected a digit (end of file) at line 1, column 2"),
        ErrorCase("1e", "expected a digit (end of file) at line 1, column 3"),
        ErrorCase("+1", "expected a value at line 1, column 1"),
        ErrorCase("tru", "expected a value at line 1, column 1"),
        ErrorCase("nul1", "expected a value at line 1, column 1"),
        ErrorCase("\"abc", "unterminated string (end of file) at line 1, column 5"),
        ErrorCase("\"a\tb\"", "control character in a string at line 1, column 3"),
        ErrorCase(#""\x""#, "unknown escape at line 1, column 3"),
        ErrorCase(#""\u12g4""#, "expected 4 hex digits at line 1, column 6"),
        ErrorCase(#""\ud800""#, "unpaired surrogate at line 1, column 8"),
        ErrorCase(#""\ud800\u0041""#, "unpaired surrogate at line 1, column 14"),
        ErrorCase(#""\udc00""#, "unpaired surrogate at line 1, column 8"),
        ErrorCase(bytes: [0x22, 0x61, 0xFF, 0x22], "string is not UTF-8 at line 1, column 2"),
        ErrorCase(bytes: [0x22, 0x5C, 0x6E, 0xC3, 0x22], "string is not UTF-8 at line 1, column 2"),
        ErrorCase("[1e999]", "number out of range at line 1, column 2"),
        ErrorCase(String(repeating: "[", count: 300), "nesting deeper than 256 at line 1, column 257"),
        ErrorCase("{} {}", "unexpected text after the value at line 1, column 4"),
    ]

    @Test(arguments: invalid)
    func refuses(_ c: ErrorCase) {
        #expect(throws: JSONReader.SyntaxError.self) { _ = try JSONReader.parse(c.bytes) }
        do {
            _ = try JSONReader.parse(c.bytes)
        } catch {
            #expect(error.description == c.message)
        }
    }

    /// A version-2 manifest with one table of two columns, its `file` entries to be edited by tests.
    static let sound = """
        {"blockRows": 65536, "commit": 2, "format": "kuai-store", "formatVersion": 2,
         "generation": "00000000000000a1", "writer": "kuai",
         "tables": [{"name": "t", "rowCount": 3, "source": {"path": "/d/t.csv", "bytes": 10},
           "columns": [{"name": "a", "type": "BIGINT", "typeId": 3}, {"name": "s", "type": "VARCHAR", "typeId": 6}],
           "segments": [{"generation": "00000000000000a1", "directory": "t", "rowCount": 3, "blockCount": 1,
             "files": [
               {"file": "t/a.col", "bytes": 100, "nullCount": 0, "footerChecksum": "0123456789abcdef", "zoneMaps": "footer"},
               {"file": "t/s.col", "bytes": 90, "nullCount": 1, "footerChecksum": "0123456789abcdef",
                "dictionarySize": 2, "zoneMaps": "footer", "future": [1, {"x": null}]}]}]}],
         "views": [{"name": "v", "sql": "SELECT \\"a\\" FROM t", "columnNames": ["x"]}]}
        """

    @Test func readsAVersion2Manifest() throws {
        let m = try Manifest.decode(Array(Self.sound.utf8), at: "manifest.json")
        #expect(m.commit == 2 && m.blockRows == 65536 && m.createdAt == nil && m.writer == "kuai")
        #expect(m.tables.count == 1 && m.tables[0].source?.path == "/d/t.csv" && m.tables[0].source?.bytes == 10)
        #expect(m.tables[0].columns.map(\.name) == ["a", "s"] && m.tables[0].columns.map(\.typeId) == [3, 6])
        let files = m.tables[0].segments[0].files
        #expect(files.map(\.file) == ["t/a.col", "t/s.col"] && files.map(\.dictionarySize) == [nil, 2])
        #expect(m.views?.first?.sql == "SELECT \"a\" FROM t" && m.views?.first?.columnNames == ["x"])
    }

    /// What the writer encodes reads back the same.
    @Test func writtenManifestReadsBack() throws {
        let m = try Manifest.decode(Array(Self.sound.utf8), at: "manifest.json")
        let again = try Manifest.decode(try m.encoded(), at: "manifest.json")
        #expect(try again.encoded() == (try m.encoded()))
    }

    @Test func readsTheVersion1Fixture() throws {
        let url = RepoPaths.root.appendingPathComponent("Tests/Fixtures/store-v1/manifest.json")
        let bytes = [UInt8](try Data(contentsOf: url))
        let m = try Manifest.decode(bytes, at: "manifest.json")
        #expect(m.formatVersion == 1 && m.commit == nil && m.views == nil)
        for t in m.tables {
            #expect(t.segments.count == 1 && t.segments[0].generation == m.generation)
            #expect(t.segments[0].files.count == t.columns.count)
        }
    }

    struct SchemaCase: CustomTestStringConvertible, Sendable {
        let replace: String
        let with: String
        let message: String
        var testDescription: String { message }
    }

    static let schemaErrors: [SchemaCase] = [
        SchemaCase(
            replace: #""bytes": 90,"#, with: "", message: #"missing "bytes" at .tables[0].segments[0].files[1]"#),
        SchemaCase(
            replace: #""rowCount": 3, "source""#, with: #""rowCount": "3", "source""#,
            message: "wrong type at .tables[0].rowCount"),
        SchemaCase(replace: #""bytes": 10"#, with: #""bytes": 1.5"#, message: "wrong type at .tables[0].source.bytes"),
        SchemaCase(
            replace: #""generation": "00000000000000a1", "writer""#, with: #""writer""#,
            message: #"missing "generation" at top level"#),
        SchemaCase(
            replace: #""columnNames": ["x"]"#, with: #""columnNames": [7]"#,
            message: "wrong type at .views[0].columnNames[0]"),
        SchemaCase(
            replace: #""nullCount": 0, "footerChecksum": "0123456789abcdef", "zoneMaps": "footer""#,
            with: #""nullCount": 0, "footerChecksum": "0123456789abcdef", "zoneMaps": null"#,
            message: "wrong type at .tables[0].segments[0].files[0].zoneMaps"),
        SchemaCase(replace: #""views": [{"#, with: #""views": [3, {"#, message: "wrong type at .views[0]"),
    ]

    @Test(arguments: schemaErrors)
    func namesTheMemberThatDoesNotFit(_ c: SchemaCase) throws {
        let text = Self.sound.replacingOccurrences(of: c.replace, with: c.with)
        #expect(text != Self.sound)
        do {
            _ = try Manifest.decode(Array(text.utf8), at: "s/manifest.json")
            Issue.record("no error")
        } catch let e as KuaiError {
            #expect(e.kind == .corrupt && e.location == "s/manifest.json")
            #expect(e.message == "manifest does not match the schema: " + c.message)
        }
    }

    @Test func syntaxErrorsNameTheFileAndPlace() throws {
        do {
            _ = try Manifest.decode(Array("{\"format\": \"kuai-store\",\n  \"tab".utf8), at: "s/manifest.json")
            Issue.record("no error")
        } catch let e as KuaiError {
            #expect(e.kind == .corrupt && e.location == "s/manifest.json")
            #expect(e.message == "manifest is not valid JSON: unterminated string (end of file) at line 2, column 7")
        }
    }
}
