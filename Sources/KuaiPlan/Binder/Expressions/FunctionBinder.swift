import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// A scalar function call `f(args)` (aggregates and window calls are bound before reaching here, where
    /// they are allowed): like_escape and friends are LIKE ... ESCAPE; others resolve in `bindFunction`.
    /// - Throws: `KuaiError.binding` for an aggregate where none is allowed, DISTINCT, or no matching overload.
    func bindFunctionCall(_ f: FunctionCall, _ name: String, _ ctx: ExprContext) throws -> BoundExpr {
        if AggregateRegistry.isAggregate(f.name) || f.star {
            throw Binder.error("aggregate function calls are not allowed in \(ctx.clause)", f.position)
        }
        if f.distinct { throw Binder.error("DISTINCT is only allowed in aggregate functions", f.position) }
        if f.name == FunctionCall.structLiteralName { return try bindStructLiteral(f, name, ctx) }
        if f.name == FunctionCall.fieldAccessName { return try bindFieldAccess(f, name, ctx) }
        if Binder.structEditNames.contains(f.name) { return try bindStructEdit(f, name, ctx) }
        // the functions behind operators (`a || b` is concat_op) are not callable by name (DuckDB has none)
        if !FunctionRegistry.isCallableByName(f.name) { throw unknownFunction(f.name, f.position) }
        if let form = Binder.likeEscapeFunctions[f.name] {
            // like_escape(s, p, e) and friends: DuckDB's functions behind LIKE ... ESCAPE.
            guard f.arguments.count == 3 else {
                throw Binder.error("\(f.name)() takes three arguments", f.position)
            }
            return try bindLike(
                f.arguments[0], f.arguments[1], f.arguments[2], negated: form.negated,
                caseInsensitive: form.caseInsensitive, f.position, name, ctx)
        }
        if f.name == "if" {
            // DuckDB's if(cond, a, b) is CASE WHEN cond THEN a ELSE b END (a NULL condition takes b).
            guard f.arguments.count == 3 else { throw Binder.error("if() takes three arguments", f.position) }
            return try bindCase(nil, [(f.arguments[0], f.arguments[1])], f.arguments[2], f.position, name, ctx)
        }
        if let op = Binder.operatorFunctions[f.name] { return try bindOperatorFunction(f, op, name, ctx) }
        if let lambda = try bindLambdaCall(f, name, ctx) { return lambda }
        let args = try f.arguments.map { try bind($0, ctx) }
        // `a ^ b` and `a ** b` (named as written) are power(a, b); `s ^@ p` is starts_with(s, p)
        let fname = f.name == "^" || f.name == "**" ? "power" : f.name == "^@" ? "starts_with" : f.name
        return try bindFunction(fname, args, f.position, name)
    }

    /// DuckDB's functions named after arithmetic operators (`add(a, b)` is `a + b`).
    static let operatorFunctions: [String: ArithmeticOp] = [
        "add": .add, "subtract": .subtract, "multiply": .multiply, "divide": .divide,
    ]

    /// add / subtract / multiply / divide as DuckDB 2.0.1 has them: `add(a, b)` is `a + b` for every
    /// type the operator takes (dates, intervals, lists), `add(a)` is `a`, `subtract(a)` is `-a`;
    /// `divide` of two integers is `a // b` (an error on a zero divisor).
    /// - Throws: `KuaiError.binding` for another argument count, and for divide of non-integers
    ///   (DuckDB divides those as DOUBLE but raises an error on a zero divisor, which `/` does not:
    ///   refused rather than answered differently).
    func bindOperatorFunction(_ f: FunctionCall, _ op: ArithmeticOp, _ name: String, _ ctx: ExprContext) throws
        -> BoundExpr
    {
        let unary = f.arguments.count == 1 && (op == .add || op == .subtract)
        guard f.arguments.count == 2 || unary else {
            let types = try f.arguments.map { try bind($0, ctx).type.description }.joined(separator: ", ")
            throw Binder.error(
                "No function matches the given name and argument types '\(f.name)(\(types))'", f.position)
        }
        if unary {
            return try bindUnary(op == .add ? .plus : .minus, f.arguments[0], f.position, name, ctx)
        }
        guard op == .divide else {
            return try bindBinary(.arithmetic(op), f.arguments[0], f.arguments[1], f.position, name, ctx)
        }
        let x = try bind(f.arguments[0], ctx)
        let y = try bind(f.arguments[1], ctx)
        let integral = { (t: DataType) in t.isInteger || t == .null }
        guard integral(x.type) && integral(y.type) else {
            throw Binder.error(
                "divide() of \(x.type) and \(y.type) is not provided (DuckDB's raises an error on a zero divisor, unlike /); use / or //",
                f.position)
        }
        return try makeArithmetic(.integerDivide, x, y, f.position, name)
    }

    /// `fname(args)` over bound arguments: a special form (typeof, date_part('epoch', ..), mod, concat,
    /// coalesce and its kin), else the cheapest overload of the registry, with the arguments cast to its
    /// parameter types.
    /// - Throws: `KuaiError.binding` for an unknown function (naming the closest) or no matching overload
    ///   (listing the candidates).
    func bindFunction(_ fname: String, _ args: [BoundExpr], _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr
    {
        // datepart: DuckDB's alias of date_part (with its epoch special form).
        if fname == "datepart" { return try bindFunction("date_part", args, pos, name) }
        if fname == "round_even" || fname == "roundbankers", args.first?.type.isDecimal == true {
            // DuckDB rounds a DECIMAL to a DECIMAL; kuai does not provide that overload (the DOUBLE one
            // would change the result's type)
            throw Binder.error("\(fname)() of a DECIMAL is not provided; cast the value to DOUBLE", pos)
        }
        if fname == "date_part", args.count == 2, args[0].type == .varchar, args[0].foldedValue == nil,
            args[1].type == .date || args[1].type == .timestamp
        {
            // A part that is not a constant (a column): DuckDB 2.0.1 types the result DOUBLE.
            return BoundExpr(
                .function(FunctionRegistry.datePartPerRow(timestamp: args[1].type == .timestamp), args), type: .double,
                name: name)
        }
        if let s = try bindStructFunction(fname, args, pos, name) { return s }
        if let special = try bindSpecialForm(fname, args, pos, name) { return special }
        return try bindOverload(fname, args, pos, name)
    }

    /// The functions with rules of their own; nil for the others.
    func bindSpecialForm(_ fname: String, _ args: [BoundExpr], _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr?
    {
        if fname == "date_part", args.count == 2,
            [.date, .timestamp, .timestamptz, .time, .interval].contains(args[1].type),
            args.contains(where: { $0.foldedValue?.isNull == true })
        {
            // DuckDB 2.0.1 types date_part of a constant NULL part or source DOUBLE (`date_part('year',
            // NULL::DATE)`, `EXTRACT(year FROM TRY_CAST('x' AS DATE))`), not BIGINT; the value is NULL.
            return BoundExpr.constant(.null, type: .double, name: name)
        }
        if let tz = try bindTimeZoneSpecialForm(fname, args, pos, name) { return tz }
        if let f = try bindFormatOrCurrentTime(fname, args, pos, name) { return f }
        if let list = try bindListFunction(fname, args, pos, name) { return list }
        switch fname {
        case "typeof":
            guard args.count == 1 else { throw Binder.error("typeof() takes one argument", pos) }
            // DuckDB names the type of the NULL literal with its quotes: typeof(NULL) is `"NULL"`.
            let text = args[0].type == .null ? "\"NULL\"" : args[0].type.description
            return BoundExpr.constant(.string(text), type: .varchar, name: name)
        case "date_part":
            // date_part('epoch', x), also EXTRACT(epoch FROM x), is DuckDB's epoch(x): seconds as a
            // DOUBLE with the fraction (1746406923.456), not whole seconds like the BIGINT parts.
            if args.count == 2, case .string(let part)? = args[0].foldedValue, part.lowercased() == "epoch",
                args[1].type == .timestamp || args[1].type == .date
            {
                return try bindFunction("epoch", [try coerce(args[1], to: .timestamp, pos)], pos, name)
            }
            // Of an INTERVAL: its length in seconds (epoch(INTERVAL), a month as 30 days, a year as
            // 365.25); the other parts are date_part(VARCHAR, INTERVAL). Of a TIME: seconds since midnight.
            if args.count == 2, case .string(let part)? = args[0].foldedValue, part.lowercased() == "epoch",
                args[1].type == .interval || args[1].type == .time
            {
                return try bindFunction("epoch", [args[1]], pos, name)
            }
        case "xor":
            guard args.count == 2 else { throw Binder.error("xor() takes two arguments", pos) }
            return try bindBitOperator("xor", args[0], args[1], pos, name)
        case "round", "floor", "ceil", "ceiling", "trunc", "abs", "sign":
            if let first = args.first, first.type.isDecimal, args.count <= 2 {
                return try bindDecimalRounding(fname, args, pos, name)
            }
        case "mod":
            guard args.count == 2 else { throw Binder.error("mod() takes two arguments", pos) }
            return try makeArithmetic(.modulo, args[0], args[1], pos, name)
        case "concat":
            guard !args.isEmpty else {
                throw Binder.error("No function matches the given name and argument types 'concat()'", pos)
            }
            let cast = try args.map { try toVarchar($0, pos) }
            guard let f = FunctionRegistry.resolve("concat", cast.map(\.type)) else {
                throw Binder.error("concat() needs arguments", pos)
            }
            return BoundExpr(.function(f, cast), type: .varchar, name: name)
        case "concat_ws":
            // concat_ws(sep, x, ...): every argument as VARCHAR, as DuckDB's concat_ws(VARCHAR, ANY, ...).
            guard args.count >= 2 else { throw Binder.error("concat_ws() needs a separator and a value", pos) }
            let cast = try args.map { try toVarchar($0, pos) }
            guard let f = FunctionRegistry.resolve("concat_ws", cast.map(\.type)) else { return nil }
            return BoundExpr(.function(f, cast), type: .varchar, name: name)
        case "coalesce", "ifnull", "nullif", "greatest", "least":
            if fname == "nullif" && args.count != 2 { throw Binder.error("nullif() takes two arguments", pos) }
            if fname == "ifnull" && args.count != 2 { throw Binder.error("ifnull() takes two arguments", pos) }
            if args.isEmpty { throw Binder.error("\(fname)() needs at least one argument", pos) }
            let unified = Result {
                try unifiedType(args, adaptingStringConstants: true) { t, u in
                    Binder.error("\(fname)() arguments have incompatible types \(t) and \(u) in \(name)", pos)
                }
            }
            if fname == "nullif" && args[0].type != .null && (try? unified.get()) != args[0].type {
                // DuckDB 2.0.1: nullif(a, b) is CASE WHEN a = b THEN NULL ELSE a END, compared as `=`
                // compares and typed as `a`: nullif(1, 1.5) is INTEGER 1, nullif(DATE, TIMESTAMP) a DATE,
                // nullif(1, '1'::VARCHAR) reads the VARCHAR as an INTEGER (and is NULL).
                let (x, y) = try comparisonOperands(args[0], args[1], pos, name, castHint: true, equality: true)
                let equal = BoundExpr(.compare(.equal, x, y), type: .boolean, name: name)
                return BoundExpr(
                    .caseWhen([(when: equal, then: BoundExpr.constant(.null, type: args[0].type))], elseExpr: args[0]),
                    type: args[0].type, name: name)
            }
            let t = try unified.get()
            // Every argument is the NULL literal: the NULL type, as DuckDB (it adapts to what it meets).
            if t == .null || (fname == "nullif" && args[0].type == .null) {
                // nullif(NULL, x) is the NULL literal whatever x is (DuckDB types it NULL too).
                return BoundExpr.constant(.null, type: .null, name: name)
            }
            let cast = try args.map { try coerce($0, to: t, pos) }
            if fname == "coalesce" || fname == "ifnull", cast.dropFirst().contains(where: { !$0.isPlainOperand }) {
                // DuckDB evaluates an argument only for the rows all earlier ones left NULL, so
                // coalesce(i, 10 // i) raises nothing: CASE evaluates its branches so, the kernel would not.
                let whens = cast.dropLast().map { a in
                    (when: BoundExpr(.isNull(a, negated: true), type: .boolean, name: name), then: a)
                }
                return BoundExpr(.caseWhen(Array(whens), elseExpr: cast.last!), type: t, name: name)
            }
            guard let f = FunctionRegistry.generic(fname, t, arity: cast.count) else {
                throw Binder.error("\(fname)() is not supported here", pos)
            }
            return BoundExpr(.function(f, cast), type: t, name: name)
        default:
            break
        }
        return nil
    }

    /// The error of a call to a function that does not exist, naming the closest existing one.
    func unknownFunction(_ fname: String, _ pos: SourcePosition) -> KuaiError {
        var msg = "function \(fname) does not exist"
        if let s = closest(fname, FunctionRegistry.names) { msg += "; did you mean \(s)?" }
        return Binder.error(msg, pos)
    }

    /// round/floor/ceil/ceiling/trunc/abs/sign of a DECIMAL (`FunctionRegistry.decimalOverload`):
    /// round's and trunc's digits must be a constant, as in DuckDB.
    /// - Throws: `KuaiError.binding` for non-constant digits or a call no overload takes.
    func bindDecimalRounding(_ fname: String, _ args: [BoundExpr], _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr
    {
        var digits: Int64? = nil
        var cast = [args[0]]
        if args.count == 2 {
            guard fname == "round" || fname == "trunc" else { return try bindOverload(fname, args, pos, name) }
            let d = try coerce(args[1], to: .integer, pos)
            switch d.foldedValue {
            case .int(let v)?: digits = v
            case .null?: return BoundExpr.constant(.null, type: .null, name: name)  // as DuckDB
            default:
                throw Binder.error(
                    "The \"precision\" argument in function \"\(fname)\" must be a constant expression", pos)
            }
            cast.append(d)
        }
        guard let f = FunctionRegistry.decimalOverload(fname, args[0].type, digits: digits) else {
            return try bindOverload(fname, args, pos, name)
        }
        return BoundExpr(.function(f, cast), type: f.returnType, name: name)
    }

    /// `fname(args)` through `FunctionRegistry`: string constants adapt to the parameter type of the only
    /// overload taking that many arguments; then the cheapest overload (implicit casts) is chosen.
    func bindOverload(_ fname: String, _ args0: [BoundExpr], _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr
    {
        var args = args0
        // DuckDB resolves the NULL literal in abs, round and trunc to their BIGINT overload (typeof(abs(NULL)) is
        // BIGINT), not to the narrowest integer or to DOUBLE.
        if ["abs", "round", "trunc", "round_even", "roundbankers"].contains(fname), args.first?.type == .null {
            args[0] = BoundExpr.constant(.null, type: .bigint, name: args[0].name)
        }
        // String constants adapt to the parameter type of the only overload taking that many arguments.
        let candidates = FunctionRegistry.overloads(fname)
        guard !candidates.isEmpty else {
            if AggregateRegistry.isAggregate(fname) {
                throw Binder.error("aggregate function \(fname) is not allowed here", pos)
            }
            throw unknownFunction(fname, pos)
        }
        let sameArity = candidates.filter { $0.parameters.count == args.count || $0.variadic }
        // With several overloads, string constants adapt to the only one whose other parameters are exactly
        // the other arguments' types (`date_diff('day', d, '2025-05-26')` with d a DATE: the DATE overload,
        // as DuckDB's cheapest implicit casts choose it).
        let parameter = { (f: ScalarFunction, i: Int) in i < f.parameters.count ? f.parameters[i] : f.parameters.last! }
        let exact = sameArity.filter { f in
            args.indices.allSatisfy { isStringLiteral(args[$0]) || args[$0].type == parameter(f, $0) }
        }
        if sameArity.count == 1 || exact.count == 1 {
            let f = sameArity.count == 1 ? sameArity[0] : exact[0]
            for i in args.indices where isStringLiteral(args[i]) {
                let p = parameter(f, i)
                if p != .varchar { args[i] = try coerce(args[i], to: p, pos) }
            }
        }
        if let tz = try bindInSessionZone(fname, args, pos, name) { return tz }
        guard let f = FunctionRegistry.resolve(fname, args.map(\.type)) else {
            let sig = "\(fname)(" + args.map(\.type.description).joined(separator: ", ") + ")"
            throw Binder.error(
                "no function matches \(sig) in \(name); candidates: "
                    + candidates.map(\.signature).joined(separator: "; "), pos)
        }
        let cast = try args.enumerated().map { i, a in
            try coerce(a, to: i < f.parameters.count ? f.parameters[i] : f.parameters.last!, pos)
        }
        return BoundExpr(.function(f, cast), type: f.returnType, name: name)
    }

    /// `x` as VARCHAR (every type casts to VARCHAR).
    func toVarchar(_ x: BoundExpr, _ pos: SourcePosition) throws -> BoundExpr {
        if x.type == .varchar { return x }
        if x.type == .null { return BoundExpr.constant(.null, type: .varchar, name: x.name) }
        return BoundExpr(.cast(x, isTry: false), type: .varchar, name: x.name)
    }
}
