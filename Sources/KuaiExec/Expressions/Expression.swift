import KuaiCore

/// Arithmetic operators of bound expressions (DuckDB semantics, see `Kernels.swift`).
public enum ArithmeticOp: String, Sendable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    /// `/`: always DOUBLE division (x / 0 is inf or nan, as DuckDB).
    case divide = "/"
    /// `//`: integer division truncating toward zero; division by zero is an execution error.
    case integerDivide = "//"
    /// `%`: remainder with the sign of the dividend; by zero is an execution error.
    case modulo = "%"
}

/// Comparison operators; NULL on either side gives NULL.
public enum CompareOp: String, Sendable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessEqual = "<="
    case greater = ">"
    case greaterEqual = ">="

    /// The operator with its operands swapped (`a < b` is `b > a`).
    public var flipped: CompareOp {
        switch self {
        case .equal, .notEqual: return self
        case .less: return .greater
        case .lessEqual: return .greaterEqual
        case .greater: return .less
        case .greaterEqual: return .lessEqual
        }
    }
}

/// A bound, typed scalar expression over the columns of an input batch.
///
/// The binder (KuaiPlan) builds these with every type resolved (STYLE.md rule 6: types are checked
/// when the plan is built); evaluation never re-checks names or types. `name` is the expression
/// as DuckDB prints it as a result column name (e.g. `(x + 1)`, `count_star()`), and is used in
/// error messages. Column references are 0-based indexes into the input batch.
///
/// Evaluation works on whole column buffers (see `evaluate(_:)`); expressions whose only input is
/// one VARCHAR column are evaluated once per distinct dictionary value and then gathered by code.
public final class ScalarExpr: @unchecked Sendable, CustomStringConvertible {
    public indirect enum Kind {
        /// Input column `index`.
        case column(Int)
        /// A constant (`Value` interpreted by `type`: days for DATE, microseconds for TIMESTAMP).
        case constant(Value)
        case arithmetic(ArithmeticOp, ScalarExpr, ScalarExpr)
        case compare(CompareOp, ScalarExpr, ScalarExpr)
        /// Conjunction of two or more operands (three-valued logic).
        case and([ScalarExpr])
        /// Disjunction of two or more operands (three-valued logic).
        case or([ScalarExpr])
        case not(ScalarExpr)
        /// Arithmetic negation.
        case negate(ScalarExpr)
        case isNull(ScalarExpr, negated: Bool)
        /// `a IS [NOT] DISTINCT FROM b`: NULL-safe equality.
        case isDistinctFrom(ScalarExpr, ScalarExpr, negated: Bool)
        /// `x [NOT] IN (list)`; list items have the type of `x` after binding.
        case inList(ScalarExpr, [ScalarExpr], negated: Bool)
        /// `x [NOT] LIKE pattern [ESCAPE escape]` with a constant pattern (`%` any run, `_` one character).
        /// `escape` is the constant `ESCAPE` string (nil: none); it is checked when a row is evaluated, as DuckDB
        /// does (`Kernels.like`): longer than one byte, or ending the pattern, is an execution error.
        case like(ScalarExpr, pattern: String, negated: Bool, caseInsensitive: Bool, escape: String? = nil)
        /// Searched CASE; `elseExpr` nil means ELSE NULL.
        case caseWhen([(when: ScalarExpr, then: ScalarExpr)], elseExpr: ScalarExpr?)
        /// CAST to `type`; `isTry` gives NULL instead of an error.
        case cast(ScalarExpr, isTry: Bool)
        /// A scalar function from `FunctionRegistry`.
        case function(ScalarFunction, [ScalarExpr])
    }

    public let kind: Kind
    public let type: DataType
    /// DuckDB's display text of the expression (result column name, error messages).
    public let name: String

