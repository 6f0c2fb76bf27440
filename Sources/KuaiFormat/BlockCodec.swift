import CLZ4
import KuaiCore

/// An encoded block payload. `stored` points into the encoder's scratch memory and is valid
/// until the encoder's next call.
struct EncodedPayload {
    var encoding: UInt8
    var compression: UInt8
    var rawSize: Int
    var stored: UnsafeRawBufferPointer
}

/// Encodes block payloads (Formats/column-file.md, "Encodings"). Tries every applicable
/// integer encoding, compresses each with LZ4 and keeps the smallest stored form.
/// Not thread-safe: one encoder per thread (see `EncoderPool`).
final class BlockEncoder: @unchecked Sendable {
    let capacityRows: Int
    let rawCapacity: Int
    let lzCapacity: Int
    private let cand: [UnsafeMutableRawPointer]
    private var lz: [UnsafeMutableRawPointer]
    private let offsets: UnsafeMutablePointer<UInt64>

    init(capacityRows: Int = FormatConstants.blockRows) {
        self.capacityRows = capacityRows
        let rawCap = FormatConstants.maxRawPayload(rows: capacityRows)
        let lzCap = Int(LZ4_compressBound(Int32(rawCap)))
        rawCapacity = rawCap
        lzCapacity = lzCap
        cand = (0..<3).map { _ in UnsafeMutableRawPointer.allocate(byteCount: rawCap, alignment: 16) }
        lz = (0..<2).map { _ in UnsafeMutableRawPointer.allocate(byteCount: lzCap, alignment: 16) }
        offsets = .allocate(capacity: capacityRows)
    }

    deinit {
        for p in cand { p.deallocate() }
        for p in lz { p.deallocate() }
        offsets.deallocate()
    }

    /// Writes the validity bitmap (bit i set = row i valid), padded with zero bytes to a
    /// multiple of 8. Returns the padded size.
    static func writeBitmap(_ validity: UnsafePointer<UInt8>, rows: Int, into out: UnsafeMutableRawPointer) -> Int {
        let size = FormatConstants.paddedBitmapBytes(rows)
        let b = out.assumingMemoryBound(to: UInt8.self)
        b.initialize(repeating: 0, count: size)
        for i in 0..<rows where validity[i] != 0 {
            b[i &>> 3] |= UInt8(1) &<< UInt8(i & 7)
        }
        return size
    }

    @inline(__always)
    private static func putI64(_ p: UnsafeMutableRawPointer, _ at: Int, _ v: Int64) {
        p.storeBytes(of: v.littleEndian, toByteOffset: at, as: Int64.self)
    }

    /// Writes the 16-byte FOR prefix: base, width, 7 zero bytes.
    private static func putPrefix(_ p: UnsafeMutableRawPointer, _ at: Int, base: Int64, width: Int) {
        putI64(p, at, base)
        p.storeBytes(of: UInt64(UInt8(width)).littleEndian, toByteOffset: at + 8, as: UInt64.self)
    }

