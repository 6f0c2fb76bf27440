/// The Thrift compact protocol, as much as Parquet's footer and page headers use
/// (Formats/parquet.md, "Thrift"; the protocol: Apache Thrift, "Thrift Compact protocol encoding").
///
/// Field headers: one byte `delta << 4 | type` when the field id is 1...15 above the previous one,
/// else the type byte and the id as a zigzag varint. Integers are zigzag ULEB128 varints, binary is
/// a varint length and the bytes, lists are `size << 4 | elementType` (size 15 = varint follows),
/// booleans in a field header carry their value in the type (1 = true, 2 = false).
enum ThriftType: UInt8 {
    case stop = 0
    case boolTrue = 1
    case boolFalse = 2
    case byte = 3
    case i16 = 4
    case i32 = 5
    case i64 = 6
    case double = 7
    case binary = 8
    case list = 9
    case set = 10
    case map = 11
    case structure = 12
}

/// Thrown by `ThriftReader`, the decoders and the decompressors for bytes that disagree with the
/// format; the file and column-chunk readers turn it into a `KuaiError.corrupt` naming the file and
/// the place (footer, or row group and column of a column chunk).
struct ParquetDataError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// A bounds-checked reader of compact-protocol bytes. Every read checks the remaining length and
/// throws `ParquetDataError` instead of reading past the end; nesting is limited to `maxDepth`.
struct ThriftReader: VarintReading {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    private var depth = 0
    static let maxDepth = 64
    /// Longest list accepted (a footer of a sane file lists far fewer elements).
    static let maxListCount = 1 << 26

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    mutating func readByte() throws -> UInt8 {
        guard position < bytes.count else { throw ParquetDataError("unexpected end of data at byte \(position)") }
        let b = bytes[position]
        position += 1
        return b
    }

    var varintPlace: String { " at byte \(position - 1)" }

    /// A Thrift i16, i32 or i64: a zigzag varint.
    mutating func readI64() throws -> Int64 { try readZigZag() }

    mutating func readI32() throws -> Int32 {
        let v = try readI64()
        guard let x = Int32(exactly: v) else { throw ParquetDataError("i32 value \(v) out of range") }
        return x
    }

    mutating func readDouble() throws -> Double {
        guard bytes.count - position >= 8 else { throw ParquetDataError("unexpected end of data in a double") }
        let bits = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return Double(bitPattern: UInt64(littleEndian: bits))
    }

    mutating func readBinary() throws -> [UInt8] {
        let n = try readULEB()
        guard n <= UInt64(bytes.count - position) else {
            throw ParquetDataError("binary of \(n) bytes runs past the end at byte \(position)")
        }
        let out = [UInt8](bytes[position..<(position + Int(n))])
        position += Int(n)
        return out
    }

    mutating func readString() throws -> String {
        String(decoding: try readBinary(), as: UTF8.self)
    }

    /// A list header: element type and count.
    mutating func readListHeader() throws -> (type: UInt8, count: Int) {
        let h = try readByte()
        var count = Int(h >> 4)
        if count == 15 {
            let n = try readULEB()
            guard n <= UInt64(Self.maxListCount) else { throw ParquetDataError("list of \(n) elements") }
            count = Int(n)
        }
        // Every element takes at least one byte: a count beyond the bytes left is corrupt.
        guard count <= bytes.count - position else { throw ParquetDataError("list of \(count) elements past the end") }
        return (h & 0x0F, count)
    }

