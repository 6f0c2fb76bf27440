import Foundation
import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiParquet

/// Damaged Parquet gives a clear `KuaiError` naming the file (and the column chunk when the damage
/// is in one), never a crash or an out-of-bounds read (Formats/parquet.md, "Bad files").
@Suite struct BadFileTests {
    /// A good file written by kuai (snappy, two row groups) and its bytes.
    static func goodFile(_ tmp: TempDir, codec: ParquetCodec = .snappy) throws -> (String, [UInt8]) {
        let path = tmp.path + "/good.parquet"
        let w = try ParquetFileWriter(
            path: path, schema: RoundTripTests.schema, options: ParquetWriteOptions(codec: codec, rowGroupSize: 300))
        try w.append(RoundTripTests.batch(rows: 500, distinct: 50))
        try w.finish()
        return (path, [UInt8](FileManager.default.contents(atPath: path)!))
    }

    /// A Parquet file of `meta`'s footer alone (no row group data): magic, footer, its length, magic.
    static func footerOnly(_ meta: FileMetaData) -> [UInt8] {
        var w = ThriftWriter()
        w.structBody { $0.fileMetaData(meta) }
        var bytes = ParquetConstants.magic + w.bytes
        ChunkEncoder.appendLength(&bytes, w.bytes.count)
        return bytes + ParquetConstants.magic
    }

    /// Opens `bytes` as a file and reads every column of every row group; returns the error.
    static func failure(_ bytes: [UInt8], _ tmp: TempDir, name: String = "bad.parquet") -> KuaiError? {
        let path = tmp.path + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        do {
            let f = try ParquetFile(path: path)
            for g in 0..<f.rowGroupCount { for c in 0..<f.columns.count { _ = try f.readColumn(c, rowGroup: g) } }
            return nil
        } catch let e as KuaiError {
            return e
        } catch {
            Issue.record("not a KuaiError: \(error)")
            return nil
        }
    }

