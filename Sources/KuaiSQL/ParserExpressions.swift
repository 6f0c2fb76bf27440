import KuaiCore

// Expression parsing by precedence climbing (Formats/query-language.md, "Operator precedence").
// The levels are DuckDB 2.0.1's, i.e. PostgreSQL's yacc grammar, lowest first:
//   1 OR   2 AND   3 NOT (prefix)   4 IS [NOT] NULL | IS [NOT] DISTINCT FROM | IS [NOT] TRUE/FALSE | ISNULL | NOTNULL
//   5 = == <> != < <= > >= (non-associative)   6 [NOT] LIKE | ILIKE | BETWEEN | IN
//   7 || ~~ ~~* !~~ !~~* ~~~   8 & | << >> ~ (prefix)   9 + -   10 * / // %   11 ^ **   12 AT TIME ZONE
//   13 unary + - (prefix)   14 :: (postfix)
// (DuckDB's grammar puts the bit operators between `||` and `+`: `1 || 2 | 3` is `(1 || (2 | 3))`, `1 + 2 << 3` is
// `((1 + 2) << 3)`, and prefix `~` takes everything down to `+`: `~1 + 2` is `(~((1 + 2)))`, `~1 << 2` is
// `((~(1)) << 2)`.)
// As in yacc, a postfix form ends its operand and the loop goes on with it as a left operand:
// `a = b IS NULL` is `((a = b) IS NULL)` and `a IS NULL = x` is `((a IS NULL) = x)`; a prefix operator takes
// its operand at its own level wherever it appears: `x = NOT y AND z` is `((x = (NOT y)) AND z)`.
// Each recursion counts against `Parser.maxDepth` and each chained operator against `Parser.maxTreeDepth`.

/// Precedence levels, loosest first (the numbered levels above; a later level binds tighter).
enum Precedence: Int, Comparable {
    case or = 1
    case and, not, isTest, comparison, predicate, concat, bitwise, additive, multiplicative, exponent, atTimeZone
    case unary, cast

    /// The next tighter level: the least a right operand's operators bind (`cast` for `cast`).
    var tighter: Precedence { Precedence(rawValue: rawValue + 1) ?? .cast }

    static func < (a: Precedence, b: Precedence) -> Bool { a.rawValue < b.rawValue }
}

extension ParserState {
    mutating func parseExpression() throws -> Expr {
        try parseExpression(minimum: Precedence.or)
    }

    /// The operator at the cursor and its level, if it continues an expression.
    func infixPrecedence() -> Precedence? {
        let t = current
        switch t.kind {
        case .symbol:
            switch t.text {
            case "=", "==", "<>", "!=", "<", "<=", ">", ">=": return Precedence.comparison
            case "||", "~~", "~~*", "!~~", "!~~*", "~~~", "~", "~*", "!~", "!~*", "^@": return Precedence.concat
            case "&", "|", "<<", ">>": return Precedence.bitwise
            case "+", "-": return Precedence.additive
            case "*", "/", "//", "%": return Precedence.multiplicative
            case "^", "**": return Precedence.exponent
            case "::": return Precedence.cast
            default: return nil
            }
        case .word:
            switch t.upper {
            case "OR": return Precedence.or
            case "AND": return Precedence.and
            case "AT": return peek(1).isWord("TIME") && peek(2).isWord("ZONE") ? Precedence.atTimeZone : nil
            case "IS", "ISNULL", "NOTNULL": return Precedence.isTest
            case "LIKE", "ILIKE", "BETWEEN", "IN", "GLOB", "SIMILAR": return Precedence.predicate
            case "NOT":
                let next = peek(1)
                if next.isWord("LIKE") || next.isWord("ILIKE") || next.isWord("BETWEEN") || next.isWord("IN")
                    || next.isWord("GLOB") || next.isWord("SIMILAR")
                {
                    return Precedence.predicate
                }
                return nil
            default: return nil
            }
        default:
            return nil
        }
    }

    /// Parses an expression whose operators all bind at least as tightly as `minimum`.
    mutating func parseExpression(minimum: Precedence) throws -> Expr {
        try enter()
        defer { leave() }
        var left = try parsePrefix()
        var chain = 0
        defer { nesting -= chain }
        // The non-associative levels (comparison, LIKE/BETWEEN) refuse a second operator of their level right
        // after an operator whose right operand ends the expression (`a < b < c`, `a LIKE b LIKE c`), as
        // DuckDB's grammar does; after `IN (...)`, which ends with ")", any operator may follow.
        var lastLevel: Precedence?
        var lastEndsWithOperand = false
        var lastWasPostfixTest = false
        // A run of ANDs (or ORs) is flat, as DuckDB's n-ary conjunctions: its operands are collected and
        // built into a balanced tree when the run ends, so 10,000 ORs are 14 levels deep, not 10,000. The
        // levels of one loop never rise (a right operand takes every tighter operator), and AND/OR are the
        // loosest, so a run is only followed by a run of OR.
        var conjunction: [Expr] = []
        var conjunctionLevel: Precedence?  // OR or AND while `conjunction` holds a run
        while let level = infixPrecedence(), level >= minimum {
            if level == Precedence.or || level == Precedence.and {
                if level != conjunctionLevel {
                    if !conjunction.isEmpty { left = Self.balanced(conjunction, level: conjunctionLevel ?? .and) }
                    conjunction = [left]
                    conjunctionLevel = level
                }
                advance()
                conjunction.append(try parseExpression(minimum: level.tighter))
                lastLevel = level
                lastEndsWithOperand = false
                lastWasPostfixTest = false
                continue
            }
            if !conjunction.isEmpty {
                left = Self.balanced(conjunction, level: conjunctionLevel ?? .and)
                conjunction = []
                conjunctionLevel = nil
            }
            if lastEndsWithOperand && level == lastLevel {
                if level == Precedence.comparison {
                    throw failure("chained comparisons are not supported; combine them with AND", at: current)
                }
                if level == Precedence.predicate {
                    throw unexpected("an operator between the two predicates (use AND)")
                }
            }
            let endsWithOperand = level == Precedence.comparison || (level == Precedence.predicate && !isInOperator())
            try enterChain(&chain)
            if lastLevel == Precedence.isTest && lastWasPostfixTest && level >= Precedence.additive
                && level <= Precedence.exponent
            {
                // DuckDB's grammar quirk: after a postfix `IS NULL`-style test, an arithmetic operator takes
                // everything down to `+`/`-` as its right operand: `a IS NULL - 1 - 2` is
                // `((a IS NULL) - (1 - 2))`, `a IS NULL * 2 + 1` is `((a IS NULL) * (2 + 1))`.
                left = try parseArithmetic(left, level: level, rightMinimum: Precedence.additive)
            } else {
                left = try parseInfix(left, level: level)
            }
            lastWasPostfixTest = level == Precedence.isTest && lastInfixWasPostfix
            lastLevel = level
            lastEndsWithOperand = endsWithOperand
        }
        if !conjunction.isEmpty { left = Self.balanced(conjunction, level: conjunctionLevel ?? .and) }
        return left
    }

