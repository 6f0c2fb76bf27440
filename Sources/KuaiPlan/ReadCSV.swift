import KuaiCore
import KuaiExec
import KuaiIngest
import KuaiParquet
import KuaiSQL

/// `read_csv(path, header = true, ...)` and `FROM 'x.csv'`: the file read with kuai-convert's CSV
/// reader (its type inference, `TypeInference`: BOOLEAN, TIME, DATE, TIMESTAMP, BIGINT, DOUBLE, else
/// VARCHAR; empty fields NULL; errors at `file:line:column`), its schema when bound and its rows when
/// first scanned (`CSVFileTable`), held in memory for the query.
///
/// `path` may be a glob (`dir/*.csv`) or a list of paths: the files are read one after the other
/// as one table, as DuckDB 2.0.1 reads them: the columns are the first file's (every file must
/// have the same names, else an error), or with `union_by_name` every name met, in order of first
/// appearance, NULL in a file without it; a column's type is the one type every file's sniffed type
/// widens to (BIGINT and DOUBLE to DOUBLE, DATE and TIMESTAMP to TIMESTAMP, else VARCHAR).
enum ReadCSV {
    static let function = TableFunction(
        names: ["read_csv", "read_csv_auto"], fileSuffixes: [".csv", ".tsv"], bind: bind, takesLists: true)

    /// Every named argument read_csv takes.
    static let arguments = [
        "header", "auto_detect", "delim", "sep", "sample_size", "skip", "names", "column_names", "types", "dtypes",
        "column_types", "columns", "all_varchar", "nullstr", "dateformat", "timestampformat", "decimal_separator",
        "ignore_errors", "normalize_names", "filename", "union_by_name", "quote", "escape", "comment", "new_line",
    ]

    @Sendable static func bind(_ args: TableFunctionArguments) throws -> TableSource {
        try args.rejectUnknown(arguments)
        if args.positional.count > 1 {
            throw KuaiError(
                .binding, "read_csv takes one file name, glob or list of them", at: args.position.description)
        }
        let paths = try files(args)
        var options = CSVReadOptions()
        (options.delimiter, options.delimiterTail) = try delimiter(args)
        try syntax(args, into: &options)
        options.header = try args.bool("header")
        if case .int(let n)? = args.named["sample_size"], n > 0 { options.sampleRows = Int(n) }
        if let n = try args.int("skip") {
            guard n >= 0 else { throw args.error("skip", "must be 0 or more") }
            options.skipLines = Int(n)
        }
        options.allVarchar = try args.bool("all_varchar") ?? false
        options.skipBadRows = try args.bool("ignore_errors") ?? false
        options.values = try valueFormat(args)
        try names(args, into: &options)
        if try args.bool("normalize_names") == true {
            options.normalizeName = { Self.normalized($0) }
        }
        var filename: String? = nil
        if let v = args.named["filename"] {
            switch v {
            case .bool(let b): filename = b ? "filename" : nil
            case .string(let s): filename = s
            default: throw args.error("filename", "must be true, false or a column name")
            }
        }
        let file = paths[0].split(separator: "/").last.map(String.init) ?? paths[0]
        let stem = file.firstIndex(of: ".").map { String(file[..<$0]) } ?? file
        return try CSVFileTable(
            name: stem.isEmpty ? file : stem, paths: paths, options: options,
            unionByName: try args.bool("union_by_name") ?? false, filenameColumn: filename)
    }

    /// The files named by the first argument: a path, a glob (its matches, sorted), or a list of them.
    /// - Throws: `KuaiError.io` for a glob that matches nothing or an empty list; `.binding` for an
    ///   argument that is not a string or list of strings.
    static func files(_ args: TableFunctionArguments) throws -> [String] {
        let given: [Value]
        if let list = args.positionalLists[0] {
            given = list
        } else {
            given = [.string(try args.string(at: 0, "a file name"))]
        }
        if given.isEmpty {
            throw KuaiError(.io, "\"\(args.function)\" needs at least one file to read", at: args.position.description)
        }
        var paths: [String] = []
        for v in given {
            guard case .string(let p) = v else {
                throw KuaiError(.binding, "\(args.function) needs file names as strings", at: args.position.description)
            }
            paths += ParquetGlob.hasWildcard(p) ? try ParquetGlob.expand(p) : [p]
        }
        return paths
    }

