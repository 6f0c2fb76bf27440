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

    /// The statement as SQL (`PIVOT source ON expr [USING ...] [GROUP BY ...] [ORDER BY ...] [LIMIT ...]`).
    public var sqlDescription: String {
        var s = "PIVOT \(source) ON \(on)"
        if !aggregates.isEmpty {
            s +=
                " USING "
                + aggregates.map { a in a.text + (a.alias.map { " AS " + quotedIdentifier($0) } ?? "") }
                .joined(separator: ", ")
        }
        if let groupBy { s += " GROUP BY " + groupBy.joined(separator: ", ") }
        return tail.isEmpty ? s : s + " " + tail
    }

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

/// DuckDB's UNPIVOT, as the parser reads it, for the binder to finish once it knows the source's columns:
/// the statement `UNPIVOT source ON entry [AS alias], ... [INTO NAME n VALUE v, ...] [ORDER BY ...] [LIMIT
/// ...]` or the SQL-standard `source UNPIVOT [INCLUDE | EXCLUDE NULLS] (v | (v, ...) FOR n IN (entry [AS
/// alias], ...))` in FROM. For each source row and each entry (in order) one row: the columns no entry
/// names, the entry's name in `n` (its alias, else its column's name) and its columns' values in the VALUE
/// columns (each position's common type). Rows with a NULL value are left out unless `includeNulls`.
public struct UnpivotSpec: Sendable {
    /// One ON (or IN) entry.
    public struct Entry: Sendable {
        /// The entry's columns, one per VALUE column: column names as `.expr(.column)`; or one
        /// `COLUMNS(...)` call or `* [EXCLUDE (...)]`, which stands for one single-column entry per column
        /// it selects.
        public var items: [SelectItem]
        /// The value of the name column for this entry (`AS alias`); nil: the column's name.
        public var alias: String?
        public var position: SourcePosition
    }
    /// What is unpivoted: a table, a subquery, or the table factor before `UNPIVOT (...)`.
    public var source: TableRef
    public var entries: [Entry]
    /// The name column (`name` by default).
    public var name: String
    /// The value columns (`value` by default); as many as each entry has columns.
    public var values: [String]
    /// `INCLUDE NULLS`: keep the rows whose values are NULL.
    public var includeNulls: Bool
    public var position: SourcePosition

    /// The SQL-standard form as a query, `SELECT * FROM source UNPIVOT [INCLUDE NULLS] ((v, ...) FOR n IN
    /// ((c, ...) AS 'alias', ...))`, which both forms stand for.
    public var sqlDescription: String { "SELECT * FROM " + suffixDescription }

