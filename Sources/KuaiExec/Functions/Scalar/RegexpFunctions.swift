import KuaiCore

// regexp_matches, regexp_full_match, regexp_replace, regexp_extract (DuckDB 2.0.1 semantics; the
// engine is PCRE2 set up as RE2, `RegexProgram`). A constant pattern is compiled once per
// expression (`ScalarExpr.regexMemo`); a pattern column is compiled when its value changes. NULL
// subject or pattern gives NULL. Options and regexp_extract's group must be constants.

extension FunctionRegistry {
    static let regexpFunctions: [ScalarFunction] = [
        ScalarFunction("regexp_matches", [.varchar, .varchar], .boolean) { a, _, n, e in
            try RegexKernels.matches(a, n, e, whole: false)
        },
        ScalarFunction("regexp_matches", [.varchar, .varchar, .varchar], .boolean) { a, _, n, e in
            try RegexKernels.matches(a, n, e, whole: false)
        },
        ScalarFunction("regexp_full_match", [.varchar, .varchar], .boolean) { a, _, n, e in
            try RegexKernels.matches(a, n, e, whole: true)
        },
        ScalarFunction("regexp_full_match", [.varchar, .varchar, .varchar], .boolean) { a, _, n, e in
            try RegexKernels.matches(a, n, e, whole: true)
        },
        ScalarFunction("regexp_replace", [.varchar, .varchar, .varchar], .varchar) { a, _, n, e in
            try RegexKernels.replace(a, n, e)
        },
        ScalarFunction("regexp_replace", [.varchar, .varchar, .varchar, .varchar], .varchar) { a, _, n, e in
            try RegexKernels.replace(a, n, e)
        },
        ScalarFunction("regexp_extract", [.varchar, .varchar], .varchar) { a, _, n, e in
            try RegexKernels.extract(a, n, e)
        },
        ScalarFunction("regexp_extract", [.varchar, .varchar, .integer], .varchar) { a, _, n, e in
            try RegexKernels.extract(a, n, e)
        },
        ScalarFunction("regexp_extract", [.varchar, .varchar, .integer, .varchar], .varchar) { a, _, n, e in
            try RegexKernels.extract(a, n, e)
        },
    ]
}

/// The per-row loops of the regexp functions.
enum RegexKernels {
    /// The program for each row: the expression's compiled constant, or the row's pattern compiled
    /// when it differs from the previous row's.
    struct Programs {
        let patterns: StringArg
        let options: RegexOptions
        let constant: RegexProgram?
        var lastPattern: [UInt8] = []
        var last: RegexProgram? = nil

        init(_ op: Operand, _ options: RegexOptions, _ e: ScalarExpr) throws {
            patterns = StringArg(op)
            self.options = options
            if patterns.step == 0 && !patterns.isNullConstant {
                let view = patterns.views[0]
                let result = e.regexMemo.value {
                    Result { try view.withBytes { try RegexProgram($0, options) } }.mapError { $0 as! KuaiError }
                }
                constant = try result.get()
            } else {
                constant = nil
            }
        }

        /// Calls `body(i, program)` for each row `i` below `rows` that `validity` (nil: all) keeps,
        /// with its program; a constant program is bound once, so no row retains and releases it.
        mutating func forEachRow(
            _ rows: Int, _ validity: [UInt8]?, _ body: (Int, RegexProgram) throws -> Void
        ) throws {
            try (validity ?? []).withUnsafeBufferPointer { ok in
                if let c = constant {
                    for i in 0..<rows where ok.isEmpty || ok[i] != 0 { try body(i, c) }
                } else {
                    for i in 0..<rows where ok.isEmpty || ok[i] != 0 { try body(i, try program(i &* patterns.step)) }
                }
            }
        }

        /// The program of row `i`'s pattern (no constant pattern): the previous row's when the
        /// pattern is the same, else compiled.
        private mutating func program(_ i: Int) throws -> RegexProgram {
            try patterns.views[i].withBytes { b in
                if let last, b.elementsEqual(lastPattern) { return last }
                let p = try RegexProgram(b, options)
                lastPattern = Array(b)
                last = p
                return p
            }
        }
    }

