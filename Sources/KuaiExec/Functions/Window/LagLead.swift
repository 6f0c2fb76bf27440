import KuaiCore

extension WindowPartitions {
    /// lag / lead: the argument `f.offset` rows back / ahead within the partition, else
    /// `f.defaultValue` (NULL by default). Result type: the argument's.
    func lagLead(_ f: WindowFunction) -> Column {
        let n = count
        let arg = columns[f.argument!]
        var src = [Int32](repeating: -1, count: n)
        var usesDefault = [UInt8](repeating: 0, count: n)
        let (pStart, pEnd) = extents(partStart)
        let delta = f.kind == .lag ? -f.offset : f.offset
        for i in 0..<n {
            let j = i + delta
            let row = Int(perm[i])
            if j >= Int(pStart[i]) && j < Int(pEnd[i]) { src[row] = perm[j] } else { usesDefault[row] = 1 }
        }
        var result = src.withUnsafeBufferPointer { gatherNullable(arg, $0) }
        if !f.defaultValue.isNull && usesDefault.contains(1) {
            result = patchDefault(result, usesDefault, f.defaultValue)
        }
        return result
    }
}

/// Writes `value` into rows of `col` where `mask` is 1 (lag/lead defaults).
func patchDefault(_ col: Column, _ mask: [UInt8], _ value: Value) -> Column {
    var out = col
    var validity = out.validity ?? [UInt8](repeating: 1, count: out.count)
    switch (col.type, value) {
    case (.double, .double(let d)):
        for i in 0..<out.count where mask[i] != 0 {
            out.doubles[i] = d
            validity[i] = 1
        }
    case (.double, .int(let x)):
        for i in 0..<out.count where mask[i] != 0 {
            out.doubles[i] = Double(x)
            validity[i] = 1
        }
    case (.varchar, .string(let s)) where col.isFlatString:
        var b = StringVectorBuilder(capacity: 1)
        b.append(s)
        let v = b.views[0]
        for i in 0..<out.count where mask[i] != 0 {
            out.views[i] = v
            validity[i] = 1
        }
        out.heaps.append(b.heap)
    case (.varchar, .string(let s)):
        let dict = col.dictionary ?? StringDictionary()
        var code = dict.code(of: s)
        if code == nil {
            let copy = StringDictionary(dict.values + [s])
            code = Int32(dict.count)
            out.dictionary = copy
        }
        for i in 0..<out.count where mask[i] != 0 {
            out.codes[i] = code!
            validity[i] = 1
        }
    case (_, .int(let x)):
        for i in 0..<out.count where mask[i] != 0 {
            out.ints[i] = x
            out.highs?[i] = x >> 63
            validity[i] = 1
        }
    case (_, .hugeint(let x)):
        if out.highs == nil { out.highs = out.ints.map { $0 >> 63 } }
        for i in 0..<out.count where mask[i] != 0 {
            out.ints[i] = Int64(truncatingIfNeeded: x)
            out.highs![i] = Int64(truncatingIfNeeded: x >> 64)
            validity[i] = 1
        }
    case (_, .bool(let b)):
        for i in 0..<out.count where mask[i] != 0 {
            out.ints[i] = b ? 1 : 0
            validity[i] = 1
        }
    default:
        break
    }
    out.validity = validity.contains(0) ? validity : nil
    return out
}
