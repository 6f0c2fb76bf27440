import KuaiCore

extension ListFunctions {
    /// list_sort / list_reverse_sort: each list's elements in order (DuckDB's ORDER BY order of the
    /// element type, NULL elements first or last); NULL lists stay NULL. One stable sort of every
    /// element by (row, value); the result has a new child with each row's elements contiguous.
    static func sortLists(_ l: Column, descending: Bool, nullsFirst: Bool) throws -> Column {
        let n = l.count
        let element = l.type.listElement ?? .null
        var rows: [Int64] = []
        var picks: [Int32] = []
        for i in 0..<n where l.isValid(i) {
            let start = l.listOffset(i)
            for k in start..<(start + l.listLength(i)) {
                rows.append(Int64(i))
                picks.append(Int32(k))
            }
        }
        guard !picks.isEmpty, element != .null else { return l }
        let values = picks.withUnsafeBufferPointer { l.listElements.gather($0) }
        let keys = [SortKey(column: 0), SortKey(column: 1, ascending: !descending, nullsFirst: nullsFirst)]
        // lists of lists sort by their elements' keys (DuckDB's list order, `Kernels.listKeys`)
        let sortValues = element.isList ? Kernels.listKeys(values) : values
        let perm = try sortPermutation(
            [Column(type: .bigint, ints: rows), sortValues], count: picks.count, keys: keys)
        let child = perm.withUnsafeBufferPointer { values.gather($0) }
        var packed = [Int64](repeating: 0, count: n)
        var offset = 0
        for i in 0..<n where l.isValid(i) {
            packed[i] = Column.packList(offset: offset, length: l.listLength(i))
            offset += l.listLength(i)
        }
        return Column(listOf: element, packed: packed, child: child, validity: l.validity)
    }

    /// array_to_string(l, sep): the non-NULL elements' VARCHAR text joined by `sep` (a NULL `sep` is
    /// `,`), as DuckDB's list_aggr(l, 'string_agg', sep): `''` for an empty list, NULL for a NULL
    /// list or one whose elements are all NULL.
    static func joinText(_ l: Column, _ sep: Column) -> Column {
        let n = l.count
        let element = l.type.listElement ?? .null
        let elements = l.listElements
        let text = element.isList ? Kernels.listToVarchar(elements) : Kernels.castToVarcharFlat(elements, from: element)
        var valid = l.validity ?? [UInt8](repeating: 1, count: n)
        var buffer = [UInt8]()
        let comma: [UInt8] = [UInt8(ascii: ",")]
        let out = FlatStrings.build(n, validity: nil) { out, heap in
            for i in 0..<n where valid[i] != 0 {
                buffer.removeAll(keepingCapacity: true)
                let start = l.listOffset(i)
                var any = false
                for k in start..<(start + l.listLength(i)) where text.isValid(k) {
                    if any {
                        if sep.isValid(i) {
                            sep.stringView(at: i).withBytes { buffer.append(contentsOf: $0) }
                        } else {
                            buffer.append(contentsOf: comma)
                        }
                    }
                    text.stringView(at: k).withBytes { buffer.append(contentsOf: $0) }
                    any = true
                }
                if !any && l.listLength(i) > 0 { valid[i] = 0 }
                out[i] = buffer.withUnsafeBufferPointer { b in
                    b.isEmpty ? StringView() : FlatStrings.copy(heap, b.baseAddress!, count: b.count)
                }
            }
        }
        var result = out
        result.validity = valid.contains(0) ? valid : nil
        return result
    }
}
