import Dispatch
import KuaiCore

#if canImport(Glibc)
    import Glibc
#endif

/// One-time work of a process that its first query would otherwise do on its critical path,
/// begun as the process starts (`begin`), while the main thread reads its command line and opens
/// the store:
///
/// - the global queue's first worker thread and its malloc arena, which the first parallel
///   operator would otherwise wait for (`DispatchQueue.concurrentPerform` starts its threads on
///   first use);
/// - on a thread of its own, at nice 10 (`warmUpNice`), which ends when done:
///   - the default memory limit (`AvailableMemory.processDefaultLimitBytes`: control-group files);
///   - the function registries, built on first use (some 0.15 ms: hundreds of overloads);
///   - the Swift runtime's first look-ups of the generic types every query uses (`Set<Int>`,
///     `[String: Int]`, `joined(separator:)`): each first look-up scans every protocol conformance
///     record of the binary, some 0.05 ms;
///   - `extra`, the work of higher layers (the parser's and binder's tables).
///
/// Everything the second thread builds is built once per process behind the runtime's
/// once-locks: a main thread that gets there first builds it itself, one that arrives while it is
/// being built waits for it. The nice value keeps the main thread ahead when both share a core
/// (a virtual machine whose other core is taken), yet leaves the warm-up a tenth of a contended
/// core, so that a main thread waiting on one of its once-locks waits milliseconds at most.
public enum StartupWork {
    /// The nice value of the warm-up thread (`setpriority`; 0 is the process's own).
    static let warmUpNice: Int32 = 10

    /// Starts the work and returns at once.
    public static func begin(extra: @escaping @Sendable () -> Void = {}) {
        DispatchQueue.global().async { free(malloc(16)) }
        let box = Unmanaged.passRetained(WarmUp(extra)).toOpaque()
        var thread = pthread_t()
        let made = pthread_create(
            &thread, nil,
            { arg in
                let work = Unmanaged<WarmUp>.fromOpaque(arg!).takeRetainedValue()
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, StartupWork.warmUpNice)
                work.run()
                return nil
            }, box)
        if made == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<WarmUp>.fromOpaque(box).release()  // no thread: the first query does the work
        }
    }

    /// The warm-up thread's work.
    final class WarmUp {
        let extra: @Sendable () -> Void
        init(_ extra: @escaping @Sendable () -> Void) { self.extra = extra }

        func run() {
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
