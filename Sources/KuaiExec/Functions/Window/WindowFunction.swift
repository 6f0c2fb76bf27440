import KuaiCore

/// One window function of a `WindowOperator`.
///
/// Semantics as DuckDB: row_number/rank/dense_rank and lag/lead ignore the frame; first_value,
/// last_value, nth_value and the aggregates use `frame` (nil = DuckDB's default: with ORDER BY
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
        case nthValue = "nth_value"
        case ntile
        case percentRank = "percent_rank"
        case cumeDist = "cume_dist"
        case countStar = "count_star"
        case count, sum, avg, min, max
        /// Any other aggregate (median, mode, string_agg, arg_max, ...) or one with DISTINCT:
        /// `WindowFunction.aggregate` holds it.
        case aggregate
    }
    public var kind: Kind
    /// Input column (index into the child's output) for lag/lead/first/last/count/sum/avg/min/max.
    public var argument: Int?
    /// lag/lead: rows back / ahead (default 1; may be 0); ntile: the number of buckets (> 0);
    /// nth_value: the 1-based position in the frame (0 or less, or a NULL n: every answer NULL).
    public var offset: Int
    /// lag/lead: the value when the offset row is outside the partition (of the argument's type).
    public var defaultValue: Value
    /// nil = DuckDB's default frame.
    public var frame: WindowFrame?
    /// `IGNORE NULLS` (first_value, last_value, nth_value, lag, lead): NULL values of the argument
    /// are skipped as if their rows were not there (the row itself stays in its frame).
    public var ignoreNulls = false
    /// `FILTER (WHERE ...)` of an aggregate: a BOOLEAN input column; rows where it is not TRUE are
    /// left out of every frame (DuckDB semantics; the rows still get a result).
    public var filter: Int? = nil
    /// The aggregate of kind `.aggregate`.
    public var aggregate: WindowAggregate? = nil

    public init(
        _ kind: Kind, argument: Int? = nil, offset: Int = 1, defaultValue: Value = .null, frame: WindowFrame? = nil
    ) {
        self.kind = kind
        self.argument = argument
        self.offset = offset
        self.defaultValue = defaultValue
        self.frame = frame
    }

    /// Every input column the function reads by row: argument, FILTER column and an aggregate's
    /// second argument or ORDER BY columns.
    public var inputColumns: [Int] {
        [argument, filter].compactMap { $0 } + (aggregate?.orderColumns ?? [])
    }

    /// The same function reading input column `m(c)` where it read `c`.
    public func remapped(_ m: (Int) -> Int) -> WindowFunction {
        var g = self
        g.argument = argument.map(m)
        g.filter = filter.map(m)
        g.aggregate?.orderColumns = aggregate?.orderColumns.map(m) ?? []
        return g
    }

    /// The result type: `aggregate`'s return type for `.aggregate`, else
    /// `resultType(kind, argumentType:)`.
    public func resultType(argumentType: DataType?) -> DataType {
        if kind == .aggregate, let a = aggregate { return a.function.returnType }
        return Self.resultType(kind, argumentType: argumentType)
    }

    /// DuckDB's result type: row_number/rank/dense_rank/count BIGINT; sum of an integer or
    /// BOOLEAN HUGEINT, of DOUBLE DOUBLE, of DECIMAL(p,s) DECIMAL(38,s); avg DOUBLE;
    /// lag/lead/first/last/min/max the argument type.
    public static func resultType(_ kind: Kind, argumentType: DataType?) -> DataType {
        switch kind {
        case .rowNumber, .rank, .denseRank, .countStar, .count, .ntile: return .bigint
        case .percentRank, .cumeDist: return .double
        case .avg: return .double
        case .sum:
            if case .decimal(_, let scale)? = argumentType { return .decimal(precision: 38, scale: scale) }
            return argumentType == .double ? .double : .hugeint
        default: return argumentType ?? .null
        }
    }

    /// `row_number()`, `sum(#3) RANGE BETWEEN ...` (EXPLAIN).
    public var description: String {
        if let aggregate { return aggregate.key + (filter.map { " FILTER #\($0)" } ?? "") + frameText }
        var s = kind == .countStar ? "count(*)" : "\(kind.rawValue)(" + (argument.map { "#\($0)" } ?? "")
        if kind == .ntile { s += "\(offset)" }
        if kind == .nthValue { s += ", \(offset)" }
        if kind == .lag || kind == .lead {
            s += ", \(offset)" + (defaultValue.isNull ? "" : ", \(defaultValue)")
        }
        if ignoreNulls { s += " IGNORE NULLS" }
        if kind != .countStar { s += ")" }
        if let filter { s += " FILTER #\(filter)" }
        return s + frameText
    }

    private var frameText: String { frame.map { " " + $0.description } ?? "" }
}

