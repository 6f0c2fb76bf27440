/// The distinct strings of a VARCHAR column; rows hold `Int32` codes into it (dictionary encoding).
///
/// A column file has one dictionary for the whole column (Formats/column-file.md, "Footer"), so
/// every block of a stored column shares one `StringDictionary` and equal strings have equal codes.
/// Computed strings (lower(), concat, ...) build a fresh dictionary per batch.
///
/// Thread safety: immutable after construction except for the lazily built lookup and sort
/// caches, which are guarded by a lock; share freely between threads.
public final class StringDictionary: @unchecked Sendable {
    /// The strings, indexed by code (0-based). Never contains duplicates when built with `intern`.
    public private(set) var values: [String]
    private var index: [String: Int32] = [:]
    private var rankCache: [Int32]?
    private var viewCache: [StringView]?
    private let viewHeap = StringHeap()
    private let lock = Mutex()

    /// An empty dictionary to be filled with `intern`.
    public init() { values = [] }

    /// A dictionary over `values`; codes are positions. The strings should be distinct.
    public init(_ values: [String]) {
        self.values = values
    }

    public var count: Int { values.count }

    public subscript(code: Int32) -> String { values[Int(code)] }

    /// Returns the code of `s`, appending it when new. Not thread-safe: use while building.
    @discardableResult
    public func intern(_ s: String) -> Int32 {
        if index.isEmpty && !values.isEmpty { rebuildIndex() }
        if let c = index[s] { return c }
        let c = Int32(values.count)
        values.append(s)
        index[s] = c
        rankCache = nil
        return c
    }

    /// The code of `s`, or nil when the dictionary does not contain it.
    public func code(of s: String) -> Int32? {
        lock.withLock {
            if index.count != values.count { rebuildIndex() }
            return index[s]
        }
    }

    private func rebuildIndex() {
        index = Dictionary(minimumCapacity: values.count)
        for (i, v) in values.enumerated() where index[v] == nil { index[v] = Int32(i) }
    }

    /// The values as string views, indexed by code; long values point into a heap the dictionary
    /// owns, so a column whose views come from here lists the dictionary in `Column.heaps`.
    /// Built once on first use, then cached.
    public var views: [StringView] {
        lock.withLock {
            if let v = viewCache, v.count == values.count { return v }
            var out = [StringView]()
            out.reserveCapacity(values.count)
            for var s in values {
                s.withUTF8 { b in
                    guard let p = b.baseAddress, b.count > 0 else { return out.append(StringView()) }
                    out.append(
                        b.count <= StringView.inlineLimit
                            ? StringView(bytes: p, count: b.count)
                            : StringView(bytes: viewHeap.store(p, count: b.count), count: b.count))
                }
            }
            viewCache = out
            return out
        }
    }

    /// For each code, its rank in byte-wise (UTF-8, memcmp) order of the strings, as DuckDB
    /// orders VARCHAR. Equal strings get equal ranks. Computed once, then cached.
    public var sortRanks: [Int32] {
        lock.withLock {
            if let r = rankCache, r.count == values.count { return r }
            let order = values.indices.sorted { Self.less(values[$0], values[$1]) }
            var ranks = [Int32](repeating: 0, count: values.count)
            var rank: Int32 = 0
            for (i, code) in order.enumerated() {
                if i > 0 && values[order[i - 1]] != values[code] { rank += 1 }
                ranks[code] = rank
            }
            rankCache = ranks
            return ranks
        }
    }

    /// Byte-wise comparison of the UTF-8 encodings (DuckDB's VARCHAR collation "binary").
    @inlinable
    public static func less(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
