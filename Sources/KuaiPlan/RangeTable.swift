import KuaiCore
import KuaiExec
import KuaiFormat

/// `range(stop)`, `range(start, stop[, step])` and `generate_series(...)` in FROM (DuckDB 2.0.1's
/// table functions over BIGINT): one BIGINT column named after the function, `start` (default 0)
/// stepping by `step` (default 1) up to `stop`, exclusive for range and inclusive for
/// generate_series. A NULL argument gives no rows; a step of 0 is DuckDB's binding error
/// "interval cannot be 0!"; values never pass Int64's range. Rows are made block by block when
/// scanned, so a long series costs no memory up front.
enum RangeFunction {
    static let range = TableFunction(names: ["range"], fileSuffixes: []) { try bind($0, inclusive: false) }
    static let generateSeries = TableFunction(names: ["generate_series"], fileSuffixes: []) {
        try bind($0, inclusive: true)
    }

    static func bind(_ args: TableFunctionArguments, inclusive: Bool) throws -> TableSource {
        try args.rejectUnknown([])
        guard (1...3).contains(args.positional.count) else {
            throw KuaiError(
                .binding, "\(args.function) takes 1 to 3 integer arguments (stop, or start, stop[, step])",
                at: args.position.description)
        }
        let temporal: Set<DataType> = [.timestamp, .date, .interval]
        if args.positionalTypes.contains(where: { temporal.contains($0) }) {
            return try bindTimestamps(args, inclusive)
        }
        var ints: [Int64] = []
        for v in args.positional {
            switch v {
            case .null: return RangeTable(name: args.function, start: 0, step: 1, count: 0)
            case .int(let i): ints.append(i)
            default:
                throw KuaiError(
                    .binding, "\(args.function) takes integer arguments, found \(v)", at: args.position.description)
            }
        }
        let start = ints.count == 1 ? 0 : ints[0]
        let stop = ints.count == 1 ? ints[0] : ints[1]
        let step = ints.count == 3 ? ints[2] : 1
        guard step != 0 else { throw KuaiError(.binding, "interval cannot be 0!", at: args.position.description) }
        let count = rowCount(start: start, stop: stop, step: step, inclusive: inclusive)
        guard count <= maxRows else {
            throw KuaiError(
                .binding,
                "\(args.function) of \(count) rows is more than a kuai table holds (\(maxRows) rows: 2^32 - 1 blocks of \(FormatConstants.blockRows))",
                at: args.position.description)
        }
        return RangeTable(name: args.function, start: start, step: step, count: count)
    }

    /// The most rows a table holds, as a store segment (Formats/column-file.md: a block count fits 32
    /// bits): a longer range is refused when bound rather than scanned for centuries.
    static let maxRows = Int(UInt32.max) * FormatConstants.blockRows

