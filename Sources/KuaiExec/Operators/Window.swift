import KuaiCore

/// The frame of an aggregate / first_value / last_value window function (SQL's
/// `ROWS|RANGE BETWEEN start AND end`). Offsets are row counts for ROWS and order-key units for
/// RANGE (microseconds for TIMESTAMP/INTERVAL, days for DATE).
public struct WindowFrame: Sendable, Hashable, CustomStringConvertible {
    /// ROWS counts rows; RANGE compares ORDER BY values (CURRENT ROW = the row's peers).
    public enum Mode: String, Sendable, Hashable {
        case rows = "ROWS"
        case range = "RANGE"
    }
    /// One end of the frame.
    public enum Bound: Sendable, Hashable, CustomStringConvertible {
        case unboundedPreceding
        case preceding(Int64)
        case currentRow
        case following(Int64)
        case unboundedFollowing
        public var description: String {
            switch self {
            case .unboundedPreceding: return "UNBOUNDED PRECEDING"
            case .preceding(let k): return "\(k) PRECEDING"
            case .currentRow: return "CURRENT ROW"
            case .following(let k): return "\(k) FOLLOWING"
            case .unboundedFollowing: return "UNBOUNDED FOLLOWING"
            }
        }
    }
    public var mode: Mode
    public var start: Bound
    public var end: Bound
    public init(mode: Mode, start: Bound, end: Bound) {
        self.mode = mode
        self.start = start
        self.end = end
    }
    /// DuckDB's default with ORDER BY: RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW (peers included).
    public static let defaultWithOrder = WindowFrame(mode: .range, start: .unboundedPreceding, end: .currentRow)
    /// DuckDB's default without ORDER BY: the whole partition.
    public static let wholePartition = WindowFrame(mode: .rows, start: .unboundedPreceding, end: .unboundedFollowing)
    public var description: String { "\(mode.rawValue) BETWEEN \(start) AND \(end)" }
}

/// One window function of a `WindowOperator`.
///
/// Semantics as DuckDB: row_number/rank/dense_rank and lag/lead ignore the frame; first_value,
/// last_value and the aggregates use `frame` (nil = DuckDB's default: with ORDER BY
/// `RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`, without ORDER BY the whole partition).
/// Result types: `resultType(argumentType:)`.
public struct WindowFunction: Sendable, Hashable, CustomStringConvertible {
    /// The function; raw values are the SQL names (`countStar` is count(*)).
    public enum Kind: String, Sendable, Hashable {
        case rowNumber = "row_number"
        case rank
        case denseRank = "dense_rank"
        case lag, lead
        case firstValue = "first_value"
        case lastValue = "last_value"
        case countStar = "count_star"
        case count, sum, avg, min, max
    }
    public var kind: Kind
    /// Input column (index into the child's output) for lag/lead/first/last/count/sum/avg/min/max.
    public var argument: Int?
    /// lag/lead: rows back / ahead (default 1; may be 0).
    public var offset: Int
    /// lag/lead: the value when the offset row is outside the partition (of the argument's type).
    public var defaultValue: Value
    /// nil = DuckDB's default frame.
    public var frame: WindowFrame?

    public init(
        _ kind: Kind, argument: Int? = nil, offset: Int = 1, defaultValue: Value = .null, frame: WindowFrame? = nil
    ) {
        self.kind = kind
        self.argument = argument
        self.offset = offset
        self.defaultValue = defaultValue
        self.frame = frame
    }

    /// DuckDB's result type: row_number/rank/dense_rank/count BIGINT; sum of an integer or
    /// BOOLEAN HUGEINT, of DOUBLE DOUBLE; avg DOUBLE; lag/lead/first/last/min/max the argument type.
    public static func resultType(_ kind: Kind, argumentType: DataType?) -> DataType {
        switch kind {
        case .rowNumber, .rank, .denseRank, .countStar, .count: return .bigint
        case .avg: return .double
        case .sum: return argumentType == .double ? .double : .hugeint
        default: return argumentType ?? .null
        }
    }

