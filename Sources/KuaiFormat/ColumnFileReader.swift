import CLZ4
import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One entry of a column file's block index (Formats/column-file.md, "Footer"), parsed.
struct BlockEntry {
    var offset: Int
    var encoding: UInt8
    var compression: UInt8
    var flags: UInt8
    var rows: Int
    var nulls: Int
    var rawSize: Int
    var storedSize: Int
    var min: Int64
    var max: Int64
    var checksum: UInt64
}

/// What the manifest says a column file must contain; the reader checks the file against it.
struct ColumnExpectation {
    var type: DataType
    var generation: UInt64
    var blockRows: Int
    var rowCount: Int
    var blockCount: Int
    var bytes: Int
    var footerChecksum: UInt64
    var dictionarySize: Int?
}

/// A memory-mapped, validated column file. Opening checks header, tail, footer and block index
/// against the manifest; `read(block:)` checks the block's checksum before decoding.
/// Immutable after `open`; safe to share between threads.
final class ColumnFile: @unchecked Sendable {
    /// Path relative to the store, used in error locations ("click/user_id.col").
    let relPath: String
    let type: DataType
    let base: UnsafeRawPointer
    let size: Int
    let entries: [BlockEntry]
    /// The column dictionary (VARCHAR only).
    let dictionary: StringDictionary?
    /// The file's own descriptor (a duplicate of the one it was opened from): blocks are read
    /// with `pread` into reused buffers (`read(block:)`).
    private let fd: Int32

