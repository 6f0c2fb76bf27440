import KuaiCore

/// Scalar functions over DuckDB's LIST type. Their parameter and result types depend on the list's
/// element type, so the binder (ListBinder.swift in KuaiPlan) checks the arguments, inserts the
/// casts and asks `ListFunctions.make` for the kernel of the resolved types. Every kernel works on
/// whole columns: a result list shares its input's child (slices) or builds one child column
/// (`list_value`, `string_split`); no boxed value per row.
public enum ListFunctions {
    /// The kernels by DuckDB name (aliases resolved by the binder).
    public enum Kind: Sendable {
        /// `list_value(a, b, ...)` / `[a, b, ...]`: a list of its arguments (never NULL).
        case value
        /// `len(l)`: the element count as BIGINT, NULL for a NULL list.
        case length
        /// `l[i]` / `array_extract(l, i)`: 1-based, negative from the end; 0 or out of range NULL.
        case extract
        /// `l[a:b]` / `array_slice(l, a, b)` with the bounds present (`hasBegin`, `hasEnd`).
        case slice(hasBegin: Bool, hasEnd: Bool)
        /// `list_contains(l, x)`: BOOLEAN, NULL when l or x is NULL; NULL elements never match.
        case contains
        /// `list_position(l, x)`: INTEGER 1-based position of the first element not distinct from x
        /// (a NULL x finds a NULL element), NULL when absent or l is NULL.
        case position
        /// `string_split(s, sep)`: VARCHAR[]; an empty separator splits into characters, a NULL one
        /// gives `[s]`.
        case stringSplit
        /// `list_sort(l[, order[, nulls]])`: the elements sorted (DuckDB's default ASC NULLS LAST).
        case sort(descending: Bool, nullsFirst: Bool)
        /// `array_to_string(l, sep)`: the non-NULL elements' text joined by sep.
        case joinText
        /// The order-preserving VARCHAR key of a list (`Kernels.listKeys`), NULL for a NULL list: the
        /// planner groups, sorts and compares lists by it.
        /// `normalized`: DOUBLE elements keyed as compared (see `Kernels.listKeys`).
        case key(normalized: Bool)
        /// A list from its key (`Kernels.listsFromKeys`), the list type being the result type.
        case fromKey
        /// The kernels of ListBuild.swift.
        case built(Building)
        /// list_transform / list_filter / list_reduce (ListLambda.swift).
        case lambda(ListLambda)
    }

    /// The function `name` of `kind` taking `parameters` (the arguments already cast to them)
    /// and returning `returnType`.
    public static func make(_ name: String, _ kind: Kind, _ parameters: [DataType], _ returnType: DataType)
        -> ScalarFunction
    {
        ScalarFunction(name, parameters, returnType) { args, types, n, _ in
            switch kind {
            case .value: return .column(listValue(args, types, returnType, n))
            case .length: return .column(length(column(args[0], types[0], n)))
            case .extract:
                return .column(extract(column(args[0], types[0], n), column(args[1], .bigint, n)))
            case .slice(let hasBegin, let hasEnd):
                var k = 1
                let begin = hasBegin ? column(args[k], .bigint, n) : nil
                if hasBegin { k += 1 }
                let end = hasEnd ? column(args[k], .bigint, n) : nil
                return .column(slice(column(args[0], types[0], n), begin, end))
            case .contains, .position:
                let found = search(column(args[0], types[0], n), column(args[1], types[1], n), kind: kind)
                return .column(found)
            case .stringSplit:
                return .column(stringSplit(column(args[0], .varchar, n), column(args[1], .varchar, n)))
            case .sort(let descending, let nullsFirst):
                return .column(
                    try sortLists(column(args[0], types[0], n), descending: descending, nullsFirst: nullsFirst))
            case .joinText:
                return .column(joinText(column(args[0], types[0], n), column(args[1], .varchar, n)))
            case .key(let normalized):
                return .column(Kernels.listKeys(column(args[0], types[0], n), normalized: normalized))
            case .fromKey: return .column(Kernels.listsFromKeys(column(args[0], .varchar, n), type: returnType))
            case .built(let b):
                let cols = args.indices.map { column(args[$0], types[$0], n) }
                return .column(try build(b, cols, returnType))
            case .lambda(let lambda):
                let cols = args.indices.map { column(args[$0], types[$0], n) }
                return .column(try applyLambda(lambda, cols, returnType))
            }
        }
    }

