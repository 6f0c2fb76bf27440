import KuaiCore

// The abstract syntax tree of kuai's SQL dialect (Formats/query-language.md).
// Every node that can be named in an error carries its `SourcePosition`.

/// A position in the query text: 1-based line and column, and 0-based UTF-8 byte offset.
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var offset: Int
    /// `"query:LINE:COLUMN"`, the `location` of a `KuaiError`.
    public var description: String { "query:\(line):\(column)" }
}

/// A complete statement.
public indirect enum Statement: Sendable {
    case select(Query)
    /// `EXPLAIN <query>`: print the physical plan instead of running it.
    case explain(Query)
    /// `EXPLAIN ANALYZE <query>`: run the query and print the plan with rows, time and memory per operator.
    case explainAnalyze(Query)
    /// `DESCRIBE <query>`: the query's column names and types (as `DESCRIBE <table>`).
    case describeQuery(Query)
    /// `SUMMARIZE <table>` / `SUMMARIZE <query>`: DuckDB's per-column summary (min, max, approx_unique,
    /// avg, std, quartiles, count, null_percentage).
    case summarize(SummarizeTarget)
    /// `DESCRIBE <table>` / `SHOW TABLES` conveniences.
    case describe(table: String, position: SourcePosition)
    case showTables
    /// `CREATE [OR REPLACE] TABLE [IF NOT EXISTS] t AS query | (col type, ...)`.
    case createTable(CreateTableStatement)
    /// `CREATE [OR REPLACE] VIEW [IF NOT EXISTS] v AS query`.
    case createView(CreateViewStatement)
    /// `CREATE [OR REPLACE] [TEMP] MACRO f(params) AS expr | TABLE query`.
    case createMacro(CreateMacroStatement)
    /// `DROP TABLE|VIEW|MACRO [TABLE] [IF EXISTS] name`.
    case drop(DropStatement)
    /// `ALTER TABLE|VIEW name RENAME TO new`.
    case rename(RenameStatement)
    /// `INSERT INTO t [(cols)] query | VALUES (...)`.
    case insert(InsertStatement)
    /// `COPY t | (query) TO 'path' (options)`.
    case copy(CopyStatement)
    /// `SET [SESSION | LOCAL | GLOBAL] name = value` / `SET name TO value`: a session setting (kuai
    /// knows TimeZone); `value` is the text of a string, a name or a number.
    case set(name: String, value: String, position: SourcePosition)

    /// True for the statements that change the store (CREATE, DROP, ALTER, INSERT); COPY writes a
    /// file, not the store, and counts as reading; a TEMP macro lives in the session.
    public var writesStore: Bool {
        switch self {
        case .createMacro(let m): return !m.temporary
        case .createTable, .createView, .drop, .rename, .insert: return true
        case .select, .explain, .explainAnalyze, .describe, .describeQuery, .summarize, .showTables, .copy, .set:
            return false
        }
    }
}

/// What SUMMARIZE summarizes: a table (or view) by name, or a query.
public enum SummarizeTarget: Sendable {
    case table(String, SourcePosition)
    case query(Query)
}

/// A query expression: `WITH ... body ORDER BY ... LIMIT ... OFFSET ...`.
public final class Query: @unchecked Sendable {
    public var ctes: [CommonTableExpression]
    public var body: QueryBody
    public var orderBy: [OrderItem] = []
    /// `ORDER BY ALL` (DuckDB): order by every output column, left to right.
    /// Only `ascending` and `nullsFirst` are meaningful; its `expr` is a placeholder `.literal(.null, position of ALL)`.
    public var orderByAll: OrderItem?
    public var limit: Expr?
    /// `LIMIT p%` / `LIMIT p PERCENT`: `limit` is a percentage of the rows (DuckDB).
    public var limitPercent = false
    public var offset: Expr?
    public var position: SourcePosition
    /// A PIVOT statement without an IN list, which the session finishes once it has the values
    /// (`PivotSpec`); nil for every other query.
    public var pivot: PivotSpec? = nil
    /// An UNPIVOT statement, which the session finishes once it has checked the columns' types
    /// (`UnpivotSpec`); nil for every other query.
    public var unpivot: UnpivotSpec? = nil
    /// A DESCRIBE, SUMMARIZE or SHOW statement read as a table (`FROM (DESCRIBE t)`), whose rows the binder
    /// computes; nil for every other query.
    public var tableStatement: Statement? = nil
    /// `WITH RECURSIVE`: the engine computes the CTEs before the query binds (at the top of a
    /// statement only).
    public var recursive = false
    /// Whether the text the parser read this query from names `rowid` (in a word, a quoted name or a
    /// string, in any case): the binder adds the rowid pseudo-column to store tables only then.
    /// nil for a query built another way (the binder then looks at its printed text).
    public var mentionsRowId: Bool? = nil
    /// A query without ORDER BY, LIMIT or OFFSET (the parser sets them as it reads them).
    public init(ctes: [CommonTableExpression] = [], body: QueryBody, position: SourcePosition) {
        self.ctes = ctes
        self.body = body
        self.position = position
    }

