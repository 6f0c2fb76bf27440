import KuaiCore

// Printing the AST back as SQL text.
//
// Expressions print the way DuckDB 2.0.1 prints a parsed expression, which is also the name DuckDB gives an
// unaliased result column: `count_star()`, `(a + (b * 2))`, `"hour"(epoch_ms(("timestamp" + 28800000)))`,
// `(x ~~ 'a%')`, `CASE  WHEN ((a > 1)) THEN ('x') ELSE NULL END`. (DuckDB names a result column that is a
// plain column reference by the bare column name, without qualifier or quotes: that rule belongs to the binder.)
// Known differences: `INTERVAL '1.5' HOUR` prints its quantity as a number (DuckDB: the string `'1.5'`);
// cast and typed-literal types print as kuai's type name (`CAST(a AS DOUBLE)`, `CAST('..' AS DATE)`)
// where DuckDB keeps the spelling of non-keyword type names (`a::double` -> `CAST(a AS double)`);
// `x IS TRUE` prints `(x IS NOT DISTINCT FROM true)`.
// Queries print in one canonical form, used by tests and EXPLAIN.

/// Writes a name as DuckDB does: bare, or in double quotes (`""` inside) when `Keywords.needsQuotes` says so.
public func quotedIdentifier(_ name: String) -> String {
    if !Keywords.needsQuotes(name) { return name }
    var out = "\""
    for c in name {
        if c == "\"" { out += "\"\"" } else { out.append(c) }
    }
    return out + "\""
}

/// A type's name in a printed CAST: its DuckDB name, but `TIMESTAMPTZ` for TIMESTAMP WITH TIME ZONE
/// (DuckDB names `TIMESTAMPTZ '...'` and `x::TIMESTAMPTZ` so).
func castTypeName(_ type: DataType) -> String { type == .timestamptz ? "TIMESTAMPTZ" : type.description }

/// A SQL string literal: `'it''s'`.
public func quotedString(_ text: String) -> String {
    var out = "'"
    for c in text {
        if c == "'" { out += "''" } else { out.append(c) }
    }
    return out + "'"
}

extension Literal {
    /// The literal as SQL text (`NULL`, `true`, `42`, `1.50`, `'x'`, `CAST('2025-05-26' AS DATE)`, `INTERVAL 8 HOUR`).
    public var sqlDescription: String {
        switch self {
        case .null: return "NULL"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let v): return String(v)
        case .decimal(let text): return text
        case .string(let s): return quotedString(s)
        case .typed(let type, let s): return "CAST(\(quotedString(s)) AS \(castTypeName(type)))"
        case .interval(let quantity, let unit): return Literal.intervalName(quantity.sqlDescription, unit)
        }
    }
}

extension Literal {
    /// The function DuckDB's transformer rewrites `INTERVAL q unit` to, by the singular unit the
    /// parser keeps (`hour` -> `to_hours`); nil for a word that is no interval unit.
    public static func intervalConstructor(_ unit: String) -> String? {
        let names: [String: String] = [
            "millennium": "to_millennia", "century": "to_centuries", "decade": "to_decades", "year": "to_years",
            "quarter": "to_quarters", "month": "to_months", "week": "to_weeks", "day": "to_days", "hour": "to_hours",
            "minute": "to_minutes", "second": "to_seconds", "millisecond": "to_milliseconds",
            "microsecond": "to_microseconds",
        ]
        return names[unit]
    }

    /// The units whose constructor takes the quantity as a DOUBLE, fraction kept (`INTERVAL 1.5
    /// SECOND`); the others take it truncated to a whole number.
    public static let fractionalIntervalUnits: Set<String> = ["second", "millisecond"]

