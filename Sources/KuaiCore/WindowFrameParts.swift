/// The unit of a window frame, SQL's `ROWS | RANGE | GROUPS`: ROWS counts rows; RANGE compares
/// ORDER BY values (CURRENT ROW = the row's peers); GROUPS counts peer groups. The parser's
/// `FrameClause` and the engine's `WindowFrame` both use it.
public enum FrameUnit: String, Sendable, Hashable {
    case rows = "ROWS"
    case range = "RANGE"
    case groups = "GROUPS"
}

/// A window frame's `EXCLUDE` clause (SQL:2011, as DuckDB): the rows left out of each row's frame:
/// none, the row itself, its peer group, or its peers but not the row.
public enum FrameExclusion: String, Sendable, Hashable {
    case noOthers = "NO OTHERS"
    case currentRow = "CURRENT ROW"
    case group = "GROUP"
    case ties = "TIES"
}

/// One end of a window frame, whose offset is an `Offset`: an expression as the query writes it
/// (KuaiSQL's `FrameClause`), a count once bound (KuaiExec's `WindowFrame`: rows for ROWS,
/// order-key units for RANGE).
public enum FrameBound<Offset> {
    case unboundedPreceding
    case preceding(Offset)
    case currentRow
    case following(Offset)
    case unboundedFollowing

    /// The same bound with its offset replaced by `f(offset)`.
    public func map<T>(_ f: (Offset) throws -> T) rethrows -> FrameBound<T> {
        switch self {
        case .unboundedPreceding: return .unboundedPreceding
        case .preceding(let k): return .preceding(try f(k))
        case .currentRow: return .currentRow
        case .following(let k): return .following(try f(k))
        case .unboundedFollowing: return .unboundedFollowing
        }
    }

    /// The bound as SQL writes it (`UNBOUNDED PRECEDING`, `3 FOLLOWING`), the offset as `text` writes it.
    public func sqlText(_ text: (Offset) -> String) -> String {
        switch self {
        case .unboundedPreceding: return "UNBOUNDED PRECEDING"
        case .preceding(let k): return "\(text(k)) PRECEDING"
        case .currentRow: return "CURRENT ROW"
        case .following(let k): return "\(text(k)) FOLLOWING"
        case .unboundedFollowing: return "UNBOUNDED FOLLOWING"
        }
    }
}

extension FrameBound: Sendable where Offset: Sendable {}
extension FrameBound: Equatable where Offset: Equatable {}
extension FrameBound: Hashable where Offset: Hashable {}
extension FrameBound: CustomStringConvertible where Offset: CustomStringConvertible {
    public var description: String { sqlText(\.description) }
}