    /// A copy of the query with `body` in place of its own (its own when nil), and without its LIMIT
    /// and OFFSET unless `keepingLimit`.
    public func copy(body: QueryBody? = nil, keepingLimit: Bool = true) -> Query {
        let query = Query(ctes: ctes, body: body ?? self.body, position: position)
        query.orderBy = orderBy
        query.orderByAll = orderByAll
        query.mentionsRowId = mentionsRowId
        if keepingLimit {
            query.limit = limit
            query.limitPercent = limitPercent
            query.offset = offset
        }
        return query
    }
}

/// `name [(col, ...)] AS (query)`.
public struct CommonTableExpression: Sendable {
    public var name: String
    public var columnNames: [String]
    public var query: Query
    public var position: SourcePosition
}

/// The set-operation tree under a query.
public indirect enum QueryBody: Sendable {
    case select(SelectCore)
    /// `left UNION [ALL] right`, `EXCEPT`, `INTERSECT`.
    case setOperation(SetOperator, all: Bool, left: QueryBody, right: QueryBody, position: SourcePosition)
    /// A parenthesised query used as a set-operation operand: `(SELECT ... ORDER BY ... LIMIT 3) UNION ...`.
    case nested(Query)
    /// `VALUES (1, 'a'), (2, 'b')`.
    case values([[Expr]], position: SourcePosition)
}

public enum SetOperator: String, Sendable {
    case union = "UNION"
    /// `UNION [ALL] BY NAME`: columns matched by name (DuckDB).
    case unionByName = "UNION BY NAME"
    case except = "EXCEPT"
    case intersect = "INTERSECT"
}

/// `SELECT [DISTINCT [ON (terms)]] items FROM ... WHERE ... GROUP BY ... HAVING ... WINDOW ... QUALIFY ...`.
public final class SelectCore: @unchecked Sendable {
    public var distinct: Bool
    /// `SELECT DISTINCT ON (a, b) ...`: one row per distinct value of the terms (the first in the ORDER BY
    /// order); nil for a plain SELECT or SELECT DISTINCT.
    public var distinctOn: [Expr]? = nil
    public var items: [SelectItem]
    /// nil for `SELECT 1` without FROM.
    public var from: TableRef?
    public var whereClause: Expr?
    public var groupBy: [Expr] = []
    /// `GROUP BY ALL` (DuckDB): group by every select item that contains no aggregate.
    public var groupByAll = false
    /// `GROUP BY ROLLUP (...)`, `CUBE (...)`, `GROUPING SETS (...)` (and their cross products with plain terms):
    /// each grouping set as indexes into `groupBy`, which then holds each distinct term once; nil for a plain
    /// GROUP BY.
    public var groupingSets: [[Int]]? = nil
    public var having: Expr?
    /// Named windows: `WINDOW w AS (PARTITION BY ...)`.
    public var windows: [(name: String, spec: WindowSpec)] = []
    public var qualify: Expr?
    public var position: SourcePosition
    /// A SELECT of `items` from `from`; the parser sets the other clauses as it reads them.
    public init(distinct: Bool = false, items: [SelectItem], from: TableRef? = nil, position: SourcePosition) {
        self.distinct = distinct
        self.items = items
        self.from = from
        self.position = position
    }
}

