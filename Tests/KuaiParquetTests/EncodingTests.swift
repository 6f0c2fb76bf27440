import Foundation
import Testing

@testable import KuaiParquet

/// The RLE / bit-packed hybrid and the compact protocol against hand-worked bytes and round trips.
@Suite struct EncodingTests {
    /// parquet-format Encodings.md's example: 0..7 with bit width 3 is one bit-packed group,
    /// header 0x03, bytes 10001000 11000110 11111010.
    @Test func bitPackedGroupFromTheSpec() throws {
        let bytes: [UInt8] = [0x03, 0x88, 0xC6, 0xFA]
        var out = [UInt32](repeating: 9, count: 8)
        try bytes.withUnsafeBytes { b in
            var d = try RLEHybridDecoder(b, width: 3)
            try out.withUnsafeMutableBufferPointer { try d.decode(into: $0.baseAddress!, count: 8) }
        }
        #expect(out == [0, 1, 2, 3, 4, 5, 6, 7])
        var e = RLEHybridEncoder(width: 3)
        for v in 0..<8 { e.append(UInt32(v)) }
        #expect(e.finish() == bytes)
    }

    @Test(arguments: [1, 2, 5, 8, 13, 20, 32])
    func hybridRoundTrip(_ width: Int) throws {
        var state: UInt64 = UInt64(width) &* 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let maxValue = width == 32 ? UInt64(UInt32.max) : (1 << UInt64(width)) - 1
        var values: [UInt32] = []
        while values.count < 5000 {
            let v = UInt32(next() % (maxValue + 1))
            let run = next() % 3 == 0 ? Int(next() % 40) : 1
            values += repeatElement(v, count: run)
        }
        var e = RLEHybridEncoder(width: width)
        values.withUnsafeBufferPointer { e.append(contentsOf: $0) }
        let bytes = e.finish()
        var out = [UInt32](repeating: 0, count: values.count)
        try bytes.withUnsafeBytes { b in
            var d = try RLEHybridDecoder(b, width: width)
            // In two calls, so the second starts inside a run.
            try out.withUnsafeMutableBufferPointer { o in
                try d.decode(into: o.baseAddress!, count: 1234)
                try d.decode(into: o.baseAddress! + 1234, count: values.count - 1234)
            }
        }
        #expect(out == values)
    }

    /// `append(contentsOf:)` writes groups and runs through a pointer; its bytes must be those of
    /// appending the same values one run of equal values at a time (runs of 1 to 40 equal values,
    /// some at the ends).
    @Test(arguments: [1, 3, 8, 15, 17, 32])
    func hybridBulkAppendMatchesOneByOne(_ width: Int) {
        var state: UInt64 = UInt64(width) &* 0xD1B5_4A32_D192_ED03
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let maxValue = width == 32 ? UInt64(UInt32.max) : (1 << UInt64(width)) - 1
        for length in [0, 7, 8, 9, 16, 600, 5000] {
            var values: [UInt32] = []
            while values.count < length {
                let v = UInt32(next() % (maxValue + 1))
                let run = next() % 3 == 0 ? Int(next() % 40) + 1 : 1
                values += repeatElement(v, count: min(run, length - values.count))
            }
            var bulk = RLEHybridEncoder(width: width)
            values.withUnsafeBufferPointer { bulk.append(contentsOf: $0) }
            var byRuns = RLEHybridEncoder(width: width)
            var i = 0
            while i < values.count {
                var j = i + 1
                while j < values.count && values[j] == values[i] { j += 1 }
                byRuns.append(values[i], count: j - i)
                i = j
            }
            #expect(bulk.finish() == byRuns.finish(), "width \(width), \(length) values")
        }
    }

    @Test func hybridRunPastTheEndThrows() throws {
        let bytes: [UInt8] = [0x05, 0xFF]  // a bit-packed run of 2 groups, width 8, 1 byte present
        #expect(throws: ParquetDataError.self) {
            try bytes.withUnsafeBytes { b in
                var d = try RLEHybridDecoder(b, width: 8)
                var out = [UInt32](repeating: 0, count: 16)
                try out.withUnsafeMutableBufferPointer { try d.decode(into: $0.baseAddress!, count: 16) }
            }
        }
    }

    @Test func compactProtocolRoundTrip() throws {
        var w = ThriftWriter()
        w.structBody { w in
            w.i32(1, -5)
            w.i64(3, 1 << 40)
            w.string(20, "héllo")  // id delta above 15: long field header
            w.bool(21, true)
            w.i32List(22, Array(0..<20))
        }
        var got: (Int32, Int64, String, Bool, [Int32]) = (0, 0, "", false, [])
        try w.bytes.withUnsafeBytes { b in
            var r = ThriftReader(b)
            try r.readStruct { r, id, t in
                switch id {
                case 1: got.0 = try r.readI32()
                case 3: got.1 = try r.readI64()
                case 20: got.2 = try r.readString()
                case 21: got.3 = try r.boolValue(t)
                case 22: got.4 = try r.readList(of: .i32) { try $0.readI32() }
                default: return false
                }
                return true
            }
            #expect(r.position == b.count)
        }
        #expect(got.0 == -5 && got.1 == 1 << 40 && got.2 == "héllo" && got.3 && got.4 == Array(0..<20))
    }

    @Test func compactProtocolRefusesRunaways() throws {
        for bad: [UInt8] in [
            [0x18, 0x7F], [0x19, 0xF5, 0xFF, 0xFF, 0xFF, 0x0F], [0x1C] + Array(repeating: 0x1C, count: 100),
        ] {
            #expect(throws: ParquetDataError.self) {
                try bad.withUnsafeBytes { b in
                    var r = ThriftReader(b)
                    try r.readStruct { _, _, _ in false }
                }
            }
        }
    }
}
