import KuaiCore

extension WindowPartitions {
    /// lag / lead: the argument `f.offset` rows back / ahead within the partition, else
    /// `f.defaultValue` (NULL by default). With IGNORE NULLS the rows counted are those whose
    /// argument is not NULL (offset 0 is the row itself, NULL or not), as DuckDB 2.0.1.
    /// Result type: the argument's. Each position reads only its partition's bound on the side it
    /// looks to (`groupStarts` / `groupEnds`), so the positions are computed in chunks on every core;
    /// the values are then gathered on one thread.
    func lagLead(_ f: WindowFunction) -> Column {
        let n = count
        let arg = columns[f.argument!]
        var src = [Int32](repeating: -1, count: n)
        var usesDefault = [UInt8](repeating: 0, count: n)
        let delta = f.kind == .lag ? -f.offset : f.offset
        let ignoring = f.ignoreNulls && f.offset != 0
        // the partition's first position where the position looks back, its end where it looks ahead
        let looksBack = ignoring ? f.kind == .lag : delta < 0
        let bound = delta == 0 && !ignoring ? [] : (looksBack ? groupStarts(partStart) : groupEnds(partStart))
        src.withUnsafeMutableBufferPointer { src in
            usesDefault.withUnsafeMutableBufferPointer { usesDefault in
                if ignoring {
                    lagLeadIgnoringNulls(f, arg, bound, src, usesDefault)
                    return
                }
                chunks.forEachChunk { _, r in
                    for i in r {
                        let j = i + delta
                        let inside = delta == 0 || (looksBack ? j >= Int(bound[i]) : j < Int(bound[i]))
                        let row = Int(perm[i])
                        if inside { src[row] = perm[j] } else { usesDefault[row] = 1 }
                    }
                }
            }
        }
        // the serial gather: the parallel one raised g06's peak memory by ~20 MB in half of the runs
        var result = src.withUnsafeBufferPointer { gatherNullable(arg, $0) }
        if !f.defaultValue.isNull && usesDefault.contains(1) {
            result = patchDefault(result, usesDefault, f.defaultValue)
        }
        return result
    }

    /// lag / lead IGNORE NULLS (offset > 0): the `f.offset`-th non-NULL argument before / after each
    /// position in its partition, found in the list of non-NULL positions (O(1) per row). `bound`:
    /// each position's partition start (lag) or end (lead).
    private func lagLeadIgnoringNulls(
        _ f: WindowFunction, _ arg: Column, _ bound: [Int32], _ src: UnsafeMutableBufferPointer<Int32>,
        _ usesDefault: UnsafeMutableBufferPointer<UInt8>
    ) {
        let (before, positions) = nonNullPositions(arg)
        chunks.forEachChunk { _, r in
            for i in r {
                let row = Int(perm[i])
                let k: Int
                let found: Bool
                if f.kind == .lag {
                    k = Int(before[i]) - f.offset
                    found = k >= Int(before[Int(bound[i])])
                } else {
                    k = Int(before[i + 1]) + f.offset - 1
                    found = k < Int(before[Int(bound[i])])
                }
                if found { src[row] = perm[Int(positions[k])] } else { usesDefault[row] = 1 }
            }
        }
    }

    /// `before[i]`: how many sorted positions before i hold a non-NULL value of `a` (count + 1
    /// entries); `positions[k]`: the sorted position of the k-th of them. Counted per chunk on every
    /// core, then each chunk writes from its first entry.
    func nonNullPositions(_ a: Column) -> (before: [Int32], positions: [Int32]) {
        var before = [Int32](repeating: 0, count: count + 1)
        if a.type == .null { return (before, []) }
        guard let validity = a.validity else {
            for i in 0...count { before[i] = Int32(i) }
            return (before, (0..<count).map { Int32($0) })
        }
        let chunks = self.chunks
        var firsts = [Int](repeating: 0, count: chunks.ranges.count + 1)
        firsts.withUnsafeMutableBufferPointer { out in
            chunks.forEachChunk { k, r in
                var valid = 0
                for i in r where validity[Int(perm[i])] != 0 { valid += 1 }
                out[k + 1] = valid
            }
        }
        for k in chunks.ranges.indices { firsts[k + 1] += firsts[k] }
        let total = firsts[chunks.ranges.count]
        var positions = [Int32](repeating: 0, count: total)
        before.withUnsafeMutableBufferPointer { b in
            positions.withUnsafeMutableBufferPointer { p in
                chunks.forEachChunk { k, r in
                    var at = firsts[k]
                    for i in r {
                        b[i] = Int32(at)
                        if validity[Int(perm[i])] != 0 {
                            p[at] = Int32(i)
                            at += 1
                        }
                    }
                }
            }
        }
        before[count] = Int32(total)
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
