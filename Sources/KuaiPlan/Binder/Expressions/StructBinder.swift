import KuaiCore
import KuaiExec
import KuaiSQL

/// DuckDB's STRUCT and MAP values: the literals `{'a': x}`, `struct_pack(a := x)`, `row(x, y)` and
/// `MAP {k: v}` / `map(keys, values)`; field access `s.a`, `s['a']`, `struct_extract(s, 'a')`; the
/// map functions `m[k]`, `element_at`, `map_extract`, `map_keys`, `map_values`, `map_entries`,
/// `cardinality`. The kernels are KuaiExec's `StructFunctions`.
extension Binder {
    /// `{'a': x, ...}` / `struct_pack(a := x, ...)` (the call `FunctionCall.structLiteralName`, its
    /// arguments alternating names and values).
    /// - Throws: `KuaiError.binding` for a name given twice (in any case, DuckDB's message).
    func bindStructLiteral(_ f: FunctionCall, _ name: String, _ ctx: ExprContext) throws -> BoundExpr {
        var fields: [Field] = []
        var values: [BoundExpr] = []
        for i in stride(from: 0, to: f.arguments.count - 1, by: 2) {
            guard case .literal(.string(let key), let pos) = f.arguments[i] else {
                throw Binder.error("a STRUCT field name must be a string", f.position)
            }
            if fields.contains(where: { $0.name.lowercased() == key.lowercased() }) {
                throw Binder.error("Duplicate named argument \"\(key)\" in function call to \"struct_pack\"", pos)
            }
            let v = try bind(f.arguments[i + 1], ctx)
            fields.append(Field(key, v.type))
            values.append(v)
        }
        return packStruct(fields, values, name)
    }

    /// `row(x, y, ...)` / `(x, y, ...)` as a value: DuckDB's unnamed STRUCT (`TUPLE(INTEGER, VARCHAR)`).
    func bindRowValue(_ members: [Expr], _ name: String, _ ctx: ExprContext) throws -> BoundExpr {
        let values = try members.map { try bind($0, ctx) }
        return packStruct(values.map { Field("", $0.type) }, values, name)
    }

    /// The STRUCT of `fields` whose field k is `values[k]` (struct_pack).
    func packStruct(_ fields: [Field], _ values: [BoundExpr], _ name: String) -> BoundExpr {
        let type = DataType.structure(fields)
        let f = StructFunctions.make("struct_pack", .pack, values.map(\.type), type)
        return BoundExpr(.function(f, values), type: type, name: name)
    }

    /// Field `field` of the STRUCT `base` (`s.a`, `s['a']`, `struct_extract(s, 'a')`), found in any
    /// case; a NULL-typed base gives NULL.
    /// - Throws: `KuaiError.binding` when `base` is no STRUCT or has no such field (DuckDB's
    ///   `Could not find key "c" in struct`).
    func bindStructField(_ base: BoundExpr, _ field: String, _ pos: SourcePosition, _ name: String) throws -> BoundExpr
    {
        guard case .structure(let fields) = base.type else {
            throw Binder.error("cannot extract the field \"\(field)\" from a value of type \(base.type)", pos)
        }
        guard let k = fields.firstIndex(where: { $0.name.lowercased() == field.lowercased() }) else {
            throw Binder.error("Could not find key \"\(field)\" in struct", pos)
        }
        return extractField(base, k, name)
    }

    /// Field `k` (0-based) of the STRUCT expression `base` (struct_extract).
    func extractField(_ base: BoundExpr, _ k: Int, _ name: String) -> BoundExpr {
        let type = base.type.structFields[k].type
        let f = StructFunctions.make("struct_extract", .extract(k), [base.type], type)
        return BoundExpr(.function(f, [base]), type: type, name: name)
    }

    /// `x.name` after an expression (`FunctionCall.fieldAccessName`).
    func bindFieldAccess(_ f: FunctionCall, _ name: String, _ ctx: ExprContext) throws -> BoundExpr {
        guard f.arguments.count == 2, case .literal(.string(let field), _) = f.arguments[1] else {
            throw Binder.error("a field access needs a field name", f.position)
        }
        return try bindStructField(try bind(f.arguments[0], ctx), field, f.position, name)
    }

