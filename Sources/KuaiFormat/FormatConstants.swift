/// Constants of the column-file format and of the store folder (Formats/column-file.md).
///
/// Every number here is normative: it is stated once in the spec and once here, and the reader and
/// writer use only these names. Multi-byte integers in files are little-endian.
public enum FormatConstants {
    /// Rows per block (64 Ki): Formats/column-file.md, "Blocks" (why 64 Ki rows).
    public static let blockRows = 65_536

    // MARK: Versions (spec: "Versions")

    /// The release of the kuai tools, printed by `kuai-convert --version` and `kuai-query --version`
    /// with the store format version.
    public static let toolVersion = "kuai 0.2.0 (store format \(formatVersion))"

    /// Version written in column-file headers and in `manifest.json` ("formatVersion").
    /// A reader refuses a file or manifest with a larger version (`KuaiError.format`); it reads
    /// every version from `oldestReadableVersion` on.
    public static let formatVersion: UInt16 = 3
    /// The oldest version this reader understands (version-1 stores and files still read).
    public static let oldestReadableVersion: UInt16 = 1
    /// The `"format"` member of `manifest.json`.
    public static let manifestFormatName = "kuai-store"
    /// Name of the manifest inside a store folder (spec: "Store folder").
    public static let manifestName = "manifest.json"
    /// Extension of column files: `<table>/<column>.col` (spec: "Store folder").
    public static let columnFileExtension = ".col"
    /// The writers' lock file inside a store folder (spec: "Generations and commits; writers and the lock").
    public static let lockName = "write.lock"
    /// Prefix of the folder holding the files a commit adds: `gen-<16 hex digits>` (spec: "Store folder").
    public static let generationFolderPrefix = "gen-"
    /// Prefix of a manifest being written, renamed over `manifest.json` to commit (spec: "Generations and commits").
    public static let manifestTemporaryPrefix = ".manifest-"

    // MARK: File header (spec: "File header")

    /// Bytes 0..<8 of a column file: ASCII "KUAICOL" and a NUL.
    public static let headerMagic: [UInt8] = Array("KUAICOL\0".utf8)
    /// Size of the file header.
    public static let headerSize = 32
    /// Offset of the format version (u16) in the header.
    public static let headerVersionOffset = 8
    /// Offset of the logical type id (u8, `DataType.rawValue`).
    public static let headerTypeOffset = 10
    /// Offset of the header flags (u8, 0 in version 1).
    public static let headerFlagsOffset = 11
    /// Offset of the rows per block (u32).
    public static let headerBlockRowsOffset = 12
    /// Offset of the store generation id (u64).
    public static let headerGenerationOffset = 16
    /// Offset of the header checksum (u64, XXH64 of bytes 0..<24, seed 0).
    public static let headerChecksumOffset = 24

    // MARK: Block header (spec: "Block header")

    /// Size of a block header, which precedes each block's stored payload.
    public static let blockHeaderSize = 48
    /// Offsets inside a block header.
    public static let bhEncoding = 0, bhCompression = 1, bhFlags = 2, bhReserved = 3
    public static let bhRowCount = 4, bhNullCount = 8, bhRawSize = 12, bhStoredSize = 16
    public static let bhBlockIndex = 20, bhMin = 24, bhMax = 32, bhChecksum = 40
    /// Block flag bit 0: the payload starts with a validity bitmap (set iff null count > 0).
    public static let blockFlagValidity: UInt8 = 1
    /// Block flag bit 1 (version 2): the block has no zone map; min and max are 0 (HUGEINT blocks with a
    /// value beyond 64 bits, plain-string blocks whose bounds cannot be written in 8 bytes).
    public static let blockFlagNoZoneMap: UInt8 = 2
    /// Block flag bit 2 (version 2, VARCHAR plain-string blocks): min and max hold string bound bytes
    /// (spec: "Zone maps of plain-string blocks") instead of dictionary codes.
    public static let blockFlagStringBounds: UInt8 = 4
    /// Block flag bit 3 (version 3): the block checksum is XXH3-64 of the payload, not XXH64 (both
    /// seeded with XXH64 of header bytes 0..<40, which hold this flag). Every block kuai writes sets
    /// it; blocks without it (files written before) are verified with XXH64.
    public static let blockFlagXXH3: UInt8 = 8
    /// Every flag bit a version-3 block may set (bits 1 and 2 from version 2, bit 3 from version 3).
    public static let blockFlagsKnown: UInt8 = 15

