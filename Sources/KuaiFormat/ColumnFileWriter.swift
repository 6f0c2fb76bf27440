import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the manifest records about one written column file.
struct WrittenColumn {
    var name: String
    var type: DataType
    var file: String
    var bytes: Int
    var rows: Int
    var blocks: Int
    var nullCount: Int
    var footerChecksum: UInt64
    var dictionarySize: Int?
}

/// Writes one column file (Formats/column-file.md): header, then a block each time
/// `FormatConstants.blockRows` rows are pending, then footer and tail on `finish()`.
///
/// Memory: one pending block (8 bytes + 1 validity byte a row), the block index
/// (56 bytes a block) and, for VARCHAR, the column dictionary.
final class ColumnFileWriter: @unchecked Sendable {
    let name: String
    let type: DataType
    /// Path relative to the store folder, e.g. "click/user_id.col".
    let relPath: String
    let fullPath: String
    let generation: UInt64
    let blockRows: Int
    private var fd: Int32
    private var fileOffset = 0
    private var index = ByteBuilder()
    private(set) var blockCount = 0
    private(set) var rowCount = 0
    private(set) var nullCount = 0

    // The pending block. VARCHAR keeps global dictionary codes in `ints`.
    private let ints: UnsafeMutablePointer<Int64>
    private let doubles: UnsafeMutablePointer<Double>
    private let valid: UnsafeMutablePointer<UInt8>
    private(set) var pending = 0
    private var pendingNulls = 0

    // VARCHAR: the column dictionary and the cached per-batch-dictionary remapping.
    private(set) var dictValues: [String] = []
    private var dictIndex: [String: Int32] = [:]
    private var lastDict: StringDictionary?
    private var remap: [Int32] = []
    private var seen: [UInt32] = []
    private var stamp: UInt32 = 0

