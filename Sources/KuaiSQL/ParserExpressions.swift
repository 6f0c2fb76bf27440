import KuaiCore

// Expression parsing: one function per precedence level, lowest first (Formats/query-language.md,
// "Operator precedence"). The levels follow DuckDB 2.0.1 (PostgreSQL's grammar):
//   OR < AND < NOT < IS [NOT] NULL / IS [NOT] DISTINCT FROM < comparison (non-associative)
//   < LIKE / ILIKE / BETWEEN / IN < || < + - < * / // % < ^ ** < unary + - < :: < primary.
// Left-deep operator chains count one nesting level per operator so the tree depth stays bounded.

extension ParserState {
    mutating func parseExpression() throws -> Expr {
        try enter()
        defer { leave() }
        return try parseOr()
    }

    mutating func parseOr() throws -> Expr {
        var left = try parseAnd()
        var chain = 0
        defer { depth -= chain }
        while current.isWord("OR") {
            advance()
            chain += 1
            try enter()
            let right = try parseAnd()
            left = .binary(.or, left, right, left.position)
        }
        return left
    }

    mutating func parseAnd() throws -> Expr {
        var left = try parseNot()
        var chain = 0
        defer { depth -= chain }
        while current.isWord("AND") {
            advance()
            chain += 1
            try enter()
            let right = try parseNot()
            left = .binary(.and, left, right, left.position)
        }
        return left
    }

    mutating func parseNot() throws -> Expr {
        guard current.isWord("NOT") else { return try parseIs() }
        let not = advance()
        try enter()
        defer { leave() }
        let operand = try parseNot()
        if case .exists(let query, let negated, _) = operand {
            return .exists(query, negated: !negated, not.position)
        }
        return .unary(.not, operand, not.position)
    }

    /// `x IS [NOT] NULL`, `x IS [NOT] DISTINCT FROM y`, `x IS [NOT] TRUE|FALSE`, `x ISNULL`, `x NOTNULL`.
    mutating func parseIs() throws -> Expr {
        var left = try parseComparison()
        var chain = 0
        defer { depth -= chain }
        while true {
            if current.isWord("IS") {
                advance()
                let negated = acceptWord("NOT")
                if acceptWord("NULL") {
                    left = .isNull(left, negated: negated, left.position)
                } else if acceptWord("DISTINCT") {
                    try expectWord("FROM")
                    let right = try parseComparison()
                    left = .binary(negated ? .isNotDistinctFrom : .isDistinctFrom, left, right, left.position)
                } else if current.isWord("TRUE") || current.isWord("FALSE") {
                    let value = advance()
                    let literal = Expr.literal(.bool(value.isWord("TRUE")), value.position)
                    left = .binary(negated ? .isDistinctFrom : .isNotDistinctFrom, left, literal, left.position)
                } else {
                    throw unexpected("NULL, DISTINCT FROM, TRUE or FALSE after IS")
                }
            } else if current.isWord("ISNULL") || current.isWord("NOTNULL") {
                let t = advance()
                left = .isNull(left, negated: t.isWord("NOTNULL"), left.position)
            } else {
                return left
            }
            chain += 1
            try enter()
        }
    }

    func comparisonOperator(_ t: Token) -> BinaryOperator? {
        guard t.kind == .symbol else { return nil }
        switch t.text {
        case "=", "==": return .equal
        case "<>", "!=": return .notEqual
        case "<": return .less
        case "<=": return .lessEqual
        case ">": return .greater
        case ">=": return .greaterEqual
        default: return nil
        }
    }

    /// `a op b` with one comparison operator; `a < b < c` is an error as in DuckDB.
    mutating func parseComparison() throws -> Expr {
        let left = try parsePredicate()
        guard let op = comparisonOperator(current) else { return left }
        advance()
        let right = try parsePredicate()
        if comparisonOperator(current) != nil {
            throw failure("chained comparisons are not supported; combine them with AND", at: current)
        }
        return .binary(op, left, right, left.position)
    }