    /// DuckDB's name of `INTERVAL q UNIT` (its transformer's call of the unit's constructor):
    /// `to_hours(CAST(trunc(CAST(q AS DOUBLE)) AS BIGINT))`, INTEGER for days and longer units,
    /// `to_seconds(CAST(q AS DOUBLE))` and `to_milliseconds(...)` without the truncation.
    static func intervalName(_ quantity: String, _ unit: String) -> String {
        let function = intervalConstructor(unit) ?? "to_\(unit)s"
        if fractionalIntervalUnits.contains(unit) { return "\(function)(CAST(\(quantity) AS DOUBLE))" }
        let whole = ["hour", "minute", "microsecond"].contains(unit) ? "BIGINT" : "INTEGER"
        return "\(function)(CAST(trunc(CAST(\(quantity) AS DOUBLE)) AS \(whole)))"
    }
}

extension Expr {
    /// The expression as DuckDB prints it (see the file comment); fully parenthesised, so it also shows precedence.
    public var sqlDescription: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// Writes the operands of a conjunction `op` separated by ` op `: nested conjunctions of the same kind
    /// flatten on either side (`a OR (b OR c)` prints `a OR b OR c`, as DuckDB's n-ary conjunctions), walked
    /// with an explicit stack (a chain can be long; the parser balances runs).
    private func writeConjunctionOperands(_ op: BinaryOperator, _ left: Expr, _ right: Expr, to out: inout String) {
        var pending: [Expr] = [right, left]
        var first = true
        while let e = pending.popLast() {
            if case .binary(let o, let l, let r, _) = e, o == op {
                pending.append(r)
                pending.append(l)
                continue
            }
            if !first { out += " \(op.symbol) " }
            first = false
            e.write(to: &out)
        }
    }

    func write(to out: inout String) {
        switch self {
        case .literal(let literal, _):
            out += literal.sqlDescription
        case .column(let qualifier, let name, _):
            if let qualifier { out += quotedIdentifier(qualifier) + "." }
            out += quotedIdentifier(name)
        case .unary(let op, let operand, _):
            // `(NOT x)`, `(-(x))`, `(+(x))`
            out += op == .not ? "(NOT " : "(\(op.rawValue)("
            operand.write(to: &out)
            out += op == .not ? ")" : "))"
        case .binary(let op, let left, let right, _):
            writeBinary(op, left, right, to: &out)
        case .like(let operand, let pattern, let escape, let negated, let caseInsensitive, _):
            writeLike(operand, pattern, escape, negated: negated, caseInsensitive: caseInsensitive, to: &out)
        case .row(let members, _):
            out += "\"row\"("
            Expr.writeList(members, to: &out)
            out += ")"
        case .isNull(let operand, let negated, _):
            out += "("
            operand.write(to: &out)
            out += negated ? " IS NOT NULL)" : " IS NULL)"
        case .between, .inList, .inSubquery:
            writeNegatable(to: &out)
        case .quantified(let op, let operand, let query, let all, _):
            // DuckDB's text: `(x > ANY(SELECT ...))`; `x > ALL (...)` is `(NOT (x <= ANY(SELECT ...)))`
            var body = "("
            operand.write(to: &body)
            body += " \((all ? op.negated : op).rawValue) ANY(\(query.sqlDescription)))"
            out += all ? "(NOT \(body))" : body
        case .exists(let query, let negated, _):
            out += negated ? "(NOT EXISTS(\(query.sqlDescription)))" : "EXISTS(\(query.sqlDescription))"
        case .scalarSubquery(let query, _):
            out += "(\(query.sqlDescription))"
        case .caseWhen(let operand, let whens, let elseExpr, _):
            Expr.writeCase(operand, whens, elseExpr, to: &out)
        case .cast(let operand, let type, let isTry, _):
            out += isTry ? "TRY_CAST(" : "CAST("
            operand.write(to: &out)
            // DuckDB names DECIMAL(p, s) with a space in expression text (typeof gives DECIMAL(p,s))
            if case .decimal(let p, let s) = type {
                out += " AS DECIMAL(\(p), \(s)))"
            } else {
                out += " AS \(castTypeName(type)))"
            }
        case .function(let call):
            call.write(to: &out)
        case .lambda(let ps, let body, _):
            // DuckDB prints a lambda argument `(lambda x, y: body)`
            out += "(lambda " + ps.map(quotedIdentifier).joined(separator: ", ") + ": "
            body.write(to: &out)
            out += ")"
        case .extract(let field, let operand, _):
            // DuckDB names a field that is a keyword by its canonical name in capitals
            // (EXTRACT(years FROM x) is date_part('YEAR', x)), any other as written ('dow', 'EPOCH')
            out += "date_part(\(quotedString(Expr.extractFieldName(field))), "
            operand.write(to: &out)
            out += ")"
        }
    }

