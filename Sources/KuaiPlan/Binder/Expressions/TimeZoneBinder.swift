import KuaiCore
import KuaiExec
import KuaiSQL

// TIMESTAMP WITH TIME ZONE in function calls and operators, as DuckDB's ICU extension binds them.

extension Binder {
    /// `current_setting('TimeZone')` (the session's zone name) and `date_part('epoch', TIMESTAMPTZ)`
    /// (`epoch` of the instant); nil for other calls.
    /// - Throws: `KuaiError.binding` for a setting name that is not a constant or not `TimeZone`.
    func bindTimeZoneSpecialForm(_ fname: String, _ args: [BoundExpr], _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr?
    {
        switch fname {
        case "current_setting":
            guard args.count == 1, case .string(let setting)? = args[0].foldedValue else {
                throw Binder.error("current_setting() takes one constant setting name", pos)
            }
            guard setting.lowercased() == "timezone" else {
                throw Binder.error("unrecognized configuration parameter \"\(setting)\" (kuai knows TimeZone)", pos)
            }
            return BoundExpr.constant(.string(SessionTimeZone.current.name), type: .varchar, name: name)
        case "date_part" where args.count == 2 && args[1].type == .timestamptz:
            guard case .string(let part)? = args[0].foldedValue, part.lowercased() == "epoch" else { return nil }
            return try bindOverload("epoch", [args[1]], pos, name)
        default:
            return nil
        }
    }

    /// A call with TIMESTAMPTZ arguments that no overload takes (hour, date_part, strftime,
    /// date_trunc, dayname, date_diff, ...): as DuckDB's ICU functions, the instant is taken apart in
    /// the session's zone, i.e. each such argument becomes its wall time there
    /// (`timezone(zone, x)`), and date_trunc's TIMESTAMP result is read back in the zone (a
    /// TIMESTAMPTZ). Nil when there is no TIMESTAMPTZ argument or an overload takes them as they are.
    func bindInSessionZone(_ fname: String, _ args: [BoundExpr], _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr?
    {
        guard args.contains(where: { $0.type == .timestamptz }),
            FunctionRegistry.resolve(fname, args.map(\.type)) == nil
        else { return nil }
        if let elapsed = try bindElapsedDifference(fname, args, pos, name) { return elapsed }
        var args = args
        if fname == "strftime", args.count == 2, args[0].type == .timestamptz,
            case .string(let format)? = args[1].foldedValue
        {
            args[1] = BoundExpr.constant(
                .string(Binder.zoneFields(format, SessionTimeZone.current)), type: .varchar, name: args[1].name)
        }
        let zone = BoundExpr.constant(.string(SessionTimeZone.current.name), type: .varchar)
        let local = try args.map { a in
            a.type == .timestamptz ? try bindOverload("timezone", [zone, a], pos, a.name) : a
        }
        let r = try bindOverload(fname, local, pos, name)
        if fname == "date_trunc" || fname == "datetrunc", r.type == .timestamp {
            return try bindOverload("timezone", [zone, r], pos, name)
        }
        return r
    }

    /// date_diff / datediff / date_sub / datesub of instants in a part shorter than a day, as DuckDB's
    /// ICU functions: elapsed time, not wall-clock time (a DST change in between counts as it
    /// lasted). date_diff first truncates each instant to the part in the session zone (so it counts
    /// the zone's hour boundaries, at :30 in Asia/Kolkata); both then go in as UTC microseconds.
    /// Nil for other calls.
    func bindElapsedDifference(_ fname: String, _ args: [BoundExpr], _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr?
    {
        let truncates = fname == "date_diff" || fname == "datediff"
        guard truncates || fname == "date_sub" || fname == "datesub", args.count == 3,
            case .string(let part)? = args[0].foldedValue, FunctionRegistry.isSubDayPart(part)
        else { return nil }
        let utc = BoundExpr.constant(.string("UTC"), type: .varchar)
        var converted = [args[0]]
        for a0 in args[1...] {
            // A TIMESTAMP, DATE or string beside an instant is the instant of its wall time in the session zone,
            // as DuckDB's implicit cast to TIMESTAMP WITH TIME ZONE reads it (not its wall time taken as UTC).
            let a =
                a0.type == .timestamp || a0.type == .date || isStringLiteral(a0)
                ? try coerce(a0, to: .timestamptz, pos) : a0
            guard a.type == .timestamptz else {
                converted.append(a)
                continue
            }
            let t = truncates ? try bindOverload("date_trunc", [args[0], a], pos, a.name) : a
            converted.append(try bindOverload("timezone", [utc, t], pos, a.name))
        }
        return try bindOverload(fname, converted, pos, name)
    }

    /// A strftime format for an instant with `%Z` written as the zone's name and, in a zone with one
    /// fixed offset, `%z` as that offset (`+00`, `+05:30`), as DuckDB's ICU strftime prints them (`%%`
    /// stays a literal percent sign). In a zone with DST `%z` is left to the TIMESTAMP strftime
    /// (`+00`): the offset would change from row to row.
    static func zoneFields(_ format: String, _ zone: TimeZoneRules) -> String {
        var out = ""
        var it = format.makeIterator()
        while let c = it.next() {
            guard c == "%", let spec = it.next() else {
                out.append(c)
                continue
            }
            switch spec {
            case "Z": out += zone.name.replacingOccurrences(of: "%", with: "%%")
            case "z" where zone.isFixed:
                let seconds = zone.offset(utc: 0) / 1_000_000
                let a = seconds.magnitude
                func two(_ v: UInt64) -> String { v < 10 ? "0\(v)" : "\(v)" }
                out += (seconds < 0 ? "-" : "+") + two(a / 3600)
                if a % 3600 != 0 { out += ":" + two(a / 60 % 60) }
                if a % 60 != 0 { out += ":" + two(a % 60) }
            default:
                out.append("%")
                out.append(spec)
            }
        }
        return out
    }

    /// `+` and `-` with a TIMESTAMPTZ side: instant - instant is an INTERVAL, instant ± INTERVAL an
    /// instant (kuai's INTERVAL is microseconds, added to the UTC microseconds); nil for the others.
    func bindTimeZoneArithmetic(
        _ op: ArithmeticOp, _ x: BoundExpr, _ y: BoundExpr, _ pos: SourcePosition, _ name: String
    ) throws -> BoundExpr? {
        switch (op, x.type, y.type) {
        case (.subtract, .timestamptz, .timestamptz): return try bindOverload("timestamptz_diff", [x, y], pos, name)
        case (.add, .timestamptz, .interval): return try bindOverload("timestamptz_add_interval", [x, y], pos, name)
        case (.add, .interval, .timestamptz): return try bindOverload("timestamptz_add_interval", [y, x], pos, name)
        case (.subtract, .timestamptz, .interval):
            return try bindOverload("timestamptz_sub_interval", [x, y], pos, name)
        default: return nil
        }
    }
}

extension QueryEngine {
    /// `SET name = value`: kuai knows `TimeZone` (any case; `SessionTimeZone`).
    /// - Throws: `KuaiError.binding` for another setting, `.execution` (DuckDB's `Unknown TimeZone
    ///   'x'!`) for a zone ICU does not know.
    static func applySetting(_ name: String, _ value: String, _ pos: SourcePosition) throws {
        guard name.lowercased() == "timezone" else {
            throw KuaiError(
                .binding, "unrecognized configuration parameter \"\(name)\" (kuai knows TimeZone)", at: pos.description)
        }
        try SessionTimeZone.set(value)
    }
}
