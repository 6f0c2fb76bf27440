import KuaiCore
import Testing

@testable import KuaiSQL

/// Compact token dump: `W:word Q:quoted I:int D:dec S:string P:symbol`, space separated, end token omitted.
func dump(_ tokens: [Token]) -> String {
    tokens.compactMap { t -> String? in
        switch t.kind {
        case .word: return "W:\(t.text)"
        case .quotedIdentifier: return "Q:\(t.text)"
        case .integer: return "I:\(t.text)"
        case .decimal: return "D:\(t.text)"
        case .string: return "S:\(t.text)"
        case .symbol: return "P:\(t.text)"
        case .endOfInput: return nil
        }
    }.joined(separator: " ")
}

@Suite struct LexerTests {
    static let cases: [(String, String)] = [
        ("SELECT a FROM t", "W:SELECT W:a W:FROM W:t"),
        ("select A_1, b$2", "W:select W:A_1 P:, W:b$2"),
        ("  \t\n x  ", "W:x"),
        ("", ""),
        ("1 42 007", "I:1 I:42 I:007"),
        ("1.5 .5 1. 1e3 1E-3 2.5e+10", "D:1.5 D:.5 D:1. D:1e3 D:1e-3 D:2.5e+10"),
        ("1_000_000", "I:1000000"),
        ("1e", "I:1 W:e"),
        ("99999999999999999999", "I:99999999999999999999"),
        ("'abc' 'it''s' ''", "S:abc S:it's S:"),
        ("E'a\\nb' e'\\''", "S:a\nb S:'"),
        ("\"user\" \"a\"\"b\" \"Mixed Case\"", "Q:user Q:a\"b Q:Mixed Case"),
        ("a -- comment\nb", "W:a W:b"),
        ("a /* block\n comment */ b", "W:a W:b"),
        ("a--b", "W:a"),
        ("a-b", "W:a P:- W:b"),
        ("a::int", "W:a P::: W:int"),
        ("a||b", "W:a P:|| W:b"),
        ("a//b/c%d", "W:a P:// W:b P:/ W:c P:% W:d"),
        ("<= >= <> != == = < >", "P:<= P:>= P:<> P:!= P:== P:= P:< P:>"),
        ("2^3**4", "I:2 P:^ I:3 P:** I:4"),
        ("s ~~ 'a' !~~ 'b' ~~* 'c' !~~* 'd'", "W:s P:~~ S:a P:!~~ S:b P:~~* S:c P:!~~* S:d"),
        ("t.* (x);", "W:t P:. P:* P:( W:x P:) P:;"),
        ("t1.c2", "W:t1 P:. W:c2"),
        ("größe", "W:größe"),
        ("'日本'", "S:日本"),
    ]

    @Test(arguments: LexerTests.cases)
    func tokens(sql: String, expected: String) throws {
        #expect(dump(try Lexer.tokenize(sql)) == expected)
    }

    @Test func keywordsAreUpperCasedForMatching() throws {
        let tokens = try Lexer.tokenize("sElEcT Timestamp")
        #expect(tokens[0].upper == "SELECT" && tokens[0].text == "sElEcT")
        #expect(tokens[1].upper == "TIMESTAMP" && tokens[1].text == "Timestamp")
    }

    /// (sql, token index, line, column, offset)
    static let positionCases: [(String, Int, Int, Int, Int)] = [
        ("SELECT a", 1, 1, 8, 7),
        ("SELECT\n  a", 1, 2, 3, 9),
        ("-- c\n\n   x", 0, 3, 4, 9),
        ("'é' x", 1, 1, 5, 5),  // é is one column, two bytes
        ("/* ü */ y", 0, 1, 9, 9),
        ("a\r\nb", 1, 2, 1, 3),
        ("", 0, 1, 1, 0),  // end of input
        ("ab ", 1, 1, 4, 3),  // end of input after a space
    ]

    @Test(arguments: LexerTests.positionCases)
    func positions(sql: String, index: Int, line: Int, column: Int, offset: Int) throws {
        let t = try Lexer.tokenize(sql)[index]
        #expect(t.position == SourcePosition(line: line, column: column, offset: offset))
    }

    @Test(arguments: ErrorTests.lexerCases)
    func errors(sql: String, location: String, fragment: String) {
        expectSyntaxError(at: location, containing: fragment) { try Lexer.tokenize(sql) }
    }
}