/// One `expr AS column` of `* REPLACE (...)`.
public struct StarReplacement: Sendable {
    public var expr: Expr
    public var column: String
}

public enum SelectItem: Sendable {
    /// `*` or `t.*`, with optional `EXCLUDE (a, b)` and `REPLACE (expr AS a, ...)` (each replaced column keeps
    /// its place and name and takes the expression's value).
    case star(table: String?, exclude: [String], replace: [StarReplacement] = [], position: SourcePosition)
    /// `expr [AS alias]`.
    case expr(Expr, alias: String?)
}

/// A FROM-clause item.
public indirect enum TableRef: Sendable {
    /// A stored table or CTE: `name [AS alias [(col, ...)]]`.
    case table(name: String, alias: String?, position: SourcePosition)
    /// `(query) [AS] alias [(col, ...)]`.
    case subquery(Query, alias: String?, columnNames: [String], position: SourcePosition)
    /// `left [kind] JOIN right ON cond | USING (cols)`; `CROSS JOIN` and `FROM a, b` are `.cross`.
    case join(kind: JoinKind, left: TableRef, right: TableRef, condition: JoinCondition, position: SourcePosition)
    /// A table function `read_csv('x.csv', header = true)` or a file written as a table (`FROM 'x.csv'`).
    case tableFunction(TableFunctionRef)
    /// `factor TABLESAMPLE ...` (the sampled item), or a whole FROM clause of a SELECT with
    /// `USING SAMPLE ...` (`clause.usingSample`; nil inside for a SELECT without FROM): the rows of
    /// the inner item sampled before WHERE, as DuckDB. The inner item's columns and qualifiers pass
    /// through unchanged.
    case sample(TableRef?, SampleClause)
}

/// How a sample picks rows (DuckDB's sample methods, https://duckdb.org/docs/sql/samples).
public enum SampleMethod: String, Sendable {
    /// Every row independently with probability `percentage / 100`.
    case bernoulli
    /// Every vector of 2048 rows independently with probability `percentage / 100`.
    case system
    /// Exactly the requested number of rows (fewer when the input has fewer), uniformly at random.
    case reservoir
}

/// `USING SAMPLE entry` / `TABLESAMPLE entry`, as DuckDB's grammar reads it:
/// `count [%|PERCENT|ROWS] [(method [, seed])]` or `method(count [%|PERCENT|ROWS]) [REPEATABLE (seed)]`.
public struct SampleClause: Sendable {
    /// The method after defaults: `system` for a percentage and `reservoir` for a row count when
    /// none is written; `system` with a row count samples as `reservoir` (DuckDB gives the exact count).
    public var method: SampleMethod
    /// A percentage in 0...100 when `isPercentage`, else a row count in 0...1_000_000_000 (already
    /// rounded half to even, as DuckDB casts it).
    public var size: Double
    public var isPercentage: Bool
    /// `REPEATABLE (n)` or the second argument of `(method, n)`: the same seed picks the same rows
    /// over the same input; nil = a fresh random seed per query.
    public var seed: UInt64?
    /// True for `USING SAMPLE` (printed after the SELECT's other clauses), false for `TABLESAMPLE`.
    public var usingSample: Bool
    public var position: SourcePosition

    public init(
        method: SampleMethod, size: Double, isPercentage: Bool, seed: UInt64?, usingSample: Bool,
        position: SourcePosition
    ) {
        (self.method, self.size, self.isPercentage, self.seed) = (method, size, isPercentage, seed)
        (self.usingSample, self.position) = (usingSample, position)
    }
}

/// A table function call in FROM, or a quoted file path used as a table (DuckDB's replacement scan).
public struct TableFunctionRef: Sendable {
    /// A `key = value` or `key := value` argument (`header = true`).
    public typealias NamedArgument = KuaiSQL.NamedArgument
    /// The function name, lower-cased (`read_csv`); nil for `FROM 'path'`, whose single argument is the
    /// path and whose reader the binder picks by the file name's extension.
    public var name: String?
    public var arguments: [Expr]
    public var namedArguments: [NamedArgument] = []
    public var alias: String?
    public var columnNames: [String] = []
    public var position: SourcePosition
}

