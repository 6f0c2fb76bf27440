import KuaiCore

extension ScalarExpr {
    /// The rows of `batch` for which this BOOLEAN expression is TRUE (not FALSE, not NULL), in
    /// ascending order, restricted to `input` (nil = every row). This is the selection vector of
    /// a filter: conjunctions narrow it one conjunct at a time, so later conjuncts see only the
    /// surviving rows; `column op constant` on numbers runs a dedicated loop.
    public func selectRows(_ batch: Batch, _ input: [Int32]?) throws -> [Int32] {
        let n = batch.count
        if let input, input.isEmpty { return [] }
        switch kind {
        case .and(let xs):
            var sel = input
            for x in xs {
                sel = try x.selectRows(batch, sel)
                if sel!.isEmpty { break }
            }
            return sel ?? Array(0..<Int32(n))
        case .or(let xs):
            // Each disjunct sees only the rows the earlier ones did not select, so a later one is not
            // evaluated (and raises no error) for a row already TRUE, as DuckDB's filter.
            var remaining = input ?? Array(0..<Int32(n))
            var picked = [UInt8](repeating: 0, count: n)
            var any = false
            for x in xs where !remaining.isEmpty {
                let hit = try x.selectRows(batch, remaining)
                guard !hit.isEmpty else { continue }
                any = true
                for r in hit { picked[Int(r)] = 1 }
                remaining.removeAll { picked[Int($0)] != 0 }
            }
            guard any else { return [] }
            return (input ?? Array(0..<Int32(n))).filter { picked[Int($0)] != 0 }
        case .constant(let v):
            if case .bool(true) = v { return input ?? Array(0..<Int32(n)) }
            return []
        case .compare(let op, let a, let b):
            if let c = a.columnIndex, let v = b.constantValue,
                let r = Self.selectCompare(batch.columns[c], a.type, op, v, b.type, input)
            {
                return r
            }
            if let c = b.columnIndex, let v = a.constantValue,
                let r = Self.selectCompare(batch.columns[c], b.type, op.flipped, v, a.type, input)
            {
                return r
            }
            if let r = Self.selectFusedInts(batch, op, a, b, input) { return r }
        case .inList(let a, let items, let negated):
            if !negated, let c = a.columnIndex, Kernels.category(a.type) == .int, batch.columns[c].highs == nil,
                let set = inListConstants(a.type, items).set
            {
                let col = batch.columns[c]
                return col.ints.withUnsafeBufferPointer { v in
                    Self.withValidity(col.validity) { valid in
                        Self.withSelection(input) { sel in set.select(v, valid, sel, n) }
                    }
                }
            }
        case .function(let f, let args):
            if let select = f.selectRows, args.count == 1, let c = args[0].columnIndex {
                return select(batch.columns[c], n, input) ?? input ?? Array(0..<Int32(n))
            }
        default:
            break
        }
        // General path: evaluate on the selected rows only, then keep TRUE rows.
        if let input, input.count < n {
            let sub = batch.gatherReferenced(input, referencedColumns)
            let col = try evaluate(sub)
            var out: [Int32] = []
            out.reserveCapacity(input.count)
            Self.forEachTrue(col) { out.append(input[$0]) }
            return out
        }
        let col = try evaluate(batch)
        var out: [Int32] = []
        out.reserveCapacity(n)
        Self.forEachTrue(col) { out.append(Int32($0)) }
        return out
    }

    @inline(__always)
    static func forEachTrue(_ col: Column, _ body: (Int) -> Void) {
        col.ints.withUnsafeBufferPointer { v in
            if let valid = col.validity {
                for i in 0..<col.count where v[i] != 0 && valid[i] != 0 { body(i) }
            } else {
                for i in 0..<col.count where v[i] != 0 { body(i) }
            }
        }
    }

    /// `column op constant` for integer-stored and DOUBLE columns; nil when not applicable.
    static func selectCompare(
        _ col: Column, _ ct: DataType, _ op: CompareOp, _ v: Value, _ vt: DataType,
        _ input: [Int32]?
    ) -> [Int32]? {
        if v.isNull { return [] }
        if col.highs != nil { return nil }  // HUGEINT beyond Int64: the general (128-bit) path
        switch (Kernels.category(ct), v) {
        case (.int, .int(let k)):
            return col.ints.withUnsafeBufferPointer { selectLoop($0, col.validity, op, k, input, col.count) }
        case (.int, .bool(let b)):
            return col.ints.withUnsafeBufferPointer { selectLoop($0, col.validity, op, b ? 1 : 0, input, col.count) }
        case (.double, .double(let d)):
            return selectDoubles(col, op, d, input)
        case (.double, .int(let k)):
            return selectDoubles(col, op, Double(k), input)
        default:
            return nil
        }
    }

