import Dispatch
import KuaiCore

/// Runs the morsels of a source on several threads (`DispatchQueue.concurrentPerform`), handing
/// out morsel indexes one at a time; `body(worker, batch)` gets each non-empty batch with the
/// index (0..<threads) of the worker running it, so per-worker state needs no lock.
/// The first error stops the remaining work and is rethrown.
public enum MorselScheduler {
    public static func run(
        _ source: MorselSource, threads: Int,
        _ body: (_ worker: Int, _ morsel: Int, _ batch: Batch) throws -> Void
    ) throws {
        let total = source.morselCount
        if total == 0 { return }
        let workers = max(1, min(threads, total))
        if workers == 1 {
            for i in 0..<total {
                try MemoryGuard.check()
                if let b = try source.morsel(i), b.count > 0 { try body(0, i, b) }
            }
            return
        }
        let shared = SchedulerState(total: total)
        try withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                while let i = shared.take() {
                    do {
                        try MemoryGuard.check()
                        if let b = try source.morsel(i), b.count > 0 { try box.value(worker, i, b) }
                    } catch {
                        shared.fail(error)
                        return
                    }
                }
            }
            if let failure = shared.failure { throw failure }
        }
    }

    /// Worker threads to use when the caller asks for `requested` (0 = every active processor).
    public static func threadCount(_ requested: Int) -> Int {
        if requested > 0 { return requested }
        return max(1, activeProcessorCount())
    }
}

#if canImport(Glibc)
    import Glibc
    func activeProcessorCount() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
#elseif canImport(Darwin)
    import Darwin
    func activeProcessorCount() -> Int { Int(sysconf(_SC_NPROCESSORS_ONLN)) }
#else
    func activeProcessorCount() -> Int { 1 }
#endif

/// Shared counter and first error of one parallel run.
final class SchedulerState: @unchecked Sendable {
    private let lock = Mutex()
    private var nextIndex = 0
    private let total: Int
    private(set) var failure: Error?
    init(total: Int) { self.total = total }
    func take() -> Int? {
        lock.withLock {
            if failure != nil || nextIndex >= total { return nil }
            nextIndex += 1
            return nextIndex - 1
        }
    }
    func fail(_ e: Error) { lock.withLock { if failure == nil { failure = e } } }
}

/// Moves a non-Sendable value into concurrently executing code whose safety the caller ensures.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A pull operator over a morsel source: evaluates morsels `threads` at a time in parallel and
/// returns their batches in morsel order (so a scan's row order is the table's order).
public final class MorselDriver: PhysicalOperator {
    public let source: MorselSource
    public let threads: Int
    private var nextMorsel = 0
    private var ready: [Batch] = []
    private var readyIndex = 0

    public init(source: MorselSource, threads: Int) {
        self.source = source
        self.threads = max(1, threads)
    }

    public var schema: Schema { source.schema }

    public func next() throws -> Batch? {
        while true {
            if readyIndex < ready.count {
                let b = ready[readyIndex]
                readyIndex += 1
                return b
            }
            let total = source.morselCount
            if nextMorsel >= total { return nil }
            try MemoryGuard.check()
            // The next wave: 2 morsels per thread, run in parallel, kept in order.
            let wave = min(total - nextMorsel, threads == 1 ? 1 : threads * 2)
            let first = nextMorsel
            nextMorsel += wave
            ready = []
            readyIndex = 0
            if wave == 1 || threads == 1 {
                for i in first..<(first + wave) {
                    if let b = try source.morsel(i), b.count > 0 { ready.append(b) }
                }
                continue
            }
            let slots = SlotArray(count: wave)
            let view = WaveSource(source: source, first: first, count: wave)
            try MorselScheduler.run(view, threads: threads) { _, i, b in slots.set(i, b) }
            ready = slots.batches()
        }
    }

    public var explainLine: String { source.explainLine }
    public var children: [PhysicalOperator] { [] }
}

/// Morsels `first ..< first+count` of another source, renumbered from 0.
final class WaveSource: MorselSource, @unchecked Sendable {
    let source: MorselSource
    let first: Int
    let count: Int
    init(source: MorselSource, first: Int, count: Int) {
        self.source = source
        self.first = first
        self.count = count
    }
    var schema: Schema { source.schema }
    var morselCount: Int { count }
    func morsel(_ i: Int) throws -> Batch? { try source.morsel(first + i) }
    var explainLine: String { source.explainLine }
    var explainChildren: [String] { source.explainChildren }
}

/// Fixed slots written by worker threads (each slot by one thread).
final class SlotArray: @unchecked Sendable {
    private var slots: [Batch?]
    private let lock = Mutex()
    init(count: Int) { slots = [Batch?](repeating: nil, count: count) }
    func set(_ i: Int, _ b: Batch) { lock.withLock { slots[i] = b } }
    func batches() -> [Batch] { slots.compactMap { $0 } }
}

/// A morsel source over already computed batches (one morsel per batch).
public final class BatchListSource: MorselSource, @unchecked Sendable {
    public let schema: Schema
    public let batches: [Batch]
    public let label: String
    public init(schema: Schema, batches: [Batch], label: String = "Batches") {
        self.schema = schema
        self.batches = batches
        self.label = label
    }
    public var morselCount: Int { batches.count }
    public func morsel(_ i: Int) throws -> Batch? { batches[i] }
    public var explainLine: String { label }
    public var explainChildren: [String] { [] }
}

