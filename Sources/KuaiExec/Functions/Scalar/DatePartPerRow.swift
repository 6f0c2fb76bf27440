import KuaiCore

// date_part, date_trunc, date_diff and date_sub whose part is not a constant (a VARCHAR column: a
// different part per row), as DuckDB 2.0.1 accepts them. The part of each row is decoded once per
// distinct string (`RowParts`); the rows are then grouped by part and each group runs the kernel of
// that part over its gathered rows (DateKernels), so a batch costs one kernel run per distinct part.

/// A part named per row: a `DatePart`, or one that only date_part with a per-row part computes
/// (DuckDB's julian day and era).
enum RowPart: Equatable {
    case part(DatePart)
    case julian
    case era
}

/// The parts of one batch's rows: `ids[i]` indexes `parts` (-1 for a row whose result is NULL: a
/// NULL part or a NULL argument, whose part DuckDB never reads).
struct RowParts {
    var ids: [Int32]
    var parts: [RowPart] = []

    /// Decodes the part of every row of `part` where no operand of `others` is NULL. Each distinct
    /// string is parsed once (a dictionary column: once per code used; a flat column: once per
    /// distinct value among the last few seen); a row reads only an id.
    /// - Throws: `KuaiError.execution` for a part that is not a known name, or that `accepts` refuses.
    init(
        _ part: Column, _ others: [Operand], _ n: Int, _ e: ScalarExpr,
        accepts: (String) throws -> RowPart
    ) throws {
        var ids = [Int32](repeating: -1, count: n)
        var parts: [RowPart] = []
        let live = RowParts.liveRows(part, others, n)
        var byCode = [Int32](repeating: -2, count: part.dictionary?.count ?? 0)
        var recent: [(view: StringView, id: Int32)] = []
        func id(of view: StringView) throws -> Int32 {
            let p = try accepts(view.withBytes { String(decoding: $0, as: UTF8.self) })
            if let k = parts.firstIndex(of: p) { return Int32(k) }
            parts.append(p)
            return Int32(parts.count - 1)
        }
        for i in 0..<n where live[i] != 0 {
            if let d = part.dictionary {
                let c = Int(part.codes[i])
                if byCode[c] == -2 { byCode[c] = try id(of: d.views[c]) }
                ids[i] = byCode[c]
            } else {
                let v = part.views[i]
                if let hit = recent.first(where: { StringView.equal($0.view, v) }) {
                    ids[i] = hit.id
                } else {
                    let k = try id(of: v)
                    if recent.count == 16 { recent.removeFirst() }
                    recent.append((v, k))
                    ids[i] = k
                }
            }
        }
        self.ids = ids
        self.parts = parts
    }

    /// 1 for the rows where the part and every other operand are valid, else 0.
    static func liveRows(_ part: Column, _ others: [Operand], _ n: Int) -> [UInt8] {
        var live = part.validity ?? [UInt8](repeating: 1, count: n)
        for o in others {
            if o.isNullScalar { return [UInt8](repeating: 0, count: n) }
            if let v = o.validity { for i in 0..<n where v[i] == 0 { live[i] = 0 } }
        }
        return live
    }

    /// `kernel(part, gathered operands, rows)` for each distinct part over that part's rows, scattered
    /// into one `type` column of `n` rows (integer storage; DOUBLE when `type` is `.double`, from the
    /// kernel's DOUBLE or integer operand), NULL where `ids` is -1 or the kernel gives NULL.
    /// - Throws: what `kernel` throws.
    func scatter(
        _ operands: [Operand], _ n: Int, type: DataType, _ kernel: (RowPart, [Operand], Int) throws -> Operand
    ) throws -> Operand {
        var ints = type == .double ? [] : [Int64](repeating: 0, count: n)
        var doubles = type == .double ? [Double](repeating: 0, count: n) : []
        var validity = [UInt8](repeating: 0, count: n)
        for (k, part) in parts.enumerated() {
            let rows = ids.indices.compactMap { ids[$0] == Int32(k) ? Int32($0) : nil }
            let gathered = rows.withUnsafeBufferPointer { sel in
                operands.map { o -> Operand in
                    if case .column(let c) = o { return .column(c.gather(sel)) }
                    return o
                }
            }
            let result = try kernel(part, gathered, rows.count)
            for (j, r) in rows.enumerated() {
                let i = Int(r)
                switch result {
                case .scalar(.null): continue
                case .scalar(let v):
                    if type == .double {
                        doubles[i] = FunctionRegistry.asDouble(v) ?? 0
                    } else if case .int(let x) = v {
                        ints[i] = x
                    }
                case .column(let c):
                    if let cv = c.validity, cv[j] == 0 { continue }
                    if type == .double {
                        doubles[i] = c.type == .double ? c.doubles[j] : Double(c.ints[j])
                    } else {
                        ints[i] = c.ints[j]
                    }
                }
                validity[i] = 1
            }
        }
        let valid: [UInt8]? = validity.contains(0) ? validity : nil
        if type == .double { return .column(Column(doubles: doubles, validity: valid)) }
        return .column(Column(type: type, ints: ints, validity: valid))
    }
}