    /// The delimiter: given (one to four bytes, as the first and the others; '\t' written as two
    /// characters is a tab, as DuckDB reads it), else nil (detected, `CSVDialect`).
    /// - Throws: `KuaiError.binding` for both `delim` and `sep`, or a delimiter DuckDB refuses.
    static func delimiter(_ args: TableFunctionArguments) throws -> (UInt8?, [UInt8]) {
        let delimKeys = ["delim", "sep"].filter(args.has)
        if delimKeys.count > 1 { throw args.error("sep", "and delim cannot both be given") }
        guard let key = delimKeys.first, let d = try args.string(key) else { return (nil, []) }
        let bytes = d == "\\t" ? [UInt8(ascii: "\t")] : Array(d.utf8)
        if bytes.count > 4 { throw args.error(key, "cannot exceed a size of 4 bytes (found '\(d)')") }
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 < 0x80 && $0 != 0x0A && $0 != 0x0D }),
            !"\"0123456789-+".utf8.contains(bytes[0])
        else {
            throw args.error(
                key,
                "must be 1 to 4 characters, not a line end, not starting with a quote, a digit, - or + (found '\(d)')")
        }
        return (bytes[0], Array(bytes.dropFirst()))
    }

    /// `quote`, `escape`, `comment` and `new_line`.
    /// - Throws: `KuaiError.binding` for a value longer than one byte (DuckDB's limit), an empty
    ///   quote (fields without quoting: not supported), a byte used twice, a line end other than LF
    ///   or CRLF (kuai reads both, and no other).
    static func syntax(_ args: TableFunctionArguments, into options: inout CSVReadOptions) throws {
        func byte(_ key: String) throws -> UInt8?? {
            guard let s = try args.string(key) else { return nil }
            let bytes = Array(s.utf8)
            if bytes.count > 1 { throw args.error(key, "cannot exceed a size of 1 byte (found '\(s)')") }
            return .some(bytes.first)
        }
        if let q = try byte("quote") {
            guard let q else { throw args.error("quote", "cannot be empty: kuai's CSV reader always reads quotes") }
            options.quote = q
            options.escape = q
        }
        if let e = try byte("escape") { options.escape = e ?? options.quote }
        if let c = try byte("comment") { options.comment = c }
        if let d = options.delimiter {
            let delimiterBytes = [d] + options.delimiterTail
            let given: [(String, UInt8?)] = [
                ("quote", options.quote), ("escape", options.escape), ("comment", options.comment),
            ]
            for (key, b) in given where args.has(key) {
                if let b, delimiterBytes.contains(b) {
                    throw args.error(key, "must not appear in the delimiter (\(describe(b)))")
                }
            }
        }
        if let n = try args.string("new_line"), !["\n", "\r\n", "\\n", "\\r\\n"].contains(n) {
            throw args.error("new_line", "must be '\\n' or '\\r\\n': kuai reads records ending in LF or CRLF")
        }
    }

    /// A byte as messages show it.
    private static func describe(_ b: UInt8) -> String {
        b >= 0x20 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : "0x\(String(b, radix: 16))"
    }

    /// `nullstr`, `decimal_separator`, `dateformat` and `timestampformat`.
    /// - Throws: `KuaiError.binding` for a value of the wrong kind (DuckDB's binder errors), `.execution`
    ///   for a format with a specifier strptime does not know (DuckDB's "Could not parse DATEFORMAT").
    static func valueFormat(_ args: TableFunctionArguments) throws -> CSVValueFormat {
        var format = CSVValueFormat()
        if args.has("nullstr") {
            if let list = args.namedLists["nullstr"] {
                guard !list.isEmpty else {
                    throw args.error("nullstr", "requires a non-empty list of possible null strings (varchar) as input")
                }
                format.nullStrings = try list.map {
                    guard case .string(let s) = $0 else {
                        throw args.error("nullstr", "requires a list of strings (found \($0))")
                    }
                    return Array(s.utf8)
                }
            } else if case .string(let s)? = args.named["nullstr"] {
                format.nullStrings = [Array(s.utf8)]
            } else {
                throw args.error("nullstr", "requires a string or a list as input")
            }
        }
        if let s = try args.string("decimal_separator") {
            guard s == "." || s == "," else { throw args.error("decimal_separator", "should be '.' or ','") }
            format.decimalSeparator = Array(s.utf8)[0]
        }
        for key in ["dateformat", "timestampformat"] {
            guard let text = try args.string(key) else { continue }
            let strptime: StrptimeFormat
            do {
                strptime = try StrptimeFormat(text)
            } catch let e as KuaiError {
                throw KuaiError(
                    .execution, "Could not parse \(key.uppercased()): \(e.message)",
                    at: (args.namedPositions[key] ?? args.position).description)
            }
            let f = CSVTemporalFormat(text: text) { strptime.parse($0) }
            if key == "dateformat" { format.dateFormat = f } else { format.timestampFormat = f }
        }
        return format
    }

    /// `names` / `column_names`, `types` / `dtypes` / `column_types` and `columns` into `options`.
    /// - Throws: `KuaiError.binding` for arguments given twice or of the wrong shape (DuckDB's errors).
    static func names(_ args: TableFunctionArguments, into options: inout CSVReadOptions) throws {
        let nameKeys = ["names", "column_names"].filter(args.has)
        if nameKeys.count > 1 || (!nameKeys.isEmpty && args.has("columns")) {
            throw args.error(
                nameKeys[0], "can only be supplied once (names, column_names and columns all name the columns)")
        }
        if let key = nameKeys.first {
            guard let list = args.namedLists[key] else { throw args.error(key, "must be a list of names") }
            options.names = list.map(\.description)
        }
        // Types as declared (any type); the reader parses each as `CSVTableReader.parsedType(for:)`
        // and the binder casts the columns whose parsed type differs (`CSVFileTable.declaredTypes`).
        let typeKeys = ["types", "dtypes", "column_types"].filter(args.has)
        if typeKeys.count > 1 || (!typeKeys.isEmpty && args.has("columns")) {
            throw args.error(
                typeKeys[0], "can only be supplied once (types, dtypes, column_types and columns all type the columns)")
        }
        if let key = typeKeys.first {
            if let fields = args.namedStructs[key] {
                options.types = try fields.map { .named($0.name, try typeName($0.value, key, args)) }
            } else if let list = args.namedLists[key] {
                options.types = try list.enumerated().map { .position($0.offset, try typeName($0.element, key, args)) }
            } else {
                throw args.error(key, "must be a STRUCT of column names and types or a list of types")
            }
        }
        if args.has("columns") {
            guard let fields = args.namedStructs["columns"], !fields.isEmpty else {
                throw args.error("columns", "must be a STRUCT of column names and types ({'name': 'TYPE', ...})")
            }
            options.columns = try fields.map { Field($0.name, try typeName($0.value, "columns", args)) }
        }
    }

    /// A type written as a string in read_csv's `types` or `columns` (`'INTEGER'`, `'DECIMAL(9,2)'`).
    /// - Throws: `KuaiError.binding` for a value that is not a string or names no type.
    private static func typeName(_ v: Value, _ key: String, _ args: TableFunctionArguments) throws -> DataType {
        guard case .string(let s) = v else { throw args.error(key, "requires a type specification as string") }
        do {
            return try Parser.parseTypeName(s)
        } catch {
            throw args.error(key, "names an unknown type \"\(s)\"")
        }
    }

    /// A header name as DuckDB 2.0.1's `normalize_names` writes it: letters without their accents
    /// (Unicode NFKD, marks dropped), only ASCII letters, digits and `_` kept, runs of white space
    /// as one `_` (none at the ends), lower case; `_` alone for a name left empty; `_` before a
    /// name starting with a digit or that is a keyword (any of `duckdb_keywords()`).
    static func normalized(_ name: String) -> String {
        var ascii = ""
        for scalar in name.decomposedStringWithCompatibilityMapping.unicodeScalars {
            if scalar == "_" || ("0"..."9").contains(scalar) || ("a"..."z").contains(scalar)
                || ("A"..."Z").contains(scalar)
            {
                ascii.unicodeScalars.append(scalar)
            } else if scalar == " " || ("\t"..."\r").contains(scalar) {
                ascii += " "
            }
        }
        var out = ascii.split(separator: " ").joined(separator: "_").lowercased()
        if out.isEmpty { return "_" }
        if Keywords.isKeyword(out.uppercased()) || out.first!.isASCII && out.first!.isNumber { out = "_" + out }
        return out
    }
}

