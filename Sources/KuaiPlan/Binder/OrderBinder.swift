import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// ORDER BY of a SELECT: each term is an output position (`ORDER BY 2`), an output name, or an
    /// expression (select-list aliases, aggregates of an aggregate query and window functions allowed);
    /// an expression not in the select list becomes a hidden output column (after `s.visible`). ORDER BY
    /// ALL orders by every output column, left to right.
    /// - Throws: `KuaiError.binding` for a position out of range, names and types.
    func bindOrderBy(_ orderBy: [OrderItem], all: OrderItem?, _ s: SelectBinding) throws {
        if let all {
            s.sortKeys = (0..<s.visible).map {
                SortKey(column: $0, ascending: all.ascending, nullsFirst: all.nullsFirst ?? false)
            }
        }
        let ctx = s.context("ORDER BY", aliases: true)
        for item in orderBy {
            try Self.refuseNonIntegerLiteral(item.expr)
            let idx: Int
            if case .literal(.integer(let k), let p) = item.expr {
                guard k >= 1 && Int(k) <= s.visible else {
                    throw Binder.error("ORDER term out of range - should be between 1 and \(s.visible)", p)
                }
                idx = Int(k) - 1
            } else if case .column(nil, let name, _) = item.expr,
                let i = s.names.firstIndex(where: { $0.lowercased() == name.lowercased() })
            {
                idx = i
            } else {
                let b = try bind(item.expr, ctx)
                if let i = s.exprs.firstIndex(where: { $0.structuralKey == b.structuralKey }) {
                    idx = i
                } else {
                    s.exprs.append(b)
                    s.names.append(item.expr.sqlDescription)
                    idx = s.exprs.count - 1
                }
            }
            s.sortKeys.append(SortKey(column: idx, ascending: item.ascending, nullsFirst: item.nullsFirst ?? false))
        }
    }

    /// Sort keys over output columns only (set operations): positions or output names.
    func outputSortKeys(_ items: [OrderItem], _ all: OrderItem?, _ cols: [ScopeColumn]) throws -> [SortKey] {
        if let all {
            return cols.indices.map {
                SortKey(column: $0, ascending: all.ascending, nullsFirst: all.nullsFirst ?? false)
            }
        }
        return try items.map { item in
            try Self.refuseNonIntegerLiteral(item.expr)
            let idx: Int
            if case .literal(.integer(let k), let p) = item.expr {
                guard k >= 1 && Int(k) <= cols.count else {
                    throw Binder.error("ORDER term out of range - should be between 1 and \(cols.count)", p)
                }
                idx = Int(k) - 1
            } else if case .column(nil, let name, let p) = item.expr {
                guard let i = cols.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) else {
                    throw Binder.error(
                        "column \"\(name)\" not found in the result; columns: \(cols.map(\.name).joined(separator: ", "))",
                        p)
                }
                idx = i
            } else {
                throw Binder.error(
                    "ORDER BY after a set operation must name an output column or position", item.expr.position)
            }
            return SortKey(column: idx, ascending: item.ascending, nullsFirst: item.nullsFirst ?? false)
        }
    }

    /// DuckDB refuses an ORDER BY term that is a literal other than an integer (a position):
    /// `ORDER BY NULL`, `ORDER BY 'x'`, `ORDER BY 1.5`, `ORDER BY true` sort nothing.
    /// - Throws: `KuaiError.binding` at the literal.
    static func refuseNonIntegerLiteral(_ e: Expr) throws {
        guard case .literal(let lit, let p) = e else { return }
        switch lit {
        case .null, .bool, .decimal, .string:
            throw Binder.error("ORDER BY non-integer literal has no effect", p)
        default: return
        }
    }

    /// LIMIT and OFFSET of `q` over `plan`: non-negative integer constants; a NULL one is absent, as
    /// in DuckDB (`LIMIT NULL` keeps every row, `OFFSET NULL` skips none). In a correlated subquery the
    /// limit applies to the rows of each outer row: `correlatedLimit`.
    /// - Throws: `KuaiError.binding` for a non-constant or negative count, or a correlated subquery whose
    ///   LIMIT cannot be taken per outer row (`correlatedLimit`).
    func planLimit(_ q: Query, _ plan: LogicalPlan, correlated: Bool, ownCorrelations: Bool = true) throws
        -> LogicalPlan
    {
        if q.limitPercent { return try planLimitPercent(q, plan, correlated: correlated) }
        let limit = try q.limit.flatMap { try constantInt($0, "LIMIT") }
        let offset = try q.offset.flatMap { try constantInt($0, "OFFSET") } ?? 0
        if limit == nil && offset == 0 { return plan }
        if correlated {
            return try correlatedLimit(q, plan, limit: limit, offset: offset, ownCorrelations: ownCorrelations)
        }
        return .limit(plan, limit: limit, offset: offset)
    }

    /// LIMIT / OFFSET of a correlated subquery, which is decorrelated into one plan over the rows of every
    /// outer row (a plain LIMIT would keep n rows in all, not n per outer row). As DuckDB decorrelates it:
    /// `row_number()` over a window partitioned by the correlation key columns (the trailing visible
    /// columns, `bindSelectList`) and ordered by the subquery's ORDER BY, then the rows numbered
    /// `offset + 1 ... offset + limit`. A NULL key is a partition of its own, which only an outer row
    /// `IS NOT DISTINCT FROM` it joins; a partition shorter than the offset keeps no row.
    /// - Throws: `KuaiError.binding` unless `q` is a SELECT (not a set operation) whose correlations are
    ///   all its own and all equalities (`Correlation.isKey`): only then are an outer row's rows one
    ///   partition.
    func correlatedLimit(_ q: Query, _ plan: LogicalPlan, limit: Int?, offset: Int, ownCorrelations: Bool) throws
        -> LogicalPlan
    {
        guard case .select = q.body, ownCorrelations, correlations.allSatisfy(\.isKey) else {
            throw Binder.error(
                "LIMIT and OFFSET in a correlated subquery are supported only in a SELECT whose outer columns are compared with = or IS NOT DISTINCT FROM",
                (q.limit ?? q.offset)!.position)
        }
        let (input, sortKeys, output) = Binder.trailingSort(plan)
        let visible = plan.schema.count
        let kept = Binder.rowsPerPartition(
            input, partitionBy: Array((visible - correlations.count)..<visible), orderBy: sortKeys, offset: offset,
            limit: limit, rowName: "__row")
        let schema = plan.schema
        let out =
            output
            ?? (
                schema.enumerated().map { BoundExpr.column($0.offset, type: $0.element.type, name: $0.element.name) },
                schema.map(\.name)
            )
        return .project(kept, out.exprs, names: out.names)
    }

    /// A SELECT's plan, which ends in [sort] [project dropping hidden ORDER BY columns] (`planSelect`),
    /// split into what is below the sort, the sort's keys (empty without one) and the projection
    /// above it (nil without one): a per-partition LIMIT numbers the rows below, in the sort's order.
    static func trailingSort(_ plan: LogicalPlan) -> (
        input: LogicalPlan, keys: [SortKey], output: (exprs: [BoundExpr], names: [String])?
    ) {
        if case .project(let below, let exprs, let names) = plan, case .sort(let sorted, let keys) = below {
            return (sorted, keys, (exprs, names))
        }
        if case .sort(let sorted, let keys) = plan { return (sorted, keys, nil) }
        return (plan, [], nil)
    }

    /// Rows `offset + 1 ... offset + limit` of each partition of `input` in `orderBy` order (every row
    /// after `offset` when `limit` is nil, or when offset + limit leaves BIGINT: no partition has that
    /// many rows): a `row_number()` window named `rowName`, appended as column `input.schema.count`,
    /// and a filter on it. The per-outer-row LIMIT of a correlated or LATERAL subquery.
    static func rowsPerPartition(
        _ input: LogicalPlan, partitionBy: [Int], orderBy: [SortKey], offset: Int, limit: Int?, rowName: String
    ) -> LogicalPlan {
        let numbered: LogicalPlan = .window(
            input, partitionBy: partitionBy, orderBy: orderBy, functions: [WindowFunction(.rowNumber)],
            names: [rowName])
        let row = BoundExpr.column(input.schema.count, type: .bigint, name: rowName)
        var tests = [
            BoundExpr(
                .compare(.greater, row, BoundExpr.constant(.int(Int64(offset)), type: .bigint)), type: .boolean,
                name: "__after")
        ]
        if let limit, case (let end, false) = Int64(offset).addingReportingOverflow(Int64(limit)) {
            let last = BoundExpr.constant(.int(end), type: .bigint)
            tests.append(BoundExpr(.compare(.lessEqual, row, last), type: .boolean, name: "__within"))
        }
        return .filter(numbered, tests.count == 1 ? tests[0] : BoundExpr.and(tests))
    }

    /// The value of a LIMIT or OFFSET expression; nil when it is a constant NULL (`NULL`,
    /// `CAST(NULL AS INTEGER)`: no limit, no offset, as DuckDB).
    /// Another constant is cast to BIGINT, as DuckDB does (`LIMIT 2.5` is 3, `LIMIT '3'` and `LIMIT 3e0` 3).
    /// - Throws: `KuaiError.binding` unless it is a constant that casts to a non-negative BIGINT, or NULL.
    /// `LIMIT p% [OFFSET k]` (DuckDB): the rows after the first k, at most `Int(p / 100 * n)` of
    /// them where n counts every row (DuckDB's double arithmetic: 29% of 100 rows is 28 rows). Planned
    /// as a window numbering the rows in order (`row_number`, `count(*)`), a filter and a projection
    /// that drops both; a NULL percentage keeps every row.
    /// - Throws: `KuaiError.binding` for a non-constant percentage or one outside [0, 100] (DuckDB's
    ///   "Limit percent out of range, should be between 0% and 100%"), a correlated subquery.
    func planLimitPercent(_ q: Query, _ plan: LogicalPlan, correlated: Bool) throws -> LogicalPlan {
        let e = q.limit!
        let b = try bind(e, ExprContext(scope: [], aggregate: nil, clause: "LIMIT"))
        let offset = try q.offset.flatMap { try constantInt($0, "OFFSET") } ?? 0
        guard b.isEvaluableWithoutInput, b.type.isNumeric || b.type == .null,
            let v = try? coerce(b, to: .double, e.position).evaluateConstant()
        else {
            throw Binder.error("LIMIT percentage must be a numeric constant, found \(e.sqlDescription)", e.position)
        }
        if correlated || (lateral && Binder.readsOuterColumns(plan)) {
            throw Binder.error("LIMIT and OFFSET are not supported in a correlated subquery", e.position)
        }
        let percent: Double
        switch v {
        case .null: return offset == 0 ? plan : .limit(plan, limit: nil, offset: offset)
        case .double(let d): percent = d
        case .int(let x): percent = Double(x)
        default: throw Binder.error("LIMIT percentage must be a numeric constant", e.position)
        }
        guard percent >= 0 && percent <= 100 else {
            throw Binder.error("Limit percent out of range, should be between 0% and 100%", e.position)
        }
        let width = plan.schema.count
        let numbered: LogicalPlan = .window(
            plan, partitionBy: [], orderBy: [], functions: [WindowFunction(.rowNumber), WindowFunction(.countStar)],
            names: ["__row", "__rows"])
        let row = BoundExpr.column(width, type: .bigint, name: "__row")
        let rows = BoundExpr.column(width + 1, type: .bigint, name: "__rows")
        let k = BoundExpr.constant(.int(Int64(offset)), type: .bigint)
        let afterOffset = BoundExpr(.compare(.greater, row, k), type: .boolean, name: "__after")
        let taken = BoundExpr(
            .cast(BoundExpr(.arithmetic(.subtract, row, k), type: .bigint, name: "__taken"), isTry: false),
            type: .double, name: "__taken")
        let allowed = BoundExpr(
            .arithmetic(
                .multiply, BoundExpr.constant(.double(percent / 100), type: .double),
                BoundExpr(.cast(rows, isTry: false), type: .double, name: "__rows")), type: .double, name: "__allowed")
        let within = BoundExpr(.compare(.lessEqual, taken, allowed), type: .boolean, name: "__within")
        let kept: LogicalPlan = .filter(numbered, BoundExpr.and([afterOffset, within]))
        let schema = plan.schema
        return .project(
            kept, schema.enumerated().map { BoundExpr.column($0.offset, type: $0.element.type, name: $0.element.name) },
            names: schema.map(\.name))
    }

    func constantInt(_ e: Expr, _ clause: String) throws -> Int? {
        if let v = try nonNegativeIntConstant(e, clause: clause) { return Int(v) }
        let b = try bind(e, ExprContext(scope: [], aggregate: nil, clause: clause))
        if b.isEvaluableWithoutInput, case .null? = try? b.evaluateConstant() { return nil }
        if b.isEvaluableWithoutInput, b.type.isNumeric || b.type == .varchar || b.type == .boolean,
            let c = try? coerce(b, to: .bigint, e.position), case .int(let v)? = try? c.evaluateConstant(), v >= 0
        {
            return Int(v)
        }
        throw Binder.error("\(clause) must be a non-negative integer constant, found \(e.sqlDescription)", e.position)
    }

    /// The value of `e` when it is a non-negative integer constant (bound without columns), else nil.
    /// - Throws: `KuaiError.binding` when `e` does not bind (a column name, a type error).
    func nonNegativeIntConstant(_ e: Expr, clause: String) throws -> Int64? {
        let b = try bind(e, ExprContext(scope: [], aggregate: nil, clause: clause))
        // a DECIMAL constant's Value is its unscaled integer: only integer types count here
        guard b.type.isInteger || b.type == .null, case .int(let v)? = try? b.evaluateConstant(), v >= 0 else {
            return nil
        }
        return v
    }
}
