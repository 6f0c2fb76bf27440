import KuaiCore

// Parsing of the writing statements (CREATE, DROP, ALTER, INSERT, COPY) and of table functions in
// FROM, with DuckDB's syntax (Formats/query-language.md, "Statements").

extension ParserState {
    /// CREATE / DROP / ALTER / INSERT / COPY when the current token starts one; nil otherwise.
    mutating func parseWritingStatement() throws -> Statement? {
        let t = current
        guard t.kind == .word else { return nil }
        switch t.upper {
        case "CREATE": return try parseCreate()
        case "DROP": return .drop(try parseDrop())
        case "ALTER": return .rename(try parseAlter())
        case "INSERT": return .insert(try parseInsert())
        case "COPY": return .copy(try parseCopy())
        default: return nil
        }
    }

    /// A table or view name; `main.name` is accepted (kuai has one schema), other qualifiers are not.
    mutating func parseObjectName(_ what: String) throws -> ObjectName {
        let first = try parseIdentifier(what)
        if current.isSymbol(".") {
            guard first.text.lowercased() == "main" else {
                throw failure("schema \"\(first.text)\" does not exist (kuai has one schema, main)", at: first)
            }
            advance()
            let name = try parseIdentifier(what)
            return ObjectName(name: name.text, position: name.position)
        }
        return ObjectName(name: first.text, position: first.position)
    }

    /// `CREATE [OR REPLACE] [TEMP|TEMPORARY] TABLE|VIEW|MACRO|FUNCTION [IF NOT EXISTS] ...`.
    mutating func parseCreate() throws -> Statement {
        let create = try expectWord("CREATE")
        var orReplace = false
        if acceptWord("OR") {
            try expectWord("REPLACE")
            orReplace = true
        }
        var temp: Token? = nil
        if current.isWord("TEMP") || current.isWord("TEMPORARY") { temp = advance() }
        let isView: Bool
        if current.isWord("MACRO") || current.isWord("FUNCTION") {
            advance()
            let ifNotExists = try parseIfNotExists(orReplace: orReplace)
            return .createMacro(
                try parseMacroDefinition(
                    orReplace: orReplace, ifNotExists: ifNotExists, temporary: temp != nil, at: create))
        }
        if let temp {
            throw failure("temporary tables are not supported: every table is kept in the store", at: temp)
        }
        if acceptWord("TABLE") {
            isView = false
        } else if acceptWord("VIEW") {
            isView = true
        } else {
            throw unexpected("TABLE, VIEW or MACRO after CREATE")
        }
        let ifNotExists = try parseIfNotExists(orReplace: orReplace)
        let name = try parseObjectName(isView ? "a view name" : "a table name")
        if isView {
            var columns: [String] = []
            if current.isSymbol("(") { columns = try parseIdentifierList("a column name") }
            try expectWord("AS")
            let (query, text) = try parseQueryWithText()
            return .createView(
                CreateViewStatement(
                    name: name, orReplace: orReplace, ifNotExists: ifNotExists, columnNames: columns, query: query,
                    queryText: text, position: create.position))
        }
        let source: CreateTableStatement.Source
        if acceptWord("AS") {
            source = .query(try parseQuery())
        } else if current.isSymbol("(") {
            source = .columns(try parseColumnDefinitions())
        } else {
            throw unexpected("AS and a query, or a column list, after the table name")
        }
        return .createTable(
            CreateTableStatement(
                name: name, orReplace: orReplace, ifNotExists: ifNotExists, source: source,
                position: create.position))
    }

    /// `IF NOT EXISTS` when present (false otherwise).
    /// - Throws: `KuaiError.syntax` for `OR REPLACE ... IF NOT EXISTS` (DuckDB's parser error).
    mutating func parseIfNotExists(orReplace: Bool) throws -> Bool {
        guard current.isWord("IF") else { return false }
        let ifToken = advance()
        try expectWord("NOT")
        try expectWord("EXISTS")
        if orReplace {
            throw failure("cannot specify both OR REPLACE and IF NOT EXISTS in one CREATE statement", at: ifToken)
        }
        return true
    }

