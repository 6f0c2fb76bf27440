/// The RLE / bit-packing hybrid of Parquet (parquet-format Encodings.md, "Run Length Encoding /
/// Bit-Packing Hybrid (RLE = 3)"): definition levels, dictionary indices and RLE booleans.
///
/// A run starts with a ULEB128 header: `count << 1` for a repeated run (then the value in
/// `ceil(width / 8)` little-endian bytes), `groups << 1 | 1` for `groups * 8` bit-packed values
/// (LSB first, `groups * width` bytes).
struct RLEHybridDecoder {
    var cursor: ByteCursor
    let width: Int
    private var repeatLeft = 0
    private var repeatValue: UInt32 = 0
    private var packedLeft = 0
    private var packedBytes = UnsafeRawBufferPointer(start: nil, count: 0)
    private var packedIndex = 0

    /// - Throws: `ParquetDataError` when `width` is above 32.
    init(_ bytes: UnsafeRawBufferPointer, width: Int) throws {
        guard (0...32).contains(width) else { throw ParquetDataError("RLE bit width \(width) is above 32") }
        cursor = ByteCursor(bytes)
        self.width = width
    }

    /// Decodes the next `count` values into `out`.
    /// - Throws: `ParquetDataError` when the runs end before `count` values.
    mutating func decode(into out: UnsafeMutablePointer<UInt32>, count: Int) throws {
        var done = 0
        while done < count {
            if repeatLeft > 0 {
                let n = min(repeatLeft, count - done)
                (out + done).update(repeating: repeatValue, count: n)
                repeatLeft -= n
                done += n
            } else if packedLeft > 0 {
                let n = min(packedLeft, count - done)
                BitUnpack.unpack(packedBytes, width: width, startBit: packedIndex * width, count: n, into: out + done)
                packedIndex += n
                packedLeft -= n
                done += n
            } else {
                try nextRun(valuesWanted: count - done)
            }
        }
    }

    private mutating func nextRun(valuesWanted: Int) throws {
        guard cursor.remaining > 0 else {
            throw ParquetDataError("RLE/bit-packed data ends before its \(valuesWanted) remaining values")
        }
        let header = try cursor.readULEB()
        if header & 1 == 0 {
            let n = header >> 1
            guard n > 0, n <= UInt64(Int32.max) else { throw ParquetDataError("RLE run of \(n) values") }
            let byteWidth = (width + 7) / 8
            let v = try cursor.take(byteWidth, "an RLE run value")
            var value: UInt32 = 0
            for k in 0..<byteWidth { value |= UInt32(v[k]) << (8 * UInt32(k)) }
            if width < 32 && value >> UInt32(width) != 0 {
                throw ParquetDataError("RLE run value \(value) is wider than \(width) bits")
            }
            repeatValue = value
            repeatLeft = Int(n)
        } else {
            let groups = header >> 1
            guard groups > 0, groups <= UInt64(Int32.max) / 8 else {
                throw ParquetDataError("bit-packed run of \(groups) groups")
            }
            let values = Int(groups) * 8
            let bytesFull = Int(groups) * width
            // Tolerate a final run whose padding bytes were not written, as long as the values
            // still needed are present.
            let neededValues = min(values, valuesWanted)
            let bytesNeeded = (neededValues * width + 7) / 8
            let available = min(bytesFull, cursor.remaining)
            guard available >= bytesNeeded else {
                throw ParquetDataError("bit-packed run needs \(bytesNeeded) bytes, \(cursor.remaining) left")
            }
            packedBytes = try cursor.take(available, "a bit-packed run")
            packedLeft = available == bytesFull ? values : neededValues
            packedIndex = 0
        }
    }
}

/// Encodes values with the RLE / bit-packing hybrid (the writer's definition levels and
/// dictionary indices): runs of 8 or more equal values become RLE runs, the rest bit-packed groups.
struct RLEHybridEncoder {
    let width: Int
    private(set) var bytes: [UInt8] = []
    private var pending: [UInt32] = []  // values not yet in a run (fewer than 8 of a kind at the end)
    private var runValue: UInt32 = 0
    private var runLength = 0
    private var packedGroupsHeaderAt = -1
    private var packedGroups = 0

    init(width: Int) {
        self.width = width
        bytes.reserveCapacity(1024)
        pending.reserveCapacity(8)
    }

    /// An encoder that appends its runs to `bytes` (`finish()` returns them after `bytes`'s own).
    init(width: Int, appendingTo bytes: [UInt8]) {
        self.width = width
        self.bytes = bytes
        pending.reserveCapacity(8)
    }

    /// Appends `count` copies of `value` (levels and dictionary runs come in runs).
    mutating func append(_ value: UInt32, count: Int = 1) {
        var left = count
        while left > 0 {
            if runLength > 0 && value == runValue {
                runLength += left
                return
            }
            if runLength > 0 { flushRun() }
            // pending holds < 8 values; fill to a multiple of 8 before starting a run.
            if pending.count == 0 && left >= 8 {
                runValue = value
                runLength = left
                return
            }
            pending.append(value)
            left -= 1
            if pending.count == 8 { flushPendingGroup() }
        }
    }

