#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// The colours of every chart: categorical series colours and a sequential colour scale, both safe
/// for the common colour-vision deficiencies.
///
/// - Series: Okabe & Ito, "Color Universal Design" (2008), eight colours distinguishable with
///   protanopia, deuteranopia and tritanopia; ordered so that the first colours have the most
///   contrast on white (yellow, the palest, comes last but one).
/// - Sequential: viridis (van der Walt & Smith, matplotlib 2.0's default map), perceptually uniform
///   and readable in grey; 9 anchor colours, linearly interpolated in sRGB.
public enum Palette {
    /// Okabe-Ito: blue, orange, bluish green, vermillion, sky blue, reddish purple, yellow, black.
    public static let series: [String] = [
        "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000",
    ]

    /// Most series one chart may draw: one distinct colour each.
    public static var maxSeries: Int { series.count }

    /// Colour of series `i` (0-based); wraps after `maxSeries` (charts refuse more series first).
    public static func seriesColor(_ i: Int) -> String { series[((i % series.count) + series.count) % series.count] }

    /// Stroke dash pattern of line series `i`, so lines differ in shape as well as colour
    /// ("" = solid).
    public static func dashPattern(_ i: Int) -> String {
        let patterns = ["", "6 3", "2 3", "8 3 2 3", "12 4", "4 2 1 2", "1 2", "10 2 2 2"]
        return patterns[((i % patterns.count) + patterns.count) % patterns.count]
    }

    /// viridis at 0, 1/8, ..., 1 (matplotlib's map sampled at 9 points: #440154 ... #FDE725).
    static let viridis: [(Double, Double, Double)] = [
        (68, 1, 84), (71, 45, 123), (59, 82, 139), (44, 114, 142), (33, 145, 140),
        (40, 174, 128), (94, 201, 98), (173, 220, 48), (253, 231, 37),
    ]

    /// The sequential colour of `t` in 0...1 (clamped; NaN gives 0) as `#RRGGBB`, dark purple (0)
    /// through teal to yellow (1).
    public static func sequential(_ t: Double) -> String {
        let (r, g, b) = sequentialRGB(t)
        return hex(r, g, b)
    }

    /// The components (0...255) of `sequential(t)`.
    public static func sequentialRGB(_ t: Double) -> (Int, Int, Int) {
        let x = t.isNaN ? 0 : Swift.min(Swift.max(t, 0), 1)
        let scaled = x * Double(viridis.count - 1)
        let i = Swift.min(Int(scaled), viridis.count - 2)
        let f = scaled - Double(i)
        let (a, b) = (viridis[i], viridis[i + 1])
        func mix(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * f).rounded()) }
        return (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// Black or white, whichever reads better on the background `sequential(t)` (WCAG relative
    /// luminance above 0.4 takes black).
    public static func textColor(onSequential t: Double) -> String {
        let (r, g, b) = sequentialRGB(t)
        func linear(_ c: Int) -> Double {
            let s = Double(c) / 255
            return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
        }
        let luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
        return luminance > 0.4 ? "#000000" : "#FFFFFF"
    }

    static func hex(_ r: Int, _ g: Int, _ b: Int) -> String {
        let digits = Array("0123456789ABCDEF")
        var s = "#"
        for c in [r, g, b] {
            s.append(digits[(c >> 4) & 15])
            s.append(digits[c & 15])
        }
        return s
    }
}