    /// Cache of dictionary-level results, keyed by dictionary identity (see `evaluate`).
    let dictCache = DictionaryResultCache()
    /// A value computed once per expression on first use (IN-list constants and hash set).
    let memo = Memo<InListConstants>()
    /// The single VARCHAR input column when the expression depends on exactly one column and it
    /// is VARCHAR (enables dictionary-level evaluation); computed once.
    let singleStringColumn: Int?
    /// Every input column the expression reads.
    public let referencedColumns: [Int]
    /// For VARCHAR constants and CASE expressions: one dictionary shared by every batch, holding
    /// the constant strings, so that downstream operators see a single dictionary.
    let stableDictionary: StringDictionary?

    public init(_ kind: Kind, type: DataType, name: String) {
        self.kind = kind
        self.type = type
        self.name = name
        let kids = ScalarExpr.childList(kind)
        var refs = Set<Int>()
        if case .column(let i) = kind { refs.insert(i) }
        for k in kids { refs.formUnion(k.referencedColumns) }
        self.referencedColumns = refs.sorted()
        var single: Int? = nil
        if case .column = kind {
            single = nil  // a bare column needs no dictionary evaluation
        } else if refs.count == 1, let c = refs.first, ScalarExpr.columnType(kids, c) == .varchar,
            ScalarExpr.isDeterministic(kids)
        {
            single = c
        }
        if case .function(let f, _) = kind, !f.deterministic { single = nil }
        self.singleStringColumn = single
        var stable: StringDictionary? = nil
        if type == .varchar {
            switch kind {
            case .constant(.string(let s)): stable = StringDictionary([s])
            case .caseWhen(let ws, let e):
                let d = StringDictionary()
                for t in ws.map(\.then) + (e.map { [$0] } ?? []) {
                    if case .constant(.string(let s)) = t.kind { d.intern(s) }
                }
                if d.count > 0 { stable = d }
            default: break
            }
        }
        self.stableDictionary = stable
    }

    /// A column reference.
    public static func column(_ index: Int, type: DataType, name: String) -> ScalarExpr {
        ScalarExpr(.column(index), type: type, name: name)
    }

    /// A constant.
    public static func constant(_ value: Value, type: DataType, name: String? = nil) -> ScalarExpr {
        ScalarExpr(.constant(value), type: type, name: name ?? ScalarExpr.literalText(value, type: type))
    }

    public var description: String { name }

    /// The constant value when this is a constant expression node.
    public var constantValue: Value? {
        if case .constant(let v) = kind { return v }
        return nil
    }

    /// The input column when this is a bare column reference.
    public var columnIndex: Int? {
        if case .column(let i) = kind { return i }
        return nil
    }

    /// The children of this node, for tree walks.
    public var children: [ScalarExpr] { ScalarExpr.childList(kind) }

    /// A copy with every column index `i` replaced by `map(i)`.
    public func remapColumns(_ map: (Int) -> Int) -> ScalarExpr {
        func r(_ e: ScalarExpr) -> ScalarExpr { e.remapColumns(map) }
        let k: Kind
        switch kind {
        case .column(let i): k = .column(map(i))
        case .constant: return self
        case .arithmetic(let op, let a, let b): k = .arithmetic(op, r(a), r(b))
        case .compare(let op, let a, let b): k = .compare(op, r(a), r(b))
        case .and(let xs): k = .and(xs.map(r))
        case .or(let xs): k = .or(xs.map(r))
        case .not(let a): k = .not(r(a))
        case .negate(let a): k = .negate(r(a))
        case .isNull(let a, let n): k = .isNull(r(a), negated: n)
        case .isDistinctFrom(let a, let b, let n): k = .isDistinctFrom(r(a), r(b), negated: n)
        case .inList(let a, let xs, let n): k = .inList(r(a), xs.map(r), negated: n)
        case .like(let a, let p, let n, let ci, let e):
            k = .like(r(a), pattern: p, negated: n, caseInsensitive: ci, escape: e)
        case .caseWhen(let ws, let e): k = .caseWhen(ws.map { (r($0.when), r($0.then)) }, elseExpr: e.map(r))
        case .cast(let a, let t): k = .cast(r(a), isTry: t)
        case .function(let f, let xs): k = .function(f, xs.map(r))
        }
        return ScalarExpr(k, type: type, name: name)
    }