/// CSV files as one table: its schema from the headers and the type samples when the query is
/// bound (so DESCRIBE reads no more), its rows read once, when the query first asks for them.
///
/// A scan reads only the columns it uses (`projected(_:)`, which the physical planner substitutes
/// for the table): the fields of the others are scanned but not converted, so that, as in DuckDB,
/// `SELECT count(*)` or `SELECT a` answers even where an unread column holds a value its type does
/// not read (`CSVReadOptions.projection`).
///
/// A CSV error met while reading the rows (`file:line:column`) is kept and thrown by the scan
/// (`readColumn`, `checkedBlockRowCount`); until then the table reports one block of one row, so
/// that no plan treats it as empty and no answer is given without the error.
final class CSVFileTable: TableSource, @unchecked Sendable {
    /// One file of the table.
    struct Part: Sendable {
        var path: String
        /// The reader's options for this file (the column types widened to the table's).
        var options: CSVReadOptions
        /// For each column of the table, the file's column holding it (nil: NULL in this file; the
        /// `filename` column is never a file's).
        var columnOf: [Int?]
    }

    let name: String
    let schema: Schema
    private let parts: [Part]
    /// The index in `schema` of read_csv's `filename` column (each row's file path), if asked for.
    private let filenameColumn: Int?
    private let lock = Mutex()
    private var loaded: Result<MemoryTable, Error>?
    /// The tables of `projected(_:)`, by their columns (one read per set of columns).
    private var projections: [[Int]: CSVFileTable] = [:]
    /// The type each column is declared (read_csv's `types` / `columns`), where it differs from
    /// the parsed one in `schema` the binder casts the column (`Binder.bindTableFunction`).
    let declaredTypes: [DataType]

