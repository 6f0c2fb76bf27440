import Foundation
import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tunables of the CSV reader (defaults suit the KuaiLive files on a 2-core machine).
public struct CSVReadOptions: Sendable {
    /// Bytes per `read(2)` chunk; a chunk is the unit of parallel parsing.
    public var chunkBytes: Int = 8 << 20
    /// Rows per emitted `Batch` (the format's block size, so batches map onto blocks); fewer
    /// for CSVs with hundreds of columns (the parser's buffers stay under 32 MiB per thread).
    public var batchRows: Int = 65_536
    /// Data rows examined for type inference of non-KuaiLive CSVs.
    public var sampleRows: Int = TypeInference.defaultSampleRows
    /// Parser threads (at most the number of active processors).
    public var workers: Int = 2
    /// Chunks read but not yet consumed (bounds peak memory to about
    /// `maxChunksInFlight * 2 * chunkBytes`).
    public var maxChunksInFlight: Int = 4
    /// A record longer than this is an error (it is almost always an unterminated quote).
    public var maxRecordBytes: Int = 64 << 20
    /// Skip bad rows (report them through `onReject`) instead of stopping at the first.
    public var skipBadRows = false
    /// Whether the first record (after `skipLines`) names the columns: true (kuai-convert: it
    /// must), false (it is data), or nil to decide as DuckDB 2.0.1's sniffer does (`hasHeader`).
    public var header: Bool? = true
    /// Lines at the top of the file skipped before the header or first record (read_csv's
    /// `skip`); each must end within the file's first chunk.
    public var skipLines = 0
    /// Every column's name and type, given (read_csv's `columns`): no type is inferred; the
    /// file's records must have this many fields. Any type: the reader parses a column as
    /// `CSVTableReader.parsedType(for:)` of it (the schema it gives holds those), and the caller
    /// casts the columns whose type differs.
    public var columns: [Field]? = nil
    /// Types given for some columns by name (matched case-insensitively against the final
    /// names) or by position (read_csv's `types`); the others are inferred. Parsed as `columns`'.
    public var types: [CSVColumnType] = []
    /// Names replacing the first `names.count` column names (read_csv's `names`).
    public var names: [String] = []
    /// The byte that ends a field: `,` (kuai-convert), another single byte (read_csv's `delim`),
    /// or nil to detect it as DuckDB's sniffer does (`CSVDialect.detectDelimiter`).
    public var delimiter: UInt8? = CSVByte.comma
    /// The bytes after the first of a delimiter of 2 to 4 bytes (read_csv's `delim = '||'`; the
    /// first is `delimiter`); such a file is parsed on the general path only.
    public var delimiterTail: [UInt8] = []
    /// The byte that quotes a field (read_csv's `quote`).
    public var quote: UInt8 = CSVByte.quote
    /// The byte that escapes the next one inside quotes (read_csv's `escape`; the quote itself:
    /// a doubled quote).
    public var escape: UInt8 = CSVByte.quote
    /// The byte that starts a comment (read_csv's `comment`; nil: none): `CSVSyntax.comment`.
    public var comment: UInt8? = nil

    /// The structure bytes of these options (a comma when the delimiter is still to be detected).
    var syntax: CSVSyntax {
        var s = CSVSyntax(delimiter: delimiter ?? CSVByte.comma)
        s.delimiterTail = delimiter == nil ? [] : delimiterTail
        s.quote = quote
        s.escape = escape
        s.comment = comment
        return s
    }
    /// Every inferred column is VARCHAR (read_csv's `all_varchar`); given types still apply.
    public var allVarchar = false
    /// How fields read as values: read_csv's `nullstr`, `decimal_separator`, `dateformat` and
    /// `timestampformat`, for the type sample and the parser alike.
    public var values = CSVValueFormat()
    /// Rewrites each non-empty header name before names are made unique (read_csv's
    /// `normalize_names`); nil keeps them as written (trimmed).
    public var normalizeName: (@Sendable (String) -> String)? = nil
    /// Rows to read at most (nil: all): reading stops once they are delivered, and a bad row
    /// after them is not met (a LIMIT over the file, as DuckDB streams it).
    public var rowLimit: Int? = nil
    /// The columns each batch carries (ascending 0-based indexes into the file's columns; nil: all).
    /// The fields of the others are scanned for the record's shape (quotes, field count) but not
    /// converted, so a value that would not read as its column's type is no error there (projection
    /// pushdown, as DuckDB reads only the columns a query uses). The schema given to `onSchema`
    /// still has every column.
    public var projection: [Int]? = nil

