extension String {
    /// The string without leading and trailing ASCII whitespace: space, tab, line feed, vertical
    /// tab, form feed and carriage return (DuckDB's `StringUtil::CharacterIsSpace`, which its
    /// casts from VARCHAR to numbers and its interval quantities skip). Other bytes, including
    /// non-ASCII spaces such as U+00A0, stay. Returns `self` when nothing is trimmed.
    public func trimmingSpaces() -> String {
        let u = utf8
        var a = u.startIndex
        var b = u.endIndex
        @inline(__always) func isSpace(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }
        while a < b && isSpace(u[a]) { a = u.index(after: a) }
        while b > a && isSpace(u[u.index(before: b)]) { b = u.index(before: b) }
        if a == u.startIndex && b == u.endIndex { return self }
        return String(self[a..<b])
    }
}