    @Test func truncatedFile() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (_, bytes) = try Self.goodFile(tmp)
        for keep in [0, 3, 11, bytes.count / 2, bytes.count - 1] {
            let e = try #require(Self.failure(Array(bytes[0..<keep]), tmp))
            #expect(e.kind == .corrupt, "\(keep) bytes: \(e)")
            #expect(e.location?.hasSuffix("bad.parquet") == true)
        }
    }

    @Test func badMagic() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        var (_, bytes) = try Self.goodFile(tmp)
        bytes[0] = UInt8(ascii: "X")
        let e = try #require(Self.failure(bytes, tmp))
        #expect(e.kind == .corrupt && e.message.contains("PAR1"))
        #expect(e.description.contains("bad.parquet"))
    }

    @Test func footerLengthPastTheFile() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        var (_, bytes) = try Self.goodFile(tmp)
        let n = bytes.count
        for (k, b) in [UInt8(0xFF), 0xFF, 0xFF, 0x7F].enumerated() { bytes[n - 8 + k] = b }
        let e = try #require(Self.failure(bytes, tmp))
        #expect(e.kind == .corrupt && e.message.contains("footer length"))
    }

    @Test func pageDecompressingToTheWrongSize() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        var (_, bytes) = try Self.goodFile(tmp)
        // The first page header starts at byte 4; after it, snappy's own length varint.
        var r = bytes.withUnsafeBytes { ThriftReader(UnsafeRawBufferPointer(rebasing: $0[4...])) }
        let header = try bytes.withUnsafeBytes { b -> PageHeader in
            r = ThriftReader(UnsafeRawBufferPointer(rebasing: b[4...]))
            return try r.read(PageHeader.self)
        }
        let at = 4 + r.position
        #expect(header.uncompressedSize > 0)
        // Change snappy's length varint by one in its low 7 bits (same number of bytes).
        bytes[at] = bytes[at] & 0x7F == 0 ? bytes[at] + 1 : bytes[at] - 1
        let e = try #require(Self.failure(bytes, tmp))
        #expect(e.kind == .corrupt && e.message.contains("decompresses to"), "\(e)")
        #expect(e.location?.contains("row group 0, column 'i'") == true, "\(e)")
    }

    @Test func footerThatDoesNotParse() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        var (_, bytes) = try Self.goodFile(tmp)
        let footerLength = Int(bytes[bytes.count - 8]) | Int(bytes[bytes.count - 7]) << 8
        let start = bytes.count - 8 - footerLength
        for i in start..<(bytes.count - 8) { bytes[i] = 0xEE }
        let e = try #require(Self.failure(bytes, tmp))
        #expect(e.kind == .corrupt && e.message.contains("footer"))
    }

    /// Flipping bytes anywhere in a file gives a KuaiError or a successful read, never a crash.
    @Test(arguments: [ParquetCodec.uncompressed, .snappy, .zstd, .gzip, .lz4Raw])
    func randomDamageNeverCrashes(_ codec: ParquetCodec) throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (_, good) = try Self.goodFile(tmp, codec: codec)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(codec.rawValue)
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        for _ in 0..<150 {
            var bytes = good
            for _ in 0..<(1 + Int(next() % 4)) {
                bytes[Int(next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: next())
            }
            _ = Self.failure(bytes, tmp)
        }
    }

    @Test func nestedColumnIsRefusedByName() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        // A file with a LIST column, written by hand: root { optional group tags (LIST) { repeated
        // group list { optional binary element } } }, no row groups.
        var meta = FileMetaData()
        meta.schema = [
            SchemaElement(name: "schema", numChildren: 1),
            SchemaElement(repetition: .optional, name: "tags", numChildren: 1, logicalType: .list),
            SchemaElement(repetition: .repeated, name: "list", numChildren: 1),
            SchemaElement(type: .byteArray, repetition: .optional, name: "element"),
        ]
        let e = try #require(Self.failure(Self.footerOnly(meta), tmp))
        #expect(e.kind == .format && e.message.contains("'tags'") && e.message.contains("LIST"), "\(e)")
    }

    /// libFuzzer's `parquet` harness (Tools/fuzz.sh --libfuzzer parquet): a DuckDB file whose footer's schema root
    /// says it has a negative number of children trapped in `ParquetFile` (a range with its bounds reversed).
    @Test func negativeSchemaChildCountIsAnError() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        // The input libFuzzer found (1096 bytes).
        let found = [
            "UEFSMQRzXQloBBtdKQgEbFwpAAQUXCkABLxbCfgEZVsJ8AQNWwnoBLVaCeAEXlopkAQGWgnYBK5ZCdAEV1kJuASnWAmwCFBY",
            "wCHPCFH4jVdJEASgVwm4BEhXCbgE8VYJuASZVgm4BEEAFUAcHAAAHBwAABwcAAAA4gAIIBEAwCgBQKACApAIEgDCOAAAgGAo",
            "AEgAocBCAMAVgAEcHAAAHBwAABwcAAAAc5uE4C9GU5YeAMx6arnCFki+KGfhBgno76EGzNlaRx6kgeSeQx7F1IzOKcZJcqTP",
            "91hUeNaAF8VjKbFDDYkHXRUCGZw5ABgNZHVja2RiX3NjaGVtYRXrABUCJQIYA2kzMiUiABUEJQIYA2k2NCUkABUKJQIYAWQA",
            "FQwlAhgDY2F0JQAAFQwlAhgEbmFtZSUAABUCJQIYAmR0JQwAFQQlAhgCdHMlFEyMEhwsAAAAAAAVACUCGARmbGFnABbYBBkc",
            "GYwmABwVAhkVABkYA2kzMhUCFtgEFoQTFsQSJgg8GASGwgAAGASwPP//FiQoBIbCAAAYBLA8//8REQAZHBUAFQAVAgAAACYA",
            "HBUEGRUAGRgDaTY0FQIW2AQWjCQWliAmzBI8GAjtMqZY2wEAABgIMuzhlpYBAAAWLigI7TKmWNsBAAAYCDLs4ZaWAQAAEREA",
            "GRwVABUAFQIAAAAmABwVChkVABkYAWQVAhbYBBbMIxbYFybiMjwYCFyPwvUoNGpAGAgAAAAAAABpwBY2KAhcj8L1KDRqQBgI",
            "AAAAAAAAacARERYAABkcFQAVABUCAAAAJgAcFQwZFQQZGANjYXQVAhbYBBa2BRaUAya0Sya6ShwYBnRhbGVudCYgFgwYBnRh",
            "bGVudBgAEREAGSwVBBUAFQIAFQAVBBUCABbWjwEVXgAAJgAcFQwZFQAZGARuYW1lFQIW2AQWmkQWshkmzk08GAtyb29tLTk5",
            "My3DqRgJcm9vbS0wLcOpFhooC3Jvb20tOTkzLcOpGAlyb29tLTAtw6kREQAZHBUAFQAVAgAAACYAHBUCGRUEGRgCZHQVAhbY",
            "BBagChYRBibmaSaAZxwYBBtPAAAYBPROAAAWFhZQGAQbTwAAGAT0TgAAEREAGSwVBBUAFQIAFQAVBBUCABa0kAEVoAEAACYA",
            "HBUEGRUAGRgCdHMVAhbYBBbcJRb6ICaSbTwYCIcHwKhMNAYAGAgAgIcQRDQGABYUKAiHB8CoTDQGABgIAICHEEQ0BgAREQAZ",
            "HBUAFQAVAgAAACYAHBUAGRUAGRgEZmyfmOsFFtgEFoIC/v//f4yOATwYAQEYAQAWEigBARgBABEAAAABFQAVABUCAAAAFqrW",
            "ARbYBCYIFs6PAQAoKER1Y2tEQiB2ZXJzaW9uIHYyLjAuMSAoYnVpbGQgOGQ3ODExNGU5MCkZjBwAABwAABwAABwAABwAABwA",
            "ABwAABwAAABYAwAAUEFSMQ==",
        ]
        let bytes = [UInt8](try #require(Data(base64Encoded: found.joined())))
        let e = try #require(Self.failure(bytes, tmp))
        #expect(e.kind == .corrupt && e.message.contains("schema root"), "\(e)")
        #expect(e.location?.hasSuffix("bad.parquet") == true, "\(e)")
        // The same by hand: a root with -1 children and no row groups.
        var meta = FileMetaData()
        meta.schema = [SchemaElement(name: "schema", numChildren: -1)]
        let e2 = try #require(Self.failure(Self.footerOnly(meta), tmp))
        #expect(e2.kind == .corrupt && e2.message.contains("-1 children"), "\(e2)")
    }
}
