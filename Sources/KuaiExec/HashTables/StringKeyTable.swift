import KuaiCore

/// The `GroupKeyTable` of one VARCHAR key: codes of any dictionary are interned into the
/// table's own dictionary (`interner.target`, once per distinct code), and an array maps each
/// interned code to its group: no hashing per row. NULL is a group of its own.
final class StringKeyTable: GroupKeyTable {
    let keyTypes: [DataType] = [.varchar]
    let interner = StringInterner()
    var layout: GroupKeyLayout { .string }
    /// Group of each interned code (-1: none yet).
    private var groupOfCode: [Int32] = []
    /// Interned code of each group (-1: the NULL group).
    private var codes: [Int32] = []
    private var nullGroup: Int32 = -1

    var count: Int { codes.count }

    func reserve(_ n: Int) {}

    func findOrInsert(_ keys: [Column], rowCount n: Int, into ids: UnsafeMutableBufferPointer<Int32>) {
        if n == 0 { return }
        let col = keys[0]
        let tmp = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        defer { tmp.deallocate() }
        translate(col, n, insert: true, interner: interner, into: tmp)
        let dictCount = interner.target.count
        if groupOfCode.count < dictCount {
            groupOfCode.append(contentsOf: repeatElement(-1, count: dictCount - groupOfCode.count))
        }
        let validity = col.validity
        groupOfCode.withUnsafeMutableBufferPointer { g in
            for i in 0..<n {
                if let validity, validity[i] == 0 {
                    if nullGroup < 0 {
                        nullGroup = Int32(count)
                        codes.append(-1)
                    }
                    ids[i] = nullGroup
                    continue
                }
                let t = Int(tmp[i])
                var id = g[t]
                if id < 0 {
                    id = Int32(count)
                    g[t] = id
                    codes.append(Int32(t))
                }
                ids[i] = id
            }
        }
    }

    func find(
        _ keys: [Column], rowCount n: Int, nullsMatch: Bool, into ids: UnsafeMutableBufferPointer<Int32>,
        interner: StringInterner
    ) {
        if n == 0 { return }
        let col = keys[0]
        let tmp = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        defer { tmp.deallocate() }
        translate(col, n, insert: false, interner: interner, into: tmp)
        let validity = col.validity
        groupOfCode.withUnsafeBufferPointer { g in
            for i in 0..<n {
                if let validity, validity[i] == 0 {
                    ids[i] = nullsMatch ? nullGroup : -1
                    continue
                }
                let t = Int(tmp[i])
                ids[i] = (t >= 0 && t < g.count) ? g[t] : -1
            }
        }
    }

    func keyColumns() -> [Column] {
        var validity: [UInt8]? = nil
        if nullGroup >= 0 {
            var v = [UInt8](repeating: 1, count: count)
            v[Int(nullGroup)] = 0
            validity = v
        }
        let c = codes.map { max($0, 0) }
        return [Column(codes: c, dictionary: interner.target, validity: validity)]
    }

    /// The interned codes of the first `n` rows of `col` (inserting new strings when `insert`,
    /// else -1 for strings the table lacks; NULL rows unspecified).
    private func translate(
        _ col: Column, _ n: Int, insert: Bool, interner: StringInterner, into out: UnsafeMutableBufferPointer<Int32>
    ) {
        if insert {
            interner.intern(col, rows: n, into: out)
        } else {
            interner.lookup(col, rows: n, into: out)
        }
    }
}
