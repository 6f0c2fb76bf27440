import KuaiCore

/// Reads the named columns of a table block by block (one block = one morsel), with pushed-down
/// filter conjuncts.
///
/// Per block: (1) zone maps: a conjunct `column op constant` whose block min/max rule out every
/// row skips the block without reading it; one that holds for every row (and the block has no
/// NULLs in that column) is dropped for this block; (2) the columns the remaining conjuncts read
/// are decoded and the conjuncts evaluated into a selection vector (range by range when the
/// columns decode by ranges: `chunkedFilter`); (3) only then are the other
/// columns decoded, and every column is gathered down to the selected rows; when the filter kept
/// few rows, the other columns decode only those rows.
public final class TableScan: MorselSource, @unchecked Sendable {
    public let table: TableSource
    /// Table column index of each scanned column.
    public let columns: [Int]
    /// Pushed-down conjuncts over the scanned columns (indexes into `columns`).
    public let conjuncts: [ScalarExpr]
    /// The scanned columns the batches carry (indexes into `columns`, ascending); nil = all.
    /// A column read only by the conjuncts is left out: it is decoded for the filter but never
    /// gathered down to the selected rows (late materialisation).
    public let output: [Int]?
    public let schema: Schema
    /// For each conjunct, the zone-map test when it is `column op constant` (else nil).
    let zoneTests: [ZoneTest?]

    /// - Parameters:
    ///   - columns: table column indexes to scan, in order (may be empty: then batches carry only a row count).
    ///   - conjuncts: BOOLEAN expressions over the scanned columns, all of which must hold.
    ///   - output: the scanned columns to output (indexes into `columns`, ascending); nil = all.
    public init(table: TableSource, columns: [Int], conjuncts: [ScalarExpr] = [], output: [Int]? = nil) {
        self.table = table
        self.columns = columns
        self.conjuncts = conjuncts
        self.output = output
        self.schema = (output ?? Array(columns.indices)).map { table.schema[columns[$0]] }
        self.zoneTests = conjuncts.map { ZoneTest(conjunct: $0) }
        QueryControl.addBlocks(table.blockCount)
    }

    /// A filter that keeps at most 1 row in this many of a block reads the other output columns
    /// at those rows only (`TableSource.readColumn(_:block:rows:)`): decoding a value where it lies
    /// costs a few times a value of a whole-block decode.
    static let sparseReadRatio = 8

    /// One morsel per block the zone maps leave (`candidateBlocks`).
    public var morselCount: Int { candidateBlocks.count }
    public var rowBound: Int? { table.rowCount }

    private let candidatesLock = Mutex()
    private var candidates: [Int]? = nil

    /// The blocks that the zone maps of the constant conjuncts do not rule out (ascending, or in the
    /// order a runtime filter ranks them: `ScalarFunction.zoneOrder`), found
    /// once before the first morsel. A selective scan so schedules only the blocks it reads, and one
    /// left with a single block runs on the calling thread (`MorselScheduler`) without waking a
    /// worker. Runtime filters (a join's key range) are tested per morsel instead, since their
    /// ranges are set while the query runs. A block without a zone map stays a candidate.
    var candidateBlocks: [Int] {
        candidatesLock.lock()
        defer { candidatesLock.unlock() }
        if let candidates { return candidates }
        let fixed = zoneTests.compactMap { t in t.flatMap { $0.rule == nil ? $0 : nil } }
        var kept: [Int] = []
        kept.reserveCapacity(table.blockCount)
        for block in 0..<table.blockCount {
            let ruledOut = fixed.contains { t in
                table.zoneMap(column: columns[t.column], block: block).map { t.evaluate($0) == .none } ?? false
            }
            if ruledOut { QueryControl.blockDone() } else { kept.append(block) }
        }
        // A runtime filter that ranks blocks (a top-N's bound) gets its most promising blocks first.
        if let t = zoneTests.first(where: { $0?.order != nil }), let t, let order = t.order {
            let ranks = kept.map { b in table.zoneMap(column: columns[t.column], block: b).flatMap(order) ?? .infinity }
            kept = kept.indices.sorted { ranks[$0] < ranks[$1] || (ranks[$0] == ranks[$1] && $0 < $1) }.map { kept[$0] }
        }
        candidates = kept
        return kept
    }

    /// Morsel `i`: candidate block `candidateBlocks[i]`, filtered.
    public func morsel(_ i: Int) throws -> Batch? {
        try read(block: candidateBlocks[i])
    }

