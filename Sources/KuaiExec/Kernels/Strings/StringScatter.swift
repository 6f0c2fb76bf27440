import KuaiCore

/// The VARCHAR side of `ColumnScatter` (CASE, coalesce): writes strings at given rows of a
/// result of `count` rows.
///
/// The result stays in the dictionary form while every value comes from one dictionary (the
/// expression's stable dictionary of constant strings, or the dictionary of the first column
/// written; constants missing from it are added to a private copy), so that CASE over a
/// categorical column still groups by codes. The first value from another dictionary or from a
/// flat column switches it to the flat form: views are copied (16 bytes a row), never re-coded or
/// hashed, and every source's owner is kept alive.
struct StringScatter {
    let count: Int
    private var codes: [Int32]
    private var dictionary: StringDictionary?
    /// True when `dictionary` is private to this scatter (constants may be interned into it).
    private var ownsDictionary = false
    /// Flat form: one view per row (nil while in the dictionary form).
    private var views: [StringView]?
    private var owners: [StringOwner] = []
    private var constants: StringHeap?

    init(count: Int, dictionary: StringDictionary?) {
        self.count = count
        self.codes = [Int32](repeating: 0, count: count)
        self.dictionary = dictionary
    }

    /// Writes the constant `s` at `rows`.
    mutating func scatter(_ s: String, rows: [Int32]) {
        if views == nil {
            let code: Int32
            if let d = dictionary, let c = d.code(of: s) {
                code = c
            } else {
                code = ownDictionary().intern(s)
            }
            for r in rows { codes[Int(r)] = code }
            return
        }
        let heap = constants ?? StringHeap()
        constants = heap
        var s = s
        let v = s.withUTF8 { b -> StringView in
            guard let p = b.baseAddress, b.count > 0 else { return StringView() }
            return FlatStrings.copy(heap, p, count: b.count)
        }
        for r in rows { views![Int(r)] = v }
    }

    /// Writes row j of the VARCHAR column `c` at `rows[j]` (NULL rows of `c` write the empty string;
    /// the caller keeps the validity).
    mutating func scatter(_ c: Column, rows: [Int32]) {
        if views == nil, let cd = c.dictionary {
            if dictionary === cd || (dictionary == nil && !ownsDictionary) {
                dictionary = cd
                for (j, r) in rows.enumerated() { codes[Int(r)] = c.codes[j] }
                return
            }
        }
        toFlat()
        let src = StringArg(.column(c))
        for (j, r) in rows.enumerated() { views![Int(r)] = src.views[j] }
        for o in src.owners where !owners.contains(where: { $0 === o }) { owners.append(o) }
    }

    /// The finished column with `validity`.
    func finish(validity: [UInt8]?) -> Column {
        if let views {
            var o = owners
            if let constants { o.append(constants) }
            return Column(views: views, heaps: o, validity: validity)
        }
        return Column(codes: codes, dictionary: dictionary ?? StringDictionary(), validity: validity)
    }

    private mutating func ownDictionary() -> StringDictionary {
        if ownsDictionary, let d = dictionary { return d }
        let d = dictionary.map { StringDictionary(views: $0.views, owners: [$0]) } ?? StringDictionary()
        dictionary = d
        ownsDictionary = true
        return d
    }

    /// Switches to the flat form (rows written so far keep their strings).
    private mutating func toFlat() {
        if views != nil { return }
        var v = [StringView](repeating: StringView(), count: count)
        if let d = dictionary {
            let dv = d.views
            for i in 0..<count where Int(codes[i]) < dv.count { v[i] = dv[Int(codes[i])] }
            owners.append(d)
        }
        views = v
        codes = []
    }
}