    private init(
        relPath: String, type: DataType, base: UnsafeRawPointer, size: Int, entries: [BlockEntry],
        dictionary: StringDictionary?, fd: Int32
    ) {
        self.relPath = relPath
        self.type = type
        self.base = base
        self.size = size
        self.entries = entries
        self.dictionary = dictionary
        self.fd = fd
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), size)
        close(fd)
    }

    /// The file's generation id is not the manifest's. `ColumnSlot` turns it into `.io` "store was
    /// replaced" when the store path now names another folder, else `.corrupt` (a folder mixing
    /// the files of two stores, e.g. half-copied): retrying cannot help then.
    struct GenerationMismatch: Error {
        var file: UInt64
        var manifest: UInt64
        var location: String
    }

    private static func corrupt(_ relPath: String, _ offset: Int, _ msg: String, block: Int? = nil) -> KuaiError {
        var loc = "\(relPath)@\(offset)"
        if let block { loc += " block \(block)" }
        return KuaiError(.corrupt, msg, at: loc)
    }

    /// Maps and validates the column file open at `fd` (the caller keeps ownership of `fd`).
    /// - Throws: `.corrupt` for bad or truncated bytes and disagreement with `expect`;
    ///   `.format` for a newer format version; `.io` when the file cannot be mapped;
    ///   `GenerationMismatch` for a file of another store generation.
    static func open(fd: Int32, relPath: String, expect: ColumnExpectation) throws -> ColumnFile {
        var st = stat()
        if fstat(fd, &st) != 0 { throw POSIX.ioError("cannot stat column file", relPath) }
        try POSIX.requireRegularFile(st, relPath)
        let size = Int(st.st_size)
        let minSize = FormatConstants.headerSize + FormatConstants.footerFixedSize + FormatConstants.tailSize
        if size < minSize {
            // Too short to hold even an empty column; still report a newer version if the header says so.
            if size >= FormatConstants.headerSize {
                var hdr = [UInt8](repeating: 0, count: FormatConstants.headerSize)
                if pread(fd, &hdr, hdr.count, 0) == hdr.count, Array(hdr[0..<8]) == FormatConstants.headerMagic {
                    let v = UInt16(hdr[8]) | UInt16(hdr[9]) << 8
                    if v > FormatConstants.formatVersion {
                        throw KuaiError(
                            .format,
                            "column file format version \(v) is newer than this kuai understands (\(FormatConstants.formatVersion))",
                            at: "\(relPath)@8")
                    }
                }
            }
            throw corrupt(relPath, size, "file is truncated: \(size) bytes, a column file has at least \(minSize)")
        }
        guard let m = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), m != MAP_FAILED else {
            throw POSIX.ioError("cannot map column file", relPath)
        }
        let p = UnsafeRawPointer(m)
        do {
            let (entries, dict) = try parse(p, size: size, relPath: relPath, expect: expect)
            let own = dup(fd)
            if own < 0 { throw POSIX.ioError("cannot duplicate the descriptor of column file", relPath) }
            return ColumnFile(
                relPath: relPath, type: expect.type, base: p, size: size, entries: entries, dictionary: dict, fd: own)
        } catch {
            munmap(m, size)
            throw error
        }
    }

    /// True when a checksum (or another value the fuzzer cannot forge: generation, file size, the manifest's
    /// footer checksum) disagrees with what it must equal. A fuzzing build (`-D KUAI_FUZZING`, Tools/fuzz.sh
    /// `--libfuzzer colfile`) accepts every such value so that mutated bytes reach the footer, block and
    /// dictionary decoders behind them; the decoders must then throw `KuaiError` or decode, never trap.
    @inline(__always) static func differs(_ computed: UInt64, _ stored: UInt64) -> Bool {
        #if KUAI_FUZZING
            return false
        #else
            return computed != stored
        #endif
    }

    @inline(__always) static func u16(_ p: UnsafeRawPointer, _ o: Int) -> UInt16 {
        UInt16(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt16.self))
    }
    @inline(__always) static func u32(_ p: UnsafeRawPointer, _ o: Int) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt32.self))
    }
    @inline(__always) static func u64(_ p: UnsafeRawPointer, _ o: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt64.self))
    }
    @inline(__always) static func i64(_ p: UnsafeRawPointer, _ o: Int) -> Int64 {
        Int64(littleEndian: p.loadUnaligned(fromByteOffset: o, as: Int64.self))
    }

    private static func parse(_ p: UnsafeRawPointer, size: Int, relPath: String, expect: ColumnExpectation) throws -> (
        [BlockEntry], StringDictionary?
    ) {
        typealias C = FormatConstants
        try checkHeader(p, size: size, relPath: relPath, expect: expect)
        let (fo, fl) = try footerRange(p, size: size, relPath: relPath, expect: expect)
        // Footer.
        if !memEqual(p + fo, C.footerMagic) { throw corrupt(relPath, fo, "bad footer magic") }
        let blockCount = Int(u32(p, fo + 4))
        let rowCount = u64(p, fo + 8)
        let nullTotal = u64(p, fo + 16)
        if blockCount != expect.blockCount {
            throw corrupt(relPath, fo + 4, "column file has \(blockCount) blocks, manifest says \(expect.blockCount)")
        }
        if rowCount != UInt64(expect.rowCount) {
            throw corrupt(relPath, fo + 8, "column file has \(rowCount) rows, manifest says \(expect.rowCount)")
        }
        let indexEnd = C.footerFixedSize + blockCount * C.blockIndexEntrySize
        guard indexEnd <= fl else {
            throw corrupt(relPath, fo, "block index of \(blockCount) blocks does not fit the footer")
        }
        var entries: [BlockEntry] = []
        entries.reserveCapacity(blockCount)
        var expectedOffset = C.headerSize
        var nulls = 0
        for b in 0..<blockCount {
            let entry = try blockEntry(
                p, b, footer: fo, startingAt: expectedOffset, relPath: relPath, expect: expect,
                version: u16(p, C.headerVersionOffset))
            expectedOffset += C.blockHeaderSize + C.aligned(entry.storedSize)
            nulls += entry.nulls
            entries.append(entry)
        }
        guard expectedOffset == fo else {
            throw corrupt(relPath, expectedOffset, "\(fo - expectedOffset) unexplained bytes before the footer")
        }
        guard UInt64(nulls) == nullTotal else {
            throw corrupt(relPath, fo + 16, "footer null count \(nullTotal) ≠ sum over blocks \(nulls)")
        }
        guard expect.type == .varchar else {
            if indexEnd != fl {
                throw corrupt(relPath, fo + indexEnd, "\(fl - indexEnd) unexplained bytes at the end of the footer")
            }
            return (entries, nil)
        }
        let dict = try parseDictionary(
            p, at: fo + indexEnd, end: fo + fl, relPath: relPath, expectCount: expect.dictionarySize)
        let n = Int64(dict.count)
        for (b, e) in entries.enumerated() where e.nulls < e.rows && e.encoding != C.encodingPlainStrings {
            guard e.min >= 0, e.min < n, e.max >= 0, e.max < n else {
                throw corrupt(
                    relPath, e.offset + C.bhMin,
                    "zone map codes \(e.min)...\(e.max) outside the dictionary of \(n)", block: b)
            }
        }
        return (entries, dict)
    }

    /// Checks the header (Formats/column-file.md, "Header") against the manifest's expectation.
    private static func checkHeader(_ p: UnsafeRawPointer, size: Int, relPath: String, expect: ColumnExpectation)
        throws
    {
        typealias C = FormatConstants
        if !memEqual(p, C.headerMagic) { throw corrupt(relPath, 0, "not a kuai column file (bad magic)") }
        let version = u16(p, C.headerVersionOffset)
        if version > C.formatVersion {
            throw KuaiError(
                .format,
                "column file format version \(version) is newer than this kuai understands (\(C.formatVersion))",
                at: "\(relPath)@\(C.headerVersionOffset)")
        }
        if version < C.oldestReadableVersion {
            throw corrupt(relPath, C.headerVersionOffset, "format version \(version) is invalid")
        }
        if differs(XXH64.hash(p, C.headerChecksumOffset), u64(p, C.headerChecksumOffset)) {
            throw corrupt(relPath, C.headerChecksumOffset, "header checksum mismatch")
        }
        let generation = u64(p, C.headerGenerationOffset)
        if differs(generation, expect.generation) {
            throw GenerationMismatch(
                file: generation, manifest: expect.generation, location: "\(relPath)@\(C.headerGenerationOffset)")
        }
        let typeId = p.load(fromByteOffset: C.headerTypeOffset, as: UInt8.self)
        if typeId != expect.type.rawValue {
            let t = DataType(rawValue: typeId).map { "\($0)" } ?? "unknown type id \(typeId)"
            throw corrupt(relPath, C.headerTypeOffset, "column file holds \(t), manifest says \(expect.type)")
        }
        let blockRows = Int(u32(p, C.headerBlockRowsOffset))
        if blockRows != expect.blockRows {
            throw corrupt(
                relPath, C.headerBlockRowsOffset,
                "column file has \(blockRows) rows per block, manifest says \(expect.blockRows)")
        }
        if differs(UInt64(size), UInt64(expect.bytes)) {
            throw corrupt(
                relPath, size,
                "column file is \(size) bytes, manifest says \(expect.bytes)"
                    + (size < expect.bytes ? " (truncated)" : ""))
        }
    }

    /// The footer's offset and length from the tail (Formats/column-file.md, "Tail"), after checking the end
    /// magic and the footer checksum against the tail and the manifest.
    private static func footerRange(_ p: UnsafeRawPointer, size: Int, relPath: String, expect: ColumnExpectation)
        throws -> (offset: Int, length: Int)
    {
        typealias C = FormatConstants
        let tail = size - C.tailSize
        if !memEqual(p + (size - 8), C.tailMagic) {
            throw corrupt(relPath, size - 8, "no end magic: the file is truncated or damaged")
        }
        let footerOffset = u64(p, tail)
        let footerLength = u64(p, tail + 8)
        guard footerOffset >= UInt64(C.headerSize), footerLength >= UInt64(C.footerFixedSize),
            footerOffset <= UInt64(tail), footerLength == UInt64(tail) - footerOffset
        else {
            throw corrupt(relPath, tail, "footer offset \(footerOffset) and length \(footerLength) do not fit the file")
        }
        let fo = Int(footerOffset)
        let fl = Int(footerLength)
        let footerSum = XXH64.hash(p + fo, fl)
        if differs(footerSum, u64(p, tail + 16)) { throw corrupt(relPath, fo, "footer checksum mismatch") }
        if differs(footerSum, expect.footerChecksum) {
            throw corrupt(
                relPath, fo,
                "footer checksum \(POSIX.hex(footerSum)) differs from the manifest's \(POSIX.hex(expect.footerChecksum)): file and manifest are not of one store"
            )
        }
        return (fo, fl)
    }

    /// Block index entry `b` of the footer at `fo`, checked: it must start at `expectedOffset` (blocks are
    /// contiguous), hold the rows the manifest implies, and have a consistent null count, flags, number,
    /// raw size, encoding and compression (Formats/column-file.md, "Block header").
    private static func blockEntry(
        _ p: UnsafeRawPointer, _ b: Int, footer fo: Int, startingAt expectedOffset: Int, relPath: String,
        expect: ColumnExpectation, version: UInt16
    ) throws -> BlockEntry {
        typealias C = FormatConstants
        let e = fo + C.footerFixedSize + b * C.blockIndexEntrySize
        let h = e + 8
        let off = u64(p, e)
        let entry = BlockEntry(
            offset: Int(truncatingIfNeeded: off),
            encoding: p.load(fromByteOffset: h + C.bhEncoding, as: UInt8.self),
            compression: p.load(fromByteOffset: h + C.bhCompression, as: UInt8.self),
            flags: p.load(fromByteOffset: h + C.bhFlags, as: UInt8.self),
            rows: Int(u32(p, h + C.bhRowCount)),
            nulls: Int(u32(p, h + C.bhNullCount)),
            rawSize: Int(u32(p, h + C.bhRawSize)),
            storedSize: Int(u32(p, h + C.bhStoredSize)),
            min: i64(p, h + C.bhMin),
            max: i64(p, h + C.bhMax),
            checksum: u64(p, h + C.bhChecksum))
        func fail(_ at: Int, _ message: String) -> KuaiError { corrupt(relPath, at, message, block: b) }
        guard off == UInt64(expectedOffset) else {
            throw fail(e, "block \(b) starts at \(off), expected \(expectedOffset)")
        }
        let wantRows = min(expect.blockRows, expect.rowCount - b * expect.blockRows)
        guard wantRows >= 1, entry.rows == wantRows else {
            throw fail(h + C.bhRowCount, "block has \(entry.rows) rows, expected \(wantRows)")
        }
        guard entry.nulls <= entry.rows else {
            throw fail(h + C.bhNullCount, "null count \(entry.nulls) exceeds row count")
        }
        guard (entry.flags & C.blockFlagValidity != 0) == (entry.nulls > 0) else {
            throw fail(h + C.bhFlags, "block flags \(entry.flags) disagree with its null count \(entry.nulls)")
        }
        guard Int(u32(p, h + C.bhBlockIndex)) == b else {
            throw fail(h + C.bhBlockIndex, "block index entry \(b) is numbered \(u32(p, h + C.bhBlockIndex))")
        }
        if let problem = checkEncoding(entry, type: expect.type, version: version) {
            throw fail(h + C.bhEncoding, problem)
        }
        switch entry.compression {
        case C.compressionNone:
            guard entry.storedSize == entry.rawSize else {
                throw fail(
                    h + C.bhStoredSize,
                    "uncompressed block with stored size \(entry.storedSize) ≠ raw size \(entry.rawSize)")
            }
        case C.compressionLZ4:
            break
        default:
            throw fail(h + C.bhCompression, "unknown compression \(entry.compression)")
        }
        guard expectedOffset + C.blockHeaderSize + C.aligned(entry.storedSize) <= fo else {
            throw fail(h + C.bhStoredSize, "block runs past the footer")
        }
        return entry
    }

    /// Why a block's encoding, flags and raw size do not fit the column type and the file version
    /// (Formats/column-file.md, "Block header", "Encodings"); nil when they do.
    private static func checkEncoding(_ e: BlockEntry, type: DataType, version: UInt16) -> String? {
        typealias C = FormatConstants
        let extra = e.flags & ~C.blockFlagValidity
        let noZone = extra & C.blockFlagNoZoneMap != 0
        let bounds = extra & C.blockFlagStringBounds != 0
        if version < 2 && extra != 0 || version < 3 && extra & C.blockFlagXXH3 != 0 || extra & ~C.blockFlagsKnown != 0
            || (noZone && bounds)
        {
            return "block flags \(e.flags) are not valid in a version \(version) file"
        }
        let valid: Bool
        let maxRaw: Int
        switch e.encoding {
        case C.encodingFORBytes, C.encodingFORBitPack, C.encodingDeltaBitPack:
            valid = type != .double && !noZone && !bounds
            maxRaw = C.maxRawPayload(rows: e.rows)
        case C.encodingPlainDouble:
            valid = type == .double && !noZone && !bounds
            maxRaw = C.maxRawPayload(rows: e.rows)
        case C.encodingInt128:
            valid = version >= 2 && type.mayBeWide && noZone
            maxRaw = C.maxRawInt128Payload(rows: e.rows)
        case C.encodingPlainStrings:
            valid = version >= 2 && type == .varchar && (e.nulls == e.rows || noZone || bounds)
            maxRaw = C.maxRawStringPayload(rows: e.rows)
        default:
            valid = false
            maxRaw = 0
        }
        if !valid { return "encoding \(e.encoding) with flags \(e.flags) is not valid for \(type)" }
        if e.rawSize > maxRaw { return "raw payload size \(e.rawSize) is impossible for \(e.rows) rows" }
        if bounds {
            guard let lo = StringBound.string(e.min), let hi = StringBound.string(e.max),
                !StringDictionary.less(hi, lo)
            else { return "string zone map bounds are not UTF-8 in order" }
        }
        return nil
    }

    private static func parseDictionary(_ p: UnsafeRawPointer, at d: Int, end: Int, relPath: String, expectCount: Int?)
        throws -> StringDictionary
    {
        typealias C = FormatConstants
        guard d + C.dictionaryHeaderSize <= end else {
            throw corrupt(relPath, d, "dictionary header runs past the footer")
        }
        let count = Int(u32(p, d))
        let rawSize = Int(u32(p, d + 4))
        let storedSize = Int(u32(p, d + 8))
        let comp = p.load(fromByteOffset: d + 12, as: UInt8.self)
        let sum = u64(p, d + 16)
        // Bytes 13..<16 are zero (spec section 10, "Dictionary section").
        guard p.load(fromByteOffset: d + 13, as: UInt8.self) == 0, p.load(fromByteOffset: d + 14, as: UInt8.self) == 0,
            p.load(fromByteOffset: d + 15, as: UInt8.self) == 0
        else {
            throw corrupt(relPath, d + 13, "dictionary header padding is not zero")
        }
        let data = d + C.dictionaryHeaderSize
        guard data + storedSize == end else {
            throw corrupt(relPath, d + 8, "dictionary of \(storedSize) stored bytes does not end at the footer's end")
        }
        if let expectCount, expectCount != count {
            throw corrupt(relPath, d, "dictionary has \(count) strings, manifest says \(expectCount)")
        }
        guard !differs(XXH64.hash(p + data, storedSize), sum) else {
            throw corrupt(relPath, d + 16, "dictionary checksum mismatch")
        }
        guard rawSize >= 4 * (count + 1) else {
            throw corrupt(relPath, d + 4, "dictionary raw size \(rawSize) too small for \(count) strings")
        }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(rawSize, 1), alignment: 8)
        defer { raw.deallocate() }
        switch comp {
        case C.compressionNone:
            guard storedSize == rawSize else {
                throw corrupt(relPath, d + 8, "uncompressed dictionary with stored size ≠ raw size")
            }
            raw.copyMemory(from: p + data, byteCount: rawSize)
        case C.compressionLZ4:
            let n = LZ4_decompress_safe(
                (p + data).assumingMemoryBound(to: CChar.self), raw.assumingMemoryBound(to: CChar.self),
                Int32(storedSize), Int32(rawSize))
            guard n == Int32(rawSize) else {
                throw corrupt(relPath, data, "dictionary does not decompress to \(rawSize) bytes")
            }
        default:
            throw corrupt(relPath, d + 12, "unknown dictionary compression \(comp)")
        }
        let bytesStart = 4 * (count + 1)
        let byteLen = rawSize - bytesStart
        var values: [String] = []
        values.reserveCapacity(count)
        var prev = Int(u32(raw, 0))
        guard prev == 0 else { throw corrupt(relPath, data, "dictionary offsets do not start at 0") }
        for i in 0..<count {
            let next = Int(u32(raw, 4 * (i + 1)))
            guard next >= prev, next <= byteLen else {
                throw corrupt(relPath, data, "dictionary offset \(i + 1) out of range")
            }
            let s = String(
                decoding: UnsafeRawBufferPointer(start: raw + bytesStart + prev, count: next - prev), as: UTF8.self)
            values.append(s)
            prev = next
        }
        guard prev == byteLen else {
            throw corrupt(relPath, data, "dictionary has \(byteLen - prev) unexplained bytes")
        }
        return StringDictionary(values)
    }

    private static func memEqual(_ p: UnsafeRawPointer, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { memcmp(p, $0.baseAddress!, bytes.count) == 0 }
    }

    /// The zone map of `block` from the footer copy of its header (no decompression); nil when the
    /// block has none.
    func zoneMap(_ block: Int) -> ZoneMap? {
        let e = entries[block]
        if e.nulls == e.rows { return ZoneMap(rowCount: e.rows, nullCount: e.nulls, min: .null, max: .null) }
        if e.flags & FormatConstants.blockFlagNoZoneMap != 0 { return nil }
        let lo: Value
        let hi: Value
        switch type {
        case .double:
            lo = .double(Double(bitPattern: UInt64(bitPattern: e.min)))
            hi = .double(Double(bitPattern: UInt64(bitPattern: e.max)))
        case .varchar:
            if e.flags & FormatConstants.blockFlagStringBounds != 0 {
                guard let a = StringBound.string(e.min), let b = StringBound.string(e.max) else { return nil }
                lo = .string(a)
                hi = .string(b)
            } else {
                lo = .string(dictionary![Int32(e.min)])
                hi = .string(dictionary![Int32(e.max)])
            }
        case .boolean:
            lo = .bool(e.min != 0)
            hi = .bool(e.max != 0)
        default:
            lo = .int(e.min)
            hi = .int(e.max)
        }
        return ZoneMap(rowCount: e.rows, nullCount: e.nulls, min: lo, max: hi)
    }

    /// Verifies and decodes `block` into a `Column` of `type`.
    ///
    /// The block's bytes are read with `pread` into a reused buffer, not through the mapping:
    /// touching mapped pages costs a page fault each, and giving them back (so that a scan does
    /// not count every page it read as its memory) makes the kernel interrupt every other thread
    /// to flush its address translations. Uncompressed plain strings are decoded in the mapping
    /// itself (their views point into it).
    /// - Throws: `KuaiError.corrupt` at "<file>@<offset> block <n>" for any disagreement; `.io`
    ///   when the bytes cannot be read.
    func read(block b: Int) throws -> Column {
        typealias C = FormatConstants
        let e = entries[b]
        if e.compression != C.compressionLZ4 && e.encoding == C.encodingPlainStrings {
            try verify(base + e.offset, e, block: b)
            return try decodeBlock(base + e.offset + C.blockHeaderSize, e, owner: self, block: b)
        }
        return try withVerifiedBlock(b) { payload in
            if e.compression != C.compressionLZ4 { return try decodeBlock(payload, e, owner: nil, block: b) }
            if e.encoding == C.encodingPlainStrings {
                // Views point into the decompressed bytes: decompress into a heap the column owns.
                let heap = StringHeap()
                let raw = UnsafeMutableRawPointer(heap.allocate(max(e.rawSize, 1)))
                return try decompressBlock(payload, into: raw, e, owner: heap, block: b)
            }
            let scratch = ScratchPool.shared.take(e.rawSize)
            defer { ScratchPool.shared.give(scratch) }
            return try decompressBlock(payload, into: scratch.pointer, e, owner: nil, block: b)
        }
    }

    /// Reads block `b` (header, payload, padding) with `pread` into a reused buffer, verifies it
    /// (`verify`) and calls `body` with its stored payload, valid only during the call.
    /// - Throws: `.io` when the bytes cannot be read, `.corrupt` as `verify`, and what `body` throws.
    private func withVerifiedBlock<R>(_ b: Int, _ body: (UnsafeRawPointer) throws -> R) throws -> R {
        typealias C = FormatConstants
        let e = entries[b]
        let span = C.blockHeaderSize + C.aligned(e.storedSize)
        let stored = ScratchPool.shared.take(span)
        defer { ScratchPool.shared.give(stored) }
        try POSIX.preadAll(fd, stored.pointer, span, at: e.offset, path: relPath)
        let block = UnsafeRawPointer(stored.pointer)
        try verify(block, e, block: b)
        return try body(block + C.blockHeaderSize)
    }

    /// `read(block: b).gather(rows)` (`rows` ascending, each below the block's row count). A block
    /// of an integer type with no further value check (not BOOLEAN, TINYINT or SMALLINT), stored
    /// without compression in a frame-of-reference encoding, is verified as `read` verifies it,
    /// then only the listed rows are decoded (`BlockDecoder.decodeIntsAt`); other blocks are
    /// decoded whole and gathered.
    /// - Throws: as `read(block:)`.
    func read(block b: Int, rows: UnsafeBufferPointer<Int32>) throws -> Column {
        typealias C = FormatConstants
        let e = entries[b]
        guard Self.decodesListedRows(type), e.compression != C.compressionLZ4,
            e.encoding == C.encodingFORBytes || e.encoding == C.encodingFORBitPack
        else { return try read(block: b).gather(rows) }
        return try withVerifiedBlock(b) { payload in
            do throws(DecodeFailure) {
                return try decodeListedRows(payload, e, rows)
            } catch {
                throw Self.corrupt(relPath, e.offset + C.blockHeaderSize, error.message, block: b)
            }
        }
    }

    /// Block `b` to decode a range of rows at a time (`IntBlockChunks`) when its type is one
    /// `read(block:rows:)` decodes in part (`decodesListedRows`) and its encoding is
    /// frame-of-reference or delta; nil for other blocks. The block is read (`inPlace`: in the
    /// file's mapping, else copied into a pooled buffer), verified as `read` verifies it and
    /// decompressed here (into a pooled buffer); the chunks hold the buffers until released.
    /// - Throws: as `read(block:)`.
    func chunks(block b: Int, inPlace: Bool) throws -> BlockChunks? {
        typealias C = FormatConstants
        let e = entries[b]
        guard Self.decodesListedRows(type),
            e.encoding == C.encodingFORBytes || e.encoding == C.encodingFORBitPack
                || e.encoding == C.encodingDeltaBitPack
        else { return nil }
        let span = C.blockHeaderSize + C.aligned(e.storedSize)
        // 8 bytes of slack: a bit-packed range that starts inside a word reads its last word whole
        // (in the mapping, the footer always follows the last block)
        var buffers: [ScratchPool.Buffer] = []
        do {
            let block: UnsafeRawPointer
            if inPlace {
                block = base + e.offset
            } else {
                buffers.append(ScratchPool.shared.take(span + 8))
                try POSIX.preadAll(fd, buffers[0].pointer, span, at: e.offset, path: relPath)
                block = UnsafeRawPointer(buffers[0].pointer)
            }
            try verify(block, e, block: b)
            var raw = block + C.blockHeaderSize
            if e.compression == C.compressionLZ4 {
                let out = ScratchPool.shared.take(e.rawSize + 8)
                buffers.append(out)
                try decompress(raw, into: out.pointer, e, block: b)
                raw = UnsafeRawPointer(out.pointer)
            }
            let layout: IntBlockChunks.Layout
            let validity: [UInt8]?
            do throws(DecodeFailure) {
                let (v, off) = try Self.validityPrefix(raw, e)
                validity = v
                layout = try IntBlockChunks.Layout(raw + off, size: e.rawSize - off, encoding: e.encoding, rows: e.rows)
            } catch {
                throw Self.corrupt(relPath, e.offset + C.blockHeaderSize, error.message, block: b)
            }
            return IntBlockChunks(type: type, layout: layout, validity: validity, buffers: buffers, file: self)
        } catch {
            for buffer in buffers { ScratchPool.shared.give(buffer) }
            throw error
        }
    }

    /// Types whose blocks `read(block:rows:)` decodes row by row: integer-stored types whose
    /// values need no check over the whole block (BOOLEAN, TINYINT and SMALLINT blocks are
    /// range-checked value by value when decoded whole).
    private static func decodesListedRows(_ type: DataType) -> Bool {
        switch type {
        case .integer, .bigint, .date, .timestamp, .timestamptz, .time: return true
        case .decimal(let p, _): return p <= 18
        default: return false
        }
    }

    /// The rows `rows` of an uncompressed integer block's raw payload `raw`.
    private func decodeListedRows(_ raw: UnsafeRawPointer, _ e: BlockEntry, _ rows: UnsafeBufferPointer<Int32>)
        throws(DecodeFailure) -> Column
    {
        let (all, off) = try Self.validityPrefix(raw, e)
        let validity = all.map { all in rows.map { all[Int($0)] } }
        var values = try BlockDecoder.decodeIntsAt(
            raw + off, size: e.rawSize - off, encoding: e.encoding, rows: e.rows, at: rows)
        if let v = validity {
            values.withUnsafeMutableBufferPointer { o in for i in 0..<o.count where v[i] == 0 { o[i] = 0 } }
        }
        return Column(type: type, ints: values, validity: validity)
    }

    /// The validity of a block's rows (nil when it has no NULL) read from the bitmap that starts its
    /// raw payload `raw`, and the bitmap's bytes (where the values start; 0 without NULLs).
    private static func validityPrefix(_ raw: UnsafeRawPointer, _ e: BlockEntry) throws(DecodeFailure) -> (
        validity: [UInt8]?, bytes: Int
    ) {
        guard e.nulls > 0 else { return (nil, 0) }
        let bm = FormatConstants.paddedBitmapBytes(e.rows)
        guard e.rawSize >= bm else { throw DecodeFailure(message: "payload shorter than its validity bitmap") }
        return (try BlockDecoder.readValidity(raw, rows: e.rows, nullCount: e.nulls), bm)
    }

    /// Checks block `b` whose bytes (header, payload, padding) start at `block` against its
    /// footer copy, its checksum and its zero padding.
    private func verify(_ block: UnsafeRawPointer, _ e: BlockEntry, block b: Int) throws {
        typealias C = FormatConstants
        let h = e.offset
        // The block header in the body must equal its footer copy (both are covered by checksums).
        if memcmp(block, footerEntryHeader(b), C.blockHeaderSize) != 0 {
            throw Self.corrupt(relPath, h, "block header differs from its copy in the footer", block: b)
        }
        let headSum = XXH64.hash(block, C.bhChecksum)
        let payload = block + C.blockHeaderSize
        let sum =
            e.flags & C.blockFlagXXH3 != 0
            ? XXH3.hash(payload, e.storedSize, seed: headSum) : XXH64.hash(payload, e.storedSize, seed: headSum)
        if Self.differs(sum, e.checksum) {
            throw Self.corrupt(relPath, h, "block checksum mismatch", block: b)
        }
        let used = C.blockHeaderSize + e.storedSize
        for i in used..<(C.blockHeaderSize + C.aligned(e.storedSize))
        where block.load(fromByteOffset: i, as: UInt8.self) != 0 {
            throw Self.corrupt(relPath, h + i, "non-zero padding after the block payload", block: b)
        }
    }

    /// Decompresses block `b`'s LZ4 `payload` into `raw` (`e.rawSize` bytes) and decodes it.
    private func decompressBlock(
        _ payload: UnsafeRawPointer, into raw: UnsafeMutableRawPointer, _ e: BlockEntry, owner: StringOwner?,
        block b: Int
    ) throws -> Column {
        try decompress(payload, into: raw, e, block: b)
        return try decodeBlock(UnsafeRawPointer(raw), e, owner: owner, block: b)
    }

    /// Decompresses block `b`'s LZ4 `payload` into `raw` (`e.rawSize` bytes).
    /// - Throws: `KuaiError.corrupt` at the payload when it does not give exactly `e.rawSize` bytes.
    private func decompress(
        _ payload: UnsafeRawPointer, into raw: UnsafeMutableRawPointer, _ e: BlockEntry, block b: Int
    )
        throws
    {
        let n = LZ4_decompress_safe(
            payload.assumingMemoryBound(to: CChar.self), raw.assumingMemoryBound(to: CChar.self),
            Int32(e.storedSize), Int32(e.rawSize))
        if n != Int32(e.rawSize) {
            throw Self.corrupt(
                relPath, e.offset + FormatConstants.blockHeaderSize,
                "LZ4 payload does not decompress to \(e.rawSize) bytes", block: b)
        }
    }

    /// Decodes block `b` from its raw bytes; a failure is a corrupt error at the block's payload.
    private func decodeBlock(_ raw: UnsafeRawPointer, _ e: BlockEntry, owner: StringOwner?, block b: Int) throws
        -> Column
    {
        do {
            return try decode(raw, e, owner: owner)
        } catch {
            throw Self.corrupt(relPath, e.offset + FormatConstants.blockHeaderSize, error.message, block: b)
        }
    }

    private func footerEntryHeader(_ b: Int) -> UnsafeRawPointer {
        let fo = Int(Self.u64(base, size - FormatConstants.tailSize))
        return base + fo + FormatConstants.footerFixedSize + b * FormatConstants.blockIndexEntrySize + 8
    }

    private func decode(_ raw: UnsafeRawPointer, _ e: BlockEntry, owner: StringOwner?) throws(DecodeFailure) -> Column {
        let rows = e.rows
        let (validity, off) = try Self.validityPrefix(raw, e)
        let body = raw + off
        let bodySize = e.rawSize - off
        if e.encoding == FormatConstants.encodingPlainStrings {
            return try BlockDecoder.decodePlainStrings(
                body, size: bodySize, rows: rows, validity: validity, owner: owner ?? self)
        }
        if e.encoding == FormatConstants.encodingInt128 {
            var c = try BlockDecoder.decodeInt128(body, size: bodySize, rows: rows, validity: validity)
            c.type = type
            return c
        }
        switch type {
        case .double:
            guard bodySize == rows * 8 else {
                throw DecodeFailure(message: "payload is \(bodySize) bytes, expected \(rows * 8) for \(rows) doubles")
            }
            var values = [Double](unsafeUninitializedCapacity: rows) { o, n in
                for i in 0..<rows {
                    o[i] = Double(
                        bitPattern: UInt64(littleEndian: body.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self)))
                }
                n = rows
            }
            if let v = validity {
                values.withUnsafeMutableBufferPointer { o in for i in 0..<rows where v[i] == 0 { o[i] = 0 } }
            }
            return Column(doubles: values, validity: validity)
        case .varchar:
            let tmp = UnsafeMutablePointer<Int64>.allocate(capacity: max(rows, 1))
            defer { tmp.deallocate() }
            try BlockDecoder.decodeInts(body, size: bodySize, encoding: e.encoding, rows: rows, into: tmp)
            let limit = Int64(max(dictionary!.count, 1))
            var bad = false
            var codes = [Int32](unsafeUninitializedCapacity: rows) { o, n in
                for i in 0..<rows {
                    let c = tmp[i]
                    bad = bad || (c < 0 || c >= limit)
                    o[i] = Int32(truncatingIfNeeded: c)
                }
                n = rows
            }
            if bad {
                throw DecodeFailure(message: "dictionary code outside the dictionary of \(dictionary!.count) strings")
            }
            if let v = validity {
                codes.withUnsafeMutableBufferPointer { o in for i in 0..<rows where v[i] == 0 { o[i] = 0 } }
            }
            return Column(codes: codes, dictionary: dictionary!, validity: validity)
        default:
            var failure: DecodeFailure? = nil
            var values = [Int64](unsafeUninitializedCapacity: rows) { o, n in
                do throws(DecodeFailure) {
                    try BlockDecoder.decodeInts(
                        body, size: bodySize, encoding: e.encoding, rows: rows, into: o.baseAddress!)
                    n = rows
                } catch {
                    failure = error
                    n = 0
                }
            }
            if let failure { throw failure }
            if let v = validity {
                values.withUnsafeMutableBufferPointer { o in for i in 0..<rows where v[i] == 0 { o[i] = 0 } }
            }
            if type == .boolean {
                var bad = false
                values.withUnsafeBufferPointer { o in for x in o { bad = bad || (x != 0 && x != 1) } }
                if bad { throw DecodeFailure(message: "BOOLEAN value other than 0 or 1") }
            } else if type == .tinyint || type == .smallint {
                // Formats/column-file.md, section 3: a value outside the type's range is corrupt.
                let spare = Int64(64 - type.integerBits!)
                var outside: Int64 = 0
                values.withUnsafeBufferPointer { o in for x in o { outside |= x ^ ((x << spare) >> spare) } }
                if outside != 0 { throw DecodeFailure(message: "\(type) value out of range") }
            }
            return Column(type: type, ints: values, validity: validity)
        }
    }
}

