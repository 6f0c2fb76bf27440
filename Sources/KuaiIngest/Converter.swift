import Foundation
import KuaiCore
import KuaiFormat
import KuaiParquet

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Options of one conversion run.
public struct ConvertOptions: Sendable {
    /// When set, bad rows are skipped and written to this file (file, line, column, reason);
    /// when nil, the first bad row stops the run with `KuaiError.csv`.
    public var rejectFile: String?
    /// Called with progress and summary lines; kuai-convert prints them on stderr.
    public var report: (@Sendable (ConvertEvent) -> Void)?
    /// Tunables of the CSV reader (chunk size, threads, sample size); tests use tiny chunks.
    /// `csv.skipBadRows` is set from `rejectFile`.
    public var csv = CSVReadOptions()
    /// When the target is an existing store: false (default) adds the converted tables to it,
    /// replacing tables of the same names and keeping the others; true replaces the whole store
    /// (every other table and view is dropped).
    public var replaceStore = false
    /// Seconds to wait for another writer of an existing store (Formats/column-file.md, "Generations
    /// and commits; writers and the lock").
    public var lockTimeoutSeconds: Double = 60
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
///
/// Each CSV becomes one table named after its file (without `.csv`). The eight KuaiLive tables
/// get their fixed schema (`KuaiLiveSchema`), other CSVs inferred types (`TypeInference`).
/// The CSV dialect: comma-separated, a header line, RFC 4180 quoting (`""` escapes, commas and
/// newlines inside quotes), LF or CRLF line ends, optional UTF-8 byte order mark, optional final
/// newline; an empty field (quoted or not) is NULL; blank lines are skipped in files of more than
/// one column (as DuckDB does).
public enum Converter {
    /// Converts `sources` (folders of CSVs and/or single .csv files; table name = file name
    /// without `.csv`) into the store at `store`: a new store when there is none (built beside it and
    /// renamed into place), else one commit to the existing store that adds the tables, replacing
    /// tables of the same names and keeping every other table and view (`options.replaceStore`
    /// drops them instead).
    /// - Returns: one summary per table, in the order written.
    /// - Throws: `KuaiError.csv` naming file:line:column, `.io`; on any error no store is written
    ///   and an existing store at `store` is unchanged.
    public static func convert(sources: [String], to store: String, options: ConvertOptions = ConvertOptions()) throws
        -> [TableSummary]
    {
        let files = try resolveSources(sources)
        var csvOptions = options.csv
        csvOptions.skipBadRows = options.rejectFile != nil

        var rejectStream: UnsafeMutablePointer<FILE>? = nil
        if let rf = options.rejectFile {
            try checkRejectFile(rf, sources: files, store: store)
            guard let f = fopen(rf, "w") else {
                throw KuaiError(.io, "cannot create the reject file: \(String(cString: strerror(errno)))", at: rf)
            }
            rejectStream = f
        }
        defer { if let f = rejectStream { fclose(f) } }

        let writer = try target(store, options)
        var summaries: [TableSummary] = []
        do {
            for file in files {
                let t0 = DispatchTime.now().uptimeNanoseconds
                if file.isParquet {
                    let (summary, rows, bytes) = try ParquetSource.convert(file, into: writer)
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                    options.report?(
                        .tableDone(
                            table: file.table, rows: rows, csvBytes: bytes, storeBytes: summary.storeBytes,
                            seconds: seconds))
                    summaries.append(summary)
                    continue
                }
                var tableWriter: TableWriter? = nil
                let stats = try CSVTableReader.read(
                    path: file.path, table: file.table, options: csvOptions,
                    onSchema: { schema, bytes in
                        tableWriter = try writer.beginTable(
                            name: file.table, schema: schema, sourcePath: file.path, sourceBytes: bytes)
                    },
                    onBatch: { try tableWriter!.append($0) },
                    onReject: { r in
                        if let f = rejectStream {
                            let line = "\(r.location): \(r.reason); line: \(r.line)\n"
                            if fputs(line, f) < 0 {
                                throw KuaiError(
                                    .io, "cannot write the reject file: \(String(cString: strerror(errno)))",
                                    at: options.rejectFile)
                            }
                        }
                    },
                    onProgress: { done, total in
                        options.report?(.progress(file: file.path, bytesRead: done, totalBytes: total))
                    })
                let summary = try tableWriter!.finish()
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                options.report?(
                    .tableDone(
                        table: file.table, rows: stats.rows, csvBytes: stats.csvBytes,
                        storeBytes: summary.storeBytes, seconds: seconds))
                if stats.rejected > 0 { options.report?(.rejected(file: file.path, rows: stats.rejected)) }
                summaries.append(summary)
            }
            if let f = rejectStream, fflush(f) != 0 {
                throw KuaiError(
                    .io, "cannot write the reject file: \(String(cString: strerror(errno)))", at: options.rejectFile)
            }
            try writer.commit()
        } catch {
            writer.abort()
            throw error
        }
        return summaries
    }

    /// A new store's writer, or a commit to the existing store at `store`.
    static func target(_ store: String, _ options: ConvertOptions) throws -> StoreTableTarget {
        guard StoreTransaction.isStore(store) else { return try StoreWriter(destination: store) }
        let tx = try StoreTransaction.begin(at: store, create: false, lockTimeout: options.lockTimeoutSeconds)
        if options.replaceStore { try tx.dropEverything() }
        return tx
    }