    /// The part name DuckDB prints for `EXTRACT(field FROM x)`: the canonical capitals of a field
    /// that is one of its grammar's keywords, else the field as written.
    static func extractFieldName(_ field: String) -> String {
        // the keywords are the interval units' words (plurals too); DuckDB names two in the plural
        guard let unit = ParserState.intervalUnit(field.lowercased(), keywordsOnly: true) else { return field }
        return unit == "millisecond" || unit == "microsecond" ? unit.uppercased() + "S" : unit.uppercased()
    }

    /// `e1, e2, ...`
    static func writeList(_ list: [Expr], to out: inout String) {
        for (i, e) in list.enumerated() {
            if i > 0 { out += ", " }
            e.write(to: &out)
        }
    }

    /// `(a op b)`; DuckDB flattens conjunctions: `(a AND b AND c)`.
    private func writeBinary(_ op: BinaryOperator, _ left: Expr, _ right: Expr, to out: inout String) {
        out += "("
        if op == .and || op == .or {
            writeConjunctionOperands(op, left, right, to: &out)
            out += ")"
            return
        }
        // The left spine of a chain (`((a + b) + c) + d`) is walked with a loop, not recursion: a chain may
        // be up to `Parser.maxTreeDepth` operators long, deeper than a debug build's stack allows frames.
        var spine: [(BinaryOperator, Expr)] = [(op, right)]
        var leftmost = left
        while case .binary(let o, let l, let r, _) = leftmost, o != .and, o != .or {
            spine.append((o, r))
            leftmost = l
        }
        out += String(repeating: "(", count: spine.count - 1)
        leftmost.write(to: &out)
        for (o, r) in spine.reversed() {
            out += " \(o.symbol) "
            r.write(to: &out)
            out += ")"
        }
    }

    /// `(s ~~ p)`, `(s !~~* p)`; with ESCAPE, DuckDB prints its function: `like_escape(s, p, e)`,
    /// `(NOT ilike_escape(s, p, e))`.
    private func writeLike(
        _ operand: Expr, _ pattern: Expr, _ escape: Expr?, negated: Bool, caseInsensitive: Bool,
        to out: inout String
    ) {
        guard let escape else {
            out += "("
            operand.write(to: &out)
            out += negated ? " !~~" : " ~~"
            out += caseInsensitive ? "* " : " "
            pattern.write(to: &out)
            out += ")"
            return
        }
        if negated { out += "(NOT " }
        out += caseInsensitive ? "ilike_escape(" : "like_escape("
        Expr.writeList([operand, pattern, escape], to: &out)
        out += negated ? "))" : ")"
    }

    /// BETWEEN, IN (list) and IN (subquery): `(x BETWEEN a AND b)`, `(x IN (1, 2))`, `(x = ANY(SELECT ...))`,
    /// wrapped in `(NOT ...)` when negated.
    private func writeNegatable(to out: inout String) {
        var negated = false
        var body = "("
        switch self {
        case .between(let operand, let low, let high, let n, _):
            negated = n
            operand.write(to: &body)
            body += " BETWEEN "
            low.write(to: &body)
            body += " AND "
            high.write(to: &body)
            body += ")"
        case .inList(let operand, let list, let n, _):
            negated = n
            operand.write(to: &body)
            body += " IN ("
            Expr.writeList(list, to: &body)
            body += "))"
        case .inSubquery(let operand, let query, let n, _):
            negated = n
            operand.write(to: &body)
            body += " = ANY(\(query.sqlDescription)))"
        default:
            preconditionFailure("writeNegatable: not BETWEEN or IN")
        }
        out += negated ? "(NOT \(body))" : body
    }

