/// One column of a batch: typed contiguous values plus an optional validity mask.
///
/// Shape: `count` rows. Exactly one storage array is used, chosen by `type` (see `DataType`):
/// `ints` for BOOLEAN/INTEGER/BIGINT/HUGEINT/DATE/TIMESTAMP/INTERVAL/NULL, `doubles` for DOUBLE,
/// and for VARCHAR one of two physical forms (`stringForm`):
/// - dictionary: `codes` + `dictionary` (columns read from the store's dictionary-encoded files,
///   categorical values; functions over them run once per dictionary entry);
/// - flat: `views` (16-byte `StringView`s) whose long values live in the owners listed in `heaps`
///   (computed strings, high-cardinality values). `dictionary` is nil in this form.
/// The unused arrays are empty.
/// `validity` is nil when every row is valid; otherwise it has `count` bytes, 1 = valid, 0 = NULL.
/// The value stored under a NULL is unspecified (usually 0) and must not be read as data.
///
/// HUGEINT (128-bit) values: `highs` is nil when every value fits Int64 and `ints` holds it (the
/// common case: every integer fast path reads `ints` as it is). When some value does not fit,
/// `highs` has `count` entries and row i is `Int128(highs[i]) << 64 | UInt64(bitPattern: ints[i])`
/// (`int128(at:)`); a row whose value fits Int64 still has that value in `ints[i]` (then
/// `highs[i] == ints[i] >> 63`). Only HUGEINT, wide DECIMAL and INTERVAL (months and days, `IntervalValue`) columns have `highs`. Code that reads `ints`
/// as values must first check `highs == nil` (or `fitsInt64()`), see `Column.isWide`.
///
/// Hot loops read the arrays through `withUnsafeBufferPointer` (SWIFT-PERFORMANCE.md).
public struct Column: @unchecked Sendable {
    public var type: DataType
    public var count: Int
    public var ints: [Int64]
    public var doubles: [Double]
    public var codes: [Int32]
    public var dictionary: StringDictionary?
    public var validity: [UInt8]?
    /// HUGEINT only: the high 64 bits of every row when some value does not fit Int64 (then
    /// `ints` holds the low 64 bits); nil when every value fits Int64 (see the type's doc).
    public var highs: [Int64]?
    /// Flat VARCHAR only: one view per row (see `StringView`); empty otherwise.
    public var views: [StringView]
    /// Flat VARCHAR only: the owners of the bytes that views longer than 12 bytes point to.
    public var heaps: [StringOwner]
    /// LIST only: the elements every row's (offset, length) in `ints` points into (shared, never
    /// mutated once built; see ListColumn.swift). Nil for other types and for a LIST column whose
    /// rows are all empty or NULL.
    public var listChild: ListChild?
    /// STRUCT only: the field columns every row's index in `ints` points into (shared, never
    /// mutated once built; see StructColumn.swift). Nil for other types.
    public var structChildren: StructChildren?

    /// The one initialiser that sets every stored property; the public ones name only the storage
    /// their form uses (the other arrays stay empty, `dictionary` and `highs` nil).
    private init(
        type: DataType, count: Int, validity: [UInt8]?, ints: [Int64] = [], doubles: [Double] = [],
        codes: [Int32] = [], dictionary: StringDictionary? = nil, views: [StringView] = [], heaps: [StringOwner] = []
    ) {
        self.type = type
        self.count = count
        self.ints = ints
        self.doubles = doubles
        self.codes = codes
        self.dictionary = dictionary
        self.validity = validity
        self.highs = nil
        self.views = views
        self.heaps = heaps
        self.listChild = nil
        self.structChildren = nil
    }

    /// An integer-stored column (`type` must use `.ints` storage).
    public init(type: DataType, ints: [Int64], validity: [UInt8]? = nil) {
        precondition(type != .double && type != .varchar)
        self.init(type: type, count: ints.count, validity: validity, ints: ints)
    }

    /// A HUGEINT column of 128-bit values. The result has `highs == nil` (plain Int64 storage)
    /// when every valid value fits Int64; values under NULL rows are ignored.
    public init(hugeints values: [Int128], validity: [UInt8]? = nil) {
        let n = values.count
        var wide = false
        var lows = [Int64](repeating: 0, count: n)
        for i in 0..<n {
            let v = values[i]
            if let x = Int64(exactly: v) {
                lows[i] = x
            } else if validity == nil || validity![i] != 0 {
                wide = true
                break
            }
        }
        if wide {
            var highs = [Int64](repeating: 0, count: n)
            for i in 0..<n {
                lows[i] = Int64(truncatingIfNeeded: values[i])
                highs[i] = Int64(truncatingIfNeeded: values[i] >> 64)
            }
            self.init(type: .hugeint, ints: lows, validity: validity)
            self.highs = highs
        } else {
            self.init(type: .hugeint, ints: lows, validity: validity)
        }
    }