/// The join of a FROM clause; the raw value is the SQL keyword in lower case.
public enum JoinKind: String, Sendable {
    case inner, left, right, full, cross, semi, anti

    /// `INNER`, `LEFT`, ... (as the query writes it).
    public var sqlName: String { rawValue.uppercased() }
}

public indirect enum JoinCondition: Sendable {
    case none
    case on(Expr)
    case using([String])
    /// `NATURAL [kind] JOIN`: USING the columns both sides name alike (bound in TableRefBinder).
    case natural
    /// `ASOF [LEFT] JOIN ... ON | USING`: the condition's equalities match exactly, its one inequality
    /// picks the nearest right row (DuckDB's AsOf join).
    case asof(JoinCondition)
}

public struct OrderItem: Sendable {
    public var expr: Expr
    public var ascending: Bool = true
    /// nil = the default: DuckDB puts NULLs last for ASC and for DESC (`NULLS LAST` default).
    public var nullsFirst: Bool?

    public init(expr: Expr, ascending: Bool = true, nullsFirst: Bool? = nil) {
        (self.expr, self.ascending, self.nullsFirst) = (expr, ascending, nullsFirst)
    }
}

/// `OVER (...)` contents.
public struct WindowSpec: Sendable {
    /// A reference to a named window the spec extends: `OVER (w ORDER BY x)` or `OVER w`.
    public var baseName: String?
    public var partitionBy: [Expr] = []
    public var orderBy: [OrderItem] = []
    public var frame: FrameClause?
}

extension WindowSpec {
    /// `OVER (PARTITION BY partitionBy ORDER BY orderBy)` without a frame, as the binder writes one in a
    /// rewrite.
    public init(partitionBy: [Expr], orderBy: [OrderItem]) {
        self.init(baseName: nil, partitionBy: partitionBy, orderBy: orderBy, frame: nil)
    }
}

/// The frame clause as written, `ROWS|RANGE BETWEEN start AND end` (offsets are expressions); the
/// binder turns it into the executor's `WindowFrame` (offsets evaluated to Int64).
public struct FrameClause: Sendable {
    public typealias Unit = FrameUnit
    public typealias Bound = FrameBound<Expr>
    public var unit: Unit
    public var start: Bound
    public var end: Bound
    /// `EXCLUDE ...` after the bounds (`.noOthers` when absent).
    public var exclusion: FrameExclusion = .noOthers
}

/// Literal values as written.
public indirect enum Literal: Sendable {
    case null
    case bool(Bool)
    /// An integer literal that fits in Int64 (INTEGER if it fits 32 bits, else BIGINT, as DuckDB).
    case integer(Int64)
    /// A literal with a decimal point or exponent, kept as its text (DuckDB types `1.5` as DECIMAL(2,1)).
    case decimal(String)
    case string(String)
    /// `DATE '2025-05-26'`, `TIMESTAMP '...'`: typed string literals.
    case typed(DataType, String)
    /// `INTERVAL 8 HOUR`, `INTERVAL '8 hours'`: quantity and unit as written (unit lowercased, singular).
    case interval(Expr, unit: String)
}

public enum UnaryOperator: String, Sendable {
    case minus = "-"
    case plus = "+"
    case not = "NOT"
    /// `~x`: bitwise NOT of an integer.
    case bitwiseNot = "~"
}

/// The binary operators of SQL expressions. Arithmetic and comparisons carry the engine's own operators
/// (KuaiCore's `ArithmeticOp`, `CompareOp`), which the binder hands on as they are.
public enum BinaryOperator: Hashable, Sendable {
    /// `+ - * / // %`.
    case arithmetic(ArithmeticOp)
    /// `= < <= > >=` and `<>` (also written `==`, `!=`).
    case compare(CompareOp)
    case concat
    case and
    case or
    /// `a IS DISTINCT FROM b`: a null-safe `<>` (NULL vs NULL is false, NULL vs 1 is true); never NULL.
    /// `x IS TRUE` / `x IS FALSE` parse as `x IS NOT DISTINCT FROM TRUE/FALSE` (same truth table in DuckDB).
    case isDistinctFrom
    /// `a IS NOT DISTINCT FROM b`: a null-safe `=`; never NULL.
    case isNotDistinctFrom
    /// Bitwise operators on integers (DuckDB's `&`, `|`, `<<`, `>>`; Formats/query-language.md, "Bit operators").
    case bitwiseAnd
    case bitwiseOr
    case shiftLeft
    case shiftRight
    /// `s GLOB p` (DuckDB prints it as `(s ~~~ p)`): `*`, `?` and `[...]` wildcards, case-sensitive.
    case glob

