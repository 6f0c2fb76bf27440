import KuaiCore
import Testing

@testable import KuaiExec

/// STRUCT and MAP columns: type names, field access, DuckDB's text (expected strings from DuckDB
/// 2.0.1's CAST(... AS VARCHAR) and typeof), concatenation and the order-preserving key. Texts are
/// read with `Kernels.text`, which keeps the text column alive while its bytes are read.
struct StructColumnTests {
    static let abType = DataType.structure([Field("a", .integer), Field("b", .varchar)])

    /// Rows {'a': 1, 'b': x}, NULL, {'a': NULL, 'b': it's}, with the field rows in another order.
    static func sample() -> Column {
        let a = Column(type: .integer, ints: [0, 1, 0], validity: [0, 1, 1])
        let b = Column(flatStrings: ["it's", "x", nil])
        return Column(structOf: abType, rows: [1, 0, 0], fields: [a, b], validity: [1, 0, 1])
    }

    @Test(arguments: [
        (DataType.structure([Field("a", .integer), Field("b", .varchar)]), "STRUCT(a INTEGER, b VARCHAR)"),
        (
            .structure([Field("key", .integer), Field("a b", .null), Field("A", .date)]),
            "STRUCT(\"key\" INTEGER, \"a b\" \"NULL\", A DATE)"
        ),
        (.structure([Field("", .integer), Field("", .varchar)]), "TUPLE(INTEGER, VARCHAR)"),
        (.list(.structure([Field("a", .integer)])), "STRUCT(a INTEGER)[]"),
        (.map(.varchar, .integer), "MAP(VARCHAR, INTEGER)"),
        (.map(.null, .null), "MAP(\"NULL\", \"NULL\")"),
    ])
    func typeNames(_ t: DataType, _ name: String) {
        #expect(t.description == name)
        #expect(t.isNested)
    }

    @Test func fieldsFollowTheRowIndexes() {
        let s = Self.sample()
        let a = s.structField(0)
        #expect((0..<3).map { a.value(at: $0) } == [.int(1), .null, .null])
        let b = s.structField(1)
        #expect((0..<3).map { b.value(at: $0) } == [.string("x"), .null, .string("it's")])
    }

    @Test func textAsDuckDB() {
        let s = Self.sample()
        #expect(Kernels.text(s, 0) == "{'a': 1, 'b': x}")
        #expect(!Kernels.nestedToVarchar(s).isValid(1))
        #expect(Kernels.text(s, 2) == "{'a': NULL, 'b': 'it\\'s'}")
        let unnamed = Column(
            structOf: .structure([Field("", .varchar)]), aligned: [Column(flatStrings: ["x"])], count: 1)
        #expect(Kernels.text(unnamed, 0) == "(x,)")
    }

    @Test func mapTextAndExtract() throws {
        let keys = Column(
            listOf: .varchar, packed: [Column.packList(offset: 0, length: 2)], child: Column(flatStrings: ["k", "a b"]))
        let values = Column(
            listOf: .integer, packed: [Column.packList(offset: 0, length: 2)],
            child: Column(type: .integer, ints: [1, 0], validity: [1, 0]))
        let m = try StructFunctions.mapFromLists(keys, values, .map(.varchar, .integer))
        #expect(Kernels.text(m, 0) == "{k=1, a b=NULL}")
        let v = StructFunctions.mapExtract(m, Column(flatStrings: ["k"]), list: false, .integer)
        #expect(v.value(at: 0) == .int(1))
        let dup = Column(
            listOf: .varchar, packed: [Column.packList(offset: 0, length: 2)], child: Column(flatStrings: ["k", "k"]))
        #expect(throws: KuaiError.self) { try StructFunctions.mapFromLists(dup, values, .map(.varchar, .integer)) }
    }

    @Test func builderMovesTheIndexes() {
        var b = ColumnBuilder(type: Self.abType)
        b.append(Self.sample())
        b.appendNulls(1)
        b.append(Self.sample())
        let c = b.take()
        #expect(c.count == 7)
        #expect(Kernels.text(c, 4) == "{'a': 1, 'b': x}")
        #expect(!c.isValid(3))
        #expect(Kernels.text(c, 6) == "{'a': NULL, 'b': 'it\\'s'}")
    }

    @Test func keysOrderAndRoundTrip() {
        let s = Self.sample()
        let keys = Kernels.listKeys(s)
        // DuckDB: {'a': 1, ...} < {'a': NULL, ...} (a NULL field after every value)
        let order = withExtendedLifetime(keys) { StringView.compare(keys.stringView(at: 0), keys.stringView(at: 2)) }
        #expect(order < 0)
        let back = Kernels.listsFromKeys(keys, type: Self.abType)
        #expect(Kernels.text(back, 0) == "{'a': 1, 'b': x}")
        #expect(!back.isValid(1))
        #expect(Kernels.text(back, 2) == "{'a': NULL, 'b': 'it\\'s'}")
    }
}
