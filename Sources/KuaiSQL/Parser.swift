import KuaiCore

/// Parses kuai's SQL dialect (Formats/query-language.md): a recursive-descent parser over `Lexer` tokens.
public enum Parser {
    /// The deepest recursion the parser accepts: each parenthesis, subquery, function call, CASE and prefix
    /// operator counts one level. Deeper input throws `expression nested too deeply` instead of exhausting the
    /// stack: a debug build needs about 4 KB of stack per level (1 MB at the limit), a release build far less.
    public static let maxDepth = 250

    /// The deepest syntax tree the parser builds: recursion levels plus the operators of left-deep chains
    /// (`a + b + c`, `UNION`, `EXCEPT`, joins). Bounds the recursion of later passes over the tree (optimizer
    /// rewrites, structural keys); flat lists (select items, IN lists, VALUES rows) do not count, nor do runs of
    /// AND, OR and UNION ALL, built as balanced trees (DuckDB's conjunctions and unions are n-ary). 1000, as
    /// DuckDB's max_expression_depth: `a + a + ...` answers up to about 997 terms (DuckDB refuses 997). The binder
    /// (`Binder.bindLeftChain`), the printer and the evaluator (`ScalarExpr.evalArithmeticChain`) walk a chain's
    /// left spine with a loop; the optimizer's expression rewrites still recurse per level (a debug build
    /// overflowed an 8 MB stack there near 2,000 terms).
    public static let maxTreeDepth = 1000

    /// Parses one statement (a trailing `;` is allowed).
    /// - Throws: `KuaiError.syntax` whose `location` is the `SourcePosition` of the offending token
    ///   (`"query:LINE:COL"`) and whose message names the token and what was expected, e.g.
    ///   `at or near "FROM": expected an expression`.
    public static func parse(_ sql: String) throws -> Statement {
        var state = ParserState(source: sql, tokens: try Lexer.tokenize(sql))
        return try state.parseWholeStatement()
    }

    /// Parses a type name as CAST takes it (`INTEGER`, `DECIMAL(5,1)`, `VARCHAR[]`); the whole input
    /// must be the name (read_csv's `types = {'c': 'INTEGER'}`).
    /// - Throws: `KuaiError.syntax` for anything else.
    public static func parseTypeName(_ text: String) throws -> DataType {
        var state = ParserState(source: text, tokens: try Lexer.tokenize(text))
        let t = try state.parseTypeName()
        try state.expectEnd()
        return t
    }

    /// Parses a single expression (the whole input must be one expression); for tests and tools.
    /// - Throws: `KuaiError.syntax` as `parse(_:)`.
    public static func parseExpression(_ sql: String) throws -> Expr {
        var state = ParserState(source: sql, tokens: try Lexer.tokenize(sql))
        let e = try state.parseExpression()
        try state.expectEnd()
        return e
    }
}

/// The cursor over the token array, one instance per parse.
struct ParserState {
    let source: [UInt8]
    let tokens: [Token]
    var index = 0
    /// Current recursion depth (limit `Parser.maxDepth`).
    var depth = 0
    /// Current tree depth: recursion plus chained operators (limit `Parser.maxTreeDepth`).
    var nesting = 0
    /// Set by `parseIsTest`: true when the test just parsed was a postfix one (`IS NULL`, `IS TRUE`, `ISNULL`).
    var lastInfixWasPostfix = false

    /// Whether a token names `rowid` (`Query.mentionsRowId`, set on every query this parse builds).
    let mentionsRowId: Bool

    init(source: String, tokens: [Token]) {
        self.init(bytes: Array(source.utf8), tokens: tokens)
    }

    /// A parser over tokens of `bytes` (a script shared by its statements; token offsets index it).
    init(bytes: [UInt8], tokens: [Token]) {
        self.source = bytes
        self.tokens = tokens
        self.mentionsRowId = tokens.contains { $0.mentions(RowIdTable.columnName) }
    }

    // MARK: - Token helpers

    @inline(__always) var current: Token { tokens[index] }