    /// `row_number()`, `sum(#3) RANGE BETWEEN ...` (EXPLAIN).
    public var description: String {
        var s = kind == .countStar ? "count(*)" : "\(kind.rawValue)(" + (argument.map { "#\($0)" } ?? "")
        if kind == .lag || kind == .lead {
            s += ", \(offset)" + (defaultValue.isNull ? "" : ", \(defaultValue)")
        }
        if kind != .countStar { s += ")" }
        if let frame { s += " " + frame.description }
        return s
    }
}

/// avg's division as DuckDB: long double for BIGINT/HUGEINT input (`wide`), double otherwise.
func avgDivide(_ sum: Int128, _ count: Int64, wide: Bool) -> Double {
    #if arch(x86_64) || arch(i386)
        if wide {
            let hi = Int64(truncatingIfNeeded: sum >> 64)
            let lo = UInt64(truncatingIfNeeded: sum)
            let s = Float80(hi) * 18446744073709551616.0 + Float80(lo)
            return Double(s / Float80(count))
        }
    #endif
    return Double(sum) / Double(count)
}

/// Marks sorted positions where column `col` (read through `perm`) differs from the previous
/// position: `marks[i] = 1`. NULLs equal each other; DOUBLE -0.0 = 0.0 and NaN = NaN; VARCHAR by
/// string value.
func markChanges(_ col: Column, perm: UnsafeBufferPointer<Int32>, marks: UnsafeMutableBufferPointer<UInt8>) {
    let n = perm.count
    if n < 2 || col.type == .null { return }
    let valid = col.validity
    @inline(__always) func nullAt(_ r: Int) -> Bool { valid != nil && valid![r] == 0 }
    switch col.type {
    case .double:
        col.doubles.withUnsafeBufferPointer { d in
            for i in 1..<n {
                let a = Int(perm[i - 1])
                let b = Int(perm[i])
                let na = nullAt(a)
                let nb = nullAt(b)
                if na != nb || (!na && doubleKey(d[a]) != doubleKey(d[b])) { marks[i] = 1 }
            }
        }
    case .varchar:
        let dict = col.dictionary!
        col.codes.withUnsafeBufferPointer { c in
            for i in 1..<n {
                let a = Int(perm[i - 1])
                let b = Int(perm[i])
                let na = nullAt(a)
                let nb = nullAt(b)
                if na != nb || (!na && c[a] != c[b] && dict[c[a]] != dict[c[b]]) { marks[i] = 1 }
            }
        }
    default:
        if let h = col.highs {
            // HUGEINT beyond Int64: both words
            for i in 1..<n {
                let a = Int(perm[i - 1])
                let b = Int(perm[i])
                let na = nullAt(a)
                let nb = nullAt(b)
                if na != nb || (!na && (col.ints[a] != col.ints[b] || h[a] != h[b])) { marks[i] = 1 }
            }
            return
        }
        col.ints.withUnsafeBufferPointer { x in
            if valid == nil {
                for i in 1..<n where x[Int(perm[i - 1])] != x[Int(perm[i])] { marks[i] = 1 }
            } else {
                for i in 1..<n {
                    let a = Int(perm[i - 1])
                    let b = Int(perm[i])
                    let na = nullAt(a)
                    let nb = nullAt(b)
                    if na != nb || (!na && x[a] != x[b]) { marks[i] = 1 }
                }
            }
        }
    }
}

/// Window functions (`f(...) OVER (PARTITION BY ... ORDER BY ... frame)`): drains the child,
/// sorts a row permutation once by (partition keys, order keys) with `sortPermutation`, finds
/// partition and peer boundaries in one pass and computes every function over the sorted
/// positions. Output = child columns ++ one column per function, in the child's row order,
/// in batches of up to 65536 rows. Memory: the child's rows, the permutation, two boundary
/// flags per row and the result columns.
public final class WindowOperator: PhysicalOperator {
    public let schema: Schema
    public let child: PhysicalOperator
    public let partitionBy: [Int]
    public let orderBy: [SortKey]
    public let functions: [WindowFunction]

