import KuaiCore
import Testing

// Columns and rows from literals, for tests of every target: `intCol([1, nil, 3])` is a BIGINT
// column with a NULL, `[int(1), str("a"), nul]` a row of boxed values.

/// The validity bytes of `xs` (1 = value, 0 = NULL), or nil when nothing is NULL (the `Column`
/// convention for "all valid").
public func validity<T>(_ xs: [T?]) -> [UInt8]? {
    xs.contains { $0 == nil } ? xs.map { $0 == nil ? 0 : 1 } : nil
}

/// An integer-backed column (BIGINT, INTEGER, DATE as days, TIMESTAMP as microseconds, BOOLEAN as
/// 0/1, ...) from optional values; nil is NULL.
public func intCol(_ xs: [Int64?], type: DataType = .bigint) -> Column {
    Column(type: type, ints: xs.map { $0 ?? 0 }, validity: validity(xs))
}

/// A DOUBLE column from optional values; nil is NULL.
public func dblCol(_ xs: [Double?]) -> Column {
    Column(doubles: xs.map { $0 ?? 0 }, validity: validity(xs))
}

/// A HUGEINT column from optional 128-bit values; nil is NULL.
public func hugeCol(_ xs: [Int128?]) -> Column {
    Column(hugeints: xs.map { $0 ?? 0 }, validity: validity(xs))
}

/// A VARCHAR column with its own fresh dictionary; nil is NULL.
public func strCol(_ xs: [String?]) -> Column { Column(strings: xs) }

/// A VARCHAR column whose codes point into `dict` (the strings are interned there); nil is NULL.
public func strCol(_ xs: [String?], dict: StringDictionary) -> Column {
    Column(codes: xs.map { $0.map { dict.intern($0) } ?? 0 }, dictionary: dict, validity: validity(xs))
}

/// Row literals: `int(1)`, `str("a")`, `dbl(1.5)`, `nul`, `huge(x)`.
public func int(_ x: Int64) -> Value { .int(x) }
public func str(_ s: String) -> Value { .string(s) }
public func dbl(_ d: Double) -> Value { .double(d) }
public let nul = Value.null
/// A 128-bit value boxed as kuai boxes it: `.int` when it fits 64 bits, else `.hugeint`.
public func huge(_ x: Int128) -> Value { Int64(exactly: x).map { .int($0) } ?? .hugeint(x) }

/// Every row of `batches` as boxed values (DATE as day numbers, BOOLEAN as `.bool`). Checks, as
/// it goes, that no batch is empty and every column has the batch's row count.
public func rows(_ batches: [Batch]) -> [[Value]] {
    var out: [[Value]] = []
    for b in batches {
        #expect(b.count > 0, "an empty batch")
        for c in b.columns { #expect(c.count == b.count) }
        for i in 0..<b.count { out.append(b.columns.map { $0.value(at: i) }) }
    }
    return out
}

/// The `KuaiError` thrown by `body`, or nil when it throws nothing; another error type is
/// recorded as a test failure.
public func kuaiError(_ body: () throws -> Void) -> KuaiError? {
    do { try body() } catch let e as KuaiError { return e } catch { Issue.record("unexpected error \(error)") }
    return nil
}

/// One bad CSV input and the error it must give: written as `file` (e.g. "like.csv", whose name
/// without `.csv` is the table), the error's "line:column" and a part of its message.
public struct BadCSV: Sendable, CustomStringConvertible, CustomTestStringConvertible {
    public var name: String
    public var file: String
    public var bytes: [UInt8]
    public var location: String
    public var message: String
    public var description: String { name }
    public var testDescription: String { name }
    /// The table name: `file` without `.csv`.
    public var table: String { file.hasSuffix(".csv") ? String(file.dropLast(4)) : file }

    public init(_ name: String, _ file: String, _ text: String, _ location: String, _ message: String) {
        self.init(name, file, bytes: Array(text.utf8), location, message)
    }

    public init(_ name: String, _ file: String, bytes: [UInt8], _ location: String, _ message: String) {
        self.name = name
        self.file = file
        self.bytes = bytes
        self.location = location
        self.message = message
    }
}
