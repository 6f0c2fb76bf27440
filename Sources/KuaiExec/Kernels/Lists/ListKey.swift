import KuaiCore

/// LIST values as order-preserving byte keys, so that every operator that groups, hashes, sorts or
/// compares VARCHAR values (GROUP BY, DISTINCT, set operations, joins, ORDER BY, window partitions,
/// `<`, IN, CASE) handles lists through one VARCHAR column, decoded back after it.
///
/// A list's key is, for each element in order, the byte 0x02 then the element's key (0x03 alone for
/// a NULL element), then the byte 0x01 at the end. Comparing two keys byte by byte (as VARCHAR
/// values compare) is DuckDB 2.0.1's list order: element by element, a list that is a prefix of the
/// other first (`[] < [NULL]`, `[1] < [1, 2]`), NULL elements after every value (`[1, 2] < [1, NULL]`).
/// Element keys: integer-stored types (BOOLEAN, integers, DATE, TIMESTAMP[TZ], DECIMAL up to 18
/// digits) their 64 bits with the sign bit flipped, big-endian in 10 bytes of 7 bits (1 + 9 x 7);
/// HUGEINT and wider DECIMAL two such words; DOUBLE its bits ordered (negative values inverted) in
/// the same 10 bytes; VARCHAR its bytes with 0x00 written 0x00 0x01, ended by 0x00 0x00; a nested
/// list its own key. Every byte added is ASCII, so a key is valid UTF-8 and survives a constant
/// `Value.string` (plan-time folding, IN lists of a subquery's values). The encoding is lossless, so
/// `listsFromKeys` gives back the exact list. INTERVAL elements have no key (DuckDB orders them by
/// a normalised value that is not their identity); the binder refuses them.
///
/// STRUCT and MAP values have keys too (DuckDB's STRUCT order: field by field, a NULL field after
/// every value): a struct's key is, for each field in order, 0x02 then the field's key (0x03 alone
/// for a NULL field), with no end byte (the type fixes the field count); a MAP's key is the key of
/// its entry list (a list of STRUCT(key, value)). Nested values inside lists or structs are keyed
/// the same way.
extension Kernels {
    /// True when lists of `element` have keys (`listKeys`).
    public static func listKeyable(_ element: DataType) -> Bool {
        switch element {
        case .interval: return false
        case .list(let e): return listKeyable(e)
        case .structure(let fields): return fields.allSatisfy { listKeyable($0.type) }
        case .map(let k, let v): return listKeyable(k) && listKeyable(v)
        default: return true
        }
    }

    /// True when `element` keys take 16 bytes (HUGEINT, DECIMAL of more than 18 digits).
    static func listKeyIsWide(_ element: DataType) -> Bool {
        if element == .hugeint { return true }
        if case .decimal(let p, _) = element { return p > 18 }
        return false
    }

    /// The key of every row of a LIST column: a flat VARCHAR column, NULL where the list is NULL.
    /// With `normalized`, DOUBLE elements are keyed as DuckDB compares them (-0.0 as 0.0, every NaN
    /// as one NaN after every number), for equality and order; without, the key keeps every bit, for
    /// values only carried through a VARCHAR (CASE, coalesce).
    /// - Precondition: `c.type` is a list of a `listKeyable` element type.
    public static func listKeys(_ c: Column, normalized: Bool = true) -> Column {
        if c.type.isStruct { return structKeys(c, normalized: normalized) }
        guard let element = c.type.childElement else { return c }
        let child = c.listElements
        let nested: Column? = element.isNested ? listKeys(child, normalized: normalized) : nil
        let wide = listKeyIsWide(element)
        let n = c.count
        var buffer = [UInt8]()
        return FlatStrings.build(n, validity: c.validity) { out, heap in
            for i in 0..<n where c.isValid(i) {
                buffer.removeAll(keepingCapacity: true)
                let start = c.listOffset(i)
                for k in start..<(start + c.listLength(i)) {
                    guard child.isValid(k) else {
                        buffer.append(3)
                        continue
                    }
                    buffer.append(2)
                    appendElementKey(child, k, element, nested, wide, normalized, &buffer)
                }
                buffer.append(1)
                out[i] = buffer.withUnsafeBufferPointer { FlatStrings.copy(heap, $0.baseAddress!, count: $0.count) }
            }
        }
    }

