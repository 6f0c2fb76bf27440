import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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

    // The pending block. VARCHAR in dictionary mode keeps global dictionary codes in `ints`; in
    // plain mode the rows' views in `views` (their bytes kept alive by `pendingOwners`). HUGEINT keeps
    // the high words in `highs` (`pendingWide` once a valid row does not fit 64 bits).
    private let ints: UnsafeMutablePointer<Int64>
    private let doubles: UnsafeMutablePointer<Double>
    private let valid: UnsafeMutablePointer<UInt8>
    private let highs: UnsafeMutablePointer<Int64>?
    private let views: UnsafeMutablePointer<StringView>?
    private var pendingOwners: [StringOwner] = []
    private var pendingWide = false
    private(set) var pending = 0
    private var pendingNulls = 0

    /// VARCHAR: dictionary codes until a block brings more than `plainSwitchNewStrings` new distinct
    /// strings, then plain strings for the rest of the column (Formats/column-file.md, "Encodings").
    private(set) var plainStrings = false
    /// New distinct strings in one block above which a VARCHAR column stops using its dictionary.
    static let plainSwitchNewStrings = FormatConstants.blockRows / 8

    // VARCHAR: the column dictionary (views into `dictHeap`) and the cached per-batch-dictionary remapping.
    private var dict = ViewHashTable(expected: 1024)
    /// Distinct strings in `dict` when the previous block was written: the strings added since are
    /// the pending block's new ones.
    private var dictAtLastBlock = 0
    private let dictHeap = StringHeap()
    private var lastDict: StringDictionary?
    private var lastDictViews: [StringView] = []
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
        highs = type.mayBeWide ? .allocate(capacity: blockRows) : nil
        views = type == .varchar ? .allocate(capacity: blockRows) : nil
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
            FaultInjection.step("column file header write")
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
        highs?.deallocate()
        views?.deallocate()
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
            highs?.advanced(by: dst).initialize(repeating: 0, count: n)
            views?.advanced(by: dst).initialize(repeating: StringView(), count: n)
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
            try appendStrings(c, from: start, count: n, at: dst)
        case _ where type.mayBeWide:
            guard c.ints.count >= c.count else { throw typeError("column without integer storage") }
            c.ints.withUnsafeBufferPointer { s in (ints + dst).update(from: s.baseAddress! + start, count: n) }
            let h = highs!
            if let ch = c.highs {
                ch.withUnsafeBufferPointer { s in (h + dst).update(from: s.baseAddress! + start, count: n) }
                for i in dst..<dst + n where valid[i] != 0 && h[i] != ints[i] >> 63 { pendingWide = true }
            } else {
                for i in dst..<dst + n { h[i] = ints[i] >> 63 }
            }
        default:
            guard c.ints.count >= c.count else { throw typeError("column without integer storage") }
            c.ints.withUnsafeBufferPointer { s in
                (ints + dst).update(from: s.baseAddress! + start, count: n)
            }
        }
        pending += n
    }

    /// Copies VARCHAR rows into the pending block: global dictionary codes in dictionary mode (each
    /// code of a batch dictionary is interned once per batch), views in plain mode.
    private func appendStrings(_ c: Column, from start: Int, count n: Int, at dst: Int) throws {
        if let d = c.dictionary {
            guard c.codes.count >= c.count else { throw typeError("VARCHAR column without codes") }
            if lastDict !== d {
                lastDict = d
                lastDictViews = d.views
                remap.removeAll(keepingCapacity: true)
            }
            let dcount = d.count
            if remap.count < dcount { remap.append(contentsOf: repeatElement(-1, count: dcount - remap.count)) }
            var bad: Int32? = nil
            c.codes.withUnsafeBufferPointer { codes in
                for i in 0..<n {
                    let code = codes[start + i]
                    if valid[dst + i] == 0 || code < 0 || Int(code) >= dcount {
                        if valid[dst + i] != 0 { bad = code }
                        ints[dst + i] = 0
                        views![dst + i] = StringView()
                        continue
                    }
                    if plainStrings {
                        views![dst + i] = lastDictViews[Int(code)]
                        continue
                    }
                    var g = remap[Int(code)]
                    if g < 0 {
                        g = intern(lastDictViews[Int(code)])
                        remap[Int(code)] = g
                    }
                    ints[dst + i] = Int64(g)
                }
            }
            if let bad { throw typeError("code \(bad) outside the batch dictionary of \(dcount) strings") }
            if plainStrings { keepAlive(d) }
            return
        }
        guard c.views.count >= c.count else { throw typeError("VARCHAR column without codes or views") }
        c.views.withUnsafeBufferPointer { v in
            for i in 0..<n {
                if valid[dst + i] == 0 {
                    ints[dst + i] = 0
                    views![dst + i] = StringView()
                } else if plainStrings {
                    views![dst + i] = v[start + i]
                } else {
                    ints[dst + i] = Int64(intern(v[start + i]))
                }
            }
        }
        if plainStrings { for h in c.heaps { keepAlive(h) } }
    }

    /// Keeps `owner` (of the bytes of pending views) alive until the block is written.
    private func keepAlive(_ owner: StringOwner) {
        if let last = pendingOwners.last, last === owner { return }
        pendingOwners.append(owner)
    }

    /// The code of `v` in the column dictionary, adding a copy of its bytes when new.
    private func intern(_ v: StringView) -> Int32 {
        let heap = dictHeap
        return dict.findOrInsert(v) { new in
            new.withBytes { b in
                b.count <= StringView.inlineLimit || b.baseAddress == nil
                    ? new : StringView(bytes: heap.store(b.baseAddress!, count: b.count), count: b.count)
            }
        }
    }

    /// Encodes and writes the pending rows as one block (no-op when none are pending).
    func flushBlock(encoder: BlockEncoder) throws {
        let rows = pending
        if rows == 0 { return }
        let nulls = pendingNulls
        let validity: UnsafePointer<UInt8>? = nulls > 0 ? UnsafePointer(valid) : nil
        var zone = (min: Int64(0), max: Int64(0), flags: UInt8(0))
        let payload: EncodedPayload
        if type == .double {
            if nulls < rows { zone = doubleZone(rows: rows) }
            payload = encoder.encodeDoubles(doubles, rows: rows, validity: validity)
        } else if type == .varchar && plainStrings {
            for i in 0..<rows where valid[i] == 0 { views![i] = StringView() }
            let bytes = (0..<rows).reduce(0) { $0 + views![$1].count }
            guard bytes <= FormatConstants.maxBlockStringBytes else {
                throw typeError("a block of \(rows) strings holds \(bytes) bytes, more than the format's 1 GiB a block")
            }
            zone = nulls < rows ? plainStringZone(rows: rows) : (0, 0, 0)
            payload = encoder.encodePlainStrings(views!, rows: rows, validity: validity)
        } else if type.mayBeWide && pendingWide {
            for i in 0..<rows where valid[i] == 0 {
                ints[i] = 0
                highs![i] = 0
            }
            zone.flags = FormatConstants.blockFlagNoZoneMap
            payload = encoder.encodeInt128(lows: ints, highs: highs!, rows: rows, validity: validity)
        } else {
            fillNullSlots(rows: rows, nulls: nulls)
            if nulls < rows {
                if type == .varchar {
                    (zone.min, zone.max) = stringMinMax(rows: rows)
                } else {
                    zone.min = ints[0]
                    zone.max = ints[0]
                    for i in 1..<max(rows, 1) {
                        let x = ints[i]
                        if x < zone.min { zone.min = x }
                        if x > zone.max { zone.max = x }
                    }
                }
            }
            payload = encoder.encodeInts(ints, rows: rows, validity: validity)
        }
        try writeBlock(payload, rows: rows, nulls: nulls, zone: zone)
        // The pending rows were interned as they were appended, so the block's new strings are
        // those added since the previous block.
        if type == .varchar && !plainStrings && dict.distinct.count - dictAtLastBlock > Self.plainSwitchNewStrings {
            plainStrings = true
        }
        dictAtLastBlock = dict.distinct.count
        pendingOwners.removeAll(keepingCapacity: true)
        pendingWide = false
    }

    /// Fills NULL slots of an integer block with the previous valid value so they do not widen any range.
    private func fillNullSlots(rows: Int, nulls: Int) {
        if nulls == rows {
            ints.initialize(repeating: 0, count: rows)
        } else if nulls > 0 {
            var first = 0
            while valid[first] == 0 { first += 1 }
            var prev = ints[first]
            for i in 0..<rows {
                if valid[i] == 0 { ints[i] = prev } else { prev = ints[i] }
            }
        }
    }

    /// The zone map of a DOUBLE block: bit patterns of min and max; NaN sorts above +inf.
    private func doubleZone(rows: Int) -> (min: Int64, max: Int64, flags: UInt8) {
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
        return (Int64(bitPattern: lo.bitPattern), Int64(bitPattern: hi.bitPattern), 0)
    }

    /// The zone map of a plain-string block (Formats/column-file.md, "Zone maps of plain-string
    /// blocks"): the smallest string's first bytes as a lower bound and the largest string, or an
    /// 8-byte successor of its prefix, as an upper bound; no zone map when no 8-byte bound exists.
    ///
    /// The bounds depend only on a string's first 8 bytes (and, for the upper one, on whether it is
    /// longer), so the scan compares 8-byte big-endian prefix keys instead of whole strings: the lower
    /// bound comes from any string with the smallest key, the upper from the longest string with the
    /// largest key (of two strings with equal zero-padded prefixes the longer is the greater).
    private func plainStringZone(rows: Int) -> (min: Int64, max: Int64, flags: UInt8) {
        let views = views!
        var first = 0
        while first < rows && valid[first] == 0 { first += 1 }
        guard first < rows else { return (0, 0, FormatConstants.blockFlagNoZoneMap) }
        var lo = first
        var hi = first
        var loKey = Self.prefixKey(views[first])
        var hiKey = loKey
        for i in first + 1..<rows where valid[i] != 0 {
            let k = Self.prefixKey(views[i])
            if k < loKey {
                loKey = k
                lo = i
            }
            if k > hiKey || (k == hiKey && views[i].length > views[hi].length) {
                hiKey = k
                hi = i
            }
        }
        guard let upper = StringBound.upper(views[hi]) else { return (0, 0, FormatConstants.blockFlagNoZoneMap) }
        return (StringBound.lower(views[lo]), upper, FormatConstants.blockFlagStringBounds)
    }

    /// The first 8 bytes of `v` (zero-padded) as a big-endian integer: byte-wise order of prefixes.
    @inline(__always)
    private static func prefixKey(_ v: StringView) -> UInt64 {
        if v.isInline { return (UInt64(v.prefix) | (v.tail << 32)).byteSwapped }
        // Longer than 12 bytes: 8 bytes are readable at the address.
        return UnsafeRawPointer(bitPattern: UInt(v.tail))!.loadUnaligned(as: UInt64.self).byteSwapped
    }

    /// Writes the block header and payload, and records the block in the index.
    private func writeBlock(
        _ payload: EncodedPayload, rows: Int, nulls: Int, zone: (min: Int64, max: Int64, flags: UInt8)
    ) throws {
        var h = ByteBuilder()
        h.u8(payload.encoding)
        h.u8(payload.compression)
        h.u8((nulls > 0 ? FormatConstants.blockFlagValidity : 0) | zone.flags | FormatConstants.blockFlagXXH3)
        h.u8(0)
        h.u32(UInt32(rows))
        h.u32(UInt32(nulls))
        h.u32(UInt32(payload.rawSize))
        h.u32(UInt32(payload.stored.count))
        h.u32(UInt32(blockCount))
        h.i64(zone.min)
        h.i64(zone.max)
        let headSum = XXH64.hash(h.bytes)
        let sum = XXH3.hash(payload.stored.baseAddress!, payload.stored.count, seed: headSum)
        h.u64(sum)
        assert(h.bytes.count == FormatConstants.blockHeaderSize)
        try POSIX.writeAll(fd, h.bytes, path: fullPath)
        try POSIX.writeAll(fd, payload.stored.baseAddress!, payload.stored.count, path: fullPath)
        FaultInjection.step("column file block write")
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

    /// Min and max (as codes) of the valid rows of the pending dictionary-coded block, in byte-wise order.
    private func stringMinMax(rows: Int) -> (Int64, Int64) {
        let values = dict.distinct
        if seen.count < values.count {
            seen.append(contentsOf: repeatElement(0, count: values.count - seen.count))
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
                let s = values[Int(c)]
                if StringView.compare(s, values[Int(lo)]) < 0 { lo = c }
                if StringView.compare(values[Int(hi)], s) < 0 { hi = c }
            }
        }
        return (Int64(lo), Int64(hi))
    }

    /// Writes the last block, the footer and the tail, fsyncs and closes the file.
    /// - Returns: the file's entry in the manifest.
    func finish(encoder: BlockEncoder) throws -> Manifest.FileEntry {
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
            let values = dict.distinct
            for v in values {
                total += v.count
                guard total <= Int(UInt32.max) - 1 else {
                    throw KuaiError(.usage, "dictionary of column \(name) exceeds 4 GiB", at: relPath)
                }
                raw.u32(UInt32(total))
            }
            for v in values { v.withBytes { raw.bytes.append(contentsOf: $0) } }
            guard raw.bytes.count <= Int(UInt32.max) else {
                throw KuaiError(.usage, "dictionary of column \(name) exceeds 4 GiB", at: relPath)
            }
            let (stored, comp) = BlockEncoder.compressBytes(raw.bytes)
            f.u32(UInt32(values.count))
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
        FaultInjection.step("column file footer write")
        let size = fileOffset + f.bytes.count + t.bytes.count
        if fsync(fd) != 0 { throw POSIX.ioError("fsync failed", fullPath) }
        FaultInjection.step("column file fsync")
        if close(fd) != 0 {
            fd = -1
            throw POSIX.ioError("close failed", fullPath)
        }
        fd = -1
        return Manifest.FileEntry(
            file: relPath, bytes: size, nullCount: nullCount, footerChecksum: POSIX.hex(footerSum),
            dictionarySize: type == .varchar ? dict.distinct.count : nil, zoneMaps: "footer")
    }

    /// Closes the file without finishing it (abort path).
    func closeQuietly() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
    }
}
