import KuaiCore
import Testing

@testable import KuaiPlan

/// HourOfEpochMsFusion: hour(epoch_ms(ms)) is one kernel; `+ constant` joins it; other forms keep the
/// plain fused kernel over the computed milliseconds.
@Suite("Optimizer rule: HourOfEpochMsFusion")
struct HourOfEpochMsFusionTests {
    @Test func fusesHourOfEpochMsAndAConstantShift() throws {
        let plan = try PlanFixture.before(
            "HourOfEpochMsFusion", "SELECT hour(epoch_ms(ms + 8 * 3600000)) AS h, hour(epoch_ms(ms)) FROM t")
        #expect(
            plan.lines() == [
                "Project [hour(epoch_ms((ms#4 + 28800000))) AS h, hour(epoch_ms(ms#4))]",
                "  Scan t columns=[id, name, price, d, ms]",
            ])
        #expect(
            HourOfEpochMsFusion().apply(plan).lines() == [
                "Project [hour_of_epoch_ms_plus(ms#4, 28800000) AS h, hour_of_epoch_ms(ms#4)]",
                "  Scan t columns=[id, name, price, d, ms]",
            ])
    }

    @Test func shiftsThatAreNotConstantAdditionsStayInsideTheKernelArgument() throws {
        let plan = try PlanFixture.before(
            "HourOfEpochMsFusion",
            "SELECT hour(epoch_ms(ms + id)) AS a, hour(epoch_ms(ms - 5)) AS b, hour(epoch_ms(id::INTEGER + 1)) AS c FROM t"
        )
        #expect(
            HourOfEpochMsFusion().apply(plan).lines() == [
                "Project [hour_of_epoch_ms((ms#4 + id#0)) AS a, hour_of_epoch_ms((ms#4 - 5)) AS b, hour_of_epoch_ms(CAST((CAST(id#0 AS INTEGER) + 1) AS BIGINT)) AS c]",
                "  Scan t columns=[id, name, price, d, ms]",
            ])
    }

    @Test func leavesHourOfATimestampAlone() throws {
        let plan = try PlanFixture.before("HourOfEpochMsFusion", "SELECT hour(d::TIMESTAMP) AS h FROM t")
        #expect(HourOfEpochMsFusion().apply(plan).lines() == plan.lines())
    }
}