    /// The operands of a run of `AND` (`level` is `Precedence.and`) or `OR` as a balanced tree, in their
    /// order (AND and OR are associative in SQL's three-valued logic; the printer and the binder flatten
    /// nested conjunctions of one kind, as DuckDB does). Each node's position is its first operand's.
    static func balanced(_ operands: [Expr], level: Precedence) -> Expr {
        let op: BinaryOperator = level == Precedence.or ? .or : .and
        func build(_ part: ArraySlice<Expr>) -> Expr {
            if part.count == 1 { return part[part.startIndex] }
            let middle = part.startIndex + part.count / 2
            let left = build(part[..<middle])
            return .binary(op, left, build(part[middle...]), left.position)
        }
        return build(operands[...])
    }

    /// True when the cursor is at `IN` or `NOT IN`.
    func isInOperator() -> Bool { current.isWord("IN") || (current.isWord("NOT") && peek(1).isWord("IN")) }

    /// Prefix operators (`NOT`, unary `-`, `+`) and primaries.
    mutating func parsePrefix() throws -> Expr {
        let t = current
        if t.isWord("NOT") {
            advance()
            let operand = try parseExpression(minimum: Precedence.not)
            if case .exists(let query, let negated, _) = operand {
                return .exists(query, negated: !negated, t.position)
            }
            return .unary(.not, operand, t.position)
        }
        if t.isSymbol("-") || t.isSymbol("+") {
            advance()
            let operand = try parseExpression(minimum: Precedence.unary)
            if t.text == "+" { return .unary(.plus, operand, t.position) }
            return negate(operand, position: t.position)
        }
        if t.isSymbol("~") {
            advance()
            return .unary(.bitwiseNot, try parseExpression(minimum: Precedence.additive), t.position)
        }
        return try parsePrimary()
    }

    /// Unary minus; directly before a number literal it folds into the literal (`-9223372036854775808` is a
    /// BIGINT literal and `- 2 ^ 2` is 4, as in DuckDB).
    func negate(_ operand: Expr, position: SourcePosition) -> Expr {
        if case .literal(let literal, _) = operand {
            switch literal {
            case .integer(let v):
                if v == Int64.min { return .literal(.decimal("9223372036854775808"), position) }
                return .literal(.integer(-v), position)
            case .decimal(let text):
                let negated = text.hasPrefix("-") ? String(text.dropFirst()) : "-" + text
                if let v = Int64(negated) { return .literal(.integer(v), position) }
                return .literal(.decimal(negated), position)
            default:
                break
            }
        }
        return .unary(.minus, operand, position)
    }

    /// Applies the infix or postfix operator at the cursor (of precedence `level`) to `left`.
    mutating func parseInfix(_ left: Expr, level: Precedence) throws -> Expr {
        let position = left.position
        switch level {
        case .or, .and:
            advance()
            let right = try parseExpression(minimum: level.tighter)
            return .binary(level == Precedence.or ? .or : .and, left, right, position)
        case .isTest:
            return try parseIsTest(left)
        case .comparison:
            return try parseComparison(left)
        case .predicate:
            return try parsePredicate(left)
        case .cast:
            advance()
            return .cast(left, try parseTypeName(), isTry: false, position)
        case .atTimeZone:
            // `x AT TIME ZONE z` is DuckDB's timezone(z, x) (left-associative, as PostgreSQL's AT).
            for _ in 0..<3 { advance() }
            let zone = try parseExpression(minimum: Precedence.atTimeZone.tighter)
            return .function(FunctionCall(name: "timezone", arguments: [zone, left], position: position))
        case .concat where current.isSymbol("~~~"):
            advance()
            return .binary(.glob, left, try parseExpression(minimum: Precedence.concat.tighter), position)
        case .concat where ["~", "~*", "!~", "!~*"].contains(current.text):
            // `a ~ p` is DuckDB's regexp_matches(a, p); `~*` adds the 'i' option, `!~` negates
            let t = advance()
            var args = [left, try parseExpression(minimum: Precedence.concat.tighter)]
            if t.text.hasSuffix("*") { args.append(.literal(.string("i"), t.position)) }
            let match = Expr.function(FunctionCall(name: "regexp_matches", arguments: args, position: position))
            return t.text.hasPrefix("!") ? .unary(.not, match, position) : match
        case .concat where current.isSymbol("^@"):
            // `s ^@ p` is DuckDB's starts_with(s, p), named as written
            advance()
            let args = [left, try parseExpression(minimum: Precedence.concat.tighter)]
            return .function(FunctionCall(name: "^@", arguments: args, position: position))
        case .concat where !current.isSymbol("||"):
            return try parseLikeOperator(left)
        default:
            return try parseArithmetic(left, level: level)
        }
    }

