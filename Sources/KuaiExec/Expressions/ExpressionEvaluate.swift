import KuaiCore

/// An evaluated operand: a whole column, or one value standing for every row (constants and
/// constant-folded subtrees stay scalar so kernels can use `column op constant` loops).
public enum Operand {
    case column(Column)
    case scalar(Value)

    var isScalar: Bool {
        if case .scalar = self { return true }
        return false
    }
    /// The string of a VARCHAR scalar (nil for a column or another value).
    var stringValue: String? {
        if case .scalar(.string(let s)) = self { return s }
        return nil
    }
    var isNullScalar: Bool {
        if case .scalar(.null) = self { return true }
        return false
    }
    /// The validity bytes of a column operand (nil = all valid, also for non-null scalars).
    var validity: [UInt8]? {
        if case .column(let c) = self { return c.validity }
        return nil
    }
}

extension Column {
    /// `count` copies of `value` as a column of `type`.
    public static func broadcast(_ value: Value, type: DataType, count: Int, dictionary: StringDictionary? = nil)
        -> Column
    {
        switch value {
        case .null: return Column.nulls(type == .null ? .null : type, count: count)
        case .bool(let b):
            return Column(type: type == .null ? .boolean : type, ints: [Int64](repeating: b ? 1 : 0, count: count))
        case .int(let i):
            if type == .double { return Column(doubles: [Double](repeating: Double(i), count: count)) }
            return Column(type: type, ints: [Int64](repeating: i, count: count))
        case .hugeint(let i):
            if type == .double { return Column(doubles: [Double](repeating: Double(i), count: count)) }
            return Column.broadcastHugeint(i, count: count, type: type.mayBeWide ? type : .hugeint)
        case .double(let d):
            if type.isInteger { return Column(type: type, ints: [Int64](repeating: Int64(d), count: count)) }
            return Column(doubles: [Double](repeating: d, count: count))
        case .string(let s):
            let dict: StringDictionary
            if let dictionary, let code = dictionary.code(of: s) {
                return Column(codes: [Int32](repeating: code, count: count), dictionary: dictionary)
            } else {
                dict = StringDictionary([s])
            }
            return Column(codes: [Int32](repeating: 0, count: count), dictionary: dict)
        }
    }

    /// A placeholder for a column an expression does not read (0 rows).
    static let placeholder = Column(type: .null, ints: [])
}

extension ScalarExpr {
    /// Evaluates the expression for every row of `batch`.
    /// - Returns: a column of `batch.count` rows of `type`.
    /// - Throws: `KuaiError.execution` for overflow, division by zero, failed casts; the message
    ///   names the expression.
    public func evaluate(_ batch: Batch) throws -> Column {
        let op = try eval(batch, dictMode: false)
        return materialize(op, count: batch.count)
    }

    /// Evaluates the expression when it has no column inputs (constant folding).
    public func evaluateConstant() throws -> Value {
        let op = try eval(Batch(columns: [], count: 1), dictMode: false)
        switch op {
        case .scalar(let v): return v
        case .column(let c): return c.count > 0 ? c.value(at: 0) : .null
        }
    }

    func materialize(_ op: Operand, count: Int) -> Column {
        switch op {
        case .column(let c): return c
        case .scalar(let v): return Column.broadcast(v, type: type, count: count, dictionary: constantDictionary)
        }
    }

    /// The dictionary used when a VARCHAR constant is broadcast (shared by all batches, so that
    /// downstream grouping sees one dictionary).
    var constantDictionary: StringDictionary? { stableDictionary }

    func eval(_ batch: Batch, dictMode: Bool) throws -> Operand {
        if !dictMode, let c = singleStringColumn {
            let col = batch.columns[c]
            if let dict = col.dictionary {
                if let cached = dictCache.lookup(dict) {
                    return .column(Self.gatherByCodes(cached, col))
                }
                if dict.count <= 4 * batch.count + 4096 {
                    // A dictionary may hold values no row of the batch uses (rows removed by a filter); an error
                    // raised by one of them (a failed cast, a LIKE pattern error) must not fail the query, so an
                    // error here falls back to evaluating the rows themselves.
                    if let table = try? evaluateOverDictionary(batch.columns.count, column: c, dict) {
                        dictCache.store(dict, table)
                        return .column(Self.gatherByCodes(table, col))
                    }
                }
            }
        }
        if !dictMode, let cols = combinationColumns, let col = evaluateOverCombinations(batch, columns: cols) {
            return .column(col)
        }
        return try evalDirect(batch, dictMode: dictMode)
    }

