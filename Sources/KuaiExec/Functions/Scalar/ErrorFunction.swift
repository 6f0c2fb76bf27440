import KuaiCore

// error(message): DuckDB 2.0.1's way for a query to stop itself (`CASE WHEN bad THEN error('...') END`).

extension FunctionRegistry {
    static let errorFunctions: [ScalarFunction] = [
        /// error(message): raises an execution error with `message` for the first row whose message is
        /// not NULL; NULL (of the untyped NULL type) where it is NULL. Only rows that reach it raise:
        /// a CASE branch not taken, or a row filtered out, does not (as DuckDB).
        /// - Throws: `KuaiError.execution` with the message as it is (DuckDB's "Invalid Input Error").
        ScalarFunction("error", [.varchar], .null, deterministic: false) { a, _, n, _ in
            let s = StringArg(a[0])
            if s.isNullConstant || n == 0 { return .scalar(.null) }
            for i in 0..<(s.step == 0 ? 1 : n) where s.validity.map({ $0[i] != 0 }) ?? true {
                throw KuaiError(.execution, s.views[i * s.step].string)
            }
            return .scalar(.null)
        }
    ]
}
