import Foundation
import KuaiCore

/// Worker threads that read chunks in turn (one reader at a time) and parse them in parallel;
/// the consumer takes the results in chunk order. At most `maxChunksInFlight` chunks are read
/// and not yet taken.
final class ParsePipeline: @unchecked Sendable {
    enum Outcome {
        case parsed(ParsedChunk, fileEnd: Int, oversized: Bool)
        case failed(KuaiError)
        case end
    }

    private let reader: ChunkReader
    /// Chunks read before the workers started (the header and type-inference sample), in order.
    private var pending: [ChunkBuffer]
    private let schema: Schema
    private let options: CSVReadOptions
    private let cond = NSCondition()
    private let readLock = NSLock()
    private var results: [Int: Outcome] = [:]
    private var nextIndex = 0
    private var taken = 0
    private var stopped = false
    private var active = 0

    init(reader: ChunkReader, pending: [ChunkBuffer], schema: Schema, options: CSVReadOptions) {
        self.reader = reader
        self.pending = pending
        self.schema = schema
        self.options = options
    }

    func startWorkers() {
        let n = max(1, min(options.workers, ProcessInfo.processInfo.activeProcessorCount))
        cond.lock()
        active = n
        cond.unlock()
        for _ in 0..<n {
            let t = Thread { [self] in self.work() }
            t.stackSize = 1 << 20
            t.start()
        }
    }

    private func work() {
        let parser = ChunkParser(
            schema: schema, projection: options.projection,
            batchRows: ChunkParser.batchRows(columns: schema.count, requested: options.batchRows),
            rejectRows: options.skipBadRows, syntax: options.syntax,
            valueFormat: options.values)
        while true {
            readLock.lock()
            cond.lock()
            while !stopped && nextIndex - taken >= options.maxChunksInFlight { cond.wait() }
            if stopped {
                cond.unlock()
                readLock.unlock()
                break
            }
            let index = nextIndex
            nextIndex += 1
            cond.unlock()
            var chunk: ChunkBuffer? = nil
            var failure: KuaiError? = nil
            if !pending.isEmpty {
                chunk = pending.removeFirst()
            } else {
                do { chunk = try reader.next() } catch let e as KuaiError { failure = e } catch {
                    failure = KuaiError(.io, "\(error)", at: reader.path)
                }
            }
            guard let chunk else {
                cond.lock()
                stopped = true
                results[index] = failure.map { .failed($0) } ?? .end
                cond.broadcast()
                cond.unlock()
                readLock.unlock()
                break
            }
            readLock.unlock()
            let parsed = parser.parse(UnsafePointer(chunk.base), start: chunk.start, end: chunk.count)
            let outcome = Outcome.parsed(parsed, fileEnd: chunk.fileEnd, oversized: chunk.oversized)
            reader.pool.release(chunk)
            cond.lock()
            results[index] = outcome
            cond.broadcast()
            cond.unlock()
        }
        cond.lock()
        active -= 1
        cond.broadcast()
        cond.unlock()
    }

    /// The next outcome in chunk order (blocks until it is ready).
    func take() -> Outcome {
        cond.lock()
        defer { cond.unlock() }
        while results[taken] == nil { cond.wait() }
        let o = results.removeValue(forKey: taken)!
        taken += 1
        cond.broadcast()
        return o
    }

    /// Stops the workers after their current chunk and waits for them to exit.
    func cancelAndJoin() {
        cond.lock()
        stopped = true
        cond.broadcast()
        while active > 0 { cond.wait() }
        results.removeAll()
        cond.unlock()
    }
}