    /// `|| + - * / // % ^ **` with a right operand one level tighter (left-associative), or at `rightMinimum`.
    mutating func parseArithmetic(_ left: Expr, level: Precedence, rightMinimum: Precedence? = nil) throws -> Expr {
        let t = advance()
        let right = try parseExpression(minimum: rightMinimum ?? level.tighter)
        if t.text == "^" || t.text == "**" {
            // `a ^ b` and `a ** b` are `power(a, b)`, named as written (the binder's function `power`)
            return .function(FunctionCall(name: t.text, arguments: [left, right], position: left.position))
        }
        return .binary(BinaryOperator(infixSymbol: t.text) ?? .arithmetic(.modulo), left, right, left.position)
    }

    /// `a ~~ b` is `a LIKE b`; `~~*` ILIKE; `!~~` NOT LIKE (PostgreSQL's operator level, left-associative).
    /// As in DuckDB, `~~` and `~~*` (not `!~~`, `!~~*`) take an `ESCAPE` clause: `a ~~ b ESCAPE '!'`.
    mutating func parseLikeOperator(_ left: Expr) throws -> Expr {
        let t = advance()
        let pattern = try parseExpression(minimum: Precedence.concat.tighter)
        var escape: Expr?
        if current.isWord("ESCAPE") {
            if t.text.hasPrefix("!") {
                throw failure(
                    "ESCAPE after \(t.text) is not supported (DuckDB rejects it too); write NOT LIKE ... ESCAPE",
                    at: current)
            }
            escape = try parseEscape()
        }
        return .like(
            left, pattern: pattern, escape: escape, negated: t.text.hasPrefix("!"),
            caseInsensitive: t.text.hasSuffix("*"),
            left.position)
    }

    /// `ESCAPE expr` after a LIKE pattern (the cursor is at ESCAPE); the operand binds like the pattern.
    mutating func parseEscape() throws -> Expr {
        advance()
        return try parseExpression(minimum: Precedence.predicate.tighter)
    }

    /// `IS [NOT] NULL`, `IS [NOT] DISTINCT FROM x`, `IS [NOT] TRUE|FALSE`, `ISNULL`, `NOTNULL` after `left`.
    /// Sets `lastInfixWasPostfix` (after any nested parse) so the caller knows which form it got.
    mutating func parseIsTest(_ left: Expr) throws -> Expr {
        let position = left.position
        let t = advance()
        var result: Expr
        var postfix = true
        if t.isWord("ISNULL") || t.isWord("NOTNULL") {
            result = .isNull(left, negated: t.isWord("NOTNULL"), position)
        } else {
            let negated = acceptWord("NOT")
            if acceptWord("NULL") {
                result = .isNull(left, negated: negated, position)
            } else if acceptWord("DISTINCT") {
                try expectWord("FROM")
                let right = try parseExpression(minimum: Precedence.comparison)
                result = .binary(negated ? .isNotDistinctFrom : .isDistinctFrom, left, right, position)
                postfix = false
            } else if current.isWord("TRUE") || current.isWord("FALSE") {
                let value = advance()
                let literal = Expr.literal(.bool(value.isWord("TRUE")), value.position)
                result = .binary(negated ? .isDistinctFrom : .isNotDistinctFrom, left, literal, position)
            } else {
                throw unexpected("NULL, DISTINCT FROM, TRUE or FALSE after IS")
            }
        }
        lastInfixWasPostfix = postfix
        return result
    }

    /// The comparison operator token `t` spells (`==` is `=`, `<>` is `!=`); nil for any other token.
    func comparisonOperator(_ t: Token) -> CompareOp? {
        guard t.kind == .symbol else { return nil }
        switch t.text {
        case "==": return .equal
        case "<>": return .notEqual
        default: return CompareOp(rawValue: t.text)
        }
    }

    /// `left op right`, and the quantified comparisons `left op ANY | SOME | ALL (subquery)`: `= ANY` and
    /// `<> ALL` are IN / NOT IN, the others `.quantified`. As DuckDB, `op ANY (expr)` of an expression that
    /// is not a subquery is `op ANY (SELECT unnest(expr))` (a list: `x = ANY ([1, 2])`).
    mutating func parseComparison(_ left: Expr) throws -> Expr {
        let opToken = advance()
        let op = comparisonOperator(opToken)!
        if (current.isWord("ANY") || current.isWord("SOME") || current.isWord("ALL")) && peek(1).isSymbol("(") {
            let quantifier = advance()
            let isAll = quantifier.isWord("ALL")
            let open = try expectSymbol("(")
            let query: Query
            if startsQuery(current) || (current.isSymbol("(") && startsQuery(peek(1))) {
                query = try parseQuery()
            } else {
                let list = try parseExpression()
                let unnest = FunctionCall(name: "unnest", arguments: [list], position: list.position)
                let core = SelectCore(items: [.expr(.function(unnest), alias: nil)], from: nil, position: open.position)
                query = Query(body: .select(core), position: open.position)
                query.mentionsRowId = mentionsRowId
            }
            try expectSymbol(")")
            if (op == .equal && !isAll) || (op == .notEqual && isAll) {
                return .inSubquery(left, query, negated: isAll, left.position)
            }
            return .quantified(op, left, query, all: isAll, left.position)
        }
        let right = try parseExpression(minimum: Precedence.comparison.tighter)
        return .binary(.compare(op), left, right, left.position)
    }

    /// `[NOT] LIKE`, `[NOT] ILIKE`, `[NOT] BETWEEN .. AND ..`, `[NOT] IN (...)`.
    mutating func parsePredicate(_ left: Expr) throws -> Expr {
        let negated = acceptWord("NOT")
        let t = advance()
        if t.isWord("LIKE") || t.isWord("ILIKE") {
            return try parseLike(left, negated: negated, caseInsensitive: t.isWord("ILIKE"))
        }
        if t.isWord("BETWEEN") { return try parseBetween(left, negated: negated) }
        if t.isWord("IN") { return try parseIn(left, negated: negated) }
        if t.isWord("GLOB") || t.isWord("SIMILAR") { return try parseGlobOrSimilar(left, t, negated: negated) }
        throw failure("\(t.upper) is not supported", at: t)
    }

