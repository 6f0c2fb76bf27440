import KuaiCore

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
    func prepare() throws { try source.prepare() }
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
