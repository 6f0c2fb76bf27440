import KuaiCore

extension WindowPartitions {
    /// lag / lead: the argument `f.offset` rows back / ahead within the partition, else
    /// `f.defaultValue` (NULL by default). With IGNORE NULLS the rows counted are those whose
    /// argument is not NULL (offset 0 is the row itself, NULL or not), as DuckDB 2.0.1.
    /// Result type: the argument's.
    func lagLead(_ f: WindowFunction) -> Column {
        let n = count
        let arg = columns[f.argument!]
        var src = [Int32](repeating: -1, count: n)
        var usesDefault = [UInt8](repeating: 0, count: n)
        let (pStart, pEnd) = extents(partStart)
        if f.ignoreNulls && f.offset != 0 {
            lagLeadIgnoringNulls(f, arg, pStart, pEnd, &src, &usesDefault)
        } else {
            let delta = f.kind == .lag ? -f.offset : f.offset
            for i in 0..<n {
                let j = i + delta
                let row = Int(perm[i])
                if j >= Int(pStart[i]) && j < Int(pEnd[i]) { src[row] = perm[j] } else { usesDefault[row] = 1 }
            }
        }
        var result = src.withUnsafeBufferPointer { gatherNullable(arg, $0) }
        if !f.defaultValue.isNull && usesDefault.contains(1) {
            result = patchDefault(result, usesDefault, f.defaultValue)
        }
        return result
    }

    /// lag / lead IGNORE NULLS (offset > 0): the `f.offset`-th non-NULL argument before / after each
    /// position in its partition, found in the list of non-NULL positions (O(1) per row).
    private func lagLeadIgnoringNulls(
        _ f: WindowFunction, _ arg: Column, _ pStart: [Int32], _ pEnd: [Int32], _ src: inout [Int32],
        _ usesDefault: inout [UInt8]
    ) {
        let (before, positions) = nonNullPositions(arg)
        for i in 0..<count {
            let row = Int(perm[i])
            let k: Int
            let found: Bool
            if f.kind == .lag {
                k = Int(before[i]) - f.offset
                found = k >= Int(before[Int(pStart[i])])
            } else {
                k = Int(before[i + 1]) + f.offset - 1
                found = k < Int(before[Int(pEnd[i])])
            }
            if found { src[row] = perm[Int(positions[k])] } else { usesDefault[row] = 1 }
        }
    }

    /// `before[i]`: how many sorted positions before i hold a non-NULL value of `a` (count + 1
    /// entries); `positions[k]`: the sorted position of the k-th of them.
    func nonNullPositions(_ a: Column) -> (before: [Int32], positions: [Int32]) {
        var before = [Int32](repeating: 0, count: count + 1)
        var positions: [Int32] = []
        if a.type == .null { return (before, positions) }
        positions.reserveCapacity(count)
        var k: Int32 = 0
        for i in 0..<count {
            before[i] = k
            if a.validity == nil || a.validity![Int(perm[i])] != 0 {
                positions.append(Int32(i))
                k += 1
            }
        }
        before[count] = k
        return (before, positions)
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
