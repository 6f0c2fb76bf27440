import KuaiCore

// regexp_extract_all and regexp_split_to_array / string_split_regex: the regexp functions that
// return VARCHAR[] (DuckDB 2.0.1 semantics, the engine of RegexpFunctions.swift).

extension FunctionRegistry {
    static let regexpListFunctions: [ScalarFunction] =
        [
            ScalarFunction("regexp_extract_all", [.varchar, .varchar], .list(.varchar)) { a, _, n, e in
                .column(try RegexKernels.listOf(a, n, e, split: false))
            },
            ScalarFunction("regexp_extract_all", [.varchar, .varchar, .integer], .list(.varchar)) { a, _, n, e in
                .column(try RegexKernels.listOf(a, n, e, split: false))
            },
            ScalarFunction("regexp_extract_all", [.varchar, .varchar, .integer, .varchar], .list(.varchar)) {
                a, _, n, e in .column(try RegexKernels.listOf(a, n, e, split: false))
            },
        ]
        + ["regexp_split_to_array", "string_split_regex", "str_split_regex"].flatMap { name in
            [
                ScalarFunction(name, [.varchar, .varchar], .list(.varchar)) { a, _, n, e in
                    .column(try RegexKernels.listOf(a, n, e, split: true))
                },
                ScalarFunction(name, [.varchar, .varchar, .varchar], .list(.varchar)) { a, _, n, e in
                    .column(try RegexKernels.listOf(a, n, e, split: true))
                },
            ]
        }
}

extension RegexKernels {
    /// regexp_extract_all(s, pattern[, group[, options]]): group `group` (default 0) of every
    /// non-overlapping match, NULL where the group took no part (an empty match moves on by one
    /// character); regexp_split_to_array(s, pattern[, options]): the pieces of `s` between the
    /// matches (an empty match at either end splits nothing). NULL when an argument is NULL. A
    /// list column of `n` rows (a list has no constant `Value`).
    /// - Throws: DuckDB's errors for a group that is not a constant in 0...9 or beyond the pattern's
    ///   groups; an invalid pattern's error.
    static func listOf(_ a: [Operand], _ n: Int, _ e: ScalarExpr, split: Bool) throws -> Column {
        var group = 0
        if !split && a.count > 2 {
            guard case .scalar(let v) = a[2] else {
                throw KuaiError(.execution, "Group index field field must be a constant! in \(e.name)")
            }
            guard case .int(let g) = v else { return Column.nulls(.list(.varchar), count: n) }
            guard (0...9).contains(g) else { throw KuaiError(.execution, "Group index must be between 0 and 9!") }
            group = Int(g)
        }
        let s = StringArg(a[0])
        var programs = try Programs(a[1], try options(a, split ? 2 : 3, e, allowGlobal: false), e)
        let p = programs.patterns
        guard let shape = KernelShape(count: n, [s, p]) else { return Column.nulls(.list(.varchar), count: n) }
        let m = RegexMatch()
        var pieces = StringVectorBuilder()
        var packed = [Int64](repeating: 0, count: shape.rows)
        try s.views.withUnsafeBufferPointer { subjects in
            try programs.forEachRow(shape.rows, shape.validity) { i, prog in
                if group > prog.groups {
                    throw KuaiError(
                        .execution,
                        "Invalid Input Error: Pattern has \(prog.groups) groups. Cannot access group \(group)")
                }
                let start = pieces.count
                subjects[i &* s.step].withBytes { b in
                    if split { splitRow(prog, m, b, &pieces) } else { extractRow(prog, m, b, group, &pieces) }
                }
                packed[i] = Column.packList(offset: start, length: pieces.count - start)
            }
        }
        let child = pieces.finish()
        if shape.allConstant && n != 1 {
            return Column(
                listOf: .varchar, packed: [Int64](repeating: packed[0], count: n), child: child,
                validity: shape.validity.map { [UInt8](repeating: $0[0], count: n) })
        }
        return Column(listOf: .varchar, packed: packed, child: child, validity: shape.validity)
    }

    /// The byte length of the character at `p` (1 at the end).
    static func step(_ b: UnsafeBufferPointer<UInt8>, _ p: Int) -> Int {
        p < b.count ? UTF8Bytes.sequenceLength(b, p) : 1
    }

    static func extractRow(
        _ prog: RegexProgram, _ m: RegexMatch, _ b: UnsafeBufferPointer<UInt8>, _ group: Int,
        _ out: inout StringVectorBuilder
    ) {
        var pos = 0
        while pos <= b.count, m.search(prog, b, from: pos) {
            let (ms, me) = (m.starts[group], m.ends[group])
            if ms >= 0 {
                out.append(b.baseAddress.map { $0 + ms } ?? RegexProgram.emptyBytes, count: me - ms)
            } else {
                out.appendNull()
            }
            pos = m.ends[0] > m.starts[0] ? m.ends[0] : m.ends[0] + step(b, m.ends[0])
        }
    }

    static func splitRow(
        _ prog: RegexProgram, _ m: RegexMatch, _ b: UnsafeBufferPointer<UInt8>, _ out: inout StringVectorBuilder
    ) {
        let base = b.baseAddress ?? RegexProgram.emptyBytes
        var pos = 0
        var pieceStart = 0
        while pos <= b.count, m.search(prog, b, from: pos) {
            let (ms, me) = (m.starts[0], m.ends[0])
            if ms == me && (ms == pieceStart || ms >= b.count) {
                pos = me + step(b, me)
                continue
            }
            out.append(base + pieceStart, count: ms - pieceStart)
            pieceStart = me
            pos = ms == me ? me + step(b, me) : me
        }
        out.append(base + pieceStart, count: b.count - pieceStart)
    }
}