    /// `name([param [:= default], ...]) AS expr | AS TABLE query`, after `CREATE ... MACRO`.
    /// - Throws: `KuaiError.syntax` (as DuckDB's parser) for a repeated parameter, a parameter without a
    ///   default after one with a default, typed parameters and several overloads (`AS a, (a, b) AS ...`),
    ///   which kuai does not take.
    mutating func parseMacroDefinition(orReplace: Bool, ifNotExists: Bool, temporary: Bool, at create: Token) throws
        -> CreateMacroStatement
    {
        let name = try parseObjectName("a macro name")
        try expectSymbol("(")
        var parameters: [MacroParameter] = []
        if !current.isSymbol(")") {
            repeat {
                let p = try parseIdentifier("a parameter name")
                if parameters.contains(where: { $0.name.lowercased() == p.text.lowercased() }) {
                    throw failure("duplicate parameter \"\(p.text)\" in macro definition", at: p)
                }
                var parameter = MacroParameter(name: p.text, defaultValue: nil, defaultText: nil, position: p.position)
                if acceptSymbol(":=") {
                    let (e, text) = try parseExpressionWithText()
                    (parameter.defaultValue, parameter.defaultText) = (e, text)
                } else if parameters.last?.defaultValue != nil {
                    throw failure("parameter \"\(p.text)\" without a default follows a parameter with a default", at: p)
                } else if !current.isSymbol(",") && !current.isSymbol(")") {
                    throw failure("typed macro parameters are not supported", at: current)
                }
                parameters.append(parameter)
            } while acceptSymbol(",")
        }
        try expectSymbol(")")
        try expectWord("AS")
        let body: CreateMacroStatement.Body
        let text: String
        if acceptWord("TABLE") {
            let (q, t) = try parseQueryWithText()
            (body, text) = (.table(q), t)
        } else {
            let (e, t) = try parseExpressionWithText()
            (body, text) = (.scalar(e), t)
        }
        if current.isSymbol(",") { throw failure("macros with several overloads are not supported", at: current) }
        return CreateMacroStatement(
            name: name, orReplace: orReplace, ifNotExists: ifNotExists, temporary: temporary, parameters: parameters,
            body: body, bodyText: text, position: create.position)
    }

    /// An expression and its source text (first token through the last token of the expression).
    mutating func parseExpressionWithText() throws -> (Expr, String) {
        let from = current.position.offset
        let e = try parseExpression()
        let last = tokens[max(index - 1, 0)]
        let to = min(last.position.offset + last.length, source.count)
        return (e, String(decoding: source[from..<max(from, to)], as: UTF8.self))
    }

    /// A query and its source text (first token through the last token of the query).
    mutating func parseQueryWithText() throws -> (Query, String) {
        guard startsQuery(current) || current.isSymbol("(") else { throw unexpected("a query") }
        let from = current.position.offset
        let query = try parseQuery()
        let last = tokens[max(index - 1, 0)]
        let to = min(last.position.offset + last.length, source.count)
        return (query, String(decoding: source[from..<max(from, to)], as: UTF8.self))
    }

    /// `(name type, ...)` of CREATE TABLE; constraints and defaults are refused.
    mutating func parseColumnDefinitions() throws -> [ColumnDefinition] {
        try expectSymbol("(")
        var columns: [ColumnDefinition] = []
        repeat {
            let name = try parseIdentifier("a column name")
            let type = try parseTypeName()
            if !current.isSymbol(",") && !current.isSymbol(")") {
                throw failure("column constraints and defaults are not supported", at: current)
            }
            if columns.contains(where: { $0.name.lowercased() == name.text.lowercased() }) {
                throw failure("column \"\(name.text)\" is given twice", at: name)
            }
            columns.append(ColumnDefinition(name: name.text, type: type, position: name.position))
        } while acceptSymbol(",")
        try expectSymbol(")")
        return columns
    }

    /// `DROP TABLE|VIEW|MACRO|MACRO TABLE|FUNCTION [IF EXISTS] name`.
    mutating func parseDrop() throws -> DropStatement {
        let drop = try expectWord("DROP")
        let kind: CatalogObjectKind
        if acceptWord("MACRO") || acceptWord("FUNCTION") {
            kind = acceptWord("TABLE") ? .tableMacro : .macro
        } else {
            kind = try parseObjectKind("TABLE, VIEW or MACRO after DROP")
        }
        var ifExists = false
        if acceptWord("IF") {
            try expectWord("EXISTS")
            ifExists = true
        }
        let name = try parseObjectName(kind == .table ? "a table name" : kind == .view ? "a view name" : "a macro name")
        if current.isWord("CASCADE") || current.isWord("RESTRICT") { advance() }
        return DropStatement(kind: kind, name: name, ifExists: ifExists, position: drop.position)
    }

    mutating func parseObjectKind(_ expected: String) throws -> CatalogObjectKind {
        if acceptWord("TABLE") { return .table }
        if acceptWord("VIEW") { return .view }
        throw unexpected(expected)
    }

    /// `ALTER TABLE|VIEW name RENAME TO new`.
    mutating func parseAlter() throws -> RenameStatement {
        let alter = try expectWord("ALTER")
        let kind = try parseObjectKind("TABLE or VIEW after ALTER")
        let name = try parseObjectName(kind == .table ? "a table name" : "a view name")
        guard acceptWord("RENAME") else {
            throw failure("only ALTER \(kind.rawValue) ... RENAME TO is supported", at: current)
        }
        if current.isWord("COLUMN") || (isIdentifierToken(current) && !current.isWord("TO")) {
            throw failure("renaming columns is not supported", at: current)
        }
        try expectWord("TO")
        let newName = try parseObjectName("the new name")
        return RenameStatement(kind: kind, name: name, newName: newName, position: alter.position)
    }