    private var input: [Batch] = []
    private var results: [Column] = []
    private var count = 0
    private var batchIndex = 0
    private var position = 0
    private var done = false
    private static let batchSize = 65536

    /// - Parameters:
    ///   - partitionBy: column indexes of the child.
    ///   - orderBy: the window's ORDER BY (column indexes of the child).
    ///   - functions: output columns appended after the child's; their names are `f0`, `f1`, ...
    ///     in `schema` (the planner renames).
    public init(child: PhysicalOperator, partitionBy: [Int], orderBy: [SortKey], functions: [WindowFunction]) {
        self.child = child
        self.partitionBy = partitionBy
        self.orderBy = orderBy
        self.functions = functions
        let input = child.schema
        self.schema =
            input
            + functions.enumerated().map { i, f in
                Field("f\(i)", WindowFunction.resultType(f.kind, argumentType: f.argument.map { input[$0].type }))
            }
    }

    public func next() throws -> Batch? {
        if !done {
            try run()
            done = true
        }
        guard batchIndex < input.count else {
            input = []
            results = []
            return nil
        }
        // the child's batch as it came, plus the matching slice of every result column
        let b = input[batchIndex]
        input[batchIndex] = Batch(columns: [], count: 0)  // release it once emitted
        batchIndex += 1
        let range = position..<position + b.count
        position += b.count
        let tail = results.map { (range.count == count) ? $0 : $0.slice(range) }
        return Batch(columns: b.columns + tail, count: b.count)
    }

    private func run() throws {
        while let b = try child.next() {
            try MemoryGuard.check()
            if b.count > 0 { input.append(b) }
        }
        let n = input.reduce(0) { $0 + $1.count }
        count = n
        if n == 0 { return }
        let cols = LazyColumns(batches: input, schema: child.schema)
        let keys = partitionBy.map { SortKey(column: $0) } + orderBy
        var perm: [Int32]
        var partStart: [UInt8]? = nil
        var peerStart: [UInt8]? = nil
        if keys.isEmpty {
            perm = (0..<n).map { Int32($0) }
        } else {
            let sorted = try sortRows(
                keyChunks: keys.map { k in input.map { $0.columns[k.column] } }, count: n,
                keys: keys, markPrefixes: [partitionBy.count, keys.count])
            perm = sorted.perm
            partStart = sorted.marks[0]
            peerStart = sorted.marks[1]
        }
        // Boundaries in sorted positions: partStart[i] = 1 when a partition starts at i,
        // peerStart[i] = 1 when a peer group (same partition and order keys) starts at i.
        if partStart == nil {
            var m = [UInt8](repeating: 0, count: n)
            perm.withUnsafeBufferPointer { p in
                m.withUnsafeMutableBufferPointer { mb in
                    mb[0] = 1
                    for k in partitionBy { markChanges(cols[k], perm: p, marks: mb) }
                }
            }
            partStart = m
        }
        let needsPeers = functions.contains { f in
            switch f.kind {
            case .rank, .denseRank: return true
            case .rowNumber, .lag, .lead: return false
            default:
                let frame = f.frame ?? (orderBy.isEmpty ? WindowFrame.wholePartition : WindowFrame.defaultWithOrder)
                return frame.mode == .range
            }
        }
        if peerStart == nil && needsPeers {
            var m = partStart!
            perm.withUnsafeBufferPointer { p in
                m.withUnsafeMutableBufferPointer { mb in
                    for k in orderBy { markChanges(cols[k.column], perm: p, marks: mb) }
                }
            }
            peerStart = m
        }
        let partMarks = partStart!
        let peerMarks = peerStart ?? partMarks
        var out: [Column] = []
        for f in functions {
            out.append(try compute(f, cols: cols, n: n, perm: perm, partStart: partMarks, peerStart: peerMarks))
        }
        results = out
    }

    // MARK: per-function kernels (positions are sorted positions; results scatter through perm)