/// One verified block of an integer column in a frame-of-reference or delta encoding, decoded a
/// range of rows at a time (`BlockChunks`; `ColumnFile.chunks(block:inPlace:)`). It holds the
/// pooled buffers of the block's bytes, giving them back when released, and the column file
/// (whose mapping a block read in place lies in).
final class IntBlockChunks: BlockChunks {
    /// Where the encoded values are and how to read them, after the checks of a whole-block decode
    /// (`BlockDecoder.frameOfReference`, `BlockDecoder.deltaPrefix`).
    struct Layout {
        let encoding: UInt8
        /// The packed values (after the encoding's prefix).
        let values: UnsafeRawPointer
        /// Frame of reference: the base; delta: the first value.
        let base: Int64
        /// Bytes per value (frame-of-reference bytes) or bits per value (the bit-packed encodings).
        let width: Int
        /// Delta: the smallest delta, added to every packed one.
        let minDelta: Int64

        /// - Throws: `DecodeFailure` as `BlockDecoder.decodeInts` for the same payload.
        init(_ p: UnsafeRawPointer, size: Int, encoding: UInt8, rows: Int) throws(DecodeFailure) {
            typealias C = FormatConstants
            self.encoding = encoding
            if encoding == C.encodingDeltaBitPack {
                (base, minDelta, width) = try BlockDecoder.deltaPrefix(p, size: size, rows: rows)
                values = p + C.deltaPrefixSize
            } else {
                (base, width) = try BlockDecoder.frameOfReference(p, size: size, encoding: encoding, rows: rows)
                minDelta = 0
                values = p + C.forPrefixSize
            }
        }
    }

