import KuaiCore

extension Kernels {
    /// True when an INTERVAL operand has a row with months or days (a column with `highs`, or a
    /// constant stored as `.hugeint`): its microseconds alone do not order it.
    static func hasIntervalParts(_ o: Operand) -> Bool {
        switch o {
        case .column(let c): return c.type == .interval && c.highs != nil
        case .scalar(.hugeint): return true
        case .scalar: return false
        }
    }

    /// An INTERVAL operand as HUGEINT values of DuckDB's comparison key (`IntervalValue.normalizedKey`,
    /// a month as 30 days, a day as 24 hours), so that `=`, `<`, IN ... compare intervals as DuckDB
    /// does (`INTERVAL 36 HOUR = INTERVAL '1 day 12 hours'`). Other operands are returned unchanged.
    static func intervalKeys(_ o: Operand) -> Operand {
        switch o {
        case .column(let c):
            guard c.type == .interval, c.highs != nil else { return o }
            var keys = [Int128](repeating: 0, count: c.count)
            for i in 0..<c.count { keys[i] = c.interval(at: i).normalizedKey }
            return .column(Column(hugeints: keys, validity: c.validity))
        case .scalar(let v):
            return .scalar(intervalKey(v))
        }
    }

    /// A boxed INTERVAL as its comparison key (`.int` when it fits Int64, else `.hugeint`); NULL
    /// and other values unchanged.
    static func intervalKey(_ v: Value) -> Value {
        guard case .hugeint = v, let x = IntervalValue(v) else { return v }
        let k = x.normalizedKey
        if let small = Int64(exactly: k) { return .int(small) }
        return .hugeint(k)
    }
}