    /// `CASE  WHEN (c) THEN (r) ... ELSE e END`; a simple CASE's WHEN prints as `(operand = value)`.
    private static func writeCase(
        _ operand: Expr?, _ whens: [(when: Expr, then: Expr)], _ elseExpr: Expr?, to out: inout String
    ) {
        out += "CASE "
        for (when, then) in whens {
            out += " WHEN ("
            if let operand {
                out += "("
                operand.write(to: &out)
                out += " = "
                when.write(to: &out)
                out += ")"
            } else {
                when.write(to: &out)
            }
            out += ") THEN ("
            then.write(to: &out)
            out += ")"
        }
        out += " ELSE "
        if let elseExpr { elseExpr.write(to: &out) } else { out += "NULL" }
        out += " END"
    }
}

extension FunctionCall {
    /// `name([DISTINCT] args [ORDER BY ...]) [FILTER (WHERE ...)] [OVER (...)]`; `count(*)` prints as DuckDB's
    /// `count_star()` (or `count()` with OVER).
    public var sqlDescription: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        if name == "^" || name == "**" || name == "^@", arguments.count == 2 {
            // `a ^ b` / `a ** b` (power), `s ^@ p` (starts_with), printed as written, as DuckDB names them
            out += "("
            arguments[0].write(to: &out)
            out += " \(name) "
            arguments[1].write(to: &out)
            out += ")"
            return
        }
        if name.hasPrefix("["), let base = arguments.first {
            // a subscript `l[i]` / slice `l[a:b]` (Parser.parseSubscript), printed as written
            base.write(to: &out)
            out += "["
            var rest = arguments.dropFirst().makeIterator()
            for c in name.dropFirst().dropLast() {
                if c == ":" { out += ":" } else { rest.next()?.write(to: &out) }
            }
            if name == "[]" { rest.next()?.write(to: &out) }
            out += "]"
            return
        }
        if name == FunctionCall.structLiteralName {
            // `{'k': v, ...}` and `struct_pack(k := v, ...)`, printed as DuckDB names the column
            out += "struct_pack("
            for i in stride(from: 0, to: arguments.count - 1, by: 2) {
                if i > 0 { out += ", " }
                if case .literal(.string(let key), _) = arguments[i] { out += quotedIdentifier(key) }
                out += " := "
                arguments[i + 1].write(to: &out)
            }
            out += ")"
            return
        }
        if name == FunctionCall.fieldAccessName, arguments.count == 2,
            case .literal(.string(let field), _) = arguments[1]
        {
            // `x.name`: DuckDB's `(x).name`; a chain of names `a.b.c` as written
            if FunctionCall.isNameChain(arguments[0]) {
                arguments[0].write(to: &out)
            } else {
                out += "("
                arguments[0].write(to: &out)
                out += ")"
            }
            out += "." + quotedIdentifier(field)
            return
        }
        if name == "list_comprehension", arguments.count >= 2, case .lambda(let ps, let body, _) = arguments[1] {
            writeComprehension(ps[0], body, to: &out)
            return
        }
        if star {
            out += over == nil ? "count_star()" : "count()"
        } else {
            // DuckDB names COALESCE / IFNULL and GROUPING / GROUPING_ID by their SQL keyword
            out +=
                name == "coalesce" || name == "ifnull"
                ? "COALESCE("
                : name == "grouping" || name == "grouping_id" ? "GROUPING(" : quotedIdentifier(name) + "("
            if distinct { out += "DISTINCT " }
            Expr.writeList(arguments, to: &out)
            for (i, a) in namedArguments.enumerated() {
                // `f(1, b := 2)`, as DuckDB names a macro call's column
                if i > 0 || !arguments.isEmpty { out += ", " }
                out += quotedIdentifier(a.spelled) + " := "
                a.value.write(to: &out)
            }
            let order = orderBy.map(\.sqlDescription).joined(separator: ", ")
            // DuckDB prints IGNORE NULLS before the parenthesis and drops RESPECT NULLS
            let nulls = ignoreNulls == true ? " IGNORE NULLS" : ""
            if orderBy.isEmpty {
                out += nulls + ")"
            } else if arguments.isEmpty {
                out += ") WITHIN GROUP (ORDER BY \(order))"
            } else {
                out += " ORDER BY \(order)\(nulls))"
            }
        }
        if let filter { out += " FILTER (WHERE \(filter.sqlDescription))" }
        if let over {
            if over.partitionBy.isEmpty && over.orderBy.isEmpty && over.frame == nil, let base = over.baseName {
                out += " OVER \(quotedIdentifier(base))"
            } else {
                out += " OVER (\(over.sqlDescription))"
            }
        }
    }
}