    /// Encodes `rows` integers (dictionary codes for VARCHAR). Values under NULL must already be
    /// filled with a neighbouring valid value (or 0) so they do not widen the ranges.
    func encodeInts(_ v: UnsafePointer<Int64>, rows: Int, validity: UnsafePointer<UInt8>?) -> EncodedPayload {
        precondition(rows > 0 && rows <= capacityRows)
        var bm = 0
        if let validity { bm = Self.writeBitmap(validity, rows: rows, into: cand[0]) }
        var mn = v[0]
        var mx = v[0]
        var dmn = Int64.max
        var dmx = Int64.min
        var prev = v[0]
        for i in 1..<max(rows, 1) {
            let x = v[i]
            if x < mn { mn = x }
            if x > mx { mx = x }
            let d = x &- prev
            if d < dmn { dmn = d }
            if d > dmx { dmx = d }
            prev = x
        }
        let bits = BitPacking.bitWidth(UInt64(bitPattern: mx &- mn))
        let dbits = rows >= 2 ? BitPacking.bitWidth(UInt64(bitPattern: dmx &- dmn)) : 64
        // Candidates in order of preference on equal size: FOR bytes, FOR bit-pack, delta.
        var encs: [UInt8] = []
        if bits != 0 && bits != 8 && bits != 16 && bits != 32 && bits != 64 {
            encs.append(FormatConstants.encodingFORBytes)
        }
        encs.append(FormatConstants.encodingFORBitPack)
        if rows >= 2 && dbits < bits { encs.append(FormatConstants.encodingDeltaBitPack) }

        var best: EncodedPayload? = nil
        var bestLZ = 0
        for (k, enc) in encs.enumerated() {
            let buf = cand[k]
            if k > 0 && bm > 0 { buf.copyMemory(from: cand[0], byteCount: bm) }
            var size = bm
            switch enc {
            case FormatConstants.encodingFORBytes:
                let bw = bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 4 : 8
                Self.putPrefix(buf, size, base: mn, width: bw)
                size += FormatConstants.forPrefixSize
                let out = buf + size
                switch bw {
                case 1:
                    let o = out.assumingMemoryBound(to: UInt8.self)
                    for i in 0..<rows { o[i] = UInt8(truncatingIfNeeded: v[i] &- mn) }
                case 2:
                    let o = out.assumingMemoryBound(to: UInt16.self)
                    for i in 0..<rows { o[i] = UInt16(truncatingIfNeeded: v[i] &- mn).littleEndian }
                case 4:
                    let o = out.assumingMemoryBound(to: UInt32.self)
                    for i in 0..<rows { o[i] = UInt32(truncatingIfNeeded: v[i] &- mn).littleEndian }
                default:
                    let o = out.assumingMemoryBound(to: UInt64.self)
                    for i in 0..<rows { o[i] = UInt64(bitPattern: v[i] &- mn).littleEndian }
                }
                size += rows * bw
            case FormatConstants.encodingFORBitPack:
                Self.putPrefix(buf, size, base: mn, width: bits)
                size += FormatConstants.forPrefixSize
                for i in 0..<rows { offsets[i] = UInt64(bitPattern: v[i] &- mn) }
                size += BitPacking.pack(offsets, count: rows, bits: bits, into: buf + size)
            default:  // delta
                Self.putI64(buf, size, v[0])
                Self.putPrefix(buf, size + 8, base: dmn, width: dbits)
                size += FormatConstants.deltaPrefixSize
                for i in 1..<rows { offsets[i - 1] = UInt64(bitPattern: (v[i] &- v[i - 1]) &- dmn) }
                size += BitPacking.pack(offsets, count: rows - 1, bits: dbits, into: buf + size)
            }
            let trial = 1 - bestLZ
            let c = Int(
                LZ4_compress_default(
                    buf.assumingMemoryBound(to: CChar.self),
                    lz[trial].assumingMemoryBound(to: CChar.self),
                    Int32(size), Int32(lzCapacity)))
            let candidate: EncodedPayload
            if c > 0 && c < size {
                candidate = EncodedPayload(
                    encoding: enc, compression: FormatConstants.compressionLZ4, rawSize: size,
                    stored: UnsafeRawBufferPointer(start: lz[trial], count: c))
            } else {
                candidate = EncodedPayload(
                    encoding: enc, compression: FormatConstants.compressionNone, rawSize: size,
                    stored: UnsafeRawBufferPointer(start: buf, count: size))
            }
            if best == nil || candidate.stored.count < best!.stored.count {
                best = candidate
                if candidate.compression == FormatConstants.compressionLZ4 { bestLZ = trial }
            }
        }
        return best!
    }

    /// Encodes `rows` doubles as plain binary64 (NULL slots should hold 0).
    func encodeDoubles(_ v: UnsafePointer<Double>, rows: Int, validity: UnsafePointer<UInt8>?) -> EncodedPayload {
        precondition(rows > 0 && rows <= capacityRows)
        let buf = cand[0]
        var size = 0
        if let validity { size = Self.writeBitmap(validity, rows: rows, into: buf) }
        let o = (buf + size).assumingMemoryBound(to: UInt64.self)
        for i in 0..<rows { o[i] = v[i].bitPattern.littleEndian }
        size += rows * 8
        let c = Int(
            LZ4_compress_default(
                buf.assumingMemoryBound(to: CChar.self),
                lz[0].assumingMemoryBound(to: CChar.self),
                Int32(size), Int32(lzCapacity)))
        if c > 0 && c < size {
            return EncodedPayload(
                encoding: FormatConstants.encodingPlainDouble, compression: FormatConstants.compressionLZ4,
                rawSize: size, stored: UnsafeRawBufferPointer(start: lz[0], count: c))
        }
        return EncodedPayload(
            encoding: FormatConstants.encodingPlainDouble, compression: FormatConstants.compressionNone,
            rawSize: size, stored: UnsafeRawBufferPointer(start: buf, count: size))
    }

