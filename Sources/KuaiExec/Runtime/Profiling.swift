import Dispatch
import KuaiCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What EXPLAIN ANALYZE measures of one operator: rows out, its own time and the peak memory while
/// it ran. Operators are not changed: the planner wraps each one (`ProfiledOperator`,
/// `ProfiledSource`), so a query that is not profiled pays nothing.
///
/// - time: nanoseconds spent in the operator's own code, summed over threads (as DuckDB's profiler
///   counts operator time): each thread keeps a stack of the profiled calls it is inside, and the
///   time between two clock readings goes to the call on top, so a parent's time excludes its
///   children's; the work a sink does on worker threads for each morsel of its input (a hash
///   aggregate's updates) goes to the sink (`MorselScheduler` marks it).
/// - peak memory: the largest resident set size of the process seen at the end of the operator's
///   batches, above the size when the query started (operators do not count their own bytes).
public final class ProfileNode: @unchecked Sendable {
    /// The operator's EXPLAIN line.
    public let line: String
    /// The operators that feed it, in planning order.
    public let children: [ProfileNode]
    private let rowCount = Atomic<Int>(0)
    private let nanos = Atomic<Int>(0)
    private let peak = Atomic<Int>(0)

    public init(line: String, children: [ProfileNode]) {
        self.line = line
        self.children = children
    }

    public var rows: Int { rowCount.load(ordering: .relaxed) }
    public var timeNanoseconds: Int { nanos.load(ordering: .relaxed) }
    /// Bytes above the resident size at the start of the query.
    public var peakBytes: Int { peak.load(ordering: .relaxed) }

    func addRows(_ n: Int) { rowCount.add(n, ordering: .relaxed) }
    func addTime(_ ns: Int) { nanos.add(ns, ordering: .relaxed) }
    func notePeak(_ bytes: Int) {
        var current = peak.load(ordering: .relaxed)
        while bytes > current {
            let (exchanged, original) = peak.compareExchange(
                expected: current, desired: bytes, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}

/// The per-thread stack of profiled calls and the clock that charges time to the top one.
public enum ProfileClock {
    final class ThreadState {
        var stack: [ProfileNode] = []
        var last = 0
    }

    nonisolated(unsafe) static var key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { p in if let p { Unmanaged<ThreadState>.fromOpaque(p).release() } }
        return k
    }()

    /// The resident size when profiling started (peaks are counted above it).
    nonisolated(unsafe) public static var baseline = 0

    static func state() -> ThreadState {
        if let p = pthread_getspecific(key) { return Unmanaged<ThreadState>.fromOpaque(p).takeUnretainedValue() }
        let s = ThreadState()
        pthread_setspecific(key, Unmanaged.passRetained(s).toOpaque())
        return s
    }

    /// Monotonic nanoseconds.
    @inline(__always)
    public static func now() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1_000_000_000 + ts.tv_nsec
    }

    /// Enters a call of `node` on this thread (the time so far goes to the enclosing call).
    public static func enter(_ node: ProfileNode) {
        let s = state()
        let t = now()
        if let top = s.stack.last { top.addTime(t - s.last) }
        s.stack.append(node)
        s.last = t
    }

    /// Leaves the current call: its time since the last reading goes to it.
    public static func exit() {
        let s = state()
        let t = now()
        if let top = s.stack.popLast() {
            top.addTime(t - s.last)
            top.notePeak(MemoryGuard.residentBytes() - baseline)
        }
        s.last = t
    }
}

/// A pull operator measured for EXPLAIN ANALYZE (rows, time, memory); otherwise the operator itself.
public final class ProfiledOperator: PhysicalOperator {
    public let inner: PhysicalOperator
    public let node: ProfileNode

    public init(_ inner: PhysicalOperator, node: ProfileNode) {
        self.inner = inner
        self.node = node
    }

    public var schema: Schema { inner.schema }
    public func next() throws -> Batch? {
        ProfileClock.enter(node)
        defer { ProfileClock.exit() }
        let b = try inner.next()
        if let b { node.addRows(b.count) }
        return b
    }
    public var explainLine: String { inner.explainLine }
    public var children: [PhysicalOperator] { inner.children }
}

/// A morsel source measured for EXPLAIN ANALYZE. `consumer` is the node of the operator that
/// drains it (`MorselScheduler` charges that operator's per-morsel work to it).
public final class ProfiledSource: MorselSource, @unchecked Sendable {
    public let inner: MorselSource
    public let node: ProfileNode
    public var consumer: ProfileNode?

    public init(_ inner: MorselSource, node: ProfileNode) {
        self.inner = inner
        self.node = node
    }

    public var schema: Schema { inner.schema }
    public var morselCount: Int { inner.morselCount }
    public var rowBound: Int? { inner.rowBound }
    public func prepare() throws { try inner.prepare() }
    public func morsel(_ i: Int) throws -> Batch? {
        ProfileClock.enter(node)
        defer { ProfileClock.exit() }
        let b = try inner.morsel(i)
        if let b { node.addRows(b.count) }
        return b
    }
    public func morsel(_ i: Int, pieces body: (Batch) throws -> Void) throws {
        ProfileClock.enter(node)
        defer { ProfileClock.exit() }
        try inner.morsel(i) { b in
            node.addRows(b.count)
            ProfileClock.exit()
            defer { ProfileClock.enter(node) }
            try body(b)
        }
    }
    public var explainLine: String { inner.explainLine }
    public var explainChildren: [String] { inner.explainChildren }
}