    /// `column op k` over a DOUBLE column in DuckDB's order (`DoubleOrder`: NaN = NaN, NaN above
    /// +inf), the values read in place as `OrderedDouble`.
    static func selectDoubles(_ col: Column, _ op: CompareOp, _ k: Double, _ input: [Int32]?) -> [Int32] {
        col.doubles.withUnsafeBufferPointer { dp in
            dp.withMemoryRebound(to: OrderedDouble.self) {
                selectScalarLoop($0, col.validity, op, OrderedDouble(k), input, col.count)
            }
        }
    }

    /// `selectLoop` of integers: the vector kernel for all rows (`input` nil) when the processor
    /// has it.
    static func selectLoop(
        _ vp: UnsafeBufferPointer<Int64>, _ validity: [UInt8]?, _ op: CompareOp, _ k: Int64,
        _ input: [Int32]?, _ n: Int
    ) -> [Int32] {
        if input == nil, n > 0, VectorKernels.isAvailable {
            return withValidity(validity) { VectorKernels.constant(vp.baseAddress!, $0, n, op, k) }
        }
        return selectScalarLoop(vp, validity, op, k, input, n)
    }

    /// `column op k` row by row (`selectChunked`): for every processor, and the reference the
    /// vector kernels are tested against.
    @inline(__always)
    static func selectScalarLoop<T: Comparable>(
        _ vp: UnsafeBufferPointer<T>, _ validity: [UInt8]?, _ op: CompareOp, _ k: T,
        _ input: [Int32]?, _ n: Int
    ) -> [Int32] {
        withValidity(validity) { valid in
            withSelection(input) { sel in
                let v = vp.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<T>.alignment)!
                switch op {
                case .equal: return selectRows(n, valid, sel, AgainstConstant<T, IsEqual>(values: v, k: k)).rows
                case .notEqual:
                    return selectRows(n, valid, sel, AgainstConstant<T, IsNotEqual>(values: v, k: k)).rows
                case .less: return selectRows(n, valid, sel, AgainstConstant<T, IsLess>(values: v, k: k)).rows
                case .lessEqual:
                    return selectRows(n, valid, sel, AgainstConstant<T, IsLessEqual>(values: v, k: k)).rows
                case .greater: return selectRows(n, valid, sel, AgainstConstant<T, IsGreater>(values: v, k: k)).rows
                case .greaterEqual:
                    return selectRows(n, valid, sel, AgainstConstant<T, IsGreaterEqual>(values: v, k: k)).rows
                }
            }
        }
    }

    // MARK: fused integer comparisons

    /// One side of a fused integer comparison: a column or a constant.
    enum FusedLeaf {
        case values(Column)
        case constant(Int64)
    }

    /// The leaf when `e` is a narrow integer-stored column or an integer constant.
    static func fusedLeaf(_ e: ScalarExpr, _ batch: Batch) -> FusedLeaf? {
        if let c = e.columnIndex {
            let col = batch.columns[c]
            guard Kernels.category(e.type) == .int, col.type != .double, col.type != .varchar, col.highs == nil else {
                return nil
            }
            return .values(col)
        }
        switch e.constantValue {
        case .int(let k)?: return .constant(k)
        case .bool(let b)?: return .constant(b ? 1 : 0)
        default: return nil
        }
    }

    /// `p + q` / `p - q` of BIGINT or HUGEINT type over integer leaves (INTEGER results, which
    /// must also fit 32 bits, are left to the general path).
    static func fusedArithmetic(_ e: ScalarExpr, _ batch: Batch) -> (subtract: Bool, FusedLeaf, FusedLeaf)? {
        guard case .arithmetic(let op, let x, let y) = e.kind, op == .add || op == .subtract,
            e.type == .bigint || e.type == .hugeint
        else { return nil }
        guard x.type.isInteger, y.type.isInteger, let p = fusedLeaf(x, batch), let q = fusedLeaf(y, batch) else {
            return nil
        }
        return (op == .subtract, p, q)
    }

    /// Fused selection for `x op y` over integer-stored values where the sides are columns,
    /// constants, or `p ± q` of those (BIGINT/HUGEINT arithmetic): one loop over the rows, no
    /// intermediate columns. Returns nil when the shape does not apply, or when the 64-bit
    /// arithmetic of some row overflows: the general path then computes exactly what `evaluate`
    /// does (a 128-bit HUGEINT result, or DuckDB's overflow error).
    static func selectFusedInts(_ batch: Batch, _ op: CompareOp, _ a: ScalarExpr, _ b: ScalarExpr, _ input: [Int32]?)
        -> [Int32]?
    {
        guard Kernels.category(a.type) == .int, Kernels.category(b.type) == .int else { return nil }
        let n = batch.count
        // column op column
        if case .values(let x)? = fusedLeaf(a, batch), case .values(let y)? = fusedLeaf(b, batch) {
            let valid = andValidity(x.validity, y.validity)
            return x.ints.withUnsafeBufferPointer { xp in
                y.ints.withUnsafeBufferPointer { yp in
                    if input == nil, n > 0, VectorKernels.isAvailable {
                        return withValidity(valid) { VectorKernels.pair(xp.baseAddress!, yp.baseAddress!, $0, n, op) }
                    }
                    return selectPairs(op, n, valid, input, ColumnPair(x: xp.baseAddress!, y: yp.baseAddress!)).rows
                }
            }
        }
        // (p ± q) op constant, constant op (p ± q)
        var arith = fusedArithmetic(a, batch)
        var other = b
        var cop = op
        if arith == nil {
            arith = fusedArithmetic(b, batch)
            other = a
            cop = op.flipped
        }
        guard let (subtract, p, q) = arith, other.columnIndex == nil, case .constant(let k)? = fusedLeaf(other, batch)
        else { return nil }
        let r: (rows: [Int32], overflow: Bool)
        switch (p, q) {
        case (.values(let x), .values(let y)):
            let valid = andValidity(x.validity, y.validity)
            r = x.ints.withUnsafeBufferPointer { xp in
                y.ints.withUnsafeBufferPointer { yp in
                    if input == nil, n > 0, VectorKernels.isAvailable {
                        return withValidity(valid) {
                            VectorKernels.sum(subtract: subtract, xp.baseAddress!, yp.baseAddress!, $0, n, cop, k)
                        }
                    }
                    return selectSum(
                        subtract, cop, n, valid, input, ColumnValues(xp.baseAddress!), ColumnValues(yp.baseAddress!), k)
                }
            }
        case (.values(let x), .constant(let c)):
            r = x.ints.withUnsafeBufferPointer { xp in
                selectSum(subtract, cop, n, x.validity, input, ColumnValues(xp.baseAddress!), ConstantValue(c), k)
            }
        case (.constant(let c), .values(let y)):
            r = y.ints.withUnsafeBufferPointer { yp in
                let w = ColumnValues(yp.baseAddress!)
                // c + w is w + c: the sum reuses the column-first loop.
                return subtract
                    ? selectSum(true, cop, n, y.validity, input, ConstantValue(c), w, k)
                    : selectSum(false, cop, n, y.validity, input, w, ConstantValue(c), k)
            }
        case (.constant, .constant):
            return nil
        }
        return r.overflow ? nil : r.rows
    }

    /// `selectPairs` over `(a - b) op k` or `(a + b) op k`: the operator chosen once, outside the
    /// row loop (one specialised loop per operand shape and operator).
    @inline(__always)
    static func selectSum<A: IntOperand, B: IntOperand>(
        _ subtract: Bool, _ op: CompareOp, _ n: Int, _ valid: [UInt8]?, _ input: [Int32]?, _ a: A, _ b: B, _ k: Int64
    ) -> (rows: [Int32], overflow: Bool) {
        subtract
            ? selectPairs(op, n, valid, input, FusedSum<A, B, Minus>(a: a, b: b, k: k))
            : selectPairs(op, n, valid, input, FusedSum<A, B, Plus>(a: a, b: b, k: k))
    }

    /// Runs `pairs` under comparison `op`: one specialised loop per operator.
    @inline(__always)
    static func selectPairs<P: RowPairs>(_ op: CompareOp, _ n: Int, _ valid: [UInt8]?, _ input: [Int32]?, _ pairs: P)
        -> (rows: [Int32], overflow: Bool)
    {
        withValidity(valid) { v in
            withSelection(input) { sel in
                switch op {
                case .equal: return selectRows(n, v, sel, Compared<P, IsEqual>(pairs: pairs))
                case .notEqual: return selectRows(n, v, sel, Compared<P, IsNotEqual>(pairs: pairs))
                case .less: return selectRows(n, v, sel, Compared<P, IsLess>(pairs: pairs))
                case .lessEqual: return selectRows(n, v, sel, Compared<P, IsLessEqual>(pairs: pairs))
                case .greater: return selectRows(n, v, sel, Compared<P, IsGreater>(pairs: pairs))
                case .greaterEqual: return selectRows(n, v, sel, Compared<P, IsGreaterEqual>(pairs: pairs))
                }
            }
        }
    }

    @inline(__always)
    static func withValidity<R>(_ v: [UInt8]?, _ body: (UnsafePointer<UInt8>?) -> R) -> R {
        guard let v else { return body(nil) }
        return v.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    @inline(__always)
    static func withSelection<R>(_ s: [Int32]?, _ body: (UnsafeBufferPointer<Int32>?) -> R) -> R {
        guard let s else { return body(nil) }
        return s.withUnsafeBufferPointer { body($0) }
    }

    /// The rows `i` (of `0..<n`, or of `input`, ascending) for which `test.keep(i)` holds and
    /// `valid[i] != 0` (nil = every row valid), and the test's final overflow flag.
    ///
    /// Rows go in chunks of `selectChunk`. A chunk is normally branch-free (every candidate index
    /// is written and the output position advances when it is kept); after a chunk that kept
    /// fewer than 1 row in 32, the next one branches per row instead (a well-predicted branch and
    /// no store for the rejected rows: about twice as fast for selective filters).
    @inline(__always)
    static func selectRows<T: RowTest>(
        _ n: Int, _ valid: UnsafePointer<UInt8>?, _ input: UnsafeBufferPointer<Int32>?,
        _ test: T
    ) -> (rows: [Int32], overflow: Bool) {
        switch (input, valid) {
        case (nil, nil): return selectChunked(AllRows(count: n), NoNulls(), test)
        case (nil, let v?): return selectChunked(AllRows(count: n), ValidBytes(valid: v), test)
        case (let s?, nil): return selectChunked(ListedRows(rows: s), NoNulls(), test)
        case (let s?, let v?): return selectChunked(ListedRows(rows: s), ValidBytes(valid: v), test)
        }
    }

    /// Rows per chunk of `selectRows` (the unit of its branch-free / branching choice).
    static let selectChunk = 2048

    @inline(__always)
    static func selectChunked<R: CandidateRows, V: RowValidity, T: RowTest>(_ rows: R, _ validity: V, _ test: T)
        -> (rows: [Int32], overflow: Bool)
    {
        let m = rows.count
        var overflow = false
        let out = [Int32](unsafeUninitializedCapacity: m) { out, filled in
            var t = test  // a local copy, so that its state stays in registers
            var k = 0
            var j = 0
            var sparse = false
            while j < m {
                let end = min(m, j &+ selectChunk)
                let before = k
                if sparse {
                    while j < end {
                        let i = rows.row(j)
                        if t.keep(i) && validity.isValid(i) {
                            out[k] = Int32(truncatingIfNeeded: i)
                            k &+= 1
                        }
                        j &+= 1
                    }
                } else {
                    while j < end {
                        let i = rows.row(j)
                        out[k] = Int32(truncatingIfNeeded: i)
                        k &+= bit(t.keep(i)) & bit(validity.isValid(i))
                        j &+= 1
                    }
                }
                sparse = (k &- before) &* 32 < selectChunk
            }
            overflow = t.overflow
            filled = k
        }
        return (out, overflow)
    }
}