    public init() {}
}

/// A column type given for one column of a CSV (`CSVReadOptions.types`).
public enum CSVColumnType: Sendable, Equatable {
    /// The column of this name (case-insensitive).
    case named(String, DataType)
    /// The column at this 0-based position.
    case position(Int, DataType)
}

/// One bad row skipped with `skipBadRows`: `location` is "path:line:column" (1-based).
public struct CSVReject: Sendable, Equatable {
    public var location: String
    /// What is wrong, naming the column and its type (`column "user_id" (BIGINT): expected ...`).
    public var reason: String
    /// The record's text, cut around the bad field (control characters escaped, one line).
    public var line: String
}

/// What reading one CSV file produced.
public struct CSVReadStats: Sendable {
    public var schema: Schema
    public var rows: Int
    public var rejected: Int
    /// Size of the file in bytes.
    public var csvBytes: Int
}

/// Reads one CSV file into batches: header, schema (KuaiLive or inferred), then parallel
/// chunk parsing with results delivered in file order.
public enum CSVTableReader {
    /// Streams the rows of the CSV at `path` as table `table`.
    ///
    /// Calls `onSchema` once (before any batch) with the schema and the file size, then
    /// `onBatch` with batches in file order (each at most `options.batchRows` rows), `onReject`
    /// for each skipped bad row (only with `skipBadRows`), and `onProgress(bytesDone, fileBytes)`
    /// after each chunk. All callbacks run on the calling thread.
    /// - Throws: `KuaiError.csv` at "path:line:column" for malformed input (the first bad row
    ///   when not skipping), `.io` when the file cannot be opened or read; errors thrown by the
    ///   callbacks are rethrown. Background work is finished before it returns or throws.
    public static func read(
        path: String, table: String, options: CSVReadOptions = CSVReadOptions(),
        onSchema: (Schema, Int) throws -> Void,
        onBatch: (Batch) throws -> Void,
        onReject: (CSVReject) throws -> Void = { _ in },
        onProgress: (Int, Int) -> Void = { _, _ in }
    ) throws -> CSVReadStats {
        try read(
            path: path, table: table, options: options, onDeclared: { _ in }, onSchema: onSchema, onBatch: onBatch,
            onReject: onReject, onProgress: onProgress)
    }

