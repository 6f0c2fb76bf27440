// Error display for the CLI: the query line and a caret under the error position.

/// Returns the line of `sql` that holds `position` and, below it, a caret (`^`) under `position.column`.
///
/// Tabs before the column are copied into the caret line so the caret lines up in a terminal. A position past
/// the end of the text (an error at end of input) puts the caret one column after the last character.
/// Lines are split at `\n`; a trailing `\r` is dropped. Never fails: an out-of-range line gives the last line.
/// - Parameters:
///   - sql: the query text the position refers to.
///   - position: 1-based line and column (columns count Unicode scalars), as in `KuaiError.location`.
/// - Returns: two lines separated by `\n`, without a final newline, e.g. `"SELECT FROM t\n       ^"`.
public func caretSnippet(sql: String, position: SourcePosition) -> String {
    // Split on the scalar "\n" (a String's "\r\n" is one Character, so split scalars, not Characters).
    var lines: [String.UnicodeScalarView.SubSequence] = sql.unicodeScalars.split(
        separator: "\n", omittingEmptySubsequences: false)
    if lines.isEmpty { lines = [sql.unicodeScalars[...]] }
    let lineIndex = min(max(position.line, 1), lines.count) - 1
    var line = lines[lineIndex]
    if line.last == "\r" { line = line.dropLast() }
    var caret = ""
    var column = 1
    for scalar in line {
        if column >= position.column { break }
        caret.append(scalar == "\t" ? "\t" : " ")
        column += 1
    }
    let limit = min(position.column, line.count + 1)
    while column < limit {
        caret.append(" ")
        column += 1
    }
    return String(String.UnicodeScalarView(line)) + "\n" + caret + "^"
}

/// Parses a `"query:LINE:COLUMN"` location (as in `KuaiError.location`) back into a position (offset 0).
public func sourcePosition(fromLocation location: String) -> SourcePosition? {
    let parts = location.split(separator: ":")
    guard parts.count == 3, parts[0] == "query", let line = Int(parts[1]), let column = Int(parts[2]) else {
        return nil
    }
    return SourcePosition(line: line, column: column, offset: 0)
}