    /// An operand as a column of `n` rows of `type`.
    static func column(_ op: Operand, _ type: DataType, _ n: Int) -> Column {
        switch op {
        case .column(let c): return c
        case .scalar(let v): return Column.broadcast(v, type: type, count: n)
        }
    }

    /// list_value: row i is (argument 0 of row i, argument 1 of row i, ...): the arguments' columns
    /// end to end, gathered element-major.
    static func listValue(_ args: [Operand], _ types: [DataType], _ type: DataType, _ n: Int) -> Column {
        let element = type.listElement ?? .null
        let k = args.count
        guard k > 0 else {
            return Column(
                listOf: element, packed: [Int64](repeating: 0, count: n), child: Column.nulls(element, count: 0))
        }
        var all = ColumnBuilder(type: element)
        for (j, a) in args.enumerated() { all.append(column(a, types[j], n)) }
        let joined = all.take()
        let order = [Int32](unsafeUninitializedCapacity: n * k) { buf, filled in
            for i in 0..<n { for j in 0..<k { buf[i * k + j] = Int32(j * n + i) } }
            filled = n * k
        }
        let child = order.withUnsafeBufferPointer { joined.gather($0) }
        let packed = (0..<n).map { Column.packList(offset: $0 * k, length: k) }
        return Column(listOf: element, packed: packed, child: child)
    }

    static func length(_ l: Column) -> Column {
        let n = l.count
        let lengths = [Int64](unsafeUninitializedCapacity: n) { buf, filled in
            l.ints.withUnsafeBufferPointer { p in for i in 0..<n { buf[i] = p[i] & 0xFFFF_FFFF } }
            filled = n
        }
        return Column(type: .bigint, ints: lengths, validity: l.validity)
    }

    /// The child position of 1-based index `k` (negative from the end) in a list of `length`
    /// elements at `offset`; nil when 0 or out of range.
    @inline(__always)
    static func elementIndex(_ k: Int64, offset: Int, length: Int) -> Int? {
        if k > 0 && k <= Int64(length) { return offset + Int(k) - 1 }
        if k < 0 && k >= -Int64(length) { return offset + length + Int(k) }
        return nil
    }

    static func extract(_ l: Column, _ index: Column) -> Column {
        let n = l.count
        let element = l.type.listElement ?? .null
        let child = l.listElements
        guard child.count > 0 else { return Column.nulls(element, count: n) }
        var valid = [UInt8](repeating: 0, count: n)
        let picks = [Int32](unsafeUninitializedCapacity: n) { buf, filled in
            for i in 0..<n {
                buf[i] = 0
                guard l.isValid(i) && index.isValid(i),
                    let at = elementIndex(index.ints[i], offset: l.listOffset(i), length: l.listLength(i))
                else { continue }
                buf[i] = Int32(at)
                valid[i] = child.isValid(at) ? 1 : 0
            }
            filled = n
        }
        var out = picks.withUnsafeBufferPointer { child.gather($0) }
        out.validity = valid.contains(0) ? valid : nil
        return out
    }

    /// DuckDB's list_slice bounds: 1-based and inclusive; a negative bound counts from the end
    /// (-1 is the last element), 0 or below the start is the start, past the end is the end; a
    /// missing bound is the start or the end; a NULL bound makes the row NULL.
    static func slice(_ l: Column, _ begin: Column?, _ end: Column?) -> Column {
        let n = l.count
        var validity = l.validity ?? [UInt8](repeating: 1, count: n)
        var packed = l.ints
        for i in 0..<n {
            if (begin.map { !$0.isValid(i) } ?? false) || (end.map { !$0.isValid(i) } ?? false) { validity[i] = 0 }
            guard validity[i] != 0 else {
                packed[i] = 0
                continue
            }
            let len = Int64(l.listLength(i))
            var b = begin?.ints[i] ?? 1
            var e = end?.ints[i] ?? len
            if b < 0 { b = len + b + 1 }
            if e < 0 { e = len + e + 1 }
            b = max(b, 1)
            e = min(e, len)
            let count = e >= b ? Int(e - b + 1) : 0
            packed[i] = Column.packList(offset: l.listOffset(i) + (count > 0 ? Int(b) - 1 : 0), length: count)
        }
        return Column(
            listOf: l.type.listElement ?? .null, packed: packed, child: l.listElements,
            validity: validity.contains(0) ? validity : nil)
    }
}