/// A hash-join probe over morsels whose build side is materialised on first use (so planning
/// and EXPLAIN do not run the build input). Thread-safe: the first morsel request builds.
public final class LazyJoinProbeSource: MorselSource, @unchecked Sendable {
    public let probe: MorselSource
    public let build: PhysicalOperator
    public let type: JoinType
    public let probeKeys: [Int]
    public let buildKeys: [Int]
    public let residual: ((Batch) throws -> Column)?
    public let schema: Schema
    private let lock = Mutex()
    private var inner: HashJoinProbeSource?
    private var failure: Error?

    /// - Parameters: as `HashJoinProbeSource`, with the build input as an operator and its key columns.
    public init(
        probe: MorselSource, build: PhysicalOperator, type: JoinType, probeKeys: [Int], buildKeys: [Int],
        residual: ((Batch) throws -> Column)?
    ) {
        self.probe = probe
        self.build = build
        self.type = type
        self.probeKeys = probeKeys
        self.buildKeys = buildKeys
        self.residual = residual
        self.schema = (type == .semi || type == .anti) ? probe.schema : probe.schema + build.schema
    }

    public var morselCount: Int { probe.morselCount }

    func source() throws -> HashJoinProbeSource {
        try lock.withLock {
            if let inner { return inner }
            if let failure { throw failure }
            do {
                let (cols, n) = try materializeColumns(build)
                let table = try JoinHashTable(columns: cols, count: n, keys: buildKeys)
                let s = HashJoinProbeSource(
                    probe: probe, build: table, buildSchema: build.schema, type: type,
                    probeKeys: probeKeys, residual: residual)
                inner = s
                return s
            } catch {
                failure = error
                throw error
            }
        }
    }

    public func morsel(_ i: Int) throws -> Batch? { try source().morsel(i) }

    public var explainLine: String {
        let keys = zip(probeKeys, buildKeys).map { "#\($0.0)=#\($0.1)" }.joined(separator: ", ")
        return "HashJoin \(type.sqlName) build=right probe=parallel keys=[\(keys)]"
            + (residual != nil ? " residual" : "")
    }

    /// The probe side's lines, then the build side's (marked `build:`).
    public var explainChildren: [String] {
        [probe.explainLine] + probe.explainChildren.map { "  " + $0 } + ["build: " + build.explainLine]
    }
}

/// The process-wide memory limit of `--memory-limit`: operators call `check()` between batches;
/// it reads the resident set size (/proc/self/statm) and throws
/// `KuaiError.execution` once it exceeds the limit. 0 = no limit. `check()` also throws once the
/// query was interrupted (QueryControl).
public enum MemoryGuard {
    nonisolated(unsafe) private static var limitBytes = 0

    /// Sets the limit in bytes (0 = none).
    public static func setLimit(_ bytes: Int) { limitBytes = bytes }

    /// Throws when the process holds more than the limit (one `pread` of /proc/self/statm on a
    /// descriptor opened once, a few µs: callers check once per batch).
    @inline(__always)
    public static func check() throws {
        try QueryControl.checkInterrupt()
        if limitBytes == 0 { return }
        let rss = residentBytes()
        if rss > limitBytes {
            throw KuaiError(
                .execution,
                "memory limit exceeded: the query holds \(binaryUnits(rss)), the limit is \(binaryUnits(limitBytes)) (--memory-limit)"
            )
        }
    }

    /// `bytes` in binary units with one decimal, as DuckDB prints memory: "45.0 MiB", "1.8 GiB".
    public static func binaryUnits(_ bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(bytes)
        var u = 0
        while v >= 1024 && u < units.count - 1 {
            v /= 1024
            u += 1
        }
        if u == 0 { return "\(bytes) bytes" }
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[u])"
    }

    #if canImport(Glibc)
        /// /proc/self/statm, opened on first use and kept open (no path lookup per check).
        private static let statm: Int32 = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        private static let pageBytes = Int(sysconf(Int32(_SC_PAGESIZE)))
    #endif

    /// Resident set size of this process in bytes (0 when unknown): the second number of
    /// /proc/self/statm (resident pages) times the page size.
    public static func residentBytes() -> Int {
        #if canImport(Glibc)
            let fd = statm
            guard fd >= 0 else { return 0 }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { buf -> Int in
                let n = pread(fd, buf.baseAddress!, 128, 0)
                guard n > 0 else { return 0 }
                var i = 0
                while i < n && buf[i] != UInt8(ascii: " ") { i += 1 }  // total program size
                while i < n && buf[i] == UInt8(ascii: " ") { i += 1 }
                var pages = 0
                var digits = 0
                while i < n, buf[i] >= UInt8(ascii: "0"), buf[i] <= UInt8(ascii: "9"), digits < 18 {
                    pages = pages * 10 + Int(buf[i] - UInt8(ascii: "0"))
                    i += 1
                    digits += 1
                }
                return digits == 0 ? 0 : pages * pageBytes
            }
        #else
            return 0
        #endif
    }
}