    /// Morsel `i` handed over `chunkRows` rows at a time when the block is read whole (no conjunct
    /// is left for it after the zone maps) and every output column decodes by ranges
    /// (`TableSource.chunks`); otherwise `morsel(i)` whole.
    public func morsel(_ i: Int, pieces body: (Batch) throws -> Void) throws {
        let block = candidateBlocks[i]
        guard let readers = try pieceReaders(block: block) else {
            if let b = try read(block: block), b.count > 0 { try body(b) }
            return
        }
        defer { QueryControl.blockDone() }
        let rows = table.blockRowCount(block)
        var start = 0
        while start < rows {
            let n = min(Self.chunkRows, rows - start)
            try body(Batch(columns: readers.map { $0.read(start, n) }, count: n))
            start += n
        }
    }

    /// Range readers of the output columns of block `block` when it is read whole and in
    /// pieces: more than `chunkRows` rows, every conjunct holding for the whole block by its zone
    /// maps, and every output column decoding by ranges. Nil otherwise.
    /// - Throws: as `TableSource.chunks` (a damaged block).
    private func pieceReaders(block: Int) throws -> [BlockChunks]? {
        let outs = output ?? Array(columns.indices)
        guard !outs.isEmpty, table.blockRowCount(block) > Self.chunkRows else { return nil }
        for t in zoneTests {
            guard let t, let zm = table.zoneMap(column: columns[t.column], block: block), t.evaluate(zm) == .all else {
                return nil
            }
        }
        return try rangeReaders(outs, block: block)
    }

    /// Range readers (`TableSource.chunks`) of the scanned columns `scanned` (indexes into
    /// `columns`) in block `block`, read in place when the scan reads at most `inPlaceBlocks`
    /// blocks; nil when some column has none.
    /// - Throws: as `TableSource.chunks` (a damaged block).
    private func rangeReaders(_ scanned: [Int], block: Int) throws -> [BlockChunks]? {
        let inPlace = candidateBlocks.count <= Self.inPlaceBlocks
        var readers: [BlockChunks] = []
        readers.reserveCapacity(scanned.count)
        for i in scanned {
            guard let r = try table.chunks(columns[i], block: block, inPlace: inPlace) else { return nil }
            readers.append(r)
        }
        return readers
    }

    /// Block `block` of the table: its rows that pass the conjuncts, the output columns only.
    func read(block: Int) throws -> Batch? {
        defer { QueryControl.blockDone() }
        // A scan without columns (count(*)) has only the row count: take it from the data.
        let rows = columns.isEmpty ? try table.checkedBlockRowCount(block) : table.blockRowCount(block)
        if rows == 0 { return nil }
        // (1) zone maps
        var active: [ScalarExpr] = []
        for (k, c) in conjuncts.enumerated() {
            if let t = zoneTests[k], let zm = table.zoneMap(column: columns[t.column], block: block) {
                switch t.evaluate(zm) {
                case .none: return nil
                case .all: continue
                case .some: break
                }
            }
            active.append(c)
        }
        var cols = [Column](repeating: Column.placeholder, count: columns.count)
        var loaded = [Bool](repeating: false, count: columns.count)
        var sel: [Int32]? = nil
        if !active.isEmpty, rows > Self.chunkRows, let f = try chunkedFilter(active, block: block, rows: rows) {
            // (2') the filter, evaluated range by range
            if f.rows.isEmpty { return nil }
            for (i, c) in f.kept {
                cols[i] = c
                loaded[i] = true
            }
            return try selectedOutput(block: block, rows: rows, sel: f.rows, cols: cols, loaded: loaded, gathered: true)
        }
        if !active.isEmpty {
            // (2) predicate columns, then the selection vector
            for c in active {
                for i in c.referencedColumns where !loaded[i] {
                    cols[i] = try table.readColumn(columns[i], block: block)
                    loaded[i] = true
                }
                let b = Batch(columns: cols, count: rows)
                sel = try c.selectRows(b, sel)
                if sel!.isEmpty { return nil }
            }
        }
        // (3) the other output columns, gathered to the selected rows
        if let s = sel, s.count < rows {
            return try selectedOutput(block: block, rows: rows, sel: s, cols: cols, loaded: loaded, gathered: false)
        }
        let outs = output ?? Array(columns.indices)
        var out: [Column] = []
        out.reserveCapacity(outs.count)
        for i in outs { out.append(loaded[i] ? cols[i] : try table.readColumn(columns[i], block: block)) }
        return Batch(columns: out, count: rows)
    }