    /// `read`, calling `onDeclared` just before `onSchema` with each column's declared type: the type
    /// `options.columns` or `options.types` gives it, else its type in the schema.
    static func read(
        path: String, table: String, options: CSVReadOptions, onDeclared: ([DataType]) throws -> Void,
        onSchema: (Schema, Int) throws -> Void, onBatch: (Batch) throws -> Void,
        onReject: (CSVReject) throws -> Void, onProgress: (Int, Int) -> Void
    ) throws -> CSVReadStats {
        let (fd, fileBytes) = try openRegularFile(path)
        defer { close(fd) }
        var options = options
        if options.delimiter == nil {
            options.delimiter = try CSVDialect.detectDelimiter(
                fd: fd, path: path, skipLines: options.skipLines, syntax: options.syntax)
        }
        let syntax = options.syntax
        let chunkBytes = max(options.chunkBytes, 16)
        let pool = ChunkBufferPool(standardCapacity: chunkBytes, keep: options.workers + 1)
        let reader = ChunkReader(
            fd: fd, path: path, chunkBytes: chunkBytes, maxRecordBytes: options.maxRecordBytes, pool: pool,
            syntax: syntax)
        var extractor = FieldExtractor(syntax: syntax)
        defer { extractor.deallocate() }
        let (first, header, rawNames) = try readHeader(reader, path: path, options: options, extractor: &extractor)

        let schema: Schema
        /// The type given for each column (nil: inferred or known), named in errors.
        var declared: [DataType?] = []
        first.start = header.next
        var pending = [first]
        /// Lines before the first data record (skipped lines, and the header's when there is one).
        var linesBefore = header.skipped + header.record.lines
        if let known = KuaiLiveSchema.schema(for: table) {
            if let m = KuaiLiveSchema.headerMismatch(rawNames, expected: known) {
                throw KuaiError(.csv, "\(m.reason) (table '\(table)')", at: "\(path):1:\(m.column)")
            }
            schema = known
        } else {
            let given = options.columns
            if let given, given.count != rawNames.count {
                throw KuaiError(
                    .csv,
                    "columns gives \(given.count) column\(given.count == 1 ? "" : "s"), but the file's records have \(rawNames.count) field\(rawNames.count == 1 ? "" : "s")",
                    at: "\(path):\(header.skipped + 1):1")
            }
            var types =
                try given?.map { parsedType(for: $0.type) }
                ?? sampleTypes(
                    reader, columns: rawNames.count, from: options.header == false ? header.start : header.next,
                    pending: &pending, options: options, extractor: &extractor)
            let hasHeader =
                options.header
                ?? hasHeader(
                    header.record.fields, rawNames, types: types, givenNames: given?.map(\.name), format: options.values
                )
            if !hasHeader {
                first.start = header.start
                linesBefore = header.skipped
            }
            var names =
                given?.map(\.name)
                ?? (hasHeader
                    ? TypeInference.columnNames(
                        rawNames.map { raw in
                            raw.isEmpty ? raw : options.normalizeName?(raw) ?? TypeInference.trimmedName(raw)
                        })
                    : TypeInference.columnNames([String](repeating: "", count: rawNames.count)))
            if options.allVarchar && given == nil { types = types.map { _ in .varchar } }
            try applyNames(options.names, to: &names, path: path)
            declared = given?.map(\.type) ?? [DataType?](repeating: nil, count: types.count)
            try applyTypes(options.types, to: &types, declared: &declared, names: names, path: path)
            schema = zip(names, types).map { Field($0, $1) }
        }
        try onDeclared(zip(schema, declared + repeatElement(nil, count: schema.count)).map { $1 ?? $0.type })
        try onSchema(schema, fileBytes)
        options.projection = options.projection.map { Array(Set($0.filter { $0 >= 0 && $0 < schema.count })).sorted() }

        let pipeline = ParsePipeline(reader: reader, pending: pending, schema: schema, options: options)
        pipeline.startWorkers()
        defer { pipeline.cancelAndJoin() }

        var rows = 0
        var rejected = 0
        let inferred = KuaiLiveSchema.schema(for: table) == nil
        let givenTypes = declared
        // What an error says: the column by name and type, then the reason; the message adds the line.
        func reason(_ r: LocalReject) -> String {
            guard let f = r.field, f < schema.count else { return r.reason }
            if f < givenTypes.count, let t = givenTypes[f] {
                return "column \"\(schema[f].name)\" (\(t), given): \(r.reason)"
            }
            return "column \"\(schema[f].name)\" (\(schema[f].type)\(inferred ? ", inferred" : "")): \(r.reason)"
        }
        func message(_ r: LocalReject, _ prefix: String = "") -> String { prefix + reason(r) + "\n  line: " + r.text }
        while true {
            switch pipeline.take() {
            case .end:
                return CSVReadStats(schema: schema, rows: rows, rejected: rejected, csvBytes: fileBytes)
            case .failed(let e):
                throw e
            case .parsed(let chunk, let fileEnd, let oversized):
                let location = { (line: Int, column: Int) in "\(path):\(linesBefore + line + 1):\(column)" }
                if let limit = options.rowLimit, rows + chunk.rows >= limit, !oversized {
                    // the rows wanted end before this chunk's first bad row (if any): the rest is not read
                    var left = limit - rows
                    for b in chunk.batches where left > 0 {
                        let keep = min(left, b.count)
                        try onBatch(b.slice(0..<keep))
                        left -= keep
                    }
                    return CSVReadStats(schema: schema, rows: limit, rejected: rejected, csvBytes: fileBytes)
                }
                for r in chunk.rejects {
                    if oversized {
                        throw KuaiError(
                            .csv, message(r, "a record longer than \(options.maxRecordBytes) bytes: "),
                            at: location(r.line, r.column))
                    }
                    if !options.skipBadRows || chunk.stopped {
                        throw KuaiError(.csv, message(r), at: location(r.line, r.column))
                    }
                    try onReject(CSVReject(location: location(r.line, r.column), reason: reason(r), line: r.text))
                    rejected += 1
                }
                if oversized {
                    throw KuaiError(
                        .csv, "a record longer than \(options.maxRecordBytes) bytes", at: "\(path):\(linesBefore + 1)")
                }
                for b in chunk.batches { try onBatch(b) }
                rows += chunk.rows
                linesBefore += chunk.lines
                onProgress(fileEnd, fileBytes)
            }
        }
    }

