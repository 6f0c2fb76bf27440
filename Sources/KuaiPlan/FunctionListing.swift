import KuaiCore
import KuaiExec
import KuaiSQL

/// `duckdb_functions()`: one row per function overload kuai accepts (scalar functions, aggregates,
/// window functions, operators and casts), with its parameter types and result type, so that tools
/// (Tools/conformance.py) can enumerate the whole function surface. Formats/query-language.md,
/// "Listing the functions", gives the columns.
///
/// Scalar functions come from `FunctionRegistry` as registered. Everything the binder handles by rule
/// instead of by a table (aggregates, window functions, operators, casts, the special scalar forms
/// such as coalesce and mod) is found by binding a probe call over columns of every type, so the
/// listing says what the binder really accepts and the result type it really gives.
enum FunctionListing {
    static let function = TableFunction(names: ["duckdb_functions"], fileSuffixes: []) { args in
        if !args.positional.isEmpty || !args.named.isEmpty {
            throw KuaiError(.binding, "duckdb_functions() takes no arguments", at: args.position.description)
        }
        return table
    }

    /// One overload: `function_type` is scalar, aggregate, window, operator or cast.
    struct Row: Hashable {
        var name: String
        var kind: String
        var parameters: [String]
        var varargs: String?
        var returnType: String
    }

    /// The listing, computed once (binding the probes takes a few milliseconds).
    static let table: MemoryTable = {
        let rows = scalarRows() + probeRows()
        var seen = Set<Row>()
        let unique = rows.filter { seen.insert($0).inserted }
        let schema: Schema = [
            Field("function_name", .varchar), Field("function_type", .varchar), Field("parameter_types", .varchar),
            Field("varargs", .varchar), Field("return_type", .varchar),
        ]
        let columns = [
            Column(strings: unique.map(\.name)), Column(strings: unique.map(\.kind)),
            Column(strings: unique.map { $0.parameters.joined(separator: ", ") }),
            Column(strings: unique.map(\.varargs)), Column(strings: unique.map(\.returnType)),
        ]
        return MemoryTable(name: "duckdb_functions", schema: schema, batches: [Batch(columns: columns)])
    }()

    /// Every overload of `FunctionRegistry`, as registered.
    static func scalarRows() -> [Row] {
        FunctionRegistry.names.flatMap { name in
            FunctionRegistry.overloads(name).map { f in
                let fixed = f.variadic ? Array(f.parameters.dropLast()) : f.parameters
                return Row(
                    name: name, kind: "scalar", parameters: fixed.map(\.description),
                    varargs: f.variadic ? f.parameters.last!.description : nil, returnType: f.returnType.description)
            }
        }
    }

    /// The types a probe column exists for (every type without parameters but the untyped NULL; DECIMAL
    /// overloads are not probed).
    static let probeTypes: [DataType] = DataType.simpleCases.filter { $0 != .null }

    /// The probe column of type `t` (`p.c_bigint`).
    static func column(_ t: DataType) -> String { "c_" + t.description.lowercased() }

    /// A probe call: its SQL over the probe table, and the row it gives when it binds.
    typealias Probe = (sql: String, row: Row)

