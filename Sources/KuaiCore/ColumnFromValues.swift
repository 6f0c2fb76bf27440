extension Column {
    /// A column of `type` from boxed values, one row per value (VALUES lists, per-group picks of
    /// any_value): `.null` rows are NULL; VARCHAR takes `.string`; DOUBLE takes `.double` and
    /// `.int`; the integer-backed types take `.int`, `.bool` (1/0) and `.double` (truncated), and
    /// become a wide column (`highs`) when any value is a `.hugeint`. A value of another case is
    /// NULL for VARCHAR and 0 otherwise. For small row counts only: this boxes every value.
    public init(values: [Value], type: DataType) {
        let validity = values.map { $0.isNull ? UInt8(0) : 1 }
        let v: [UInt8]? = validity.contains(0) ? validity : nil
        switch type {
        case .varchar:
            self.init(
                strings: values.map { x -> String? in
                    if case .string(let s) = x { return s }
                    return nil
                })
        case .double:
            self.init(
                doubles: values.map { x -> Double in
                    switch x {
                    case .double(let d): return d
                    case .int(let i): return Double(i)
                    default: return 0
                    }
                }, validity: v)
        default:
            let wide = values.contains { x in
                if case .hugeint = x { return true }
                return false
            }
            if wide {
                self.init(
                    hugeints: values.map { x -> Int128 in
                        switch x {
                        case .int(let i): return Int128(i)
                        case .hugeint(let h): return h
                        default: return 0
                        }
                    }, validity: v)
                self.type = type
                return
            }
            self.init(
                type: type,
                ints: values.map { x -> Int64 in
                    switch x {
                    case .int(let i): return i
                    case .bool(let b): return b ? 1 : 0
                    case .double(let d): return Int64(d)
                    default: return 0
                    }
                }, validity: v)
        }
    }
}