/// The candidate rows of a selection: `0..<count`, or a selection vector.
protocol CandidateRows {
    var count: Int { get }
    func row(_ j: Int) -> Int
}

struct AllRows: CandidateRows {
    let count: Int
    @inline(__always) func row(_ j: Int) -> Int { j }
}

struct ListedRows: CandidateRows {
    let rows: UnsafeBufferPointer<Int32>
    var count: Int { rows.count }
    @inline(__always) func row(_ j: Int) -> Int { Int(rows[j]) }
}

// MARK: - row tests of the fused selections (structs, so that each loop is specialised)

/// 1 for true, 0 for false, as an integer the loops add (no branch).
@inline(__always)
func bit(_ b: Bool) -> Int { Int(unsafeBitCast(b, to: UInt8.self)) }

/// A per-row condition; `overflow` reports whether some evaluated row's arithmetic overflowed.
protocol RowTest {
    mutating func keep(_ i: Int) -> Bool
    var overflow: Bool { get }
}

/// The two integers compared at row `i`.
protocol RowPairs {
    mutating func pair(_ i: Int) -> (Int64, Int64)
    var overflow: Bool { get }
}

/// A comparison operator as a type (one specialised loop per operator).
protocol IntComparison { static func test<T: Comparable>(_ a: T, _ b: T) -> Bool }
enum IsEqual: IntComparison { @inline(__always) static func test<T: Comparable>(_ a: T, _ b: T) -> Bool { a == b } }
enum IsNotEqual: IntComparison { @inline(__always) static func test<T: Comparable>(_ a: T, _ b: T) -> Bool { a != b } }
enum IsLess: IntComparison { @inline(__always) static func test<T: Comparable>(_ a: T, _ b: T) -> Bool { a < b } }
enum IsLessEqual: IntComparison { @inline(__always) static func test<T: Comparable>(_ a: T, _ b: T) -> Bool { a <= b } }
enum IsGreater: IntComparison { @inline(__always) static func test<T: Comparable>(_ a: T, _ b: T) -> Bool { a > b } }
enum IsGreaterEqual: IntComparison {
    @inline(__always) static func test<T: Comparable>(_ a: T, _ b: T) -> Bool { a >= b }
}