    /// The key of every row of a STRUCT column (see the type's doc): a flat VARCHAR column, NULL
    /// where the struct is NULL.
    static func structKeys(_ c: Column, normalized: Bool) -> Column {
        let fields = c.type.structFields
        let columns = fields.indices.map { c.structField($0) }
        let nested = fields.indices.map {
            fields[$0].type.isNested ? listKeys(columns[$0], normalized: normalized) : nil
        }
        let wide = fields.map { listKeyIsWide($0.type) }
        let n = c.count
        var buffer = [UInt8]()
        return FlatStrings.build(n, validity: c.validity) { out, heap in
            for i in 0..<n where c.isValid(i) {
                buffer.removeAll(keepingCapacity: true)
                for k in fields.indices {
                    guard columns[k].isValid(i) else {
                        buffer.append(3)
                        continue
                    }
                    buffer.append(2)
                    appendElementKey(columns[k], i, fields[k].type, nested[k], wide[k], normalized, &buffer)
                }
                out[i] = buffer.withUnsafeBufferPointer {
                    FlatStrings.copy(heap, $0.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: $0.count)
                }
            }
        }
    }

    /// Appends the key of element `k` of `child` (valid) to `buffer`.
    @inline(__always)
    static func appendElementKey(
        _ child: Column, _ k: Int, _ element: DataType, _ nested: Column?, _ wide: Bool, _ normalized: Bool,
        _ buffer: inout [UInt8]
    ) {
        @inline(__always) func word(_ w: UInt64) {
            buffer.append(UInt8(truncatingIfNeeded: w >> 63))
            for s in stride(from: 56, through: 0, by: -7) {
                buffer.append(UInt8(truncatingIfNeeded: w >> UInt64(s)) & 0x7F)
            }
        }
        switch element {
        case .double:
            var d = child.doubles[k]
            if normalized && d == 0 { d = 0 }
            if normalized && d.isNaN { d = .nan }
            let bits = d.bitPattern
            word(bits >> 63 == 1 ? ~bits : bits | (1 << 63))
        case .varchar:
            child.stringView(at: k).withBytes { b in
                for byte in b {
                    buffer.append(byte)
                    if byte == 0 { buffer.append(1) }
                }
            }
            buffer.append(0)
            buffer.append(0)
        case .list, .structure, .map:
            nested!.stringView(at: k).withBytes { buffer.append(contentsOf: $0) }
        default:
            if wide {
                let v = child.int128(at: k)
                word(UInt64(truncatingIfNeeded: v >> 64) ^ (1 << 63))
                word(UInt64(truncatingIfNeeded: v))
            } else {
                word(UInt64(bitPattern: child.ints[k]) ^ (1 << 63))
            }
        }
    }

    /// The LIST column of `type` whose keys are `keys` (a VARCHAR column of `listKeys` values; NULL
    /// rows give NULL lists): `listKeys`' inverse.
    public static func listsFromKeys(_ keys: Column, type: DataType) -> Column {
        if type.isStruct {
            // one struct per row, decoded as an element of a decoder of the struct type
            let decoder = ListKeyDecoder(type)
            for i in 0..<keys.count {
                if keys.isValid(i) {
                    keys.stringView(at: i).withBytes { b in
                        var pos = 0
                        decoder.appendValue(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, &pos)
                    }
                } else {
                    decoder.appendNull()
                }
            }
            return decoder.column()
        }
        let element = type.childElement ?? .null
        let decoder = ListKeyDecoder(element)
        let n = keys.count
        var packed = [Int64](repeating: 0, count: n)
        for i in 0..<n where keys.isValid(i) {
            packed[i] = keys.stringView(at: i).withBytes { b in
                var pos = 0
                return decoder.readList(b.baseAddress!, &pos)
            }
        }
        if type.isMap { return Column(mapOf: type, packed: packed, entries: decoder.column(), validity: keys.validity) }
        return Column(listOf: element, packed: packed, child: decoder.column(), validity: keys.validity)
    }
}