    /// The STRUCT column `q` of the scope whose field `n` a qualified name `q.n` names when no table
    /// `q` is in scope (DuckDB tries the table first); nil when there is none.
    func structFieldReference(_ q: String, _ n: String, at pos: SourcePosition, _ ctx: ExprContext) throws
        -> BoundExpr?
    {
        guard !ctx.scope.contains(where: { $0.qualifier?.lowercased() == q.lowercased() }),
            let i = resolve(nil, q, ctx.scope), ctx.scope[i].type.isStruct
        else { return nil }
        let base = BoundExpr.column(i, type: ctx.scope[i].type, name: ctx.scope[i].name)
        return try bindStructField(base, n, pos, n)
    }

    /// The STRUCT and MAP functions (and `[]` over a STRUCT or MAP); nil for other calls.
    /// - Throws: `KuaiError.binding` for wrong arguments.
    func bindStructFunction(_ fname: String, _ args: [BoundExpr], _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr?
    {
        let first = args.first?.type
        switch fname {
        case "struct_extract",
            "[]" where first?.isStruct == true:
            guard args.count == 2, let base = args.first, base.type.isStruct else {
                if args.first?.type == .null { return BoundExpr.constant(.null, type: .null, name: name) }
                throw Binder.error(
                    "\(fname == "[]" ? "subscript" : "struct_extract()") needs a STRUCT and a field", pos)
            }
            switch args[1].foldedValue {
            case .string(let field)?: return try bindStructField(base, field, pos, name)
            case .int(let k)? where base.type.structFields.allSatisfy({ $0.name.isEmpty }):
                guard k >= 1 && Int(k) <= base.type.structFields.count else {
                    throw Binder.error("tuple index \(k) is out of range for \(base.type)", pos)
                }
                return extractField(base, Int(k) - 1, name)
            default:
                throw Binder.error("the field of struct_extract must be a constant string", pos)
            }
        case "struct_pack", "struct_insert", "struct_update":
            throw Binder.error("\(fname)() takes named arguments (name := value)", pos)
        case "map_concat":
            return try bindMapConcat(args, pos, name)
        case "map":
            if args.isEmpty {
                let type = DataType.map(.null, .null)
                let empty = BoundExpr(
                    .function(ListFunctions.make("list_value", .value, [], .list(.null)), []), type: .list(.null),
                    name: "list_value()")
                return makeMap(.fromLists, [empty, empty], type, name)
            }
            guard args.count == 2 else { throw Binder.error("map() takes a list of keys and a list of values", pos) }
            let keys = try listArgument(args[0], fname, pos)
            let values = try listArgument(args[1], fname, pos)
            let type = DataType.map(keys.type.listElement ?? .null, values.type.listElement ?? .null)
            return makeMap(.fromLists, [keys, values], type, name)
        case "[]", "element_at", "map_extract", "map_extract_value":
            guard case .map(let k, let v)? = first else { return nil }
            guard args.count == 2 else { throw Binder.error("\(fname)() takes a map and a key", pos) }
            let key = try coerce(args[1], to: k == .null ? args[1].type : k, pos)
            let list = fname == "element_at" || fname == "map_extract"
            return makeMap(.mapExtract(list: list), [args[0], key], list ? .list(v) : v, name)
        case "map_keys", "map_values", "map_entries", "cardinality":
            guard args.count == 1 else { throw Binder.error("\(fname)() takes one argument", pos) }
            guard case .map(let k, let v)? = first else {
                if first == .null && fname != "cardinality" {
                    return BoundExpr.constant(.null, type: .null, name: name)
                }
                return nil
            }
            switch fname {
            case "map_keys": return makeMap(.mapKeys, args, .list(k), name)
            case "map_values": return makeMap(.mapValues, args, .list(v), name)
            case "map_entries": return makeMap(.mapEntries, args, .list(args[0].type.mapEntry!), name)
            default: return makeMap(.cardinality, args, .bigint, name)
            }
        default:
            return nil
        }
    }

    /// `map_concat(m1, m2, ...)`: the entries of every map, a later map's value winning for a key
    /// already there (which keeps its first place), as DuckDB. NULL maps are skipped; the result
    /// is NULL where every map is; all NULL literals give a NULL-typed NULL. The maps must have one
    /// type (an empty `MAP {}` and NULL fit any), as DuckDB casts none.
    /// - Throws: `KuaiError.binding` for fewer than 2 arguments, a non-MAP argument or maps of
    ///   different types (DuckDB's messages).
    func bindMapConcat(_ args: [BoundExpr], _ pos: SourcePosition, _ name: String) throws -> BoundExpr {
        guard args.count >= 2 else {
            throw Binder.error("The provided amount of arguments is incorrect, please provide 2 or more maps", pos)
        }
        var type: DataType? = nil
        for a in args where a.type != .null {
            guard case .map(let k, let v) = a.type else {
                throw Binder.error("MAP_CONCAT only takes map arguments", pos)
            }
            if k == .null && v == .null { continue }  // `MAP {}`: no entries to type
            if let t = type, t != a.type {
                throw Binder.error(
                    "'value' type of map differs between arguments, expected '\(t)', found '\(a.type)' instead", pos)
            }
            type = a.type
        }
        if !args.contains(where: { $0.type != .null }) { return BoundExpr.constant(.null, type: .null, name: name) }
        return makeMap(.mapConcat, args, type ?? .map(.null, .null), name)
    }

    /// The map function `kind` over `args` (already of its parameter types), returning `type`.
    func makeMap(_ kind: StructFunctions.Kind, _ args: [BoundExpr], _ type: DataType, _ name: String) -> BoundExpr {
        let f = StructFunctions.make(kind.functionName, kind, args.map(\.type), type)
        return BoundExpr(.function(f, args), type: type, name: name)
    }
}

extension StructFunctions.Kind {
    /// The DuckDB name of the function (plans and EXPLAIN).
    var functionName: String {
        switch self {
        case .pack: return "struct_pack"
        case .extract: return "struct_extract"
        case .fromLists: return "map"
        case .mapExtract(let list): return list ? "map_extract" : "map_extract_value"
        case .mapKeys: return "map_keys"
        case .mapValues: return "map_values"
        case .mapEntries: return "map_entries"
        case .cardinality: return "cardinality"
        case .mapConcat: return "map_concat"
        }
    }
}

extension Binder {
    /// `struct_insert` and `struct_update`: the calls whose named arguments are fields.
    static let structEditNames: Set<String> = ["struct_insert", "struct_update"]

