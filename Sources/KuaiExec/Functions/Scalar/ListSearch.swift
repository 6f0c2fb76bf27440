import KuaiCore

#if canImport(Glibc)
    import Glibc
#endif

extension ListFunctions {
    /// `elements[k] == probe[i]` for two columns of one type (values, not validity): integer words
    /// (and high words where wide), doubles (NaN equal to NaN, -0.0 to 0.0, as DuckDB compares), or
    /// string bytes.
    static func equality(_ elements: Column, _ probe: Column) -> (Int, Int) -> Bool {
        switch elements.type {
        case .double:
            return { k, i in
                let a = elements.doubles[k]
                let b = probe.doubles[i]
                return a == b || (a.isNaN && b.isNaN)
            }
        case .varchar:
            return { k, i in StringView.equal(elements.stringView(at: k), probe.stringView(at: i)) }
        case .null:
            return { _, _ in true }
        default:
            if elements.highs != nil || probe.highs != nil {
                return { k, i in elements.int128(at: k) == probe.int128(at: i) }
            }
            return { k, i in elements.ints[k] == probe.ints[i] }
        }
    }

    /// list_contains (BOOLEAN) or list_position (INTEGER) of `probe` in each row of `l`.
    static func search(_ l: Column, _ probe: Column, kind: Kind) -> Column {
        let n = l.count
        let elements = l.listElements
        let equal = equality(elements, probe)
        let isPosition: Bool
        if case .position = kind { isPosition = true } else { isPosition = false }
        var out = [Int64](repeating: 0, count: n)
        var valid = [UInt8](repeating: 1, count: n)
        for i in 0..<n {
            let probeValid = probe.isValid(i)
            guard l.isValid(i), probeValid || isPosition else {
                valid[i] = 0
                continue
            }
            let start = l.listOffset(i)
            var found = 0
            for k in start..<(start + l.listLength(i)) {
                let elementValid = elements.isValid(k)
                if elementValid != probeValid { continue }
                if !elementValid || equal(k, i) {
                    found = k - start + 1
                    break
                }
            }
            if isPosition {
                out[i] = Int64(found)
                if found == 0 { valid[i] = 0 }
            } else {
                out[i] = found > 0 ? 1 : 0
            }
        }
        return Column(type: isPosition ? .integer : .boolean, ints: out, validity: valid.contains(0) ? valid : nil)
    }

    /// string_split(s, sep): the pieces of s between occurrences of sep (DuckDB: an empty separator
    /// splits into UTF-8 characters, a NULL separator gives `[s]`, a NULL s gives NULL).
    static func stringSplit(_ s: Column, _ sep: Column) -> Column {
        let n = s.count
        var pieces = StringVectorBuilder(capacity: n)
        var packed = [Int64](repeating: 0, count: n)
        var total = 0
        for i in 0..<n where s.isValid(i) {
            let start = total
            s.stringView(at: i).withBytes { text in
                guard sep.isValid(i) else {
                    pieces.append(text.baseAddress ?? emptyBytes, count: text.count)
                    total += 1
                    return
                }
                sep.stringView(at: i).withBytes { by in
                    total += splitBytes(text, by) { p, len in pieces.append(p, count: len) }
                }
            }
            packed[i] = Column.packList(offset: start, length: total - start)
        }
        return Column(listOf: .varchar, packed: packed, child: pieces.finish(), validity: s.validity)
    }

    /// A valid pointer for zero-byte appends.
    nonisolated(unsafe) static let emptyBytes: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    /// Calls `emit` for each piece of `text` split at `by` (into UTF-8 characters when `by` is
    /// empty: no piece for an empty text); returns the number of pieces.
    static func splitBytes(
        _ text: UnsafeBufferPointer<UInt8>, _ by: UnsafeBufferPointer<UInt8>,
        _ emit: (UnsafePointer<UInt8>, Int) -> Void
    ) -> Int {
        let base = text.baseAddress ?? emptyBytes
        let n = text.count
        let m = by.count
        if m == 0 {
            var i = 0
            var count = 0
            while i < n {
                var j = i + 1
                while j < n && base[j] & 0xC0 == 0x80 { j += 1 }
                emit(base + i, j - i)
                count += 1
                i = j
            }
            return count
        }
        var count = 0
        var pieceStart = 0
        var i = 0
        while i + m <= n {
            if base[i] == by[0] && memcmp(base + i, by.baseAddress!, m) == 0 {
                emit(base + pieceStart, i - pieceStart)
                count += 1
                i += m
                pieceStart = i
            } else {
                i += 1
            }
        }
        emit(base + pieceStart, n - pieceStart)
        return count + 1
    }
}
