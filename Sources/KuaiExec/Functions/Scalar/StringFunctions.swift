import KuaiCore

// lower, upper, length, strlen, trim, ltrim, rtrim, reverse, substring, left, right, replace,
// split_part, starts_with, contains, strpos, || and concat: rows of the registry over the byte
// kernels of Kernels/Strings (StringKernels). Results are flat string vectors; a function over
// one dictionary column runs once per dictionary entry (ScalarExpr.eval).

extension FunctionRegistry {
    static let stringFunctions: [ScalarFunction] =
        caseAndLengthFunctions + trimFunctions + sliceFunctions + searchFunctions + concatFunctions

    static let caseAndLengthFunctions: [ScalarFunction] = [
        ScalarFunction("lower", [.varchar], .varchar) { a, _, n, _ in StringKernels.changeCase(a[0], n, toUpper: false)
        },
        ScalarFunction("lcase", [.varchar], .varchar) { a, _, n, _ in StringKernels.changeCase(a[0], n, toUpper: false)
        },
        ScalarFunction("upper", [.varchar], .varchar) { a, _, n, _ in StringKernels.changeCase(a[0], n, toUpper: true)
        },
        ScalarFunction("ucase", [.varchar], .varchar) { a, _, n, _ in StringKernels.changeCase(a[0], n, toUpper: true)
        },
        /// length: code points, as DuckDB counts characters.
        ScalarFunction("length", [.varchar], .bigint) { a, _, n, _ in
            StringKernels.toInt(a[0], n, type: .bigint) { Int64(UTF8Bytes.codePointCount($0)) }
        },
        ScalarFunction("len", [.varchar], .bigint) { a, _, n, _ in
            StringKernels.toInt(a[0], n, type: .bigint) { Int64(UTF8Bytes.codePointCount($0)) }
        },
        /// char_length and character_length: DuckDB's aliases of length (code points).
        ScalarFunction("char_length", [.varchar], .bigint) { a, _, n, _ in
            StringKernels.toInt(a[0], n, type: .bigint) { Int64(UTF8Bytes.codePointCount($0)) }
        },
        ScalarFunction("character_length", [.varchar], .bigint) { a, _, n, _ in
            StringKernels.toInt(a[0], n, type: .bigint) { Int64(UTF8Bytes.codePointCount($0)) }
        },
        /// strlen: bytes.
        ScalarFunction("strlen", [.varchar], .bigint) { a, _, n, _ in
            StringKernels.toInt(a[0], n, type: .bigint) { Int64($0.count) }
        },
        ScalarFunction("reverse", [.varchar], .varchar) { a, _, n, _ in StringKernels.reverse(a[0], n) },
    ]

    static let trimFunctions: [ScalarFunction] = [
        ScalarFunction("trim", [.varchar], .varchar) { a, _, n, _ in
            StringKernels.trimSpaces(a[0], n, left: true, right: true)
        },
        ScalarFunction("ltrim", [.varchar], .varchar) { a, _, n, _ in
            StringKernels.trimSpaces(a[0], n, left: true, right: false)
        },
        ScalarFunction("rtrim", [.varchar], .varchar) { a, _, n, _ in
            StringKernels.trimSpaces(a[0], n, left: false, right: true)
        },
        ScalarFunction("trim", [.varchar, .varchar], .varchar) { a, _, n, _ in
            StringKernels.trimChars(a[0], a[1], n, left: true, right: true)
        },
        ScalarFunction("ltrim", [.varchar, .varchar], .varchar) { a, _, n, _ in
            StringKernels.trimChars(a[0], a[1], n, left: true, right: false)
        },
        ScalarFunction("rtrim", [.varchar, .varchar], .varchar) { a, _, n, _ in
            StringKernels.trimChars(a[0], a[1], n, left: false, right: true)
        },
    ]

