// Keyword classes of kuai's SQL dialect, taken from DuckDB 2.0.1's `duckdb_keywords()`
// (Formats/query-language.md, "Identifiers and keywords").

/// Which words need quoting where.
public enum Keywords {
    /// DuckDB's `reserved` keywords: never a column, table or alias name, nor a function name, unless quoted.
    public static let reserved: Set<String> = [
        "ALL", "ANALYSE", "ANALYZE", "AND", "ANY", "ARRAY", "AS", "ASC", "ASYMMETRIC", "BOTH", "CASE", "CAST",
        "CHECK", "COLLATE", "COLUMN", "CONSTRAINT", "CREATE", "DEFAULT", "DEFERRABLE", "DESC", "DESCRIBE",
        "DISTINCT", "DO", "ELSE", "END", "EXCEPT", "FALSE", "FETCH", "FOR", "FOREIGN", "FROM", "GRANT", "GROUP",
        "HAVING", "IN", "INITIALLY", "INTERSECT", "INTO", "LAMBDA", "LATERAL", "LEADING", "LIMIT", "NOT", "NULL",
        "OFFSET", "ON", "ONLY", "OR", "ORDER", "PIVOT", "PIVOT_LONGER", "PIVOT_WIDER", "PLACING", "PRIMARY",
        "QUALIFY", "REFERENCES", "RETURNING", "SELECT", "SHOW", "SOME", "SUMMARIZE", "SYMMETRIC", "TABLE", "THEN",
        "TO", "TRAILING", "TRUE", "UNION", "UNIQUE", "UNPIVOT", "USING", "VARIADIC", "WHEN", "WHERE", "WINDOW", "WITH",
    ]

    /// DuckDB's `type_function` keywords: usable as a function or type name (`left(s, 2)`), never as a
    /// column, table or alias name unless quoted (they start joins and operators: `LEFT JOIN`, `IS`, `LIKE`).
    public static let typeOrFunction: Set<String> = [
        "ANTI", "ASOF", "AT", "AUTHORIZATION", "BINARY", "BY", "COLLATION", "COLUMNS", "CONCURRENTLY", "CROSS",
        "FREEZE", "FULL", "GENERATED", "GLOB", "ILIKE", "INNER", "IS", "ISNULL", "JOIN", "LEFT", "LIKE", "MAP",
        "NATURAL", "NOTNULL", "OUTER", "OVERLAPS", "POSITIONAL", "RIGHT", "SEMI", "SIMILAR", "STRUCT",
        "TABLESAMPLE", "TRY_CAST", "TUPLE", "UNPACK", "VERBOSE",
    ]

    /// Words that may follow an expression as syntax, so they are not taken as a bare alias
    /// (`SELECT count(*) FILTER (...)`); with `AS` they are fine.
    static let notBareAlias: Set<String> = ["FILTER", "OVER", "WITHIN", "NULLS", "PRECEDING", "FOLLOWING", "ESCAPE"]

    /// True when an unquoted word (upper case) can name a column, table, CTE or alias.
    @inline(__always)
    public static func isIdentifier(_ upper: String) -> Bool {
        !reserved.contains(upper) && !typeOrFunction.contains(upper)
    }

    /// True when an unquoted word (upper case) can name a function in a call.
    @inline(__always)
    public static func isFunctionName(_ upper: String) -> Bool { !reserved.contains(upper) }