    mutating func parseLike(_ left: Expr, negated: Bool, caseInsensitive: Bool) throws -> Expr {
        let pattern = try parseExpression(minimum: Precedence.predicate.tighter)
        let escape = current.isWord("ESCAPE") ? try parseEscape() : nil
        return .like(
            left, pattern: pattern, escape: escape, negated: negated, caseInsensitive: caseInsensitive, left.position)
    }

    /// `s [NOT] GLOB p` (`(s ~~~ p)`) and `s [NOT] SIMILAR TO p`, which DuckDB rewrites to
    /// `regexp_full_match(s, p)`; NOT wraps either in `(NOT ...)`, as DuckDB prints them.
    mutating func parseGlobOrSimilar(_ left: Expr, _ t: Token, negated: Bool) throws -> Expr {
        if t.isWord("SIMILAR") { try expectWord("TO") }
        let pattern = try parseExpression(minimum: Precedence.predicate.tighter)
        if current.isWord("ESCAPE") {
            throw failure("ESCAPE clause is not supported with SIMILAR TO and GLOB", at: current)
        }
        let test: Expr =
            t.isWord("GLOB")
            ? .binary(.glob, left, pattern, left.position)
            : .function(FunctionCall(name: "regexp_full_match", arguments: [left, pattern], position: left.position))
        return negated ? .unary(.not, test, left.position) : test
    }

    mutating func parseBetween(_ left: Expr, negated: Bool) throws -> Expr {
        if current.isWord("SYMMETRIC") {
            throw failure("BETWEEN \(current.upper) is not supported", at: current)
        }
        _ = acceptWord("ASYMMETRIC")  // the default
        let low = try parseExpression(minimum: Precedence.predicate.tighter)
        try expectWord("AND")
        let high = try parseExpression(minimum: Precedence.predicate.tighter)
        return .between(left, low: low, high: high, negated: negated, left.position)
    }

    mutating func parseIn(_ left: Expr, negated: Bool) throws -> Expr {
        guard current.isSymbol("(") else { throw unexpected("\"(\" after IN") }
        advance()
        if startsQuery(current) {
            let query = try parseQuery()
            try expectSymbol(")")
            return .inSubquery(left, query, negated: negated, left.position)
        }
        let list = try parseExpressionList()
        try expectSymbol(")")
        return .inList(left, list, negated: negated, left.position)
    }

    // MARK: - Primary expressions

    // Debug builds give every local of a function its own stack slot, so the functions on the recursion path
    // (parsePrimary, parseWordPrimary, parseParenthesized, parseFunctionCall) stay small and hand each form
    // to its own function.

    mutating func parsePrimary() throws -> Expr {
        var e = try parsePrimaryOperand()
        while true {
            if current.isSymbol("[") {
                e = try parseSubscript(e)
            } else if current.isSymbol("."), peek(1).kind == .word || peek(1).kind == .quotedIdentifier,
                !peek(2).isSymbol("(")
            {
                // `x.name`: the field `name` of the STRUCT x (DuckDB's `(x).name`)
                advance()
                let field = advance()
                e = .function(
                    FunctionCall(
                        name: FunctionCall.fieldAccessName,
                        arguments: [e, .literal(.string(field.text), field.position)],
                        position: e.position))
            } else {
                return e
            }
        }
    }

    /// `[a, b, ...]`: DuckDB's list literal, the call `list_value(a, b, ...)` (the name DuckDB gives its
    /// column too).
    mutating func parseListLiteral() throws -> Expr {
        let open = advance()
        var call = FunctionCall(name: "list_value", arguments: [], position: open.position)
        if !acceptSymbol("]") {
            call.arguments = try parseExpressionList()
            if call.arguments.count == 1 && current.isWord("FOR") {
                return try parseListComprehension(call.arguments[0], open)
            }
            try expectSymbol("]")
        }
        return .function(call)
    }

    /// `{'name': expr, ...}` (DuckDB's STRUCT literal): the call `struct_pack` named
    /// `FunctionCall.structLiteralName` whose arguments alternate each field's name (a string
    /// literal) and its value. Field names are string literals or identifiers; at least one field.
    /// kuai takes such a value only as a table function argument (`read_csv(..., types = {...})`).
    mutating func parseStructLiteral() throws -> Expr {
        let open = advance()
        var call = FunctionCall(name: FunctionCall.structLiteralName, arguments: [], position: open.position)
        if acceptSymbol("}") { return .function(call) }
        repeat {
            if current.isSymbol("}") && !call.arguments.isEmpty { break }
            let key = current
            switch key.kind {
            case .string, .word, .quotedIdentifier:
                advance()
                call.arguments.append(.literal(.string(key.text), key.position))
            default:
                throw unexpected("a field name")
            }
            try expectSymbol(":")
            call.arguments.append(try parseExpression())
        } while acceptSymbol(",")
        try expectSymbol("}")
        return .function(call)
    }

    /// `struct_pack(name := expr, ...)` after the name: the STRUCT literal call
    /// (`FunctionCall.structLiteralName`) of those fields, as `parseStructLiteral` makes it.
    mutating func parseStructPack(_ nameToken: Token) throws -> Expr {
        try expectSymbol("(")
        var call = FunctionCall(name: FunctionCall.structLiteralName, arguments: [], position: nameToken.position)
        repeat {
            let key = current
            guard key.kind == .word || key.kind == .quotedIdentifier,
                peek(1).isSymbol(":=") || (peek(1).isSymbol(":") && peek(2).isSymbol("="))
            else { throw unexpected("a named argument (name := value)") }
            advance()
            if acceptSymbol(":") { advance() } else { advance() }
            call.arguments.append(.literal(.string(key.text), key.position))
            call.arguments.append(try parseExpression())
        } while acceptSymbol(",")
        try expectSymbol(")")
        return .function(call)
    }