    /// `[NOT] LIKE`, `[NOT] ILIKE`, `[NOT] BETWEEN .. AND ..`, `[NOT] IN (...)`.
    mutating func parsePredicate() throws -> Expr {
        var left = try parseConcat()
        var chain = 0
        defer { depth -= chain }
        while true {
            var negated = false
            if current.isWord("NOT") {
                let next = peek(1)
                guard next.isWord("LIKE") || next.isWord("ILIKE") || next.isWord("BETWEEN") || next.isWord("IN") else {
                    return left
                }
                advance()
                negated = true
            }
            let t = current
            if t.isWord("LIKE") || t.isWord("ILIKE") {
                advance()
                let pattern = try parseConcat()
                if current.isWord("ESCAPE") { throw failure("LIKE ... ESCAPE is not supported", at: current) }
                left = .like(left, pattern: pattern, negated: negated, caseInsensitive: t.isWord("ILIKE"), left.position)
            } else if t.isWord("BETWEEN") {
                advance()
                if current.isWord("SYMMETRIC") || current.isWord("ASYMMETRIC") {
                    throw failure("BETWEEN \(current.upper) is not supported", at: current)
                }
                let low = try parseConcat()
                try expectWord("AND")
                let high = try parseConcat()
                left = .between(left, low: low, high: high, negated: negated, left.position)
            } else if t.isWord("IN") {
                advance()
                guard current.isSymbol("(") else { throw unexpected("\"(\" after IN") }
                if startsQuery(peek(1)) {
                    advance()
                    let query = try parseQuery()
                    try expectSymbol(")")
                    left = .inSubquery(left, query, negated: negated, left.position)
                } else {
                    advance()
                    var list: [Expr] = []
                    repeat {
                        list.append(try parseExpression())
                    } while acceptSymbol(",")
                    try expectSymbol(")")
                    left = .inList(left, list, negated: negated, left.position)
                }
            } else if t.isWord("GLOB") || t.isWord("SIMILAR") {
                throw failure("\(t.upper) is not supported", at: t)
            } else {
                return left
            }
            chain += 1
            try enter()
        }
    }

    mutating func parseConcat() throws -> Expr {
        var left = try parseAdditive()
        var chain = 0
        defer { depth -= chain }
        while current.isSymbol("||") {
            advance()
            chain += 1
            try enter()
            let right = try parseAdditive()
            left = .binary(.concat, left, right, left.position)
        }
        return left
    }

    mutating func parseAdditive() throws -> Expr {
        var left = try parseMultiplicative()
        var chain = 0
        defer { depth -= chain }
        while current.isSymbol("+") || current.isSymbol("-") {
            let op = advance()
            chain += 1
            try enter()
            let right = try parseMultiplicative()
            left = .binary(op.text == "+" ? .add : .subtract, left, right, left.position)
        }
        return left
    }

    mutating func parseMultiplicative() throws -> Expr {
        var left = try parseExponent()
        var chain = 0
        defer { depth -= chain }
        while true {
            let op: BinaryOperator
            switch current.kind == .symbol ? current.text : "" {
            case "*": op = .multiply
            case "/": op = .divide
            case "//": op = .integerDivide
            case "%": op = .modulo
            default: return left
            }
            advance()
            chain += 1
            try enter()
            let right = try parseExponent()
            left = .binary(op, left, right, left.position)
        }
    }

    /// `a ^ b` and `a ** b` (left-associative, as DuckDB) are calls of `power(a, b)`.
    mutating func parseExponent() throws -> Expr {
        var left = try parseUnary()
        var chain = 0
        defer { depth -= chain }
        while current.isSymbol("^") || current.isSymbol("**") {
            advance()
            chain += 1
            try enter()
            let right = try parseUnary()
            left = .function(FunctionCall(name: "power", arguments: [left, right], position: left.position))
        }
        return left
    }

    /// Prefix `-` and `+`. A minus directly before a number literal folds into it (`-9223372036854775808`
    /// is a BIGINT literal, as in DuckDB).
    mutating func parseUnary() throws -> Expr {
        guard current.isSymbol("-") || current.isSymbol("+") else { return try parsePostfix() }
        let op = advance()
        try enter()
        defer { leave() }
        let operand = try parseUnary()
        if op.text == "+" { return .unary(.plus, operand, op.position) }
        if case .literal(let literal, _) = operand {
            switch literal {
            case .integer(let v):
                if v == Int64.min { return .literal(.decimal("9223372036854775808"), op.position) }
                return .literal(.integer(-v), op.position)
            case .decimal(let text):
                let negated = text.hasPrefix("-") ? String(text.dropFirst()) : "-" + text
                if let v = Int64(negated) { return .literal(.integer(v), op.position) }
                return .literal(.decimal(negated), op.position)
            default:
                break
            }
        }
        return .unary(.minus, operand, op.position)
    }

