import KuaiCore

// API CONTRACT (stub to be replaced by the implementation).

/// Output formats of kuai-query.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// Boxed, aligned table for a terminal (like DuckDB's CLI "duckbox").
    case table
    /// RFC 4180 with a header, exactly as DuckDB's `COPY (query) TO 'f.csv' (HEADER)` writes it.
    case csv
    /// Tab-separated with a header.
    case tsv
    /// One JSON array of objects.
    case json
    /// One JSON object per line.
    case jsonl
}

/// Renders a `QueryResult` as text; values are formatted as DuckDB prints them
/// (DOUBLE shortest round-trip, DATE `YYYY-MM-DD`, TIMESTAMP `YYYY-MM-DD HH:MM:SS[.ffffff]`).
public enum ResultWriter {
    /// Calls `write` with successive chunks of the rendered output.
    public static func write(_ result: QueryResult, format: OutputFormat, to write: (String) -> Void) {
        fatalError("unimplemented")
    }
}
