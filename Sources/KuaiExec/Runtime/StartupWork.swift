import Dispatch
import KuaiCore

#if canImport(Glibc)
    import Glibc
#endif

/// One-time work of a process that its first query would otherwise do on its critical path,
/// started on a second thread as the process starts (`begin`), while the main thread reads its
/// command line and opens the store:
///
/// - the worker thread itself, which the first parallel operator would otherwise wait for
///   (`DispatchQueue.concurrentPerform` starts its threads on first use), and its malloc arena;
/// - the default memory limit (`AvailableMemory.processDefaultLimitBytes`: control-group files);
/// - the function registries, built on first use (some 0.15 ms: hundreds of overloads);
/// - the Swift runtime's first look-ups of the generic types every query uses (`Set<String>`,
///   `Set<Int>`, `[String: Int]`, `joined(separator:)`): each first look-up scans every protocol
///   conformance record of the binary, some 0.05 ms.
///
/// Everything it touches is built once per process behind the runtime's own once-locks, so a main
/// thread that gets there first builds it itself, and one that arrives while it is being built
/// waits for it. `extra` adds work of higher layers (the binder's tables).
public enum StartupWork {
    /// Starts the work on a global-queue thread and returns at once.
    public static func begin(extra: @escaping @Sendable () -> Void = {}) {
        DispatchQueue.global().async {
            _ = AvailableMemory.processDefaultLimitBytes()
            _ = FunctionRegistry.table.count
            _ = FunctionRegistry.operatorNames.contains("")
            _ = AggregateRegistry.families.count
            _ = AggregateRegistry.twoColumnAggregates.contains("")
            var ints = Set<Int>()
            ints.insert(0)
            var names: [String: Int] = [:]
            names["a"] = ints.count
            _ = ["a", "b"].joined(separator: ",")
            extra()
        }
    }
}

extension AvailableMemory {
    private static let processLimitLock = Mutex()
    nonisolated(unsafe) private static var processLimit: Int? = nil

    /// `defaultLimitBytes()` read once per process: the reading of whichever thread got there
    /// first (the start-up thread of `StartupWork.begin`, or the caller). A caller that finds no
    /// reading yet reads the files itself rather than wait for the other thread's reading, which
    /// gives the same number.
    public static func processDefaultLimitBytes() -> Int {
        if let v = processLimitLock.withLock({ processLimit }) { return v }
        let v = defaultLimitBytes()
        return processLimitLock.withLock {
            if processLimit == nil { processLimit = v }
            return processLimit!
        }
    }
}
