import KuaiCore

/// A bound, typed scalar expression over the columns of an input batch.
///
/// The binder (KuaiPlan) builds these with every type resolved (CONTRIBUTING.md, Style 6: types are checked
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
    /// A function's constant regular expression, compiled once per expression on first use
    /// (regexp_* functions; the error of an invalid pattern is kept and thrown on every use).
    let regexMemo = Memo<Result<RegexProgram, KuaiError>>()
    /// The single VARCHAR input column when the expression depends on exactly one column and it
    /// is VARCHAR (enables dictionary-level evaluation); computed once.
    let singleStringColumn: Int?
    /// The input columns when the expression may be evaluated once per combination of their
    /// values (2 to 4 columns, deterministic, some VARCHAR involved; `CombinationDomains`).
    let combinationColumns: [Int]?
    /// Combination tables of this expression, keyed by the inputs' domains.
    let combinationCache = CombinationCache()
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
        // A sorted array, not a Set: expressions read few columns, and binding builds many.
        var refs: [Int] = []
        if case .column(let i) = kind { refs.append(i) }
        for k in kids { refs.append(contentsOf: k.referencedColumns) }
        refs.sort()
        refs = refs.indices.compactMap { $0 == 0 || refs[$0] != refs[$0 - 1] ? refs[$0] : nil }
        self.referencedColumns = refs
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
        var combination: [Int]? = nil
        switch kind {
        case .column, .constant: break
        default:
            let sorted = refs
            var deterministic = ScalarExpr.isDeterministic(kids)
            if case .function(let f, _) = kind, !f.deterministic { deterministic = false }
            if single == nil, (2...4).contains(sorted.count), deterministic,
                type == .varchar || sorted.contains(where: { ScalarExpr.columnType(kids, $0) == .varchar })
            {
                combination = sorted
            }
            // One integer column read by a costly expression (a function, a cast, CASE, LIKE): a
            // block whose values span a small range (a day number, a type code) is evaluated once
            // per value of the range, not per row, as DuckDB evaluates a constant or dictionary
            // vector once per value.
            if single == nil, sorted.count == 1, deterministic, ScalarExpr.isCostly(kind) || ScalarExpr.isCostly(kids),
                ScalarExpr.columnType(kids, sorted[0]).map({ $0.isIntegerStored && !$0.mayBeWide }) == true
            {
                combination = sorted
            }
        }
        self.combinationColumns = combination
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

    /// True when a node of `roots` (or below) does more than integer arithmetic, comparison or
    /// logic: a function call, a cast, CASE or LIKE (worth evaluating once per value of a small
    /// range instead of per row).
    static func isCostly(_ roots: [ScalarExpr]) -> Bool {
        var stack = roots
        while let e = stack.popLast() {
            if isCostly(e.kind) { return true }
            stack.append(contentsOf: e.children)
        }
        return false
    }

    /// `isCostly` of one node.
    static func isCostly(_ kind: Kind) -> Bool {
        switch kind {
        case .function, .cast, .caseWhen, .like: return true
        default: return false
        }
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
            case .decimal(let p, let s): return DecimalMath.text(Int128(i), precision: Int(p), scale: Int(s))
            case .date: return "'\(ValueFormatter.date(i))'"
            case .timestamp: return "'\(ValueFormatter.timestamp(i))'"
            case .timestamptz: return "'\(ValueFormatter.timestamptz(i))'"
            case .time: return "'\(ValueFormatter.time(i))'"
            case .boolean: return i != 0 ? "true" : "false"
            default: return String(i)
            }
        case .hugeint(let i):
            if case .decimal(let p, let s) = type { return DecimalMath.text(i, precision: Int(p), scale: Int(s)) }
            return String(i)
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