extension OrderItem {
    /// `expr [DESC] [NULLS FIRST|LAST]` (ascending is the default and not written).
    public var sqlDescription: String {
        var s = expr.sqlDescription
        if !ascending { s += " DESC" }
        if let nullsFirst { s += nullsFirst ? " NULLS FIRST" : " NULLS LAST" }
        return s
    }
}

extension WindowSpec {
    /// The inside of `OVER (...)`: `[base] PARTITION BY ... ORDER BY ... ROWS BETWEEN ... AND ...`.
    public var sqlDescription: String {
        var parts: [String] = []
        if let baseName { parts.append(quotedIdentifier(baseName)) }
        if !partitionBy.isEmpty {
            parts.append("PARTITION BY " + partitionBy.map(\.sqlDescription).joined(separator: ", "))
        }
        if !orderBy.isEmpty { parts.append("ORDER BY " + orderBy.map(\.sqlDescription).joined(separator: ", ")) }
        if let frame { parts.append(frame.sqlDescription) }
        return parts.joined(separator: " ")
    }
}

extension FrameClause {
    /// `ROWS BETWEEN <start> AND <end>`.
    public var sqlDescription: String {
        "\(unit.rawValue) BETWEEN \(start.sqlText(\.sqlDescription)) AND \(end.sqlText(\.sqlDescription))"
            + (exclusion == .noOthers ? "" : " EXCLUDE \(exclusion.rawValue)")
    }
}

extension Query {
    /// The query in kuai's canonical SQL form (keywords upper case, expressions as `Expr.sqlDescription`).
    public var sqlDescription: String {
        var parts: [String] = []
        if let tableStatement { return "SELECT * FROM (\(tableStatement.sqlDescription))" }
        if let pivot { return pivot.sqlDescription }
        if !ctes.isEmpty {
            parts.append(
                "WITH "
                    + ctes.map { cte in
                        var s = quotedIdentifier(cte.name)
                        if !cte.columnNames.isEmpty {
                            s += "(" + cte.columnNames.map(quotedIdentifier).joined(separator: ", ") + ")"
                        }
                        return s + " AS (\(cte.query.sqlDescription))"
                    }.joined(separator: ", "))
        }
        parts.append(unpivot?.sqlDescription ?? body.sqlDescription)
        if !orderBy.isEmpty { parts.append("ORDER BY " + orderBy.map(\.sqlDescription).joined(separator: ", ")) }
        if let orderByAll {
            var s = "ORDER BY ALL"
            if !orderByAll.ascending { s += " DESC" }
            if let nullsFirst = orderByAll.nullsFirst { s += nullsFirst ? " NULLS FIRST" : " NULLS LAST" }
            parts.append(s)
        }
        if let limit { parts.append("LIMIT \(limit.sqlDescription)") }
        if let offset { parts.append("OFFSET \(offset.sqlDescription)") }
        return parts.joined(separator: " ")
    }
}

