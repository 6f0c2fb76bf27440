import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    func bindLiteral(_ lit: Literal, _ pos: SourcePosition, _ name: String, _ ctx: ExprContext) throws -> BoundExpr {
        switch lit {
        case .null: return BoundExpr.constant(.null, type: .null, name: name)
        case .bool(let b): return BoundExpr.constant(.bool(b), type: .boolean, name: name)
        case .integer(let v):
            // INTEGER when the digits fit 32 bits; a negative literal is the negation of its digits, so
            // -2147483648 is a BIGINT, as in DuckDB (2147483648 does not fit).
            let t: DataType = (v > Int64(Int32.min) && v <= Int64(Int32.max)) ? .integer : .bigint
            return BoundExpr.constant(.int(v), type: t, name: name)
        case .decimal(let text):
            // An integer beyond Int64 that fits 128 bits is a HUGEINT, as in DuckDB.
            if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let h = Int128(text) {
                if let i = Int64(exactly: h) { return BoundExpr.constant(.int(i), type: .bigint, name: name) }
                return BoundExpr.constant(.hugeint(h), type: .hugeint, name: name)
            }
            // DuckDB types a literal with a point and no exponent as DECIMAL(digits, digits after the
            // point) while it has at most 38 digits (1.005 is DECIMAL(4,3), .5 DECIMAL(1,1)); others DOUBLE.
            if let t = Binder.decimalLiteralType(text),
                let v = DecimalMath.parse(text, precision: t.decimalPrecision, scale: t.decimalScale)
            {
                if let i = Int64(exactly: v) { return BoundExpr.constant(.int(i), type: t, name: name) }
                return BoundExpr.constant(.hugeint(v), type: t, name: name)
            }
            guard let d = Double(text) else { throw Binder.error("invalid number \(text)", pos) }
            if let i = Int64(exactly: d), !text.contains("."), !text.lowercased().contains("e") {
                return BoundExpr.constant(.int(i), type: .bigint, name: name)
            }
            return BoundExpr.constant(.double(d), type: .double, name: name)
        case .string(let s): return BoundExpr.constant(.string(s), type: .varchar, name: name)
        case .typed(let t, let s):
            return try castConstantString(s, to: t, pos, name)
        case .interval(let q, let unit):
            let x = try bind(q, ctx)
            guard x.type.isInteger, case .int(let n)? = (try? x.evaluateConstant()) ?? nil else {
                return try bindIntervalOfExpression(x, unit, pos, name)
            }
            let function = try Binder.intervalFunction(unit, pos)
            // seconds and finer: exact integer microseconds (to_seconds takes a DOUBLE)
            let finer: Int64? = ["second": 1_000_000, "millisecond": 1_000, "microsecond": 1][function.unit]
            if let finer {
                let (r, o) = n.multipliedReportingOverflow(by: finer)
                if o { throw Binder.error("INTERVAL \(n) \(unit) is out of range", pos) }
                return BoundExpr.constant(.int(r), type: .interval, name: name)
            }
            let call = try bindFunction(function.name, [BoundExpr.constant(.int(n), type: .bigint)], pos, name)
            do {
                return BoundExpr.constant(try call.evaluateConstant(), type: .interval, name: name)
            } catch let e as KuaiError {
                throw KuaiError(
                    .binding, e.message.replacingOccurrences(of: " in expression \(name)", with: ""),
                    at: pos.description)
            }
        }
    }

    /// The function DuckDB rewrites `INTERVAL x unit` to (`to_years` ... `to_microseconds`) and the
    /// unit's singular name.
    /// - Throws: `KuaiError.binding` for a word that is no interval unit.
    static func intervalFunction(_ unit: String, _ pos: SourcePosition) throws -> (name: String, unit: String) {
        let u = unit.lowercased()
        guard let f = Literal.intervalConstructor(u) else {
            throw Binder.error("INTERVAL unit \(unit) is not supported", pos)
        }
        return (f, u)
    }

    /// `INTERVAL (x) unit` with a quantity that is not an integer constant (a column, `1.5`), as
    /// DuckDB's transformer rewrites it: `to_seconds(CAST(x AS DOUBLE))` and `to_milliseconds(...)`
    /// keep the fraction; the other units take `CAST(trunc(CAST(x AS DOUBLE)) AS BIGINT)`
    /// (`INTERVAL 1.5 HOUR` is one hour, `INTERVAL 1.5 MONTH` one month).
    /// - Throws: `KuaiError.binding` for a quantity that is not a number.
    func bindIntervalOfExpression(_ x: BoundExpr, _ unit: String, _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr
    {
        let function = try Binder.intervalFunction(unit, pos).name
        guard x.type.isNumeric || x.type == .null else {
            throw Binder.error("INTERVAL needs a number quantity, not \(x.type)", pos)
        }
        let asDouble = try coerce(x, to: .double, pos)
        if Literal.fractionalIntervalUnits.contains(unit.lowercased()) {
            return try bindFunction(function, [asDouble], pos, name)
        }
        let whole = try coerce(try bindFunction("trunc", [asDouble], pos, name), to: .bigint, pos)
        return try bindFunction(function, [whole], pos, name)
    }

    /// The DECIMAL type DuckDB gives the number literal `text` (digits with a point, no exponent, no
    /// sign): DECIMAL(number of digits, digits after the point) when there are at most 38 digits.
    static func decimalLiteralType(_ text: String) -> DataType? {
        guard let dot = text.firstIndex(of: "."), !text.contains(where: { $0 == "e" || $0 == "E" }) else { return nil }
        let digits = text.filter { $0 >= "0" && $0 <= "9" }.count
        let scale = text[text.index(after: dot)...].count
        guard digits >= 1, digits <= 38, scale <= digits else { return nil }
        return .decimal(precision: UInt8(digits), scale: UInt8(scale))
    }

    /// A VARCHAR constant converted to `t` at plan time (typed literals, comparisons with a column).
    func castConstantString(_ s: String, to t: DataType, _ pos: SourcePosition, _ name: String) throws -> BoundExpr {
        let src = BoundExpr.constant(.string(s), type: .varchar)
        let c = BoundExpr(.cast(src, isTry: false), type: t, name: name)
        do {
            return BoundExpr.constant(try c.evaluateConstant(), type: t, name: name)
        } catch let e as KuaiError {
            throw KuaiError(
                .binding, e.message.replacingOccurrences(of: " in expression \(name)", with: ""), at: pos.description)
        }
    }
}

extension String {
    /// Replaces every occurrence of `target` with `replacement` (no Foundation).
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}

extension Substring {
    /// The first range of `target` (naive search; short strings only).
    func range(of target: String) -> Range<Substring.Index>? {
        let t = Array(target)
        guard !t.isEmpty else { return nil }
        var i = startIndex
        while i < endIndex {
            var j = i
            var k = 0
            while k < t.count, j < endIndex, self[j] == t[k] {
                j = index(after: j)
                k += 1
            }
            if k == t.count { return i..<j }
            i = index(after: i)
        }
        return nil
    }
}
