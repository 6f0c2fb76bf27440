import KuaiCore

/// Maps the strings of VARCHAR columns in either form to codes of one target dictionary, so that
/// equal strings get equal codes (the string side of the hash tables' keys).
///
/// Dictionary columns: strings are hashed once per distinct (source dictionary, code) pair, never
/// per row: each source dictionary gets a lazily filled `[Int32]` code map, cached for the few most
/// recently seen dictionaries (a stored column has one dictionary for all its blocks). Flat
/// columns: each row's view is hashed into the target (`StringDictionary.intern`, no Swift
/// `String`). Not thread-safe: one interner per thread or per operator.
public final class StringInterner {
    /// The dictionary that translated codes point into. Grows as `intern` sees new strings.
    public let target: StringDictionary

    private struct Entry {
        let dictionary: StringDictionary
        /// Per source code: target code, -1 = not known to be in the target, -2 = not looked at yet.
        var map: [Int32]
        /// `target.count` when the last -1 entries were written (they go stale when it grows).
        var missCount: Int
        var hasMisses: Bool
    }
    private var entries: [Entry] = []
    private let maxEntries = 8

    /// - Parameter target: the dictionary to intern into; a fresh one by default.
    public init(target: StringDictionary = StringDictionary()) {
        self.target = target
    }

    /// True when `rows` codes are few against `dictionary` (which has no code map yet): hashing
    /// each row's string then costs less than a code map over the whole dictionary (PartitionedKeyMerge
    /// hands each partition's table about 1/256 of a large dictionary's codes).
    private func isSparse(_ dictionary: StringDictionary, rows: Int) -> Bool {
        dictionary.count > 4 * rows + 4096 && !entries.contains { $0.dictionary === dictionary }
    }

    /// Calls `body` with the string view of each code (the views point into `dictionary`; a code
    /// outside it, as a NULL row may hold, gives the empty string).
    private func withViews(
        _ codes: UnsafeBufferPointer<Int32>, of dictionary: StringDictionary,
        _ body: (UnsafeBufferPointer<StringView>) -> Void
    ) {
        let all = dictionary.views
        let views = [StringView](unsafeUninitializedCapacity: codes.count) { v, initialized in
            all.withUnsafeBufferPointer { a in
                for i in 0..<codes.count {
                    let c = Int(codes[i])
                    (v.baseAddress! + i).initialize(to: c >= 0 && c < a.count ? a[c] : StringView())
                }
            }
            initialized = codes.count
        }
        withExtendedLifetime(dictionary) { views.withUnsafeBufferPointer(body) }
    }

    private func entryIndex(for dictionary: StringDictionary) -> Int {
        for i in entries.indices where entries[i].dictionary === dictionary {
            if entries[i].map.count < dictionary.count {
                entries[i].map.append(contentsOf: repeatElement(-2, count: dictionary.count - entries[i].map.count))
            }
            return i
        }
        if entries.count >= maxEntries { entries.removeFirst() }
        entries.append(
            Entry(
                dictionary: dictionary, map: [Int32](repeating: -2, count: dictionary.count),
                missCount: target.count, hasMisses: false))
        return entries.count - 1
    }

    /// Codes in `target` of the first `n` rows of the VARCHAR column `col` (either form),
    /// interning unseen strings; NULL rows get code 0.
    public func intern(_ col: Column, rows n: Int, into out: UnsafeMutableBufferPointer<Int32>) {
        withRows(
            col, n, coded: { intern($0, dictionary: $1, validity: $2, into: out) },
            flat: { target.intern($0, validity: $1, into: out) })
    }

    /// Codes in `target` of the first `n` rows of the VARCHAR column `col` (either form) without
    /// adding strings: -1 for a string absent from `target` and for a NULL row.
    public func lookup(_ col: Column, rows n: Int, into out: UnsafeMutableBufferPointer<Int32>) {
        withRows(
            col, n, coded: { lookup($0, dictionary: $1, validity: $2, into: out) },
            flat: { target.codes(of: $0, validity: $1, into: out) })
    }

