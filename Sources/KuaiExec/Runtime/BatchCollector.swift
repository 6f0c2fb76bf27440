import Dispatch
import KuaiCore

/// Appends batches of one column into contiguous storage (sort, window, join build, CTEs).
///
/// Appended columns are kept as chunks and concatenated once, at exactly the final size, by
/// `build()`/`take()` (no reallocation while appending). VARCHAR: when every chunk shares one
/// dictionary the codes are copied as they are; otherwise the result is flat (every chunk's
/// views, every chunk's heaps and dictionaries kept alive).
public struct ColumnBuilder {
    public let type: DataType
    public private(set) var count: Int = 0
    private var chunks: [Column] = []

    /// An empty builder of a column of `type`.
    public init(type: DataType) { self.type = type }

    /// Kept for source compatibility; chunks need no reservation.
    public mutating func reserve(_ n: Int) {}

    /// Appends the first `rows` rows of `col` (all rows by default). `col.type` must use the
    /// same storage as `type` (a NULL-typed column is accepted and appends NULLs).
    public mutating func append(_ col: Column, rows: Int? = nil) {
        let n = rows ?? col.count
        if n == 0 { return }
        chunks.append(n == col.count ? col : col.slice(0..<n))
        count += n
    }

    /// Appends `n` NULLs.
    public mutating func appendNulls(_ n: Int) {
        if n == 0 { return }
        chunks.append(Column.nulls(.null, count: n))
        count += n
    }

    /// True when `build()` makes a new contiguous column: more than one chunk, or one chunk of
    /// another type (a single chunk of this type is handed back as it is).
    var concatenates: Bool { !chunks.isEmpty && !(chunks.count == 1 && chunks[0].type == type) }

    /// True when every chunk is VARCHAR of one dictionary (the concatenation copies 4-byte codes).
    var sharesOneDictionary: Bool {
        guard let d = chunks.first?.dictionary else { return false }
        return chunks.allSatisfy { $0.dictionary === d }
    }

    /// The column built so far (`count` rows); the builder keeps its contents.
    public func build() -> Column {
        if chunks.count == 1 && chunks[0].type == type { return chunks[0] }
        let validity = buildValidity()
        switch type {
        case .double:
            return Column(doubles: concatenated { $0.type == .null ? nil : $0.doubles }, validity: validity)
        case .varchar:
            return buildStrings(validity)
        case .list(let element):
            return buildList(element, validity)
        case .map:
            let list = buildList(type.mapEntry!, validity)
            return Column(mapOf: type, packed: list.ints, entries: list.listElements, validity: validity)
        case .structure(let fields):
            return buildStruct(fields, validity)
        default:
            return buildInts(validity)
        }
    }

    /// LIST: the chunks' children end to end as one child, each chunk's packed (offset, length)
    /// words moved by the elements before it (NULL-typed chunks are empty NULL lists).
    private func buildList(_ element: DataType, _ validity: [UInt8]?) -> Column {
        var child = ColumnBuilder(type: element)
        var packed = [Int64]()
        packed.reserveCapacity(count)
        for c in chunks {
            guard c.type.isList || c.type.isMap else {
                packed.append(contentsOf: repeatElement(0, count: c.count))
                continue
            }
            let elements = c.listElements
            let base = Int64(child.count) << 32
            child.append(elements)
            c.ints.withUnsafeBufferPointer { src in
                for i in 0..<c.count { packed.append(src[i] + base) }
            }
        }
        return Column(listOf: element, packed: packed, child: child.take(), validity: validity)
    }

    /// STRUCT: each field's columns end to end, each chunk's row indexes moved by the field rows
    /// before it (NULL-typed chunks are NULL structs).
    private func buildStruct(_ fields: [Field], _ validity: [UInt8]?) -> Column {
        var children = fields.map { ColumnBuilder(type: $0.type) }
        var rows = [Int64]()
        rows.reserveCapacity(count)
        for c in chunks {
            guard c.type.isStruct else {
                rows.append(contentsOf: repeatElement(0, count: c.count))
                continue
            }
            let base = Int64(children.first?.count ?? 0)
            let columns = c.structFieldColumns
            for k in children.indices { children[k].append(columns[k]) }
            c.ints.withUnsafeBufferPointer { src in
                for i in 0..<c.count { rows.append(src[i] + base) }
            }
        }
        return Column(
            structOf: type, rows: rows, fields: children.indices.map { children[$0].take() }, validity: validity)
    }

    /// The validity bytes of the concatenation (nil when no row is NULL; NULL-typed chunks are
    /// NULL rows).
    private func buildValidity() -> [UInt8]? {
        guard chunks.contains(where: { $0.validity != nil || ($0.type == .null && type != .null) }) else {
            return type == .null ? [UInt8](repeating: 0, count: count) : nil
        }
        var v = [UInt8]()
        v.reserveCapacity(count)
        for c in chunks {
            if let cv = c.validity {
                v.append(contentsOf: cv)
            } else {
                v.append(contentsOf: repeatElement(c.type == .null ? 0 : 1, count: c.count))
            }
        }
        return v.contains(0) ? v : nil
    }