    /// A DOUBLE column.
    public init(doubles: [Double], validity: [UInt8]? = nil) {
        self.init(type: .double, count: doubles.count, validity: validity, doubles: doubles)
    }

    /// A VARCHAR column of codes into `dictionary`.
    public init(codes: [Int32], dictionary: StringDictionary, validity: [UInt8]? = nil) {
        self.init(type: .varchar, count: codes.count, validity: validity, codes: codes, dictionary: dictionary)
    }

    /// A flat VARCHAR column: `views` (one per row) whose long values live in `heaps`.
    public init(views: [StringView], heaps: [StringOwner], validity: [UInt8]? = nil) {
        self.init(type: .varchar, count: views.count, validity: validity, views: views, heaps: heaps)
    }

    /// A flat VARCHAR column from plain strings; nil entries are NULL. For tests and constants.
    public init(flatStrings strings: [String?]) {
        var b = StringVectorBuilder(capacity: strings.count)
        for s in strings {
            if let s { b.append(s) } else { b.appendNull() }
        }
        self = b.finish()
    }

    /// A VARCHAR column from plain strings (builds a fresh dictionary); nil entries are NULL.
    public init(strings: [String?]) {
        let dict = StringDictionary()
        var codes = [Int32](repeating: 0, count: strings.count)
        var validity: [UInt8]? = nil
        for (i, s) in strings.enumerated() {
            if let s {
                codes[i] = dict.intern(s)
            } else {
                if validity == nil { validity = [UInt8](repeating: 1, count: strings.count) }
                validity![i] = 0
            }
        }
        self.init(codes: codes, dictionary: dict, validity: validity)
    }

    /// A column of `count` NULLs of `type`.
    public static func nulls(_ type: DataType, count: Int) -> Column {
        let v = [UInt8](repeating: 0, count: count)
        switch type {
        case .list(let e):
            return Column(
                listOf: e, packed: [Int64](repeating: 0, count: count), child: Column.nulls(e, count: 0), validity: v)
        case .map:
            let entry = type.mapEntry!
            return Column(
                mapOf: type, packed: [Int64](repeating: 0, count: count), entries: Column.nulls(entry, count: 0),
                validity: v)
        case .structure(let fields):
            return Column(
                structOf: type, rows: [Int64](repeating: 0, count: count),
                fields: fields.map { Column.nulls($0.type, count: 0) }, validity: v)
        case .double: return Column(doubles: [Double](repeating: 0, count: count), validity: v)
        case .varchar:
            return Column(codes: [Int32](repeating: 0, count: count), dictionary: StringDictionary(), validity: v)
        default: return Column(type: type, ints: [Int64](repeating: 0, count: count), validity: v)
        }
    }

    /// True when row `i` is not NULL.
    @inlinable
    public func isValid(_ i: Int) -> Bool {
        guard let v = validity else { return true }
        return v[i] != 0
    }

    /// True when the column holds 128-bit HUGEINT values (`highs` is set): `ints` alone does not
    /// hold every value. One check per column, never per row.
    @inlinable
    public var isWide: Bool { highs != nil }

    /// Row `i` as a 128-bit integer (integer-stored columns; exact for wide HUGEINT columns).
    @inlinable
    public func int128(at i: Int) -> Int128 {
        if let h = highs { return Int128(h[i]) << 64 | Int128(UInt64(bitPattern: ints[i])) }
        return Int128(ints[i])
    }

    /// True when every valid row's value fits Int64, so `ints` holds every value (always true
    /// when `highs` is nil). Scans the rows of a wide column.
    public func fitsInt64() -> Bool { firstRowOutsideInt64() == nil }

    /// The first valid row whose value does not fit Int64 (nil when none, always for narrow columns).
    public func firstRowOutsideInt64() -> Int? {
        guard let h = highs else { return nil }
        for i in 0..<count where h[i] != ints[i] >> 63 && isValid(i) { return i }
        return nil
    }

    /// The column without `highs` when every valid value fits Int64 (else unchanged).
    public func narrowedIfPossible() -> Column {
        guard highs != nil, fitsInt64() else { return self }
        var out = self
        out.highs = nil
        return out
    }

