import KuaiCore

/// `bar(x, min, max[, width])`: a horizontal bar of Unicode blocks, as DuckDB's `bar`
/// (extension/core_functions/scalar/string/bar.cpp).
///
/// The bar is `width * (x - min) / (max - min)` characters long (default width 80), drawn in
/// eighths: full blocks `█`, then one of `▏▎▍▌▋▊▉` for the remaining eighths (truncated), then
/// spaces up to `width` characters (the integer part of `width`). `x <= min` or a NaN argument
/// gives an empty bar, `x >= max` a full one; NULL arguments give NULL.
/// - Throws: `KuaiError.execution` when `width` is NaN, infinite, below 1 or above 1000, or when
///   the length is not finite (e.g. `(x - min) / (max - min)` is inf / inf).
extension FunctionRegistry {
    static let barFunctions: [ScalarFunction] = [
        ScalarFunction("bar", [.double, .double, .double], .varchar) { a, t, n, _ in
            try rowwise(a, t, n, result: .varchar) { r, i in
                .string(try barText(r[0].double(i), r[1].double(i), r[2].double(i), 80))
            }
        },
        ScalarFunction("bar", [.double, .double, .double, .double], .varchar) { a, t, n, _ in
            try rowwise(a, t, n, result: .varchar) { r, i in
                .string(try barText(r[0].double(i), r[1].double(i), r[2].double(i), r[3].double(i)))
            }
        },
    ]

    /// The eighth blocks ▏ to ▉ (index = eighths, 1...7).
    static let partialBlocks = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// One bar (see the extension's documentation).
    static func barText(_ x: Double, _ min: Double, _ max: Double, _ maxWidth: Double) throws -> String {
        guard maxWidth.isFinite else { throw KuaiError(.execution, "Max bar width must not be NaN or infinity") }
        if maxWidth < 1 { throw KuaiError(.execution, "Max bar width must be >= 1") }
        if maxWidth > 1000 { throw KuaiError(.execution, "Max bar width must be <= 1000") }
        let width: Double
        if x.isNaN || min.isNaN || max.isNaN || x <= min {
            width = 0
        } else if x >= max {
            width = maxWidth
        } else {
            width = maxWidth * (x - min) / (max - min)
        }
        guard width.isFinite else { throw KuaiError(.execution, "Bar width must not be NaN or infinity") }
        let eighths = Int(width * 8)  // 0 <= width <= 1000: truncation toward zero, as the C++ cast
        var out = String(repeating: "█", count: eighths / 8)
        var used = eighths / 8
        if eighths % 8 != 0 {
            out += partialBlocks[eighths % 8]
            used += 1
        }
        let total = Int(maxWidth)
        if used < total { out += String(repeating: " ", count: total - used) }
        return out
    }
}
