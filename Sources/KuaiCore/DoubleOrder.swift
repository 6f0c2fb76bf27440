/// DOUBLE comparison as DuckDB 2.0.1 defines it for `=`, `<`, ORDER BY, min/max, greatest/least and
/// the quantiles (duckdb/common/operator/comparison_operators.hpp, `Equals`/`GreaterThan` for
/// floating point): NaN equals NaN and is above every other value, `+inf` included; `-0.0` equals
/// `0.0`. IEEE comparison (Swift's `<`, `==`) says every comparison with NaN is false, which gave
/// wrong rows for `x > 1` or `x = 'nan'` over a column holding NaN.
public enum DoubleOrder {
    /// `a = b`: equal values, or both NaN.
    @inline(__always) public static func equal(_ a: Double, _ b: Double) -> Bool {
        a == b || (a.isNaN && b.isNaN)
    }
    /// `a < b`: NaN is less than nothing and above every number.
    @inline(__always) public static func less(_ a: Double, _ b: Double) -> Bool {
        !a.isNaN && (b.isNaN || a < b)
    }
    /// -1, 0 or 1 as `a` is below, equal to or above `b`.
    @inline(__always) public static func compare(_ a: Double, _ b: Double) -> Int {
        less(a, b) ? -1 : (equal(a, b) ? 0 : 1)
    }
}

/// A DOUBLE ordered by `DoubleOrder` (same size and layout as `Double`), for the generic comparison
/// loops: a buffer of `Double` is read as a buffer of `OrderedDouble`.
public struct OrderedDouble: Comparable, Sendable {
    public var value: Double
    @inline(__always) public init(_ value: Double) { self.value = value }
    @inline(__always) public static func == (a: OrderedDouble, b: OrderedDouble) -> Bool {
        DoubleOrder.equal(a.value, b.value)
    }
    @inline(__always) public static func < (a: OrderedDouble, b: OrderedDouble) -> Bool {
        DoubleOrder.less(a.value, b.value)
    }
}