    private func compute(
        _ f: WindowFunction, cols: LazyColumns, n: Int, perm: [Int32],
        partStart: [UInt8], peerStart: [UInt8]
    ) throws -> Column {
        switch f.kind {
        case .rowNumber, .rank, .denseRank:
            if n >= 1 << 16 {
                // Large inputs: pair (original row, value) in sorted order and radix-sort the pairs
                // by row, instead of scattering values to random rows (a cache miss per row). The
                // pairs array becomes the result column in place.
                var elems = [Int64](repeating: 0, count: n)
                var tmp = [UInt64](repeating: 0, count: n)
                elems.withUnsafeMutableBufferPointer { eb in
                    eb.withMemoryRebound(to: UInt64.self) { e in
                        perm.withUnsafeBufferPointer { p in
                            var rowNumber: UInt64 = 0
                            var rank: UInt64 = 0
                            var dense: UInt64 = 0
                            for i in 0..<n {
                                if partStart[i] != 0 {
                                    rowNumber = 0
                                    rank = 0
                                    dense = 0
                                }
                                rowNumber += 1
                                if peerStart[i] != 0 {
                                    rank = rowNumber
                                    dense += 1
                                }
                                let v = f.kind == .rowNumber ? rowNumber : (f.kind == .rank ? rank : dense)
                                e[i] = UInt64(UInt32(bitPattern: p[i])) << 32 | v
                            }
                        }
                        tmp.withUnsafeMutableBufferPointer { t in
                            radixSortPacked(e, tmp: t, lowBit: 32, bits: 64 - UInt64(n).leadingZeroBitCount)
                        }
                        for r in 0..<n { e[r] &= 0xFFFF_FFFF }
                    }
                }
                tmp = []
                return Column(type: .bigint, ints: elems)
            }
            var out = [Int64](repeating: 0, count: n)
            out.withUnsafeMutableBufferPointer { o in
                perm.withUnsafeBufferPointer { p in
                    var rowNumber: Int64 = 0
                    var rank: Int64 = 0
                    var dense: Int64 = 0
                    for i in 0..<n {
                        if partStart[i] != 0 {
                            rowNumber = 0
                            rank = 0
                            dense = 0
                        }
                        rowNumber += 1
                        if peerStart[i] != 0 {
                            rank = rowNumber
                            dense += 1
                        }
                        o[Int(p[i])] = f.kind == .rowNumber ? rowNumber : (f.kind == .rank ? rank : dense)
                    }
                }
            }
            return Column(type: .bigint, ints: out)
        case .lag, .lead:
            let arg = cols[f.argument!]
            var src = [Int32](repeating: -1, count: n)
            var usesDefault = [UInt8](repeating: 0, count: n)
            // partition end per sorted position (exclusive)
            var pEnd = [Int32](repeating: Int32(n), count: n)
            var pe = n
            for i in stride(from: n - 1, through: 0, by: -1) {
                pEnd[i] = Int32(pe)
                if partStart[i] != 0 { pe = i }
            }
            var ps = 0
            let delta = f.kind == .lag ? -f.offset : f.offset
            for i in 0..<n {
                if partStart[i] != 0 { ps = i }
                let j = i + delta
                let row = Int(perm[i])
                if j >= ps && j < Int(pEnd[i]) { src[row] = perm[j] } else { usesDefault[row] = 1 }
            }
            var result = src.withUnsafeBufferPointer { gatherNullable(arg, $0) }
            if !f.defaultValue.isNull && usesDefault.contains(1) {
                result = patchDefault(result, usesDefault, f.defaultValue)
            }
            return result
        case .firstValue, .lastValue, .min, .max, .count, .countStar, .sum, .avg:
            return try computeFramed(f, cols: cols, n: n, perm: perm, partStart: partStart, peerStart: peerStart)
        }
    }