    /// True when DuckDB writes an identifier in double quotes when it prints an expression: the name is a
    /// keyword of any class, is empty, starts with a digit, or holds a character other than ASCII letters,
    /// digits and `_` (DuckDB leaves `Mixed` unquoted).
    public static func needsQuotes(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(first >= 0x30 && first <= 0x39) else { return true }
        for b in name.utf8 {
            let ok = (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F
            if !ok { return true }
        }
        let upper = name.uppercased()
        return reserved.contains(upper) || typeOrFunction.contains(upper) || columnName.contains(upper)
            || unreserved.contains(upper)
    }

    /// True when a word (upper case) is a keyword of any class of DuckDB's `duckdb_keywords()`.
    public static func isKeyword(_ upper: String) -> Bool {
        reserved.contains(upper) || typeOrFunction.contains(upper) || columnName.contains(upper)
            || unreserved.contains(upper)
    }

    /// DuckDB's `column_name` keywords (usable as column names; DuckDB quotes them when printing).
    public static let columnName: Set<String> = [
        "BETWEEN", "BIGINT", "BIT", "BOOLEAN", "CHAR", "CHARACTER", "COALESCE", "COLUMNS", "DEC", "DECIMAL", "EXISTS",
        "EXTRACT", "FLOAT", "GENERATED", "GROUPING", "GROUPING_ID", "INOUT", "INT", "INTEGER", "INTERVAL", "MAP",
        "NATIONAL", "NCHAR", "NONE", "NULLIF", "NUMERIC", "OUT", "OVERLAY", "POSITION", "PRECISION", "REAL", "ROW",
        "SETOF", "SMALLINT", "STRUCT", "SUBSTRING", "TIME", "TIMESTAMP", "TREAT", "TRIM", "TRY_CAST", "TUPLE",
        "VALUES", "VARCHAR", "XMLATTRIBUTES", "XMLCONCAT", "XMLELEMENT", "XMLEXISTS", "XMLFOREST", "XMLNAMESPACES",
        "XMLPARSE", "XMLPI", "XMLROOT", "XMLSERIALIZE", "XMLTABLE",
    ]

    /// DuckDB's `unreserved` keywords: fine as names anywhere; listed so printing quotes them as DuckDB does
    /// (`"hour"(x)`, `"first"`).
    public static let unreserved: Set<String> = [
        "ABORT", "ABSOLUTE", "ACCESS", "ACTION", "ADD", "ADMIN", "AFTER", "AGGREGATE", "ALSO", "ALTER", "ALWAYS",
        "APPROX", "ASSERTION", "ASSIGNMENT", "ATTACH", "ATTRIBUTE", "BACKWARD", "BEFORE", "BEGIN", "CACHE", "CALL",
        "CALLED", "CASCADE", "CASCADED", "CATALOG", "CENTURIES", "CENTURY", "CHAIN", "CHARACTERISTICS", "CHECKPOINT",
        "CLASS", "CLOSE", "CLUSTER", "COMMENT", "COMMENTS", "COMMIT", "COMMITTED", "COMPRESSION", "CONFIGURATION",
        "CONFLICT", "CONNECT", "CONNECTION", "CONSTRAINTS", "CONTENT", "CONTINUE", "CONVERSION", "COPY", "COST",
        "CSV", "CUBE", "CURRENT", "CURSOR", "CYCLE", "DATA", "DATABASE", "DAY", "DAYS", "DEALLOCATE", "DECADE",
        "DECADES", "DECLARE", "DEFAULTS", "DEFERRED", "DEFINER", "DELETE", "DELIMITER", "DELIMITERS", "DEPENDS",
        "DESTROY", "DETACH", "DICTIONARY", "DISABLE", "DISCARD", "DISCONNECT", "DISTANCE", "DOCUMENT", "DOMAIN",
        "DOUBLE", "DROP", "EACH", "ENABLE", "ENCODING", "ENCRYPTED", "ENUM", "ERROR", "ESCAPE", "EVENT", "EXACT",
        "EXCLUDE", "EXCLUDING", "EXCLUSIVE", "EXECUTE", "EXPLAIN", "EXPORT", "EXPORT_STATE", "EXTENSION",
        "EXTENSIONS", "EXTERNAL", "FAMILY", "FILTER", "FIRST", "FOLLOWING", "FORCE", "FORWARD", "FUNCTION",
        "FUNCTIONS", "GLOBAL", "GRANT", "GRANTED", "GROUPS", "HANDLER", "HEADER", "HOLD", "HOUR", "HOURS",
        "IDENTITY", "IF", "IGNORE", "IMMEDIATE", "IMMUTABLE", "IMPLICIT", "IMPORT", "INCLUDE", "INCLUDING",
        "INCREMENT", "INDEX", "INDEXES", "INHERIT", "INHERITS", "INLINE", "INPUT", "INSENSITIVE", "INSERT",
        "INSTALL", "INSTEAD", "INVOKER", "ISOLATION", "JSON", "KEY", "LABEL", "LANGUAGE", "LARGE", "LAST",
        "LEAKPROOF", "LEVEL", "LISTEN", "LOAD", "LOCAL", "LOCATION", "LOCK", "LOCKED", "LOGGED", "MACRO", "MAPPING",
        "MATCH", "MATCHED", "MATERIALIZED", "MAXVALUE", "MERGE", "METHOD", "MICROSECOND", "MICROSECONDS",
        "MILLENNIA", "MILLENNIUM", "MILLISECOND", "MILLISECONDS", "MINUTE", "MINUTES", "MINVALUE", "MODE", "MONTH",
        "MONTHS", "MOVE", "NAME", "NAMES", "NEAREST", "NEW", "NEXT", "NO", "NOTHING", "NOTIFY", "NOWAIT", "NULLS",
        "OBJECT", "OF", "OFF", "OIDS", "OLD", "OPERATOR", "OPTION", "OPTIONS", "ORDINALITY", "OTHERS", "OVER",
        "OVERRIDING", "OWNED", "OWNER", "PARALLEL", "PARSER", "PARTIAL", "PARTITION", "PARTITIONED", "PASSING",
        "PASSWORD", "PERCENT", "PERSISTENT", "PLANS", "POLICY", "PRAGMA", "PRECEDING", "PREPARE", "PREPARED",
        "PRESERVE", "PRIOR", "PRIVILEGES", "PROCEDURAL", "PROCEDURE", "PROGRAM", "PUBLICATION", "QUARTER",
        "QUARTERS", "QUOTE", "RANGE", "READ", "REASSIGN", "RECHECK", "RECURSIVE", "REF", "REFERENCING", "REFRESH",
        "REGISTER", "REINDEX", "RELATIVE", "RELEASE", "RENAME", "REPEATABLE", "REPLACE", "REPLICA", "RESET",
        "RESOURCE", "RESOURCES", "RESPECT", "RESTART", "RESTRICT", "RETURNS", "REVOKE", "ROLE", "ROLLBACK", "ROLLUP",
        "ROWS", "RULE", "SAMPLE", "SAVEPOINT", "SCHEMA", "SCHEMAS", "SCOPE", "SCROLL", "SEARCH", "SECOND", "SECONDS",
        "SECRET", "SECURE", "SECURITY", "SEQUENCE", "SEQUENCES", "SERIALIZABLE", "SERVER", "SESSION", "SET", "SETS",
        "SHARE", "SIMILARITY", "SIMPLE", "SKIP", "SNAPSHOT", "SORTED", "SOURCE", "SQL", "STABLE", "STANDALONE",
        "START", "STATEMENT", "STATISTICS", "STDIN", "STDOUT", "STORAGE", "STORED", "STRICT", "STRIP",
        "SUBSCRIPTION", "SYSID", "SYSTEM", "TABLES", "TABLESPACE", "TARGET", "TEMP", "TEMPLATE", "TEMPORARY", "TEXT",
        "TIES", "TRANSACTION", "TRANSFORM", "TRIGGER", "TRUNCATE", "TRUSTED", "TYPE", "TYPES", "UNBOUNDED",
        "UNCOMMITTED", "UNENCRYPTED", "UNKNOWN", "UNLISTEN", "UNLOGGED", "UNTIL", "UPDATE", "USE", "USER", "VACUUM",
        "VALID", "VALIDATE", "VALIDATOR", "VALUE", "VARIABLE", "VARYING", "VERSION", "VIEW", "VIEWS", "VIRTUAL",
        "VOLATILE", "WEEK", "WEEKS", "WHITESPACE", "WITHIN", "WITHOUT", "WORK", "WRAPPER", "WRITE", "XML", "YEAR",
        "YEARS", "YES", "ZONE",
    ]
}