    /// `range(start, stop, step)` / `generate_series(...)` of TIMESTAMP (or DATE, taken as its
    /// midnight) bounds and an INTERVAL step, as DuckDB 2.0.1: one TIMESTAMP column, `start` then
    /// each value plus the step (month steps add to the previous value: Jan 31, Feb 29, Mar 29),
    /// while before `stop` (or at it for generate_series) in the step's direction. A NULL argument
    /// gives no rows; a zero step is "interval cannot be 0!", a step with parts of both signs
    /// DuckDB's "Interval with mix of negative/positive entries not supported".
    static func bindTimestamps(_ args: TableFunctionArguments, _ inclusive: Bool) throws -> TableSource {
        let at = args.position.description
        let types = args.positionalTypes
        guard types.count == 3, [.timestamp, .date, .null].contains(types[0]),
            [.timestamp, .date, .null].contains(types[1]), [.interval, .null].contains(types[2])
        else {
            let list = types.map(\.description).joined(separator: ", ")
            throw KuaiError(
                .binding,
                "\(args.function)(\(list)) does not exist: over time it takes (TIMESTAMP, TIMESTAMP, INTERVAL)", at: at)
        }
        let name = args.function
        let empty = Column(type: .timestamp, ints: [])
        func micros(_ k: Int) -> Int64? {
            guard case .int(let x) = args.positional[k] else { return nil }
            return types[k] == .date ? x &* IntervalValue.microsPerDay : x
        }
        guard let start = micros(0), let stop = micros(1), let step = IntervalValue(args.positional[2]) else {
            return MemoryTable(
                name: name, schema: [Field(name, .timestamp)], batches: [Batch(columns: [empty], count: 0)])
        }
        let parts = [Int64(step.months), Int64(step.days), step.micros]
        guard parts.contains(where: { $0 != 0 }) else { throw KuaiError(.binding, "interval cannot be 0!", at: at) }
        let up = parts.allSatisfy { $0 >= 0 }
        guard up || parts.allSatisfy({ $0 <= 0 }) else {
            throw KuaiError(.binding, "Interval with mix of negative/positive entries not supported", at: at)
        }
        var values: [Int64] = []
        var t = start
        while up ? (inclusive ? t <= stop : t < stop) : (inclusive ? t >= stop : t > stop) {
            values.append(t)
            guard let next = try? IntervalMath.addToTimestamp(t, step, subtract: false) else { break }
            t = next
        }
        let batches = stride(from: 0, to: values.count, by: FormatConstants.blockRows).map { i in
            let end = min(values.count, i + FormatConstants.blockRows)
            return Batch(columns: [Column(type: .timestamp, ints: Array(values[i..<end]))], count: end - i)
        }
        return MemoryTable(name: name, schema: [Field(name, .timestamp)], batches: batches)
    }

    /// How many values `start + k * step` lie before `stop` (or at it, when `inclusive`).
    static func rowCount(start: Int64, stop: Int64, step: Int64, inclusive: Bool) -> Int {
        let span = Int128(stop) - Int128(start)
        let s = Int128(step)
        guard span != 0 || inclusive, (span >= 0) == (s > 0) || span == 0 else { return 0 }
        let n = inclusive ? span / s + 1 : (span + s - (s > 0 ? 1 : -1)) / s
        // a span of nearly 2^64 by a step of 1 passes Int.max: clamped (the caller refuses it)
        return Int(clamping: max(0, n))
    }
}

/// The rows of a range as a table of 65,536-row blocks computed when read.
final class RangeTable: TableSource, @unchecked Sendable {
    let name: String
    let schema: Schema
    let start: Int64
    let step: Int64
    let rowCount: Int

    init(name: String, start: Int64, step: Int64, count: Int) {
        self.name = name
        self.schema = [Field(name, .bigint)]
        self.start = start
        self.step = step
        self.rowCount = count
    }

    var blockCount: Int { rowCount / FormatConstants.blockRows + (rowCount % FormatConstants.blockRows == 0 ? 0 : 1) }
    func blockRowCount(_ block: Int) -> Int {
        min(FormatConstants.blockRows, rowCount - block * FormatConstants.blockRows)
    }
    func zoneMap(column: Int, block: Int) -> ZoneMap? {
        let n = blockRowCount(block)
        let first = value(block * FormatConstants.blockRows)
        let last = value(block * FormatConstants.blockRows + n - 1)
        return ZoneMap(rowCount: n, nullCount: 0, min: .int(Swift.min(first, last)), max: .int(Swift.max(first, last)))
    }
    func readColumn(_ column: Int, block: Int) throws -> Column {
        let first = block * FormatConstants.blockRows
        let n = blockRowCount(block)
        var ints = [Int64](repeating: 0, count: n)
        let base = value(first)
        ints.withUnsafeMutableBufferPointer { out in
            for i in 0..<n { out[i] = base &+ Int64(i) &* step }
        }
        return Column(type: .bigint, ints: ints)
    }

    /// Row `k`'s value (within Int64: `rowCount` stops before the range would leave it).
    private func value(_ k: Int) -> Int64 { start &+ Int64(k) &* step }
}