    /// Scratch of the int128 and plain-string encodings (grown as needed, kept for the next block).
    private var wideRaw: [UInt8] = []
    private var wideLZ: [UInt8] = []

    /// The raw payload in `wideRaw`, LZ4-compressed into `wideLZ` when that is smaller.
    private func finishWide(_ encoding: UInt8, size: Int) -> EncodedPayload {
        let bound = Int(LZ4_compressBound(Int32(size)))
        if wideLZ.count < bound { wideLZ = [UInt8](repeating: 0, count: bound) }
        let c = wideRaw.withUnsafeBytes { src in
            wideLZ.withUnsafeMutableBytes { dst in
                Int(
                    LZ4_compress_default(
                        src.baseAddress!.assumingMemoryBound(to: CChar.self),
                        dst.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(size), Int32(bound)))
            }
        }
        if c > 0 && c < size {
            return wideLZ.withUnsafeBytes {
                EncodedPayload(
                    encoding: encoding, compression: FormatConstants.compressionLZ4, rawSize: size,
                    stored: UnsafeRawBufferPointer(start: $0.baseAddress, count: c))
            }
        }
        return wideRaw.withUnsafeBytes {
            EncodedPayload(
                encoding: encoding, compression: FormatConstants.compressionNone, rawSize: size,
                stored: UnsafeRawBufferPointer(start: $0.baseAddress, count: size))
        }
    }

    /// Makes `wideRaw` hold at least `size` bytes.
    private func reserveWide(_ size: Int) {
        if wideRaw.count < size { wideRaw = [UInt8](repeating: 0, count: max(size, wideRaw.count * 3 / 2)) }
    }

    /// Encodes a HUGEINT block with a value beyond 64 bits (encoding 5): `rows` low words, then `rows`
    /// high words. NULL slots should hold 0.
    func encodeInt128(
        lows: UnsafePointer<Int64>, highs: UnsafePointer<Int64>, rows: Int, validity: UnsafePointer<UInt8>?
    ) -> EncodedPayload {
        let bm = validity == nil ? 0 : FormatConstants.paddedBitmapBytes(rows)
        let size = bm + 16 * rows
        reserveWide(size)
        wideRaw.withUnsafeMutableBytes { raw in
            let b = raw.baseAddress!
            if let validity { _ = Self.writeBitmap(validity, rows: rows, into: b) }
            for i in 0..<rows {
                b.storeBytes(of: lows[i].littleEndian, toByteOffset: bm + 8 * i, as: Int64.self)
                b.storeBytes(of: highs[i].littleEndian, toByteOffset: bm + 8 * (rows + i), as: Int64.self)
            }
        }
        return finishWide(FormatConstants.encodingInt128, size: size)
    }

    /// Encodes a VARCHAR block without a dictionary (encoding 6): `rows + 1` offsets, then the bytes.
    /// Views under NULL rows are written as empty strings.
    func encodePlainStrings(_ views: UnsafePointer<StringView>, rows: Int, validity: UnsafePointer<UInt8>?)
        -> EncodedPayload
    {
        let bm = validity == nil ? 0 : FormatConstants.paddedBitmapBytes(rows)
        var bytes = 0
        for i in 0..<rows where validity == nil || validity![i] != 0 { bytes += views[i].count }
        let size = bm + 4 * (rows + 1) + bytes
        reserveWide(size)
        wideRaw.withUnsafeMutableBytes { raw in
            let b = raw.baseAddress!
            if let validity { _ = Self.writeBitmap(validity, rows: rows, into: b) }
            var o = 0
            var data = bm + 4 * (rows + 1)
            b.storeBytes(of: UInt32(0), toByteOffset: bm, as: UInt32.self)
            for i in 0..<rows {
                if validity == nil || validity![i] != 0 {
                    views[i].withBytes { src in
                        if src.count > 0 { (b + data).copyMemory(from: src.baseAddress!, byteCount: src.count) }
                    }
                    data += views[i].count
                    o += views[i].count
                }
                b.storeBytes(of: UInt32(o).littleEndian, toByteOffset: bm + 4 * (i + 1), as: UInt32.self)
            }
        }
        return finishWide(FormatConstants.encodingPlainStrings, size: size)
    }

