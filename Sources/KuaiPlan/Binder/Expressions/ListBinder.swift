import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// DuckDB's list functions (`ListFunctions` in KuaiExec) by name and alias; the subscripts
    /// `l[i]` and `l[a:b]` arrive as the calls `[]` and `[a:b]` / `[a:]` / `[:b]` / `[:]`
    /// (Parser.parseSubscript).
    static let listFunctionNames: [String: String] = [
        "list_value": "list_value", "list_pack": "list_value",
        "len": "len", "length": "len", "array_length": "len",
        "[]": "array_extract", "array_extract": "array_extract", "list_extract": "array_extract",
        "list_element": "array_extract",
        "list_contains": "list_contains", "array_contains": "list_contains", "list_has": "list_contains",
        "array_has": "list_contains",
        "list_position": "list_position", "array_position": "list_position", "list_indexof": "list_position",
        "array_indexof": "list_position",
        "string_split": "string_split", "str_split": "string_split", "string_to_array": "string_split",
        "split": "string_split",
        "list_sort": "list_sort", "array_sort": "list_sort", "list_reverse_sort": "list_reverse_sort",
        "array_reverse_sort": "list_reverse_sort", "array_to_string": "array_to_string",
        "list_concat": "list_concat", "list_cat": "list_concat", "array_concat": "list_concat",
        "array_cat": "list_concat", "list_append": "list_append", "array_append": "list_append",
        "array_push_back": "list_append", "list_prepend": "list_prepend", "array_prepend": "list_prepend",
        "array_push_front": "array_push_front", "list_reverse": "list_reverse", "array_reverse": "list_reverse",
        "flatten": "flatten", "list_distinct": "list_distinct", "array_distinct": "list_distinct",
        "list_unique": "list_unique", "array_unique": "list_unique", "list_has_any": "list_has_any",
        "array_has_any": "list_has_any", "list_has_all": "list_has_all", "array_has_all": "list_has_all",
        "list_aggregate": "list_aggregate", "list_aggr": "list_aggregate", "aggregate": "list_aggregate",
        "array_aggregate": "list_aggregate", "array_aggr": "list_aggregate", "range": "range",
        "generate_series": "generate_series", "list_slice": "list_slice", "array_slice": "list_slice",
    ]

    /// `list_sum(l)` and its kin: `list_aggregate(l, 'sum')` (also spelt `array_sum`, ...).
    static let listAggregateShorthands: [String: String] = {
        var m: [String: String] = [:]
        for a in ["sum", "min", "max", "avg", "count", "first", "last", "product", "median", "mode", "string_agg"] {
            m["list_" + a] = a
            m["array_" + a] = a
        }
        return m
    }()

    /// A list function call; nil when `fname` is not one, or (len, length) when its argument is not
    /// a list (the VARCHAR overloads bind as before).
    /// - Throws: `KuaiError.binding` for a wrong number of arguments or an argument of the wrong type.
    func bindListFunction(_ fname: String, _ args: [BoundExpr], _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr?
    {
        if fname.hasPrefix("[") && fname != "[]" { return try bindListSlice(fname, args, pos, name) }
        if let a = Binder.listAggregateShorthands[fname], !args.isEmpty {
            let aggName = BoundExpr.constant(.string(a), type: .varchar)
            return try bindListBuilding("list_aggregate", [args[0], aggName] + args.dropFirst(), pos, name)
        }
        guard let base = Binder.listFunctionNames[fname] else { return nil }
        if let built = try bindListBuilding(base, args, pos, name) { return built }
        func arity(_ k: Int) throws {
            guard args.count == k else {
                throw Binder.error("\(fname)() takes \(k) argument\(k == 1 ? "" : "s")", pos)
            }
        }
        func make(_ kind: ListFunctions.Kind, _ cast: [BoundExpr], _ result: DataType) -> BoundExpr {
            let f = ListFunctions.make(base, kind, cast.map(\.type), result)
            return BoundExpr(.function(f, cast), type: result, name: name)
        }
        switch base {
        case "list_value":
            let t = try unifiedType(args, adaptingStringConstants: false) { t, u in
                Binder.error("list_value() elements have incompatible types \(t) and \(u) in \(name)", pos)
            }
            return make(.value, try args.map { try coerce($0, to: t, pos) }, .list(t))
        case "len":
            guard args.count == 1, args[0].type.isList else { return nil }
            return make(.length, args, .bigint)
        case "array_extract":
            try arity(2)
            if args[0].type == .varchar {
                // 'abc'[i]: the i-th character (negative from the end, '' outside), DuckDB's
                // array_extract of a string, which is substring(s, i, 1)
                let one = BoundExpr.constant(.int(1), type: .bigint)
                return try bindFunction("substring", [args[0], args[1], one], pos, name)
            }
            guard case .list(let element) = args[0].type else {
                // NULL[i] is a VARCHAR NULL, as DuckDB resolves array_extract of its NULL type
                if args[0].type == .null { return BoundExpr.constant(.null, type: .varchar, name: name) }
                throw Binder.error(
                    "\(fname == "[]" ? "subscript" : fname + "()") needs a list, not \(args[0].type)", pos)
            }
            return make(.extract, [args[0], try listIndex(args[1], fname, pos)], element)
        case "list_contains", "list_position":
            try arity(2)
            let list = try listArgument(args[0], fname, pos)
            guard case .list(let element) = list.type,
                let t = commonType(element, literalAdaptedType(args[1], beside: element))
            else {
                throw Binder.error("\(fname)() cannot look for \(args[1].type) in \(args[0].type)", pos)
            }
            let cast = [try coerce(list, to: .list(t), pos), try coerce(args[1], to: t, pos)]
            return base == "list_contains" ? make(.contains, cast, .boolean) : make(.position, cast, .integer)
        case "string_split":
            try arity(2)
            let cast = try args.map { try toVarchar($0, pos) }
            return make(.stringSplit, cast, .list(.varchar))
        case "list_sort", "list_reverse_sort":
            guard (1...(base == "list_sort" ? 3 : 2)).contains(args.count) else {
                throw Binder.error(
                    "\(fname)() takes a list and up to \(base == "list_sort" ? 2 : 1) order arguments", pos)
            }
            let list = try listArgument(args[0], fname, pos)
            try ListKeyRewrite.requireKeyable(list.type.listElement ?? .null, fname)
            let (descending, nullsFirst) = try listSortOrder(Array(args.dropFirst()), reverse: base != "list_sort", pos)
            return make(.sort(descending: descending, nullsFirst: nullsFirst), [list], list.type)
        case "array_to_string":
            try arity(2)
            return make(.joinText, [try listArgument(args[0], fname, pos), try toVarchar(args[1], pos)], .varchar)
        default:
            return nil
        }
    }

    /// list_sort's constant order arguments: `'ASC'` / `'DESC'` (list_sort only) then `'NULLS FIRST'` /
    /// `'NULLS LAST'`, any case; DuckDB's default is ASC NULLS LAST.
    /// - Throws: `KuaiError.binding` for an argument that is not one of those constants.
    func listSortOrder(_ args: [BoundExpr], reverse: Bool, _ pos: SourcePosition) throws -> (Bool, Bool) {
        var descending = reverse
        var nullsFirst = false
        for (k, a) in args.enumerated() {
            guard case .string(let text)? = a.foldedValue else {
                throw Binder.error("the sort order of a list must be a constant string", pos)
            }
            let word = text.uppercased().split(separator: " ").joined(separator: " ")
            switch (k == 0 && !reverse, word) {
            case (true, "ASC"): descending = false
            case (true, "DESC"): descending = true
            case (_, "NULLS FIRST"): nullsFirst = true
            case (_, "NULLS LAST"): nullsFirst = false
            default: throw Binder.error("unrecognized list sort order \"\(text)\"", pos)
            }
        }
        return (descending, nullsFirst)
    }

    /// `l[a:b]` (`fname` names the bounds written: `[a:b]`, `[a:]`, `[:b]`, `[:]`).
    func bindListSlice(_ fname: String, _ args: [BoundExpr], _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr
    {
        // a slice of DuckDB's NULL type (`(a || NULL)[1:2]`) is that NULL
        if args[0].type == .null { return BoundExpr.constant(.null, type: .null, name: name) }
        if args[0].type == .varchar { return try bindStringSlice(fname, args, pos, name) }
        let list = try listArgument(args[0], "slice", pos)
        let bounds = try args.dropFirst().map { try listIndex($0, "slice", pos) }
        let kind = ListFunctions.Kind.slice(hasBegin: fname.contains("a"), hasEnd: fname.contains("b"))
        let f = ListFunctions.make("array_slice", kind, [list.type] + bounds.map(\.type), list.type)
        return BoundExpr(.function(f, [list] + bounds), type: list.type, name: name)
    }

    /// `s[a:b]` of a VARCHAR (DuckDB's array_slice of a string): the code points from a to b as a list
    /// slice takes elements (1-based, inclusive, negative from the end, clamped); a missing bound is
    /// the start or the end. The scalar function `array_slice(VARCHAR, BIGINT, BIGINT)`.
    func bindStringSlice(_ fname: String, _ args: [BoundExpr], _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr
    {
        var rest = args.dropFirst().makeIterator()
        let begin = fname.contains("a") ? rest.next()! : BoundExpr.constant(.int(1), type: .bigint)
        let end = fname.contains("b") ? rest.next()! : BoundExpr.constant(.int(Int64.max), type: .bigint)
        let bounds = try [begin, end].map { try listIndex($0, "slice", pos) }
        guard let f = FunctionRegistry.resolve("array_slice", [.varchar, .bigint, .bigint]) else {
            throw Binder.error("array_slice() of a string is not available", pos)
        }
        return BoundExpr(.function(f, [args[0]] + bounds), type: .varchar, name: name)
    }

    /// A list argument (a NULL literal is an empty-typed NULL list).
    func listArgument(_ x: BoundExpr, _ fname: String, _ pos: SourcePosition) throws -> BoundExpr {
        if x.type.isList { return x }
        if x.type == .null { return try coerce(x, to: .list(.null), pos) }
        throw Binder.error("\(fname)() needs a list, not \(x.type)", pos)
    }

    /// A list index or slice bound as BIGINT (integers only, as DuckDB's binder).
    func listIndex(_ x: BoundExpr, _ fname: String, _ pos: SourcePosition) throws -> BoundExpr {
        guard x.type.isInteger || x.type == .null || isStringLiteral(x) else {
            throw Binder.error("a list index must be an integer, not \(x.type)", pos)
        }
        return try coerce(x, to: .bigint, pos)
    }
}

extension Binder {
    /// The functions of KuaiExec's ListBuild.swift; nil for other names (and for `range` /
    /// `generate_series` over other than integers, which stay as they were).
    /// - Throws: `KuaiError.binding` for a wrong number of arguments or arguments of the wrong type.
    func bindListBuilding(_ base: String, _ args: [BoundExpr], _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr?
    {
        func make(_ kind: ListFunctions.Building, _ cast: [BoundExpr], _ result: DataType) -> BoundExpr {
            let f = ListFunctions.make(base, .built(kind), cast.map(\.type), result)
            return BoundExpr(.function(f, cast), type: result, name: name)
        }
        func arity(_ k: Int) throws {
            guard args.count == k else { throw Binder.error("\(base)() takes \(k) argument\(k == 1 ? "" : "s")", pos) }
        }
        switch base {
        case "list_concat", "list_has_any", "list_has_all":
            try arity(2)
            if args.allSatisfy({ $0.type == .null }) { return BoundExpr.constant(.null, type: .null, name: name) }
            let lists = try args.map { try listArgument($0, base, pos) }
            guard let t = commonType(lists[0].type, lists[1].type) else {
                throw Binder.error("\(base)() of \(args[0].type) and \(args[1].type) needs an explicit cast", pos)
            }
            let cast = try lists.map { try coerce($0, to: t, pos) }
            if base == "list_concat" { return make(.concat, cast, t) }
            try ListKeyRewrite.requireKeyable(t, base)
            return make(base == "list_has_any" ? .hasAny : .hasAll, cast, .boolean)
        case "array_push_front":
            // DuckDB: array_push_front(l, x) is list_prepend(x, l)
            try arity(2)
            return try bindListBuilding("list_prepend", [args[1], args[0]], pos, name)
        case "list_append", "list_prepend":
            try arity(2)
            let (l, x) = base == "list_append" ? (args[0], args[1]) : (args[1], args[0])
            let list = try listArgument(l, base, pos)
            guard case .list(let e) = list.type, let t = commonType(e, literalAdaptedType(x, beside: e)) else {
                throw Binder.error("\(base)() cannot add \(x.type) to \(l.type)", pos)
            }
            let cast = [try coerce(list, to: .list(t), pos), try coerce(x, to: t, pos)]
            return base == "list_append" ? make(.append, cast, .list(t)) : make(.prepend, cast.reversed(), .list(t))
        case "list_reverse", "flatten", "list_distinct", "list_unique":
            try arity(1)
            let list = try listArgument(args[0], base, pos)
            if args[0].type == .null { return BoundExpr.constant(.null, type: .null, name: name) }
            switch base {
            case "list_reverse": return make(.reverse, [list], list.type)
            case "flatten":
                guard case .list(let inner) = list.type, inner.isList || inner == .null else {
                    throw Binder.error("flatten() needs a list of lists, not \(list.type)", pos)
                }
                return make(.flatten, [list], inner == .null ? .list(.null) : inner)
            default:
                try ListKeyRewrite.requireKeyable(list.type, base)
                return base == "list_distinct" ? make(.distinct, [list], list.type) : make(.unique, [list], .bigint)
            }
        case "list_aggregate":
            return try bindListAggregate(args, pos, name)
        case "range", "generate_series":
            guard (1...3).contains(args.count), args.allSatisfy({ $0.type.isInteger || $0.type == .null }) else {
                if args.contains(where: { [.date, .timestamp, .timestamptz].contains($0.type) }) {
                    throw Binder.error("\(base)() of dates and timestamps as a list is not supported", pos)
                }
                return nil
            }
            let cast = try args.map { try coerce($0, to: .bigint, pos) }
            return make(.range(inclusive: base == "generate_series"), cast, .list(.bigint))
        case "list_slice":
            guard args.count == 3 else { throw Binder.error("list_slice() takes a list and two bounds", pos) }
            return try bindListSlice("[a:b]", args, pos, name)
        default:
            return nil
        }
    }

    /// `list_aggregate(l, 'name'[, constant arguments])`: the aggregate `name` of each list's elements.
    /// - Throws: `KuaiError.binding` for a name that is not a constant string or an aggregate kuai does
    ///   not have for the element type.
    func bindListAggregate(_ args: [BoundExpr], _ pos: SourcePosition, _ name: String) throws -> BoundExpr {
        guard args.count >= 2 else { throw Binder.error("list_aggregate() takes a list and an aggregate name", pos) }
        let list = try listArgument(args[0], "list_aggregate", pos)
        guard case .string(let aggName)? = args[1].foldedValue else {
            throw Binder.error("list_aggregate()'s aggregate name must be a constant string", pos)
        }
        let parameters = try args.dropFirst(2).map { a -> Value in
            guard let v = a.foldedValue else {
                throw Binder.error("list_aggregate()'s extra arguments must be constants", pos)
            }
            return v
        }
        let element = list.type.listElement ?? .null
        let lower = aggName.lowercased()
        guard !AggregateRegistry.twoColumnAggregates.contains(lower),
            let f = AggregateRegistry.resolve(lower, element, parameters: parameters)
        else {
            throw Binder.error("list_aggregate(): no aggregate \(aggName)(\(element))", pos)
        }
        let fn = ListFunctions.make("list_aggregate", .built(.aggregate(f)), [list.type], f.returnType)
        return BoundExpr(.function(fn, [list]), type: f.returnType, name: name)
    }
}
