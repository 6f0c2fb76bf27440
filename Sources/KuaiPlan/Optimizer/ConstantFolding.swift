import KuaiCore
import KuaiExec

/// Replaces every expression subtree that reads no column by its value, computed once at plan time
/// (`1 + 2` -> `3`, `CAST('2025-05-26' AS DATE)` -> the date, `'a' || 'b'` -> `'ab'`); the node keeps its
/// name, so result column names and EXPLAIN text do not change. A subtree whose evaluation fails (an
/// overflow, `1 // 0`) is kept as is: the error is raised only if a row reaches it, as DuckDB does for a
/// branch no row takes.
///
/// An operator or function that is NULL whenever an argument is NULL (`nullPropagatingFunctions`, the
/// arithmetic and comparison operators, negation) and has an argument folded to NULL becomes a NULL
/// constant too, so its other arguments are never evaluated: DuckDB's binder does the same
/// (`FunctionBinder::BindScalarFunction` with default NULL handling), so `NULL::DATE = make_date(2024, 2,
/// 31)` is NULL there, not "Date out of range".
struct ConstantFolding: OptimizerRule {
    var name: String { "ConstantFolding" }

    func apply(_ plan: LogicalPlan) -> LogicalPlan {
        plan.mapAllExpressions(Self.fold)
    }

    /// `e` with its constant subtrees folded, bottom-up.
    static func fold(_ e: BoundExpr) -> BoundExpr {
        e.transformed { node in
            if node.constantValue == nil, propagatesNull(node),
                node.children.contains(where: { $0.constantValue?.isNull == true })
            {
                return BoundExpr(.constant(.null), type: node.type, name: node.name)
            }
            guard node.constantValue == nil, node.isEvaluableWithoutInput,
                let v = try? node.evaluateConstant()
            else { return node }
            return BoundExpr(.constant(v), type: node.type, name: node.name)
        }
    }

    /// Whether `node` is NULL whenever one of its operands is (DuckDB's default NULL handling).
    static func propagatesNull(_ node: BoundExpr) -> Bool {
        switch node.kind {
        case .arithmetic, .compare, .negate: return true
        case .function(let f, _): return nullPropagatingFunctions.contains(f.name)
        default: return false
        }
    }

    /// Scalar functions whose result is NULL when any argument is (not coalesce, greatest, least, nullif,
    /// concat, concat_ws, which skip or test NULLs).
    static let nullPropagatingFunctions: Set<String> = [
        "abs", "ceil", "ceiling", "floor", "round", "trunc", "sign", "sqrt", "cbrt", "exp", "ln", "log", "log10",
        "log2", "pow", "power", "chr", "ascii", "length", "len", "strlen", "char_length", "character_length",
        "lower", "upper", "lcase", "ucase", "reverse", "left", "right", "substr", "substring", "lpad", "rpad",
        "repeat", "replace", "trim", "ltrim", "rtrim", "split_part", "strpos", "instr", "position", "contains",
        "starts_with", "ends_with", "prefix", "suffix", "md5", "regexp_matches", "regexp_full_match",
        "regexp_replace", "regexp_extract", "date_part", "date_trunc", "datetrunc", "date_diff", "datediff",
        "date_sub", "datesub", "dayname", "monthname", "last_day", "make_date", "make_timestamp", "strftime",
        "strptime", "try_strptime", "epoch", "epoch_ms", "epoch_us", "epoch_ns", "to_timestamp", "concat_op",
    ]
}