    /// The output columns at the rows `sel` of the block (ascending): a loaded column is gathered
    /// (or taken as it is, when `gathered` says it holds those rows only); a column not yet read
    /// decodes only those rows when they are few (`sparseReadRatio`), else whole and gathered.
    private func selectedOutput(
        block: Int, rows: Int, sel: [Int32], cols: [Column], loaded: [Bool], gathered: Bool
    ) throws -> Batch {
        let outs = output ?? Array(columns.indices)
        var out: [Column] = []
        out.reserveCapacity(outs.count)
        let sparse = sel.count &* Self.sparseReadRatio <= rows
        try sel.withUnsafeBufferPointer { sp in
            for i in outs {
                if loaded[i] {
                    out.append(gathered ? cols[i] : cols[i].gather(sp))
                } else if sparse {
                    out.append(try table.readColumn(columns[i], block: block, rows: sp))
                } else {
                    out.append(try table.readColumn(columns[i], block: block).gather(sp))
                }
            }
        }
        return Batch(columns: out, count: sel.count)
    }

    /// A scan that reads at most this many blocks reads its filter columns' blocks in place
    /// (`TableSource.chunks(_:block:inPlace:)`): a few blocks' pages staying resident cost less
    /// than copying them into fresh buffers.
    static let inPlaceBlocks = 4

    /// Rows per range when a block is read range by range (a filter's columns: `chunkedFilter`; a
    /// block handed over in pieces: `morsel(_:pieces:)`): a multiple of 8, as range readers
    /// require; 64 KiB of BIGINT, so that a range's buffers and those computed from them stay in
    /// the core's cache and are reused by the next range.
    static let chunkRows = 8192

    /// The filter `active` over block `block` evaluated `chunkRows` rows at a time, when every
    /// column it reads decodes by ranges (`TableSource.chunks`; else nil, and the block is decoded
    /// whole): the rows that pass (ascending) and, for each filter column that is also an output
    /// column, its values at those rows. A column read only by the filter never fills a
    /// whole-block buffer, and the conjuncts see the rows of one range at a time, in order, so each
    /// row meets the conjuncts as in a whole-block evaluation.
    /// - Throws: as `readColumn` and the conjuncts.
    private func chunkedFilter(_ active: [ScalarExpr], block: Int, rows: Int) throws -> (
        rows: [Int32], kept: [(Int, Column)]
    )? {
        var needed: [Int] = []
        for c in active { for i in c.referencedColumns where !needed.contains(i) { needed.append(i) } }
        guard let readers = try rangeReaders(needed, block: block) else { return nil }
        let outs = output ?? Array(columns.indices)
        let keep = needed.indices.filter { outs.contains(needed[$0]) }
        var selected: [Int32] = []
        var keptValues = [[Int64]](repeating: [], count: keep.count)
        var keptValidity = [[UInt8]](repeating: [], count: keep.count)
        var keptHasNull = [Bool](repeating: false, count: keep.count)
        var cols = [Column](repeating: Column.placeholder, count: columns.count)
        var start = 0
        while start < rows {
            let n = min(Self.chunkRows, rows - start)
            for (k, i) in needed.enumerated() { cols[i] = readers[k].read(start, n) }
            let b = Batch(columns: cols, count: n)
            var s: [Int32]? = nil
            for c in active {
                s = try c.selectRows(b, s)
                if s!.isEmpty { break }
            }
            if let s, !s.isEmpty {
                let offset = Int32(start)
                for r in s { selected.append(offset &+ r) }
                for (j, k) in keep.enumerated() {
                    let c = cols[needed[k]]
                    c.ints.withUnsafeBufferPointer { v in for r in s { keptValues[j].append(v[Int(r)]) } }
                    if let valid = c.validity {
                        if !keptHasNull[j] {
                            keptValidity[j] = [UInt8](repeating: 1, count: keptValues[j].count - s.count)
                            keptHasNull[j] = true
                        }
                        for r in s { keptValidity[j].append(valid[Int(r)]) }
                    } else if keptHasNull[j] {
                        keptValidity[j].append(contentsOf: repeatElement(1, count: s.count))
                    }
                }
            }
            start += n
        }
        let kept = keep.enumerated().map { j, k in
            let i = needed[k]
            return (
                i,
                Column(
                    type: table.schema[columns[i]].type, ints: keptValues[j],
                    validity: keptHasNull[j] ? keptValidity[j] : nil)
            )
        }
        return (selected, kept)
    }