/// `values[i] op k` (integers or doubles, Swift's comparison as the general kernel does).
struct AgainstConstant<T: Comparable, C: IntComparison>: RowTest {
    let values: UnsafePointer<T>
    let k: T
    @inline(__always) mutating func keep(_ i: Int) -> Bool { C.test(values[i], k) }
    var overflow: Bool { false }
}

struct Compared<P: RowPairs, C: IntComparison>: RowTest {
    var pairs: P
    @inline(__always) mutating func keep(_ i: Int) -> Bool {
        let (a, b) = pairs.pair(i)
        return C.test(a, b)
    }
    var overflow: Bool { pairs.overflow }
}

/// `x[i]` against `y[i]`.
struct ColumnPair: RowPairs {
    let x: UnsafePointer<Int64>, y: UnsafePointer<Int64>
    @inline(__always) mutating func pair(_ i: Int) -> (Int64, Int64) { (x[i], y[i]) }
    var overflow: Bool { false }
}

/// `a[i] + b[i]` or `a[i] - b[i]` (`Op`) against `k`, each operand a column or a constant: one
/// specialised row loop per combination.
struct FusedSum<A: IntOperand, B: IntOperand, Op: IntAddOrSubtract>: RowPairs {
    let a: A, b: B, k: Int64
    /// Sign bit set once some row overflowed (two's complement rule on the operand and result signs).
    var signs: Int64 = 0
    @inline(__always) mutating func pair(_ i: Int) -> (Int64, Int64) {
        let x = a[i]
        let y = b[i]
        let r = Op.apply(x, y)
        signs |= Op.overflowSign(x, y, r)
        return (r, k)
    }
    var overflow: Bool { signs < 0 }
}