    /// The constant options argument `i` (absent: the defaults).
    static func options(_ a: [Operand], _ i: Int, _ e: ScalarExpr, allowGlobal: Bool) throws -> RegexOptions {
        guard i < a.count else { return RegexOptions() }
        guard case .scalar(let v) = a[i] else {
            throw KuaiError(.execution, "Regex options field must be a constant in \(e.name)")
        }
        guard case .string(let s) = v else { return RegexOptions() }
        return try RegexOptions(s, allowGlobal: allowGlobal)
    }

    /// regexp_matches (a match anywhere) / regexp_full_match (`whole`: the entire string): BOOLEAN.
    static func matches(_ a: [Operand], _ n: Int, _ e: ScalarExpr, whole: Bool) throws -> Operand {
        let s = StringArg(a[0])
        var programs = try Programs(a[1], try options(a, 2, e, allowGlobal: false), e)
        let p = programs.patterns
        guard let shape = KernelShape(count: n, [s, p]) else { return .scalar(.null) }
        let m = RegexMatch()
        var vals = [Int64](repeating: 0, count: shape.rows)
        try s.views.withUnsafeBufferPointer { subject in
            try vals.withUnsafeMutableBufferPointer { out in
                try programs.forEachRow(shape.rows, shape.validity) { i, prog in
                    out[i] = subject[i &* s.step].withBytes { m.search(prog, $0, whole: whole) } ? 1 : 0
                }
            }
        }
        return shape.result(Column(type: .boolean, ints: vals, validity: shape.validity))
    }

    /// regexp_replace(s, pattern, replacement[, options]): the first match (every match with 'g')
    /// replaced by `replacement`, where `\0`-`\9` insert a group and `\\` a backslash (RE2's
    /// rewrite). As RE2's GlobalReplace, an empty match right after the previous match is skipped.
    /// - Throws: `checkRewrite`'s errors; an invalid pattern's.
    static func replace(_ a: [Operand], _ n: Int, _ e: ScalarExpr) throws -> Operand {
        let s = StringArg(a[0])
        let r = StringArg(a[2])
        let opts = try options(a, 3, e, allowGlobal: true)
        var programs = try Programs(a[1], opts, e)
        let p = programs.patterns
        guard let shape = KernelShape(count: n, [s, p, r]) else { return .scalar(.null) }
        let m = RegexMatch()
        var out: [UInt8] = []
        let col = try FlatStrings.build(shape.rows, validity: shape.validity) { views, heap in
            try s.views.withUnsafeBufferPointer { subjects in
                try r.views.withUnsafeBufferPointer { rewrites in
                    try programs.forEachRow(shape.rows, shape.validity) { i, prog in
                        out.removeAll(keepingCapacity: true)
                        try subjects[i &* s.step].withBytes { subject in
                            try rewrites[i &* r.step].withBytes { rewrite in
                                try checkRewrite(rewrite, groups: prog.groups)
                                replaceAll(prog, m, subject, rewrite, global: opts.global, into: &out)
                            }
                        }
                        views[i] = out.withUnsafeBufferPointer {
                            FlatStrings.copy(heap, $0.baseAddress ?? RegexProgram.emptyBytes, count: $0.count)
                        }
                    }
                }
            }
        }
        return shape.result(col)
    }

    /// One row of regexp_replace into `out` (RE2::GlobalReplace / RE2::Replace).
    static func replaceAll(
        _ prog: RegexProgram, _ m: RegexMatch, _ s: UnsafeBufferPointer<UInt8>, _ rewrite: UnsafeBufferPointer<UInt8>,
        global: Bool, into out: inout [UInt8]
    ) {
        var p = 0
        var lastEnd = -1
        var replaced = false
        while p <= s.count, m.search(prog, s, from: p) {
            let (ms, me) = (m.starts[0], m.ends[0])
            if p < ms { out.append(contentsOf: s[p..<ms]) }
            if ms == me && ms == lastEnd {
                // An empty match at the end of the previous one: copy one character and go on.
                let len = p < s.count ? UTF8Bytes.sequenceLength(s, p) : 1
                if p < s.count { out.append(contentsOf: s[p..<min(s.count, p + len)]) }
                p += len
                continue
            }
            appendRewrite(rewrite, s, m, into: &out)
            replaced = true
            p = me
            lastEnd = me
            if !global { break }
        }
        if !replaced {
            out.removeAll(keepingCapacity: true)
            out.append(contentsOf: s)
        } else if p < s.count {
            out.append(contentsOf: s[p...])
        }
    }