    /// `MAP {k: v, ...}` after `MAP`: the call `map(list_value(k, ...), list_value(v, ...))` (DuckDB's
    /// reading, and the name it gives the column). Keys are expressions; `MAP {}` is the empty map.
    mutating func parseMapLiteral(_ mapToken: Token) throws -> Expr {
        let open = try expectSymbol("{")
        var keys: [Expr] = []
        var values: [Expr] = []
        if !acceptSymbol("}") {
            repeat {
                if current.isSymbol("}") && !keys.isEmpty { break }
                keys.append(try parseExpression())
                try expectSymbol(":")
                values.append(try parseExpression())
            } while acceptSymbol(",")
            try expectSymbol("}")
        }
        let list = { (xs: [Expr]) in
            Expr.function(FunctionCall(name: "list_value", arguments: xs, position: open.position))
        }
        return .function(FunctionCall(name: "map", arguments: [list(keys), list(values)], position: mapToken.position))
    }

    /// The rest of `[expr FOR x IN list [IF cond]]` after `expr`: the call `list_comprehension(list,
    /// lambda x: expr[, lambda x: cond])` (the binder's list_apply of list_filter; printed as DuckDB
    /// names the column).
    mutating func parseListComprehension(_ expr: Expr, _ open: Token) throws -> Expr {
        advance()
        guard current.kind == .word || current.kind == .quotedIdentifier else {
            throw failure("expected a name after FOR in a list comprehension", at: current)
        }
        let name = advance().text
        try expectWord("IN")
        var args = [try parseExpression(), Expr.lambda(parameters: [name], body: expr, open.position)]
        if acceptWord("IF") { args.append(.lambda(parameters: [name], body: try parseExpression(), open.position)) }
        try expectSymbol("]")
        return .function(FunctionCall(name: "list_comprehension", arguments: args, position: open.position))
    }

    /// A postfix subscript of `base`: `base[i]` is the call named `[]` (the binder's array_extract),
    /// `base[a:b]` the call named `[a:b]`, `[a:]`, `[:b]` or `[:]` by the bounds written (array_slice);
    /// the names keep DuckDB's column names (`l[1]`, `l[2:]`) and cannot be written as function names.
    mutating func parseSubscript(_ base: Expr) throws -> Expr {
        advance()
        var args = [base]
        var name = "["
        if !current.isSymbol(":") {
            args.append(try parseExpression())
            name += "a"
        }
        if acceptSymbol(":") {
            name += ":"
            if !current.isSymbol("]") {
                args.append(try parseExpression())
                name += "b"
            }
        }
        try expectSymbol("]")
        name = name == "[a" ? "[]" : name + "]"
        if name == "[]" && args.count != 2 { throw unexpected("an index") }
        return .function(FunctionCall(name: name, arguments: args, position: base.position))
    }

    /// A primary expression without postfix subscripts.
    mutating func parsePrimaryOperand() throws -> Expr {
        switch tokens[index].kind {
        case .integer, .decimal, .string:
            return parseLiteralToken()
        case .quotedIdentifier:
            if peek(1).isSymbol("(") { return try parseFunctionCall() }
            return try parseColumnReference()
        case .symbol:
            if tokens[index].isSymbol("(") { return try parseParenthesized() }
            if tokens[index].isSymbol("[") { return try parseListLiteral() }
            if tokens[index].isSymbol("{") { return try parseStructLiteral() }
            throw unexpected("an expression")
        case .endOfInput:
            throw unexpected("an expression")
        case .word:
            return try parseWordPrimary()
        }
    }

    /// What a word at the cursor starts.
    enum PrimaryForm {
        case constant, caseExpression, cast, exists, extract, interval, typedLiteral, function, column, mapLiteral,
            invalid
    }

    func primaryForm() -> PrimaryForm {
        let t = tokens[index]
        let next = peek(1)
        switch t.upper {
        case "TRUE", "FALSE", "NULL": return .constant
        case "CASE": return .caseExpression
        case "CAST", "TRY_CAST": if next.isSymbol("(") { return .cast }
        case "EXISTS": if next.isSymbol("(") { return .exists }
        case "EXTRACT": if next.isSymbol("(") { return .extract }
        case "MAP": if next.isSymbol("{") { return .mapLiteral }
        case "INTERVAL":
            if next.kind == .string || next.kind == .integer || next.kind == .decimal || next.isSymbol("(") {
                return .interval
            }
        default: break
        }
        // A type name before a string literal is a typed literal: DATE '2025-05-26', TIMESTAMP '...'.
        if next.kind == .string, let type = DataType(sqlName: t.upper), type != .interval { return .typedLiteral }
        if next.isSymbol("(") && Keywords.isFunctionName(t.upper) { return .function }
        if Keywords.isIdentifier(t.upper) { return .column }
        return .invalid
    }

    mutating func parseWordPrimary() throws -> Expr {
        switch primaryForm() {
        case .constant: return parseConstantWord()
        case .caseExpression: return try parseCase()
        case .cast: return try parseCast()
        case .exists: return try parseExists()
        case .extract: return try parseExtract()
        case .interval: return try parseInterval()
        case .typedLiteral: return try parseTypedLiteral()
        case .function: return try parseFunctionCall()
        case .column: return try parseColumnReference()
        case .mapLiteral: return try parseMapLiteral(advance())
        case .invalid: throw unexpected("an expression")
        }
    }

    /// A number or string token.
    mutating func parseLiteralToken() -> Expr {
        let t = advance()
        switch t.kind {
        case .integer:
            if let v = Int64(t.text) { return .literal(.integer(v), t.position) }
            return .literal(.decimal(t.text), t.position)
        case .decimal:
            return .literal(.decimal(t.text), t.position)
        default:
            return .literal(.string(t.text), t.position)
        }
    }

    /// `TRUE`, `FALSE`, `NULL`.
    mutating func parseConstantWord() -> Expr {
        let t = advance()
        if t.upper == "NULL" { return .literal(.null, t.position) }
        return .literal(.bool(t.upper == "TRUE"), t.position)
    }

