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
    /// Positional arguments written as a list of constants (`read_csv(['a.csv', 'b.csv'])`), by
    /// position (`positional` holds NULL there).
    public var positionalLists: [Int: [Value]] = [:]
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
    /// Whether a positional argument may be a list (`read_csv(['a.csv', 'b.csv'])`,
    /// `TableFunctionArguments.positionalLists`).
    public var takesLists = false
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

extension Binder {
    /// Binds `read_csv(...)` or `FROM 'path'`: folds the arguments to constants, opens the source and
    /// scans it like a table. The qualifier is the alias, else the function's name (DuckDB), or for a
    /// path the file name without its extension.
    func bindTableFunction(_ call: TableFunctionRef) throws -> (plan: LogicalPlan, scope: [ScopeColumn]) {
        var positional: [Value] = []
        var types: [DataType] = []
        var positionalLists: [Int: [Value]] = [:]
        for a in call.arguments {
            if case .function(let f) = a, f.name == "list_value", f.over == nil {
                positionalLists[positional.count] = try f.arguments.map { try constantArgument($0) }
                positional.append(.null)
                types.append(.null)
                continue
            }
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
        if let i = positionalLists.keys.min(), !function.takesLists {
            throw Binder.error(
                "a table function argument must be a constant, found \(call.arguments[i].sqlDescription)",
                call.arguments[i].position)
        }
        var args = TableFunctionArguments(
            function: name, positional: positional, named: named, namedPositions: positions, position: call.position)
        args.positionalTypes = types
        args.positionalLists = positionalLists
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
