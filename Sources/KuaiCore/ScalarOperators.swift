/// Arithmetic operators, shared by the SQL syntax tree (KuaiSQL's `BinaryOperator`), bound expressions
/// (KuaiPlan) and the engine (KuaiExec's `ScalarExpr` and its kernels, with DuckDB's semantics). The raw
/// value is the operator as SQL writes it and DuckDB prints it.
public enum ArithmeticOp: String, CaseIterable, Sendable {
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

/// Comparison operators; NULL on either side gives NULL. Shared by the syntax tree, bound expressions and
/// the engine like `ArithmeticOp`; the raw value is the operator as DuckDB prints it (`<>` prints as `!=`).
public enum CompareOp: String, CaseIterable, Sendable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessEqual = "<="
    case greater = ">"
    case greaterEqual = ">="

    /// The operator of the opposite answer (`NOT (a < b)` is `a >= b` for non-NULL operands).
    public var negated: CompareOp {
        switch self {
        case .equal: return .notEqual
        case .notEqual: return .equal
        case .less: return .greaterEqual
        case .lessEqual: return .greater
        case .greater: return .lessEqual
        case .greaterEqual: return .less
        }
    }

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