    /// `primary { :: type }`.
    mutating func parsePostfix() throws -> Expr {
        var e = try parsePrimary()
        var chain = 0
        defer { depth -= chain }
        while current.isSymbol("::") {
            advance()
            chain += 1
            try enter()
            e = .cast(e, try parseTypeName(), isTry: false, e.position)
        }
        return e
    }

    // MARK: - Primary expressions

    mutating func parsePrimary() throws -> Expr {
        let t = current
        switch t.kind {
        case .integer:
            advance()
            if let v = Int64(t.text) { return .literal(.integer(v), t.position) }
            return .literal(.decimal(t.text), t.position)
        case .decimal:
            advance()
            return .literal(.decimal(t.text), t.position)
        case .string:
            advance()
            return .literal(.string(t.text), t.position)
        case .quotedIdentifier:
            if peek(1).isSymbol("(") { return try parseFunctionCall() }
            return try parseColumnReference()
        case .symbol:
            if t.text == "(" { return try parseParenthesized() }
            throw unexpected("an expression")
        case .endOfInput:
            throw unexpected("an expression")
        case .word:
            break
        }
        let next = peek(1)
        switch t.upper {
        case "TRUE", "FALSE":
            advance()
            return .literal(.bool(t.upper == "TRUE"), t.position)
        case "NULL":
            advance()
            return .literal(.null, t.position)
        case "CASE":
            return try parseCase()
        case "CAST", "TRY_CAST":
            guard next.isSymbol("(") else { break }
            advance()
            advance()
            let operand = try parseExpression()
            try expectWord("AS")
            let type = try parseTypeName()
            try expectSymbol(")")
            return .cast(operand, type, isTry: t.upper == "TRY_CAST", t.position)
        case "EXISTS":
            guard next.isSymbol("(") else { break }
            advance()
            advance()
            guard startsQuery(current) || current.isSymbol("(") else { throw unexpected("a query after EXISTS (") }
            let query = try parseQuery()
            try expectSymbol(")")
            return .exists(query, negated: false, t.position)
        case "EXTRACT":
            guard next.isSymbol("(") else { break }
            advance()
            advance()
            let field: String
            switch current.kind {
            case .word, .string: field = advance().text.lowercased()
            default: throw unexpected("a date part name after EXTRACT (")
            }
            try expectWord("FROM")
            let operand = try parseExpression()
            try expectSymbol(")")
            return .extract(field: field, operand, t.position)
        case "INTERVAL":
            if next.kind == .string || next.kind == .integer || next.kind == .decimal || next.isSymbol("(") {
                return try parseInterval()
            }
        default:
            break
        }
        // A type name before a string literal is a typed literal: DATE '2025-05-26', TIMESTAMP '...'.
        if next.kind == .string, let type = DataType(sqlName: t.upper), type != .interval {
            advance()
            advance()
            if type == .date || type == .timestamp { return .literal(.typed(type, next.text), t.position) }
            return .cast(.literal(.string(next.text), next.position), type, isTry: false, t.position)
        }
        if next.isSymbol("(") && Keywords.isFunctionName(t.upper) { return try parseFunctionCall() }
        if Keywords.isIdentifier(t.upper) { return try parseColumnReference() }
        throw unexpected("an expression")
    }