    /// Evaluates over each dictionary value (row k = value k) plus one NULL row at the end. A
    /// VARCHAR result comes back in the dictionary form (its distinct values once), so rows map
    /// to it by a code map (`gatherByCodes`).
    func evaluateOverDictionary(_ width: Int, column c: Int, _ dict: StringDictionary) throws -> Column {
        let n = dict.count
        var codes = [Int32](repeating: 0, count: n + 1)
        for k in 0..<n { codes[k] = Int32(k) }
        var validity = [UInt8](repeating: 1, count: n + 1)
        validity[n] = 0
        var cols = [Column](repeating: Column.placeholder, count: width)
        cols[c] = Column(codes: codes, dictionary: dict, validity: validity)
        let b = Batch(columns: cols, count: n + 1)
        let table = materialize(try evalDirect(b, dictMode: true), count: n + 1)
        return table.type == .varchar ? table.dictionaryEncoded() : table
    }

    /// Row i of the result = row `code[i]` of `table` (or its last row when row i is NULL).
    static func gatherByCodes(_ table: Column, _ col: Column) -> Column {
        let n = col.count
        let nullRow = Int32(table.count - 1)
        let idx: [Int32] = col.codes.withUnsafeBufferPointer { codes in
            [Int32](unsafeUninitializedCapacity: n) { out, filled in
                if let v = col.validity {
                    v.withUnsafeBufferPointer { vp in
                        for i in 0..<n { out[i] = vp[i] != 0 ? codes[i] : nullRow }
                    }
                } else {
                    for i in 0..<n { out[i] = codes[i] }
                }
                filled = n
            }
        }
        var out = idx.withUnsafeBufferPointer { table.gather($0) }
        if let v = out.validity, !v.contains(0) { out.validity = nil }
        return out
    }