    private func computeFramed(
        _ f: WindowFunction, cols: LazyColumns, n: Int, perm: [Int32],
        partStart: [UInt8], peerStart: [UInt8]
    ) throws -> Column {
        let frame = f.frame ?? (orderBy.isEmpty ? WindowFrame.wholePartition : WindowFrame.defaultWithOrder)
        let arg = f.argument.map { cols[$0] }
        // frame [start, end) per sorted position
        var starts = [Int32](repeating: 0, count: n)
        var ends = [Int32](repeating: 0, count: n)
        try frameBounds(
            frame, cols: cols, n: n, perm: perm, partStart: partStart, peerStart: peerStart,
            starts: &starts, ends: &ends)
        let valid: (Int) -> Bool = { r in
            arg.map { $0.type != .null && ($0.validity == nil || $0.validity![r] != 0) } ?? true
        }

        switch f.kind {
        case .firstValue, .lastValue, .min, .max:
            let a = arg!
            var src = [Int32](repeating: -1, count: n)
            // order values for min/max
            var ord: [UInt64] = []
            if (f.kind == .min || f.kind == .max) && a.highs != nil {
                // HUGEINT beyond Int64: the dense rank of each value stands in for the value.
                let byValue = try sortPermutation([a], count: a.count, keys: [SortKey(column: 0)])
                ord = [UInt64](repeating: 0, count: a.count)
                var rank: UInt64 = 0
                for k in 0..<byValue.count {
                    let r = Int(byValue[k])
                    if k > 0 && a.int128(at: r) != a.int128(at: Int(byValue[k - 1])) { rank += 1 }
                    ord[r] = rank
                }
            } else if f.kind == .min || f.kind == .max {
                ord = orderValues(a)
            }
            // min/max: extend the previous frame when it only grows at the end (running and
            // whole-partition frames are linear), else rescan the frame.
            var curStart = -1
            var curEnd = -1
            var pick = -1
            var best: UInt64 = 0
            let isMin = f.kind == .min
            for i in 0..<n {
                let s = Int(starts[i])
                let e = Int(ends[i])
                if s >= e { continue }
                switch f.kind {
                case .firstValue:
                    src[Int(perm[i])] = perm[s]
                    continue
                case .lastValue:
                    src[Int(perm[i])] = perm[e - 1]
                    continue
                default: break
                }
                var from = s
                if s == curStart && e >= curEnd { from = curEnd } else { pick = -1 }
                for j in from..<e {
                    let r = Int(perm[j])
                    if !valid(r) { continue }
                    let v = ord[r]
                    if pick < 0 || (isMin ? v < best : v > best) {
                        pick = j
                        best = v
                    }
                }
                curStart = s
                curEnd = e
                if pick >= 0 { src[Int(perm[i])] = perm[pick] }
            }
            return src.withUnsafeBufferPointer { gatherNullable(a, $0) }
        case .count, .countStar:
            // prefix counts over sorted positions
            var prefix = [Int64](repeating: 0, count: n + 1)
            for j in 0..<n { prefix[j + 1] = prefix[j] + ((f.kind == .countStar || valid(Int(perm[j]))) ? 1 : 0) }
            var out = [Int64](repeating: 0, count: n)
            for i in 0..<n {
                let s = Int(starts[i])
                let e = Int(ends[i])
                out[Int(perm[i])] = s < e ? prefix[e] - prefix[s] : 0
            }
            return Column(type: .bigint, ints: out)
        case .sum, .avg:
            let a = arg!
            var prefixCount = [Int64](repeating: 0, count: n + 1)
            for j in 0..<n { prefixCount[j + 1] = prefixCount[j] + (valid(Int(perm[j])) ? 1 : 0) }
            var validity = [UInt8](repeating: 1, count: n)
            if a.type == .double {
                // Doubles: running sums where the frame start never moves, else a direct sum.
                var out = [Double](repeating: 0, count: n)
                var runStart = -1
                var runEnd = 0
                var run = 0.0
                for i in 0..<n {
                    let s = Int(starts[i])
                    let e = Int(ends[i])
                    let row = Int(perm[i])
                    let cnt = s < e ? prefixCount[e] - prefixCount[s] : 0
                    if cnt == 0 {
                        validity[row] = 0
                        continue
                    }
                    var total = 0.0
                    if s == runStart && e >= runEnd {
                        for j in runEnd..<e where valid(Int(perm[j])) { run += a.doubles[Int(perm[j])] }
                        runEnd = e
                        total = run
                    } else {
                        run = 0
                        for j in s..<e where valid(Int(perm[j])) { run += a.doubles[Int(perm[j])] }
                        runStart = s
                        runEnd = e
                        total = run
                    }
                    out[row] = f.kind == .sum ? total : total / Double(cnt)
                }
                return Column(doubles: out, validity: validity.contains(0) ? validity : nil)
            }
            // Integers: exact Int128 prefix sums (checked when the input holds HUGEINT values
            // beyond Int64; narrow input cannot overflow 128 bits).
            var prefix = [Int128](repeating: 0, count: n + 1)
            if a.highs != nil {
                for j in 0..<n {
                    let r = Int(perm[j])
                    prefix[j + 1] = valid(r) ? try addChecked(prefix[j], a.int128(at: r)) : prefix[j]
                }
            } else {
                for j in 0..<n {
                    let r = Int(perm[j])
                    prefix[j + 1] = prefix[j] &+ (valid(r) ? Int128(a.ints[r]) : 0)
                }
            }
            let wide = a.type != .integer && a.type != .boolean
            if f.kind == .avg {
                var out = [Double](repeating: 0, count: n)
                for i in 0..<n {
                    let s = Int(starts[i])
                    let e = Int(ends[i])
                    let row = Int(perm[i])
                    let cnt = s < e ? prefixCount[e] - prefixCount[s] : 0
                    if cnt == 0 {
                        validity[row] = 0
                        continue
                    }
                    out[row] = avgDivide(prefix[e] &- prefix[s], cnt, wide: wide)
                }
                return Column(doubles: out, validity: validity.contains(0) ? validity : nil)
            }
            var out = [Int64](repeating: 0, count: n)
            var highs: [Int64]? = nil  // allocated at the first sum beyond Int64
            for i in 0..<n {
                let s = Int(starts[i])
                let e = Int(ends[i])
                let row = Int(perm[i])
                let cnt = s < e ? prefixCount[e] - prefixCount[s] : 0
                if cnt == 0 {
                    validity[row] = 0
                    continue
                }
                let total = prefix[e] &- prefix[s]  // exact: both prefixes are exact 128-bit sums
                if let v = Int64(exactly: total) {
                    out[row] = v
                    if highs != nil { highs![row] = v >> 63 }
                } else {
                    if highs == nil { highs = out.map { $0 >> 63 } }
                    out[row] = Int64(truncatingIfNeeded: total)
                    highs![row] = Int64(truncatingIfNeeded: total >> 64)
                }
            }
            var col = Column(type: .hugeint, ints: out, validity: validity.contains(0) ? validity : nil)
            col.highs = highs
            return col
        default:
            fatalError("unreachable")
        }
    }

