import KuaiCore
import Testing

@testable import KuaiExec

@Suite struct CastToVarcharTests {
    /// Integers become their decimal text: inline views built in registers up to 12 bytes (11 digits,
    /// or 10 digits and a sign), the general writer past that; NULL stays NULL. Every width meets the
    /// boundaries on both sides.
    @Test func integerTextAtEveryLength() {
        var values: [Int64] = [0, -1, 7, Int64.min, Int64.max]
        var p: Int64 = 1
        for _ in 0..<18 {
            p *= 10
            values += [p - 1, p, -(p - 1), -p]
        }
        let column = Column(
            type: .bigint, ints: values + [0], validity: [UInt8](repeating: 1, count: values.count) + [0])
        let text = Kernels.castToVarcharFlat(column, from: .bigint)
        for (i, v) in values.enumerated() {
            #expect(text.value(at: i) == .string(String(v)), "\(v)")
            #expect(text.views[i].isInline == (String(v).utf8.count <= 12))
        }
        #expect(text.value(at: values.count) == .null)
    }
}