    /// Reads one struct: calls `field(id, type)` for each field; `field` reads the value and returns
    /// true, or returns false to have it skipped. Stops at the STOP byte.
    mutating func readStruct(_ field: (inout ThriftReader, Int16, UInt8) throws -> Bool) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw ParquetDataError("structures nested deeper than \(Self.maxDepth)") }
        var lastId: Int16 = 0
        while true {
            let h = try readByte()
            if h == ThriftType.stop.rawValue { return }
            let type = h & 0x0F
            let delta = Int16(h >> 4)
            let id: Int16
            if delta != 0 {
                id = lastId &+ delta
            } else {
                let v = try readI64()
                guard let x = Int16(exactly: v) else { throw ParquetDataError("field id \(v) out of range") }
                id = x
            }
            lastId = id
            if !(try field(&self, id, type)) { try skip(type) }
        }
    }

    /// The value of a boolean field: in compact protocol its type byte holds it.
    func boolValue(_ type: UInt8) throws -> Bool {
        if type == ThriftType.boolTrue.rawValue { return true }
        if type == ThriftType.boolFalse.rawValue { return false }
        throw ParquetDataError("expected a boolean field, found type \(type)")
    }

    /// Skips one value of `type` (fields this reader does not use).
    mutating func skip(_ type: UInt8) throws {
        guard let t = ThriftType(rawValue: type) else { throw ParquetDataError("unknown field type \(type)") }
        switch t {
        case .stop: throw ParquetDataError("unexpected STOP")
        case .boolTrue, .boolFalse: return
        case .byte: _ = try readByte()
        case .i16, .i32, .i64: _ = try readULEB()
        case .double: _ = try readDouble()
        case .binary:
            let n = try readULEB()
            guard n <= UInt64(bytes.count - position) else { throw ParquetDataError("binary past the end") }
            position += Int(n)
        case .list, .set:
            let (et, n) = try readListHeader()
            for _ in 0..<n { try skipElement(et) }
        case .map:
            let n = try readULEB()
            if n == 0 { return }
            guard n <= UInt64(bytes.count - position) else { throw ParquetDataError("map past the end") }
            let kv = try readByte()
            for _ in 0..<n {
                try skipElement(kv >> 4)
                try skipElement(kv & 0x0F)
            }
        case .structure:
            try readStruct { _, _, _ in false }
        }
    }

    /// List elements: booleans take one byte there.
    private mutating func skipElement(_ type: UInt8) throws {
        if type == ThriftType.boolTrue.rawValue || type == ThriftType.boolFalse.rawValue {
            _ = try readByte()
        } else {
            try skip(type)
        }
    }

    /// Reads a list of `count` elements with `element`, after checking the element type.
    mutating func readList<T>(of expected: ThriftType, _ element: (inout ThriftReader) throws -> T) throws -> [T] {
        let (et, n) = try readListHeader()
        guard et == expected.rawValue || (n == 0) else {
            throw ParquetDataError("list of type \(et), expected \(expected.rawValue)")
        }
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try element(&self)) }
        return out
    }
}

extension ThriftReader {
    /// Reads one struct `S` by its field table, `S.thriftFields`.
    mutating func read<S: ThriftStruct>(_: S.Type = S.self) throws -> S {
        var value = S()
        try readFields(into: &value, S.thriftFields)
        return value
    }

    /// Reads one struct's fields into `value`: a field whose id is in `fields` and whose type is the
    /// one given there is read by it; every other field is skipped.
    mutating func readFields<S>(into value: inout S, _ fields: [Int16: ThriftField<S>]) throws {
        try readStruct { r, id, t in
            guard let field = fields[id], field.type == nil || field.type?.rawValue == t else { return false }
            return try field.read(&r, &value, t)
        }
    }
}

/// A struct that `ThriftReader.read` decodes by a table: field id -> how the field is read.
protocol ThriftStruct: Sendable {
    init()
    static var thriftFields: [Int16: ThriftField<Self>] { get }
}

/// How `ThriftReader.readFields` reads one field of a struct into an `S`: the wire type the field
/// must have (nil: any, `read` checks it; a boolean's value is its type), and the read, given the
/// field's type byte, which returns false to have the value skipped instead.
struct ThriftField<S>: Sendable {
    let type: ThriftType?
    let read: @Sendable (inout ThriftReader, inout S, UInt8) throws -> Bool

    /// A value of wire type `type`, read by `value` and stored at `path`.
    static func value<V>(
        _ type: ThriftType, _ path: WritableKeyPath<S, V> & Sendable,
        _ value: @escaping @Sendable (inout ThriftReader) throws -> V
    ) -> ThriftField {
        ThriftField(type: type) { r, s, _ in
            s[keyPath: path] = try value(&r)
            return true
        }
    }