    /// Opens `path` for reading; returns the descriptor (the caller closes it) and the file size in bytes.
    /// - Throws: `KuaiError.io` when it cannot be opened or is not a regular file.
    static func openRegularFile(_ path: String) throws -> (fd: Int32, bytes: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            let what = e == ENOENT ? "no such file" : String(cString: strerror(e))
            throw KuaiError(.io, "cannot open CSV file: \(what)", at: path)
        }
        var st = stat()
        if fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) != S_IFREG {
            close(fd)
            throw KuaiError(.io, "not a regular file", at: path)
        }
        return (fd, Int(st.st_size))
    }

    /// The first record of a file (the header, or the first data row without one).
    struct FirstRecord {
        /// Its fields.
        var record: SplitRecord
        /// Its offset in the first chunk.
        var start: Int
        /// The offset just past it.
        var next: Int { record.next }
        /// Lines skipped before it (`CSVReadOptions.skipLines`).
        var skipped: Int
    }

    /// The first chunk and its first record (after a UTF-8 byte order mark and `options.skipLines`
    /// lines), with the record's fields as raw column names.
    /// - Throws: `KuaiError.csv` at "path:line:column" for an empty file (or nothing after the skipped
    ///   lines), an empty, oversized, binary or malformed first line.
    static func readHeader(
        _ reader: ChunkReader, path: String, options: CSVReadOptions, extractor: inout FieldExtractor
    ) throws -> (first: ChunkBuffer, header: FirstRecord, names: [String]) {
        guard let first = try reader.next() else {
            throw KuaiError(.csv, "empty file: expected a header line naming the columns", at: "\(path):1:1")
        }
        let base = UnsafePointer(first.base)
        var start = 0
        if first.count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { start = 3 }
        if reader.eof && reader.bytesRead == start {
            throw KuaiError(.csv, "empty file: expected a header line naming the columns", at: "\(path):1:1")
        }
        var skipped = 0
        while skipped < options.skipLines {
            guard start < first.count,
                let e = RecordScanner.recordEnd(base, from: start, to: first.count, syntax: extractor.syntax)
            else {
                throw KuaiError(
                    .csv,
                    start >= first.count && reader.eof
                        ? "nothing left after skipping \(options.skipLines) line\(options.skipLines == 1 ? "" : "s")"
                        : "skip = \(options.skipLines) reaches past the first \(first.count) bytes of the file",
                    at: "\(path):\(skipped + 1):1")
            }
            for i in start..<e where base[i] == CSVByte.lf { skipped += 1 }
            start = e
        }
        // comment lines before the header (read_csv's `comment`)
        if let comment = options.comment {
            while start < first.count && ChunkParser.isCommentLine(base, start, first.count, comment),
                let e = RecordScanner.recordEnd(base, from: start, to: first.count, syntax: extractor.syntax)
            {
                skipped += 1
                start = e
            }
        }
        let line = skipped + 1
        if start >= first.count {
            throw KuaiError(.csv, "nothing left after skipping \(skipped) lines", at: "\(path):\(line):1")
        }
        let headerEnd =
            RecordScanner.recordEnd(base, from: start, to: first.count, syntax: extractor.syntax) ?? first.count
        if first.oversized {
            throw KuaiError(
                .csv, "header line longer than \(options.maxRecordBytes) bytes (unterminated quoted field?)",
                at: "\(path):\(line):1")
        }
        if isBinary(base + start, headerEnd - start) {
            throw KuaiError(
                .csv, "not a CSV text file: the header line holds binary data (NUL bytes or invalid UTF-8)",
                at: "\(path):\(line):1")
        }
        let header = splitRecord(base, at: start, end: first.count, extractor: &extractor)
        if let e = header.error {
            throw KuaiError(.csv, "in the header: \(e.reason)", at: "\(path):\(line):\(e.field + 1)")
        }
        let rawNames = header.fields.map { String(decoding: $0, as: UTF8.self) }
        if rawNames.count == 1 && rawNames[0].isEmpty {
            throw KuaiError(.csv, "empty header line: expected the column names", at: "\(path):\(line):1")
        }
        // A one-column header holding another delimiter, when the delimiter was given (kuai-convert
        // reads commas; read_csv detects the delimiter unless told): an error saying so, instead of
        // every line as one VARCHAR (issue 13).
        if rawNames.count == 1,
            let d = [(";", "';'"), ("\t", "tab"), ("|", "'|'"), (",", "','")].first(where: {
                rawNames[0].contains($0.0)
            })
        {
            throw KuaiError(
                .csv,
                "the header is a single column holding \(d.1) characters: the file looks \(d.1)-separated, not \(describeByte(extractor.delimiter))-separated (read_csv detects the delimiter when delim is not given; kuai-convert reads comma-separated files only)",
                at: "\(path):\(line):1")
        }
        return (first, FirstRecord(record: header, start: start, skipped: skipped), rawNames)
    }

    /// Whether the first record names the columns, as DuckDB 2.0.1's sniffer decides when `header`
    /// is not given: with `givenNames` (read_csv's `columns`), yes when its fields (`text`: the same
    /// as strings) are those names; otherwise (and without them) yes when every column's type is
    /// VARCHAR, when every field of the record is empty, or when a field does not read as its
    /// column's type (`types`: the sampled or given types); no when every field reads as its
    /// column's type.
    static func hasHeader(
        _ fields: [[UInt8]], _ text: [String], types: [DataType], givenNames: [String]?,
        format: CSVValueFormat = CSVValueFormat()
    ) -> Bool {
        if let givenNames, givenNames == text { return true }
        if types.allSatisfy({ $0 == .varchar }) { return true }
        if givenNames == nil && fields.allSatisfy(\.isEmpty) { return true }
        for (f, t) in zip(fields, types) where !f.isEmpty && t != .varchar {
            let reads = f.withUnsafeBufferPointer {
                TypeInference.reads($0.baseAddress!, $0.count, as: t, format: format.isDefault ? nil : format)
            }
            if !reads { return true }
        }
        return false
    }

    /// Replaces the first `given.count` of `names` (read_csv's `names`).
    /// - Throws: `KuaiError.binding` for more names than columns or a repeated name (DuckDB's checks).
    static func applyNames(_ given: [String], to names: inout [String], path: String) throws {
        if given.isEmpty { return }
        if given.count > names.count {
            throw KuaiError(
                .binding,
                "read_csv: \(given.count) names were given, but the CSV file has \(names.count) column\(names.count == 1 ? "" : "s")",
                at: path)
        }
        for (i, n) in given.enumerated() {
            if given[..<i].contains(n) {
                throw KuaiError(.binding, "read_csv \"names\" must have unique values. \"\(n)\" is repeated.", at: path)
            }
            names[i] = n
        }
    }

    /// Sets the types given by name or position (read_csv's `types`): `declared` to each, `types` to
    /// the type the parser reads it as.
    /// - Throws: `KuaiError.binding` naming a column the file does not have, or a position past its last.
    static func applyTypes(
        _ given: [CSVColumnType], to types: inout [DataType], declared: inout [DataType?], names: [String], path: String
    ) throws {
        var missing: [String] = []
        for g in given {
            switch g {
            case .named(let n, let t):
                if let i = names.firstIndex(where: { $0.lowercased() == n.lowercased() }) {
                    types[i] = parsedType(for: t)
                    declared[i] = t
                } else {
                    missing.append("\"\(n)\"")
                }
            case .position(let i, let t):
                guard i < types.count else {
                    throw KuaiError(
                        .binding,
                        "read_csv: \(i + 1) types were provided, but CSV file only has \(types.count) column\(types.count == 1 ? "" : "s")",
                        at: path)
                }
                types[i] = parsedType(for: t)
                declared[i] = t
            }
        }
        if !missing.isEmpty {
            throw KuaiError(
                .binding,
                "COLUMN_TYPES error: Columns with names: \(missing.joined(separator: ",")) do not exist in the CSV File",
                at: path)
        }
    }

    /// The type the parser reads a column declared `type` as: the type itself for BIGINT, DOUBLE,
    /// DATE, TIMESTAMP, TIME, BOOLEAN and VARCHAR; BIGINT for the narrower integers (the caller
    /// casts, which checks the range); VARCHAR for every other type (the caller casts the text).
    public static func parsedType(for type: DataType) -> DataType {
        switch type {
        case .bigint, .double, .date, .timestamp, .time, .boolean, .varchar: return type
        case .integer, .smallint, .tinyint: return .bigint
        default: return .varchar
        }
    }

    /// The inferred type of each column (TypeInference's rule) over the first `options.sampleRows`
    /// well-formed data rows, read from the first chunks (at most max(chunkBytes, 16 MiB) of the file)
    /// starting at `pos` in the last chunk of `pending`; chunks read here are appended to `pending` for
    /// the parser. Blank lines and rows of the wrong width are skipped. A record's fields are copied
    /// into one reused buffer (quoted fields are unescaped into the extractor's scratch, which the next
    /// field overwrites) and judged once the record is known to be well formed.
    static func sampleTypes(
        _ reader: ChunkReader, columns: Int, from pos0: Int, pending: inout [ChunkBuffer], options: CSVReadOptions,
        extractor: inout FieldExtractor
    ) throws -> [DataType] {
        var guesses = [TypeInference.ColumnGuess](repeating: TypeInference.ColumnGuess(), count: columns)
        let format: CSVValueFormat? = options.values.isDefault ? nil : options.values
        let empty = UnsafeMutablePointer<UInt8>.allocate(capacity: 8)
        defer { empty.deallocate() }
        var record = RecordFields()
        var taken = 0
        var chunk = pending[pending.count - 1]
        var pos = pos0
        var sampledBytes = 0
        sampling: while taken < options.sampleRows {
            let b = UnsafePointer(chunk.base)
            while pos < chunk.count && taken < options.sampleRows {
                if columns > 1
                    && (b[pos] == CSVByte.lf
                        || (b[pos] == CSVByte.cr && pos + 1 < chunk.count && b[pos + 1] == CSVByte.lf))
                {
                    pos =
                        RecordScanner.recordEnd(b, from: pos, to: chunk.count, syntax: extractor.syntax)
                        ?? chunk.count
                    continue
                }
                let wellFormed = record.split(b, at: pos, end: chunk.count, extractor: &extractor)
                pos = record.next
                if !wellFormed || record.count != columns { continue }
                var settled = 0
                record.bytes.withUnsafeBufferPointer { bytes in
                    for c in 0..<columns {
                        let (start, end) = (record.ends[c], record.ends[c + 1])
                        let p = end > start ? bytes.baseAddress! + start : UnsafePointer(empty)
                        // NULL fields (empty ones, or read_csv's nullstr) do not change a type
                        if !guesses[c].settled && !(format?.isNull(p, end - start) ?? (end == start)) {
                            guesses[c].observe(p, end - start, row: taken, format: format)
                        }
                        if guesses[c].settled { settled += 1 }
                    }
                }
                taken += 1
                // Every column is VARCHAR already: more rows cannot change a type.
                if settled == columns { break sampling }
            }
            sampledBytes += chunk.count
            let chunkLimit = max(max(options.chunkBytes, 16), 16 << 20)
            if taken >= options.sampleRows || sampledBytes >= chunkLimit || chunk.oversized { break }
            guard let next = try reader.next() else { break }
            pending.append(next)
            chunk = next
            pos = 0
        }
        return guesses.map(\.type)
    }

    /// The schema `read` would give the file (the KuaiLive schema for its table, else the inferred
    /// one), and each column's declared type (the type `options.columns` / `options.types` gives
    /// it, which the caller casts the parsed column to, else the schema's), from the header and
    /// the type sample only: no row after the sample is parsed.
    /// - Throws: as `read` does before its first batch (unreadable file, bad header, a bad record in
    ///   the sample's chunks is skipped there as in `read`).
    public static func schema(path: String, table: String, options: CSVReadOptions = CSVReadOptions()) throws
        -> (schema: Schema, declared: [DataType])
    {
        struct Sniffed: Error { let schema: Schema }
        var declared: [DataType] = []
        do {
            let schema = try read(
                path: path, table: table, options: options, onDeclared: { declared = $0 },
                onSchema: { s, _ in throw Sniffed(schema: s) }, onBatch: { _ in }, onReject: { _ in },
                onProgress: { _, _ in }
            ).schema
            return (schema, declared)
        } catch let sniffed as Sniffed {
            return (sniffed.schema, declared)
        }
    }

    /// About how many records the file at `path` holds: its size over the mean length of the lines
    /// in its first 64 KiB (1 for an empty or unreadable file). Reads no more than that.
    public static func estimatedRecords(path: String) -> Int {
        guard let (fd, bytes) = try? openRegularFile(path) else { return 1 }
        defer { close(fd) }
        let n = min(bytes, 1 << 16)
        guard n > 0 else { return 1 }
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
        defer { buffer.deallocate() }
        let got = pread(fd, buffer, n, 0)
        guard got > 0 else { return 1 }
        let lines = RecordScanner.countLF(buffer, from: 0, to: got)
        return lines == 0 ? 1 : max(1, Int((Double(bytes) * Double(lines) / Double(got)).rounded()))
    }

    /// Reads a whole CSV into memory (for tests and small files).
    /// - Returns: the schema, the batches in file order, and the skipped rows.
    public static func readAll(path: String, table: String, options: CSVReadOptions = CSVReadOptions()) throws
        -> (schema: Schema, batches: [Batch], rejects: [CSVReject])
    {
        var schema: Schema = []
        var batches: [Batch] = []
        var rejects: [CSVReject] = []
        _ = try read(
            path: path, table: table, options: options,
            onSchema: { s, _ in schema = s },
            onBatch: { batches.append($0) },
            onReject: { rejects.append($0) })
        return (schema, batches, rejects)
    }
}