extension FunctionRegistry {
    /// The part named `text` for date_trunc, date_diff and date_sub with a per-row part.
    /// - Throws: `KuaiError.execution`: DuckDB's "extract specifier ... not recognized" for an unknown
    ///   name, its "Specifier type not implemented for <FUNCTION>" for era.
    static func rowPart(_ text: String, _ function: String) throws -> RowPart {
        switch try datePartOrExtra(text) {
        case .julian: return .part(.day)  // DuckDB truncates and counts the julian part as days
        case .era: throw KuaiError(.execution, "Specifier type not implemented for \(function)")
        case let p: return p
        }
    }

    /// A part name as DuckDB's `GetDatePartSpecifier` reads it, with julian and era.
    /// - Throws: `KuaiError.execution` ("extract specifier ... not recognized") for another name.
    static func datePartOrExtra(_ text: String) throws -> RowPart {
        if let p = DatePart(text) { return .part(p) }
        switch text.lowercased() {
        case "julian", "jd": return .julian
        case "era": return .era
        default: throw KuaiError(.execution, "extract specifier \"\(text)\" not recognized")
        }
    }

    /// date_part(part, x) with a per-row part over DATE (`timestamp` false) or TIMESTAMP: DOUBLE, as
    /// DuckDB 2.0.1 types it (then `epoch` keeps the fraction of a second and `julian` the fraction of
    /// the day; the other parts are their BIGINT values). Not in the registry's table: the binder
    /// chooses it for a non-constant part (its name is date_part).
    public static func datePartPerRow(timestamp: Bool) -> ScalarFunction {
        ScalarFunction("date_part", [.varchar, timestamp ? .timestamp : .date], .double) { a, _, n, e in
            guard case .column(let partColumn) = a[0] else {
                return try DateKernels.extract(datePart(a[0], e), a[1], n, timestamp: timestamp)
            }
            let parts = try RowParts(partColumn, [a[1]], n, e, accepts: datePartOrExtra)
            return try parts.scatter([a[1]], n, type: .double) { part, x, m in
                extractAsDouble(part, x[0], m, timestamp: timestamp)
            }
        }
    }

    /// One part of DATE or TIMESTAMP values as DuckDB's DOUBLE date_part gives it.
    static func extractAsDouble(_ part: RowPart, _ x: Operand, _ n: Int, timestamp: Bool) -> Operand {
        let perDay = DateKernels.perDay
        switch part {
        case .part(.epoch):
            return mapIntToDouble(x, n) { v in timestamp ? Double(v) / 1_000_000 : Double(v) * 86_400 }
        case .julian:  // julian(x)
            return mapIntToDouble(x, n) { v in
                guard timestamp else { return Double(v) + julianDayOfEpoch }
                let day = dayOf(v)
                return Double(day) + julianDayOfEpoch + Double(v &- day &* perDay) / Double(perDay)
            }
        case .era:  // era(x)
            return mapInt(x, n, .bigint) { v in (timestamp ? dayOf(v) : v) >= firstDayOfEraOne ? 1 : 0 }
        case .part(let p):
            return DateKernels.extract(p, x, n, timestamp: timestamp)
        }
    }

    /// `kernel(part, operands, rows)` of a function whose first argument names the part: once when
    /// the part is a constant; per distinct part of the rows when it is a column (`RowParts`).
    /// - Throws: `KuaiError.execution` for an unknown part (a constant one even over no rows, as the
    ///   kernels did), and what `kernel` throws.
    static func withPart(
        _ a: [Operand], _ n: Int, _ e: ScalarExpr, type: DataType, _ function: String,
        _ kernel: (DatePart, [Operand], Int) throws -> Operand
    ) throws -> Operand {
        let rest = Array(a.dropFirst())
        guard case .column(let partColumn) = a[0] else { return try kernel(try datePart(a[0], e), rest, n) }
        let parts = try RowParts(partColumn, rest, n, e) { try rowPart($0, function) }
        return try parts.scatter(rest, n, type: type) { part, x, m in
            guard case .part(let p) = part else { return .scalar(.null) }
            return try kernel(p, x, m)
        }
    }
}
