import KuaiCore

// levenshtein (editdist3), damerau_levenshtein, hamming (mismatches), jaccard, jaro_similarity and
// jaro_winkler_similarity: DuckDB 2.0.1's string similarity functions, over code points. NULL in,
// NULL out.

extension FunctionRegistry {
    static let similarityFunctions: [ScalarFunction] = [
        ScalarFunction("levenshtein", [.varchar, .varchar], .bigint) { a, _, n, _ in
            try StringSimilarity.pairwise(a, n, .bigint) { .int(Int64(StringSimilarity.levenshtein($0, $1))) }
        },
        ScalarFunction("editdist3", [.varchar, .varchar], .bigint) { a, _, n, _ in
            try StringSimilarity.pairwise(a, n, .bigint) { .int(Int64(StringSimilarity.levenshtein($0, $1))) }
        },
        ScalarFunction("damerau_levenshtein", [.varchar, .varchar], .bigint) { a, _, n, _ in
            try StringSimilarity.pairwise(a, n, .bigint) { .int(Int64(StringSimilarity.damerauLevenshtein($0, $1))) }
        },
        ScalarFunction("hamming", [.varchar, .varchar], .bigint) { a, _, n, _ in
            try StringSimilarity.pairwise(a, n, .bigint) { .int(try StringSimilarity.hamming($0, $1)) }
        },
        ScalarFunction("mismatches", [.varchar, .varchar], .bigint) { a, _, n, _ in
            try StringSimilarity.pairwise(a, n, .bigint) { .int(try StringSimilarity.hamming($0, $1)) }
        },
        ScalarFunction("jaccard", [.varchar, .varchar], .double) { a, _, n, _ in
            try StringSimilarity.pairwise(a, n, .double) { .double(try StringSimilarity.jaccard($0, $1)) }
        },
        ScalarFunction("jaro_similarity", [.varchar, .varchar], .double) { a, _, n, _ in
            try StringSimilarity.pairwise(a, n, .double) { .double(StringSimilarity.jaro($0, $1, winkler: false)) }
        },
        ScalarFunction("jaro_similarity", [.varchar, .varchar, .double], .double) { a, _, n, _ in
            try StringSimilarity.withCutoff(a, n, winkler: false)
        },
        ScalarFunction("jaro_winkler_similarity", [.varchar, .varchar], .double) { a, _, n, _ in
            try StringSimilarity.pairwise(a, n, .double) { .double(StringSimilarity.jaro($0, $1, winkler: true)) }
        },
        ScalarFunction("jaro_winkler_similarity", [.varchar, .varchar, .double], .double) { a, _, n, _ in
            try StringSimilarity.withCutoff(a, n, winkler: true)
        },
    ]
}

/// The string similarity kernels: distances and similarities of two strings' code points, as
/// DuckDB 2.0.1 computes them.
enum StringSimilarity {
    /// A BIGINT or DOUBLE result of one row.
    enum Result {
        case int(Int64)
        case double(Double)
    }

    /// `f(code points of a[0], code points of a[1])` for every row where both are non-NULL, as a
    /// column of `type` (NULL where either is NULL). Two scratch arrays serve every row.
    /// - Throws: what `f` throws (DuckDB's errors of hamming and jaccard).
    static func pairwise(
        _ a: [Operand], _ n: Int, _ type: DataType, _ f: ([UInt32], [UInt32]) throws -> Result
    ) throws -> Operand {
        let x = StringArg(a[0])
        let y = StringArg(a[1])
        guard let shape = KernelShape(count: n, [x, y]) else { return .scalar(.null) }
        let rows = shape.rows
        var ints = type == .double ? [] : [Int64](repeating: 0, count: rows)
        var doubles = type == .double ? [Double](repeating: 0, count: rows) : []
        var p: [UInt32] = []
        var q: [UInt32] = []
        for i in 0..<rows where shape.validity?[i] ?? 1 != 0 {
            x.views[i &* x.step].withBytes { decode($0, into: &p) }
            y.views[i &* y.step].withBytes { decode($0, into: &q) }
            switch try f(p, q) {
            case .int(let v): ints[i] = v
            case .double(let d): doubles[i] = d
            }
        }
        let c =
            type == .double
            ? Column(doubles: doubles, validity: shape.validity)
            : Column(type: type, ints: ints, validity: shape.validity)
        return shape.result(c)
    }