    /// Refuses a reject file that would overwrite what the run must not touch. Opening it truncates
    /// it, so a reject file naming one of the source CSVs emptied that CSV before it was read, and
    /// one naming a file of a kuai store (its manifest.json, a column file) damaged that store.
    /// - Throws: `KuaiError.usage` when `path` is the same file as a source CSV, is the store path
    ///   `store` or inside it, or lies in a kuai store: a folder holding a manifest.json or a
    ///   table folder of one (the test StoreWriter uses for "is a store").
    static func checkRejectFile(_ path: String, sources: [SourceFile], store: String) throws {
        var st = stat()
        if stat(path, &st) == 0 {
            for f in sources {
                var sst = stat()
                if stat(f.path, &sst) == 0, sst.st_dev == st.st_dev, sst.st_ino == st.st_ino {
                    throw KuaiError(
                        .usage, "the reject file is the source CSV \(f.path): writing it would erase that file",
                        at: path)
                }
            }
        }
        func absolute(_ p: String) -> String {
            URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path
        }
        let file = absolute(path)
        let storePath = absolute(store)
        if file == storePath || file.hasPrefix(storePath + "/") {
            throw KuaiError(.usage, "the reject file must not be the store \(store) or lie inside it", at: path)
        }
        // A store's files are STORE/manifest.json and STORE/<table>/<column>.col.
        var dir = (file as NSString).deletingLastPathComponent
        for _ in 0..<2 where !dir.isEmpty && dir != "/" {
            if FileManager.default.fileExists(atPath: dir + "/" + FormatConstants.manifestName) {
                throw KuaiError(.usage, "the reject file must not be written into the kuai store \(dir)", at: path)
            }
            dir = (dir as NSString).deletingLastPathComponent
        }
    }

    /// One source to convert and the table it becomes: a CSV file, or Parquet (a file, or a glob
    /// of files read as one table, with Hive partitioning when its folders are `key=value`).
    public struct SourceFile: Sendable, Equatable {
        public var path: String
        public var table: String
        public var isParquet = false
    }

    /// Expands `sources` into CSV and Parquet sources: a folder gives its `*.csv` and `*.parquet`
    /// files (KuaiLive tables first in `KuaiLiveSchema.tableOrder`, then the others by name); a file
    /// is taken as it is (`.parquet` files as Parquet); a glob such as `dir/**/*.parquet` is one
    /// Parquet table named after the last folder before the first wildcard (`dir`).
    /// - Throws: `KuaiError.io` for a missing source, `.usage` for a folder without CSV files or
    ///   two files that would make the same table.
    public static func resolveSources(_ sources: [String]) throws -> [SourceFile] {
        if sources.isEmpty { throw KuaiError(.usage, "no CSV sources given") }
        let fm = FileManager.default
        var out: [SourceFile] = []
        for source in sources {
            if ParquetGlob.hasWildcard(source) {
                out.append(SourceFile(path: source, table: ParquetSource.tableName(ofPattern: source), isParquet: true))
                continue
            }
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: source, isDirectory: &isDir) else {
                throw KuaiError(.io, "no such file or folder", at: source)
            }
            if isDir.boolValue {
                let names: [String]
                do { names = try fm.contentsOfDirectory(atPath: source) } catch {
                    throw KuaiError(.io, "cannot list folder: \(error.localizedDescription)", at: source)
                }
                var csvs: [SourceFile] = []
                for name in names where name.lowercased().hasSuffix(".csv") || name.lowercased().hasSuffix(".parquet") {
                    let path = source.hasSuffix("/") ? source + name : source + "/" + name
                    var sub: ObjCBool = false
                    if fm.fileExists(atPath: path, isDirectory: &sub), !sub.boolValue {
                        csvs.append(
                            SourceFile(
                                path: path, table: tableName(of: name),
                                isParquet: name.lowercased().hasSuffix(".parquet")))
                    }
                }
                if csvs.isEmpty { throw KuaiError(.usage, "no .csv or .parquet files in folder", at: source) }
                csvs.sort { a, b in
                    let ia = KuaiLiveSchema.tableOrder.firstIndex(of: a.table) ?? Int.max
                    let ib = KuaiLiveSchema.tableOrder.firstIndex(of: b.table) ?? Int.max
                    return ia != ib ? ia < ib : a.table < b.table
                }
                out += csvs
            } else {
                let name = (source as NSString).lastPathComponent
                out.append(
                    SourceFile(
                        path: source, table: tableName(of: name), isParquet: name.lowercased().hasSuffix(".parquet")))
            }
        }
        var seen: [String: String] = [:]
        for f in out {
            if let other = seen[f.table] {
                throw KuaiError(.usage, "two sources make table '\(f.table)': \(other) and \(f.path)")
            }
            seen[f.table] = f.path
        }
        return out
    }

    /// The table name of a source file: its name without a `.csv` or `.parquet` ending (any letter case).
    public static func tableName(of fileName: String) -> String {
        if fileName.lowercased().hasSuffix(".csv") { return String(fileName.dropLast(4)) }
        if fileName.lowercased().hasSuffix(".parquet") { return String(fileName.dropLast(8)) }
        return fileName
    }
}