    /// Appends every value of `values` (dictionary indices of a page). The same bytes as
    /// appending them one run of equal values at a time, written through a pointer: from a state
    /// with nothing pending, 8 equal values ahead start an RLE run to the end of their run of
    /// equal values, any other 8 values are a bit-packed group.
    mutating func append(contentsOf values: UnsafeBufferPointer<UInt32>) {
        var i = 0
        if runLength == 0 && pending.isEmpty && values.count >= 8 {
            i = appendGroupsAndRuns(values)
        }
        let n = values.count
        while i < n {
            let v = values[i]
            var j = i + 1
            while j < n && values[j] == v { j += 1 }
            append(v, count: j - i)
            i = j
        }
    }

    /// The fast path of `append(contentsOf:)` from a state with nothing pending: appends the
    /// groups and runs that start while 8 or more values are left. - Returns: values consumed;
    /// a run reaching the end of `values` is left open (`runLength`), as `append` leaves it.
    private mutating func appendGroupsAndRuns(_ values: UnsafeBufferPointer<UInt32>) -> Int {
        let n = values.count
        let start = bytes.count
        // Per 8 values at most a group (`width` bytes and a header byte) or a share of a run.
        let bound = (n / 8 + 1) * (max(width, 8) + 2) + 16
        bytes.append(contentsOf: repeatElement(0, count: bound))
        let valueBytes = (width + 7) / 8
        var i = 0
        var o = start
        var headerAt = packedGroupsHeaderAt
        var groups = packedGroups
        let width = UInt64(self.width)
        bytes.withUnsafeMutableBufferPointer { out in
            while i + 8 <= n {
                let v = values[i]
                var same = 1
                while same < 8 && values[i + same] == v { same += 1 }
                if same == 8 {
                    var j = i + 8
                    while j < n && values[j] == v { j += 1 }
                    if j == n {  // may continue in a later call: left open
                        runValue = v
                        runLength = j - i
                        i = j
                        break
                    }
                    headerAt = -1
                    groups = 0
                    var header = UInt64(j - i) << 1
                    while header >= 0x80 {
                        out[o] = UInt8(truncatingIfNeeded: header) | 0x80
                        o += 1
                        header >>= 7
                    }
                    out[o] = UInt8(header)
                    o += 1
                    for k in 0..<valueBytes {
                        out[o] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))
                        o += 1
                    }
                    i = j
                    continue
                }
                if headerAt < 0 || groups == 63 {
                    headerAt = o
                    o += 1
                    groups = 0
                }
                var acc: UInt64 = 0
                var bits: UInt64 = 0
                for k in 0..<8 {
                    acc |= UInt64(values[i + k]) << bits
                    bits += width
                    while bits >= 8 {
                        out[o] = UInt8(truncatingIfNeeded: acc)
                        o += 1
                        acc >>= 8
                        bits -= 8
                    }
                }
                groups += 1
                out[headerAt] = UInt8(groups << 1 | 1)
                i += 8
            }
        }
        bytes.removeLast(bytes.count - o)
        packedGroupsHeaderAt = headerAt
        packedGroups = groups
        return i
    }

    /// A pending run of equal values: an RLE run when 8 or more, else into groups.
    private mutating func flushRun() {
        let value = runValue
        var n = runLength
        runLength = 0
        if n >= 8 {
            endPacked()
            writeULEB(UInt64(n) << 1)
            for k in 0..<((width + 7) / 8) { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(k)))) }
            return
        }
        while n > 0 {
            pending.append(value)
            n -= 1
            if pending.count == 8 { flushPendingGroup() }
        }
    }

    private mutating func flushPendingGroup() {
        if packedGroupsHeaderAt < 0 || packedGroups == 63 {
            endPacked()
            packedGroupsHeaderAt = bytes.count
            bytes.append(0)  // one header byte: up to 63 groups (header < 128)
            packedGroups = 0
        }
        var acc: UInt64 = 0
        var bits = 0
        for v in pending {
            acc |= UInt64(v) << UInt64(bits)
            bits += width
            while bits >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: acc))
                acc >>= 8
                bits -= 8
            }
        }
        if bits > 0 { bytes.append(UInt8(truncatingIfNeeded: acc)) }
        pending.removeAll(keepingCapacity: true)
        packedGroups += 1
        bytes[packedGroupsHeaderAt] = UInt8(packedGroups << 1 | 1)
    }

    private mutating func endPacked() {
        packedGroupsHeaderAt = -1
        packedGroups = 0
    }

    private mutating func writeULEB(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Ends the stream (a last partial group is padded with zeros) and returns the bytes.
    mutating func finish() -> [UInt8] {
        if runLength > 0 { flushRun() }
        if !pending.isEmpty {
            while pending.count < 8 { pending.append(0) }
            flushPendingGroup()
        }
        return bytes
    }
}
