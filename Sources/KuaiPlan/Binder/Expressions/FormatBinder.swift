import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// DuckDB's `format(fmt, args...)` (fmt's `{}` syntax) and `printf(fmt, args...)` (C's `%`
    /// conversions): VARCHAR. Each argument is read as DuckDB's fmt reads it (`FormatArgumentKind`):
    /// TINYINT ... BIGINT as BIGINT, DECIMAL as DOUBLE, HUGEINT and every non-numeric type but BOOLEAN
    /// as its VARCHAR text. A constant format string is parsed here, once; its errors, like a field
    /// that does not fit its argument, are raised when the first row is formatted (DuckDB semantics:
    /// no error over zero rows or NULL rows). A NULL literal argument makes the call NULL.
    /// - Throws: `KuaiError.binding` when the format is not a VARCHAR (DuckDB's "No function matches").
    func bindFormat(_ fname: String, _ args: [BoundExpr], _ pos: SourcePosition, _ name: String) throws -> BoundExpr {
        guard let format = args.first, format.type == .varchar || format.type == .null else {
            let sig = "\(fname)(" + args.map(\.type.description).joined(separator: ", ") + ")"
            throw Binder.error("no function matches \(sig) in \(name); the format must be a VARCHAR", pos)
        }
        if args.contains(where: { $0.type == .null }) { return BoundExpr.constant(.null, type: .varchar, name: name) }
        var rest: [BoundExpr] = []
        var kinds: [FormatArgumentKind] = []
        for a in args.dropFirst() {
            switch a.type {
            case .tinyint, .smallint, .integer, .bigint:
                rest.append(try coerce(a, to: .bigint, pos))
                kinds.append(.integer)
            case .boolean:
                rest.append(a)
                kinds.append(.boolean)
            case .double:
                rest.append(a)
                kinds.append(.float)
            case .decimal:
                rest.append(try coerce(a, to: .double, pos))
                kinds.append(.float)
            case .hugeint:
                rest.append(try toVarchar(a, pos))
                kinds.append(.bigText)
            default:
                rest.append(try toVarchar(a, pos))
                kinds.append(.text)
            }
        }
        var constant: Result<FormatProgram, KuaiError>? = nil
        if case .string(let s)? = format.foldedValue {
            do {
                constant = .success(try FormatProgram.parse(s, printf: fname == "printf"))
            } catch {
                constant = .failure(error as? KuaiError ?? KuaiError(.execution, "\(error)"))
            }
        }
        let f = FormatKernels.function(
            printf: fname == "printf", argumentTypes: rest.map(\.type), argumentKinds: kinds, constant: constant)
        return BoundExpr(.function(f, [format] + rest), type: .varchar, name: name)
    }
}
