import KuaiCore
import KuaiExec
import KuaiIngest
import KuaiSQL

/// The arguments of a table function call, folded to constants when the query is bound.
public struct TableFunctionArguments: Sendable {
    /// The function's name as called (`read_csv`).
    public var function: String
    public var positional: [Value]
    /// The type of each positional argument (a constant's `Value` alone does not tell a TIMESTAMP
    /// from a BIGINT).
    public var positionalTypes: [DataType] = []
    /// Named arguments by lower-cased key (`header`).
    public var named: [String: Value]
    /// Named arguments written as a list of constants (`names = ['a', 'b']`), by lower-cased key.
    public var namedLists: [String: [Value]] = [:]
    /// Named arguments written as a STRUCT literal of constants (`types = {'a': 'INTEGER'}`): the
    /// fields in written order, by lower-cased key.
    public var namedStructs: [String: [(name: String, value: Value)]] = [:]
    /// Where each named argument is written, for errors.
    public var namedPositions: [String: SourcePosition]
    /// Where the call is written.
    public var position: SourcePosition

    /// Throws a binding error naming the first named argument not in `allowed`.
    public func rejectUnknown(_ allowed: [String]) throws {
        let keys = Set(named.keys).union(namedLists.keys).union(namedStructs.keys)
        for key in keys.sorted() where !allowed.contains(key) {
            throw KuaiError(
                .binding,
                "\(function) has no argument \"\(key)\" (supported: \(allowed.joined(separator: ", ")))",
                at: (namedPositions[key] ?? position).description)
        }
    }

    /// The positional argument `index` as a string.
    /// - Throws: `KuaiError.binding` when it is missing or not a string.
    public func string(at index: Int, _ what: String) throws -> String {
        guard index < positional.count, case .string(let s) = positional[index] else {
            throw KuaiError(.binding, "\(function) needs \(what) as a string", at: position.description)
        }
        return s
    }

    /// A named BOOLEAN argument (nil when absent).
    public func bool(_ key: String) throws -> Bool? {
        guard let v = named[key] else { return nil }
        if case .bool(let b) = v { return b }
        if case .int(let i) = v, i == 0 || i == 1 { return i == 1 }
        throw KuaiError(
            .binding, "\(function): \(key) must be true or false", at: (namedPositions[key] ?? position).description)
    }

    /// A named VARCHAR argument (nil when absent).
    public func string(_ key: String) throws -> String? {
        guard let v = named[key] else { return nil }
        if case .string(let s) = v { return s }
        throw error(key, "must be a string")
    }

    /// A named integer argument (nil when absent).
    public func int(_ key: String) throws -> Int64? {
        guard let v = named[key] else { return nil }
        if case .int(let i) = v { return i }
        throw error(key, "must be an integer")
    }

    /// True when the named argument `key` is written, in any form.
    public func has(_ key: String) -> Bool { named[key] != nil || namedLists[key] != nil || namedStructs[key] != nil }

    /// A binding error at the named argument `key`: "<function>: <key> <message>".
    public func error(_ key: String, _ message: String) -> KuaiError {
        KuaiError(.binding, "\(function): \(key) \(message)", at: (namedPositions[key] ?? position).description)
    }
}

/// A function usable in FROM that reads rows from outside the store (`read_csv`).
///
/// To add one (e.g. `read_parquet`), give its names, the file-name suffixes it reads when a path is
/// written as a table (`FROM 'x.parquet'`) and a `bind` that checks the arguments and returns the rows as
/// a `TableSource`, and list it in `TableFunctions.all`.
public struct TableFunction: Sendable {
    /// Names it is called by, lower-case (`read_csv`, `read_csv_auto`).
    public var names: [String]
    /// Lower-case suffixes of file names it reads in `FROM 'path'` (`.csv`).
    public var fileSuffixes: [String]
    /// Checks the arguments and opens the source.
    /// - Throws: `KuaiError.binding` for bad arguments, `.io` / `.csv` for an unreadable file.
    public var bind: @Sendable (TableFunctionArguments) throws -> TableSource
}

/// The table functions the binder knows.
public enum TableFunctions {
    /// Every table function, in lookup order.
    public static let all: [TableFunction] = [
        ReadCSV.function, ReadParquet.function, RangeFunction.range, RangeFunction.generateSeries,
        FunctionListing.function,
    ]

    /// The function called `name` (lower-case), or nil.
    public static func named(_ name: String) -> TableFunction? { all.first { $0.names.contains(name) } }

    /// The function that reads `path` when it is written as a table, by its suffix (case-insensitive).
    public static func reading(path: String) -> TableFunction? {
        let lower = path.lowercased()
        return all.first { f in f.fileSuffixes.contains { lower.hasSuffix($0) } }
    }
}