    /// Checks a replacement as RE2::CheckRewriteString does.
    /// - Throws: DuckDB's "Invalid replacement string" error for a `\` at the end, a `\` followed by
    ///   neither a digit nor `\`, or a group beyond the pattern's.
    static func checkRewrite(_ rewrite: UnsafeBufferPointer<UInt8>, groups: Int) throws {
        var most = -1
        var k = 0
        let prefix = "Invalid replacement string for regexp_replace: Rewrite schema"
        while k < rewrite.count {
            guard rewrite[k] == UInt8(ascii: "\\") else {
                k += 1
                continue
            }
            guard k + 1 < rewrite.count else {
                throw KuaiError(.execution, "\(prefix) error: '\\' not allowed at end.")
            }
            let d = rewrite[k + 1]
            if d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") {
                most = max(most, Int(d) - 48)
            } else if d != UInt8(ascii: "\\") {
                throw KuaiError(.execution, "\(prefix) error: '\\' must be followed by a digit or '\\'.")
            }
            k += 2
        }
        if most > groups {
            throw KuaiError(
                .execution,
                "\(prefix) requests \(most) matches, but the regexp only has \(groups) parenthesized subexpressions.")
        }
    }

    /// Appends `rewrite` (checked by `checkRewrite`) with `\0`-`\9` replaced by the match's groups
    /// and `\\` by `\`.
    static func appendRewrite(
        _ rewrite: UnsafeBufferPointer<UInt8>, _ s: UnsafeBufferPointer<UInt8>, _ m: RegexMatch,
        into out: inout [UInt8]
    ) {
        var k = 0
        while k < rewrite.count {
            let c = rewrite[k]
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                k += 1
                continue
            }
            guard k + 1 < rewrite.count else { return }
            let d = rewrite[k + 1]
            if d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") {
                let g = Int(d) - 48
                if m.starts[g] >= 0 { out.append(contentsOf: s[m.starts[g]..<m.ends[g]]) }
            } else if d == UInt8(ascii: "\\") {
                out.append(d)
            } else {
                return
            }
            k += 2
        }
    }

    /// regexp_extract(s, pattern[, group[, options]]): the group (default 0) of the first match;
    /// '' when nothing matches or the group does not exist or took no part.
    /// - Throws: DuckDB's error for a group outside 0...9 or not constant.
    static func extract(_ a: [Operand], _ n: Int, _ e: ScalarExpr) throws -> Operand {
        var group = 0
        if a.count > 2 {
            guard case .scalar(let v) = a[2] else {
                throw KuaiError(.execution, "Group index field field must be a constant! in \(e.name)")
            }
            guard case .int(let g) = v else { return .scalar(.null) }
            guard (0...9).contains(g) else {
                throw KuaiError(.execution, "Group index must be between 0 and 9!")
            }
            group = Int(g)
        }
        let s = StringArg(a[0])
        var programs = try Programs(a[1], try options(a, 3, e, allowGlobal: false), e)
        let p = programs.patterns
        guard let shape = KernelShape(count: n, [s, p]) else { return .scalar(.null) }
        let m = RegexMatch()
        let col = try FlatStrings.build(shape.rows, validity: shape.validity) { views, heap in
            try s.views.withUnsafeBufferPointer { subject in
                try programs.forEachRow(shape.rows, shape.validity) { i, prog in
                    views[i] = subject[i &* s.step].withBytes { b -> StringView in
                        guard m.search(prog, b), m.starts[group] >= 0 else { return StringView() }
                        return FlatStrings.copy(
                            heap, b.baseAddress! + m.starts[group], count: m.ends[group] - m.starts[group])
                    }
                }
            }
        }
        return shape.result(col)
    }
}