    /// LZ4-compresses `count` bytes (dictionary section); returns stored bytes and the compression id.
    static func compressBytes(_ src: [UInt8]) -> ([UInt8], UInt8) {
        if src.isEmpty { return ([], FormatConstants.compressionNone) }
        let bound = Int(LZ4_compressBound(Int32(src.count)))
        var out = [UInt8](repeating: 0, count: bound)
        let c = src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                Int(
                    LZ4_compress_default(
                        UnsafeRawPointer(s.baseAddress!).assumingMemoryBound(to: CChar.self),
                        UnsafeMutableRawPointer(d.baseAddress!).assumingMemoryBound(to: CChar.self),
                        Int32(src.count), Int32(bound)))
            }
        }
        if c > 0 && c < src.count {
            out.removeSubrange(c...)
            return (out, FormatConstants.compressionLZ4)
        }
        return (src, FormatConstants.compressionNone)
    }
}

/// A small pool of encoders so that parallel column flushes share scratch memory
/// (one encoder per running thread, not per column).
final class EncoderPool: @unchecked Sendable {
    private var free: [BlockEncoder] = []
    private let lock = Mutex()
    func take() -> BlockEncoder { lock.withLock { free.popLast() } ?? BlockEncoder() }
    func give(_ e: BlockEncoder) { lock.withLock { free.append(e) } }
}

/// Why a block payload failed to decode; the reader adds the file, offset and block.
struct DecodeFailure: Error {
    var message: String
}

/// Decodes raw (decompressed) block payloads (Formats/column-file.md, "Encodings").
/// Every size is checked against the row count before a byte is read.
enum BlockDecoder {
    /// Reads the validity bitmap at the start of `raw` into bytes (1 = valid) and checks that it
    /// holds exactly `nullCount` zero bits within `rows` and no set bit beyond.
    static func readValidity(_ raw: UnsafeRawPointer, rows: Int, nullCount: Int) throws(DecodeFailure) -> [UInt8] {
        let b = raw.assumingMemoryBound(to: UInt8.self)
        var zeros = 0
        let out = [UInt8](unsafeUninitializedCapacity: rows) { o, n in
            for i in 0..<rows {
                let bit = (b[i &>> 3] &>> UInt8(i & 7)) & 1
                o[i] = bit
                zeros &+= Int(1 &- bit)
            }
            n = rows
        }
        let padded = FormatConstants.paddedBitmapBytes(rows)
        var stray = false
        if rows & 7 != 0, (b[rows &>> 3] &>> UInt8(rows & 7)) != 0 { stray = true }
        var j = (rows + 7) / 8
        while j < padded {
            if b[j] != 0 { stray = true }
            j += 1
        }
        if stray { throw DecodeFailure(message: "validity bitmap has bits set past the last row") }
        if zeros != nullCount {
            throw DecodeFailure(message: "validity bitmap has \(zeros) NULLs, block header says \(nullCount)")
        }
        return out
    }