    /// Frame bounds [starts[i], ends[i]) in sorted positions for every sorted position i.
    private func frameBounds(
        _ frame: WindowFrame, cols: LazyColumns, n: Int, perm: [Int32],
        partStart: [UInt8], peerStart: [UInt8],
        starts: inout [Int32], ends: inout [Int32]
    ) throws {
        // partition and peer extents per position
        var pStart = [Int32](repeating: 0, count: n)
        var pEnd = [Int32](repeating: 0, count: n)
        var qStart = [Int32](repeating: 0, count: n)
        var qEnd = [Int32](repeating: 0, count: n)
        var ps = 0
        var qs = 0
        for i in 0..<n {
            if partStart[i] != 0 { ps = i }
            if peerStart[i] != 0 { qs = i }
            pStart[i] = Int32(ps)
            qStart[i] = Int32(qs)
        }
        var pe = n
        var qe = n
        for i in stride(from: n - 1, through: 0, by: -1) {
            pEnd[i] = Int32(pe)
            qEnd[i] = Int32(qe)
            if partStart[i] != 0 { pe = i }
            if peerStart[i] != 0 { qe = i }
        }
        // RANGE with offsets: one numeric order key.
        var rangeValues: [Double] = []
        var rangeInts: [Int64] = []
        var rangeNull: [Bool] = []
        let needsRangeOffset: Bool = {
            guard frame.mode == .range else { return false }
            for b in [frame.start, frame.end] {
                switch b {
                case .preceding, .following: return true
                default: continue
                }
            }
            return false
        }()
        var ascending = true
        if needsRangeOffset {
            guard orderBy.count == 1 else {
                throw KuaiError(.binding, "RANGE with an offset needs exactly one ORDER BY expression")
            }
            let c = cols[orderBy[0].column]
            ascending = orderBy[0].ascending
            guard c.type != .varchar else {
                throw KuaiError(.binding, "RANGE with an offset needs a numeric or temporal ORDER BY expression")
            }
            rangeNull = (0..<n).map { !c.isValid(Int(perm[$0])) || c.type == .null }
            if c.type == .double {
                rangeValues = (0..<n).map { c.doubles[Int(perm[$0])] }
            } else if c.type != .null {
                try requireNarrow(c, "a RANGE frame with an offset (window ORDER BY)")
                rangeInts = (0..<n).map { c.ints[Int(perm[$0])] }
            }
        }
        /// First position j in [lo, hi) (non-null segment) whose value is "at or after" target in
        /// sort direction; `strict` = strictly after.
        func search(_ lo: Int, _ hi: Int, _ i: Int, offset: Int64, strict: Bool) -> Int {
            var l = lo
            var h = hi
            while l < h {
                let m = (l + h) / 2
                let after: Bool
                if !rangeInts.isEmpty {
                    let target = Int128(rangeInts[i]) + Int128(offset) * (ascending ? 1 : -1)
                    let v = Int128(rangeInts[m])
                    after = ascending ? (strict ? v > target : v >= target) : (strict ? v < target : v <= target)
                } else {
                    let target = rangeValues[i] + Double(offset) * (ascending ? 1 : -1)
                    let v = rangeValues[m]
                    after = ascending ? (strict ? v > target : v >= target) : (strict ? v < target : v <= target)
                }
                if after { h = m } else { l = m + 1 }
            }
            return l
        }
        for i in 0..<n {
            let ps = Int(pStart[i])
            let pe = Int(pEnd[i])
            var s: Int
            var e: Int
            if frame.mode == .rows {
                switch frame.start {
                case .unboundedPreceding: s = ps
                case .preceding(let k): s = i - Int(clamping: k)
                case .currentRow: s = i
                case .following(let k): s = i + Int(clamping: k)
                case .unboundedFollowing: s = pe
                }
                switch frame.end {
                case .unboundedPreceding: e = ps
                case .preceding(let k): e = i - Int(clamping: k) + 1
                case .currentRow: e = i + 1
                case .following(let k): e = i + Int(clamping: k) + 1
                case .unboundedFollowing: e = pe
                }
            } else {
                let qs = Int(qStart[i])
                let qe = Int(qEnd[i])
                var segLo = ps
                var segHi = pe  // the non-NULL order values of the partition
                let isNull = needsRangeOffset && rangeNull[i]
                if needsRangeOffset && !isNull {
                    while segLo < segHi && rangeNull[segLo] { segLo += 1 }
                    while segHi > segLo && rangeNull[segHi - 1] { segHi -= 1 }
                }
                switch frame.start {
                case .unboundedPreceding: s = ps
                case .currentRow: s = qs
                case .unboundedFollowing: s = pe
                case .preceding(let k): s = isNull ? qs : search(segLo, segHi, i, offset: -k, strict: false)
                case .following(let k): s = isNull ? qs : search(segLo, segHi, i, offset: k, strict: false)
                }
                switch frame.end {
                case .unboundedPreceding: e = ps
                case .currentRow: e = qe
                case .unboundedFollowing: e = pe
                case .preceding(let k): e = isNull ? qe : search(segLo, segHi, i, offset: -k, strict: true)
                case .following(let k): e = isNull ? qe : search(segLo, segHi, i, offset: k, strict: true)
                }
            }
            s = Swift.max(ps, Swift.min(s, pe))
            e = Swift.max(ps, Swift.min(e, pe))
            starts[i] = Int32(s)
            ends[i] = Int32(Swift.max(s, e))
        }
    }