/// An aggregate computed over window frames by its `AggregateState` (`WindowPartitions.framedAggregate`):
/// any aggregate of `AggregateRegistry`, with DISTINCT and ORDER BY arguments, as DuckDB's window
/// aggregates.
public struct WindowAggregate: Sendable, Hashable {
    /// The aggregate as the binder resolved it (its argument is the window function's `argument`).
    public var function: AggregateFunction
    /// `agg(DISTINCT x)`: equal values counted once per frame.
    public var distinct: Bool
    /// The second argument of a two-column aggregate (arg_max's ordering value) or an ordered
    /// aggregate's ORDER BY columns (string_agg(x, ',' ORDER BY y)), as input columns.
    public var orderColumns: [Int]
    /// The call's text with `#column` arguments (EXPLAIN), which also identifies equal aggregates.
    public var key: String

    public init(function: AggregateFunction, distinct: Bool, orderColumns: [Int], key: String) {
        self.function = function
        self.distinct = distinct
        self.orderColumns = orderColumns
        self.key = key
    }

    public static func == (a: WindowAggregate, b: WindowAggregate) -> Bool {
        a.key == b.key && a.distinct == b.distinct && a.orderColumns == b.orderColumns
            && a.function.returnType == b.function.returnType
    }
    public func hash(into h: inout Hasher) {
        h.combine(key)
        h.combine(orderColumns)
    }
}

extension WindowFunction {
    /// The frame the function uses: its own, else DuckDB's default (with ORDER BY
    /// `RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`, without ORDER BY the whole partition).
    func effectiveFrame(ordered: Bool) -> WindowFrame {
        frame ?? (ordered ? WindowFrame.defaultWithOrder : WindowFrame.wholePartition)
    }
}

/// What the window functions of one `WindowOperator` compute over: the child's rows sorted by
/// (partition keys, order keys), with partition and peer-group boundaries in sorted positions.
/// Each function family (`ranking`, `lagLead`, `framed`) reads positions in sorted order and
/// writes its result in the child's row order.
struct WindowPartitions {
    /// The child's columns the functions read by row (arguments, the ORDER BY key of a RANGE
    /// frame with offsets), contiguous; the others are empty.
    let columns: [Column]
    /// Rows in all.
    let count: Int
    /// `perm[i]`: the row at sorted position i.
    let perm: [Int32]
    /// `partStart[i] = 1` when a partition starts at sorted position i.
    let partStart: [UInt8]
    /// `peerStart[i] = 1` when a peer group (same partition and ORDER BY values) starts at i.
    let peerStart: [UInt8]
    /// The window's ORDER BY (a RANGE frame with offsets reads its one key).
    let orderBy: [SortKey]
    /// The chunks of sorted positions the functions are computed in, one task each (nil = about
    /// four per thread; tests choose the chunk edges).
    var chunking: PositionChunks? = nil

    /// The value of `f` for every row, in the child's row order.
    /// - Throws: `KuaiError.binding` for a RANGE offset frame without one numeric ORDER BY key;
    ///   `KuaiError.execution` for HUGEINT overflow in sum.
    func compute(_ f: WindowFunction) throws -> Column {
        switch f.kind {
        case .rowNumber, .rank, .denseRank: return ranking(f.kind)
        case .ntile, .percentRank, .cumeDist: return distribution(f)
        case .lag, .lead: return lagLead(f)
        case .firstValue, .lastValue, .nthValue, .min, .max, .count, .countStar, .sum, .avg: return try framed(f)
        case .aggregate: return try framedAggregate(f)
        }
    }
}
