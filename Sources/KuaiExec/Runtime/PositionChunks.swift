import Dispatch
import KuaiCore

/// `0..<count` in contiguous ranges worked on at once, one range per task on every core (the window
/// functions' sorted positions, a parallel gather's rows). A range may cut a group of the caller's
/// (a window partition or peer group): what a position's value depends on before its range is
/// carried in from the ranges before it (`lastMarkBefore`, `firstMarkAfter`), so the values are
/// those of one pass from the first position to the last, bit for bit.
struct PositionChunks {
    /// The ranges, in order, covering `0..<count` without gaps.
    let ranges: [Range<Int>]

    /// Positions below which a range is not split further (one task's work must outweigh its
    /// hand-off).
    static let minimumChunk = 1 << 14

    /// The given ranges (contiguous, in order, from 0).
    init(ranges: [Range<Int>]) { self.ranges = ranges }

    /// `0..<count` in about four ranges per thread (`threads`: default every active processor) of
    /// equal size, at least `minimumChunk` positions each; one range when `count` is small.
    init(count: Int, threads: Int = activeProcessorCount()) {
        let wanted = Swift.max(1, Swift.min(4 * threads, count / Self.minimumChunk))
        let size = (count + wanted - 1) / Swift.max(wanted, 1)
        ranges =
            count == 0
            ? [] : stride(from: 0, to: count, by: Swift.max(size, 1)).map { $0..<Swift.min(count, $0 + size) }
    }

    /// Calls `body(k, ranges[k])` for every range, on every core when there are several (each call
    /// must write only its own positions' results).
    func forEachChunk(_ body: (Int, Range<Int>) -> Void) {
        let threads = ranges.count > 1 ? activeProcessorCount() : 1
        PartitionedKeyMerge.forEachPartition(ranges.count, threads: threads) { body($0, ranges[$0]) }
    }

    /// For every range, the last position before it where `marks` is 1 (0 when none: position 0
    /// starts every group), found with one parallel pass over the marks.
    func lastMarkBefore(_ marks: [UInt8]) -> [Int] {
        var last = [Int](repeating: -1, count: ranges.count)
        last.withUnsafeMutableBufferPointer { out in
            marks.withUnsafeBufferPointer { m in
                forEachChunk { k, r in
                    var i = r.upperBound - 1
                    while i >= r.lowerBound && m[i] == 0 { i -= 1 }
                    out[k] = i >= r.lowerBound ? i : -1
                }
            }
        }
        var carried = 0
        return last.map { l in
            defer { if l >= 0 { carried = l } }
            return carried
        }
    }

    /// For every range, the first position after it where `marks` is 1 (`count` when none).
    func firstMarkAfter(_ marks: [UInt8], count: Int) -> [Int] {
        var first = [Int](repeating: -1, count: ranges.count)
        first.withUnsafeMutableBufferPointer { out in
            marks.withUnsafeBufferPointer { m in
                forEachChunk { k, r in
                    var i = r.lowerBound
                    while i < r.upperBound && m[i] == 0 { i += 1 }
                    out[k] = i < r.upperBound ? i : -1
                }
            }
        }
        var carried = count
        var result = [Int](repeating: count, count: ranges.count)
        for k in ranges.indices.reversed() {
            result[k] = carried
            if first[k] >= 0 { carried = first[k] }
        }
        return result
    }
}