    /// The SQL-standard form as a table factor, `source UNPIVOT [INCLUDE NULLS] (...)`.
    public var suffixDescription: String {
        let entryTexts = entries.map { e -> String in
            let cols = e.items.map(\.sqlDescription)
            let text = cols.count == 1 ? cols[0] : "(" + cols.joined(separator: ", ") + ")"
            return text + (e.alias.map { " AS " + quotedString($0) } ?? "")
        }
        let valueList = values.map(quotedIdentifier).joined(separator: ", ")
        return "\(source.sqlDescription) UNPIVOT" + (includeNulls ? " INCLUDE NULLS" : "")
            + " (\(values.count == 1 ? valueList : "(" + valueList + ")") FOR \(quotedIdentifier(name)) IN ("
            + entryTexts.joined(separator: ", ") + "))"
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

    /// The rest of the statement (ORDER BY, LIMIT, OFFSET) as written, up to `;`, the end, or the `)` that
    /// closes the parentheses the statement stands in (`FROM (PIVOT ...)`).
    mutating func parseRestOfStatement() -> String {
        let start = index
        var depth = 0
        while current.kind != .endOfInput && !current.isSymbol(";") {
            if current.isSymbol("(") { depth += 1 }
            if current.isSymbol(")") {
                if depth == 0 { break }
                depth -= 1
            }
            advance()
        }
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

    /// DuckDB's UNPIVOT statement (`UnpivotSpec`): a query holding the spec, with the statement's ORDER BY
    /// and LIMIT, for the binder to finish once it knows the source's columns.
    mutating func parseUnpivot() throws -> Statement {
        let keyword = advance()
        let source: TableRef
        if current.isSymbol("(") {
            let open = advance()
            let q = try parseQuery()
            try expectSymbol(")")
            source = .subquery(q, alias: nil, columnNames: [], position: open.position)
        } else {
            let t = try parseIdentifier("a table name or a parenthesized query")
            source = .table(name: t.text, alias: nil, position: t.position)
        }
        try expectWord("ON")
        let entries = try parseUnpivotEntries()
        var name = "name"
        var values = ["value"]
        if acceptWord("INTO") {
            try expectWord("NAME")
            name = try parseIdentifier("a column name").text
            try expectWord("VALUE")
            values = []
            repeat { values.append(try parseIdentifier("a column name").text) } while acceptSymbol(",")
        }
        let spec = UnpivotSpec(
            source: source, entries: entries, name: name, values: values, includeNulls: false,
            position: keyword.position)
        let q = try parseQueryTail(ctes: [], body: try ParserState.query("SELECT 1").body, position: keyword.position)
        q.unpivot = spec
        return .select(q)
    }

    /// The entries of UNPIVOT's ON list or of the SQL-standard form's IN list: `c [AS alias]`, `(c1, c2) [AS
    /// alias]`, `COLUMNS(...)`, `* [EXCLUDE (...)]`; an alias is a name or a string.
    /// - Throws: `KuaiError.syntax` for an entry that is none of these (an expression).
    mutating func parseUnpivotEntries() throws -> [UnpivotSpec.Entry] {
        var entries: [UnpivotSpec.Entry] = []
        repeat {
            let start = current
            let item = try parseSelectItem()
            var items: [SelectItem]
            var alias: String? = nil
            switch item {
            case .star(nil, _, let replace, _) where replace.isEmpty: items = [item]
            case .expr(let e, let a):
                alias = a
                switch e {
                case .column(nil, _, _): items = [.expr(e, alias: nil)]
                case .function(let f) where f.name == "columns" || f.name.hasPrefix("*"): items = [.expr(e, alias: nil)]
                case .row(let members, _)
                where members.allSatisfy({ if case .column(nil, _, _) = $0 { true } else { false } }):
                    items = members.map { .expr($0, alias: nil) }
                default: throw failure("UNPIVOT takes column names, (c1, c2) lists or COLUMNS(...) only", at: start)
                }
            default: throw failure("UNPIVOT takes column names, (c1, c2) lists or COLUMNS(...) only", at: start)
            }
            entries.append(UnpivotSpec.Entry(items: items, alias: alias, position: start.position))
        } while acceptSymbol(",")
        return entries
    }

    /// The SQL-standard `factor UNPIVOT [INCLUDE | EXCLUDE NULLS] (v | (v1, v2, ...) FOR n IN (entry [AS alias],
    /// ...)) [alias [(cols)]]` after the table factor `source` (DuckDB semantics, as the UNPIVOT statement):
    /// the derived table of the statement; nil when no UNPIVOT follows.
    mutating func parseUnpivotSuffix(_ source: TableRef) throws -> TableRef? {
        guard current.isWord("UNPIVOT") else { return nil }
        let keyword = advance()
        var includeNulls = false
        if acceptWord("INCLUDE") {
            try expectWord("NULLS")
            includeNulls = true
        } else if acceptWord("EXCLUDE") {
            try expectWord("NULLS")
        }
        try expectSymbol("(")
        var values: [String]
        if current.isSymbol("(") {
            values = try parseIdentifierList("a value column name")
        } else {
            values = [try parseIdentifier("a value column name").text]
        }
        try expectWord("FOR")
        let name = try parseIdentifier("a name column name").text
        try expectWord("IN")
        try expectSymbol("(")
        let entries = try parseUnpivotEntries()
        try expectSymbol(")")
        try expectSymbol(")")
        let spec = UnpivotSpec(
            source: source, entries: entries, name: name, values: values, includeNulls: includeNulls,
            position: keyword.position)
        let q = try ParserState.query("SELECT 1")
        q.position = keyword.position
        q.unpivot = spec
        let (alias, columns) = try parseTableAlias()
        return .subquery(q, alias: alias, columnNames: columns, position: keyword.position)
    }

    /// True when `t` starts a statement DuckDB also reads as a table in parentheses: `(PIVOT ...)`, `(UNPIVOT
    /// ...)`, `(DESCRIBE ...)`, `(SUMMARIZE ...)`, `(SHOW ...)`.
    func startsTableStatement(_ t: Token) -> Bool {
        t.isWord("PIVOT") || t.isWord("UNPIVOT") || t.isWord("DESCRIBE") || t.isWord("SUMMARIZE") || t.isWord("SHOW")
    }

    /// True when `t` starts a PIVOT or UNPIVOT statement.
    func startsPivot(_ t: Token) -> Bool { t.isWord("PIVOT") || t.isWord("UNPIVOT") }

    /// The query after EXPLAIN, DESCRIBE or SUMMARIZE: a query, a PIVOT or UNPIVOT statement, or one of
    /// the statements `startsTableStatement` names in parentheses (`SUMMARIZE (SHOW TABLES)`).
    mutating func parseQueryOrPivot() throws -> Query {
        if startsPivot(current) { return try parseTableStatement() }
        if current.isSymbol("("), startsTableStatement(peek(1)) {
            advance()
            let query = try parseTableStatement()
            try expectSymbol(")")
            return query
        }
        return try parseQuery()
    }

    /// A PIVOT, UNPIVOT, DESCRIBE, SUMMARIZE or SHOW statement read where a query in parentheses stands (a
    /// FROM item, a CTE's body), as a query the binder finishes: PIVOT and UNPIVOT as at the top of a
    /// statement; the others as `Query.tableStatement`, whose rows the binder computes.
    mutating func parseTableStatement() throws -> Query {
        let start = current
        let statement = try parseStatement()
        switch statement {
        case .select(let q): return q
        case .describe, .describeQuery, .summarize, .showTables:
            let q = try ParserState.query("SELECT 1")
            q.position = start.position
            q.tableStatement = statement
            return q
        default: throw unexpected("a query", at: start)
        }
    }
}