    /// `name`, `qualifier.name`; after the dot any word is a name (`t.from` is fine, as in DuckDB).
    mutating func parseColumnReference() throws -> Expr {
        let first = advance()
        guard current.isSymbol(".") else { return .column(qualifier: nil, name: first.text, first.position) }
        advance()
        let second = current
        guard second.kind == .word || second.kind == .quotedIdentifier else { throw unexpected("a column name after \".\"") }
        advance()
        if current.isSymbol(".") { throw failure("three-part column names are not supported", at: current) }
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
            let body = try parseSetExpression(first: flatten(first))
            let query = try parseQueryTail(ctes: [], body: body, position: first.position)
            try expectSymbol(")")
            return .scalarSubquery(query, open.position)
        }
        if current.isSymbol(",") { throw failure("row values (a, b) are not supported", at: current) }
        try expectSymbol(")")
        return inner
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
        let nameToken = advance()
        try expectSymbol("(")
        var call = FunctionCall(name: nameToken.text.lowercased(), arguments: [], position: nameToken.position)
        if current.isSymbol("*") && peek(1).isSymbol(")") {
            advance()
            advance()
            call.star = true
        } else if !acceptSymbol(")") {
            if acceptWord("DISTINCT") {
                call.distinct = true
            } else {
                _ = acceptWord("ALL")
            }
            repeat {
                call.arguments.append(try parseExpression())
            } while acceptSymbol(",")
            if current.isWord("ORDER") {
                advance()
                try expectWord("BY")
                call.orderBy = try parseOrderItems()
            }
            if current.isWord("IGNORE") || current.isWord("RESPECT") {
                throw failure("\(current.upper) NULLS is not supported", at: current)
            }
            try expectSymbol(")")
        }
        if current.isWord("WITHIN") && peek(1).isWord("GROUP") {
            advance()
            advance()
            try expectSymbol("(")
            try expectWord("ORDER")
            try expectWord("BY")
            if !call.orderBy.isEmpty { throw failure("ORDER BY given twice", at: current) }
            call.orderBy = try parseOrderItems()
            try expectSymbol(")")
        }
        if current.isWord("FILTER") && peek(1).isSymbol("(") {
            advance()
            advance()
            _ = acceptWord("WHERE")
            call.filter = try parseExpression()
            try expectSymbol(")")
        }
        if current.isWord("OVER") {
            advance()
            if acceptSymbol("(") {
                call.over = try parseWindowSpecBody()
            } else if let name = acceptIdentifier() {
                call.over = WindowSpec(baseName: name.text)
            } else {
                throw unexpected("\"(\" or a window name after OVER")
            }
        }
        return .function(call)
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

    /// `INTERVAL '8 hours'` / `'1 day 2 hours'`: one quantity-unit pair is kept as written; several pairs of
    /// day-or-finer units are summed into the finest unit named (`'1 day 2 hours'` = 26 hour).
    func intervalFromString(_ t: Token, position: SourcePosition) throws -> Expr {
        let parts = t.text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        var pairs: [(quantity: String, unit: String)] = []
        var k = 0
        while k < parts.count {
            var quantity = parts[k]
            var unitWord: String
            // "8hours" (no space) is split at the first letter.
            if let letter = quantity.firstIndex(where: { $0.isLetter }), letter != quantity.startIndex {
                unitWord = String(quantity[letter...])
                quantity = String(quantity[..<letter])
                k += 1
            } else {
                guard k + 1 < parts.count else { throw failure("invalid interval '\(t.text)': expected a unit after \(quantity)", at: t) }
                unitWord = parts[k + 1]
                k += 2
            }
            guard ParserState.isDecimalText(quantity) else { throw failure("invalid interval '\(t.text)'", at: t) }
            guard let unit = ParserState.intervalUnit(unitWord.lowercased(), keywordsOnly: false) else {
                throw failure("invalid interval unit \"\(unitWord)\" in '\(t.text)'", at: t)
            }
            pairs.append((quantity, unit))
        }
        guard let first = pairs.first else { throw failure("invalid interval '\(t.text)'", at: t) }
        if pairs.count == 1 {
            let q: Expr = Int64(first.quantity).map { .literal(.integer($0), t.position) }
                ?? .literal(.decimal(first.quantity), t.position)
            return .literal(.interval(q, unit: first.unit), position)
        }
        // Several parts: sum exact integer multiples of the finest unit.
        let micros: [String: Int64] = ["day": 86_400_000_000, "hour": 3_600_000_000, "minute": 60_000_000,
                                       "second": 1_000_000, "millisecond": 1_000, "microsecond": 1]
        var finest: Int64 = Int64.max
        var finestName = ""
        for pair in pairs {
            guard let m = micros[pair.unit], Int64(pair.quantity) != nil else {
                throw failure("interval '\(t.text)' mixes units kuai cannot combine; write a sum of intervals", at: t)
            }
            if m < finest {
                finest = m
                finestName = pair.unit
            }
        }
        var total: Int64 = 0
        for pair in pairs {
            let q = Int64(pair.quantity)!
            let (scaled, o1) = q.multipliedReportingOverflow(by: micros[pair.unit]! / finest)
            let (sum, o2) = total.addingReportingOverflow(scaled)
            if o1 || o2 { throw failure("interval '\(t.text)' is out of range", at: t) }
            total = sum
        }
        return .literal(.interval(.literal(.integer(total), t.position), unit: finestName), position)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