    /// Number of NULL rows.
    public var nullCount: Int {
        guard let v = validity else { return 0 }
        var n = 0
        for b in v where b == 0 { n += 1 }
        return n
    }

    /// Row `i` as a boxed `Value`. For output and tests only, never in hot loops.
    public func value(at i: Int) -> Value {
        if !isValid(i) { return .null }
        switch type {
        case .double: return .double(doubles[i])
        case .varchar:
            if let d = dictionary { return .string(d[codes[i]]) }
            return .string(views[i].string)
        case .boolean: return .bool(ints[i] != 0)
        case .null: return .null
        case .list: return .string(listText(at: i))
        case .structure: return .string(structText(at: i))
        case .map: return .string(mapText(at: i))
        default:
            if let h = highs, h[i] != ints[i] >> 63 { return .hugeint(int128(at: i)) }
            return .int(ints[i])
        }
    }

    /// A new column holding the rows at `selection` (0-based row indexes into `self`), in order.
    public func gather(_ selection: UnsafeBufferPointer<Int32>) -> Column {
        var out = self
        out.count = selection.count
        switch type {
        case .double:
            out.doubles = doubles.withUnsafeBufferPointer { src in
                [Double](unsafeUninitializedCapacity: selection.count) { buf, n in
                    for (j, i) in selection.enumerated() { buf[j] = src[Int(i)] }
                    n = selection.count
                }
            }
        case .varchar where dictionary == nil:
            out.views = views.withUnsafeBufferPointer { src in
                [StringView](unsafeUninitializedCapacity: selection.count) { buf, n in
                    for (j, i) in selection.enumerated() { buf[j] = src[Int(i)] }
                    n = selection.count
                }
            }
        case .varchar:
            out.codes = codes.withUnsafeBufferPointer { src in
                [Int32](unsafeUninitializedCapacity: selection.count) { buf, n in
                    for (j, i) in selection.enumerated() { buf[j] = src[Int(i)] }
                    n = selection.count
                }
            }
        default:
            out.ints = ints.withUnsafeBufferPointer { src in
                [Int64](unsafeUninitializedCapacity: selection.count) { buf, n in
                    for (j, i) in selection.enumerated() { buf[j] = src[Int(i)] }
                    n = selection.count
                }
            }
            if let h = highs {
                out.highs = h.withUnsafeBufferPointer { src in
                    [Int64](unsafeUninitializedCapacity: selection.count) { buf, n in
                        for (j, i) in selection.enumerated() { buf[j] = src[Int(i)] }
                        n = selection.count
                    }
                }
            }
        }
        if let v = validity {
            out.validity = v.withUnsafeBufferPointer { src in
                [UInt8](unsafeUninitializedCapacity: selection.count) { buf, n in
                    for (j, i) in selection.enumerated() { buf[j] = src[Int(i)] }
                    n = selection.count
                }
            }
        }
        return out
    }

    /// Rows `range` as a new column (copying).
    public func slice(_ range: Range<Int>) -> Column {
        var out = self
        out.count = range.count
        switch type {
        case .double: out.doubles = Array(doubles[range])
        case .varchar where dictionary == nil: out.views = Array(views[range])
        case .varchar: out.codes = Array(codes[range])
        default:
            out.ints = Array(ints[range])
            if let h = highs { out.highs = Array(h[range]) }
        }
        if let v = validity { out.validity = Array(v[range]) }
        return out
    }
}

/// A horizontal slice of a table or intermediate result: columns of equal `count`.
/// Operators pass whole batches; a batch with `count == 0` is never passed on.
public struct Batch: @unchecked Sendable {
    public var columns: [Column]
    public var count: Int

    public init(columns: [Column], count: Int) {
        self.columns = columns
        self.count = count
    }

    /// A batch from columns that all have the same `count` (0 columns gives count 0).
    public init(columns: [Column]) {
        self.columns = columns
        self.count = columns.first?.count ?? 0
    }

    /// The rows at `selection`, in order.
    public func gather(_ selection: UnsafeBufferPointer<Int32>) -> Batch {
        Batch(columns: columns.map { $0.gather(selection) }, count: selection.count)
    }

    /// The rows `range` (within `0..<count`), each column sliced; the batch itself when the range
    /// is every row.
    public func slice(_ range: Range<Int>) -> Batch {
        if range == 0..<count { return self }
        return Batch(columns: columns.map { $0.slice(range) }, count: range.count)
    }
}