    func evalDirect(_ batch: Batch, dictMode: Bool) throws -> Operand {
        let n = batch.count
        switch kind {
        case .column(let i):
            return .column(batch.columns[i])
        case .constant(let v):
            // A HUGEINT constant beyond Int64 is evaluated as a wide column (kernels read
            // 128-bit values from columns only).
            if case .hugeint(let h) = v { return .column(Column.broadcastHugeint(h, count: n, type: type)) }
            return .scalar(v)
        case .arithmetic:
            return try evalArithmeticChain(batch, dictMode: dictMode)
        case .compare(let op, let a, let b):
            let x = try a.eval(batch, dictMode: dictMode)
            let y = try b.eval(batch, dictMode: dictMode)
            return Kernels.compare(op, x, a.type, y, b.type, count: n)
        case .and(let xs):
            var ops: [Operand] = []
            for e in xs { ops.append(try e.eval(batch, dictMode: dictMode)) }
            return Kernels.logic(isAnd: true, ops, count: n)
        case .or(let xs):
            var ops: [Operand] = []
            for e in xs { ops.append(try e.eval(batch, dictMode: dictMode)) }
            return Kernels.logic(isAnd: false, ops, count: n)
        case .not(let a):
            return Kernels.not(try a.eval(batch, dictMode: dictMode), count: n)
        case .negate(let a):
            return try Kernels.negate(try a.eval(batch, dictMode: dictMode), type: type, count: n, expr: self)
        case .isNull(let a, let negated):
            return Kernels.isNull(try a.eval(batch, dictMode: dictMode), negated: negated, count: n)
        case .isDistinctFrom(let a, let b, let negated):
            let x = try a.eval(batch, dictMode: dictMode)
            let y = try b.eval(batch, dictMode: dictMode)
            return Kernels.isDistinctFrom(x, a.type, y, b.type, negated: negated, count: n)
        case .inList(let a, let items, let negated):
            let x = try a.eval(batch, dictMode: dictMode)
            let constants = inListConstants(a.type, items)
            if let values = constants.values {
                return Kernels.inList(x, a.type, values, negated: negated, count: n, intSet: constants.set)
            }
            // Non-constant list: OR of equalities (SQL semantics of IN).
            var ops: [Operand] = []
            for it in items {
                let y = try it.eval(batch, dictMode: dictMode)
                ops.append(Kernels.compare(.equal, x, a.type, y, it.type, count: n))
            }
            let r = Kernels.logic(isAnd: false, ops, count: n)
            return negated ? Kernels.not(r, count: n) : r
        case .like(let a, let pattern, let negated, let ci, let escape):
            return try Kernels.like(
                try a.eval(batch, dictMode: dictMode), pattern: pattern, negated: negated,
                caseInsensitive: ci, escape: escape, count: n, expr: self)
        case .caseWhen(let whens, let elseExpr):
            return try evalCase(batch, whens, elseExpr, dictMode: dictMode)
        case .cast(let a, let isTry):
            return try Kernels.cast(
                try a.eval(batch, dictMode: dictMode), from: a.type, to: type, isTry: isTry,
                count: n, expr: self)
        case .function(let f, _) where f.name == "concat_op":
            return try evalConcatChain(batch, dictMode: dictMode)
        case .function(let f, let args):
            var ops: [Operand] = []
            ops.reserveCapacity(args.count)
            for e in args { ops.append(try e.eval(batch, dictMode: dictMode)) }
            // Function kernels compute on 64-bit values; abs, round and the bit functions of HUGEINT handle 128 bits,
            // coalesce, greatest, least and nullif move values with ColumnScatter and compare them as
            // `Value.hugeint` (128-bit aware).
            let wideOK =
                (f.parameters.first == .hugeint && (f.name == "abs" || f.name == "round"))
                || (f.parameters.first == .hugeint && FunctionRegistry.isBitFunction(f.name))
                || (f.parameters.first == .hugeint && FunctionRegistry.wideHugeintFunctions.contains(f.name))
                || (["coalesce", "ifnull", "greatest", "least", "nullif"].contains(f.name) && f.returnType == .hugeint)
                // INTERVAL parameters read months and days from `highs` (IntervalRows)
                || f.parameters.contains(.interval)
            if !wideOK {
                for o in ops {
                    if case .column(let c) = o { try requireNarrow(c, "\(f.name)() in expression \(name)") }
                }
            }
            return try f.kernel(ops, args.map(\.type), n, self)
        }
    }

    /// `a op b` for an arithmetic node, and the arithmetic nodes of its left spine (`((a + b) - c) * d`) with a
    /// loop instead of one recursion per node: a chain may be thousands of operators long (Parser.maxTreeDepth)
    /// and a debug build's `eval` frames are large (it overflowed near 760 terms). A left node that `eval` would
    /// evaluate another way (per dictionary entry or per combination of its columns) ends the spine and goes
    /// through `eval`, so each node is evaluated exactly as before.
    func evalArithmeticChain(_ batch: Batch, dictMode: Bool) throws -> Operand {
        var spine: [ScalarExpr] = [self]
        while case .arithmetic(_, let left, _) = spine[spine.count - 1].kind, case .arithmetic = left.kind,
            dictMode || (left.singleStringColumn == nil && left.combinationColumns == nil)
        {
            spine.append(left)
        }
        guard case .arithmetic(_, let leftmost, _) = spine[spine.count - 1].kind else {
            preconditionFailure("the spine holds arithmetic nodes only")
        }
        var x = try leftmost.eval(batch, dictMode: dictMode)
        for node in spine.reversed() {
            guard case .arithmetic(let op, let a, let b) = node.kind else { continue }
            let y = try b.eval(batch, dictMode: dictMode)
            x = try Kernels.arithmetic(op, x, a.type, y, b.type, resultType: node.type, count: batch.count, expr: node)
        }
        return x
    }