/// `read_csv(path, header = true, ...)` and `FROM 'x.csv'`: the file read with kuai-convert's CSV
/// reader (its type inference, `TypeInference`: BOOLEAN, TIME, DATE, TIMESTAMP, BIGINT, DOUBLE, else VARCHAR; empty fields NULL; errors at
/// `file:line:column`), its schema when bound and its rows when first scanned (`CSVFileTable`), held in
/// memory for the query.
enum ReadCSV {
    static let function = TableFunction(
        names: ["read_csv", "read_csv_auto"], fileSuffixes: [".csv", ".tsv", ".txt"], bind: bind)

    @Sendable static func bind(_ args: TableFunctionArguments) throws -> TableSource {
        try args.rejectUnknown([
            "header", "auto_detect", "delim", "sep", "sample_size", "skip", "names", "column_names", "types", "dtypes",
            "column_types", "columns", "all_varchar",
        ])
        let path = try args.string(at: 0, "a file name")
        if args.positional.count > 1 {
            throw KuaiError(.binding, "read_csv takes one file name", at: args.position.description)
        }
        var options = CSVReadOptions()
        // the delimiter: given (one ASCII character; '\t' written as two characters is a tab, as
        // DuckDB reads it), else detected (`CSVDialect`)
        options.delimiter = nil
        let delimKeys = ["delim", "sep"].filter(args.has)
        if delimKeys.count > 1 { throw args.error("sep", "and delim cannot both be given") }
        if let key = delimKeys.first, let d = try args.string(key) {
            let bytes = d == "\\t" ? [UInt8(ascii: "\t")] : Array(d.utf8)
            guard bytes.count == 1, bytes[0] < 0x80,
                !"\"\r\n0123456789-+".utf8.contains(bytes[0])
            else {
                throw args.error(
                    key, "must be one character other than a quote, a line end, a digit, - or + (found '\(d)')")
            }
            options.delimiter = bytes[0]
        }
        options.header = try args.bool("header")
        if case .int(let n)? = args.named["sample_size"], n > 0 { options.sampleRows = Int(n) }
        if let n = try args.int("skip") {
            guard n >= 0 else { throw args.error("skip", "must be 0 or more") }
            options.skipLines = Int(n)
        }
        options.allVarchar = try args.bool("all_varchar") ?? false
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
        let file = path.split(separator: "/").last.map(String.init) ?? path
        let stem = file.firstIndex(of: ".").map { String(file[..<$0]) } ?? file
        return try CSVFileTable(name: stem.isEmpty ? file : stem, path: path, options: options)
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
}

/// A CSV file as a table: its schema from the header and the type sample when the query is bound
/// (so DESCRIBE reads no more), its rows read whole, once, when the query first asks for them.
///
/// A CSV error met while reading the rows (`file:line:column`) is kept and thrown by the scan
/// (`readColumn`, `checkedBlockRowCount`); until then the table reports one block of one row, so
/// that no plan treats it as empty and no answer is given without the error.
final class CSVFileTable: TableSource, @unchecked Sendable {
    let name: String
    let schema: Schema
    private let path: String
    private let options: CSVReadOptions
    private let lock = Mutex()
    private var loaded: Result<MemoryTable, Error>?
    /// The type each column is declared (read_csv's `types` / `columns`), where it differs from
    /// the parsed one in `schema` the binder casts the column (`Binder.bindTableFunction`).
    let declaredTypes: [DataType]

    /// Rows the table holds at most (nil: every row of the file): a LIMIT over the scan reads only
    /// that many (`prefix(rows:)`).
    let rowLimit: Int?

    /// - Throws: `KuaiError.io` / `.csv` for a file that cannot be opened or whose header is bad.
    init(name: String, path: String, options: CSVReadOptions) throws {
        self.name = name
        self.path = path
        self.options = options
        self.rowLimit = nil
        (schema, declaredTypes) = try CSVTableReader.schema(path: path, table: "", options: options)
    }

    private init(_ whole: CSVFileTable, rowLimit: Int) {
        name = whole.name
        path = whole.path
        options = whole.options
        schema = whole.schema
        declaredTypes = whole.declaredTypes
        self.rowLimit = rowLimit
    }

    /// The same file cut to its first `rows` rows: reading stops at the first batch that reaches
    /// them, so `SELECT * FROM 'big.csv' LIMIT 10` parses a chunk or two, not the file, and (as in
    /// DuckDB, which stops reading too) a bad row past them is not met.
    func prefix(rows: Int) -> CSVFileTable { CSVFileTable(self, rowLimit: min(rows, rowLimit ?? rows)) }

    /// The rows, read on the first call.
    private var rows: Result<MemoryTable, Error> {
        lock.withLock {
            if let loaded { return loaded }
            let r = Result { () throws -> MemoryTable in
                var options = self.options
                options.rowLimit = rowLimit
                if rowLimit == 0 { return MemoryTable(name: name, schema: schema, batches: []) }
                let (s, batches, _) = try CSVTableReader.readAll(path: path, table: "", options: options)
                return MemoryTable(name: name, schema: s, batches: batches)
            }
            loaded = r
            return r
        }
    }

