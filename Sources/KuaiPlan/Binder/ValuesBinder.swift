import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// `VALUES (..), (..)`: rows of constants, all of one width; each column has the common type of its
    /// values (DuckDB's NULL type when all are the NULL literal: typeof '"NULL"') and is named `col0`,
    /// `col1`, ... (DuckDB).
    /// - Throws: `KuaiError.binding` for no rows, rows of different widths, values that are not constants
    ///   or column types that do not unify.
    func bindValues(_ rows: [[Expr]], at pos: SourcePosition) throws -> (plan: LogicalPlan, columns: [ScopeColumn]) {
        guard let width = rows.first?.count, width > 0 else {
            throw Binder.error("VALUES needs at least one row", pos)
        }
        var bound: [[BoundExpr]] = []
        for r in rows {
            guard r.count == width else { throw Binder.error("VALUES rows must all have \(width) values", pos) }
            bound.append(try r.map { try bind($0, ExprContext(scope: [], aggregate: nil, clause: "VALUES")) })
        }
        var fields: Schema = []
        for c in 0..<width {
            let t = try valuesColumnType(
                bound.map { $0[c] }, column: c, at: pos, stringLiterals: rows.map { Binder.isStringLiteral($0[c]) })
            fields.append(Field("col\(c)", t))
        }
        var columns: [Column] = []
        for (c, field) in fields.enumerated() {
            if field.type == .null {
                columns.append(Column.nulls(.null, count: rows.count))
                continue
            }
            if field.type.isNested {
                // a list (struct, map) has no `Value`: each row's constant list is evaluated as a one-row column
                var b = ColumnBuilder(type: field.type)
                for r in bound {
                    let e = try coerce(r[c], to: field.type, pos)
                    guard e.isEvaluableWithoutInput else { throw Binder.error("VALUES entries must be constants", pos) }
                    b.append(try e.lowered().evaluate(Batch(columns: [], count: 1)))
                }
                columns.append(b.take())
                continue
            }
            let values = try bound.map { r -> Value in
                let e = try coerce(r[c], to: field.type, pos)
                guard e.isEvaluableWithoutInput else { throw Binder.error("VALUES entries must be constants", pos) }
                // A constant that cannot be computed ('abc' cast to INTEGER) is DuckDB's conversion error.
                return try e.evaluateConstant()
            }
            columns.append(Binder.column(values, field.type))
        }
        return (
            .values(schema: fields, batches: [Batch(columns: columns, count: rows.count)], label: "Values"),
            fields.map { ScopeColumn(qualifier: nil, name: $0.name, type: $0.type) }
        )
    }

    /// The type of a VALUES column, as DuckDB 2.0.1 folds it row by row: the first non-NULL value's type,
    /// then each later value joins in; an integer literal that fits the type so far takes it
    /// (`literalAdaptedType`), so `(127::TINYINT), (3)` is TINYINT but `(3), (127::TINYINT)` INTEGER, and
    /// `(1), (-2147483648)` INTEGER but `(-2147483648), (1)` BIGINT. `.null` when every value is NULL.
    /// A bare string literal after the first typed value takes the type so far (it is cast to it:
    /// `(1), ('2')` is INTEGER, `(1.0::DOUBLE), ('inf')` DOUBLE, `(1), ('x')` a conversion error), as
    /// DuckDB's string literals do; a cast or computed string is VARCHAR and must unify.
    /// - Throws: `KuaiError.binding` for two values without a common type.
    func valuesColumnType(
        _ values: [BoundExpr], column c: Int, at pos: SourcePosition, stringLiterals: [Bool]? = nil
    ) throws -> DataType {
        var t: DataType = .null
        for (i, e) in values.enumerated() where e.type != .null {
            if t == .null {
                t = e.type
                continue
            }
            if stringLiterals?[i] == true { continue }
            let u = literalAdaptedType(e, beside: t)
            guard let common = commonType(t, u, combining: true) else {
                throw Binder.error("VALUES column \(c + 1) mixes \(t) and \(u)", pos)
            }
            t = common
        }
        return t
    }

    /// True for a bare string literal (`'abc'`, not a cast or an expression).
    static func isStringLiteral(_ e: Expr) -> Bool {
        if case .literal(.string, _) = e { return true }
        return false
    }

    /// A column of boxed constants (VALUES).
    static func column(_ values: [Value], _ t: DataType) -> Column { Column(values: values, type: t) }
}