    public var explainLine: String {
        let p = partitionBy.map { "#\($0)" }.joined(separator: ", ")
        let o = orderBy.map(\.description).joined(separator: ", ")
        return "Window partition=[\(p)] order=[\(o)] functions=[" + functions.map(\.description).joined(separator: ", ")
            + "]"
    }
    public var children: [PhysicalOperator] { [child] }
}

/// The columns of a list of batches, each concatenated on first use (window arguments and
/// key columns that need random access); the batches themselves stay as they are.
final class LazyColumns {
    private let batches: [Batch]
    private let schema: Schema
    private var cache: [Int: Column] = [:]
    init(batches: [Batch], schema: Schema) {
        self.batches = batches
        self.schema = schema
    }
    subscript(_ c: Int) -> Column {
        if let col = cache[c] { return col }
        let col: Column
        if batches.count == 1 {
            col = batches[0].columns[c]
        } else {
            var b = ColumnBuilder(type: schema[c].type)
            for batch in batches { b.append(batch.columns[c]) }
            col = b.take()
        }
        cache[c] = col
        return col
    }
}

/// Order-preserving UInt64 per row of `col` (ints signed-shifted, doubles ordered bits,
/// VARCHAR byte-order ranks); NULL rows unspecified.
func orderValues(_ col: Column) -> [UInt64] {
    switch col.type {
    case .double: return col.doubles.map { orderedDouble($0) }
    case .varchar:
        let ranks = stringRanks(col)
        return (0..<col.count).map { col.isValid($0) ? UInt64(UInt32(bitPattern: ranks[Int(col.codes[$0])])) : 0 }
    case .null: return [UInt64](repeating: 0, count: col.count)
    default: return col.ints.map { UInt64(bitPattern: $0) ^ (1 << 63) }
    }
}

