/// The elements of a LIST column: one child column of the element type that every row's
/// (offset, length) points into. A class so that gathers and slices of the list column share it.
public final class ListChild: @unchecked Sendable {
    /// The elements, of the list's element type (with its own validity for NULL elements).
    public let column: Column

    public init(_ column: Column) { self.column = column }
}

/// LIST columns (DuckDB's `T[]`): row i's `ints[i]` packs the offset of its first element in
/// `listChild` (high 32 bits) and its element count (low 32 bits); a NULL list has validity 0 (its
/// packed value is unspecified, normally 0). Gathers and slices copy the packed words and share
/// the child, so rows of a LIST column may point anywhere in the child, in any order.
extension Column {
    /// Packs a row's (offset, length) into its `ints` word.
    @inlinable
    public static func packList(offset: Int, length: Int) -> Int64 {
        Int64(offset) << 32 | Int64(length)
    }

    /// The child offset of row `i`'s first element (a LIST column).
    @inlinable
    public func listOffset(_ i: Int) -> Int { Int(ints[i] >> 32) }

    /// The element count of row `i` (a LIST column; 0 for NULL rows).
    @inlinable
    public func listLength(_ i: Int) -> Int { Int(ints[i] & 0xFFFF_FFFF) }

    /// A LIST column of `elementType` over `child`, with one packed (offset, length) word per row.
    /// - Precondition: `child.type == elementType` (or `.null` with no rows referenced) and the child
    ///   has fewer than 2^31 elements.
    public init(listOf elementType: DataType, packed: [Int64], child: Column, validity: [UInt8]? = nil) {
        precondition(child.count < Int(Int32.max), "a LIST column holds at most 2^31 elements")
        self.init(type: .list(elementType), ints: packed, validity: validity)
        self.listChild = ListChild(child)
    }

    /// The elements of a LIST column (an empty column of the element type when it has none).
    public var listElements: Column {
        if let c = listChild { return c.column }
        return Column.nulls(type.childElement ?? .null, count: 0)
    }

    /// Row `i` of a LIST column as DuckDB's CAST(list AS VARCHAR) prints it (`[1, 2, NULL]`). For
    /// `value(at:)` and tests; result writers use the byte kernels of KuaiExec.
    func listText(at i: Int) -> String {
        let child = listElements
        let start = listOffset(i)
        var parts: [String] = []
        for k in start..<(start + listLength(i)) {
            let v = child.value(at: k)
            parts.append(v.isNull ? "NULL" : v.description)
        }
        return "[" + parts.joined(separator: ", ") + "]"
    }
}
