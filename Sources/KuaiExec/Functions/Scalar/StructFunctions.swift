import KuaiCore

/// Scalar functions over DuckDB's STRUCT and MAP types. As for lists (ListFunctions), the binder
/// (StructBinder.swift in KuaiPlan) checks the arguments and the field names and asks
/// `StructFunctions.make` for the kernel of the resolved types. Every kernel works on whole
/// columns: field columns are gathered, never boxed per row.
public enum StructFunctions {
    /// The kernels by DuckDB name (aliases resolved by the binder).
    public enum Kind: Sendable {
        /// `struct_pack(a := x, ...)` / `{'a': x, ...}` / `row(x, ...)`: a STRUCT of its arguments
        /// (never NULL itself).
        case pack
        /// `s.a` / `s['a']` / `struct_extract(s, 'a')`: field `index` (0-based), NULL where the struct
        /// is NULL.
        case extract(Int)
        /// `map(keys, values)` / `MAP {k: v}`: the entries of two lists of equal length; keys must be
        /// non-NULL and unique (DuckDB's errors otherwise). NULL lists give an empty map.
        case fromLists
        /// `m[k]` (`list` false: the value, NULL when absent) and `element_at(m, k)` /
        /// `map_extract(m, k)` (`list` true: a list of the value, empty when absent).
        case mapExtract(list: Bool)
        /// `map_keys(m)` / `map_values(m)`: the keys or values as a list, in entry order.
        case mapKeys, mapValues
        /// `map_entries(m)`: the entries as a list of STRUCT(key, value).
        case mapEntries
        /// `cardinality(m)`: the entry count as BIGINT (DuckDB: UBIGINT), NULL for a NULL map.
        case cardinality
        /// `map_concat(m1, m2, ...)`: every map's entries, a later value replacing an earlier one of
        /// the same key in its place; NULL maps skipped, NULL where all are. Arguments whose type is
        /// not the result's (NULL, `MAP {}`) hold no entries.
        case mapConcat
    }

    /// The function `name` of `kind` taking `parameters` (the arguments already cast to them)
    /// and returning `returnType`.
    public static func make(_ name: String, _ kind: Kind, _ parameters: [DataType], _ returnType: DataType)
        -> ScalarFunction
    {
        ScalarFunction(name, parameters, returnType) { args, types, n, _ in
            let cols = args.indices.map { ListFunctions.column(args[$0], types[$0], n) }
            switch kind {
            case .pack: return .column(Column(structOf: returnType, aligned: cols, count: n))
            case .extract(let k): return .column(cols[0].structField(k))
            case .fromLists: return .column(try mapFromLists(cols[0], cols[1], returnType))
            case .mapExtract(let list): return .column(mapExtract(cols[0], cols[1], list: list, returnType))
            case .mapKeys, .mapValues:
                let field = { if case .mapKeys = kind { return 0 } else { return 1 } }()
                let m = cols[0]
                return .column(
                    Column(
                        listOf: returnType.listElement ?? .null, packed: m.ints,
                        child: m.listElements.structField(field), validity: m.validity))
            case .mapEntries:
                let m = cols[0]
                return .column(
                    Column(
                        listOf: returnType.listElement ?? .null, packed: m.ints, child: m.listElements,
                        validity: m.validity))
            case .cardinality: return .column(ListFunctions.length(cols[0]))
            case .mapConcat: return .column(mapConcat(cols, returnType))
            }
        }
    }

    /// The MAP of `type` whose row i pairs the elements of `keys` row i with those of `values` row i.
    /// - Throws: `KuaiError.execution` when the lists differ in length, a key is NULL or a key
    ///   repeats in a row (DuckDB's messages).
    static func mapFromLists(_ keys: Column, _ values: Column, _ type: DataType) throws -> Column {
        guard case .map(let keyType, let valueType) = type else { return Column.nulls(type, count: keys.count) }
        let n = keys.count
        let keyChild = keys.listElements
        let valueChild = values.listElements
        let keyText = Kernels.nestedToVarchar(keyChild)
        var keyPicks: [Int32] = []
        var valuePicks: [Int32] = []
        var packed = [Int64](repeating: 0, count: n)
        // the key texts own the bytes their views point to: alive until the last comparison
        defer { withExtendedLifetime(keyText) {} }
        for i in 0..<n {
            let kl = keys.isValid(i) ? keys.listLength(i) : 0
            let vl = values.isValid(i) ? values.listLength(i) : 0
            guard kl == vl else {
                throw KuaiError(.execution, "The map key list does not align with the map value list.")
            }
            let ko = keys.listOffset(i)
            let vo = values.listOffset(i)
            packed[i] = Column.packList(offset: keyPicks.count, length: kl)
            for j in 0..<kl {
                guard keyChild.isValid(ko + j) else { throw KuaiError(.execution, "Map keys can not be NULL.") }
                for p in 0..<j where StringView.equal(keyText.stringView(at: ko + p), keyText.stringView(at: ko + j)) {
                    throw KuaiError(.execution, "Map keys must be unique.")
                }
                keyPicks.append(Int32(ko + j))
                valuePicks.append(Int32(vo + j))
            }
        }
        let k = keyPicks.withUnsafeBufferPointer { keyChild.gather($0) }
        let v = valuePicks.withUnsafeBufferPointer { valueChild.gather($0) }
        let entryType = DataType.structure([Field("key", keyType), Field("value", valueType)])
        let entries = Column(
            structOf: entryType,
            aligned: [
                k.type == keyType ? k : Column.nulls(keyType, count: k.count),
                v.type == valueType ? v : Column.nulls(valueType, count: v.count),
            ], count: keyPicks.count)
        return Column(mapOf: type, packed: packed, entries: entries)
    }