    /// A structural key: equal keys mean equal expressions (used to match GROUP BY items).
    public var structuralKey: String {
        switch kind {
        case .column(let i): return "#\(i)"
        case .constant(let v): return "c(\(type):\(v))"
        case .arithmetic(let op, let a, let b): return "(\(a.structuralKey)\(op.rawValue)\(b.structuralKey)):\(type)"
        case .compare(let op, let a, let b): return "(\(a.structuralKey)\(op.rawValue)\(b.structuralKey))"
        case .and(let xs): return "and(" + xs.map(\.structuralKey).joined(separator: ",") + ")"
        case .or(let xs): return "or(" + xs.map(\.structuralKey).joined(separator: ",") + ")"
        case .not(let a): return "not(\(a.structuralKey))"
        case .negate(let a): return "neg(\(a.structuralKey))"
        case .isNull(let a, let n): return "isnull(\(a.structuralKey),\(n))"
        case .isDistinctFrom(let a, let b, let n): return "distinct(\(a.structuralKey),\(b.structuralKey),\(n))"
        case .inList(let a, let xs, let n):
            return "in(\(a.structuralKey);" + xs.map(\.structuralKey).joined(separator: ",") + ";\(n))"
        case .like(let a, let p, let n, let ci, let e):
            return
                "like(\(a.structuralKey),\(p.debugDescription),\(n),\(ci)\(e.map { ",escape " + $0.debugDescription } ?? ""))"
        case .caseWhen(let ws, let e):
            return "case(" + ws.map { "\($0.when.structuralKey)->\($0.then.structuralKey)" }.joined(separator: ",")
                + ";\(e?.structuralKey ?? "")):\(type)"
        case .cast(let a, let t): return "cast(\(a.structuralKey),\(type),\(t))"
        case .function(let f, let xs):
            return "\(f.name)(" + xs.map(\.structuralKey).joined(separator: ",") + "):\(type)"
        }
    }

    static func childList(_ kind: Kind) -> [ScalarExpr] {
        switch kind {
        case .column, .constant: return []
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .isDistinctFrom(let a, let b, _): return [a, b]
        case .and(let xs), .or(let xs): return xs
        case .not(let a), .negate(let a), .isNull(let a, _), .like(let a, _, _, _, _), .cast(let a, _): return [a]
        case .inList(let a, let xs, _): return [a] + xs
        case .caseWhen(let ws, let e): return ws.flatMap { [$0.when, $0.then] } + (e.map { [$0] } ?? [])
        case .function(_, let xs): return xs
        }
    }

    /// The type of the first column reference to `c` under `roots`.
    static func columnType(_ roots: [ScalarExpr], _ c: Int) -> DataType? {
        var stack = roots
        while let e = stack.popLast() {
            if case .column(let i) = e.kind, i == c { return e.type }
            stack.append(contentsOf: e.children)
        }
        return nil
    }

    static func isDeterministic(_ roots: [ScalarExpr]) -> Bool {
        var stack = roots
        while let e = stack.popLast() {
            if case .function(let f, _) = e.kind, !f.deterministic { return false }
            stack.append(contentsOf: e.children)
        }
        return true
    }

    /// DuckDB's text for a literal of `type` (`'abc'`, `42`, `NULL`, `true`).
    public static func literalText(_ v: Value, type: DataType) -> String {
        switch v {
        case .null: return "NULL"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i):
            switch type {
            case .date: return "'\(ValueFormatter.date(i))'"
            case .timestamp: return "'\(ValueFormatter.timestamp(i))'"
            case .boolean: return i != 0 ? "true" : "false"
            default: return String(i)
            }
        case .hugeint(let i): return String(i)
        case .double(let d): return ValueFormatter.double(d)
        case .string(let s): return "'" + s.replacingAll("'", with: "''") + "'"
        }
    }
}

extension String {
    /// Replaces every occurrence of `target` (no Foundation).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(count)
        for ch in self {
            if ch == target { out += replacement } else { out.append(ch) }
        }
        return out
    }
}