    /// VARCHAR: the codes as they are when every chunk shares one dictionary; codes into one
    /// merged dictionary when every chunk is in the dictionary form and the dictionaries together
    /// hold few values for the rows (`mergesDictionaries`: broadcast constants, a list of
    /// constant strings, small dictionaries of several sources); else one flat column
    /// (`concatenatedViews`).
    private func buildStrings(_ validity: [UInt8]?) -> Column {
        let typed = chunks.filter { $0.type == .varchar }
        if let first = typed.first?.dictionary, typed.allSatisfy({ $0.dictionary === first }) {
            let codes = concatenated { $0.type == .null ? nil : $0.codes }
            return Column(codes: codes, dictionary: first, validity: validity)
        }
        if let merged = mergedDictionaryStrings(typed, validity) { return merged }
        return Self.concatenatedViews(chunks, count: count, validity: validity)
    }

    /// Dictionary values merged per row at most (over all chunks' distinct dictionaries): above
    /// it, interning every dictionary value costs more than the flat form saves.
    static let mergedValuesPerRow = 4

    /// The chunks as codes into one new dictionary holding every value of their dictionaries once
    /// (each distinct dictionary interned once, its codes then mapped), or nil when a chunk is
    /// flat or the dictionaries hold more than `count / mergedValuesPerRow` values in all.
    private func mergedDictionaryStrings(_ typed: [Column], _ validity: [UInt8]?) -> Column? {
        var sources: [StringDictionary] = []
        var total = 0
        for c in typed {
            guard let d = c.dictionary else { return nil }
            if sources.contains(where: { $0 === d }) { continue }
            sources.append(d)
            total += d.count
            if total * Self.mergedValuesPerRow > count { return nil }
        }
        if total == 0 { return nil }
        let merged = StringDictionary()
        var maps: [[Int32]] = []
        for d in sources {
            let views = d.views
            var map = [Int32](repeating: 0, count: views.count)
            views.withUnsafeBufferPointer { v in
                map.withUnsafeMutableBufferPointer { merged.intern(v, validity: nil, into: $0) }
            }
            maps.append(map)
        }
        var codes = [Int32](repeating: 0, count: count)
        var at = 0
        codes.withUnsafeMutableBufferPointer { out in
            for c in chunks {
                defer { at += c.count }
                guard c.type == .varchar, let d = c.dictionary, let k = sources.firstIndex(where: { $0 === d }) else {
                    continue
                }
                maps[k].withUnsafeBufferPointer { map in
                    c.codes.withUnsafeBufferPointer { src in
                        for i in 0..<c.count {
                            let code = src[i]
                            // a NULL row's code may be anything: keep it in range
                            out[at + i] = code >= 0 && Int(code) < map.count ? map[Int(code)] : 0
                        }
                    }
                }
            }
        }
        return Column(codes: codes, dictionary: merged, validity: validity)
    }

    /// Integer-stored types; HUGEINT chunks beyond Int64 give high words for every row (the
    /// sign of the low word where narrow).
    private func buildInts(_ validity: [UInt8]?) -> Column {
        // NULL chunks (and placeholders without values) are zeros
        let hasValues = { (c: Column) in c.type != .null && c.ints.count >= c.count }
        var out = Column(type: type, ints: concatenated { hasValues($0) ? $0.ints : nil }, validity: validity)
        if chunks.contains(where: { $0.highs != nil }) {
            out.highs = concatenated { c in c.highs ?? (hasValues(c) ? c.ints.map { $0 >> 63 } : nil) }
        }
        return out
    }

    /// The chunks' values end to end: `values(c)` of each chunk, or zeros where it gives nil.
    private func concatenated<T: Numeric>(_ values: (Column) -> [T]?) -> [T] {
        var out = [T]()
        out.reserveCapacity(count)
        for c in chunks {
            if let v = values(c) {
                out.append(contentsOf: v)
            } else {
                out.append(contentsOf: repeatElement(0, count: c.count))
            }
        }
        return out
    }

    /// VARCHAR chunks of different dictionaries or in the flat form, as one flat column: the
    /// views one after the other (a dictionary chunk's by code), keeping every chunk's owners
    /// (heaps, dictionaries) alive; NULL rows get the empty string.
    static func concatenatedViews(_ chunks: [Column], count n: Int, validity: [UInt8]?) -> Column {
        var views = [StringView]()
        views.reserveCapacity(n)
        var owners: [StringOwner] = []
        for c in chunks {
            if c.type != .varchar {
                views.append(contentsOf: repeatElement(StringView(), count: c.count))
            } else if let d = c.dictionary {
                views.append(contentsOf: StringArg.gatherViews(c, d))
                if !owners.contains(where: { $0 === d }) { owners.append(d) }
            } else {
                views.append(contentsOf: StringArg.maskedViews(c))
                for h in c.heaps where !owners.contains(where: { $0 === h }) { owners.append(h) }
            }
        }
        return Column(views: views, heaps: owners, validity: validity)
    }