    init(
        name: String, type: DataType, relPath: String, fullPath: String, generation: UInt64,
        blockRows: Int = FormatConstants.blockRows
    ) throws {
        self.name = name
        self.type = type
        self.relPath = relPath
        self.fullPath = fullPath
        self.generation = generation
        self.blockRows = blockRows
        fd = open(fullPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { throw POSIX.ioError("cannot create column file", fullPath) }
        ints = .allocate(capacity: blockRows)
        doubles = .allocate(capacity: type == .double ? blockRows : 1)
        valid = .allocate(capacity: blockRows)
        var h = ByteBuilder()
        h.raw(FormatConstants.headerMagic)
        h.u16(FormatConstants.formatVersion)
        h.u8(type.rawValue)
        h.u8(0)
        h.u32(UInt32(blockRows))
        h.u64(generation)
        let sum = XXH64.hash(h.bytes)
        h.u64(sum)
        assert(h.bytes.count == FormatConstants.headerSize)
        do {
            try POSIX.writeAll(fd, h.bytes, path: fullPath)
        } catch {
            close(fd)
            fd = -1
            throw error
        }
        fileOffset = FormatConstants.headerSize
    }

    deinit {
        if fd >= 0 { close(fd) }
        ints.deallocate()
        doubles.deallocate()
        valid.deallocate()
    }

    /// Room left in the pending block.
    var room: Int { blockRows - pending }

    private func typeError(_ what: String) -> KuaiError {
        KuaiError(.usage, "column \(name) (\(type)): \(what)", at: relPath)
    }

    /// Copies rows `start..<start+n` of `c` into the pending block (`n <= room`).
    /// - Throws: `KuaiError.usage` when the column's type or storage does not match.
    func append(_ c: Column, from start: Int, count n: Int) throws {
        precondition(n <= room)
        if n == 0 { return }
        guard c.type == type || c.type == .null else { throw typeError("batch column has type \(c.type)") }
        guard start >= 0, start + n <= c.count else { throw typeError("batch column holds \(c.count) rows") }
        if let v = c.validity, v.count < c.count { throw typeError("validity mask shorter than the column") }
        let dst = pending
        // Validity.
        if let v = c.validity {
            var nulls = 0
            v.withUnsafeBufferPointer { vb in
                for i in 0..<n {
                    let b: UInt8 = vb[start + i] != 0 ? 1 : 0
                    valid[dst + i] = b
                    nulls &+= Int(1 &- b)
                }
            }
            pendingNulls += nulls
        } else if c.type == .null {
            (valid + dst).initialize(repeating: 0, count: n)
            pendingNulls += n
        } else {
            (valid + dst).initialize(repeating: 1, count: n)
        }
        if c.type == .null {
            (ints + dst).initialize(repeating: 0, count: n)
            if type == .double { (doubles + dst).initialize(repeating: 0, count: n) }
            pending += n
            return
        }
        switch type {
        case .double:
            guard c.doubles.count >= c.count else { throw typeError("DOUBLE column without double storage") }
            c.doubles.withUnsafeBufferPointer { s in
                (doubles + dst).update(from: s.baseAddress! + start, count: n)
            }
        case .varchar:
            guard let d = c.dictionary, c.codes.count >= c.count else {
                throw typeError("VARCHAR column without codes and dictionary")
            }
            if lastDict !== d {
                lastDict = d
                remap.removeAll(keepingCapacity: true)
            }
            let dcount = d.count
            if remap.count < dcount { remap.append(contentsOf: repeatElement(-1, count: dcount - remap.count)) }
            var bad: Int32? = nil
            c.codes.withUnsafeBufferPointer { codes in
                for i in 0..<n {
                    if valid[dst + i] == 0 {
                        ints[dst + i] = 0
                        continue
                    }
                    let code = codes[start + i]
                    if code < 0 || Int(code) >= dcount {
                        bad = code
                        ints[dst + i] = 0
                        continue
                    }
                    var g = remap[Int(code)]
                    if g < 0 {
                        g = intern(d[code])
                        remap[Int(code)] = g
                    }
                    ints[dst + i] = Int64(g)
                }
            }
            if let bad { throw typeError("code \(bad) outside the batch dictionary of \(dcount) strings") }
        default:
            guard c.ints.count >= c.count else { throw typeError("column without integer storage") }
            // Stores hold 64-bit integers: a HUGEINT beyond Int64 (Column.highs) cannot be written.
            if c.highs != nil, let r = c.slice(start..<start + n).firstRowOutsideInt64() {
                throw typeError("HUGEINT value \(c.int128(at: start + r)) outside the BIGINT range cannot be stored")
            }
            c.ints.withUnsafeBufferPointer { s in
                (ints + dst).update(from: s.baseAddress! + start, count: n)
            }
        }
        pending += n
    }

    private func intern(_ s: String) -> Int32 {
        if let g = dictIndex[s] { return g }
        let g = Int32(dictValues.count)
        dictValues.append(s)
        dictIndex[s] = g
        return g
    }

    /// Encodes and writes the pending rows as one block (no-op when none are pending).
    func flushBlock(encoder: BlockEncoder) throws {
        let rows = pending
        if rows == 0 { return }
        let nulls = pendingNulls
        let validity: UnsafePointer<UInt8>? = nulls > 0 ? UnsafePointer(valid) : nil
        var mn: Int64 = 0
        var mx: Int64 = 0
        let payload: EncodedPayload
        if type == .double {
            var lo = Double.nan
            var hi = Double.nan
            var anyNaN = false
            var any = false
            for i in 0..<rows {
                if valid[i] == 0 {
                    doubles[i] = 0
                    continue
                }
                let x = doubles[i]
                if x.isNaN {
                    anyNaN = true
                    continue
                }
                if !any {
                    lo = x
                    hi = x
                    any = true
                } else {
                    if x < lo { lo = x }
                    if x > hi { hi = x }
                }
            }
            if anyNaN { hi = .nan }
            if nulls < rows {
                mn = Int64(bitPattern: lo.bitPattern)
                mx = Int64(bitPattern: hi.bitPattern)
            }
            payload = encoder.encodeDoubles(doubles, rows: rows, validity: validity)
        } else {
            if nulls == rows {
                (ints).initialize(repeating: 0, count: rows)
            } else if nulls > 0 {
                // Fill NULL slots with the previous valid value so they do not widen any range.
                var first = 0
                while valid[first] == 0 { first += 1 }
                var prev = ints[first]
                for i in 0..<rows {
                    if valid[i] == 0 { ints[i] = prev } else { prev = ints[i] }
                }
            }
            if nulls < rows {
                if type == .varchar {
                    (mn, mx) = stringMinMax(rows: rows)
                } else {
                    mn = ints[0]
                    mx = ints[0]
                    for i in 1..<max(rows, 1) {
                        let x = ints[i]
                        if x < mn { mn = x }
                        if x > mx { mx = x }
                    }
                }
            }
            payload = encoder.encodeInts(ints, rows: rows, validity: validity)
        }
        var h = ByteBuilder()
        h.u8(payload.encoding)
        h.u8(payload.compression)
        h.u8(nulls > 0 ? FormatConstants.blockFlagValidity : 0)
        h.u8(0)
        h.u32(UInt32(rows))
        h.u32(UInt32(nulls))
        h.u32(UInt32(payload.rawSize))
        h.u32(UInt32(payload.stored.count))
        h.u32(UInt32(blockCount))
        h.i64(mn)
        h.i64(mx)
        let headSum = XXH64.hash(h.bytes)
        let sum = XXH64.hash(payload.stored.baseAddress!, payload.stored.count, seed: headSum)
        h.u64(sum)
        assert(h.bytes.count == FormatConstants.blockHeaderSize)
        try POSIX.writeAll(fd, h.bytes, path: fullPath)
        try POSIX.writeAll(fd, payload.stored.baseAddress!, payload.stored.count, path: fullPath)
        let pad = FormatConstants.aligned(payload.stored.count) - payload.stored.count
        if pad > 0 {
            var zeros: UInt64 = 0
            try withUnsafeBytes(of: &zeros) { try POSIX.writeAll(fd, $0.baseAddress!, pad, path: fullPath) }
        }
        index.u64(UInt64(fileOffset))
        index.raw(h.bytes)
        fileOffset += FormatConstants.blockHeaderSize + payload.stored.count + pad
        blockCount += 1
        rowCount += rows
        nullCount += nulls
        pending = 0
        pendingNulls = 0
    }

    /// Min and max (as codes) of the valid rows of the pending VARCHAR block, in byte-wise order.
    private func stringMinMax(rows: Int) -> (Int64, Int64) {
        if seen.count < dictValues.count {
            seen.append(contentsOf: repeatElement(0, count: dictValues.count - seen.count))
        }
        stamp &+= 1
        if stamp == 0 {
            for i in seen.indices { seen[i] = 0 }
            stamp = 1
        }
        var lo: Int32 = -1
        var hi: Int32 = -1
        seen.withUnsafeMutableBufferPointer { seen in
            for i in 0..<rows where valid[i] != 0 {
                let c = Int32(truncatingIfNeeded: ints[i])
                if seen[Int(c)] == stamp { continue }
                seen[Int(c)] = stamp
                if lo < 0 {
                    lo = c
                    hi = c
                    continue
                }
                let s = dictValues[Int(c)]
                if StringDictionary.less(s, dictValues[Int(lo)]) { lo = c }
                if StringDictionary.less(dictValues[Int(hi)], s) { hi = c }
            }
        }
        return (Int64(lo), Int64(hi))
    }

    /// Writes the last block, the footer and the tail, fsyncs and closes the file.
    func finish(encoder: BlockEncoder) throws -> WrittenColumn {
        try flushBlock(encoder: encoder)
        var f = ByteBuilder()
        f.raw(FormatConstants.footerMagic)
        f.u32(UInt32(blockCount))
        f.u64(UInt64(rowCount))
        f.u64(UInt64(nullCount))
        f.raw(index.bytes)
        if type == .varchar {
            var raw = ByteBuilder()
            var total = 0
            raw.u32(0)
            for s in dictValues {
                total += s.utf8.count
                guard total <= Int(UInt32.max) - 1 else {
                    throw KuaiError(.usage, "dictionary of column \(name) exceeds 4 GiB", at: relPath)
                }
                raw.u32(UInt32(total))
            }
            for s in dictValues { raw.bytes.append(contentsOf: s.utf8) }
            guard raw.bytes.count <= Int(UInt32.max) else {
                throw KuaiError(.usage, "dictionary of column \(name) exceeds 4 GiB", at: relPath)
            }
            let (stored, comp) = BlockEncoder.compressBytes(raw.bytes)
            f.u32(UInt32(dictValues.count))
            f.u32(UInt32(raw.bytes.count))
            f.u32(UInt32(stored.count))
            f.u8(comp)
            f.zeros(3)
            f.u64(XXH64.hash(stored))
            f.raw(stored)
        }
        let footerSum = XXH64.hash(f.bytes)
        var t = ByteBuilder()
        t.u64(UInt64(fileOffset))
        t.u64(UInt64(f.bytes.count))
        t.u64(footerSum)
        t.raw(FormatConstants.tailMagic)
        try POSIX.writeAll(fd, f.bytes, path: fullPath)
        try POSIX.writeAll(fd, t.bytes, path: fullPath)
        let size = fileOffset + f.bytes.count + t.bytes.count
        if fsync(fd) != 0 { throw POSIX.ioError("fsync failed", fullPath) }
        if close(fd) != 0 {
            fd = -1
            throw POSIX.ioError("close failed", fullPath)
        }
        fd = -1
        return WrittenColumn(
            name: name, type: type, file: relPath, bytes: size, rows: rowCount, blocks: blockCount,
            nullCount: nullCount, footerChecksum: footerSum,
            dictionarySize: type == .varchar ? dictValues.count : nil)
    }

    /// Closes the file without finishing it (abort path).
    func closeQuietly() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
    }
}