/// An integer operand of a fused selection: `self[i]` is its value at row i.
protocol IntOperand {
    subscript(_ i: Int) -> Int64 { get }
}
/// A column's values.
struct ColumnValues: IntOperand {
    let values: UnsafePointer<Int64>
    init(_ values: UnsafePointer<Int64>) { self.values = values }
    @inline(__always) subscript(_ i: Int) -> Int64 { values[i] }
}
/// A constant.
struct ConstantValue: IntOperand {
    let value: Int64
    init(_ value: Int64) { self.value = value }
    @inline(__always) subscript(_ i: Int) -> Int64 { value }
}

/// `+` or `-` of Int64 with wrap-around, and its overflow test.
protocol IntAddOrSubtract {
    static func apply(_ a: Int64, _ b: Int64) -> Int64
    /// Negative when `r = apply(a, b)` overflowed.
    static func overflowSign(_ a: Int64, _ b: Int64, _ r: Int64) -> Int64
}
enum Plus: IntAddOrSubtract {
    @inline(__always) static func apply(_ a: Int64, _ b: Int64) -> Int64 { a &+ b }
    @inline(__always) static func overflowSign(_ a: Int64, _ b: Int64, _ r: Int64) -> Int64 { ~(a ^ b) & (a ^ r) }
}
enum Minus: IntAddOrSubtract {
    @inline(__always) static func apply(_ a: Int64, _ b: Int64) -> Int64 { a &- b }
    @inline(__always) static func overflowSign(_ a: Int64, _ b: Int64, _ r: Int64) -> Int64 { (a ^ b) & (a ^ r) }
}
