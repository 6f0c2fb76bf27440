#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// How values map onto an axis: evenly (linear) or by order of magnitude (log, base 10).
public enum ScaleKind: String, Sendable, CaseIterable {
    case linear
    case log
}

/// One axis's domain and tick marks, and the mapping from values to pixels.
///
/// `lower...upper` is the domain drawn (it holds every value and starts and ends on a tick);
/// `ticks` are labelled (text in `labels`, same order), `minorTicks` get a faint grid line only.
public struct AxisScale: Sendable, Equatable {
    public var kind: ScaleKind
    public var lower: Double
    public var upper: Double
    public var ticks: [Double]
    public var labels: [String]
    public var minorTicks: [Double]

    /// The pixel of `v` when `lower` sits at pixel `a` and `upper` at pixel `b` (either may be the
    /// larger: y axes run upwards). Values outside the domain map outside `a...b`; on a log scale
    /// `v` must be > 0.
    public func position(_ v: Double, from a: Double, to b: Double) -> Double {
        let t: Double
        switch kind {
        case .linear: t = upper == lower ? 0.5 : (v - lower) / (upper - lower)
        case .log: t = upper == lower ? 0.5 : (log10(v) - log10(lower)) / (log10(upper) - log10(lower))
        }
        return a + t * (b - a)
    }

    /// True when `v` can be drawn on this scale (finite, and > 0 on a log scale).
    public func canShow(_ v: Double) -> Bool { v.isFinite && (kind == .linear || v > 0) }
}

/// Tick marks at "nice" numbers, after Heckbert, "Nice numbers for graph labels" (Graphics Gems,
/// 1990): steps of 1, 2 or 5 times a power of ten; log axes tick at powers of ten.
public enum AxisTicks {
    /// A nice number near `x` > 0: the least of 1, 2, 5, 10 (times a power of ten) that is >= x
    /// (`round` false), or the nearest of them (`round` true, thresholds 1.5, 3 and 7).
    public static func niceNumber(_ x: Double, round: Bool) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        let exponent = NumberFormat.magnitudeExponent(x)
        let power = pow10(exponent)
        let fraction = x / power
        let nice: Double
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * power
    }

    /// Linear ticks covering `min...max` with about `count` ticks (at least 2). With `includeZero`
    /// the domain is stretched to hold 0 (bars grow from 0). The domain ends on ticks, or with
    /// `tight` exactly at `min` and `max` with the ticks inside (an x axis of hours 0...23). An empty
    /// range (min == max) is widened to a unit around the value (or 0...1 for 0); non-finite inputs
    /// give the 0...1 axis.
    public static func linear(
        min lo: Double, max hi: Double, count: Int = 6, includeZero: Bool = true, tight: Bool = false
    ) -> AxisScale {
        var a = Swift.min(lo, hi)
        var b = Swift.max(lo, hi)
        if !a.isFinite || !b.isFinite {
            a = 0
            b = 1
        }
        if includeZero {
            a = Swift.min(a, 0)
            b = Swift.max(b, 0)
        }
        if a == b {
            if a == 0 {
                b = 1
            } else {
                let w = niceNumber(abs(a), round: false) / 10
                a -= w
                b += w
            }
        }
        let step = niceNumber(niceNumber(b - a, round: false) / Double(Swift.max(count - 1, 1)), round: true)
        let first = (a / step).rounded(tight ? .up : .down)
        let last = (b / step).rounded(tight ? .down : .up)
        var ticks: [Double] = []
        var k = first
        while k <= last {
            ticks.append(k * step)
            k += 1
        }
        let lower = tight ? a : ticks.first ?? a
        let upper = tight ? b : ticks.last ?? b
        return AxisScale(
            kind: .linear, lower: lower, upper: upper, ticks: ticks,
            labels: NumberFormat.tickLabels(ticks, step: step), minorTicks: [])
    }

    /// Log ticks (base 10) covering `min...max`, both > 0: the domain runs from the power of ten at
    /// or below `min` to the one at or above `max` (one decade at least). Every power of ten is a
    /// tick (every k-th one when there are more than 8 decades); with at most 2 decades 2x and 5x
    /// are labelled too; 2x..9x are minor ticks when there are at most 6 decades.
    /// - Precondition: callers drop values <= 0 first (`AxisScale.canShow`); a bad range gives 1...10.
    public static func log(min lo: Double, max hi: Double) -> AxisScale {
        guard lo > 0, hi > 0, lo.isFinite, hi.isFinite else { return log(min: 1, max: 10) }
        let e0 = NumberFormat.magnitudeExponent(Swift.min(lo, hi))
        var e1 = NumberFormat.magnitudeExponent(Swift.max(lo, hi))
        if pow10(e1) < Swift.max(lo, hi) || e1 == e0 { e1 += 1 }
        let decades = e1 - e0
        let every = (decades + 7) / 8
        var ticks: [Double] = []
        var minor: [Double] = []
        for e in e0...e1 {
            let p = pow10(e)
            if (e - e0) % every == 0 { ticks.append(p) } else { minor.append(p) }
            guard e < e1 else { break }
            if decades <= 2 {
                ticks.append(2 * p)
                ticks.append(5 * p)
            }
            if decades <= 6 {
                for m in 2...9 where decades > 2 || (m != 2 && m != 5) { minor.append(Double(m) * p) }
            }
        }
        ticks.sort()
        return AxisScale(
            kind: .log, lower: pow10(e0), upper: pow10(e1), ticks: ticks,
            labels: ticks.map(NumberFormat.compact), minorTicks: minor)
    }

    /// The scale of `kind` for values in `min...max` (log: the caller passes only values > 0).
    public static func scale(
        _ kind: ScaleKind, min lo: Double, max hi: Double, count: Int = 6, includeZero: Bool = true, tight: Bool = false
    ) -> AxisScale {
        kind == .log
            ? log(min: lo, max: hi) : linear(min: lo, max: hi, count: count, includeZero: includeZero, tight: tight)
    }

    /// 10^e, exact for the integer powers a Double holds exactly (e >= 0 up to 22).
    static func pow10(_ e: Int) -> Double {
        var p = 1.0
        if e >= 0 {
            for _ in 0..<e { p *= 10 }
        } else {
            for _ in 0..<(-e) { p /= 10 }
        }
        return p
    }
}