    /// `CAST(expr AS type)`, `TRY_CAST(expr AS type)`.
    mutating func parseCast() throws -> Expr {
        let t = advance()
        advance()
        let operand = try parseExpression()
        try expectWord("AS")
        let type = try parseTypeName()
        try expectSymbol(")")
        return .cast(operand, type, isTry: t.upper == "TRY_CAST", t.position)
    }

    /// `EXISTS (query)`.
    mutating func parseExists() throws -> Expr {
        let t = advance()
        advance()
        guard startsQuery(current) || current.isSymbol("(") else { throw unexpected("a query after EXISTS (") }
        let query = try parseQuery()
        try expectSymbol(")")
        return .exists(query, negated: false, t.position)
    }

    /// `EXTRACT(field FROM expr)`; the field is a word or a string, kept as written.
    mutating func parseExtract() throws -> Expr {
        let t = advance()
        advance()
        guard current.kind == .word || current.kind == .string else {
            throw unexpected("a date part name after EXTRACT (")
        }
        let field = advance().text  // as written: it names the column (`SQLPrinter`)
        try expectWord("FROM")
        let operand = try parseExpression()
        try expectSymbol(")")
        return .extract(field: field, operand, t.position)
    }

    /// `DATE '...'`, `TIMESTAMP '...'`, `TIMESTAMPTZ '...'` (typed literals); `INTEGER '5'` and other types are casts of the string.
    mutating func parseTypedLiteral() throws -> Expr {
        let t = advance()
        let value = advance()
        guard let type = DataType(sqlName: t.upper) else { throw unexpected("a type name", at: t) }
        if type == .date || type == .timestamp || type == .timestamptz {
            return .literal(.typed(type, value.text), t.position)
        }
        return .cast(.literal(.string(value.text), value.position), type, isTry: false, t.position)
    }

    /// `name`, `qualifier.name`; after the dot any word is a name (`t.from` is fine, as in DuckDB).
    mutating func parseColumnReference() throws -> Expr {
        let first = advance()
        guard current.isSymbol(".") else { return .column(qualifier: nil, name: first.text, first.position) }
        advance()
        let second = current
        guard second.kind == .word || second.kind == .quotedIdentifier else {
            throw unexpected("a column name after \".\"")
        }
        advance()
        if current.isSymbol("(") { throw failure("qualified function names are not supported", at: second) }
        return .column(qualifier: first.text, name: second.text, first.position)
    }

    /// `( expr )`, `( query )` (a scalar subquery), and `((SELECT ...) UNION ...)`.
    mutating func parseParenthesized() throws -> Expr {
        let open = try expectSymbol("(")
        if startsQuery(current) {
            let query = try parseQuery()
            try expectSymbol(")")
            return .scalarSubquery(query, open.position)
        }
        let inner = try parseExpression()
        if case .scalarSubquery(let first, _) = inner, continuesQuery(current) {
            return try continueScalarSubquery(first, position: open.position)
        }
        if current.isSymbol(",") { return try parseRowValue(first: inner, position: open.position) }
        try expectSymbol(")")
        return inner
    }

    /// The rest of a row value `(first, b, ...)` from the first `,`; a trailing comma is allowed (`(a,)` is a
    /// one-member row, as in DuckDB).
    mutating func parseRowValue(first: Expr, position: SourcePosition) throws -> Expr {
        var members = [first]
        while acceptSymbol(",") {
            if current.isSymbol(")") { break }
            members.append(try parseExpression())
        }
        try expectSymbol(")")
        return .row(members, position)
    }

    /// `((SELECT ...) UNION SELECT ...)`: the parenthesised subquery was the first operand of a set operation.
    mutating func continueScalarSubquery(_ first: Query, position: SourcePosition) throws -> Expr {
        let body = try parseSetExpression(first: flatten(first))
        let query = try parseQueryTail(ctes: [], body: body, position: first.position)
        try expectSymbol(")")
        return .scalarSubquery(query, position)
    }

    /// `CASE [operand] WHEN .. THEN .. [...] [ELSE ..] END`.
    mutating func parseCase() throws -> Expr {
        let start = try expectWord("CASE")
        var operand: Expr?
        if !current.isWord("WHEN") { operand = try parseExpression() }
        var whens: [(when: Expr, then: Expr)] = []
        while acceptWord("WHEN") {
            let when = try parseExpression()
            try expectWord("THEN")
            let then = try parseExpression()
            whens.append((when: when, then: then))
        }
        if whens.isEmpty { throw unexpected("WHEN") }
        var elseExpr: Expr?
        if acceptWord("ELSE") { elseExpr = try parseExpression() }
        try expectWord("END")
        return .caseWhen(operand: operand, whens: whens, elseExpr: elseExpr, start.position)
    }

    /// `name ( [DISTINCT|ALL] args [ORDER BY ...] | * ) [WITHIN GROUP (ORDER BY ...)] [FILTER (WHERE ...)]
    /// [OVER (...) | OVER name]`.
    mutating func parseFunctionCall() throws -> Expr {
        if current.isWord("POSITION"), let e = try parsePositionIn() { return e }
        if current.isWord("OVERLAY"), let e = try parseOverlayPlacing() { return e }
        if current.isWord("TRIM") || current.isWord("SUBSTRING"), peek(1).isSymbol("("),
            let e = try parseKeywordArguments()
        {
            return e
        }
        if current.isWord("COLUMNS") && peek(2).isWord("LAMBDA") { return try parseColumnsLambda() }
        let nameToken = advance()
        if nameToken.kind == .word, nameToken.upper == "STRUCT_PACK",
            peek(1).kind == .word || peek(1).kind == .quotedIdentifier,
            peek(2).isSymbol(":=") || (peek(2).isSymbol(":") && peek(3).isSymbol("="))
        {
            return try parseStructPack(nameToken)
        }
        var call = FunctionCall(name: nameToken.text.lowercased(), arguments: [], position: nameToken.position)
        try parseCallArguments(&call)
        if current.isWord("WITHIN") && peek(1).isWord("GROUP") { try parseWithinGroup(&call) }
        if current.isWord("FILTER") && peek(1).isSymbol("(") { try parseFilter(&call) }
        if current.isWord("OVER") { try parseOver(&call) }
        if call.ignoreNulls != nil && call.over == nil {
            throw failure("RESPECT/IGNORE NULLS is not supported for non-window functions", at: nameToken)
        }
        if call.name == "row" && !call.distinct && !call.star && call.orderBy.isEmpty && call.filter == nil
            && call.over == nil
        {
            // `row(a, b)` is the row value `(a, b)` (DuckDB prints both as `"row"(a, b)`).
            return .row(call.arguments, call.position)
        }
        return .function(call)
    }