    static func i32(_ path: WritableKeyPath<S, Int32> & Sendable) -> ThriftField {
        .value(.i32, path) { try $0.readI32() }
    }
    static func i32(_ path: WritableKeyPath<S, Int32?> & Sendable) -> ThriftField {
        .value(.i32, path) { try $0.readI32() }
    }
    static func i64(_ path: WritableKeyPath<S, Int64> & Sendable) -> ThriftField {
        .value(.i64, path) { try $0.readI64() }
    }
    static func i64(_ path: WritableKeyPath<S, Int64?> & Sendable) -> ThriftField {
        .value(.i64, path) { try $0.readI64() }
    }
    static func binary(_ path: WritableKeyPath<S, [UInt8]?> & Sendable) -> ThriftField {
        .value(.binary, path) { try $0.readBinary() }
    }
    static func string(_ path: WritableKeyPath<S, String?> & Sendable) -> ThriftField {
        .value(.binary, path) { try $0.readString() }
    }

    /// A boolean field (compact protocol: its value is its type).
    static func bool(_ path: WritableKeyPath<S, Bool> & Sendable) -> ThriftField {
        ThriftField(type: nil) { r, s, t in
            s[keyPath: path] = try r.boolValue(t)
            return true
        }
    }

    /// A struct-valued field, read by its own table.
    static func structure<V: ThriftStruct>(_ path: WritableKeyPath<S, V?> & Sendable) -> ThriftField {
        .value(.structure, path) { try $0.read() }
    }

    /// A list of `element`s of wire type `type`.
    static func list<E>(
        _ path: WritableKeyPath<S, [E]> & Sendable, of type: ThriftType,
        _ element: @escaping @Sendable (inout ThriftReader) throws -> E
    ) -> ThriftField {
        .value(.list, path) { try $0.readList(of: type, element) }
    }

    /// A list of structs, each read by its own table.
    static func list<E: ThriftStruct>(_ path: WritableKeyPath<S, [E]> & Sendable) -> ThriftField {
        list(path, of: .structure) { try $0.read() }
    }
}

/// Writes compact-protocol bytes (the writer's footer and page headers).
struct ThriftWriter {
    var bytes: [UInt8] = []
    private var lastIds: [Int16] = [0]

    init() { bytes.reserveCapacity(256) }

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func zigzag(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }

    mutating func fieldHeader(_ id: Int16, _ type: ThriftType) {
        let last = lastIds[lastIds.count - 1]
        let delta = id - last
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            zigzag(Int64(id))
        }
        lastIds[lastIds.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ v: Int32) {
        fieldHeader(id, .i32)
        zigzag(Int64(v))
    }

    mutating func i64(_ id: Int16, _ v: Int64) {
        fieldHeader(id, .i64)
        zigzag(v)
    }

    mutating func i8(_ id: Int16, _ v: Int8) {
        fieldHeader(id, .byte)
        bytes.append(UInt8(bitPattern: v))
    }

    mutating func bool(_ id: Int16, _ v: Bool) { fieldHeader(id, v ? .boolTrue : .boolFalse) }

    mutating func binary(_ id: Int16, _ v: [UInt8]) {
        fieldHeader(id, .binary)
        rawBinary(v)
    }

    mutating func string(_ id: Int16, _ s: String) { binary(id, Array(s.utf8)) }

    mutating func rawBinary(_ v: [UInt8]) {
        varint(UInt64(v.count))
        bytes.append(contentsOf: v)
    }

    /// A struct-valued field: `body` writes its fields; the STOP byte follows.
    mutating func structure(_ id: Int16, _ body: (inout ThriftWriter) -> Void) {
        fieldHeader(id, .structure)
        structBody(body)
    }

    /// A struct without a field header (a list element or the top-level struct).
    mutating func structBody(_ body: (inout ThriftWriter) -> Void) {
        lastIds.append(0)
        body(&self)
        lastIds.removeLast()
        bytes.append(ThriftType.stop.rawValue)
    }

    mutating func listHeader(_ id: Int16, _ type: ThriftType, count: Int) {
        fieldHeader(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | type.rawValue)
        } else {
            bytes.append(0xF0 | type.rawValue)
            varint(UInt64(count))
        }
    }

    mutating func i32List(_ id: Int16, _ values: [Int32]) {
        listHeader(id, .i32, count: values.count)
        for v in values { zigzag(Int64(v)) }
    }

    mutating func stringList(_ id: Int16, _ values: [String]) {
        listHeader(id, .binary, count: values.count)
        for v in values { rawBinary(Array(v.utf8)) }
    }

    mutating func structList<T>(_ id: Int16, _ values: [T], _ body: (inout ThriftWriter, T) -> Void) {
        listHeader(id, .structure, count: values.count)
        for v in values { structBody { body(&$0, v) } }
    }
}
