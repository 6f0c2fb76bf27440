import Foundation
import KuaiTestSupport
import Testing

@testable import KuaiExec

/// The default memory limit reads the control group's limit (v1 and v2) as DuckDB 2.0.1 does
/// (issue 13: in a 1.5 GiB cgroup kuai took 80% of the machine's memory and was killed by the
/// kernel). Each case builds a fake /proc and /sys tree under a temporary root.
struct AvailableMemoryTests {
    /// Writes `files` (path -> text) under a new temporary root and returns the root.
    private func tree(_ files: [String: String]) throws -> TempDir {
        let dir = TempDir()
        for (path, text) in files {
            let full = dir.path + path
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        }
        return dir
    }

    private static let gib15 = 1_610_612_736  // 1.5 GiB

    @Test func cgroupV2LimitOfTheProcessGroup() throws {
        let dir = try tree([
            "/proc/self/cgroup": "0::/user.slice/probe.scope\n",
            "/sys/fs/cgroup/cgroup.controllers": "cpu memory pids\n",
            "/sys/fs/cgroup/user.slice/probe.scope/memory.max": "\(Self.gib15)\n",
        ])
        defer { dir.cleanup() }
        #expect(AvailableMemory.cgroupLimit(root: dir.path) == Self.gib15)
        #expect(AvailableMemory.bytes(root: dir.path) == Self.gib15)
        #expect(AvailableMemory.defaultLimitBytes(root: dir.path) == Int(Double(Self.gib15) * 0.8))
    }

    @Test func cgroupV2InAContainerAndWithoutALimit() throws {
        // A container's own namespace: "0::/" and the limit at the mount's top.
        let inContainer = try tree([
            "/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/cgroup.controllers": "memory\n",
            "/sys/fs/cgroup/memory.max": "1073741824\n",
        ])
        defer { inContainer.cleanup() }
        #expect(AvailableMemory.cgroupLimit(root: inContainer.path) == 1 << 30)
        let unlimited = try tree([
            "/proc/self/cgroup": "0::/a\n", "/sys/fs/cgroup/cgroup.controllers": "memory\n",
            "/sys/fs/cgroup/a/memory.max": "max\n",
        ])
        defer { unlimited.cleanup() }
        #expect(AvailableMemory.cgroupLimit(root: unlimited.path) == nil)
        let physical = AvailableMemory.bytes(root: "/nonexistent-root")
        #expect(physical > 0)
        #expect(AvailableMemory.bytes(root: unlimited.path) == physical)
    }

    @Test func cgroupV1MemoryController() throws {
        let dir = try tree([
            "/proc/self/cgroup": "12:pids:/docker/abc\n5:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n0::/\n",
            "/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "\(Self.gib15)\n",
        ])
        defer { dir.cleanup() }
        #expect(AvailableMemory.cgroupLimit(root: dir.path) == Self.gib15)
        // The host's path is not mounted inside the container: the top of the mount holds its group.
        let hostPath = try tree([
            "/proc/self/cgroup": "4:memory,hugetlb:/docker/abc\n",
            "/sys/fs/cgroup/memory/memory.limit_in_bytes": "536870912\n",
        ])
        defer { hostPath.cleanup() }
        #expect(AvailableMemory.cgroupLimit(root: hostPath.path) == 512 << 20)
        // v1 writes "no limit" as a huge number: physical memory wins.
        let huge = try tree([
            "/proc/self/cgroup": "4:memory:/\n",
            "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n",
        ])
        defer { huge.cleanup() }
        #expect(AvailableMemory.bytes(root: huge.path) == AvailableMemory.bytes(root: "/nonexistent-root"))
    }

    /// The process-wide reading is the same number, whichever thread reads it first: the start-up
    /// thread and this one both ask, in either order.
    @Test func processReadingEqualsAFreshReading() async {
        StartupWork.begin()
        let first = AvailableMemory.processDefaultLimitBytes()
        #expect(first == AvailableMemory.defaultLimitBytes())
        #expect(AvailableMemory.processDefaultLimitBytes() == first)
    }
}
