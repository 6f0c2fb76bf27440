import KuaiCore

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
