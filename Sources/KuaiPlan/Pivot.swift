import KuaiCore
import KuaiSQL

extension QueryEngine {
    /// `q`, or for a PIVOT statement without an IN list (`Query.pivot`) the grouped query it stands for:
    /// the distinct non-NULL values of its ON expression are computed first, sorted (DuckDB runs the same
    /// query), then each becomes a column (`PivotSpec.sql(values:)`).
    /// - Throws: the errors of the values query and of the query written from them.
    func finishingPivot(_ q: Query) throws -> Query {
        if let u = q.unpivot { return try finishingUnpivot(u, q) }
        guard let spec = q.pivot else { return q }
        guard case .select(let valuesQuery) = try Parser.parse(spec.valuesSQL) else { return q }
        let shared = SharedResults()
        let (plan, _) = try bind(valuesQuery, shared)
        let op = try physical(plan, shared)
        var values: [String] = []
        while let b = try op.next() {
            let c = b.columns[0]
            for i in 0..<b.count {
                if case .string(let s) = c.value(at: i) { values.append(s) }
            }
        }
        guard case .select(let finished) = try Parser.parse(spec.sql(values: values)) else { return q }
        return finished
    }

    /// An UNPIVOT statement's UNION ALL, after checking that its columns have a common type as DuckDB
    /// requires: one type, or numbers only.
    /// - Throws: `KuaiError.binding` "Cannot unpivot columns of types X and Y - an explicit cast is
    ///   required" (DuckDB's error); the errors of binding the source.
    func finishingUnpivot(_ u: UnpivotSpec, _ q: Query) throws -> Query {
        guard case .select(let typesQuery) = try Parser.parse(u.typesSQL) else { return q }
        let (_, cols) = try Binder(catalog: catalog).bindQuery(typesQuery)
        let types = cols.map(\.type)
        for t in types.dropFirst() where t != types[0] && !(t.isNumeric && types[0].isNumeric) {
            throw KuaiError(
                .binding, "Cannot unpivot columns of types \(types[0]) and \(t) - an explicit cast is required",
                at: q.position.description)
        }
        guard case .select(let finished) = try Parser.parse(u.sql) else { return q }
        return finished
    }
}
