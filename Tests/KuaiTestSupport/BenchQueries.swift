/// The analyst workload (the 12 queries of ../shared/bench/queries, q01..q12), read from the one
/// copy in the repository: the corpus file Tests/KuaiEndToEndTests/Corpus/90-bench-queries.slt,
/// where each record is preceded by `# qNN_name.sql: description` (the query file's first line,
/// a `--` comment) and holds the file's SQL verbatim.
public enum BenchQueries {
    /// The corpus file that holds the queries.
    public static let corpusFile = "90-bench-queries.slt"

    /// (name, SQL) of each query once, in order: the name is the file name without `.sql`, the SQL
    /// is the query file's text: its `-- description` line, then the statement.
    public static let all: [(name: String, sql: String)] = {
        var out: [(name: String, sql: String)] = []
        for record in Corpus.records(corpusFile) {
            guard let note = record.comment.last, let colon = note.range(of: ".sql: ") else { continue }
            let name = String(note[..<colon.lowerBound])
            if out.contains(where: { $0.name == name }) { continue }
            out.append((name, "-- " + note[colon.upperBound...] + "\n" + record.sql))
        }
        return out
    }()
}
