import KuaiCore

/// Rows of a fixed list of columns as `SpillRecord`s and back. Per column a marker byte, then the
/// value: 0 = NULL (no value); 1 = a value: 8 bytes for integer-stored and DOUBLE columns, a
/// length-prefixed UTF-8 string for VARCHAR; 2 = a VARCHAR value as its Int32 code in the column's
/// dictionary (the first dictionary seen in that column, `adopt`: a stored column has one for all
/// its blocks, so its values spill as 4-byte codes and come back dictionary-coded).
///
/// The first `keyCount` columns are the record's key: `encode` returns a hash of the key values
/// (strings by their bytes in either form, DOUBLE with -0.0 as 0.0 and every NaN as one NaN), so
/// equal keys go to the same spill partition. Thread-safe: several threads encode with one codec.
final class SpilledRows: @unchecked Sendable {
    /// The column types, keys first.
    let types: [DataType]
    /// The number of leading key columns.
    let keyCount: Int
    private let lock = Mutex()
    private var dictionaries: [StringDictionary?]

    init(types: [DataType], keyCount: Int) {
        self.types = types
        self.keyCount = keyCount
        dictionaries = Array(repeating: nil, count: types.count)
    }

    /// True when a column of type `t` can be written: integer-stored types that fit 64 bits,
    /// DOUBLE, VARCHAR (not HUGEINT, DECIMAL of more than 18 digits or INTERVAL, whose months and
    /// days live in `Column.highs`).
    static func spillable(_ t: DataType) -> Bool {
        switch t {
        case .boolean, .tinyint, .smallint, .integer, .bigint, .date, .timestamp, .timestamptz, .time, .double,
            .varchar,
            .null:
            return true
        case .decimal(let p, _): return p <= 18
        case .hugeint, .interval, .list, .structure, .map: return false
        }
    }

    /// The dictionary of each column whose values are written as codes, taking the dictionaries
    /// of `columns` (one per type) for columns that have none yet. Call once per batch and pass
    /// the result to `encode`.
    func adopt(_ columns: [Column]) -> [StringDictionary?] {
        lock.withLock {
            for (c, col) in columns.enumerated() where dictionaries[c] == nil && types[c] == .varchar {
                dictionaries[c] = col.dictionary
            }
            return dictionaries
        }
    }

    /// Appends row `i` of `columns` (one per type, in order) to `record`; returns the hash of its
    /// key values.
    /// - Parameter dictionaries: `adopt`'s answer for this batch.
    func encode(_ columns: [Column], row i: Int, dictionaries: [StringDictionary?], into record: inout SpillRecord)
        -> UInt64
    {
        var h: UInt64 = 0x4B55_4149
        for (c, t) in types.enumerated() {
            // `columns[c].x` reads in place (a `let` copy of the column would retain all its arrays)
            let isKey = c < keyCount
            guard t != .null, columns[c].isValid(i) else {
                record.append(UInt8(0))
                if isKey { h = ByteHash.mix(h, 0x4E55_4C4C) }
                continue
            }
            switch t {
            case .double:
                record.append(UInt8(1))
                var v = columns[c].doubles[i]
                record.append(v.bitPattern)
                if isKey {
                    if v == 0 { v = 0 }
                    if v.isNaN { v = .nan }
                    h = ByteHash.mix(h, v.bitPattern)
                }
            case .varchar:
                if let d = columns[c].dictionary, d === dictionaries[c] {
                    record.append(UInt8(2))
                    record.append(columns[c].codes[i])
                } else {
                    record.append(UInt8(1))
                    columns[c].stringView(at: i).withBytes { record.append(string: $0) }
                }
                if isKey { h = ByteHash.mix(h, columns[c].stringView(at: i).withBytes { ByteHash.hash($0) }) }
            default:
                record.append(UInt8(1))
                record.append(columns[c].ints[i])
                if isKey { h = ByteHash.mix(h, UInt64(bitPattern: columns[c].ints[i])) }
            }
        }
        return h
    }

    /// The columns (one per type) of every record in `raw`, in order. A VARCHAR column whose
    /// values all came as codes is dictionary-coded, otherwise flat.
    func decode(_ raw: UnsafeRawBufferPointer) -> [Column] {
        let dicts = lock.withLock { dictionaries }
        var reader = SpillReader(bytes: raw)
        let m = types.count
        var ints = Array(repeating: [Int64](), count: m)
        var doubles = Array(repeating: [Double](), count: m)
        var codes = Array(repeating: [Int32](), count: m)
        var strings = types.map { _ in StringVectorBuilder() }
        var valid = Array(repeating: [UInt8](), count: m)
        while !reader.atEnd {
            for (c, t) in types.enumerated() {
                let marker = reader.read(UInt8.self)
                valid[c].append(marker == 0 ? 0 : 1)
                switch t {
                case .double: doubles[c].append(marker == 0 ? 0 : Double(bitPattern: reader.read(UInt64.self)))
                case .varchar:
                    if marker == 2 {
                        codes[c].append(reader.read(Int32.self))
                    } else if marker == 0 {
                        codes[c].append(0)
                    } else {
                        codes[c].append(-1)
                        let b = reader.readString()
                        strings[c].append(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: b.count)
                    }
                default: ints[c].append(marker == 0 ? 0 : reader.read(Int64.self))
                }
            }
        }
        return types.enumerated().map { c, t in
            let v: [UInt8]? = valid[c].contains(0) ? valid[c] : nil
            switch t {
            case .double: return Column(doubles: doubles[c], validity: v)
            case .varchar:
                if let d = dicts[c], !codes[c].contains(-1) {
                    return Column(codes: codes[c], dictionary: d, validity: v)
                }
                return Self.flatStrings(codes[c], dicts[c], strings[c], v)
            default: return Column(type: t, ints: ints[c], validity: v)
            }
        }
    }

    /// A flat VARCHAR column of decoded values: `codes[i]` >= 0 is a code of `dictionary`, -1 the
    /// next value of `flat` (written as bytes); rows with `validity` 0 are NULL.
    private static func flatStrings(
        _ codes: [Int32], _ dictionary: StringDictionary?, _ flat: StringVectorBuilder, _ validity: [UInt8]?
    ) -> Column {
        let dv = dictionary?.views ?? []
        var next = 0
        var views = [StringView](repeating: StringView(), count: codes.count)
        for i in 0..<codes.count where validity?[i] ?? 1 != 0 {
            if codes[i] >= 0 {
                views[i] = dv[Int(codes[i])]
            } else {
                views[i] = flat.views[next]
                next += 1
            }
        }
        let heaps: [StringOwner] = dictionary.map { [flat.heap, $0] } ?? [flat.heap]
        return Column(views: views, heaps: heaps, validity: validity)
    }
}
