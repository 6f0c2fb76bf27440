import KuaiCore

// parse_dirname, parse_dirpath, parse_filename: parts of a path, as DuckDB 2.0.1 cuts them. The
// results are slices of the input (no copy for long strings); NULL only for a NULL path.

extension FunctionRegistry {
    static let pathFunctions: [ScalarFunction] = [
        ScalarFunction("parse_dirname", [.varchar], .varchar) { a, _, n, _ in PathKernels.parse(a, n, .dirname) },
        ScalarFunction("parse_dirname", [.varchar, .varchar], .varchar) { a, _, n, _ in
            PathKernels.parse(a, n, .dirname, separator: 1)
        },
        ScalarFunction("parse_dirpath", [.varchar], .varchar) { a, _, n, _ in PathKernels.parse(a, n, .dirpath) },
        ScalarFunction("parse_dirpath", [.varchar, .varchar], .varchar) { a, _, n, _ in
            PathKernels.parse(a, n, .dirpath, separator: 1)
        },
        ScalarFunction("parse_filename", [.varchar], .varchar) { a, _, n, _ in PathKernels.parse(a, n, .filename) },
        ScalarFunction("parse_filename", [.varchar, .varchar], .varchar) { a, _, n, _ in
            PathKernels.parse(a, n, .filename, separator: 1)
        },
        ScalarFunction("parse_filename", [.varchar, .boolean], .varchar) { a, _, n, _ in
            PathKernels.parse(a, n, .filename, trim: 1)
        },
        ScalarFunction("parse_filename", [.varchar, .boolean, .varchar], .varchar) { a, _, n, _ in
            PathKernels.parse(a, n, .filename, trim: 1, separator: 2)
        },
    ]
}

/// The loops of the path functions.
enum PathKernels {
    enum Part { case dirname, dirpath, filename }

    /// Which bytes separate components, from the separator argument: 'system' and 'forward_slash'
    /// '/', 'backslash' '\' (in lower case only), anything else and NULL both (DuckDB's 'both_slash').
    static func separators(_ name: UnsafeBufferPointer<UInt8>?) -> (slash: Bool, backslash: Bool) {
        guard let name else { return (true, true) }
        func named(_ word: StaticString) -> Bool {
            guard name.count == word.utf8CodeUnitCount else { return false }
            for k in 0..<name.count where name[k] != word.utf8Start[k] { return false }
            return true
        }
        if named("system") || named("forward_slash") { return (true, false) }
        if named("backslash") { return (false, true) }
        return (true, true)
    }

    /// parse_dirname / parse_dirpath / parse_filename of argument 0 (the path), with the BOOLEAN
    /// argument `trim` (trim_extension, NULL as false) and the VARCHAR argument `separator` (NULL as
    /// the default) when given; NULL only where the path is.
    /// - dirname: the separator that starts the path, else the text before the first separator ('' for none).
    /// - dirpath: the text before the last separator ('' for none; a path that is one separator is itself).
    /// - filename: the text after the last separator; with trim, cut at its last '.'.
    static func parse(_ a: [Operand], _ n: Int, _ part: Part, trim: Int? = nil, separator: Int? = nil) -> Operand {
        let path = StringArg(a[0])
        if path.isNullConstant { return .scalar(.null) }
        let sep = separator.map { StringArg(a[$0]) }
        let cut = trim.map { IntRows(a[$0]) }
        let shape = KernelShape(
            count: n, steps: [path.step, sep?.step ?? 0, cut?.step ?? 0], validities: [path.validity])
        let col = FlatStrings.build(shape.rows, validity: shape.validity, extraOwners: path.owners) { views, _ in
            for i in 0..<shape.rows where !StringBuildKernels.isNull(shape, i) {
                let mode: (slash: Bool, backslash: Bool)
                if let sep, !sep.isNull(i &* sep.step) {
                    mode = sep.views[i &* sep.step].withBytes { separators($0) }
                } else {
                    mode = separators(nil)
                }
                let trimmed =
                    cut.map {
                        !($0.isNullConstant || ($0.validity?[i &* $0.step] ?? 1) == 0) && $0.values[i &* $0.step] != 0
                    } ?? false
                let view = path.views[i &* path.step]
                let (from, to) = view.withBytes { b in range(b, part, mode, trimmed) }
                views[i] = view.slice(from, to)
            }
        }
        return shape.result(col)
    }

    /// The byte range of `part` in the path `b`.
    static func range(
        _ b: UnsafeBufferPointer<UInt8>, _ part: Part, _ mode: (slash: Bool, backslash: Bool), _ trim: Bool
    ) -> (Int, Int) {
        func isSeparator(_ c: UInt8) -> Bool {
            (mode.slash && c == UInt8(ascii: "/")) || (mode.backslash && c == UInt8(ascii: "\\"))
        }
        let last = b.lastIndex(where: isSeparator)
        switch part {
        case .dirname:
            if let c = b.first, isSeparator(c) { return (0, 1) }
            return (0, b.firstIndex(where: isSeparator) ?? 0)
        case .dirpath:
            guard let last else { return (0, 0) }
            return last == 0 ? (0, b.count == 1 ? 1 : 0) : (0, last)
        case .filename:
            let start = last.map { $0 + 1 } ?? 0
            var end = b.count
            if trim, let dot = b[start..<end].lastIndex(of: UInt8(ascii: ".")) { end = dot }
            return (start, end)
        }
    }
}