    /// Rows the table holds at most (nil: every row of the files): a LIMIT over the scan reads only
    /// that many (`prefix(rows:)`).
    let rowLimit: Int?
    /// The columns read (ascending indexes into `schema`; nil: all); `readColumn` of another throws.
    let projection: [Int]?
    /// A row count for plan choices made before any row is read (`estimatedRows`): each file's size
    /// over the mean length of its first lines.
    private let sizeEstimate: Int

    /// - Parameters:
    ///   - paths: the files, read in this order (at least one).
    ///   - unionByName: columns matched by name across files (read_csv's `union_by_name`), else by
    ///     position with the same names.
    ///   - filenameColumn: the name of a last column holding each row's file path, if wanted.
    /// - Throws: `KuaiError.io` / `.csv` for a file that cannot be opened or whose header is bad, or
    ///   files whose columns differ (without `unionByName`).
    init(name: String, paths: [String], options: CSVReadOptions, unionByName: Bool, filenameColumn: String?)
        throws
    {
        self.name = name
        rowLimit = nil
        projection = nil
        let sniffed = try paths.map { try CSVTableReader.schema(path: $0, table: "", options: options) }
        // the table's columns: the first file's, or every name met (case-insensitive)
        var names: [String] = []
        var types: [DataType] = []
        /// a type `types` / `columns` gives a column, where it differs from the parsed one
        var given: [DataType?] = []
        var columnOf: [[Int?]] = []
        for (i, (s, d)) in sniffed.enumerated() {
            var map = [Int?](repeating: nil, count: names.count)
            for (c, f) in s.enumerated() {
                let j: Int
                if unionByName {
                    j = names.firstIndex { $0.lowercased() == f.name.lowercased() } ?? names.count
                } else {
                    j = c
                    if i > 0 && (s.count != names.count || names[c].lowercased() != f.name.lowercased()) {
                        throw Self.mismatch(paths[0], names, paths[i], s)
                    }
                }
                if j == names.count {
                    names.append(f.name)
                    types.append(f.type)
                    given.append(nil)
                    map.append(nil)
                } else {
                    types[j] = Self.widened(types[j], f.type)
                }
                if given[j] == nil && d[c] != f.type { given[j] = d[c] }
                map[j] = c
            }
            columnOf.append(map)
        }
        var declared = zip(given, types).map { $0 ?? $1 }
        parts = paths.indices.map { i in
            var o = options
            // a column read as the wider type of the table (given types keep theirs)
            for (j, c) in columnOf[i].enumerated() {
                guard let c, sniffed[i].schema[c].type != types[j] else { continue }
                o.types.insert(.position(c, types[j]), at: 0)
            }
            return Part(
                path: paths[i], options: o,
                columnOf: columnOf[i] + [Int?](repeating: nil, count: names.count - columnOf[i].count))
        }
        var schema = zip(names, types).map { Field($0, $1) }
        if let filenameColumn {
            self.filenameColumn = schema.count
            schema.append(Field(filenameColumn, .varchar))
            declared.append(.varchar)
        } else {
            self.filenameColumn = nil
        }
        self.schema = schema
        declaredTypes = declared
        sizeEstimate = paths.reduce(0) { $0 + CSVTableReader.estimatedRecords(path: $1) }
    }