    /// The operator as DuckDB prints it (`!=` for `<>`).
    public var symbol: String {
        switch self {
        case .arithmetic(let op): return op.rawValue
        case .compare(let op): return op.rawValue
        case .concat: return "||"
        case .and: return "AND"
        case .or: return "OR"
        case .isDistinctFrom: return "IS DISTINCT FROM"
        case .isNotDistinctFrom: return "IS NOT DISTINCT FROM"
        case .bitwiseAnd: return "&"
        case .bitwiseOr: return "|"
        case .shiftLeft: return "<<"
        case .shiftRight: return ">>"
        case .glob: return "~~~"
        }
    }

    /// The infix operator written with the symbol `text` (`|| & | << >>` or an arithmetic one); nil for
    /// any other text.
    public init?(infixSymbol text: String) {
        switch text {
        case "||": self = .concat
        case "&": self = .bitwiseAnd
        case "|": self = .bitwiseOr
        case "<<": self = .shiftLeft
        case ">>": self = .shiftRight
        default:
            guard let op = ArithmeticOp(rawValue: text) else { return nil }
            self = .arithmetic(op)
        }
    }
}

/// A scalar, aggregate or window expression.
public indirect enum Expr: Sendable {
    case literal(Literal, SourcePosition)
    /// `name` or `qualifier.name` (qualifier is a table or alias).
    case column(qualifier: String?, name: String, SourcePosition)
    case unary(UnaryOperator, Expr, SourcePosition)
    case binary(BinaryOperator, Expr, Expr, SourcePosition)
    /// `expr [NOT] LIKE pattern [ESCAPE escape]` (and `ILIKE` when `caseInsensitive`; `~~`, `~~*`, `!~~`, `!~~*`).
    /// `escape` is the `ESCAPE` operand, nil when there is none (DuckDB's `like_escape(expr, pattern, escape)`).
    case like(Expr, pattern: Expr, escape: Expr? = nil, negated: Bool, caseInsensitive: Bool, SourcePosition)
    /// A row value `(a, b, ...)` (two or more members; a trailing comma is allowed) or `row(a, ...)`: DuckDB's
    /// STRUCT row, never NULL itself. kuai accepts it in comparisons, IN and as the argument of
    /// `count([DISTINCT] ...)`.
    case row([Expr], SourcePosition)
    case isNull(Expr, negated: Bool, SourcePosition)
    /// `expr [NOT] BETWEEN low AND high`.
    case between(Expr, low: Expr, high: Expr, negated: Bool, SourcePosition)
    /// `expr [NOT] IN (a, b, ...)`.
    case inList(Expr, [Expr], negated: Bool, SourcePosition)
    /// `expr [NOT] IN (SELECT ...)`.
    case inSubquery(Expr, Query, negated: Bool, SourcePosition)
    /// `expr op ANY | SOME | ALL (SELECT ...)` for the quantified comparisons other than `= ANY` and
    /// `<> ALL` (which are `inSubquery`); `all` for ALL.
    case quantified(CompareOp, Expr, Query, all: Bool, SourcePosition)
    /// `[NOT] EXISTS (SELECT ...)`.
    case exists(Query, negated: Bool, SourcePosition)
    /// `(SELECT ...)` used as a value.
    case scalarSubquery(Query, SourcePosition)
    /// `CASE [operand] WHEN .. THEN .. [ELSE ..] END`.
    case caseWhen(operand: Expr?, whens: [(when: Expr, then: Expr)], elseExpr: Expr?, SourcePosition)
    /// `CAST(expr AS type)`, `expr::type`, `TRY_CAST(...)`.
    case cast(Expr, DataType, isTry: Bool, SourcePosition)
    /// A function call, aggregate or window function.
    /// `name` is lowercased. `count(*)` has `star == true` and no arguments.
    /// `filter` is `FILTER (WHERE ...)`; `orderBy` is an ordered aggregate's `ORDER BY` (string_agg).
    case function(FunctionCall)
    /// `EXTRACT(field FROM expr)`; field lowercased (`hour`, `dow`, ...).
    case extract(field: String, Expr, SourcePosition)
    /// `lambda x, y: body` (DuckDB 2.0.1's lambda syntax), only as an argument of a function call
    /// (list_transform, list_filter, list_reduce); `parameters` are the names as written.
    case lambda(parameters: [String], body: Expr, SourcePosition)

    /// Where the expression starts in the query text.
    public var position: SourcePosition {
        switch self {
        case .literal(_, let p), .column(_, _, let p), .unary(_, _, let p), .binary(_, _, _, let p),
            .like(_, _, _, _, _, let p), .row(_, let p), .isNull(_, _, let p), .between(_, _, _, _, let p),
            .inList(_, _, _, let p),
            .inSubquery(_, _, _, let p), .quantified(_, _, _, _, let p), .exists(_, _, let p),
            .scalarSubquery(_, let p), .caseWhen(_, _, _, let p),
            .cast(_, _, _, let p), .extract(_, _, let p), .lambda(_, _, let p):
            return p
        case .function(let f): return f.position
        }
    }
}