    /// `a || b || c ...` as one concatenation of every operand (no intermediate vectors): nested
    /// `||` nodes are flattened unless they are evaluated per dictionary entry themselves.
    func evalConcatChain(_ batch: Batch, dictMode: Bool) throws -> Operand {
        var leaves: [ScalarExpr] = []
        func collect(_ e: ScalarExpr) {
            if case .function(let g, let xs) = e.kind, g.name == "concat_op", e.singleStringColumn == nil || dictMode {
                xs.forEach(collect)
            } else {
                leaves.append(e)
            }
        }
        children.forEach(collect)
        var ops: [Operand] = []
        ops.reserveCapacity(leaves.count)
        for e in leaves { ops.append(try e.eval(batch, dictMode: dictMode)) }
        return StringKernels.concat(ops, batch.count, strict: true)
    }

    /// The constants of an IN list (nil when an item is not constant) and, for a long list of
    /// integers, an open-addressing set; computed once per expression.
    func inListConstants(_ t: DataType, _ items: [ScalarExpr]) -> InListConstants {
        memo.value {
            var values: [Value] = []
            for it in items {
                guard let v = it.constantValue else { return InListConstants(values: nil, set: nil) }
                values.append(v)
            }
            var set: IntHashSet? = nil
            // (A HUGEINT item sends the whole test to the 128-bit path: no set.)
            let wide = values.contains {
                if case .hugeint = $0 { return true }
                return false
            }
            if values.count > 8 && Kernels.category(t) == .int && !wide {
                var ints: [Int64] = []
                for v in values {
                    switch v {
                    case .int(let i): ints.append(i)
                    case .bool(let b): ints.append(b ? 1 : 0)
                    default: break
                    }
                }
                set = IntHashSet(ints)
            }
            return InListConstants(values: values, set: set)
        }
    }

    /// Searched CASE: each branch is evaluated only on the rows that reach it, so an error in a
    /// branch that no row takes is never raised (`CASE WHEN x = 0 THEN NULL ELSE 1 // x END`).
    func evalCase(
        _ batch: Batch, _ whens: [(when: ScalarExpr, then: ScalarExpr)], _ elseExpr: ScalarExpr?,
        dictMode: Bool
    ) throws -> Operand {
        let n = batch.count
        var builder = ColumnScatter(type: type, count: n, dictionary: stableDictionary)
        var remaining: [Int32]? = nil  // nil = all rows
        for w in whens {
            let sub: Batch
            if let r = remaining {
                sub = batch.gatherReferenced(r, w.when.referencedColumns + w.then.referencedColumns)
            } else {
                sub = batch
            }
            if sub.count == 0 { break }
            let cond = try w.when.eval(sub, dictMode: dictMode)
            let (taken, rest) = Kernels.splitTrue(cond, count: sub.count)
            if !taken.isEmpty {
                let thenBatch = taken.count == sub.count ? sub : sub.gatherReferenced(taken, w.then.referencedColumns)
                let val = try w.then.eval(thenBatch, dictMode: dictMode)
                // map sub-batch rows back to batch rows
                let target: [Int32]
                if let r = remaining { target = taken.map { r[Int($0)] } } else { target = taken }
                builder.scatter(val, rows: target)
            }
            if let r = remaining { remaining = rest.map { r[Int($0)] } } else { remaining = rest }
            if remaining!.isEmpty { break }
        }
        if let e = elseExpr {
            let rows = remaining ?? Array(0..<Int32(n))
            if !rows.isEmpty {
                let sub = rows.count == n ? batch : batch.gatherReferenced(rows, e.referencedColumns)
                builder.scatter(try e.eval(sub, dictMode: dictMode), rows: rows)
            }
        }
        return .column(builder.finish())
    }
}

extension Batch {
    /// The rows at `rows` of the columns in `referenced`; other columns become placeholders.
    func gatherReferenced(_ rows: [Int32], _ referenced: [Int]) -> Batch {
        var cols = [Column](repeating: Column.placeholder, count: columns.count)
        rows.withUnsafeBufferPointer { r in
            for c in Set(referenced) { cols[c] = columns[c].gather(r) }
        }
        return Batch(columns: cols, count: rows.count)
    }
}

