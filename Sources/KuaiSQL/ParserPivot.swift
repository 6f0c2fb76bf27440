import KuaiCore

/// DuckDB's simplified PIVOT statement, as the parser reads it, for the session to finish:
/// `PIVOT source ON expr [IN (v, ...)] [USING agg [AS name], ...] [GROUP BY expr, ...] [ORDER BY ...]
/// [LIMIT ...]`. With an IN list the parser writes the query itself (`sql(values:)`); without one the
/// values are the distinct non-NULL values of `expr`, sorted, which `valuesSQL` asks for before the
/// query can be written (DuckDB runs the same query first).
public struct PivotSpec: Sendable {
    /// The source as SQL: a quoted table name or a parenthesized query.
    let source: String
    /// The ON expression as written.
    let on: String
    /// The USING aggregates as written, with their aliases (empty: `count(*)`).
    let aggregates: [(text: String, name: String, alias: String?)]
    /// The GROUP BY expressions as written; nil groups by every column the ON expression and the
    /// aggregates do not read (`* EXCLUDE (...)` with GROUP BY ALL).
    let groupBy: [String]?
    /// The columns the ON expression and the aggregates read (excluded from the implicit groups).
    let readColumns: [String]
    /// ORDER BY / LIMIT / OFFSET as written (may be empty).
    let tail: String

    /// The query of the pivot values: one VARCHAR column `v` (DuckDB's text of each distinct non-NULL
    /// value), ordered by the values.
    public var valuesSQL: String {
        "SELECT DISTINCT CAST((\(on)) AS VARCHAR) AS v, (\(on)) AS k FROM \(source) WHERE (\(on)) IS NOT NULL ORDER BY k"
    }

    /// The pivot as a grouped query: per value `v` and aggregate, `agg FILTER (WHERE CAST(on AS VARCHAR) =
    /// 'v')`, named as DuckDB names them: `v` for one aggregate, `v_alias` with an alias, `v_agg` (the
    /// aggregate's text, `count_star()` for `count(*)`) for several.
    public func sql(values: [String], names: [String?] = []) -> String {
        let aggs = aggregates.isEmpty ? [(text: "count(*)", name: "count_star()", alias: String?.none)] : aggregates
        var items: [String] = []
        for (k, v) in values.enumerated() {
            let literal = "'" + v.replacingAll(of: "'", with: "''") + "'"
            for a in aggs {
                var name = (k < names.count ? names[k] : nil) ?? v
                if let alias = a.alias {
                    name += "_" + alias
                } else if aggs.count > 1 {
                    name += "_" + a.name
                }
                let quoted = "\"" + name.replacingAll(of: "\"", with: "\"\"") + "\""
                items.append("\(a.text) FILTER (WHERE CAST((\(on)) AS VARCHAR) = \(literal)) AS \(quoted)")
            }
        }
        let groups: String
        let keys: String
        if let groupBy {
            keys = groupBy.joined(separator: ", ")
            groups = groupBy.isEmpty ? "" : " GROUP BY " + keys
        } else {
            let excluded = readColumns.map(quotedIdentifier).joined(separator: ", ")
            keys = readColumns.isEmpty ? "*" : "* EXCLUDE (\(excluded))"
            groups = " GROUP BY ALL"
        }
        let list = ([keys].filter { !$0.isEmpty } + items).joined(separator: ", ")
        return "SELECT \(list) FROM \(source)\(groups) \(tail)"
    }
}

/// DuckDB's UNPIVOT statement as the parser reads it: `UNPIVOT source ON c1, c2, ... [INTO NAME n VALUE v]
/// [ORDER BY ...] [LIMIT ...]`: the UNION ALL over the ON columns of `SELECT * EXCLUDE (c1, c2, ...), 'ci'
/// AS n, ci AS v FROM source WHERE ci IS NOT NULL` (names `name` and `value` by default; NULL values
/// dropped). The session first reads the columns' types (`typesSQL`): DuckDB refuses to unpivot columns
/// without a common type ("Cannot unpivot columns of types VARCHAR and BIGINT").
public struct UnpivotSpec: Sendable {
    let source: String
    /// The ON columns as written.
    public let columns: [String]
    let name: String
    let value: String
    let tail: String

    /// A query over the ON columns that returns no row, for their types.
    public var typesSQL: String {
        "SELECT " + columns.map(quotedIdentifier).joined(separator: ", ") + " FROM \(source) LIMIT 0"
    }