    /// `position(needle IN haystack)`, which DuckDB reads as `"position"(haystack, needle)`; nil (cursor back at
    /// `position`) when `position` is not followed by `(`. As in DuckDB 2.0.1's grammar, the plain call
    /// `position(haystack, needle)` is a syntax error (at the `,`).
    mutating func parsePositionIn() throws -> Expr? {
        let start = index
        let nameToken = advance()
        guard current.isSymbol("(") else {
            index = start
            return nil
        }
        advance()
        let needle = try parseExpression(minimum: Precedence.predicate.tighter)
        guard acceptWord("IN") else { throw unexpected("IN") }
        let haystack = try parseExpression()
        try expectSymbol(")")
        return .function(FunctionCall(name: "position", arguments: [haystack, needle], position: nameToken.position))
    }

    /// `overlay(s PLACING t FROM a [FOR n])`, which DuckDB reads as `"overlay"(s, t, a[, n])`; nil (cursor
    /// back at `overlay`) for any other form, such as the plain call `overlay(s, t, a)`.
    mutating func parseOverlayPlacing() throws -> Expr? {
        let start = index
        let nameToken = advance()
        guard acceptSymbol("(") else {
            index = start
            return nil
        }
        let s = try parseExpression()
        guard acceptWord("PLACING") else {
            index = start
            return nil
        }
        var args = [s, try parseExpression()]
        try expectWord("FROM")
        args.append(try parseExpression())
        if acceptWord("FOR") { args.append(try parseExpression()) }
        try expectSymbol(")")
        return .function(FunctionCall(name: "overlay", arguments: args, position: nameToken.position))
    }

    /// The SQL-standard argument forms DuckDB's grammar reads: `trim([BOTH | LEADING | TRAILING] [chars] FROM s)`
    /// as `"trim"(s[, chars])` / `ltrim` / `rtrim`, and `substring(s FROM a [FOR n])` / `substring(s FOR n)` as
    /// `"substring"(s, a[, n])` (a = 1 without FROM). nil, with the cursor back at the name, for a plain call.
    mutating func parseKeywordArguments() throws -> Expr? {
        let start = index
        let nameToken = advance()
        advance()  // (
        let call = { (name: String, args: [Expr]) in
            Expr.function(FunctionCall(name: name, arguments: args, position: nameToken.position))
        }
        if nameToken.isWord("TRIM") {
            var name = "trim"
            if acceptWord("LEADING") {
                name = "ltrim"
            } else if acceptWord("TRAILING") {
                name = "rtrim"
            } else if !acceptWord("BOTH"), !current.isWord("FROM") {
                // `trim(chars FROM s)`, or a plain call
                let chars = try parseExpression()
                guard acceptWord("FROM") else {
                    index = start
                    return nil
                }
                let s = try parseExpression()
                try expectSymbol(")")
                return call(name, [s, chars])
            }
            let chars = current.isWord("FROM") ? nil : try parseExpression()
            try expectWord("FROM")
            let s = try parseExpression()
            try expectSymbol(")")
            return call(name, [s] + (chars.map { [$0] } ?? []))
        }
        let s = try parseExpression()
        guard current.isWord("FROM") || current.isWord("FOR") else {
            index = start
            return nil
        }
        var args = [s]
        args.append(acceptWord("FROM") ? try parseExpression() : .literal(.integer(1), nameToken.position))
        if acceptWord("FOR") { args.append(try parseExpression()) }
        try expectSymbol(")")
        return call("substring", args)
    }

    /// `( [DISTINCT|ALL] args [ORDER BY ...] )` or `(*)` or `()`.
    mutating func parseCallArguments(_ call: inout FunctionCall) throws {
        try expectSymbol("(")
        if acceptSymbol("*") {
            try expectSymbol(")")
            call.star = true
            return
        }
        if acceptSymbol(")") { return }
        if acceptWord("DISTINCT") {
            call.distinct = true
        } else {
            _ = acceptWord("ALL")
        }
        repeat {
            if (current.kind == .word || current.kind == .quotedIdentifier) && peek(1).isSymbol(":=") {
                let key = advance()
                advance()
                let value = try parseExpression()
                if call.namedArguments.contains(where: { $0.name == key.text.lowercased() }) {
                    throw failure("named argument \"\(key.text)\" is given twice", at: key)
                }
                call.namedArguments.append(
                    NamedArgument(
                        name: key.text.lowercased(), value: value, position: key.position, spelled: key.text))
            } else {
                if !call.namedArguments.isEmpty {
                    throw failure("a positional argument after a named one", at: current)
                }
                call.arguments.append(try parseLambda() ?? parseExpression())
            }
        } while acceptSymbol(",")
        call.orderBy = try parseOptionalOrderBy()
        if current.isWord("IGNORE") || current.isWord("RESPECT") {
            call.ignoreNulls = advance().isWord("IGNORE")
            try expectWord("NULLS")
        }
        try expectSymbol(")")
    }