    /// The value of each row's entry whose key equals `key` (compared by their text, one text per
    /// value of a type): as a value of `type` (`list` false) or a list of it (`list` true, empty when
    /// no key matches). NULL when the map is NULL; a NULL key matches nothing.
    static func mapExtract(_ m: Column, _ key: Column, list: Bool, _ type: DataType) -> Column {
        let n = m.count
        let entries = m.listElements
        let keyText = Kernels.nestedToVarchar(entries.structField(0))
        let values = entries.structField(1)
        let needle = Kernels.nestedToVarchar(key)
        var picks = [Int32](repeating: 0, count: n)
        var found = [UInt8](repeating: 0, count: n)
        // the texts own the bytes their views point to: alive until the last comparison
        defer { withExtendedLifetime((keyText, needle)) {} }
        for i in 0..<n where m.isValid(i) && needle.isValid(i) {
            let o = m.listOffset(i)
            let target = needle.stringView(at: i)
            for e in o..<(o + m.listLength(i)) where StringView.equal(keyText.stringView(at: e), target) {
                picks[i] = Int32(e)
                found[i] = 1
                break
            }
        }
        var value =
            values.count == 0
            ? Column.nulls(values.type, count: n) : picks.withUnsafeBufferPointer { values.gather($0) }
        var valid = value.validity ?? [UInt8](repeating: 1, count: n)
        for i in 0..<n where found[i] == 0 { valid[i] = 0 }
        if !list {
            value.validity = valid
            return value
        }
        // a list of one value where a key matched (the value may be NULL), else empty; NULL maps NULL
        var packed = [Int64](repeating: 0, count: n)
        for i in 0..<n where found[i] != 0 { packed[i] = Column.packList(offset: i, length: 1) }
        return Column(listOf: values.type, packed: packed, child: value, validity: m.validity)
    }

    /// `map_concat` of the MAP columns `maps` into a MAP of `type` (see `Kind.mapConcat`). Keys are
    /// compared by their text (one text per value of a type), each row's entries against the row's
    /// entries so far (maps are small, as in `mapFromLists`).
    static func mapConcat(_ maps: [Column], _ type: DataType) -> Column {
        let n = maps[0].count
        let typed = maps.filter { $0.type == type }
        let entryType = type.mapEntry ?? .structure([Field("key", .null), Field("value", .null)])
        let entries = ListFunctions.joined(typed.map(\.listElements), element: entryType)
        var base = [0]
        for m in typed { base.append(base.last! + m.listElements.count) }
        let keyText = Kernels.nestedToVarchar(entries.structField(0))
        defer { withExtendedLifetime(keyText) {} }
        var picks: [Int32] = []
        var packed = [Int64](repeating: 0, count: n)
        var valid = [UInt8](repeating: 0, count: n)
        for m in maps where m.type.isMap {
            for i in 0..<n where m.isValid(i) { valid[i] = 1 }
        }
        for i in 0..<n {
            let rowStart = picks.count
            for (j, m) in typed.enumerated() where m.isValid(i) {
                let o = m.listOffset(i)
                for e in o..<(o + m.listLength(i)) {
                    let g = Int32(base[j] + e)
                    let key = keyText.stringView(at: Int(g))
                    var at = rowStart
                    while at < picks.count && !StringView.equal(keyText.stringView(at: Int(picks[at])), key) { at += 1 }
                    if at < picks.count { picks[at] = g } else { picks.append(g) }
                }
            }
            packed[i] = Column.packList(offset: rowStart, length: picks.count - rowStart)
        }
        let child = picks.withUnsafeBufferPointer { entries.gather($0) }
        return Column(mapOf: type, packed: packed, entries: child, validity: valid.contains(0) ? valid : nil)
    }
}