    public var explainLine: String {
        var s = "Scan \(table.name) columns=[" + columns.map { table.schema[$0].name }.joined(separator: ", ") + "]"
        if !conjuncts.isEmpty { s += " filters=[" + conjuncts.map(\.name).joined(separator: " AND ") + "]" }
        if let output { s += " output=[" + output.map { table.schema[columns[$0]].name }.joined(separator: ", ") + "]" }
        return s
    }
    public var explainChildren: [String] { [] }
}

/// A zone-map test of one conjunct `column op constant` (or `column IN (constants)`,
/// `column BETWEEN` after lowering to two conjuncts).
struct ZoneTest {
    enum Outcome { case none, some, all }
    let column: Int
    let op: CompareOp?
    let constant: Value
    /// For IN lists: the smallest and largest constant.
    let inRange: (Value, Value)?
    /// For a runtime filter of a column (`ScalarFunction.zoneRule`): whether a block may pass now.
    var rule: ((ZoneMap) -> Bool)? = nil
    /// For a runtime filter that ranks blocks (`ScalarFunction.zoneOrder`): the scan's read order.
    var order: ((ZoneMap) -> Double?)? = nil

    init?(conjunct: ScalarExpr) {
        switch conjunct.kind {
        case .function(let f, let args):
            guard let rule = f.zoneRule, args.count == 1, let c = args[0].columnIndex else { return nil }
            column = c
            op = nil
            constant = .null
            inRange = nil
            self.rule = rule
            self.order = f.zoneOrder
        case .compare(let op, let a, let b):
            if let c = a.columnIndex, let v = b.constantValue, !v.isNull {
                column = c
                self.op = op
                constant = v
                inRange = nil
            } else if let c = b.columnIndex, let v = a.constantValue, !v.isNull {
                column = c
                self.op = op.flipped
                constant = v
                inRange = nil
            } else {
                return nil
            }
        case .inList(let a, let items, let negated):
            guard !negated, let c = a.columnIndex else { return nil }
            var vals: [Value] = []
            for it in items {
                guard let v = it.constantValue else { return nil }
                if !v.isNull { vals.append(v) }
            }
            guard var lo = vals.first else { return nil }
            var hi = lo
            for v in vals {
                if ZoneTest.compare(v, lo) == .some(-1) { lo = v }
                if ZoneTest.compare(v, hi) == .some(1) { hi = v }
            }
            column = c
            op = nil
            constant = .null
            inRange = (lo, hi)
        default:
            return nil
        }
    }

    /// -1, 0, 1 comparing two boxed values of compatible types; nil when incomparable.
    static func compare(_ a: Value, _ b: Value) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.double(let x), .double(let y)): return DoubleOrder.compare(x, y)
        case (.int(let x), .double(let y)): return DoubleOrder.compare(Double(x), y)
        case (.double(let x), .int(let y)): return DoubleOrder.compare(x, Double(y))
        case (.string(let x), .string(let y)):
            if x == y { return 0 }
            return StringDictionary.less(x, y) ? -1 : 1
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        case (.bool(let x), .int(let y)): return compare(.int(x ? 1 : 0), .int(y))
        case (.int(let x), .bool(let y)): return compare(.int(x), .int(y ? 1 : 0))
        default: return nil
        }
    }

    func evaluate(_ zm: ZoneMap) -> Outcome {
        if let rule { return rule(zm) ? .some : .none }
        if zm.rowCount > 0 && zm.nullCount >= zm.rowCount { return .none }  // all NULL: no row passes
        guard ZoneTest.compare(zm.min, zm.max) != nil else { return .some }
        let noNulls = zm.nullCount == 0
        if let (lo, hi) = inRange {
            guard let a = ZoneTest.compare(hi, zm.min), let b = ZoneTest.compare(lo, zm.max) else { return .some }
            if a < 0 || b > 0 { return .none }
            return .some
        }
        guard let op, let lo = ZoneTest.compare(zm.min, constant), let hi = ZoneTest.compare(zm.max, constant) else {
            return .some
        }
        // lo = sign(min - k), hi = sign(max - k)
        let none: Bool
        let all: Bool
        switch op {
        case .equal:
            none = lo > 0 || hi < 0
            all = lo == 0 && hi == 0
        case .notEqual:
            none = lo == 0 && hi == 0
            all = lo > 0 || hi < 0
        case .less:
            none = lo >= 0
            all = hi < 0
        case .lessEqual:
            none = lo > 0
            all = hi <= 0
        case .greater:
            none = hi <= 0
            all = lo > 0
        case .greaterEqual:
            none = hi < 0
            all = lo >= 0
        }
        if none { return .none }
        if all && noNulls { return .all }
        return .some
    }
}