    /// `WITHIN GROUP (ORDER BY ...)`, kept in `orderBy`. As DuckDB, only `percentile_cont`, `percentile_disc`
    /// (renamed `quantile_cont` / `quantile_disc`: `percentile_cont(0.5) WITHIN GROUP (ORDER BY x)` is
    /// `quantile_cont(0.5 ORDER BY x)`, the quantile of x, a DESC order meaning the fraction from the top)
    /// and `mode`.
    mutating func parseWithinGroup(_ call: inout FunctionCall) throws {
        let within = advance()
        advance()
        switch call.name {
        case "percentile_cont": call.name = "quantile_cont"
        case "percentile_disc": call.name = "quantile_disc"
        case "mode": break
        default:
            throw failure(
                "unknown ordered aggregate \"\(call.name)\" (WITHIN GROUP takes percentile_cont, percentile_disc or mode)",
                at: within)
        }
        try expectSymbol("(")
        try expectWord("ORDER")
        try expectWord("BY")
        if !call.orderBy.isEmpty { throw failure("ORDER BY given twice", at: current) }
        call.orderBy = try parseOrderItems()
        try expectSymbol(")")
    }

    /// `FILTER ([WHERE] condition)`.
    mutating func parseFilter(_ call: inout FunctionCall) throws {
        advance()
        advance()
        _ = acceptWord("WHERE")
        call.filter = try parseExpression()
        try expectSymbol(")")
    }

    /// `OVER (spec)` or `OVER name`.
    mutating func parseOver(_ call: inout FunctionCall) throws {
        advance()
        if acceptSymbol("(") {
            call.over = try parseWindowSpecBody()
        } else if let name = acceptIdentifier() {
            call.over = WindowSpec(baseName: name.text)
        } else {
            throw unexpected("\"(\" or a window name after OVER")
        }
    }

    /// `INTERVAL 8 HOUR`, `INTERVAL '8 hours'`, `INTERVAL '1' DAY`, `INTERVAL (expr) DAY`.
    mutating func parseInterval() throws -> Expr {
        let start = try expectWord("INTERVAL")
        let quantityToken = current
        var quantity: Expr
        switch quantityToken.kind {
        case .string:
            advance()
            if let unit = intervalUnit(current, keywordsOnly: true) {
                advance()
                quantity = try intervalQuantity(fromString: quantityToken)
                return .literal(.interval(quantity, unit: unit), start.position)
            }
            return try intervalFromString(quantityToken, position: start.position)
        case .integer, .decimal:
            quantity = try parsePrimary()
        default:
            quantity = try parseParenthesized()
        }
        guard let unit = intervalUnit(current, keywordsOnly: true) else {
            throw unexpected("an interval unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, ...)")
        }
        advance()
        return .literal(.interval(quantity, unit: unit), start.position)
    }

    /// The singular lower-case unit named by a word token (`HOURS` -> `hour`); with `keywordsOnly` false also
    /// DuckDB's abbreviations inside interval strings (`h`, `min`, `ms`, ...).
    func intervalUnit(_ t: Token, keywordsOnly: Bool) -> String? {
        guard t.kind == .word else { return nil }
        return ParserState.intervalUnit(t.text.lowercased(), keywordsOnly: keywordsOnly)
    }

    static func intervalUnit(_ word: String, keywordsOnly: Bool) -> String? {
        switch word {
        case "year", "years": return "year"
        case "month", "months": return "month"
        case "week", "weeks": return "week"
        case "day", "days": return "day"
        case "hour", "hours": return "hour"
        case "minute", "minutes": return "minute"
        case "second", "seconds": return "second"
        case "millisecond", "milliseconds": return "millisecond"
        case "microsecond", "microseconds": return "microsecond"
        case "quarter", "quarters": return "quarter"
        case "decade", "decades": return "decade"
        case "century", "centuries": return "century"
        case "millennium", "millennia": return "millennium"
        default: break
        }
        if keywordsOnly { return nil }
        switch word {
        case "y", "yr", "yrs": return "year"
        case "mon", "mons": return "month"
        case "w": return "week"
        case "d": return "day"
        case "h", "hr", "hrs": return "hour"
        case "m", "min", "mins": return "minute"
        case "s", "sec", "secs": return "second"
        case "ms", "msec", "msecs": return "millisecond"
        case "us", "usec", "usecs": return "microsecond"
        default: return nil
        }
    }

    /// The number inside `INTERVAL '1' DAY`.
    func intervalQuantity(fromString t: Token) throws -> Expr {
        let text = t.text.trimmingSpaces()
        if let v = Int64(text) { return .literal(.integer(v), t.position) }
        if ParserState.isDecimalText(text) { return .literal(.decimal(text), t.position) }
        throw failure("invalid interval quantity '\(t.text)'", at: t)
    }

    static func isDecimalText(_ text: String) -> Bool {
        var digits = 0
        var dots = 0
        for (i, c) in text.utf8.enumerated() {
            if c >= 0x30 && c <= 0x39 {
                digits += 1
            } else if c == UInt8(ascii: ".") {
                dots += 1
            } else if !(i == 0 && (c == UInt8(ascii: "-") || c == UInt8(ascii: "+"))) {
                return false
            }
        }
        return digits > 0 && dots <= 1
    }

    /// `INTERVAL '8 hours'`, `INTERVAL '1 year 2 months 3 days 04:05:06'`: as DuckDB, the text cast to
    /// INTERVAL (`CAST('8 hours' AS INTERVAL)`), read when the query is bound.
    func intervalFromString(_ t: Token, position: SourcePosition) throws -> Expr {
        .literal(.typed(.interval, t.text), position)
    }

    /// `lambda x, y: body` at the cursor (DuckDB 2.0.1's lambda syntax: LAMBDA, the parameter names,
    /// a colon); nil, consuming nothing, when the cursor is not at one.
    mutating func parseLambda() throws -> Expr? {
        guard current.isWord("LAMBDA"), peek(1).kind == .word, peek(2).isSymbol(":") || peek(2).isSymbol(",") else {
            return nil
        }
        let start = advance()
        var names: [String] = []
        repeat {
            guard current.kind == .word || current.kind == .quotedIdentifier else {
                throw failure("a lambda parameter must be a name", at: current)
            }
            names.append(advance().text)
        } while acceptSymbol(",")
        try expectSymbol(":")
        return .lambda(parameters: names, body: try parseExpression(), start.position)
    }
}