/// A named argument of a call: `b := 2` in `f(1, b := 2)` (a macro's parameter with a default, DuckDB),
/// `header = true` in a table function.
public struct NamedArgument: Sendable {
    /// The name, lower-cased.
    public var name: String
    public var value: Expr
    /// Where the name is written.
    public var position: SourcePosition
    /// The name as written (DuckDB prints it so in column names; `struct_insert` names fields by it).
    public var spelled: String
    public init(name: String, value: Expr, position: SourcePosition, spelled: String? = nil) {
        (self.name, self.value, self.position) = (name, value, position)
        self.spelled = spelled ?? name
    }
}

/// A call `name([DISTINCT] args [ORDER BY ...]) [FILTER (WHERE ...)] [OVER (...)|OVER name]`.
public struct FunctionCall: Sendable {
    public var name: String
    public var arguments: [Expr]
    /// `name := value` arguments after the positional ones (DuckDB's macro arguments); the binder expands
    /// macro calls before binding, and a built-in function ignores the names, as DuckDB does.
    public var namedArguments: [NamedArgument] = []
    public var distinct = false
    public var star = false
    public var orderBy: [OrderItem] = []
    public var filter: Expr?
    /// `IGNORE NULLS` (true) or `RESPECT NULLS` (false) before the closing parenthesis; nil when
    /// neither is written.
    public var ignoreNulls: Bool?
    /// Non-nil for a window function call.
    public var over: WindowSpec?
    public var position: SourcePosition

    /// The name of a STRUCT literal `{'k': v, ...}` as a call: its arguments alternate field names
    /// (string literals) and values (`ParserState.parseStructLiteral`).
    public static let structLiteralName = "{}"

    /// The name of a field access `x.name` (a postfix `.name` after an expression, or a third name
    /// part `a.b.c`) as a call: its arguments are `x` and the field name (a string literal). Printed
    /// `(x).name` as DuckDB names the column.
    public static let fieldAccessName = "."

    /// True for a column name or a field access chain over one (`s.a.b`): DuckDB names such a column
    /// by its last name.
    public static func isNameChain(_ e: Expr) -> Bool {
        switch e {
        case .column: return true
        case .function(let f) where f.name == fieldAccessName && f.arguments.count == 2:
            return isNameChain(f.arguments[0])
        default: return false
        }
    }

    /// A plain call `name(arguments)` (`count(*)`: `star`), as the binder writes one in a rewrite.
    public init(name: String, arguments: [Expr], star: Bool = false, position: SourcePosition) {
        self.name = name
        self.arguments = arguments
        self.star = star
        self.position = position
    }
}
