import KuaiCore

// API CONTRACT (stub to be replaced by the parser implementation).

/// Parses kuai's SQL dialect (Formats/query-language.md).
public enum Parser {
    /// Parses one statement (a trailing `;` is allowed).
    /// - Throws: `KuaiError.syntax` whose `location` is the `SourcePosition` of the offending token
    ///   and whose message says what was expected, e.g. `expected an expression after 'WHERE', found 'FROM'`.
    public static func parse(_ sql: String) throws -> Statement { fatalError("unimplemented") }
}