/// Caches, per input dictionary, the result of evaluating an expression over the dictionary's
/// values (plus one trailing row for NULL). Thread-safe.
final class DictionaryResultCache: @unchecked Sendable {
    private let lock = Mutex()
    private var entries: [(dict: StringDictionary, count: Int, result: Column)] = []

    func lookup(_ dict: StringDictionary) -> Column? {
        lock.withLock {
            for e in entries where e.dict === dict && e.count == dict.count { return e.result }
            return nil
        }
    }

    func store(_ dict: StringDictionary, _ result: Column) {
        lock.withLock {
            if entries.count >= 8 { entries.removeFirst() }
            entries.append((dict, dict.count, result))
        }
    }
}

/// The constant items of an IN list, prepared once.
struct InListConstants {
    let values: [Value]?
    let set: IntHashSet?
}

/// A value computed once, on first use, from any thread.
final class Memo<T>: @unchecked Sendable {
    private let lock = Mutex()
    private var stored: T?
    func value(_ make: () -> T) -> T {
        lock.withLock {
            if let stored { return stored }
            let v = make()
            stored = v
            return v
        }
    }
}

/// A set of Int64 for `x IN (long list)` and `x IN (subquery)` membership tests.
///
/// When the values span fewer than `denseSpan` integers, the set is a bitmap over
/// `min ... max` (at most 4 MiB): a range check and one bit test a probe. Otherwise it is an
/// open-addressing table (multiply-shift hash, linear probing, load <= 1/2) with a
/// one-bit-per-bucket filter in front (at least 16 bits per value, at most 512 KiB) that answers
/// most misses with one bit test in a small, cache-resident array: a filtered `IN (subquery)`
/// usually rejects nearly every row, and then rarely touches the table.
final class IntHashSet: @unchecked Sendable {
    /// Largest `max - min` stored as a bitmap (2^25 bits = 4 MiB).
    static let denseSpan: UInt64 = 1 << 25
    private var slots: [Int64] = []
    private var used: [UInt8] = []
    private var shift: UInt64 = 0
    /// Bit `h >> filterShift` is set when some value with hash `h` is in the set.
    private var filter: [UInt64] = []
    private var filterShift: UInt64 = 0
    /// Dense form: bit `v - low` is set when `v` is in the set (`v - low <= span`).
    private var bits: [UInt64] = []
    private var low: Int64 = 0
    private var span: UInt64 = 0
    let isDense: Bool
    let count: Int

    @inline(__always)
    static func hash(_ v: Int64) -> UInt64 { UInt64(bitPattern: v) &* 0x9E37_79B9_7F4A_7C15 }

    init(_ values: [Int64]) {
        if let lo = values.min(), let hi = values.max(),
            UInt64(bitPattern: hi) &- UInt64(bitPattern: lo) < Self.denseSpan
        {
            isDense = true
            low = lo
            span = UInt64(bitPattern: hi) &- UInt64(bitPattern: lo)
            bits = [UInt64](repeating: 0, count: Int(span / 64) + 1)
            var n = 0
            for v in values {
                let o = UInt64(bitPattern: v) &- UInt64(bitPattern: lo)
                let w = Int(o &>> 6)
                let b: UInt64 = 1 &<< (o & 63)
                if bits[w] & b == 0 {
                    bits[w] |= b
                    n += 1
                }
            }
            count = n
            return
        }
        isDense = false
        var cap = 16
        while cap < values.count * 2 { cap *= 2 }
        slots = [Int64](repeating: 0, count: cap)
        used = [UInt8](repeating: 0, count: cap)
        shift = UInt64(64 - cap.trailingZeroBitCount)
        var filterBits = 4096
        while filterBits < values.count * 16 && filterBits < (1 << 22) { filterBits *= 2 }
        filter = [UInt64](repeating: 0, count: filterBits / 64)
        filterShift = UInt64(64 - filterBits.trailingZeroBitCount)
        let mask = cap - 1
        var n = 0
        for v in values {
            let h = Self.hash(v)
            var s = Int(truncatingIfNeeded: h &>> shift)
            while used[s] != 0 && slots[s] != v { s = (s + 1) & mask }
            if used[s] == 0 {
                used[s] = 1
                slots[s] = v
                n += 1
            }
            let f = Int(truncatingIfNeeded: h &>> filterShift)
            filter[f &>> 6] |= 1 &<< UInt64(f & 63)
        }
        count = n
    }