    /// jaro_similarity / jaro_winkler_similarity with a score cutoff (a constant or a column): a
    /// similarity below the cutoff is 0; a NULL cutoff gives NULL.
    static func withCutoff(_ a: [Operand], _ n: Int, winkler: Bool) throws -> Operand {
        let sim = try pairwise(a, n, .double) { .double(jaro($0, $1, winkler: winkler)) }
        if case .scalar(let sv) = sim, case .scalar(let cv) = a[2] {
            let cutoff: Double
            switch cv {
            case .double(let d): cutoff = d
            case .int(let x): cutoff = Double(x)
            default: return .scalar(.null)
            }
            guard case .double(let s) = sv else { return .scalar(.null) }
            return .scalar(.double(s >= cutoff ? s : 0))
        }
        let rows = n
        func column(_ o: Operand) -> Column {
            switch o {
            case .column(let c): return c
            case .scalar(let v): return Column.broadcast(v, type: .double, count: rows)
            }
        }
        let (s, c) = (column(sim), column(a[2]))
        var out = [Double](repeating: 0, count: rows)
        let validity = andValidity(s.type == .null ? [UInt8](repeating: 0, count: rows) : s.validity, c.validity)
        if s.type != .null && c.type != .null {
            for i in 0..<rows where s.doubles[i] >= c.doubles[i] { out[i] = s.doubles[i] }
        }
        let result = Column(doubles: out, validity: c.type == .null ? [UInt8](repeating: 0, count: rows) : validity)
        return .column(result)
    }

