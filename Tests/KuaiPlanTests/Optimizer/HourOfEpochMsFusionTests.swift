import KuaiCore
import Testing

@testable import KuaiPlan

/// HourOfEpochMsFusion: hour(epoch_ms(ms)) is one kernel; `+ constant` joins it; other forms keep the
/// plain fused kernel over the computed milliseconds.
@Suite("Optimizer rule: HourOfEpochMsFusion")
struct HourOfEpochMsFusionTests {
    static let cases: [RewriteCase] = [
        RewriteCase(
            "fuses hour(epoch_ms) and a constant shift",
            sql: "SELECT hour(epoch_ms(ms + 8 * 3600000)) AS h, hour(epoch_ms(ms)) FROM t",
            before: [
                "Project [hour(epoch_ms((ms#4 + 28800000))) AS h, hour(epoch_ms(ms#4))]",
                "  Scan t columns=[id, name, price, d, ms]",
            ],
            after: [
                "Project [hour_of_epoch_ms_plus(ms#4, 28800000) AS h, hour_of_epoch_ms(ms#4)]",
                "  Scan t columns=[id, name, price, d, ms]",
            ]),
        RewriteCase(
            "shifts that are not constant additions stay inside the kernel argument",
            sql:
                "SELECT hour(epoch_ms(ms + id)) AS a, hour(epoch_ms(ms - 5)) AS b, hour(epoch_ms(id::INTEGER + 1)) AS c FROM t",
            after: [
                "Project [hour_of_epoch_ms((ms#4 + id#0)) AS a, hour_of_epoch_ms((ms#4 - 5)) AS b, hour_of_epoch_ms(CAST((CAST(id#0 AS INTEGER) + 1) AS BIGINT)) AS c]",
                "  Scan t columns=[id, name, price, d, ms]",
            ]),
        RewriteCase("hour of a timestamp is left alone", sql: "SELECT hour(d::TIMESTAMP) AS h FROM t", after: nil),
    ]

    @Test(arguments: cases) func rewrite(_ c: RewriteCase) throws { try c.check(HourOfEpochMsFusion()) }
}