    /// The UNION ALL the statement stands for.
    public var sql: String {
        let excluded = columns.map(quotedIdentifier).joined(separator: ", ")
        let branches = columns.map { c in
            let literal = "'" + c.replacingAll(of: "'", with: "''") + "'"
            return "SELECT * EXCLUDE (\(excluded)), \(literal) AS \(quotedIdentifier(name)), "
                + "\(quotedIdentifier(c)) AS \(quotedIdentifier(value)) FROM \(source) WHERE \(quotedIdentifier(c)) IS NOT NULL"
        }
        return "SELECT * FROM (" + branches.joined(separator: " UNION ALL ") + ") " + tail
    }
}

extension String {
    fileprivate func replacingAll(of a: String, with b: String) -> String {
        split(separator: Character(a), omittingEmptySubsequences: false).joined(separator: b)
    }
}

extension ParserState {
    /// The source text from the start of token `from` to the end of the token before the cursor.
    func sourceText(from: Int) -> String {
        guard index > from else { return "" }
        let start = tokens[from].position.offset
        let last = tokens[index - 1]
        return String(decoding: source[start..<(last.position.offset + last.length)], as: UTF8.self)
    }

    /// `PIVOT source` / `UNPIVOT source`: a table name or a parenthesized query, as SQL.
    mutating func parsePivotSource() throws -> String {
        if current.isSymbol("(") {
            let start = index
            advance()
            _ = try parseQuery()
            try expectSymbol(")")
            return sourceText(from: start)
        }
        return quotedIdentifier(try parseIdentifier("a table name or a parenthesized query").text)
    }

    /// The rest of the statement (ORDER BY, LIMIT, OFFSET) as written, up to `;` or the end.
    mutating func parseRestOfStatement() -> String {
        let start = index
        while current.kind != .endOfInput && !current.isSymbol(";") { advance() }
        return sourceText(from: start)
    }

    /// Parses generated SQL as a query.
    static func query(_ sql: String) throws -> Query {
        var state = ParserState(source: sql, tokens: try Lexer.tokenize(sql))
        let q = try state.parseQuery()
        try state.expectEnd()
        return q
    }

    /// The columns an expression names (for the implicit groups of PIVOT).
    static func columnNames(_ e: Expr) -> [String] {
        var names: [String] = []
        _ = e.rewritten { node in
            if case .column(_, let n, _) = node, !names.contains(n) { names.append(n) }
            return node
        }
        return names
    }

    /// DuckDB's PIVOT statement (see `PivotSpec`): with an IN list the finished query; without one a
    /// query holding the spec (`Query.pivot`) for the session to finish.
    /// - Throws: `KuaiError.syntax` for what kuai does not pivot: several ON expressions, an IN value that
    ///   is not a literal, an aggregate with its own FILTER.
    mutating func parsePivot() throws -> Statement {
        let keyword = advance()
        let source = try parsePivotSource()
        try expectWord("ON")
        let onStart = index
        // Above IN's precedence: `ON yr IN (2020, 2021)` is the column and its values, not a predicate.
        let onExpr = try parseExpression(minimum: Precedence.predicate.tighter)
        let on = sourceText(from: onStart)
        if current.isSymbol(",") { throw failure("PIVOT on several expressions is not supported", at: current) }
        var values: [String]? = nil
        if acceptWord("IN") { values = try parsePivotValues() }
        var aggregates: [(text: String, name: String, alias: String?)] = []
        var read = ParserState.columnNames(onExpr)
        if acceptWord("USING") { aggregates = try parsePivotAggregates(&read) }
        let groupBy = try parsePivotGroupBy()
        let spec = PivotSpec(
            source: source, on: on, aggregates: aggregates, groupBy: groupBy, readColumns: read,
            tail: parseRestOfStatement())
        if let values { return .select(try ParserState.query(spec.sql(values: values))) }
        let q = try ParserState.query("SELECT 1")
        q.pivot = spec
        q.position = keyword.position
        return .select(q)
    }

    /// `agg [AS name], ...` of PIVOT's USING (or of the SQL-standard form): each aggregate's text, DuckDB's
    /// name of it (`count_star()` for `count(*)`) and its alias; `read` gains the columns they read.
    mutating func parsePivotAggregates(_ read: inout [String]) throws -> [(text: String, name: String, alias: String?)]
    {
        var aggregates: [(text: String, name: String, alias: String?)] = []
        repeat {
            let start = index
            let e = try parseExpression()
            let aggText = sourceText(from: start)
            if case .function(let f) = e, f.filter != nil {
                throw failure("a FILTER in PIVOT's USING is not supported", at: tokens[start])
            }
            let described = e.sqlDescription
            let name = described == "count(*)" || aggText.lowercased() == "count(*)" ? "count_star()" : described
            var alias: String? = nil
            if acceptWord("AS") { alias = try parseIdentifier("an alias").text }
            aggregates.append((aggText, name, alias))
            let known = read
            read += ParserState.columnNames(e).filter { !known.contains($0) }
        } while acceptSymbol(",")
        return aggregates
    }