extension QueryBody {
    /// The body in canonical SQL; set-operation operands that are themselves set operations are parenthesised.
    public var sqlDescription: String {
        switch self {
        case .select(let core): return core.sqlDescription
        case .nested(let query): return "(\(query.sqlDescription))"
        case .values(let rows, _):
            return "VALUES "
                + rows.map { "(" + $0.map(\.sqlDescription).joined(separator: ", ") + ")" }.joined(separator: ", ")
        case .setOperation(let op, let all, let left, let right, _):
            // Left operands need parentheses only for UNION/EXCEPT under INTERSECT; a right operand that is a
            // set operation was parenthesised in the input (operators are left-associative).
            var l = left.sqlDescription
            if case .setOperation(let leftOp, _, _, _, _) = left, op == .intersect, leftOp != .intersect {
                l = "(\(l))"
            }
            var r = right.sqlDescription
            if case .setOperation(let rightOp, let rightAll, _, _, _) = right,
                !(op == .union && all && rightOp == .union && rightAll)
            {
                // (UNION ALL is associative: a balanced run of them prints flat.)
                r = "(\(r))"
            }
            if op == .unionByName { return "\(l) UNION\(all ? " ALL" : "") BY NAME \(r)" }
            return "\(l) \(op.rawValue)\(all ? " ALL" : "") \(r)"
        }
    }
}

extension SelectCore {
    /// `SELECT ... FROM ... WHERE ... GROUP BY ... HAVING ... WINDOW ... QUALIFY ...`.
    public var sqlDescription: String {
        var s = "SELECT "
        if distinct { s += "DISTINCT " }
        if let on = distinctOn { s += "DISTINCT ON (" + on.map(\.sqlDescription).joined(separator: ", ") + ") " }
        s += items.map(\.sqlDescription).joined(separator: ", ")
        var usingSample: SampleClause? = nil
        if case .sample(let inner, let clause)? = from, clause.usingSample {
            usingSample = clause
            if let inner { s += " FROM " + inner.sqlDescription }
        } else if let from {
            s += " FROM " + from.sqlDescription
        }
        if let whereClause { s += " WHERE " + whereClause.sqlDescription }
        if groupByAll { s += " GROUP BY ALL" }
        if let sets = groupingSets {
            s +=
                " GROUP BY GROUPING SETS ("
                + sets.map { "(" + $0.map { groupBy[$0].sqlDescription }.joined(separator: ", ") + ")" }.joined(
                    separator: ", ") + ")"
        } else if !groupBy.isEmpty {
            s += " GROUP BY " + groupBy.map(\.sqlDescription).joined(separator: ", ")
        }
        if let having { s += " HAVING " + having.sqlDescription }
        if !windows.isEmpty {
            s +=
                " WINDOW "
                + windows.map { "\(quotedIdentifier($0.name)) AS (\($0.spec.sqlDescription))" }.joined(separator: ", ")
        }
        if let qualify { s += " QUALIFY " + qualify.sqlDescription }
        if let usingSample { s += " USING SAMPLE " + usingSample.sqlDescription }
        return s
    }
}

extension SampleClause {
    /// `10.0% (system)`, `50 ROWS (reservoir, 42)`: the entry after USING SAMPLE or TABLESAMPLE.
    public var sqlDescription: String {
        let count = isPercentage ? "\(size)%" : "\(Int64(size)) ROWS"
        return count + " (" + method.rawValue + (seed.map { ", \($0)" } ?? "") + ")"
    }
}

extension SelectItem {
    /// `*`, `t.* EXCLUDE (a)`, `* REPLACE ((a + 1) AS a)`, `expr AS alias`.
    public var sqlDescription: String {
        switch self {
        case .star(let table, let exclude, let replace, _):
            var s = table.map { quotedIdentifier($0) + ".*" } ?? "*"
            if !exclude.isEmpty { s += " EXCLUDE (" + exclude.map(quotedIdentifier).joined(separator: ", ") + ")" }
            if !replace.isEmpty {
                s +=
                    " REPLACE ("
                    + replace.map { "\($0.expr.sqlDescription) AS \(quotedIdentifier($0.column))" }.joined(
                        separator: ", ") + ")"
            }
            return s
        case .expr(let e, let alias):
            guard let alias else { return e.sqlDescription }
            return "\(e.sqlDescription) AS \(quotedIdentifier(alias))"
        }
    }
}