    /// Writes 1 into `out[i]` for each `values[i]` in the set, else 0.
    func contains(_ values: UnsafeBufferPointer<Int64>, into out: UnsafeMutableBufferPointer<Int64>) {
        if isDense {
            bits.withUnsafeBufferPointer { b in
                let t = DenseMember(
                    values: values.baseAddress ?? UnsafePointer(bitPattern: 8)!, bits: b.baseAddress!, low: low,
                    span: span)
                for i in 0..<values.count { out[i] = t.has(i) ? 1 : 0 }
            }
            return
        }
        withTables { t in
            for i in 0..<values.count { out[i] = t.has(values[i]) ? 1 : 0 }
        }
    }

    /// The rows `i` (of `0..<n`, or of `input`) whose value is in the set and valid
    /// (`valid[i] != 0`, nil = all valid), ascending: the selection vector of `x IN (...)`.
    func select(
        _ values: UnsafeBufferPointer<Int64>, _ valid: UnsafePointer<UInt8>?, _ input: UnsafeBufferPointer<Int32>?,
        _ n: Int
    ) -> [Int32] {
        let v = values.baseAddress ?? UnsafePointer(bitPattern: 8)!
        if isDense {
            return bits.withUnsafeBufferPointer { b in
                ScalarExpr.selectRows(
                    n, valid, input, DenseMember(values: v, bits: b.baseAddress!, low: low, span: span)
                ).rows
            }
        }
        return withTables { t in
            ScalarExpr.selectRows(n, valid, input, HashedMember(values: v, table: t)).rows
        }
    }

    @inline(__always)
    private func withTables<R>(_ body: (HashTableView) -> R) -> R {
        slots.withUnsafeBufferPointer { sl in
            used.withUnsafeBufferPointer { us in
                filter.withUnsafeBufferPointer { fl in
                    body(
                        HashTableView(
                            slots: sl.baseAddress!, used: us.baseAddress!, mask: sl.count &- 1, shift: shift,
                            filter: fl.baseAddress!, filterShift: filterShift))
                }
            }
        }
    }

    /// The hashed form, as raw pointers for the probe loops.
    struct HashTableView {
        let slots: UnsafePointer<Int64>, used: UnsafePointer<UInt8>, mask: Int, shift: UInt64
        let filter: UnsafePointer<UInt64>, filterShift: UInt64
        @inline(__always) func has(_ v: Int64) -> Bool {
            let h = IntHashSet.hash(v)
            let f = Int(truncatingIfNeeded: h &>> filterShift)
            if (filter[f &>> 6] &>> UInt64(f & 63)) & 1 == 0 { return false }
            var s = Int(truncatingIfNeeded: h &>> shift)
            while used[s] != 0 {
                if slots[s] == v { return true }
                s = (s &+ 1) & mask
            }
            return false
        }
    }

    /// Row test of `select` over the hashed form.
    struct HashedMember: RowTest {
        let values: UnsafePointer<Int64>
        let table: HashTableView
        @inline(__always) mutating func keep(_ i: Int) -> Bool { table.has(values[i]) }
        var overflow: Bool { false }
    }

    /// Row test of `select` over the dense form.
    struct DenseMember: RowTest {
        let values: UnsafePointer<Int64>
        let bits: UnsafePointer<UInt64>
        let low: Int64
        let span: UInt64
        @inline(__always) func has(_ i: Int) -> Bool {
            let o = UInt64(bitPattern: values[i]) &- UInt64(bitPattern: low)
            if o > span { return false }
            return (bits[Int(o &>> 6)] &>> (o & 63)) & 1 != 0
        }
        @inline(__always) mutating func keep(_ i: Int) -> Bool { has(i) }
        var overflow: Bool { false }
    }
}
