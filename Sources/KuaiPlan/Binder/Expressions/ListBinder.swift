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
        "list_sort": "list_sort", "array_sort": "list_sort", "list_reverse_sort": "list_reverse_sort",
        "array_reverse_sort": "list_reverse_sort", "array_to_string": "array_to_string",
    ]

    /// A list function call; nil when `fname` is not one, or (len, length) when its argument is not
    /// a list (the VARCHAR overloads bind as before).
    /// - Throws: `KuaiError.binding` for a wrong number of arguments or an argument of the wrong type.
    func bindListFunction(_ fname: String, _ args: [BoundExpr], _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr?
    {
        if fname.hasPrefix("[") && fname != "[]" { return try bindListSlice(fname, args, pos, name) }
        guard let base = Binder.listFunctionNames[fname] else { return nil }
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
            guard case .list(let element) = args[0].type else {
                if args[0].type == .null { return BoundExpr.constant(.null, type: .null, name: name) }
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
            if list.type.listElement?.isList == true {
                throw Binder.error("\(fname)() of lists of lists is not supported", pos)
            }
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
        let list = try listArgument(args[0], "slice", pos)
        let bounds = try args.dropFirst().map { try listIndex($0, "slice", pos) }
        let kind = ListFunctions.Kind.slice(hasBegin: fname.contains("a"), hasEnd: fname.contains("b"))
        let f = ListFunctions.make("array_slice", kind, [list.type] + bounds.map(\.type), list.type)
        return BoundExpr(.function(f, [list] + bounds), type: list.type, name: name)
    }

    /// A list argument (a NULL literal is an empty-typed NULL list).
    func listArgument(_ x: BoundExpr, _ fname: String, _ pos: SourcePosition) throws -> BoundExpr {
        if x.type.isList { return x }
        if x.type == .null { return try coerce(x, to: .list(.null), pos) }
        throw Binder.error("\(fname)() needs a list, not \(x.type)", pos)
    }

    /// A list index or slice bound as BIGINT (integers only, as DuckDB's binder).
    func listIndex(_ x: BoundExpr, _ fname: String, _ pos: SourcePosition) throws -> BoundExpr {
        guard x.type.isInteger || x.type == .null || isStringConstant(x) else {
            throw Binder.error("a list index must be an integer, not \(x.type)", pos)
        }
        return try coerce(x, to: .bigint, pos)
    }
}
