import KuaiCore
import KuaiFormat

// API CONTRACT (stub to be replaced by the ingest implementation).

/// Options of one conversion run.
public struct ConvertOptions: Sendable {
    /// When set, bad rows are skipped and written to this file (file, line, column, reason);
    /// when nil, the first bad row stops the run with `KuaiError.csv`.
    public var rejectFile: String?
    /// Called with progress and summary lines; kuai-convert prints them on stderr.
    public var report: (@Sendable (ConvertEvent) -> Void)?
    public init(rejectFile: String? = nil, report: (@Sendable (ConvertEvent) -> Void)? = nil) {
        self.rejectFile = rejectFile
        self.report = report
    }
}

/// What a conversion tells its caller as it goes.
public enum ConvertEvent: Sendable {
    /// `bytesRead` of `totalBytes` of `file` are parsed.
    case progress(file: String, bytesRead: Int, totalBytes: Int)
    /// A table is written: rows, CSV bytes, store bytes, seconds.
    case tableDone(table: String, rows: Int, csvBytes: Int, storeBytes: Int, seconds: Double)
    /// Rows skipped into the reject file.
    case rejected(file: String, rows: Int)
}

/// CSV to store conversion (README "kuai-convert").
public enum Converter {
    /// Converts `sources` (folders of CSVs and/or single .csv files; table name = file name
    /// without `.csv`) into a new store at `store`, replacing an existing one atomically.
    /// - Returns: one summary per table, in the order written.
    /// - Throws: `KuaiError.csv` naming file:line:column, `.io`; on any error no store is written
    ///   and an existing store at `store` is unchanged.
    public static func convert(sources: [String], to store: String, options: ConvertOptions = ConvertOptions()) throws -> [TableSummary] {
        fatalError("unimplemented")
    }
}