    var rowCount: Int { (try? rows.get())?.rowCount ?? 1 }
    var blockCount: Int { (try? rows.get())?.blockCount ?? 1 }
    func blockRowCount(_ block: Int) -> Int { (try? rows.get())?.blockRowCount(block) ?? 1 }
    func checkedBlockRowCount(_ block: Int) throws -> Int { try rows.get().blockRowCount(block) }
    func zoneMap(column: Int, block: Int) -> ZoneMap? { nil }
    func readColumn(_ column: Int, block: Int) throws -> Column { try rows.get().readColumn(column, block: block) }
}

extension Binder {
    /// Binds `read_csv(...)` or `FROM 'path'`: folds the arguments to constants, opens the source and
    /// scans it like a table. The qualifier is the alias, else the function's name (DuckDB), or for a
    /// path the file name without its extension.
    func bindTableFunction(_ call: TableFunctionRef) throws -> (plan: LogicalPlan, scope: [ScopeColumn]) {
        var positional: [Value] = []
        var types: [DataType] = []
        for a in call.arguments {
            let (v, t) = try typedConstantArgument(a)
            positional.append(v)
            types.append(t)
        }
        var named: [String: Value] = [:]
        var positions: [String: SourcePosition] = [:]
        var lists: [String: [Value]] = [:]
        var structs: [String: [(name: String, value: Value)]] = [:]
        for a in call.namedArguments {
            positions[a.name] = a.position
            if case .function(let f) = a.value, f.name == FunctionCall.structLiteralName {
                var fields: [(name: String, value: Value)] = []
                for i in stride(from: 0, to: f.arguments.count - 1, by: 2) {
                    guard case .literal(.string(let key), _) = f.arguments[i] else { continue }
                    fields.append((key, try constantArgument(f.arguments[i + 1])))
                }
                structs[a.name] = fields
            } else if case .function(let f) = a.value, f.name == "list_value", f.over == nil {
                lists[a.name] = try f.arguments.map { try constantArgument($0) }
            } else {
                named[a.name] = try constantArgument(a.value)
            }
        }
        let function: TableFunction
        let name: String
        if let n = call.name {
            guard let f = TableFunctions.named(n) else {
                let known = TableFunctions.all.flatMap(\.names).joined(separator: ", ")
                throw Binder.error("table function \"\(n)\" does not exist (table functions: \(known))", call.position)
            }
            function = f
            name = n
        } else {
            guard case .string(let path)? = positional.first else {
                throw Binder.error("a file name is needed", call.position)
            }
            guard let f = TableFunctions.reading(path: path) else {
                let suffixes = TableFunctions.all.flatMap(\.fileSuffixes).joined(separator: ", ")
                throw Binder.error(
                    "no reader for \"\(path)\" (files ending in \(suffixes) can be read in place); or is it a table name in the wrong quotes?",
                    call.position)
            }
            function = f
            name = f.names[0]
        }
        var args = TableFunctionArguments(
            function: name, positional: positional, named: named, namedPositions: positions, position: call.position)
        args.positionalTypes = types
        args.namedLists = lists
        args.namedStructs = structs
        let table: TableSource
        do {
            table = try function.bind(args)
        } catch let e as KuaiError where e.location == nil {
            throw KuaiError(e.kind, e.message, at: call.position.description)
        }
        let qualifier = call.alias ?? (call.name == nil ? table.name : name)
        var plan = LogicalPlan.scan(table: table, columns: Array(0..<table.schema.count), conjuncts: [])
        var columnTypes = table.schema.map(\.type)
        if let csv = table as? CSVFileTable, csv.declaredTypes.count == columnTypes.count,
            csv.declaredTypes != columnTypes
        {
            // columns declared with a type the reader does not parse: read as parsed, then cast
            let exprs = zip(BoundExpr.columns(of: table.schema), csv.declaredTypes).map { column, type in
                column.type == type ? column : BoundExpr(.cast(column, isTry: false), type: type, name: column.name)
            }
            plan = .project(plan, exprs, names: table.schema.map(\.name))
            columnTypes = csv.declaredTypes
        }
        var scope = zip(table.schema, columnTypes).map { ScopeColumn(qualifier: qualifier, name: $0.name, type: $1) }
        for (i, n) in call.columnNames.enumerated() where i < scope.count { scope[i].name = n }
        return (plan, scope)
    }

    /// A table function argument folded to a constant.
    func constantArgument(_ e: Expr) throws -> Value { try typedConstantArgument(e).value }

    /// A table function argument folded to a constant, with its type.
    func typedConstantArgument(_ e: Expr) throws -> (value: Value, type: DataType) {
        let b = try decimalAsDouble(
            try bind(e, ExprContext(scope: [], aggregate: nil, clause: "table function arguments")), e.position)
        guard let v = try? b.evaluateConstant() else {
            throw Binder.error("a table function argument must be a constant, found \(e.sqlDescription)", e.position)
        }
        return (v, b.type)
    }
}
