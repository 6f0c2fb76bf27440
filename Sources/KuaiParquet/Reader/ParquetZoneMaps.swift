import KuaiCore

extension ParquetFile {
    /// The zone map of `column` in `rowGroup` from the chunk's statistics, or nil when the writer
    /// kept none that kuai can trust: integers, dates, timestamps and doubles only (string
    /// statistics may be truncated by their writers), and only with a null count and both bounds
    /// (or a null count equal to the row count). NaN bounds are not used.
    public func zoneMap(column: Int, rowGroup: Int) -> ZoneMap? {
        let rows = rowGroupRows(rowGroup)
        guard let meta = metadata.rowGroups[rowGroup].columns[column].metaData, let s = meta.statistics,
            let nulls = s.nullCount, nulls >= 0, nulls <= Int64(rows)
        else { return nil }
        if Int(nulls) == rows { return ZoneMap(rowCount: rows, nullCount: rows, min: .null, max: .null) }
        let c = columns[column]
        guard let lo = s.minValue ?? legacy(s.min, c), let hi = s.maxValue ?? legacy(s.max, c),
            let mn = decode(lo, c), let mx = decode(hi, c)
        else { return nil }
        return ZoneMap(rowCount: rows, nullCount: Int(nulls), min: mn, max: mx)
    }

    /// The deprecated min/max are in signed order, right for the signed integer and float types.
    private func legacy(_ v: [UInt8]?, _ c: ParquetColumn) -> [UInt8]? {
        switch c.physical {
        case .int32, .int64, .float, .double: return c.conversion == .none ? v : nil
        default: return nil
        }
    }

    private func decode(_ b: [UInt8], _ c: ParquetColumn) -> Value? {
        func int(_ width: Int) -> Int64? {
            guard b.count == width else { return nil }
            var v: UInt64 = 0
            for k in 0..<width { v |= UInt64(b[k]) << (8 * UInt64(k)) }
            return width == 4 ? Int64(Int32(truncatingIfNeeded: v)) : Int64(bitPattern: v)
        }
        switch (c.physical, c.conversion) {
        case (.int32, .none): return int(4).map { .int($0) }
        case (.int64, .none): return int(8).map { .int($0) }
        case (.int64, .millisToMicros):
            guard let v = int(8) else { return nil }
            let (m, o) = v.multipliedReportingOverflow(by: 1000)
            return o ? nil : .int(m)
        case (.double, .none):
            guard let v = int(8) else { return nil }
            let d = Double(bitPattern: UInt64(bitPattern: v))
            return d.isNaN ? nil : .double(d)
        case (.float, .float):
            guard let v = int(4) else { return nil }
            let d = Double(Float(bitPattern: UInt32(truncatingIfNeeded: v)))
            return d.isNaN ? nil : .double(d)
        default: return nil
        }
    }
}