    /// The SQL-standard `factor PIVOT (agg [AS a], ... FOR col IN (v [AS name], ...) [GROUP BY g, ...]) [alias]`
    /// after a table factor whose text starts at token `start` (DuckDB semantics, as the PIVOT statement with
    /// an IN list): the derived table `(SELECT ... GROUP BY ...) alias`; nil when no PIVOT follows.
    mutating func parsePivotSuffix(_ start: Int) throws -> TableRef? {
        guard current.isWord("PIVOT"), peek(1).isSymbol("(") else { return nil }
        let source = sourceText(from: start)
        let keyword = advance()
        advance()
        var read: [String] = []
        let aggregates = try parsePivotAggregates(&read)
        try expectWord("FOR")
        let onStart = index
        let onExpr = try parseExpression(minimum: Precedence.predicate.tighter)
        let on = sourceText(from: onStart)
        read = ParserState.columnNames(onExpr) + read.filter { !ParserState.columnNames(onExpr).contains($0) }
        try expectWord("IN")
        try expectSymbol("(")
        var values: [String] = []
        var names: [String?] = []
        repeat {
            values.append(try parsePivotValue())
            var name: String? = nil
            if acceptWord("AS") { name = try parseIdentifier("a column name").text }
            names.append(name)
        } while acceptSymbol(",")
        try expectSymbol(")")
        let groupBy = try parsePivotGroupBy()
        try expectSymbol(")")
        let spec = PivotSpec(
            source: source, on: on, aggregates: aggregates, groupBy: groupBy, readColumns: read, tail: "")
        let query = try ParserState.query(spec.sql(values: values, names: names))
        let (alias, columns) = try parseTableAlias()
        return .subquery(query, alias: alias, columnNames: columns, position: keyword.position)
    }

    /// `GROUP BY expr, ...` of a pivot: the expressions as written; nil without GROUP BY.
    mutating func parsePivotGroupBy() throws -> [String]? {
        guard acceptWord("GROUP") else { return nil }
        try expectWord("BY")
        var groupBy: [String] = []
        repeat {
            let start = index
            _ = try parseExpression()
            groupBy.append(sourceText(from: start))
        } while acceptSymbol(",")
        return groupBy
    }

    /// One value of PIVOT's IN list: a string or number literal (a number may have a minus sign),
    /// as its text.
    mutating func parsePivotValue() throws -> String {
        let negative = acceptSymbol("-")
        let t = advance()
        switch t.kind {
        case .string, .integer, .decimal: return (negative ? "-" : "") + t.text
        default: throw failure("PIVOT's IN list takes literal values only", at: t)
        }
    }

    /// `(v, ...)` of PIVOT's IN: literals, as DuckDB's VARCHAR text of each.
    mutating func parsePivotValues() throws -> [String] {
        try expectSymbol("(")
        var values: [String] = []
        repeat { values.append(try parsePivotValue()) } while acceptSymbol(",")
        try expectSymbol(")")
        return values
    }

    /// DuckDB's UNPIVOT statement (`UnpivotSpec`), for the session to finish once it has checked the
    /// columns' types.
    /// - Throws: `KuaiError.syntax` for an ON item that is not a column name (`COLUMNS(...)`, an expression).
    mutating func parseUnpivot() throws -> Statement {
        let keyword = advance()
        let source = try parsePivotSource()
        try expectWord("ON")
        var columns: [String] = []
        repeat {
            guard isIdentifierToken(current), !peek(1).isSymbol("("), !peek(1).isSymbol(".") else {
                throw failure("UNPIVOT ON takes column names only", at: current)
            }
            columns.append(advance().text)
        } while acceptSymbol(",")
        var name = "name"
        var value = "value"
        if acceptWord("INTO") {
            try expectWord("NAME")
            name = try parseIdentifier("a column name").text
            try expectWord("VALUE")
            value = try parseIdentifier("a column name").text
        }
        let spec = UnpivotSpec(
            source: source, columns: columns, name: name, value: value, tail: parseRestOfStatement())
        let q = try ParserState.query("SELECT 1")
        q.unpivot = spec
        q.position = keyword.position
        return .select(q)
    }
}
