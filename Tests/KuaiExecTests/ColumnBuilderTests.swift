import KuaiCore
import Testing

@testable import KuaiExec

/// `ColumnBuilder` over VARCHAR chunks: the values and NULLs of the concatenation are the chunks'
/// in order whatever form it takes; chunks of several small dictionaries give one merged
/// dictionary (each value once), large or flat ones the flat form.
@Suite struct ColumnBuilderTests {
    /// The rows of a VARCHAR column as optional strings.
    static func strings(_ c: Column) -> [String?] {
        (0..<c.count).map { i in
            if case .string(let s) = c.value(at: i) { return s }
            return nil
        }
    }

    /// A dictionary column of `rows` repeating `values` (a NULL where the value is nil), with its own dictionary.
    static func dictionaryColumn(_ values: [String?], rows: Int) -> Column {
        Column(strings: (0..<rows).map { values[$0 % values.count] })
    }

    @Test func smallDictionariesAreMerged() {
        let a = Self.dictionaryColumn(["uid", "lid", nil], rows: 300)
        let b = Self.dictionaryColumn(["lid", "sid", "a-value-longer-than-twelve-bytes"], rows: 200)
        let c = Self.dictionaryColumn(["uid"], rows: 50)
        var builder = ColumnBuilder(type: .varchar)
        builder.append(a)
        builder.appendNulls(7)
        builder.append(b, rows: 150)
        builder.append(c)
        let built = builder.build()
        let expected =
            Self.strings(a) + [String?](repeating: nil, count: 7) + Array(Self.strings(b).prefix(150))
            + Self.strings(c)
        #expect(Self.strings(built) == expected)
        #expect(built.count == 507)
        let merged = built.dictionary
        #expect(merged != nil)
        #expect(merged.map { Set($0.values) } == ["uid", "lid", "sid", "a-value-longer-than-twelve-bytes"])
        #expect(merged?.count == 4)
    }

    @Test func largeDictionariesOrFlatChunksStayFlat() {
        // 2 x 60 distinct values for 200 rows: more than one value per 4 rows
        let many1 = Self.dictionaryColumn((0..<60).map { "x\($0)" }, rows: 100)
        let many2 = Self.dictionaryColumn((0..<60).map { "y\($0)" }, rows: 100)
        var builder = ColumnBuilder(type: .varchar)
        builder.append(many1)
        builder.append(many2)
        let built = builder.build()
        #expect(Self.strings(built) == Self.strings(many1) + Self.strings(many2))
        #expect(built.dictionary == nil)

        let flat = Column(flatStrings: ["p", nil, "q"])
        var mixed = ColumnBuilder(type: .varchar)
        mixed.append(Self.dictionaryColumn(["uid", "lid"], rows: 100))
        mixed.append(flat)
        let m = mixed.build()
        #expect(Self.strings(m) == Self.strings(Self.dictionaryColumn(["uid", "lid"], rows: 100)) + ["p", nil, "q"])
    }

    @Test func allNullChunksOfEmptyDictionaries() {
        var builder = ColumnBuilder(type: .varchar)
        builder.append(Column(codes: [0, 0, 0], dictionary: StringDictionary(), validity: [0, 0, 0]))
        builder.append(Column(codes: [0, 0], dictionary: StringDictionary(), validity: [0, 0]))
        let built = builder.build()
        #expect(Self.strings(built) == [nil, nil, nil, nil, nil])
    }
}