extension TableRef {
    /// `name AS alias`, `(query) AS alias(cols)`, `left LEFT JOIN right ON cond`, `left CROSS JOIN right`.
    public var sqlDescription: String {
        switch self {
        case .table(let name, let alias, _):
            return quotedIdentifier(name) + (alias.map { " AS " + quotedIdentifier($0) } ?? "")
        case .subquery(let query, let alias, let columns, _):
            var s = "(\(query.sqlDescription))"
            if let statement = query.tableStatement { s = "(\(statement.sqlDescription))" }
            if let unpivot = query.unpivot, query.orderBy.isEmpty, query.orderByAll == nil, query.limit == nil,
                query.offset == nil
            {
                s = unpivot.suffixDescription
            }
            if let alias { s += " AS " + quotedIdentifier(alias) }
            if !columns.isEmpty { s += "(" + columns.map(quotedIdentifier).joined(separator: ", ") + ")" }
            return s
        case .join(let kind, let left, let right, let condition, _):
            var r = right.sqlDescription
            if case .join = right { r = "(\(r))" }
            var modifier = ""
            var condition = condition
            if case .natural = condition { modifier = "NATURAL " }
            if case .asof(let inner) = condition {
                modifier = "ASOF "
                condition = inner
            }
            var s = "\(left.sqlDescription) \(modifier)\(kind.sqlName) JOIN \(r)"
            switch condition {
            case .none, .natural, .asof: break
            case .on(let e): s += " ON " + e.sqlDescription
            case .using(let cols): s += " USING (" + cols.map(quotedIdentifier).joined(separator: ", ") + ")"
            }
            return s
        case .tableFunction(let f):
            var s: String
            if let name = f.name {
                let named = f.namedArguments.map { "\($0.name) = \($0.value.sqlDescription)" }
                s = name + "(" + (f.arguments.map(\.sqlDescription) + named).joined(separator: ", ") + ")"
            } else {
                s = f.arguments.first?.sqlDescription ?? "''"
            }
            if let alias = f.alias { s += " AS " + quotedIdentifier(alias) }
            if !f.columnNames.isEmpty { s += "(" + f.columnNames.map(quotedIdentifier).joined(separator: ", ") + ")" }
            return s
        case .sample(let inner, let clause):
            // (a USING SAMPLE prints with its SELECT, see SelectCore.sqlDescription)
            return (inner?.sqlDescription ?? "(SELECT 1)") + " TABLESAMPLE " + clause.sqlDescription
        }
    }
}

extension Statement {
    /// The statement in canonical SQL: `SELECT ...`, `EXPLAIN SELECT ...`, `DESCRIBE t`, `SHOW TABLES`.
    public var sqlDescription: String {
        switch self {
        case .select(let q): return q.sqlDescription
        case .explain(let q): return "EXPLAIN " + q.sqlDescription
        case .explainAnalyze(let q): return "EXPLAIN ANALYZE " + q.sqlDescription
        case .describeQuery(let q): return "DESCRIBE " + q.sqlDescription
        case .summarize(.table(let name, _)): return "SUMMARIZE " + quotedIdentifier(name)
        case .summarize(.query(let q)): return "SUMMARIZE " + q.sqlDescription
        case .describe(let table, _): return "DESCRIBE " + quotedIdentifier(table)
        case .showTables: return "SHOW TABLES"
        case .createTable(let c): return c.sqlDescription
        case .createView(let c): return c.sqlDescription
        case .createMacro(let m): return m.sqlDescription
        case .drop(let d):
            return "DROP \(d.kind.rawValue) " + (d.ifExists ? "IF EXISTS " : "") + quotedIdentifier(d.name.name)
        case .rename(let r):
            return
                "ALTER \(r.kind.rawValue) \(quotedIdentifier(r.name.name)) RENAME TO \(quotedIdentifier(r.newName.name))"
        case .insert(let i):
            var s = "INSERT INTO " + quotedIdentifier(i.table.name)
            if let cols = i.columns { s += " (" + cols.map { quotedIdentifier($0.name) }.joined(separator: ", ") + ")" }
            return s + " " + i.query.sqlDescription
        case .copy(let c): return c.sqlDescription
        case .set(let name, let value, _): return "SET \(quotedIdentifier(name)) = \(quotedString(value))"
        }
    }
}