/// The elements of one nesting level of decoded list keys (`Kernels.listsFromKeys`).
final class ListKeyDecoder {
    let element: DataType
    let wide: Bool
    var count = 0
    var valid: [UInt8] = []
    var ints: [Int64] = []
    var highs: [Int64] = []
    var doubles: [Double] = []
    var strings = StringVectorBuilder()
    var scratch: [UInt8] = []
    /// For an element type that is a list: the packed (offset, length) of each element and the
    /// decoder of their elements.
    var packed: [Int64] = []
    let nested: ListKeyDecoder?
    /// For an element type that is a STRUCT: the decoder of each field (`ints` holds each
    /// element's row in them).
    let fields: [ListKeyDecoder]

    init(_ element: DataType) {
        self.element = element
        wide = Kernels.listKeyIsWide(element)
        nested = element.childElement.map { ListKeyDecoder($0) }
        fields = element.structFields.map { ListKeyDecoder($0.type) }
    }

    /// Reads one list's key at `p[pos...]` (up to and including its end byte), appending its
    /// elements; returns the list's packed (offset, length) word.
    func readList(_ p: UnsafePointer<UInt8>, _ pos: inout Int) -> Int64 {
        let start = count
        while true {
            let marker = p[pos]
            pos += 1
            if marker == 1 { break }
            if marker == 3 {
                appendNull()
            } else {
                appendValue(p, &pos)
            }
        }
        return Column.packList(offset: start, length: count - start)
    }

    private func word(_ p: UnsafePointer<UInt8>, _ pos: inout Int) -> UInt64 {
        var w: UInt64 = 0
        for k in 0..<10 { w = w << 7 | UInt64(p[pos + k]) }
        pos += 10
        return w
    }

    func appendValue(_ p: UnsafePointer<UInt8>, _ pos: inout Int) {
        switch element {
        case .structure:
            ints.append(Int64(fields.first?.count ?? 0))
            for f in fields {
                let marker = p[pos]
                pos += 1
                if marker == 3 { f.appendNull() } else { f.appendValue(p, &pos) }
            }
        case .double:
            let w = word(p, &pos)
            doubles.append(doubleFromOrdered(w))
        case .varchar:
            scratch.removeAll(keepingCapacity: true)
            while true {
                let byte = p[pos]
                if byte == 0 {
                    pos += 2
                    if p[pos - 1] == 0 { break }
                } else {
                    pos += 1
                }
                scratch.append(byte)
            }
            scratch.withUnsafeBufferPointer {
                strings.append($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: $0.count)
            }
        case .list, .map:
            packed.append(nested!.readList(p, &pos))
        default:
            if wide {
                highs.append(Int64(bitPattern: word(p, &pos) ^ (1 << 63)))
                ints.append(Int64(bitPattern: word(p, &pos)))
            } else {
                ints.append(Int64(bitPattern: word(p, &pos) ^ (1 << 63)))
            }
        }
        valid.append(1)
        count += 1
    }

    func appendNull() {
        switch element {
        case .double: doubles.append(0)
        case .varchar: strings.appendNull()
        case .list, .map: packed.append(0)
        default:
            ints.append(0)
            if wide { highs.append(0) }
        }
        valid.append(0)
        count += 1
    }

    /// The decoded elements as a column of `element`.
    func column() -> Column {
        let validity = valid.contains(0) ? valid : nil
        switch element {
        case .null: return Column.nulls(.null, count: count)
        case .double: return Column(doubles: doubles, validity: validity)
        case .varchar:
            var c = strings.finish()
            c.validity = validity
            return c
        case .list(let e): return Column(listOf: e, packed: packed, child: nested!.column(), validity: validity)
        case .map: return Column(mapOf: element, packed: packed, entries: nested!.column(), validity: validity)
        case .structure:
            return Column(structOf: element, rows: ints, fields: fields.map { $0.column() }, validity: validity)
        default:
            guard wide else { return Column(type: element, ints: ints, validity: validity) }
            var values = [Int128](repeating: 0, count: count)
            for k in 0..<count { values[k] = Int128(highs[k]) << 64 | Int128(UInt64(bitPattern: ints[k])) }
            var c = Column(hugeints: values, validity: validity)
            c.type = element
            return c
        }
    }
}