    /// DuckDB 2.0.1's range check of substring arguments (substring.cpp, AssertInSupportedRange), on
    /// the rows whose arguments are all non-NULL: an offset or length above 4294967295 or below
    /// -4294967296 is an error (left's negative length never is: it counts from the end).
    /// - Throws: `KuaiError.execution` "Substring offset outside of supported range (> 4294967295)".
    static func checkSubstringRange(
        _ a: [Operand], _ n: Int, offset: Int? = nil, length: Int? = nil,
        lengthMayBeNegative: Bool = false
    ) throws {
        let (upper, lower): (Int64, Int64) = (4_294_967_295, -4_294_967_296)
        let rows = a.allSatisfy(\.isScalar) ? 1 : n
        func valid(_ o: Operand, _ i: Int) -> Bool {
            switch o {
            case .scalar(let v): return !v.isNull
            case .column(let c): return c.type != .null && (c.validity?[i] ?? 1) != 0
            }
        }
        func allValid(_ i: Int) -> Bool { a.allSatisfy { valid($0, i) } }
        for (k, what) in [(offset, "offset"), (length, "length")] {
            guard let k else { continue }
            let negativeAllowed = what == "length" && lengthMayBeNegative
            // The values are scanned for one outside the range first; only such a row (rare) asks
            // whether all of its arguments are non-NULL.
            func check(_ v: Int64, _ i: Int) throws {
                if v > upper, allValid(i) {
                    throw KuaiError(.execution, "Substring \(what) outside of supported range (> \(upper))")
                }
                if v < lower && !negativeAllowed, allValid(i) {
                    throw KuaiError(.execution, "Substring \(what) outside of supported range (< \(lower))")
                }
            }
            switch a[k] {
            case .scalar(let v):
                guard case .int(let x) = v, x > upper || (x < lower && !negativeAllowed) else { continue }
                for i in 0..<rows { try check(x, i) }
            case .column(let c):
                guard c.type != .null else { continue }
                try c.ints.withUnsafeBufferPointer { ints in
                    for i in 0..<rows where ints[i] > upper || ints[i] < lower { try check(ints[i], i) }
                }
            }
        }
    }

    /// `substr` and its alias `substring`, each with and without a length.
    static let substringFunctions: [ScalarFunction] = ["substr", "substring"].flatMap { name in
        [
            ScalarFunction(name, [.varchar, .bigint], .varchar) { a, _, n, _ in
                try checkSubstringRange(a, n, offset: 1)
                return StringKernels.substring(a, n)
            },
            ScalarFunction(name, [.varchar, .bigint, .bigint], .varchar) { a, _, n, _ in
                try checkSubstringRange(a, n, offset: 1, length: 2)
                return StringKernels.substring(a, n)
            },
        ]
    }

    static let sliceFunctions: [ScalarFunction] =
        substringFunctions + [
            ScalarFunction("left", [.varchar, .bigint], .varchar) { a, _, n, _ in
                try checkSubstringRange(a, n, length: 1, lengthMayBeNegative: true)
                return StringKernels.left(a, n)
            },
            ScalarFunction("right", [.varchar, .bigint], .varchar) { a, _, n, _ in StringKernels.right(a, n) },
            ScalarFunction("split_part", [.varchar, .varchar, .bigint], .varchar) { a, _, n, _ in
                StringKernels.splitPart(a, n)
            },
        ]

    static let searchFunctions: [ScalarFunction] = [
        ScalarFunction("replace", [.varchar, .varchar, .varchar], .varchar) { a, _, n, _ in
            StringKernels.replace(a, n)
        },
        ScalarFunction("starts_with", [.varchar, .varchar], .boolean) { a, _, n, _ in
            StringKernels.startsWith(a, n)
        },
        /// `prefix(s, p)`: DuckDB's alias of starts_with.
        ScalarFunction("prefix", [.varchar, .varchar], .boolean) { a, _, n, _ in StringKernels.startsWith(a, n) },
        ScalarFunction("ends_with", [.varchar, .varchar], .boolean) { a, _, n, _ in StringKernels.endsWith(a, n) },
        /// `suffix(s, p)`: DuckDB's alias of ends_with.
        ScalarFunction("suffix", [.varchar, .varchar], .boolean) { a, _, n, _ in StringKernels.endsWith(a, n) },
        ScalarFunction("contains", [.varchar, .varchar], .boolean) { a, _, n, _ in StringKernels.contains(a, n) },
        ScalarFunction("strpos", [.varchar, .varchar], .bigint) { a, _, n, _ in StringKernels.strpos(a, n) },
        /// `instr(s, needle)`: DuckDB's alias of strpos.
        ScalarFunction("instr", [.varchar, .varchar], .bigint) { a, _, n, _ in StringKernels.strpos(a, n) },
        /// `position(needle IN haystack)` is `position(haystack, needle)`, DuckDB's alias of strpos.
        ScalarFunction("position", [.varchar, .varchar], .bigint) { a, _, n, _ in StringKernels.strpos(a, n) },
        /// `s GLOB p` (DuckDB's function `~~~`).
        ScalarFunction("~~~", [.varchar, .varchar], .boolean) { a, _, n, _ in StringKernels.glob(a, n) },
    ]

    static let concatFunctions: [ScalarFunction] = [
        /// `a || b`: NULL when either side is NULL.
        ScalarFunction("concat_op", [.varchar, .varchar], .varchar) { a, _, n, _ in
            StringKernels.concat(a, n, strict: true)
        },
        /// concat(...): NULL arguments are skipped.
        ScalarFunction("concat", [.varchar], .varchar, variadic: true) { a, _, n, _ in
            StringKernels.concat(a, n, strict: false)
        },
    ]
}