    /// The probe calls in groups of tiers: within a group, the first tier with a call that binds is
    /// listed and the later tiers are not tried (a longer argument list is listed only when the shorter
    /// one does not bind: `quantile_cont(x, 0.5)`, not `any_value(x, y)`).
    static func probes() -> [[[Probe]]] {
        var out: [[[Probe]]] = []
        let types = probeTypes
        func row(_ name: String, _ kind: String, _ ps: [DataType]) -> Row {
            Row(name: name, kind: kind, parameters: ps.map(\.description), varargs: nil, returnType: "")
        }
        for name in AggregateRegistry.names {
            out.append([[("\(name)(*)", row(name, "aggregate", []))]])
            for t in types {
                let constants = [("CAST(0.5 AS DOUBLE)", DataType.double), ("','", .varchar)]
                let pairs = (constants + types.map { (column($0), $0) }).map { arg, u in
                    ("\(name)(\(column(t)), \(arg))", row(name, "aggregate", [t, u]))
                }
                out.append([[("\(name)(\(column(t)))", row(name, "aggregate", [t]))], pairs])
            }
        }
        for name in windowNames {
            var tiers: [[Probe]] = [[("\(name)() OVER (ORDER BY c_bigint)", row(name, "window", []))]]
            tiers.append(
                types.map { t in ("\(name)(\(column(t))) OVER (ORDER BY c_bigint)", row(name, "window", [t])) })
            tiers.append(
                types.map { t in
                    ("\(name)(\(column(t)), 1) OVER (ORDER BY c_bigint)", row(name, "window", [t, .integer]))
                })
            out.append(tiers)
        }
        var flat: [Probe] = nullaryForms.map { ("\($0)()", row($0, "scalar", [])) }
        for t in types {
            for op in ["-", "NOT"] { flat.append(("\(op) \(column(t))", row(op, "operator", [t]))) }
            for name in specialForms { flat.append(("\(name)(\(column(t)))", row(name, "scalar", [t]))) }
            for u in types {
                for op in binaryOperators {
                    flat.append(("\(column(t)) \(op) \(column(u))", row(op, "operator", [t, u])))
                }
                for name in specialForms {
                    flat.append(("\(name)(\(column(t)), \(column(u)))", row(name, "scalar", [t, u])))
                }
                if Kernels.canCast(from: t, to: u) {
                    flat.append(("CAST(\(column(t)) AS \(u))", row("CAST", "cast", [t])))
                    flat.append(("TRY_CAST(\(column(t)) AS \(u))", row("TRY_CAST", "cast", [t])))
                }
            }
        }
        out += flat.map { [[$0]] }
        return out
    }

    /// DuckDB's window-only functions; the probes keep those the binder accepts.
    static let windowNames = [
        "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value",
        "last_value", "nth_value",
    ]

    /// Scalar functions the binder types by rule rather than by a registry overload (probed with one
    /// and two arguments of every type): also format / printf, and the list functions whose
    /// arguments are not lists (string_split and its aliases, list_value, range, ...).
    static let specialForms = [
        "typeof", "mod", "concat", "coalesce", "ifnull", "nullif", "greatest", "least", "format", "printf",
        "string_split", "str_split", "string_to_array", "split", "string_split_regex", "str_split_regex",
        "regexp_split_to_array", "regexp_extract_all", "list_value", "list_pack", "range", "generate_series",
    ]

    /// Functions of no argument the binder handles by rule: the statement's time (now(), today(), ...).
    static let nullaryForms = Binder.currentValueFunctions.keys.sorted()

    /// The binary operators (LIKE and friends take strings only).
    static let binaryOperators = [
        "+", "-", "*", "/", "//", "%", "=", "<>", "<", "<=", ">", ">=", "IS DISTINCT FROM",
        "IS NOT DISTINCT FROM", "||", "AND", "OR", "LIKE", "ILIKE", "NOT LIKE", "NOT ILIKE", "&", "|", "<<", ">>",
        "^", "**", "SIMILAR TO", "GLOB",
    ]

    /// The probes that bind, with the result type the binder gives them.
    static func probeRows() -> [Row] {
        let catalog = ProbeCatalog(types: probeTypes, column: column)
        var rows: [Row] = []
        for group in probes() {
            for tier in group {
                let bound = tier.compactMap { p -> Row? in
                    guard case .select(let q)? = try? Parser.parse("SELECT \(p.sql) AS r FROM p"),
                        let b = try? Binder(catalog: catalog).bindQuery(q), let type = b.columns.first?.type
                    else { return nil }
                    var r = p.row
                    r.returnType = type.description
                    return r
                }
                rows += bound
                if !bound.isEmpty { break }
            }
        }
        return rows
    }
}

/// The catalog of the probes: one empty table `p` with a column `c_<type>` of every type.
final class ProbeCatalog: Catalog {
    let table: MemoryTable
    init(types: [DataType], column: (DataType) -> String) {
        table = MemoryTable(name: "p", schema: types.map { Field(column($0), $0) }, batches: [])
    }
    var tableNames: [String] { ["p"] }
    func lookupTable(_ name: String) throws -> TableSource? { name.lowercased() == "p" ? table : nil }
    func lookupView(_ name: String) throws -> ViewDefinition? { nil }
}