    private init(_ whole: CSVFileTable, rowLimit: Int?, projection: [Int]?) {
        name = whole.name
        parts = whole.parts
        filenameColumn = whole.filenameColumn
        schema = whole.schema
        declaredTypes = whole.declaredTypes
        sizeEstimate = whole.sizeEstimate
        self.rowLimit = rowLimit
        self.projection = projection
    }

    /// The type two files' sniffed types of one column widen to: the same type, DOUBLE for BIGINT
    /// and DOUBLE, TIMESTAMP for DATE and TIMESTAMP, else VARCHAR.
    static func widened(_ a: DataType, _ b: DataType) -> DataType {
        if a == b { return a }
        switch (a, b) {
        case (.bigint, .double), (.double, .bigint): return .double
        case (.date, .timestamp), (.timestamp, .date): return .timestamp
        default: return .varchar
        }
    }

    /// DuckDB's error for a file whose columns are not the first file's.
    static func mismatch(_ first: String, _ names: [String], _ path: String, _ s: Schema) -> KuaiError {
        let missing = names.filter { n in !s.contains { $0.name.lowercased() == n.lowercased() } }
        let what =
            missing.isEmpty
            ? "it has \(s.count) column\(s.count == 1 ? "" : "s") (\(s.map(\.name).joined(separator: ", "))), the first file \(names.count) (\(names.joined(separator: ", ")))"
            : "column\(missing.count == 1 ? "" : "s") \(missing.map { "\"\($0)\"" }.joined(separator: ", ")) missing"
        return KuaiError(
            .csv,
            "Schema mismatch between globbed files: \(path) does not have the columns of \(first): \(what) (union_by_name = true reads them by name)",
            at: path)
    }

    /// The same files cut to their first `rows` rows: reading stops at the first batch that reaches
    /// them, so `SELECT * FROM 'big.csv' LIMIT 10` parses a chunk or two, not the file, and (as in
    /// DuckDB, which stops reading too) a bad row past them is not met.
    func prefix(rows: Int) -> CSVFileTable {
        CSVFileTable(self, rowLimit: min(rows, rowLimit ?? rows), projection: projection)
    }

    /// The same files read for `columns` only (indexes into `schema`, any order, repeats allowed;
    /// empty: only the row count), the same table for the same set of columns. Its schema is still
    /// the whole table's; reading another column throws.
    func projected(_ columns: [Int]) -> CSVFileTable {
        let wanted = Array(Set(columns)).sorted()
        if wanted == projection ?? Array(schema.indices) { return self }
        return lock.withLock {
            if let t = projections[wanted] { return t }
            let t = CSVFileTable(self, rowLimit: rowLimit, projection: wanted)
            projections[wanted] = t
            return t
        }
    }

    /// Rows for choosing join sides: the count once the rows are read, else an estimate from the
    /// files' sizes (no row is read for it).
    var estimatedRows: Int {
        let read = lock.withLock { loaded.flatMap { try? $0.get().rowCount } }
        return read ?? min(rowLimit ?? Int.max, sizeEstimate)
    }

    /// The rows, read on the first call.
    private var rows: Result<MemoryTable, Error> {
        lock.withLock {
            if let loaded { return loaded }
            let r = Result { try read() }
            loaded = r
            return r
        }
    }

    /// Reads the files' rows for the columns of `projection`, each batch one block.
    private func read() throws -> MemoryTable {
        let columns = projection ?? Array(schema.indices)
        let delivered = columns.map { schema[$0] }
        var batches: [Batch] = []
        var left = rowLimit ?? Int.max
        for part in parts where left > 0 {
            var options = part.options
            options.rowLimit = rowLimit == nil ? nil : left
            let fileColumns = Array(Set(columns.compactMap { $0 < part.columnOf.count ? part.columnOf[$0] : nil }))
                .sorted()
            options.projection = fileColumns
            let (_, read, _) = try CSVTableReader.readAll(path: part.path, table: "", options: options)
            let path = StringDictionary([part.path])
            for b in read where b.count > 0 {
                let out = columns.map { j -> Column in
                    if j == filenameColumn {
                        return Column(codes: [Int32](repeating: 0, count: b.count), dictionary: path)
                    }
                    guard let c = part.columnOf[j], let i = fileColumns.firstIndex(of: c) else {
                        return Column.nulls(schema[j].type, count: b.count)
                    }
                    return b.columns[i]
                }
                batches.append(Batch(columns: out, count: b.count))
                left -= b.count
            }
        }
        return MemoryTable(name: name, schema: delivered, batches: batches)
    }

    var rowCount: Int { (try? rows.get())?.rowCount ?? 1 }
    var blockCount: Int { (try? rows.get())?.blockCount ?? 1 }
    func blockRowCount(_ block: Int) -> Int { (try? rows.get())?.blockRowCount(block) ?? 1 }
    func checkedBlockRowCount(_ block: Int) throws -> Int { try rows.get().blockRowCount(block) }
    func zoneMap(column: Int, block: Int) -> ZoneMap? { nil }

    /// Column `column` (an index into `schema`) of `block`.
    /// - Throws: the CSV error met reading the files; `KuaiError.execution` for a column this table
    ///   does not read (a plan that asks for it is wrong).
    func readColumn(_ column: Int, block: Int) throws -> Column {
        guard let projection else { return try rows.get().readColumn(column, block: block) }
        guard let i = projection.firstIndex(of: column) else {
            throw KuaiError(.execution, "internal error: column \(column) of \(name) was not read")
        }
        return try rows.get().readColumn(i, block: block)
    }
}
