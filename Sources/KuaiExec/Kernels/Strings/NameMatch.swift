import KuaiCore

/// Tests of column names for the binder's star expressions (`COLUMNS('regex')`, `* LIKE 'p'`,
/// `* ILIKE 'p'`, `* SIMILAR TO 'p'`), with the matchers of the SQL operators they stand for.
/// Runs once per statement over the FROM columns' names, not per row.
public enum NameMatch {
    /// For each name, whether `pattern` matches anywhere in it (`regexp_matches` semantics, case
    /// sensitive), or the whole of it with `whole` (SIMILAR TO).
    /// - Throws: `KuaiError.execution` for an invalid pattern.
    public static func regex(_ pattern: String, _ names: [String], whole: Bool = false) throws -> [Bool] {
        var p = pattern
        let program = try p.withUTF8 { try RegexProgram($0, RegexOptions()) }
        let m = RegexMatch()
        return names.map { name in
            var n = name
            return n.withUTF8 { m.search(program, $0, whole: whole) }
        }
    }

    /// For each name, whether it is `LIKE pattern` (`ILIKE` with `caseInsensitive`; no escape).
    /// - Throws: `KuaiError.execution` as LIKE does.
    public static func like(_ pattern: String, caseInsensitive: Bool, _ names: [String]) throws -> [Bool] {
        let pat = Kernels.LikePattern(pattern, escape: nil, caseInsensitive: caseInsensitive)
        let expr = ScalarExpr(.constant(.string(pattern)), type: .varchar, name: pattern)
        return try names.map { name in
            var subject = caseInsensitive ? Kernels.LikePattern.lowered(name) : Array(name.utf8)
            return try subject.withUnsafeMutableBufferPointer { try pat.matches(UnsafeBufferPointer($0), expr: expr) }
        }
    }
}
