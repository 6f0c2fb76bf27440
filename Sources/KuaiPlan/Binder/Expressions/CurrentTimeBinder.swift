import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// The words that name the statement's time when no column has the name (DuckDB semantics: a
    /// column `current_date` wins): `current_timestamp` (TIMESTAMP WITH TIME ZONE), `current_date`
    /// (DATE in the session's time zone), `localtimestamp` (TIMESTAMP, the wall time there), `localtime`
    /// (TIME, the wall time's time of day).
    static let currentValueKeywords: [String: DataType] = [
        "current_timestamp": .timestamptz, "current_date": .date, "localtimestamp": .timestamp, "localtime": .time,
    ]

    /// The functions of the statement's time: now(), get_current_timestamp(), transaction_timestamp()
    /// (TIMESTAMP WITH TIME ZONE), today() (DATE), current_localtimestamp() (TIMESTAMP).
    static let currentValueFunctions: [String: DataType] = [
        "now": .timestamptz, "get_current_timestamp": .timestamptz, "transaction_timestamp": .timestamptz,
        "today": .date, "current_localtimestamp": .timestamp,
    ]

    /// The statement's start (`CTECounter.statementStart`, one value for every row and every subquery
    /// of the statement) as a constant of `type`: the instant itself, or its date / wall time in the
    /// session's time zone (the cast of TIMESTAMP WITH TIME ZONE to DATE / TIMESTAMP).
    func currentValue(_ type: DataType, _ pos: SourcePosition, name: String) throws -> BoundExpr {
        let instant = BoundExpr.constant(.int(cteIds.statementStart), type: .timestamptz, name: name)
        if type == .timestamptz { return instant }
        var cast = try coerce(instant, to: type == .time ? .timestamp : type, pos)
        if type == .time { cast = try coerce(cast, to: .time, pos) }
        return BoundExpr(cast.kind, type: cast.type, name: name)
    }

    /// format() / printf() (`bindFormat`) and the functions of the statement's time; nil for others.
    /// - Throws: `KuaiError.binding` for an argument to now() and its kin, or a format that is no VARCHAR.
    func bindFormatOrCurrentTime(_ fname: String, _ args: [BoundExpr], _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr?
    {
        if fname == "format" || fname == "printf" { return try bindFormat(fname, args, pos, name) }
        guard let type = Binder.currentValueFunctions[fname] else { return nil }
        guard args.isEmpty else { throw Binder.error("\(fname)() takes no arguments", pos) }
        return try currentValue(type, pos, name: name)
    }
}