    /// `struct_insert(s, name := value, ...)` adds the fields after those of the STRUCT `s`;
    /// `struct_update(s, name := value, ...)` also replaces a field of that name (any case) in its
    /// place, under the new spelling (DuckDB). Bound as `struct_pack` of `s`'s fields
    /// (`struct_extract`) and the values, so a NULL `s` gives a STRUCT of NULL fields, as DuckDB.
    /// - Throws: `KuaiError.binding` for no named argument, positional arguments other than `s`, an
    ///   `s` that is no STRUCT, or (struct_insert) a field `s` has (DuckDB's messages).
    func bindStructEdit(_ f: FunctionCall, _ name: String, _ ctx: ExprContext) throws -> BoundExpr {
        let update = f.name == "struct_update"
        guard f.arguments.count == 1 else {
            throw Binder.error("No function matches the given name and argument types '\(f.name)(...)'", f.position)
        }
        guard !f.namedArguments.isEmpty else {
            throw Binder.error("Can't \(update ? "update" : "insert") nothing into a STRUCT", f.position)
        }
        let base = try bind(f.arguments[0], ctx)
        guard case .structure(let old) = base.type else {
            throw Binder.error("The first argument to \(f.name) must be a STRUCT", f.arguments[0].position)
        }
        var fields: [Field] = []
        var values: [BoundExpr] = []
        for k in old.indices {
            fields.append(old[k])
            values.append(extractField(base, k, old[k].name))
        }
        for a in f.namedArguments {
            let v = try bind(a.value, ctx)
            if let k = fields.firstIndex(where: { $0.name.lowercased() == a.name }) {
                guard update else { throw Binder.error("Duplicate struct entry name \"\(a.spelled)\"", a.position) }
                (fields[k], values[k]) = (Field(a.spelled, v.type), v)
            } else {
                fields.append(Field(a.spelled, v.type))
                values.append(v)
            }
        }
        return packStruct(fields, values, name)
    }
}