    let type: DataType
    let layout: Layout
    /// The block's validity (nil: no NULL).
    let validity: [UInt8]?
    let buffers: [ScratchPool.Buffer]
    let file: ColumnFile
    /// Delta: the value of the row before the next range.
    private var previous: Int64 = 0

    init(type: DataType, layout: Layout, validity: [UInt8]?, buffers: [ScratchPool.Buffer], file: ColumnFile) {
        self.type = type
        self.layout = layout
        self.validity = validity
        self.buffers = buffers
        self.file = file
    }

    deinit { for buffer in buffers { ScratchPool.shared.give(buffer) } }

    func read(_ start: Int, _ count: Int) -> Column {
        var values = [Int64](unsafeUninitializedCapacity: count) { o, n in
            if count > 0 { decode(start, count, into: o.baseAddress!) }
            n = count
        }
        guard let all = validity else { return Column(type: type, ints: values) }
        let v = Array(all[start..<(start + count)])
        values.withUnsafeMutableBufferPointer { o in for i in 0..<count where v[i] == 0 { o[i] = 0 } }
        return Column(type: type, ints: values, validity: v)
    }

    /// Rows `start..<start + count` (`count` ≥ 1, `start` a multiple of 8, so that a bit-packed
    /// range starts on a byte).
    private func decode(_ start: Int, _ count: Int, into out: UnsafeMutablePointer<Int64>) {
        typealias C = FormatConstants
        let (d, base, width) = (layout.values, layout.base, layout.width)
        switch layout.encoding {
        case C.encodingFORBytes:
            BlockDecoder.unpackBytes(d + start &* width, count: count, width: width, base: base, into: out)
        case C.encodingFORBitPack:
            BitPacking.unpackFOR(d + (start &* width) &>> 3, count: count, bits: width, base: base, into: out)
        default:
            // delta: row r is row r-1 plus minDelta plus packed delta r-1
            var first = base
            if start > 0 {
                let mask: UInt64 = width == 64 ? ~0 : (1 &<< UInt64(width)) &- 1
                let packed = width == 0 ? 0 : BitPacking.value(d, at: start &- 1, bits: width) & mask
                first = previous &+ layout.minDelta &+ Int64(bitPattern: packed)
            }
            BitPacking.unpackDelta(
                d + (start &* width) &>> 3, count: count, bits: width, first: first, minDelta: layout.minDelta,
                into: out)
            previous = out[count &- 1]
        }
    }
}

/// Reusable decompression buffers (one in use per decoding thread), so that decoding a block
/// does not allocate and page-fault a fresh buffer each time.
final class ScratchPool: @unchecked Sendable {
    static let shared = ScratchPool()
    final class Buffer {
        let pointer: UnsafeMutableRawPointer
        let capacity: Int
        init(_ capacity: Int) {
            self.capacity = capacity
            pointer = .allocate(byteCount: capacity, alignment: 16)
        }
        deinit { pointer.deallocate() }
    }
    private var free: [Buffer] = []
    private let lock = Mutex()
    private let standard = FormatConstants.maxRawPayload(rows: FormatConstants.blockRows)

    func take(_ bytes: Int) -> Buffer {
        if bytes <= standard, let b = lock.withLock({ free.popLast() }) { return b }
        return Buffer(max(bytes, standard, 8))
    }

    func give(_ b: Buffer) {
        guard b.capacity == standard else { return }
        lock.withLock { if free.count < 8 { free.append(b) } }
    }
}
