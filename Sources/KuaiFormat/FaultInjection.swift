import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A test hook on the steps of the commit protocols (Formats/column-file.md, "Generations and commits";
/// issue 13, "Writes"): every file write, fsync, folder creation, rename and removal of a writer calls
/// `FaultInjection.step(_:)`. With `$KUAI_FAULT_STEP` = N (N >= 1) in the environment, the N-th step the
/// process reaches ends it at once with `_exit(FaultInjection.exitStatus)` (no cleanup, no atexit: what a
/// kill leaves), after printing `fault injection: stopped at step N (WHAT)` to stderr. Unset or 0: off (one
/// load of a constant per step). A test runs a writing statement for N = 1, 2, ... until it exits by itself,
/// and checks the store after each stop.
public enum FaultInjection {
    /// The exit status of a process stopped by the hook.
    public static let exitStatus: Int32 = 86

    /// The step to stop at (`$KUAI_FAULT_STEP`), 0 when off.
    static let stopAt: Int = {
        guard let v = getenv("KUAI_FAULT_STEP") else { return 0 }
        return Int(String(cString: v)) ?? 0
    }()

    private static let counter = StepCounter()

    /// Counts one step of a commit protocol, `what` naming it (`"manifest fsync"`); stops the process when
    /// it is the step `$KUAI_FAULT_STEP` names.
    @inline(__always)
    static func step(_ what: StaticString) {
        if stopAt > 0 { counter.advance(what, stopAt: stopAt) }
    }

    /// The step count under a lock: column files are finished by several threads at once.
    private final class StepCounter: @unchecked Sendable {
        private let mutex = Mutex()
        private var count = 0

        func advance(_ what: StaticString, stopAt: Int) {
            let n = mutex.withLock { () -> Int in
                count += 1
                return count
            }
            guard n == stopAt else { return }
            let line = "fault injection: stopped at step \(n) (\(what))\n"
            _ = line.withCString { write(2, $0, strlen($0)) }
            _exit(FaultInjection.exitStatus)
        }
    }
}