    /// The column built so far; empties the builder (chunks are released as soon as copied).
    public mutating func take() -> Column {
        let c = build()
        chunks = []
        count = 0
        return c
    }
}

/// Accumulates whole batches of one schema into contiguous columns.
public struct BatchCollector {
    public let schema: Schema
    public private(set) var count: Int = 0
    private var builders: [ColumnBuilder]

    /// An empty collector for batches of `schema`.
    public init(schema: Schema) {
        self.schema = schema
        builders = schema.map { ColumnBuilder(type: $0.type) }
    }

    /// Appends every row of `batch` (its columns are kept as chunks until `take()`).
    public mutating func append(_ batch: Batch) {
        for c in 0..<builders.count { builders[c].append(batch.columns[c], rows: batch.count) }
        count += batch.count
    }

    /// The columns collected (each `count` rows); empties the collector, releasing each
    /// column's chunks once it is concatenated. From `parallelRows` rows on, the columns are
    /// concatenated on every core (one column at a time per thread): the copy and the page faults
    /// of its fresh memory were a third of an 18M-row, 23-column ORDER BY on one thread.
    public mutating func take() -> [Column] {
        defer { count = 0 }
        let width = builders.count
        if !concatenatesInParallel {
            var cols: [Column] = []
            cols.reserveCapacity(width)
            for i in builders.indices {
                // a large concatenation frees its chunks: hand them back so that the next column's
                // copy does not add to the resident size (`largestConcatenationBytes`)
                let large = builders[i].concatenates && builders[i].count >= Self.parallelRows
                cols.append(builders[i].take())
                if large { MemoryGuard.returnFreedMemory() }
            }
            return cols
        }
        let work = UnsafeMutableBufferPointer<ColumnBuilder>.allocate(capacity: width)
        _ = work.initialize(from: builders)
        builders = schema.map { ColumnBuilder(type: $0.type) }
        let out = UnsafeMutableBufferPointer<Column>.allocate(capacity: width)
        let box = UncheckedBox((work, out))
        // each index is built (and its chunks released) by exactly one thread; a large
        // concatenation hands its freed chunks back at once (the heap keeps up to 256 MiB of freed
        // memory: without this, every chunk stayed resident until the last column was copied)
        DispatchQueue.concurrentPerform(iterations: width) { i in
            let (work, out) = box.value
            let large = work[i].concatenates
            (out.baseAddress! + i).initialize(to: work[i].take())
            if large { MemoryGuard.returnFreedMemory() }
        }
        let cols = Array(out)
        out.deinitialize().deallocate()
        work.deinitialize().deallocate()
        MemoryGuard.returnFreedMemory()
        return cols
    }

    /// Collections of at least this many rows are concatenated in parallel by `take()`.
    static let parallelRows = 1 << 20

    /// True when `take()` concatenates on every core (large collections of several columns).
    private var concatenatesInParallel: Bool {
        count >= Self.parallelRows && builders.count >= 2 && activeProcessorCount() >= 2
    }

    /// Approximate bytes `take()` holds beyond the chunks: the largest column it concatenates (0
    /// when none; a column collected in one chunk is handed back as it is), or the sum of the
    /// largest few when it concatenates on several threads at once; `materializedRowBytes` a row
    /// (5 for codes of one dictionary). `take()` frees each column's chunks once it is copied.
    public var largestConcatenationBytes: Int {
        let sizes = zip(builders, schema).compactMap { b, f -> Int? in
            guard b.concatenates else { return nil }
            return count * (f.type == .varchar && b.sharesOneDictionary ? 5 : materializedRowBytes(f.type))
        }.sorted(by: >)
        return sizes.prefix(concatenatesInParallel ? activeProcessorCount() : 1).reduce(0, +)
    }
}

/// Pulls every batch of `op` into contiguous columns (one per schema column, `count` rows).
/// - Throws: whatever `op.next()` throws; `KuaiError.execution` past `--memory-limit` (`MemoryGuard`).
public func materializeColumns(_ op: PhysicalOperator) throws -> (columns: [Column], count: Int) {
    var collector = BatchCollector(schema: op.schema)
    while let b = try op.next() {
        try MemoryGuard.check()
        collector.append(b)
    }
    let n = collector.count
    try MemoryGuard.admit(collector.largestConcatenationBytes)
    return (collector.take(), n)
}

/// Approximate bytes per row of a contiguous column of type `t` (value and validity byte), for
/// `MemoryGuard.admit` before a materialisation: 16 for VARCHAR views and 128-bit values, else 8.
func materializedRowBytes(_ t: DataType) -> Int {
    switch t {
    case .varchar, .hugeint, .interval: return 17
    case .decimal(let p, _) where p > 18: return 17
    default: return 9
    }
}

/// Pulls every batch of `op` into a `MemoryTable` (CTE results that several readers scan).
public func materializeTable(_ op: PhysicalOperator, name: String) throws -> MemoryTable {
    var batches: [Batch] = []
    while let b = try op.next() {
        try MemoryGuard.check()
        batches.append(b)
    }
    return MemoryTable(name: name, schema: op.schema, batches: batches)
}