/// Builds a column by writing values at given rows (rows never written stay NULL).
/// VARCHAR values go through `StringScatter` (dictionary form while they share one dictionary,
/// else flat).
struct ColumnScatter {
    let type: DataType
    let count: Int
    var ints: [Int64] = []
    var doubles: [Double] = []
    var strings: StringScatter?
    /// HUGEINT: high words, allocated at the first value beyond Int64 (see `Column.highs`).
    var highs: [Int64]?
    var validity: [UInt8]

    init(type: DataType, count: Int, dictionary: StringDictionary?) {
        self.type = type
        self.count = count
        self.validity = [UInt8](repeating: 0, count: count)
        switch type {
        case .double: doubles = [Double](repeating: 0, count: count)
        case .varchar: strings = StringScatter(count: count, dictionary: dictionary)
        default: ints = [Int64](repeating: 0, count: count)
        }
    }

    /// Writes `op` (a scalar: the same value; a column: its rows in order) at `rows`.
    mutating func scatter(_ op: Operand, rows: [Int32]) {
        switch op {
        case .scalar(let v): scatter(v, rows: rows)
        case .column(let c): scatter(c, rows: rows)
        }
    }

    /// Writes `v` at every row of `rows` (NULL: nothing, the rows stay NULL).
    private mutating func scatter(_ v: Value, rows: [Int32]) {
        if v.isNull { return }
        switch type {
        case .double:
            let d: Double
            if case .double(let x) = v { d = x } else if case .int(let i) = v { d = Double(i) } else { d = 0 }
            for r in rows {
                doubles[Int(r)] = d
                validity[Int(r)] = 1
            }
        case .varchar:
            guard case .string(let s) = v else { return }
            strings!.scatter(s, rows: rows)
            for r in rows { validity[Int(r)] = 1 }
        default:
            let i: Int64
            switch v {
            case .int(let x): i = x
            case .bool(let b): i = b ? 1 : 0
            case .double(let d): i = Int64(d)
            case .hugeint(let h):
                makeWide()
                for r in rows {
                    ints[Int(r)] = Int64(truncatingIfNeeded: h)
                    highs![Int(r)] = Int64(truncatingIfNeeded: h >> 64)
                    validity[Int(r)] = 1
                }
                return
            default: i = 0
            }
            for r in rows {
                ints[Int(r)] = i
                validity[Int(r)] = 1
            }
            if highs != nil { for r in rows { highs![Int(r)] = i >> 63 } }
        }
    }

    /// Writes row j of `c` at `rows[j]`.
    private mutating func scatter(_ c: Column, rows: [Int32]) {
        let valid = c.validity
        switch type {
        case .double:
            if c.type == .double {
                for (j, r) in rows.enumerated() { doubles[Int(r)] = c.doubles[j] }
            } else {
                if c.highs != nil {
                    for (j, r) in rows.enumerated() { doubles[Int(r)] = Double(c.int128(at: j)) }
                } else {
                    for (j, r) in rows.enumerated() { doubles[Int(r)] = Double(c.ints[j]) }
                }
            }
        case .varchar:
            if c.type != .varchar { break }
            strings!.scatter(c, rows: rows)
        default:
            if c.type == .double {
                for (j, r) in rows.enumerated() { ints[Int(r)] = Int64(c.doubles[j]) }
            } else {
                for (j, r) in rows.enumerated() { ints[Int(r)] = c.ints[j] }
            }
            if let ch = c.highs {
                makeWide()
                for (j, r) in rows.enumerated() { highs![Int(r)] = ch[j] }
            } else if highs != nil {
                for r in rows { highs![Int(r)] = ints[Int(r)] >> 63 }
            }
        }
        if let v = valid {
            for (j, r) in rows.enumerated() { validity[Int(r)] = v[j] }
        } else {
            for r in rows { validity[Int(r)] = 1 }
        }
    }

    /// Starts keeping high words (every row so far: the sign of its low word).
    mutating func makeWide() {
        if highs == nil { highs = ints.map { $0 >> 63 } }
    }

    func finish() -> Column {
        let v: [UInt8]? = validity.contains(0) ? validity : nil
        switch type {
        case .double: return Column(doubles: doubles, validity: v)
        case .varchar: return strings!.finish(validity: v)
        default:
            var c = Column(type: type, ints: ints, validity: v)
            c.highs = highs
            return c.narrowedIfPossible()
        }
    }
}
