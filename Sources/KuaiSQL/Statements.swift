import KuaiCore

// The writing statements of kuai's SQL dialect (Formats/query-language.md, "Statements"): DuckDB's
// CREATE TABLE / CREATE VIEW / DROP / ALTER TABLE RENAME / INSERT / COPY, with source positions.

/// A possibly qualified object name as written; kuai has one schema, so only `name` is used.
public struct ObjectName: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var position: SourcePosition
    public var description: String { name }
}

/// The kind of catalog entry a DROP or ALTER names.
public enum CatalogObjectKind: String, Sendable {
    case table = "TABLE"
    case view = "VIEW"
    /// `DROP MACRO f`: a scalar or a table macro.
    case macro = "MACRO"
    /// `DROP MACRO TABLE t`: a table macro only.
    case tableMacro = "MACRO TABLE"
}

/// One parameter of `CREATE MACRO f(a, b := 5)`.
public struct MacroParameter: Sendable {
    /// The name as written (matched case-insensitively, as DuckDB's column names).
    public var name: String
    /// The default value (`b := 5`), a constant expression; nil for a parameter without one.
    public var defaultValue: Expr?
    /// The default's source text as written (what the store keeps); nil without a default.
    public var defaultText: String?
    public var position: SourcePosition
    public init(name: String, defaultValue: Expr?, defaultText: String?, position: SourcePosition) {
        (self.name, self.defaultValue, self.defaultText, self.position) = (name, defaultValue, defaultText, position)
    }
}

/// `CREATE [OR REPLACE] [TEMP] MACRO|FUNCTION [IF NOT EXISTS] name(params) AS expr` (a scalar macro) or
/// `... AS TABLE query` (a table macro), DuckDB 2.0.1's macros: calls are replaced by the body with the
/// arguments in place of the parameters before binding.
public struct CreateMacroStatement: Sendable {
    /// A macro's body.
    public enum Body: Sendable {
        /// `AS expr`: a scalar macro, called in expressions.
        case scalar(Expr)
        /// `AS TABLE query`: a table macro, called in FROM.
        case table(Query)
    }
    public var name: ObjectName
    public var orReplace: Bool
    public var ifNotExists: Bool
    /// `TEMP` / `TEMPORARY`: the macro lives in the session only, never in the store.
    public var temporary: Bool
    public var parameters: [MacroParameter]
    public var body: Body
    /// The body's source text as written (the expression, or the query after `TABLE`): what the store keeps.
    public var bodyText: String
    /// Position of the `CREATE` keyword.
    public var position: SourcePosition
}

/// A column of `CREATE TABLE t (name type, ...)`.
public struct ColumnDefinition: Sendable {
    public var name: String
    public var type: DataType
    public var position: SourcePosition
}

/// `CREATE [OR REPLACE] TABLE [IF NOT EXISTS] name AS query` or `... name (col type, ...)`.
public struct CreateTableStatement: Sendable {
    public enum Source: Sendable {
        /// `AS query`: the table holds the query's rows, in the query's order (DuckDB keeps insertion order).
        case query(Query)
        /// `(col type, ...)`: an empty table with these columns.
        case columns([ColumnDefinition])
    }
    public var name: ObjectName
    public var orReplace: Bool
    public var ifNotExists: Bool
    public var source: Source
    /// Position of the `CREATE` keyword.
    public var position: SourcePosition
}

/// `CREATE [OR REPLACE] VIEW [IF NOT EXISTS] name [(col, ...)] AS query`.
public struct CreateViewStatement: Sendable {
    public var name: ObjectName
    public var orReplace: Bool
    public var ifNotExists: Bool
    /// Column names given after the view name (renaming the query's first columns).
    public var columnNames: [String]
    public var query: Query
    /// The query's source text as written (from its first token to the end of the statement): what the
    /// store keeps, and parses again each time the view is used.
    public var queryText: String
    public var position: SourcePosition
}

/// `DROP TABLE|VIEW|MACRO|MACRO TABLE [IF EXISTS] name`.
public struct DropStatement: Sendable {
    public var kind: CatalogObjectKind
    public var name: ObjectName
    public var ifExists: Bool
    public var position: SourcePosition
}

/// `ALTER TABLE|VIEW name RENAME TO newName`.
public struct RenameStatement: Sendable {
    public var kind: CatalogObjectKind
    public var name: ObjectName
    public var newName: ObjectName
    public var position: SourcePosition
}

/// `INSERT INTO name [(col, ...)] query` (`VALUES (...), (...)` is a query body).
public struct InsertStatement: Sendable {
    public var table: ObjectName
    /// The target columns when listed (others get NULL), nil for all columns in table order.
    public var columns: [ObjectName]?
    public var query: Query
    public var position: SourcePosition
}

/// One `name [value]` of a COPY option list: `FORMAT csv`, `HEADER`, `DELIMITER '|'`, `HEADER false`.
public struct CopyOption: Sendable {
    /// The option name, lower-cased.
    public var name: String
    /// The value as written: a word or number as is, a string literal's contents; nil for a bare option
    /// (`HEADER` alone means true).
    public var value: String?
    /// True when the value was a quoted string (`'|'`), false for a word or number.
    public var valueIsString: Bool = false
    public var position: SourcePosition
}

/// `COPY name [(col, ...)] TO 'path' [(options)]` or `COPY (query) TO 'path' [(options)]`.
public struct CopyStatement: Sendable {
    public enum Source: Sendable {
        case table(ObjectName, columns: [String])
        case query(Query)
    }
    public var source: Source
    /// The target file as written (relative paths are relative to the working folder).
    public var path: String
    public var pathPosition: SourcePosition
    public var options: [CopyOption]
    public var position: SourcePosition
}