/// Writes `value` into rows of `col` where `mask` is 1 (lag/lead defaults).
func patchDefault(_ col: Column, _ mask: [UInt8], _ value: Value) -> Column {
    var out = col
    var validity = out.validity ?? [UInt8](repeating: 1, count: out.count)
    switch (col.type, value) {
    case (.double, .double(let d)):
        for i in 0..<out.count where mask[i] != 0 {
            out.doubles[i] = d
            validity[i] = 1
        }
    case (.double, .int(let x)):
        for i in 0..<out.count where mask[i] != 0 {
            out.doubles[i] = Double(x)
            validity[i] = 1
        }
    case (.varchar, .string(let s)):
        let dict = col.dictionary ?? StringDictionary()
        var code = dict.code(of: s)
        if code == nil {
            let copy = StringDictionary(dict.values + [s])
            code = Int32(dict.count)
            out.dictionary = copy
        }
        for i in 0..<out.count where mask[i] != 0 {
            out.codes[i] = code!
            validity[i] = 1
        }
    case (_, .int(let x)):
        for i in 0..<out.count where mask[i] != 0 {
            out.ints[i] = x
            out.highs?[i] = x >> 63
            validity[i] = 1
        }
    case (_, .hugeint(let x)):
        if out.highs == nil { out.highs = out.ints.map { $0 >> 63 } }
        for i in 0..<out.count where mask[i] != 0 {
            out.ints[i] = Int64(truncatingIfNeeded: x)
            out.highs![i] = Int64(truncatingIfNeeded: x >> 64)
            validity[i] = 1
        }
    case (_, .bool(let b)):
        for i in 0..<out.count where mask[i] != 0 {
            out.ints[i] = b ? 1 : 0
            validity[i] = 1
        }
    default:
        break
    }
    out.validity = validity.contains(0) ? validity : nil
    return out
}