    /// Calls `coded` with the first `n` codes of the dictionary column `col`, its dictionary and
    /// validity bytes (nil: all valid), or `flat` with the first `n` string views and validity bytes
    /// of a flat column; neither when `n` is 0.
    private func withRows(
        _ col: Column, _ n: Int,
        coded: (UnsafeBufferPointer<Int32>, StringDictionary, UnsafeBufferPointer<UInt8>?) -> Void,
        flat: (UnsafeBufferPointer<StringView>, UnsafeBufferPointer<UInt8>?) -> Void
    ) {
        if n == 0 { return }
        col.validity.withUnsafeBufferPointerOrNil { v in
            let valid = v.map { UnsafeBufferPointer(rebasing: $0[0..<n]) }
            if let d = col.dictionary {
                col.codes.withUnsafeBufferPointer { c in coded(UnsafeBufferPointer(rebasing: c[0..<n]), d, valid) }
            } else {
                col.views.withUnsafeBufferPointer { views in flat(UnsafeBufferPointer(rebasing: views[0..<n]), valid) }
            }
        }
    }

    /// Translates `codes` of `dictionary` into codes of `target`, interning unseen strings.
    /// Rows whose `validity` byte is 0 get code 0 and are not looked at.
    /// - Parameters:
    ///   - codes: `count` source codes.
    ///   - validity: nil (all valid) or `count` bytes, 1 = valid.
    ///   - out: receives `count` target codes.
    public func intern(
        _ codes: UnsafeBufferPointer<Int32>, dictionary: StringDictionary,
        validity: UnsafeBufferPointer<UInt8>?, into out: UnsafeMutableBufferPointer<Int32>
    ) {
        if dictionary === target {
            for i in 0..<codes.count { out[i] = (validity == nil || validity![i] != 0) ? codes[i] : 0 }
            return
        }
        if isSparse(dictionary, rows: codes.count) {
            withViews(codes, of: dictionary) { self.target.intern($0, validity: validity, into: out) }
            return
        }
        let e = entryIndex(for: dictionary)
        let target = self.target
        entries[e].map.withUnsafeMutableBufferPointer { map in
            for i in 0..<codes.count {
                if let v = validity, v[i] == 0 {
                    out[i] = 0
                    continue
                }
                let c = Int(codes[i])
                var t = map[c]
                if t < 0 {
                    t = target.intern(dictionary.view(Int32(c)))
                    map[c] = t
                }
                out[i] = t
            }
        }
    }

    /// Translates `codes` of `dictionary` into codes of `target` without adding strings:
    /// a string absent from `target` (and a NULL row) gives -1.
    public func lookup(
        _ codes: UnsafeBufferPointer<Int32>, dictionary: StringDictionary,
        validity: UnsafeBufferPointer<UInt8>?, into out: UnsafeMutableBufferPointer<Int32>
    ) {
        if dictionary === target {
            for i in 0..<codes.count { out[i] = (validity == nil || validity![i] != 0) ? codes[i] : -1 }
            return
        }
        if isSparse(dictionary, rows: codes.count) {
            withViews(codes, of: dictionary) { self.target.codes(of: $0, validity: validity, into: out) }
            return
        }
        let e = entryIndex(for: dictionary)
        let target = self.target
        if entries[e].hasMisses && entries[e].missCount != target.count {
            // The target grew since misses were recorded: forget them.
            entries[e].map.withUnsafeMutableBufferPointer { map in
                for i in 0..<map.count where map[i] == -1 { map[i] = -2 }
            }
            entries[e].hasMisses = false
        }
        var missed = false
        entries[e].map.withUnsafeMutableBufferPointer { map in
            for i in 0..<codes.count {
                if let v = validity, v[i] == 0 {
                    out[i] = -1
                    continue
                }
                let c = Int(codes[i])
                var t = map[c]
                if t == -2 {
                    t = target.code(of: dictionary.view(Int32(c))) ?? -1
                    if t == -1 { missed = true }
                    map[c] = t
                }
                out[i] = t
            }
        }
        if missed {
            entries[e].hasMisses = true
            entries[e].missCount = target.count
        }
    }
}