    /// The code points of `b` into `out` (replacing its contents).
    private static func decode(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt32]) {
        out.removeAll(keepingCapacity: true)
        var i = 0
        while i < b.count {
            let len = UTF8Bytes.sequenceLength(b, i)
            out.append(UTF8Bytes.decode(b, i, len))
            i += len
        }
    }

    /// The fewest insertions, deletions and substitutions turning `s` into `t`.
    static func levenshtein(_ s: [UInt32], _ t: [UInt32]) -> Int {
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        var prev = Array(0...t.count)
        var cur = [Int](repeating: 0, count: t.count + 1)
        for i in 1...s.count {
            cur[0] = i
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            }
            swap(&prev, &cur)
        }
        return prev[t.count]
    }

    /// The true Damerau-Levenshtein distance (transpositions of adjacent characters count one
    /// and substrings may be edited again, unlike the optimal string alignment distance), by
    /// Lowrance and Wagner's algorithm, as DuckDB's damerau_levenshtein.
    static func damerauLevenshtein(_ s: [UInt32], _ t: [UInt32]) -> Int {
        let (m, n) = (s.count, t.count)
        if m == 0 { return n }
        if n == 0 { return m }
        let inf = m + n
        let w = n + 2
        var d = [Int](repeating: 0, count: (m + 2) * w)
        d[0] = inf
        for i in 0...m {
            d[(i + 1) * w] = inf
            d[(i + 1) * w + 1] = i
        }
        for j in 0...n {
            d[j + 1] = inf
            d[w + j + 1] = j
        }
        // the last row where each character of s was seen (sorted pairs, looked up by search)
        var lastRow: [(UInt32, Int)] = []
        func last(_ c: UInt32) -> Int {
            for (k, r) in lastRow where k == c { return r }
            return 0
        }
        for i in 1...m {
            var db = 0
            for j in 1...n {
                let i1 = last(t[j - 1])
                let j1 = db
                let cost: Int
                if s[i - 1] == t[j - 1] {
                    cost = 0
                    db = j
                } else {
                    cost = 1
                }
                d[(i + 1) * w + j + 1] = Swift.min(
                    d[i * w + j] + cost, d[(i + 1) * w + j] + 1, d[i * w + j + 1] + 1,
                    d[i1 * w + j1] + (i - i1 - 1) + 1 + (j - j1 - 1))
            }
            if let k = lastRow.firstIndex(where: { $0.0 == s[i - 1] }) {
                lastRow[k].1 = i
            } else {
                lastRow.append((s[i - 1], i))
            }
        }
        return d[(m + 1) * w + n + 1]
    }

    /// The number of positions where `s` and `t` differ.
    /// - Throws: `KuaiError.execution` for an empty string or strings of different lengths
    ///   (DuckDB's "Mismatch Function" errors).
    static func hamming(_ s: [UInt32], _ t: [UInt32]) throws -> Int64 {
        if s.isEmpty || t.isEmpty {
            throw KuaiError(.execution, "Mismatch Function: Strings must be of length > 0!")
        }
        if s.count != t.count {
            throw KuaiError(.execution, "Mismatch Function: Strings must be of equal length!")
        }
        var d: Int64 = 0
        for k in 0..<s.count where s[k] != t[k] { d += 1 }
        return d
    }

    /// |chars(s) ∩ chars(t)| / |chars(s) ∪ chars(t)| over the sets of characters.
    /// - Throws: `KuaiError.execution` for an empty string ("Jaccard Function: An argument too short!").
    static func jaccard(_ s: [UInt32], _ t: [UInt32]) throws -> Double {
        if s.isEmpty || t.isEmpty { throw KuaiError(.execution, "Jaccard Function: An argument too short!") }
        let a = sortedUnique(s)
        let b = sortedUnique(t)
        var (i, j, common) = (0, 0, 0)
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                common += 1
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return Double(common) / Double(a.count + b.count - common)
    }

    /// The distinct values of `x`, ascending.
    private static func sortedUnique(_ x: [UInt32]) -> [UInt32] {
        var out: [UInt32] = []
        for v in x.sorted() where out.last != v { out.append(v) }
        return out
    }

    /// The Jaro similarity (matches within max(|s|, |t|) / 2 - 1 positions, half the transposed
    /// matches), and with `winkler` the Jaro-Winkler similarity (a common prefix of up to 4
    /// characters adds 0.1 per character of the remaining distance when the Jaro similarity is
    /// above 0.7). Empty strings have similarity 0, as DuckDB's.
    static func jaro(_ s: [UInt32], _ t: [UInt32], winkler: Bool) -> Double {
        if s.isEmpty || t.isEmpty { return 0 }
        let window = Swift.max(0, Swift.max(s.count, t.count) / 2 - 1)
        var sMatched = [Bool](repeating: false, count: s.count)
        var tMatched = [Bool](repeating: false, count: t.count)
        var matches = 0
        for i in 0..<s.count {
            let lo = Swift.max(0, i - window)
            let hi = Swift.min(t.count, i + window + 1)
            if lo >= hi { continue }
            for j in lo..<hi where !tMatched[j] && s[i] == t[j] {
                sMatched[i] = true
                tMatched[j] = true
                matches += 1
                break
            }
        }
        if matches == 0 { return 0 }
        var transposed = 0
        var j = 0
        for i in 0..<s.count where sMatched[i] {
            while !tMatched[j] { j += 1 }
            if s[i] != t[j] { transposed += 1 }
            j += 1
        }
        let m = Double(matches)
        let sim = (m / Double(s.count) + m / Double(t.count) + (m - Double(transposed / 2)) / m) / 3
        guard winkler && sim > 0.7 else { return sim }
        var prefix = 0
        while prefix < Swift.min(4, s.count, t.count) && s[prefix] == t[prefix] { prefix += 1 }
        return sim + Double(prefix) * 0.1 * (1 - sim)
    }
}
