import KuaiCore

/// Group ids for key columns: a direct array for one small non-negative integer key (hour of
/// day, flags, small codes: no hashing at all), otherwise `GroupKeyTable`. Switches from the
/// array to the table (keeping every id) the first time a key falls outside the array.
/// HUGEINT keys go to the table as two BIGINT words (`splitHugeintKeys`), so 128-bit values
/// group exactly; `keyColumns()` joins them back.
final class GroupKeyMapper {
    static let denseLimit: Int64 = 4096
    let keyTypes: [DataType]
    private let table: GroupKeyTable
    private var dense: Bool
    private var slots: [Int32] = []
    private var denseKeys: [Int64] = []

    init(keyTypes: [DataType]) {
        self.keyTypes = keyTypes
        self.table = GroupKeyTable(keyTypes: splitKeyTypes(keyTypes))
        self.dense =
            keyTypes.count == 1 && keyTypes[0] != .double && keyTypes[0] != .varchar && keyTypes[0] != .null
            && keyTypes[0] != .hugeint
        if dense { slots = [Int32](repeating: -1, count: Int(Self.denseLimit)) }
    }

    var count: Int { dense ? denseKeys.count : table.count }

    func findOrInsert(_ keys: [Column], rowCount n: Int, into ids: UnsafeMutableBufferPointer<Int32>) {
        if dense {
            let c = keys[0]
            var lo = Int64.max
            var hi = Int64.min
            c.ints.withUnsafeBufferPointer { v in
                for i in 0..<n {
                    lo = min(lo, v[i])
                    hi = max(hi, v[i])
                }
            }
            if (c.validity == nil || !c.validity!.contains(0)) && lo >= 0 && hi < Self.denseLimit {
                c.ints.withUnsafeBufferPointer { v in
                    slots.withUnsafeMutableBufferPointer { s in
                        for i in 0..<n {
                            let k = Int(v[i])
                            var g = s[k]
                            if g < 0 {
                                g = Int32(denseKeys.count)
                                s[k] = g
                                denseKeys.append(v[i])
                            }
                            ids[i] = g
                        }
                    }
                }
                return
            }
            // Leave dense mode: the table gets the known keys with the same ids (first-seen order).
            dense = false
            if !denseKeys.isEmpty {
                var tmp = [Int32](repeating: 0, count: denseKeys.count)
                tmp.withUnsafeMutableBufferPointer { t in
                    table.findOrInsert([Column(type: keyTypes[0], ints: denseKeys)], rowCount: denseKeys.count, into: t)
                }
            }
            slots = []
            denseKeys = []
        }
        table.findOrInsert(splitHugeintKeys(keys, keyTypes), rowCount: n, into: ids)
    }

    func keyColumns() -> [Column] {
        if dense { return [Column(type: keyTypes[0], ints: denseKeys)] }
        return joinHugeintKeys(table.keyColumns(), keyTypes)
    }
}