    /// Decodes an int128 payload (encoding 5, after the bitmap): a HUGEINT column with `highs`
    /// (narrowed to plain `ints` when every valid value fits 64 bits). Values under NULL are 0.
    static func decodeInt128(_ p: UnsafeRawPointer, size: Int, rows: Int, validity: [UInt8]?) throws(DecodeFailure)
        -> Column
    {
        guard size == 16 * rows else {
            throw DecodeFailure(message: "payload is \(size) bytes, expected \(16 * rows) for \(rows) 128-bit values")
        }
        var lows = [Int64](unsafeUninitializedCapacity: rows) { o, n in
            for i in 0..<rows { o[i] = Int64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)) }
            n = rows
        }
        var highs = [Int64](unsafeUninitializedCapacity: rows) { o, n in
            for i in 0..<rows {
                o[i] = Int64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * (rows + i), as: Int64.self))
            }
            n = rows
        }
        if let v = validity {
            for i in 0..<rows where v[i] == 0 {
                lows[i] = 0
                highs[i] = 0
            }
        }
        var c = Column(type: .hugeint, ints: lows, validity: validity)
        c.highs = highs
        return c.narrowedIfPossible()
    }

    /// Decodes a plain-string payload (encoding 6, after the bitmap) into a flat VARCHAR column whose
    /// long values point into the payload, which `owner` keeps alive. Offsets must start at 0, never
    /// decrease, end at the data's size, and leave NULL rows empty.
    static func decodePlainStrings(
        _ p: UnsafeRawPointer, size: Int, rows: Int, validity: [UInt8]?, owner: StringOwner
    ) throws(DecodeFailure) -> Column {
        let table = 4 * (rows + 1)
        guard size >= table else { throw DecodeFailure(message: "payload too short for \(rows + 1) string offsets") }
        let dataSize = size - table
        let data = (p + table).assumingMemoryBound(to: UInt8.self)
        func offset(_ i: Int) -> Int {
            Int(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
        }
        guard offset(0) == 0, offset(rows) == dataSize else {
            throw DecodeFailure(message: "string offsets do not span the \(dataSize) data bytes")
        }
        var bad = false
        let views = [StringView](unsafeUninitializedCapacity: rows) { o, n in
            var prev = 0
            for i in 0..<rows {
                let next = offset(i + 1)
                if next < prev || next > dataSize || (validity != nil && validity![i] == 0 && next != prev) {
                    bad = true
                    o[i] = StringView()
                } else {
                    o[i] = StringView(bytes: data + prev, count: next - prev)
                }
                prev = max(prev, min(next, dataSize))
            }
            n = rows
        }
        if bad { throw DecodeFailure(message: "string offsets out of order, or a NULL row with bytes") }
        return Column(views: views, heaps: [owner], validity: validity)
    }

    /// The values at `at` (ascending row numbers below `rows`) of a frame-of-reference integer
    /// payload (encodings 1 and 2; after the bitmap, `size` bytes at `p`, `rows` values), with the
    /// checks of `frameOfReference`. Each value is read where it lies: a bit-packed one from the
    /// one or two 64-bit words that hold it (never past the packed section).
    /// - Throws: as `decodeInts`, and for any other encoding.
    static func decodeIntsAt(
        _ p: UnsafeRawPointer, size: Int, encoding: UInt8, rows: Int, at: UnsafeBufferPointer<Int32>
    ) throws(DecodeFailure) -> [Int64] {
        typealias C = FormatConstants
        guard encoding == C.encodingFORBytes || encoding == C.encodingFORBitPack else {
            throw DecodeFailure(message: "encoding \(encoding) is not a frame-of-reference encoding")
        }
        let (base, width) = try frameOfReference(p, size: size, encoding: encoding, rows: rows)
        let d = p + C.forPrefixSize
        if encoding == C.encodingFORBytes {
            return at.map { r in
                let o = Int(r) &* width
                let v: UInt64
                switch width {
                case 1: v = UInt64(d.load(fromByteOffset: o, as: UInt8.self))
                case 2: v = UInt64(UInt16(littleEndian: d.loadUnaligned(fromByteOffset: o, as: UInt16.self)))
                case 4: v = UInt64(UInt32(littleEndian: d.loadUnaligned(fromByteOffset: o, as: UInt32.self)))
                default: v = UInt64(littleEndian: d.loadUnaligned(fromByteOffset: o, as: UInt64.self))
                }
                return base &+ Int64(bitPattern: v)
            }
        }
        if width == 0 { return [Int64](repeating: base, count: at.count) }
        let mask: UInt64 = width == 64 ? ~0 : (1 &<< UInt64(width)) &- 1
        return at.map { r in base &+ Int64(bitPattern: BitPacking.value(d, at: Int(r), bits: width) & mask) }
    }

    /// The base and the width (bytes for encoding 1, bits for encoding 2; `encoding` is one of the
    /// two) of a frame-of-reference payload of `size` bytes holding `rows` values, after the checks
    /// every reader of one makes (`decodeInts`, `decodeIntsAt`): a whole prefix, a width the
    /// encoding allows, and exactly the bytes that width gives.
    /// - Throws: `DecodeFailure` naming the check that failed.
    static func frameOfReference(_ p: UnsafeRawPointer, size: Int, encoding: UInt8, rows: Int)
        throws(DecodeFailure) -> (base: Int64, width: Int)
    {
        typealias C = FormatConstants
        guard size >= C.forPrefixSize else { throw DecodeFailure(message: "payload too short for its encoding prefix") }
        let base = Int64(littleEndian: p.loadUnaligned(fromByteOffset: 0, as: Int64.self))
        let width = Int(p.load(fromByteOffset: 8, as: UInt8.self))
        if encoding == C.encodingFORBytes {
            guard width == 1 || width == 2 || width == 4 || width == 8 else {
                throw DecodeFailure(message: "bad byte width \(width)")
            }
            guard size == C.forPrefixSize + rows * width else {
                throw DecodeFailure(
                    message:
                        "payload is \(size) bytes, expected \(C.forPrefixSize + rows * width) for \(rows) rows of \(width) bytes"
                )
            }
        } else {
            guard width <= 64 else { throw DecodeFailure(message: "bad bit width \(width)") }
            let need = C.forPrefixSize + BitPacking.packedBytes(count: rows, bits: width)
            guard size == need else {
                throw DecodeFailure(
                    message: "payload is \(size) bytes, expected \(need) for \(rows) rows of \(width) bits")
            }
        }
        return (base, width)
    }

    /// Frame-of-reference values stored in whole bytes: `count` values of `width` bytes (1, 2, 4 or
    /// 8, little-endian) at `d`, each added to `base` (wrapping), into `out`.
    static func unpackBytes(
        _ d: UnsafeRawPointer, count: Int, width: Int, base: Int64, into out: UnsafeMutablePointer<Int64>
    ) {
        switch width {
        case 1:
            let s = d.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { out[i] = base &+ Int64(s[i]) }
        case 2:
            for i in 0..<count {
                out[i] = base &+ Int64(UInt16(littleEndian: d.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self)))
            }
        case 4:
            for i in 0..<count {
                out[i] = base &+ Int64(UInt32(littleEndian: d.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self)))
            }
        default:
            for i in 0..<count {
                out[i] =
                    base
                    &+ Int64(bitPattern: UInt64(littleEndian: d.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self)))
            }
        }
    }

    /// The first value, the smallest delta and the bit width of a delta payload of `size` bytes
    /// holding `rows` values, after the checks every reader of one makes (`decodeInts`,
    /// `IntBlockChunks`): a whole prefix, at least one row, a width up to 64 bits and exactly the
    /// bytes that width gives.
    /// - Throws: `DecodeFailure` naming the check that failed.
    static func deltaPrefix(_ p: UnsafeRawPointer, size: Int, rows: Int) throws(DecodeFailure) -> (
        first: Int64, minDelta: Int64, bits: Int
    ) {
        guard size >= FormatConstants.deltaPrefixSize, rows >= 1 else {
            throw DecodeFailure(message: "payload too short for its encoding prefix")
        }
        let first = Int64(littleEndian: p.loadUnaligned(fromByteOffset: 0, as: Int64.self))
        let minDelta = Int64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: Int64.self))
        let bits = Int(p.load(fromByteOffset: 16, as: UInt8.self))
        guard bits <= 64 else { throw DecodeFailure(message: "bad bit width \(bits)") }
        let need = FormatConstants.deltaPrefixSize + BitPacking.packedBytes(count: rows - 1, bits: bits)
        guard size == need else {
            throw DecodeFailure(
                message: "payload is \(size) bytes, expected \(need) for \(rows) rows of \(bits)-bit deltas")
        }
        return (first, minDelta, bits)
    }

    /// Decodes an integer payload (after the bitmap, `size` bytes at `p`) into `out` (`rows` values).
    static func decodeInts(
        _ p: UnsafeRawPointer, size: Int, encoding: UInt8, rows: Int,
        into out: UnsafeMutablePointer<Int64>
    ) throws(DecodeFailure) {
        switch encoding {
        case FormatConstants.encodingFORBytes:
            let (base, bw) = try frameOfReference(p, size: size, encoding: encoding, rows: rows)
            unpackBytes(p + FormatConstants.forPrefixSize, count: rows, width: bw, base: base, into: out)
        case FormatConstants.encodingFORBitPack:
            let (base, bits) = try frameOfReference(p, size: size, encoding: encoding, rows: rows)
            BitPacking.unpackFOR(p + FormatConstants.forPrefixSize, count: rows, bits: bits, base: base, into: out)
        case FormatConstants.encodingDeltaBitPack:
            let (first, minDelta, bits) = try deltaPrefix(p, size: size, rows: rows)
            BitPacking.unpackDelta(
                p + FormatConstants.deltaPrefixSize, count: rows, bits: bits, first: first, minDelta: minDelta,
                into: out)
        default:
            throw DecodeFailure(message: "encoding \(encoding) is not an integer encoding")
        }
    }
}
