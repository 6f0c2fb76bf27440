import Testing

@testable import KuaiExec

/// The memory-limit error counts in binary units (1 MiB = 1,048,576 bytes), as DuckDB's
/// "Out of Memory Error: ... (1.8 GiB/1.8 GiB used)" does.
struct MemoryGuardTests {
    @Test func binaryUnitsUseKiBMiBGiB() {
        #expect(MemoryGuard.binaryUnits(512) == "512 bytes")
        #expect(MemoryGuard.binaryUnits(1536) == "1.5 KiB")
        #expect(MemoryGuard.binaryUnits(48_000_000) == "45.8 MiB")
        #expect(MemoryGuard.binaryUnits(2_000_000_000) == "1.9 GiB")
        #expect(MemoryGuard.binaryUnits(1 << 30) == "1.0 GiB")
    }
}
