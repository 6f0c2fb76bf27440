/// The physical form of a VARCHAR column (see `Column`).
public enum StringForm: Sendable, Equatable {
    /// `codes` into `dictionary`.
    case dictionary
    /// `views` with bytes owned by `heaps`.
    case flat
}

extension Column {
    /// The form of a VARCHAR column; nil for other types.
    @inlinable
    public var stringForm: StringForm? {
        guard type == .varchar else { return nil }
        return dictionary == nil ? .flat : .dictionary
    }

    /// True for a VARCHAR column in the flat form.
    @inlinable
    public var isFlatString: Bool { type == .varchar && dictionary == nil }

    /// Row `i` of a VARCHAR column as a view, in either form (for a dictionary column the view
    /// points into the dictionary, which the caller must keep alive). The view under a NULL row is
    /// unspecified.
    @inlinable
    public func stringView(at i: Int) -> StringView {
        if let d = dictionary { return d.views[Int(codes[i])] }
        return views[i]
    }

    /// The same rows in the flat form (a dictionary column's views point into its dictionary,
    /// which the result keeps alive in `heaps`); a flat column is returned as it is.
    /// - Precondition: `type == .varchar`.
    public func flattened() -> Column {
        precondition(type == .varchar)
        guard let d = dictionary else { return self }
        let dv = d.views
        let out = codes.withUnsafeBufferPointer { c in
            dv.withUnsafeBufferPointer { v in
                [StringView](unsafeUninitializedCapacity: count) { buf, n in
                    for i in 0..<count { buf[i] = v[Int(c[i])] }
                    n = count
                }
            }
        }
        return Column(views: out, heaps: [d], validity: validity)
    }

    /// The same rows in the dictionary form: equal strings get one code in a fresh dictionary
    /// (first occurrence first) whose views point into this column's heaps (no bytes copied); a
    /// dictionary column is returned as it is. Costs one hash probe per row.
    /// - Precondition: `type == .varchar`.
    public func dictionaryEncoded() -> Column {
        precondition(type == .varchar)
        if dictionary != nil { return self }
        var table = ViewHashTable(expected: min(count, 1 << 16))
        var codes = [Int32](repeating: 0, count: count)
        views.withUnsafeBufferPointer { v in
            for i in 0..<count where isValid(i) { codes[i] = table.findOrInsert(v[i]) }
        }
        let dict = StringDictionary(views: table.distinct, owners: heaps)
        return Column(codes: codes, dictionary: dict, validity: validity)
    }
}

/// An open-addressing set of string views giving each distinct value a dense code (0, 1, ...,
/// in first-insertion order). Linear probing over a power-of-two table of code+1 slots (0 = empty),
/// grown at half full. The views' bytes must stay alive while the table is used.
public struct ViewHashTable {
    /// The distinct values, indexed by code.
    public private(set) var distinct: [StringView] = []
    private var hashes: [UInt64] = []
    private var slots: [Int32]
    private var mask: Int

    /// A table sized for about `expected` distinct values.
    public init(expected: Int) {
        var cap = 16
        while cap < expected * 2 { cap <<= 1 }
        slots = [Int32](repeating: 0, count: cap)
        mask = cap - 1
    }

    /// The code of `v`, inserting it when new.
    public mutating func findOrInsert(_ v: StringView) -> Int32 {
        findOrInsert(v) { $0 }
    }

    /// The code of `v`; when new, inserts `own(v)` (for example a copy of its bytes in a heap the
    /// caller keeps: `own` is called only for values not yet in the table, and must return a view
    /// equal to `v`). One hash and one probe either way.
    public mutating func findOrInsert(_ v: StringView, owning own: (StringView) -> StringView) -> Int32 {
        let h = v.hashValue64
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let c = slots[s]
            if c == 0 { break }
            let code = Int(c) - 1
            if hashes[code] == h && StringView.equal(distinct[code], v) { return Int32(code) }
            s = (s + 1) & mask
        }
        let code = Int32(distinct.count)
        distinct.append(own(v))
        hashes.append(h)
        slots[s] = code + 1
        if distinct.count * 2 > slots.count { grow() }
        return code
    }

    /// The code of `v`, or nil when absent.
    public func find(_ v: StringView) -> Int32? {
        let h = v.hashValue64
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let c = slots[s]
            if c == 0 { return nil }
            let code = Int(c) - 1
            if hashes[code] == h && StringView.equal(distinct[code], v) { return Int32(code) }
            s = (s + 1) & mask
        }
    }

    private mutating func grow() {
        let cap = slots.count * 2
        slots = [Int32](repeating: 0, count: cap)
        mask = cap - 1
        for code in 0..<distinct.count {
            var s = Int(truncatingIfNeeded: hashes[code]) & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = Int32(code + 1)
        }
    }
}
