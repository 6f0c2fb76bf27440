import KuaiCore

extension ParserState {
    /// DuckDB's upper bound on a sample's row count (`Sample rows ... out of range`).
    static var maxSampleRows: Double { 1_000_000_000.0 }

    /// The entry after `USING SAMPLE` or `TABLESAMPLE` (DuckDB's `tablesample_entry`):
    /// `count [%|PERCENT|ROWS] [(method [, seed])]` or `[method](count [%|PERCENT|ROWS]) [REPEATABLE (seed)]`.
    /// A count without a unit is a row count; the method defaults to `system` for a percentage and
    /// `reservoir` for rows.
    /// - Throws: `KuaiError.syntax` for a malformed entry, a percentage outside 0...100, a row count
    ///   outside 0...1e9, an unknown method, or `bernoulli` with a row count (DuckDB's parser errors).
    mutating func parseSampleEntry(usingSample: Bool, at start: Token) throws -> SampleClause {
        var methodToken: Token? = nil
        var seed: UInt64? = nil
        let count: (value: Double, percent: Bool, token: Token)
        if current.isSymbol("(")
            || ((current.kind == .word || current.kind == .quotedIdentifier) && peek(1).isSymbol("("))
        {
            if !current.isSymbol("(") { methodToken = advance() }
            try expectSymbol("(")
            count = try parseSampleCount()
            try expectSymbol(")")
            if acceptWord("REPEATABLE") {
                try expectSymbol("(")
                seed = try parseSampleSeed()
                try expectSymbol(")")
            }
        } else {
            count = try parseSampleCount()
            if acceptSymbol("(") {
                methodToken = try parseIdentifier("a sample method")
                if acceptSymbol(",") { seed = try parseSampleSeed() }
                try expectSymbol(")")
            }
        }
        var method: SampleMethod = count.percent ? .system : .reservoir
        if let m = methodToken {
            guard let named = SampleMethod(rawValue: m.text.lowercased()) else {
                throw failure(
                    "unrecognized value \"\(m.text)\" for sample method (bernoulli, system or reservoir)", at: m)
            }
            method = named
        }
        if count.percent {
            guard count.value >= 0 && count.value <= 100 else {
                throw failure(
                    "Sample sample_size \(count.value) out of range, must be between 0 and 100", at: count.token)
            }
        } else {
            if method == .bernoulli {
                throw failure(
                    "Sample method Bernoulli cannot be used with a discrete sample count, either switch to "
                        + "reservoir sampling or use a sample_size", at: methodToken ?? count.token)
            }
            // a row count with `system` is sampled as a reservoir: DuckDB gives exactly that many rows
            method = .reservoir
        }
        return SampleClause(
            method: method, size: count.value, isPercentage: count.percent, seed: seed, usingSample: usingSample,
            position: start.position)
    }

    /// `number [% | PERCENT | ROWS]`: an unsigned number literal; a row count is rounded half to
    /// even (DuckDB casts it to an integer) and checked against `maxSampleRows`.
    mutating func parseSampleCount() throws -> (value: Double, percent: Bool, token: Token) {
        let t = current
        guard t.kind == .integer || t.kind == .decimal,
            let value = Double(t.text.filter { $0 != "_" }), value.isFinite
        else { throw unexpected("a sample size (a number)") }
        advance()
        if acceptSymbol("%") || acceptWord("PERCENT") { return (value, true, t) }
        _ = acceptWord("ROWS")
        let rows = value.rounded(.toNearestOrEven)
        guard rows <= Self.maxSampleRows else {
            throw failure(
                "Sample rows \(t.text) out of range, must be between 0 and \(Int(Self.maxSampleRows))", at: t)
        }
        return (rows, false, t)
    }

    /// The seed of `REPEATABLE (n)` or `(method, n)`: an unsigned number literal (a decimal is
    /// truncated).
    mutating func parseSampleSeed() throws -> UInt64 {
        let t = current
        guard t.kind == .integer || t.kind == .decimal, let value = Double(t.text.filter { $0 != "_" }),
            value.isFinite, value < 18_446_744_073_709_551_616.0
        else { throw unexpected("a sample seed (a non-negative number)") }
        advance()
        if t.kind == .integer, let exact = UInt64(t.text.filter { $0 != "_" }) { return exact }
        return UInt64(value)
    }
}
