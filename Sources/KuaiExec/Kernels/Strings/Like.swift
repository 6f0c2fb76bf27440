import KuaiCore

extension Kernels {
    /// A LIKE pattern compiled to one token per pattern byte: `likeAny` (`%`), `likeOne` (`_`) or a literal
    /// byte 0...255. An `ESCAPE` character makes the next pattern byte literal. Patterns made of a
    /// literal with `%` only at its ends (`abc`, `abc%`, `%abc`, `%abc%`) are matched as equality,
    /// prefix, suffix or substring tests (`shape`).
    struct LikePattern {
        static let likeAny: Int16 = -1
        static let likeOne: Int16 = -2
        var tokens: [Int16] = []
        /// The pattern ends with the escape character: DuckDB raises "Like pattern must not end with escape
        /// character!" when its matcher reaches that character, i.e. when the tokens before it (followed by
        /// `%`, which `tokens` then ends with) match the subject; otherwise the row is simply not a match.
        var endsWithEscape = false
        /// The ESCAPE string is longer than one byte: every non-NULL row is an error (DuckDB).
        var invalidEscape = false

        enum Shape { case general, exact, prefix, suffix, contains }
        /// The fast form of the pattern and its literal bytes (`literal` for every shape but `general`).
        var shape = Shape.general
        var literal: [UInt8] = []

        /// - Parameters:
        ///   - escape: the ESCAPE string; nil or empty means no escape character (DuckDB).
        ///   - caseInsensitive: ILIKE: the pattern is lowercased as DuckDB's lower() does.
        init(_ pattern: String, escape: String?, caseInsensitive: Bool) {
            let bytes = caseInsensitive ? Self.lowered(pattern) : Array(pattern.utf8)
            var esc: Int16? = nil
            if let escape, !escape.isEmpty {
                let e = caseInsensitive ? Self.lowered(escape) : Array(escape.utf8)
                if e.count == 1 { esc = Int16(e[0]) } else { invalidEscape = true }
            }
            tokens.reserveCapacity(bytes.count)
            var i = 0
            while i < bytes.count {
                let b = Int16(bytes[i])
                if b == esc {
                    if i + 1 == bytes.count {
                        endsWithEscape = true
                        tokens.append(Self.likeAny)
                        break
                    }
                    tokens.append(Int16(bytes[i + 1]))
                    i += 2
                    continue
                }
                tokens.append(b == 0x25 ? Self.likeAny : (b == 0x5F ? Self.likeOne : b))
                i += 1
            }
            classify()
        }

        /// DuckDB's lower() of a string's bytes.
        static func lowered(_ s: String) -> [UInt8] {
            var s = s
            return s.withUTF8 { b in
                if b.isEmpty { return [] }
                return [UInt8](unsafeUninitializedCapacity: CaseMapping.mappedLength(b, toUpper: false)) { out, n in
                    CaseMapping.write(b, toUpper: false, out.baseAddress!)
                    n = out.count
                }
            }
        }

        /// Sets `shape` when the tokens are a literal with `%` only at the ends.
        mutating func classify() {
            if endsWithEscape || invalidEscape { return }
            var lo = 0
            var hi = tokens.count
            let anyStart = lo < hi && tokens[lo] == Self.likeAny
            while lo < hi && tokens[lo] == Self.likeAny { lo += 1 }
            let anyEnd = hi > lo && tokens[hi - 1] == Self.likeAny
            while hi > lo && tokens[hi - 1] == Self.likeAny { hi -= 1 }
            if tokens[lo..<hi].contains(where: { $0 < 0 }) { return }
            literal = tokens[lo..<hi].map { UInt8($0) }
            switch (anyStart, anyEnd) {
            case (false, false): shape = .exact
            case (false, true): shape = .prefix
            case (true, false): shape = .suffix
            case (true, true): shape = .contains
            }
            if tokens.isEmpty { shape = .exact }
            if lo == hi && (anyStart || anyEnd) { shape = .contains }
        }

        /// True when `subject` (already lowercased for ILIKE) matches; throws the errors above.
        func matches(_ subject: UnsafeBufferPointer<UInt8>, expr: ScalarExpr) throws -> Bool {
            if invalidEscape {
                throw KuaiError(
                    .execution, "Invalid escape string. Escape string must be empty or one character (in \(expr.name))")
            }
            return try literal.withUnsafeBufferPointer { lit in
                switch shape {
                case .exact: return subject.count == lit.count && Self.equal(subject, 0, lit)
                case .prefix: return subject.count >= lit.count && Self.equal(subject, 0, lit)
                case .suffix: return subject.count >= lit.count && Self.equal(subject, subject.count - lit.count, lit)
                case .contains: return StringKernels.find(subject, lit) != nil
                case .general:
                    let hit = tokens.withUnsafeBufferPointer { Kernels.likeMatch(subject, $0) }
                    if endsWithEscape {
                        if hit {
                            throw KuaiError(
                                .execution, "Like pattern must not end with escape character! (in \(expr.name))")
                        }
                        return false
                    }
                    return hit
                }
            }
        }