    /// `INSERT INTO name [(col, ...)] query`.
    mutating func parseInsert() throws -> InsertStatement {
        let insert = try expectWord("INSERT")
        if current.isWord("OR") { throw failure("INSERT OR REPLACE / IGNORE is not supported", at: current) }
        try expectWord("INTO")
        let table = try parseObjectName("a table name")
        var columns: [ObjectName]? = nil
        if current.isSymbol("(") && !startsQuery(peek(1)) && !peek(1).isSymbol("(") {
            advance()
            var list: [ObjectName] = []
            repeat {
                let c = try parseIdentifier("a column name")
                list.append(ObjectName(name: c.text, position: c.position))
            } while acceptSymbol(",")
            try expectSymbol(")")
            columns = list
        }
        if current.isWord("DEFAULT") { throw failure("DEFAULT VALUES is not supported", at: current) }
        if current.isWord("BY") { throw failure("INSERT ... BY NAME is not supported", at: current) }
        guard startsQuery(current) || current.isSymbol("(") else {
            throw unexpected("VALUES or a query after the table name")
        }
        let query = try parseQuery()
        return InsertStatement(table: table, columns: columns, query: query, position: insert.position)
    }

    /// `COPY name [(cols)] TO 'path' [WITH] [(options)]` or `COPY (query) TO 'path' ...`.
    mutating func parseCopy() throws -> CopyStatement {
        let copy = try expectWord("COPY")
        let source: CopyStatement.Source
        if current.isSymbol("(") {
            advance()
            let query = try parseQuery()
            try expectSymbol(")")
            source = .query(query)
        } else {
            let name = try parseObjectName("a table name or a parenthesised query after COPY")
            var columns: [String] = []
            if current.isSymbol("(") { columns = try parseIdentifierList("a column name") }
            source = .table(name, columns: columns)
        }
        if current.isWord("FROM") {
            throw failure("COPY ... FROM is not supported: use CREATE TABLE ... AS FROM read_csv(...)", at: current)
        }
        try expectWord("TO")
        guard current.kind == .string else { throw unexpected("a file name in single quotes") }
        let path = advance()
        _ = acceptWord("WITH")
        var options: [CopyOption] = []
        if acceptSymbol("(") {
            if !current.isSymbol(")") {
                repeat {
                    options.append(try parseCopyOption())
                } while acceptSymbol(",")
            }
            try expectSymbol(")")
        }
        return CopyStatement(
            source: source, path: path.text, pathPosition: path.position, options: options, position: copy.position)
    }

    /// `NAME [value]`: a word, a string, a number (with an optional sign) or nothing.
    mutating func parseCopyOption() throws -> CopyOption {
        guard current.kind == .word || current.kind == .quotedIdentifier else { throw unexpected("a COPY option name") }
        let name = advance()
        switch current.kind {
        case .string:
            let v = advance()
            return CopyOption(name: name.text.lowercased(), value: v.text, valueIsString: true, position: name.position)
        case .word, .quotedIdentifier, .integer, .decimal:
            let v = advance()
            return CopyOption(name: name.text.lowercased(), value: v.text, position: name.position)
        case .symbol where current.isSymbol("-") && (peek(1).kind == .integer || peek(1).kind == .decimal):
            advance()
            let v = advance()
            return CopyOption(name: name.text.lowercased(), value: "-" + v.text, position: name.position)
        case .symbol where current.isSymbol("("):
            // A list of names (`PARTITION_BY (a, b)`): the value is the names joined by commas.
            advance()
            var names: [String] = []
            repeat {
                guard current.kind == .word || current.kind == .quotedIdentifier || current.kind == .string else {
                    throw unexpected("a column name")
                }
                names.append(advance().text)
            } while acceptSymbol(",")
            try expectSymbol(")")
            return CopyOption(
                name: name.text.lowercased(), value: names.joined(separator: ","), position: name.position)
        default:
            return CopyOption(name: name.text.lowercased(), value: nil, position: name.position)
        }
    }

    /// `name(arg, ..., key = value, ...) [AS alias [(cols)]]` in FROM.
    mutating func parseTableFunction() throws -> TableRef {
        let name = advance()
        try expectSymbol("(")
        var arguments: [Expr] = []
        var named: [TableFunctionRef.NamedArgument] = []
        if !current.isSymbol(")") {
            repeat {
                if (current.kind == .word || current.kind == .quotedIdentifier)
                    && (peek(1).isSymbol("=") || peek(1).isSymbol(":="))
                {
                    let key = advance()
                    advance()
                    let value = try parseExpression()
                    if named.contains(where: { $0.name == key.text.lowercased() }) {
                        throw failure("argument \"\(key.text)\" is given twice", at: key)
                    }
                    named.append(.init(name: key.text.lowercased(), value: value, position: key.position))
                } else {
                    if !named.isEmpty { throw failure("a positional argument after a named one", at: current) }
                    arguments.append(try parseExpression())
                }
            } while acceptSymbol(",")
        }
        try expectSymbol(")")
        let (alias, columns) = try parseTableAlias()
        return .tableFunction(
            TableFunctionRef(
                name: name.text.lowercased(), arguments: arguments, namedArguments: named, alias: alias,
                columnNames: columns, position: name.position))
    }
}