    @inline(__always) func peek(_ ahead: Int) -> Token { tokens[min(index + ahead, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    mutating func acceptWord(_ keyword: String) -> Bool {
        if current.isWord(keyword) {
            advance()
            return true
        }
        return false
    }

    mutating func acceptSymbol(_ symbol: String) -> Bool {
        if current.isSymbol(symbol) {
            advance()
            return true
        }
        return false
    }

    @discardableResult
    mutating func expectWord(_ keyword: String) throws -> Token {
        guard current.isWord(keyword) else { throw unexpected(keyword) }
        return advance()
    }

    @discardableResult
    mutating func expectSymbol(_ symbol: String) throws -> Token {
        guard current.isSymbol(symbol) else { throw unexpected("\"\(symbol)\"") }
        return advance()
    }

    func expectEnd() throws {
        if current.kind != .endOfInput { throw unexpected("the end of the statement") }
    }

    /// The token as written in the query (shortened), for messages.
    func shown(_ t: Token) -> String {
        let end = min(t.position.offset + t.length, source.count)
        var text = String(decoding: source[t.position.offset..<end], as: UTF8.self)
        if text.count > 40 { text = String(text.prefix(37)) + "..." }
        return text
    }

    /// `at or near "TOKEN": expected WHAT` at the current token.
    func unexpected(_ expected: String) -> KuaiError { unexpected(expected, at: current) }

    func unexpected(_ expected: String, at t: Token) -> KuaiError {
        let near = t.kind == .endOfInput ? "at end of input" : "at or near \"\(shown(t))\""
        return KuaiError(.syntax, "\(near): expected \(expected)", at: t.position.description)
    }

    /// An error with a free message at a token: `at or near "TOKEN": MESSAGE`.
    func failure(_ message: String, at t: Token) -> KuaiError {
        let near = t.kind == .endOfInput ? "at end of input" : "at or near \"\(shown(t))\""
        return KuaiError(.syntax, "\(near): \(message)", at: t.position.description)
    }

    /// Enters one recursion level; throws past `Parser.maxDepth` or `Parser.maxTreeDepth`.
    mutating func enter() throws {
        depth += 1
        nesting += 1
        if depth > Parser.maxDepth {
            throw KuaiError(
                .syntax, "expression nested too deeply (more than \(Parser.maxDepth) levels)",
                at: current.position.description)
        }
        if nesting > Parser.maxTreeDepth { throw tooDeep() }
    }

    @inline(__always) mutating func leave() {
        depth -= 1
        nesting -= 1
    }

    /// Counts one more operator of a left-deep chain in `chain` and in the nesting (the caller subtracts
    /// `chain` from the nesting when the chain ends).
    mutating func enterChain(_ chain: inout Int) throws {
        chain += 1
        nesting += 1
        if nesting > Parser.maxTreeDepth { throw tooDeep() }
    }

    func tooDeep() -> KuaiError {
        KuaiError(
            .syntax, "expression nested too deeply (more than \(Parser.maxTreeDepth) levels of operators)",
            at: current.position.description)
    }

    /// True for a word that can be a column, table or alias name here, or a quoted identifier.
    func isIdentifierToken(_ t: Token) -> Bool {
        t.kind == .quotedIdentifier || (t.kind == .word && Keywords.isIdentifier(t.upper))
    }

    /// Consumes an identifier (unquoted non-keyword word, or quoted) if one is next.
    mutating func acceptIdentifier() -> Token? {
        if isIdentifierToken(current) { return advance() }
        return nil
    }

    mutating func parseIdentifier(_ what: String) throws -> Token {
        guard let t = acceptIdentifier() else { throw unexpected(what) }
        return t
    }

    /// `( name, name, ... )`.
    mutating func parseIdentifierList(_ what: String) throws -> [String] {
        try expectSymbol("(")
        var names: [String] = []
        repeat {
            names.append(try parseIdentifier(what).text)
        } while acceptSymbol(",")
        try expectSymbol(")")
        return names
    }

    /// True if the token starts a query without parentheses: SELECT, WITH or VALUES.
    func startsQuery(_ t: Token) -> Bool {
        t.isWord("SELECT") || t.isWord("WITH") || t.isWord("VALUES")
    }

    /// True if the token continues a query after a first set-operation operand.
    func continuesQuery(_ t: Token) -> Bool {
        t.isWord("UNION") || t.isWord("EXCEPT") || t.isWord("INTERSECT") || t.isWord("ORDER") || t.isWord("LIMIT")
            || t.isWord("OFFSET")
    }

    // MARK: - Statements

    mutating func parseWholeStatement() throws -> Statement {
        let statement = try parseStatement()
        var sawSemicolon = false
        while acceptSymbol(";") { sawSemicolon = true }
        if current.kind != .endOfInput {
            if sawSemicolon { throw failure("only one statement is allowed", at: current) }
            throw unexpected("the end of the statement")
        }
        return statement
    }

    mutating func parseStatement() throws -> Statement {
        let t = current
        if t.isWord("EXPLAIN") {
            advance()
            let analyze = acceptWord("ANALYZE")
            guard startsQuery(current) || current.isSymbol("(") || startsPivot(current) else {
                throw unexpected("a query after EXPLAIN")
            }
            let query = try parseQueryOrPivot()
            return analyze ? .explainAnalyze(query) : .explain(query)
        }
        if t.isWord("DESCRIBE") || t.isWord("SUMMARIZE") {
            let summarize = t.isWord("SUMMARIZE")
            advance()
            if startsQuery(current) || current.isSymbol("(") || startsPivot(current) {
                let query = try parseQueryOrPivot()
                return summarize ? .summarize(.query(query)) : .describeQuery(query)
            }
            let name = try parseIdentifier("a table name or a query after \(summarize ? "SUMMARIZE" : "DESCRIBE")")
            return summarize
                ? .summarize(.table(name.text, name.position)) : .describe(table: name.text, position: name.position)
        }
        if t.isWord("SHOW") {
            advance()
            if acceptWord("TABLES") { return .showTables }
            let name = try parseIdentifier("TABLES or a table name after SHOW")
            return .describe(table: name.text, position: name.position)
        }
        if startsQuery(t) || t.isSymbol("(") { return .select(try parseQuery()) }
        if t.isWord("PIVOT") { return try parsePivot() }
        if t.isWord("UNPIVOT") { return try parseUnpivot() }
        if t.isWord("SET") { return try parseSet() }
        if let writing = try parseWritingStatement() { return writing }
        if t.kind == .endOfInput { throw failure("empty query", at: t) }
        throw unexpected(
            "a statement (SELECT, WITH, VALUES, EXPLAIN, DESCRIBE, SUMMARIZE, SHOW TABLES, CREATE, DROP, ALTER, INSERT or COPY)"
        )
    }

    /// `SET [SESSION | LOCAL | GLOBAL] name (= | TO) value`, value a string, a name or a number.
    mutating func parseSet() throws -> Statement {
        advance()
        if current.isWord("SESSION") || current.isWord("LOCAL") || current.isWord("GLOBAL"),
            peek(1).kind == .word || peek(1).kind == .quotedIdentifier
        {
            advance()
        }
        let name = try parseIdentifier("a setting name after SET")
        if !acceptSymbol("=") { try expectWord("TO") }
        let value = current
        guard [.string, .word, .quotedIdentifier, .integer, .decimal].contains(value.kind) else {
            throw unexpected("a setting value")
        }
        advance()
        return .set(name: name.text, value: value.text, position: name.position)
    }

    // MARK: - Queries

    /// `[WITH ctes] body [ORDER BY ...] [LIMIT ...] [OFFSET ...]`.
    mutating func parseQuery() throws -> Query {
        try enter()
        defer { leave() }
        let position = current.position
        var ctes: [CommonTableExpression] = []
        var recursive = false
        if acceptWord("WITH") {
            recursive = acceptWord("RECURSIVE")
            repeat {
                let cte = try parseCommonTableExpression()
                // DuckDB: `Duplicate CTE name "a"` (names compare case-insensitively).
                if ctes.contains(where: { $0.name.lowercased() == cte.name.lowercased() }) {
                    throw KuaiError(.syntax, "Duplicate CTE name \"\(cte.name)\"", at: cte.position.description)
                }
                ctes.append(cte)
            } while acceptSymbol(",")
        }
        let body = try parseSetExpression(first: nil)
        let query = try parseQueryTail(ctes: ctes, body: body, position: position)
        query.recursive = recursive
        return query
    }

    mutating func parseCommonTableExpression() throws -> CommonTableExpression {
        let name = try parseIdentifier("a name for the common table expression")
        var columns: [String] = []
        if current.isSymbol("(") { columns = try parseIdentifierList("a column name") }
        try expectWord("AS")
        if acceptWord("NOT") {
            try expectWord("MATERIALIZED")
        } else {
            _ = acceptWord("MATERIALIZED")
        }
        try expectSymbol("(")
        let query = startsTableStatement(current) ? try parseTableStatement() : try parseQuery()
        try expectSymbol(")")
        return CommonTableExpression(name: name.text, columnNames: columns, query: query, position: name.position)
    }

    /// The count of `LIMIT`: an expression, or a percentage `p%` / `p PERCENT` (DuckDB), where `p` is
    /// read above `%` so that `LIMIT 20%` is not a modulo missing its operand; `LIMIT a % b` is still
    /// a modulo.
    mutating func parseLimitCount(_ query: Query) throws {
        let start = index
        let p = try parseExpression(minimum: Precedence.multiplicative.tighter)
        if current.isWord("PERCENT") {
            advance()
        } else if current.isSymbol("%")
            && (peek(1).kind == .endOfInput || peek(1).isSymbol(")") || peek(1).isSymbol(";")
                || peek(1).isWord("OFFSET"))
        {
            advance()
        } else {
            index = start
            query.limit = try parseExpression()
            return
        }
        query.limit = p
        query.limitPercent = true
    }

    /// `ORDER BY`, `LIMIT` and `OFFSET` after a query body (LIMIT and OFFSET in either order).
    mutating func parseQueryTail(ctes: [CommonTableExpression], body: QueryBody, position: SourcePosition) throws
        -> Query
    {
        let query = Query(ctes: ctes, body: body, position: position)
        query.mentionsRowId = mentionsRowId
        if current.isWord("ORDER") {
            advance()
            try expectWord("BY")
            if current.isWord("ALL") {
                let allToken = advance()
                var item = OrderItem(expr: .literal(.null, allToken.position))
                parseOrderModifiers(&item)
                query.orderByAll = item
            } else {
                query.orderBy = try parseOrderItems()
            }
        }
        var sawLimit = false
        var sawOffset = false
        while true {
            if !sawLimit && current.isWord("LIMIT") {
                advance()
                sawLimit = true
                if !acceptWord("ALL") { try parseLimitCount(query) }
            } else if !sawOffset && current.isWord("OFFSET") {
                advance()
                sawOffset = true
                query.offset = try parseExpression()
                if !acceptWord("ROWS") { _ = acceptWord("ROW") }
            } else {
                break
            }
        }
        return query
    }

    /// `a UNION [ALL] [BY NAME] b EXCEPT c ...`, left-associative; INTERSECT binds tighter.
    /// - Parameter first: an already parsed first operand (a parenthesised query met where an expression
    ///   or table could also start).
    /// A run of `UNION ALL` is flat: its operands are built into a balanced tree (UNION ALL is associative;
    /// the binder flattens it into one n-ary union), so 1,000 branches do not count as 1,000 levels.
    mutating func parseSetExpression(first: QueryBody?) throws -> QueryBody {
        var left = try parseIntersect(first: first)
        var chain = 0
        defer { nesting -= chain }
        var unionAll: [(body: QueryBody, position: SourcePosition)] = []
        while current.isWord("UNION") || current.isWord("EXCEPT") {
            let op = advance()
            let all = acceptWord("ALL")
            if !all { _ = acceptWord("DISTINCT") }
            if current.isWord("BY") && peek(1).isWord("NAME") {
                guard op.isWord("UNION") else { throw failure("Invalid combination of EXCEPT and BY NAME", at: op) }
                advance()
                advance()
                if !unionAll.isEmpty {
                    left = Self.balancedUnionAll(unionAll[...])
                    unionAll = []
                }
                try enterChain(&chain)
                let right = try parseIntersect(first: nil)
                left = .setOperation(.unionByName, all: all, left: left, right: right, position: op.position)
                continue
            }
            if op.isWord("UNION") && all {
                if unionAll.isEmpty { unionAll = [(left, op.position)] }
                unionAll.append((try parseIntersect(first: nil), op.position))
                continue
            }
            if !unionAll.isEmpty {
                left = Self.balancedUnionAll(unionAll[...])
                unionAll = []
            }
            try enterChain(&chain)
            let right = try parseIntersect(first: nil)
            left = .setOperation(
                op.isWord("UNION") ? .union : .except, all: all, left: left, right: right,
                position: op.position)
        }
        if !unionAll.isEmpty { left = Self.balancedUnionAll(unionAll[...]) }
        return left
    }

    /// Operands of a `UNION ALL` run as a balanced tree, in order; each node has the position of the
    /// `UNION` before its right half (the first operand's position is that of the first `UNION`).
    static func balancedUnionAll(_ part: ArraySlice<(body: QueryBody, position: SourcePosition)>) -> QueryBody {
        if part.count == 1 { return part[part.startIndex].body }
        let middle = part.startIndex + part.count / 2
        return .setOperation(
            .union, all: true, left: balancedUnionAll(part[..<middle]), right: balancedUnionAll(part[middle...]),
            position: part[middle].position)
    }

    mutating func parseIntersect(first: QueryBody?) throws -> QueryBody {
        var left: QueryBody
        if let first {
            left = first
        } else {
            left = try parseSetOperand()
        }
        var chain = 0
        defer { nesting -= chain }
        while current.isWord("INTERSECT") {
            let op = advance()
            try enterChain(&chain)
            let all = acceptWord("ALL")
            if !all { _ = acceptWord("DISTINCT") }
            let right = try parseSetOperand()
            left = .setOperation(.intersect, all: all, left: left, right: right, position: op.position)
        }
        return left
    }

    mutating func parseSetOperand() throws -> QueryBody {
        if current.isWord("SELECT") { return .select(try parseSelectCore()) }
        if current.isWord("VALUES") { return try parseValues() }
        if current.isSymbol("(") {
            advance()
            let query = try parseQuery()
            try expectSymbol(")")
            return flatten(query)
        }
        throw unexpected("SELECT, VALUES or a parenthesised query")
    }

    /// A parenthesised query without WITH/ORDER BY/LIMIT/OFFSET is just its body.
    func flatten(_ query: Query) -> QueryBody {
        if query.ctes.isEmpty && query.orderBy.isEmpty && query.orderByAll == nil && query.limit == nil
            && query.offset == nil
        {
            return query.body
        }
        return .nested(query)
    }

    /// `VALUES (e, ...), (e, ...)`; every row must have the same number of values.
    mutating func parseValues() throws -> QueryBody {
        let start = try expectWord("VALUES")
        var rows: [[Expr]] = []
        repeat {
            let open = try expectSymbol("(")
            let row = try parseExpressionList()
            try expectSymbol(")")
            if let first = rows.first, first.count != row.count {
                throw failure("VALUES lists must all be the same length (\(first.count) and \(row.count))", at: open)
            }
            rows.append(row)
        } while acceptSymbol(",")
        return .values(rows, position: start.position)
    }

    // MARK: - SELECT

    /// Words that end a select list (so a trailing comma before them is allowed, as DuckDB allows).
    func endsSelectList(_ t: Token) -> Bool {
        switch t.kind {
        case .endOfInput: return true
        case .symbol: return t.text == ")" || t.text == ";"
        case .word:
            switch t.upper {
            case "FROM", "WHERE", "GROUP", "HAVING", "WINDOW", "QUALIFY", "ORDER", "LIMIT", "OFFSET", "UNION",
                "EXCEPT", "INTERSECT":
                return true
            default: return false
            }
        default: return false
        }
    }

    mutating func parseSelectCore() throws -> SelectCore {
        let start = try expectWord("SELECT")
        var distinct = false
        var distinctOn: [Expr]? = nil
        if acceptWord("DISTINCT") {
            if acceptWord("ON") {
                _ = try expectSymbol("(")
                distinctOn = try parseExpressionList()
                _ = try expectSymbol(")")
            } else {
                distinct = true
            }
        } else {
            _ = acceptWord("ALL")
        }
        if endsSelectList(current) { throw unexpected("a select list item") }
        var items = [try parseSelectItem()]
        while acceptSymbol(",") {
            if endsSelectList(current) { break }
            items.append(try parseSelectItem())
        }
        let core = SelectCore(distinct: distinct, items: items, position: start.position)
        core.distinctOn = distinctOn
        if acceptWord("FROM") { core.from = try parseFromList() }
        if acceptWord("WHERE") { core.whereClause = try parseExpression() }
        if current.isWord("GROUP") {
            advance()
            try expectWord("BY")
            if acceptWord("ALL") {
                core.groupByAll = true
            } else {
                try parseGroupByTerms(core)
            }
        }
        if acceptWord("HAVING") { core.having = try parseExpression() }
        if acceptWord("WINDOW") {
            repeat {
                let name = try parseIdentifier("a window name")
                try expectWord("AS")
                try expectSymbol("(")
                let spec = try parseWindowSpecBody()
                if core.windows.contains(where: { $0.name.lowercased() == name.text.lowercased() }) {
                    throw failure("window \"\(name.text)\" is defined twice", at: name)
                }
                core.windows.append((name: name.text, spec: spec))
            } while acceptSymbol(",")
        }
        if acceptWord("QUALIFY") { core.qualify = try parseExpression() }
        if current.isWord("USING") && peek(1).isWord("SAMPLE") {
            let using = advance()
            advance()
            core.from = .sample(core.from, try parseSampleEntry(usingSample: true, at: using))
        }
        try core.expandNamedWindows()
        return core
    }

    /// The terms of GROUP BY: expressions, `ROLLUP (...)`, `CUBE (...)` and `GROUPING SETS (...)`; the grouping
    /// sets of the comma-separated terms multiply (`GROUP BY a, ROLLUP (b)` is the sets (a, b) and (a)).
    mutating func parseGroupByTerms(_ core: SelectCore) throws {
        var sets: [[Expr]] = [[]]
        var hasSets = false
        repeat {
            let element = try parseGroupingElement(&hasSets)
            sets = sets.flatMap { s in element.map { s + $0 } }
        } while acceptSymbol(",")
        guard hasSets else {
            core.groupBy = sets[0]
            return
        }
        var index: [String: Int] = [:]
        var indexSets: [[Int]] = []
        for set in sets {
            var ks: [Int] = []
            for e in set {
                let key = e.sqlDescription
                if index[key] == nil {
                    index[key] = core.groupBy.count
                    core.groupBy.append(e)
                }
                if !ks.contains(index[key]!) { ks.append(index[key]!) }
            }
            indexSets.append(ks)
        }
        core.groupingSets = indexSets
    }

    /// One GROUP BY term as its grouping sets: `e` is [[e]]; `ROLLUP (a, b)` is [[a, b], [a], []]; `CUBE (a, b)`
    /// every subset; `GROUP BY GROUPING SETS ((a, b), a, ())` the listed sets. Items of ROLLUP and CUBE may be
    /// parenthesised lists that stay together: `ROLLUP ((a, b), c)`.
    mutating func parseGroupingElement(_ hasSets: inout Bool) throws -> [[Expr]] {
        let t = current
        if (t.isWord("ROLLUP") || t.isWord("CUBE")) && peek(1).isSymbol("(") {
            hasSets = true
            advance()
            advance()
            var items: [[Expr]] = []
            repeat {
                items.append(try parseGroupingList())
            } while acceptSymbol(",")
            try expectSymbol(")")
            if t.isWord("ROLLUP") {
                return (0...items.count).reversed().map { Array(items.prefix($0).joined()) }
            }
            return (0..<(1 << items.count)).reversed().map { mask in
                Array(items.indices.filter { mask & (1 << (items.count - 1 - $0)) != 0 }.map { items[$0] }.joined())
            }
        }
        if t.isWord("GROUPING") && peek(1).isWord("SETS") {
            hasSets = true
            advance()
            advance()
            try expectSymbol("(")
            var sets: [[Expr]] = []
            repeat {
                if current.isSymbol("(") {
                    sets.append(try parseGroupingList())
                } else {
                    sets.append(contentsOf: try parseGroupingElement(&hasSets))
                }
            } while acceptSymbol(",")
            try expectSymbol(")")
            return sets
        }
        return [[try parseExpression()]]
    }

    /// `(a, b)`, `()` or one expression: terms that are grouped together.
    mutating func parseGroupingList() throws -> [Expr] {
        guard current.isSymbol("(") else { return [try parseExpression()] }
        advance()
        let list = current.isSymbol(")") ? [] : try parseExpressionList()
        try expectSymbol(")")
        return list
    }

    mutating func parseSelectItem() throws -> SelectItem {
        if current.isSymbol("*") {
            let star = advance()
            if let filter = try parseStarFilter(star.position) { return .expr(filter, alias: try parseColumnAlias()) }
            let exclude = try parseExclude()
            return .star(table: nil, exclude: exclude, replace: try parseReplace(), position: star.position)
        }
        if isIdentifierToken(current) && peek(1).isSymbol(".") && peek(2).isSymbol("*") {
            let table = advance()
            advance()
            advance()
            let exclude = try parseExclude()
            return .star(table: table.text, exclude: exclude, replace: try parseReplace(), position: table.position)
        }
        let e = try parseExpression()
        return .expr(e, alias: try parseColumnAlias())
    }

    /// `* [NOT] LIKE 'p'`, `* [NOT] ILIKE 'p'`, `* [NOT] SIMILAR TO 'p'` (DuckDB's star filters: the FROM
    /// columns whose name matches), as a call the binder expands like `COLUMNS(...)`; its name (`*like`,
    /// `*not ilike`, `*similar`, ...) cannot be written as a function name. Nil when no filter follows.
    mutating func parseStarFilter(_ position: SourcePosition) throws -> Expr? {
        let start = index
        let negated = acceptWord("NOT")
        var kind: String
        if acceptWord("LIKE") {
            kind = "like"
        } else if acceptWord("ILIKE") {
            kind = "ilike"
        } else if current.isWord("SIMILAR") && peek(1).isWord("TO") {
            advance()
            advance()
            kind = "similar"
        } else {
            index = start
            return nil
        }
        guard current.kind == .string else { throw unexpected("a pattern string after * \(kind.uppercased())") }
        let pattern = advance()
        if negated { kind = "not " + kind }
        let call = FunctionCall(
            name: "*" + kind, arguments: [.literal(.string(pattern.text), pattern.position)], position: position)
        return .function(call)
    }

    /// `COLUMNS(lambda c: expr)` (DuckDB): the call `*lambda('c', expr)`, which the binder expands like
    /// `COLUMNS(...)` with the columns whose name makes `expr` true; the name cannot be written as a
    /// function name.
    /// - Throws: `KuaiError.syntax` for a lambda of several parameters (DuckDB's second is an index; not
    ///   provided).
    mutating func parseColumnsLambda() throws -> Expr {
        let name = advance()
        try expectSymbol("(")
        advance()
        let parameter = try parseIdentifier("a lambda parameter name")
        if current.isSymbol(",") {
            throw failure("a COLUMNS lambda with several parameters is not supported", at: current)
        }
        try expectSymbol(":")
        let body = try parseExpression()
        try expectSymbol(")")
        return .function(
            FunctionCall(
                name: "*lambda", arguments: [.literal(.string(parameter.text), parameter.position), body],
                position: name.position))
    }

    /// `EXCLUDE (a, b)` or `EXCLUDE a` after a star.
    mutating func parseExclude() throws -> [String] {
        guard acceptWord("EXCLUDE") else { return [] }
        if current.isSymbol("(") { return try parseIdentifierList("a column name to exclude") }
        return [try parseIdentifier("a column name to exclude").text]
    }

    /// `REPLACE (expr AS a, ...)` or `REPLACE expr AS a` after a star (and its EXCLUDE).
    mutating func parseReplace() throws -> [StarReplacement] {
        guard current.isWord("REPLACE") else { return [] }
        advance()
        let parenthesized = acceptSymbol("(")
        var list: [StarReplacement] = []
        repeat {
            let e = try parseExpression()
            try expectWord("AS")
            list.append(StarReplacement(expr: e, column: try parseIdentifier("a column name to replace").text))
        } while parenthesized && acceptSymbol(",")
        if parenthesized { try expectSymbol(")") }
        return list
    }

    /// `AS name` (any word, a quoted identifier or a string) or a bare non-keyword name.
    mutating func parseColumnAlias() throws -> String? {
        if acceptWord("AS") {
            switch current.kind {
            case .word, .quotedIdentifier, .string: return advance().text
            default: throw unexpected("an alias after AS")
            }
        }
        if current.kind == .quotedIdentifier { return advance().text }
        if current.kind == .word && Keywords.isIdentifier(current.upper)
            && !Keywords.notBareAlias.contains(current.upper)
        {
            return advance().text
        }
        return nil
    }

    /// `[AS] alias [(col, ...)]` after a table or subquery.
    mutating func parseTableAlias() throws -> (alias: String?, columns: [String]) {
        var alias: String?
        if acceptWord("AS") {
            if current.kind == .string {
                alias = advance().text
            } else {
                alias = try parseIdentifier("an alias after AS").text
            }
        } else if let t = acceptIdentifier() {
            alias = t.text
        }
        var columns: [String] = []
        if alias != nil && current.isSymbol("(") { columns = try parseIdentifierList("a column alias") }
        return (alias, columns)
    }

    // MARK: - FROM

    /// `item, item, ...`: a comma is a cross join (binding looser than JOIN, as in SQL).
    mutating func parseFromList() throws -> TableRef {
        var left = try parseJoinTree()
        var chain = 0
        defer { nesting -= chain }
        while current.isSymbol(",") {
            let comma = advance()
            try enterChain(&chain)
            let right = try parseJoinTree()
            left = .join(kind: .cross, left: left, right: right, condition: .none, position: comma.position)
        }
        return left
    }

    /// `factor { [kind] JOIN factor [ON expr | USING (cols)] }`, left-associative.
    mutating func parseJoinTree() throws -> TableRef {
        let first = index
        var left = try parseTableFactor()
        while true {
            if let pivoted = try parsePivotSuffix(first) {
                left = pivoted
            } else if let unpivoted = try parseUnpivotSuffix(left) {
                left = unpivoted
            } else {
                break
            }
        }
        var chain = 0
        defer { nesting -= chain }
        while let (kind, position, modifier) = try parseJoinKeyword() {
            try enterChain(&chain)
            let right = try parseTableFactor()
            var condition = JoinCondition.none
            if modifier == "NATURAL" {
                condition = .natural
            } else if kind != .cross {
                if acceptWord("ON") {
                    condition = .on(try parseExpression())
                } else if acceptWord("USING") {
                    condition = .using(try parseIdentifierList("a column name"))
                } else {
                    throw unexpected("ON or USING after the joined table")
                }
                if modifier == "ASOF" { condition = .asof(condition) }
            }
            left = .join(kind: kind, left: left, right: right, condition: condition, position: position)
        }
        return left
    }

    /// Consumes the words of a join operator, if one is next: its kind, position and modifier
    /// (`NATURAL`, `ASOF` or empty). NATURAL takes every kind but CROSS; ASOF takes INNER and LEFT, as
    /// DuckDB's grammar.
    mutating func parseJoinKeyword() throws -> (JoinKind, SourcePosition, String)? {
        let t = current
        guard t.kind == .word else { return nil }
        if t.upper == "JOIN" { return (.inner, advance().position, "") }
        if t.upper == "POSITIONAL" { throw failure("POSITIONAL JOIN is not supported", at: t) }
        var modifier = ""
        if t.upper == "NATURAL" || t.upper == "ASOF" {
            modifier = t.upper
            advance()
            if acceptWord("JOIN") { return (.inner, t.position, modifier) }
        }
        // INNER, LEFT, RIGHT, FULL, CROSS, SEMI, ANTI: the kinds' names.
        guard let kind = JoinKind(rawValue: current.upper.lowercased()), current.kind == .word else {
            if modifier.isEmpty { return nil }
            throw unexpected("JOIN after \(modifier)")
        }
        if modifier == "NATURAL" && kind == .cross { throw failure("NATURAL CROSS JOIN is not allowed", at: current) }
        if modifier == "ASOF" && kind != .inner && kind != .left {
            throw failure("ASOF \(kind.sqlName) JOIN is not supported", at: current)
        }
        advance()
        if kind == .left || kind == .right || kind == .full { _ = acceptWord("OUTER") }
        try expectWord("JOIN")
        return (kind, t.position, modifier)
    }

    /// A FROM item with its alias, then an optional `TABLESAMPLE entry` (DuckDB samples the item alone).
    mutating func parseTableFactor() throws -> TableRef {
        let factor = try parseUnsampledTableFactor()
        guard current.isWord("TABLESAMPLE") else { return factor }
        let keyword = advance()
        return .sample(factor, try parseSampleEntry(usingSample: false, at: keyword))
    }

    mutating func parseUnsampledTableFactor() throws -> TableRef {
        try enter()
        defer { leave() }
        let start = current
        if start.isWord("LATERAL") {
            // DuckDB's LATERAL before a subquery or a table function: any of them may read the columns of
            // the FROM items before it (the binder finds out whether it does), so the word changes nothing
            let next = peek(1)
            guard
                next.isSymbol("(") || ((next.kind == .word || next.kind == .quotedIdentifier) && peek(2).isSymbol("("))
            else { throw unexpected("a subquery or a table function after LATERAL") }
            advance()
            return try parseTableFactor()
        }
        if start.isSymbol("(") {
            if startsTableStatement(peek(1)) {
                advance()
                let query = try parseTableStatement()
                try expectSymbol(")")
                return try subqueryWithAlias(query, position: start.position)
            }
            if startsQuery(peek(1)) {
                advance()
                let query = try parseQuery()
                try expectSymbol(")")
                return try subqueryWithAlias(query, position: start.position)
            }
            advance()
            let inner = try parseFromList()
            if case .subquery(let q, nil, let columns, _) = inner, columns.isEmpty, continuesQuery(current) {
                // `((SELECT ...) UNION SELECT ...) alias`: the parenthesised subquery was a set-operation operand.
                let body = try parseSetExpression(first: flatten(q))
                let query = try parseQueryTail(ctes: [], body: body, position: q.position)
                try expectSymbol(")")
                return try subqueryWithAlias(query, position: start.position)
            }
            try expectSymbol(")")
            if case .subquery(let q, nil, let columns, _) = inner, columns.isEmpty {
                return try subqueryWithAlias(q, position: start.position)
            }
            return inner
        }
        if start.kind == .string {
            // `FROM 'path/x.csv'`: a file read in place (DuckDB's replacement scan).
            advance()
            let (alias, columns) = try parseTableAlias()
            return .tableFunction(
                TableFunctionRef(
                    name: nil, arguments: [.literal(.string(start.text), start.position)], alias: alias,
                    columnNames: columns, position: start.position))
        }
        if (start.kind == .word || start.kind == .quotedIdentifier) && peek(1).isSymbol("(")
            && !Keywords.reserved.contains(start.upper)
        {
            return try parseTableFunction()
        }
        guard let name = acceptIdentifier() else { throw unexpected("a table name or a subquery") }
        if current.isSymbol(".") { throw failure("qualified table names are not supported", at: current) }
        let (alias, columns) = try parseTableAlias()
        if !columns.isEmpty {
            // `t AS x(a, b)` is `(SELECT * FROM t) AS x(a, b)`.
            let core = SelectCore(
                items: [.star(table: nil, exclude: [], position: name.position)],
                from: .table(name: name.text, alias: nil, position: name.position),
                position: name.position)
            let query = Query(body: .select(core), position: name.position)
            query.mentionsRowId = mentionsRowId
            return .subquery(query, alias: alias, columnNames: columns, position: name.position)
        }
        return .table(name: name.text, alias: alias, position: name.position)
    }

    mutating func subqueryWithAlias(_ query: Query, position: SourcePosition) throws -> TableRef {
        let (alias, columns) = try parseTableAlias()
        return .subquery(query, alias: alias, columnNames: columns, position: position)
    }

    // MARK: - ORDER BY and windows

    /// `expr, expr, ...`: one or more expressions separated by commas.
    mutating func parseExpressionList() throws -> [Expr] {
        var list: [Expr] = []
        repeat {
            list.append(try parseExpression())
        } while acceptSymbol(",")
        return list
    }

    /// `ORDER BY item, ...` when the next word is ORDER (an aggregate's or a window's); else no items.
    mutating func parseOptionalOrderBy() throws -> [OrderItem] {
        guard current.isWord("ORDER") else { return [] }
        advance()
        try expectWord("BY")
        return try parseOrderItems()
    }

    mutating func parseOrderItems() throws -> [OrderItem] {
        var items: [OrderItem] = []
        repeat {
            var item = OrderItem(expr: try parseExpression())
            parseOrderModifiers(&item)
            items.append(item)
        } while acceptSymbol(",")
        return items
    }

    /// `[ASC | DESC] [NULLS FIRST | NULLS LAST]`.
    mutating func parseOrderModifiers(_ item: inout OrderItem) {
        if acceptWord("DESC") {
            item.ascending = false
        } else {
            _ = acceptWord("ASC")
        }
        if current.isWord("NULLS") && (peek(1).isWord("FIRST") || peek(1).isWord("LAST")) {
            advance()
            item.nullsFirst = advance().isWord("FIRST")
        }
    }

    /// The inside of `OVER (...)` or `WINDOW w AS (...)`, after the `(`; consumes the `)`.
    mutating func parseWindowSpecBody() throws -> WindowSpec {
        var spec = WindowSpec()
        if isIdentifierToken(current) && !["PARTITION", "ORDER", "ROWS", "RANGE", "GROUPS"].contains(current.upper) {
            spec.baseName = advance().text
        }
        if current.isWord("PARTITION") {
            advance()
            try expectWord("BY")
            spec.partitionBy = try parseExpressionList()
        }
        spec.orderBy = try parseOptionalOrderBy()
        if current.isWord("ROWS") || current.isWord("RANGE") || current.isWord("GROUPS") {
            let unitToken = advance()
            let unit = FrameClause.Unit(rawValue: unitToken.upper)!
            if acceptWord("BETWEEN") {
                let start = try parseFrameBound()
                try expectWord("AND")
                let end = try parseFrameBound()
                spec.frame = FrameClause(unit: unit, start: start, end: end)
            } else {
                let start = try parseFrameBound()
                if case .following = start {
                    throw failure("Frame starting from following row cannot end with current row", at: unitToken)
                }
                spec.frame = FrameClause(unit: unit, start: start, end: .currentRow)
            }
            try checkFrameBounds(spec.frame!, at: unitToken)
            if acceptWord("EXCLUDE") { spec.frame!.exclusion = try parseFrameExclusion() }
        }
        try expectSymbol(")")
        return spec
    }

    /// DuckDB's parser checks of a frame's bounds: a frame cannot start at UNBOUNDED FOLLOWING nor end at
    /// UNBOUNDED PRECEDING, and a frame starting at the current row or after it cannot end before it.
    /// - Throws: `KuaiError.syntax` with DuckDB's messages.
    func checkFrameBounds(_ frame: FrameClause, at token: Token) throws {
        if case .unboundedFollowing = frame.start {
            throw failure("Frame start cannot be UNBOUNDED FOLLOWING", at: token)
        }
        if case .unboundedPreceding = frame.end {
            throw failure("Frame end cannot be UNBOUNDED PRECEDING", at: token)
        }
        switch (frame.start, frame.end) {
        case (.following, .preceding), (.following, .currentRow):
            throw failure("Frame starting from following row cannot have preceding rows", at: token)
        case (.currentRow, .preceding):
            throw failure("Frame starting from current row cannot have preceding rows", at: token)
        default:
            return
        }
    }

    /// `CURRENT ROW | GROUP | TIES | NO OTHERS` after a frame's `EXCLUDE`.
    mutating func parseFrameExclusion() throws -> FrameExclusion {
        if acceptWord("CURRENT") {
            try expectWord("ROW")
            return .currentRow
        }
        if acceptWord("GROUP") { return .group }
        if acceptWord("TIES") { return .ties }
        if acceptWord("NO") {
            try expectWord("OTHERS")
            return .noOthers
        }
        throw unexpected("CURRENT ROW, GROUP, TIES or NO OTHERS")
    }

    mutating func parseFrameBound() throws -> FrameClause.Bound {
        if current.isWord("UNBOUNDED") {
            advance()
            if acceptWord("PRECEDING") { return .unboundedPreceding }
            if acceptWord("FOLLOWING") { return .unboundedFollowing }
            throw unexpected("PRECEDING or FOLLOWING")
        }
        if current.isWord("CURRENT") {
            advance()
            try expectWord("ROW")
            return .currentRow
        }
        let offset = try parseExpression(minimum: Precedence.predicate.tighter)
        if acceptWord("PRECEDING") { return .preceding(offset) }
        if acceptWord("FOLLOWING") { return .following(offset) }
        throw unexpected("PRECEDING or FOLLOWING")
    }

    // MARK: - Types

    /// A type name as in CAST: `BIGINT`, `DOUBLE PRECISION`, `DECIMAL(18, 3)`, `VARCHAR(10)` (DECIMAL's
    /// precision and scale are kept, checked as DuckDB does; other parameters are accepted and
    /// ignored), resolved with `DataType(sqlName:)`.
    mutating func parseTypeName() throws -> DataType {
        guard current.kind == .word || current.kind == .quotedIdentifier else { throw unexpected("a type name") }
        let t = advance()
        var name = t.kind == .word ? t.upper : t.text.uppercased()
        if name == "DOUBLE" { _ = acceptWord("PRECISION") }
        if name == "CHARACTER" {
            if acceptWord("VARYING") { name = "VARCHAR" } else { name = "CHAR" }
        }
        if name == "TIMESTAMP" || name == "TIME" {
            if current.isWord("WITH") && peek(1).isWord("TIME") {
                guard name == "TIMESTAMP" else { throw failure("TIME WITH TIME ZONE is not supported", at: current) }
                advance()
                try expectWord("TIME")
                try expectWord("ZONE")
                return .timestamptz
            }
            if current.isWord("WITHOUT") {
                advance()
                try expectWord("TIME")
                try expectWord("ZONE")
            }
        }
        if (name == "STRUCT" || name == "ROW" || name == "MAP") && current.isSymbol("(") {
            return try listSuffix(parseNestedTypeParameters(name))
        }
        var parameters: [Int] = []
        if current.isSymbol("(") {
            advance()
            repeat {
                guard current.kind == .integer else { throw unexpected("an integer type parameter") }
                parameters.append(Int(advance().text) ?? Int.max)
            } while acceptSymbol(",")
            try expectSymbol(")")
        }
        if name == "DECIMAL" || name == "NUMERIC" || name == "DEC", !parameters.isEmpty {
            // DECIMAL(p) and DECIMAL(p,s) within DuckDB's limits (its binder's messages)
            guard parameters.count <= 2 else { throw failure("DECIMAL takes at most two parameters", at: t) }
            switch DataType.checkedDecimal(parameters[0], parameters.count == 2 ? parameters[1] : 0) {
            case .success(let type): return type
            case .failure(let e): throw failure(e.message, at: t)
            }
        }
        guard let type = DataType(sqlName: name) else { throw failure("unknown type name \"\(t.text)\"", at: t) }
        return listSuffix(type)
    }

    /// `type` followed by `[]` suffixes (`T[]`, `T[][]`: DuckDB's LIST of T).
    mutating func listSuffix(_ type: DataType) -> DataType {
        var type = type
        while current.isSymbol("[") && peek(1).isSymbol("]") {
            advance()
            advance()
            type = .list(type)
        }
        return type
    }

    /// The parenthesised part of `STRUCT(name type, ...)` / `ROW(name type, ...)` (field names are
    /// identifiers, unique in any case) or `MAP(key type, value type)`, at the `(`.
    mutating func parseNestedTypeParameters(_ name: String) throws -> DataType {
        try expectSymbol("(")
        if name == "MAP" {
            let key = try parseTypeName()
            try expectSymbol(",")
            let value = try parseTypeName()
            try expectSymbol(")")
            return .map(key, value)
        }
        var fields: [Field] = []
        repeat {
            guard current.kind == .word || current.kind == .quotedIdentifier || current.kind == .string else {
                throw unexpected("a field name")
            }
            let field = advance()
            if fields.contains(where: { $0.name.lowercased() == field.text.lowercased() }) {
                throw failure("duplicate struct entry name \"\(field.text)\"", at: field)
            }
            fields.append(Field(field.text, try parseTypeName()))
        } while acceptSymbol(",")
        try expectSymbol(")")
        return .structure(fields)
    }
}
