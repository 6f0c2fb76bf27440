import KuaiCore
import KuaiExec

/// A projection computed after a top-N instead of before it: `LIMIT k` over `ORDER BY` over a
/// projection whose sort keys are input columns passed through is planned as the projection over
/// the top-N of its input, so the projection's expressions (a `strftime` of each of a million
/// groups, a label per row) run on the k rows kept, not on every row.
///
/// DuckDB evaluates the select list on every row before its top-N, so an expression that can fail
/// on some row (a cast from VARCHAR, integer arithmetic that can overflow, a function that can raise
/// an error) must fail the query even when that row is not kept: the move happens only when every
/// expression of the projection `cannotFail`.
enum LateProjection {
    /// The top-N of `plan` (`limit`, `offset`; the `.sort` child of a `.limit`) with its projection
    /// moved above it: (the projection's input, the sort keys over that input, the projection's
    /// expressions and names), or nil when the plan is not such a sort over a projection, a sort key
    /// is computed by the projection, the projection only passes columns through (nothing to save),
    /// or some expression can fail.
    static func split(_ sort: LogicalPlan) -> (
        input: LogicalPlan, keys: [SortKey], exprs: [BoundExpr], names: [String]
    )? {
        guard case .sort(let p, let keys) = sort, case .project(let input, let exprs, let names) = p else {
            return nil
        }
        var inner: [SortKey] = []
        for k in keys {
            guard case .column(let j) = exprs[k.column].kind else { return nil }
            inner.append(SortKey(column: j, ascending: k.ascending, nullsFirst: k.nullsFirst))
        }
        let computes = exprs.contains { e in
            if case .column = e.kind { return false }
            return true
        }
        guard computes, exprs.allSatisfy(\.cannotFail) else { return nil }
        return (input, inner, exprs, names)
    }
}

extension BoundExpr {
    /// True when evaluating the expression cannot raise an error on any row of valid input:
    /// columns, constants, comparisons, IN lists, logic, CASE, NULL tests, DOUBLE arithmetic (no overflow
    /// error: DuckDB gives inf or NULL), casts to VARCHAR, and the functions of `totalFunctions`
    /// over such operands. Integer and DECIMAL arithmetic (overflow), other casts, subqueries and
    /// every other function count as possibly failing.
    var cannotFail: Bool {
        let operandsOK = kind.children.allSatisfy(\.cannotFail)
        switch kind {
        case .column, .constant: return true
        case .compare, .inList, .and, .or, .not, .isNull, .isDistinctFrom, .caseWhen: return operandsOK
        case .arithmetic, .negate: return type == .double && operandsOK
        case .cast(_, let isTry): return (isTry || type == .varchar) && operandsOK
        case .function(let f, _): return BoundExpr.totalFunctions.contains(f.name) && operandsOK
        default: return false
        }
    }

    /// Scalar functions that return a value (or NULL) for every valid input, whatever the row:
    /// formatting, string slicing and case, date parts and truncation, NULL handling.
    static let totalFunctions: Set<String> = [
        "strftime", "concat", "concat_ws", "||", "upper", "lower", "ucase", "lcase", "length", "len",
        "strlen", "left", "right", "substring", "substr", "trim", "ltrim", "rtrim", "reverse",
        "coalesce", "ifnull", "nullif", "date_trunc", "datetrunc", "year", "month", "day", "hour", "minute",
        "second", "dayofweek", "dayofyear", "week", "quarter", "isodow", "monthname", "dayname",
        "contains", "starts_with", "ends_with", "prefix", "suffix", "greatest", "least",
    ]
}
