import Testing

@testable import KuaiChart

@Suite struct PaletteTests {
    @Test func seriesColoursAreOkabeIto() {
        // Okabe & Ito (2008): the eight colours of the colour-universal-design palette.
        let okabeIto: Set = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
        #expect(Set(Palette.series) == okabeIto)
        #expect(Palette.series.count == 8)
        #expect(Palette.seriesColor(0) == "#0072B2")
        #expect(Palette.seriesColor(8) == Palette.seriesColor(0))
        #expect(Set((0..<8).map(Palette.dashPattern)).count == 8)
    }

    @Test func sequentialRunsFromViridisStartToEnd() {
        #expect(Palette.sequential(0) == "#440154")
        #expect(Palette.sequential(1) == "#FDE725")
        #expect(Palette.sequential(0.5) == "#21918C")
        #expect(Palette.sequential(-3) == "#440154")
        #expect(Palette.sequential(7) == "#FDE725")
        #expect(Palette.sequential(.nan) == "#440154")
    }

    @Test func sequentialGetsLighterMonotonically() {
        var last = -1.0
        for i in 0...100 {
            let (r, g, b) = Palette.sequentialRGB(Double(i) / 100)
            let lightness = 0.2126 * Double(r) + 0.7152 * Double(g) + 0.0722 * Double(b)
            #expect(lightness >= last, "at \(i)")
            last = lightness
        }
    }

    @Test func cellTextIsWhiteOnDarkAndBlackOnLight() {
        #expect(Palette.textColor(onSequential: 0) == "#FFFFFF")
        #expect(Palette.textColor(onSequential: 1) == "#000000")
    }
}