extension CreateTableStatement {
    /// `CREATE [OR REPLACE] TABLE [IF NOT EXISTS] name AS query` or `... name (col TYPE, ...)`.
    public var sqlDescription: String {
        var s = "CREATE " + (orReplace ? "OR REPLACE " : "") + "TABLE " + (ifNotExists ? "IF NOT EXISTS " : "")
        s += quotedIdentifier(name.name)
        switch source {
        case .query(let q): return s + " AS " + q.sqlDescription
        case .columns(let cols):
            return s + " (" + cols.map { quotedIdentifier($0.name) + " " + $0.type.description }.joined(separator: ", ")
                + ")"
        }
    }
}

extension CreateViewStatement {
    /// `CREATE [OR REPLACE] VIEW [IF NOT EXISTS] name [(cols)] AS query`.
    public var sqlDescription: String {
        var s = "CREATE " + (orReplace ? "OR REPLACE " : "") + "VIEW " + (ifNotExists ? "IF NOT EXISTS " : "")
        s += quotedIdentifier(name.name)
        if !columnNames.isEmpty { s += " (" + columnNames.map(quotedIdentifier).joined(separator: ", ") + ")" }
        return s + " AS " + query.sqlDescription
    }
}

extension CreateMacroStatement {
    /// `CREATE [OR REPLACE] [TEMP] MACRO [IF NOT EXISTS] name(a, b := default) AS expr | AS TABLE query`.
    public var sqlDescription: String {
        var s = "CREATE " + (orReplace ? "OR REPLACE " : "") + (temporary ? "TEMP " : "") + "MACRO "
        s += (ifNotExists ? "IF NOT EXISTS " : "") + quotedIdentifier(name.name) + "("
        s += parameters.map { p in
            quotedIdentifier(p.name) + (p.defaultValue.map { " := " + $0.sqlDescription } ?? "")
        }.joined(separator: ", ")
        switch body {
        case .scalar(let e): return s + ") AS " + e.sqlDescription
        case .table(let q): return s + ") AS TABLE " + q.sqlDescription
        }
    }
}

extension CopyStatement {
    /// `COPY name TO 'path' (OPTION value, ...)` or `COPY (query) TO 'path' (...)`.
    public var sqlDescription: String {
        var s = "COPY "
        switch source {
        case .table(let name, let columns):
            s += quotedIdentifier(name.name)
            if !columns.isEmpty { s += " (" + columns.map(quotedIdentifier).joined(separator: ", ") + ")" }
        case .query(let q): s += "(" + q.sqlDescription + ")"
        }
        s += " TO " + quotedString(path)
        if !options.isEmpty {
            let parts = options.map { o -> String in
                guard let v = o.value else { return o.name.uppercased() }
                return o.name.uppercased() + " " + (o.valueIsString ? quotedString(v) : v)
            }
            s += " (" + parts.joined(separator: ", ") + ")"
        }
        return s
    }
}

extension FunctionCall {
    /// `[expr FOR x IN l IF cond]` as DuckDB 2.0.1 names its column: its rewrite into list_apply
    /// (and, with IF, list_filter over struct_pack / struct_extract).
    func writeComprehension(_ x: String, _ body: Expr, to out: inout String) {
        let v = quotedIdentifier(x)
        out += "list_apply("
        if arguments.count == 3, case .lambda(_, let cond, _) = arguments[2] {
            out += "list_filter(list_apply("
            arguments[0].write(to: &out)
            out += ", (lambda \(v): struct_pack(\"filter\" := "
            cond.write(to: &out)
            out += ", result := "
            body.write(to: &out)
            out += "))), (lambda elem: struct_extract(elem, 'filter'))), (lambda elem: struct_extract(elem, 'result')))"
            return
        }
        arguments[0].write(to: &out)
        out += ", (lambda \(v): "
        body.write(to: &out)
        out += "))"
    }
}