        @inline(__always)
        static func equal(_ s: UnsafeBufferPointer<UInt8>, _ at: Int, _ lit: UnsafeBufferPointer<UInt8>) -> Bool {
            for k in 0..<lit.count where s[at + k] != lit[k] { return false }
            return true
        }
    }

    /// `x [NOT] LIKE pattern [ESCAPE escape]` (ILIKE with `caseInsensitive`: subject and pattern
    /// lowercased as DuckDB's lower()); a dictionary column is matched once per distinct code used
    /// by its rows, a flat column row by row on its bytes. NULL rows give NULL (and raise no
    /// pattern error, as in DuckDB).
    /// - Throws: `KuaiError.execution` for an invalid escape string or a pattern ending with the escape
    ///   character (see `LikePattern`), when a non-NULL row needs it.
    static func like(
        _ x: Operand, pattern: String, negated: Bool, caseInsensitive: Bool, escape: String? = nil,
        count n: Int, expr: ScalarExpr
    ) throws -> Operand {
        let pat = LikePattern(pattern, escape: escape, caseInsensitive: caseInsensitive)
        var scratch: [UInt8] = []
        func test(_ v: StringView) throws -> Bool {
            try v.withBytes { b in
                if !caseInsensitive { return try pat.matches(b, expr: expr) != negated }
                scratch.removeAll(keepingCapacity: true)
                if UTF8Bytes.isASCII(b) {
                    for x in b { scratch.append(CaseMapping.asciiMap(x, toUpper: false)) }
                } else {
                    scratch.append(contentsOf: repeatElement(0, count: CaseMapping.mappedLength(b, toUpper: false)))
                    scratch.withUnsafeMutableBufferPointer { CaseMapping.write(b, toUpper: false, $0.baseAddress!) }
                }
                return try scratch.withUnsafeBufferPointer { try pat.matches($0, expr: expr) != negated }
            }
        }
        switch x {
        case .scalar(let v):
            guard case .string = v else { return .scalar(.null) }
            let arg = StringArg(x)
            return try withExtendedLifetime(arg) { .scalar(.bool(try test(arg.views[0]))) }
        case .column(let c):
            var vals = [Int64](repeating: 0, count: n)
            if let dict = c.dictionary {
                // Per distinct code used in the batch (dictionary-level evaluation usually makes this 1:1).
                let dv = dict.views
                var memo = [Int8](repeating: -1, count: dict.count)
                for i in 0..<n where c.isValid(i) {
                    let code = Int(c.codes[i])
                    if memo[code] < 0 { memo[code] = try test(dv[code]) ? 1 : 0 }
                    vals[i] = Int64(memo[code])
                }
            } else {
                try c.views.withUnsafeBufferPointer { v in
                    for i in 0..<n where c.isValid(i) { vals[i] = try test(v[i]) ? 1 : 0 }
                }
            }
            return .column(Column(type: .boolean, ints: vals, validity: c.validity))
        }
    }

    /// SQL LIKE over UTF-8 bytes against compiled tokens (`LikePattern`): `%` matches any run of characters,
    /// `_` exactly one character, any other token its byte.
    static func likeMatch(_ s: UnsafeBufferPointer<UInt8>, _ p: UnsafeBufferPointer<Int16>) -> Bool {
        var si = 0
        var pi = 0
        var starP = -1
        var starS = 0
        func charLen(_ b: UInt8) -> Int {
            if b < 0x80 { return 1 }
            if b >= 0xF0 { return 4 }
            if b >= 0xE0 { return 3 }
            if b >= 0xC0 { return 2 }
            return 1
        }
        while si < s.count {
            if pi < p.count && p[pi] == LikePattern.likeAny {
                starP = pi
                pi += 1
                starS = si
            } else if pi < p.count && p[pi] == LikePattern.likeOne {
                si += charLen(s[si])
                pi += 1
            } else if pi < p.count && p[pi] == Int16(s[si]) {
                si += 1
                pi += 1
            } else if starP >= 0 {
                pi = starP + 1
                starS += charLen(s[starS])
                si = starS
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == LikePattern.likeAny { pi += 1 }
        return pi == p.count
    }
}