    // MARK: Compression ids (spec: "Block header")

    /// Payload stored as is (used when LZ4 would not make it smaller).
    public static let compressionNone: UInt8 = 0
    /// Payload compressed with the LZ4 block format (LZ4_compress_default).
    public static let compressionLZ4: UInt8 = 1

    // MARK: Encoding ids (spec: "Encodings")

    /// Frame of reference, byte-aligned offsets: i64 base, u8 width in {1,2,4,8}, 7 zero bytes,
    /// then `rows` unsigned offsets of `width` bytes. VARCHAR: dictionary codes of the narrowest width.
    public static let encodingFORBytes: UInt8 = 1
    /// Frame of reference + bit-packing: i64 base, u8 bits (0...64), 7 zero bytes, packed offsets.
    public static let encodingFORBitPack: UInt8 = 2
    /// Delta + frame of reference + bit-packing: i64 first, i64 min delta, u8 bits, 7 zero bytes,
    /// packed (delta - min delta) of rows 1..<rows.
    public static let encodingDeltaBitPack: UInt8 = 3
    /// IEEE 754 binary64 values, 8 bytes each (DOUBLE).
    public static let encodingPlainDouble: UInt8 = 4
    /// Version 2, HUGEINT blocks holding a value beyond 64 bits: `rows` i64 low words, then `rows` i64
    /// high words (value = high << 64 | unsigned low).
    public static let encodingInt128: UInt8 = 5
    /// Version 2, VARCHAR without a dictionary: `rows + 1` u32 offsets (`o[0] = 0`, non-decreasing), then
    /// `o[rows]` bytes of UTF-8; row i is bytes `o[i] ..< o[i+1]` (empty under NULL).
    public static let encodingPlainStrings: UInt8 = 6
    /// Largest string data (`o[rows]`) of one plain-string block: 1 GiB.
    public static let maxBlockStringBytes = 1 << 30

    /// Size of the parameter prefix of FOR-bytes and FOR-bit-pack payloads.
    public static let forPrefixSize = 16
    /// Size of the parameter prefix of delta-bit-pack payloads.
    public static let deltaPrefixSize = 24

    // MARK: Footer and tail (spec: "Footer", "Tail")

    /// First 4 bytes of the footer: ASCII "KFTR".
    public static let footerMagic: [UInt8] = Array("KFTR".utf8)
    /// Fixed part of the footer before the block index.
    public static let footerFixedSize = 24
    /// One block-index entry: u64 file offset of the block header + a copy of the 48-byte header.
    public static let blockIndexEntrySize = 56
    /// Fixed part of the dictionary section (VARCHAR only).
    public static let dictionaryHeaderSize = 24
    /// Size of the tail at the very end of the file.
    public static let tailSize = 32
    /// Last 8 bytes of a column file: ASCII "KUAIEND" and a NUL.
    public static let tailMagic: [UInt8] = Array("KUAIEND\0".utf8)

    // MARK: Limits (spec: "Limits")

    /// Largest raw payload a block may declare: validity bitmap (padded) + 24-byte prefix + 8 bytes a row.
    public static func maxRawPayload(rows: Int) -> Int { paddedBitmapBytes(rows) + deltaPrefixSize + 8 * rows + 8 }
    /// Largest raw payload of an int128 block (bitmap + 16 bytes a row).
    public static func maxRawInt128Payload(rows: Int) -> Int { paddedBitmapBytes(rows) + 16 * rows }
    /// Largest raw payload of a plain-string block (bitmap + offsets + `maxBlockStringBytes`).
    public static func maxRawStringPayload(rows: Int) -> Int {
        paddedBitmapBytes(rows) + 4 * (rows + 1) + maxBlockStringBytes
    }
    /// Stored payloads are followed by 0-7 zero bytes so that every block header (and the
    /// footer) starts at a multiple of 8 (spec: "Blocks"); an uncompressed payload can then be
    /// decoded in place from the mapped file.
    public static let blockAlignment = 8
    /// `n` rounded up to a multiple of `blockAlignment`.
    public static func aligned(_ n: Int) -> Int { (n + blockAlignment - 1) & ~(blockAlignment - 1) }
    /// Validity bitmap size: one bit a row, padded to a multiple of 8 bytes.
    public static func paddedBitmapBytes(_ rows: Int) -> Int { ((rows + 63) / 64) * 8 }
}
