import KuaiCore
import KuaiExec
import KuaiFormat
import KuaiSQL

// CREATE MACRO and DROP MACRO (DuckDB 2.0.1): a macro of a session on a store is kept in the store's
// manifest (Formats/column-file.md, "Manifest", member `macros`) and seen by every later session, as DuckDB
// keeps macros in its database file; a TEMP macro, and every macro of a session without a store, lives in
// the session only.

extension Session {
    /// Runs `CREATE MACRO` in the session (TEMP, or a session without a store) or on the store.
    /// - Throws: `KuaiError.binding` for a default value naming a column, a body naming a column that is not
    ///   a parameter or calling a function or reading a table that does not exist, and a macro of the same
    ///   name and kind without OR REPLACE / IF NOT EXISTS; `.execution` for a read-only store.
    func createMacro(_ m: CreateMacroStatement) throws -> StatementOutcome {
        let outcome = StatementOutcome(statement: "CREATE MACRO", changedRows: nil)
        try checkMacroDefinition(m)
        let definition = MacroDefinition(m)
        let key = m.name.name.lowercased()
        if m.temporary || storePath == nil {
            if let i = sessionMacros.firstIndex(where: {
                $0.name.lowercased() == key && $0.isTable == definition.isTable
            }) {
                if m.ifNotExists { return outcome }
                guard m.orReplace else { throw Session.macroExists(m) }
                sessionMacros.remove(at: i)
            }
            sessionMacros.append(definition)
            return outcome
        }
        guard access == .readWrite else {
            throw KuaiError(
                .execution,
                "cannot run \(Statement.createMacro(m).sqlDescription.prefix(40)) here: the store is open read-only")
        }
        return try executeWrite(.createMacro(m))
    }

    /// The store part of `CREATE MACRO` (in `executeWrite`'s transaction).
    func createStoreMacro(_ m: CreateMacroStatement, _ tx: StoreTransaction) throws -> (StatementOutcome, Bool) {
        let outcome = StatementOutcome(statement: "CREATE MACRO", changedRows: nil)
        let record = MacroDefinition.record(m)
        if tx.macros.contains(where: {
            $0.name.lowercased() == record.name.lowercased() && $0.isTable == record.isTable
        }) {
            if m.ifNotExists { return (outcome, false) }
            guard m.orReplace else { throw Session.macroExists(m) }
        }
        try tx.createMacro(record)
        return (outcome, true)
    }

    static func macroExists(_ m: CreateMacroStatement) -> KuaiError {
        var isTable = false
        if case .table = m.body { isTable = true }
        return KuaiError(
            .binding, "\(isTable ? "table macro" : "macro") \"\(m.name.name)\" already exists",
            at: m.name.position.description)
    }

    /// Checks a definition as DuckDB does when it creates the macro: defaults are constants, and the body
    /// binds with every parameter standing for a value (here NULL).
    /// - Throws: `KuaiError.binding` at the offending name.
    func checkMacroDefinition(_ m: CreateMacroStatement) throws {
        for p in m.parameters {
            guard let d = p.defaultValue else { continue }
            var column: SourcePosition? = nil
            Binder.walk(d) { e in if case .column(_, _, let at) = e, column == nil { column = at } }
            if let column {
                throw KuaiError(
                    .binding, "default value for parameter \"\(p.name)\" cannot contain column names",
                    at: column.description)
            }
        }
        let names = Set(m.parameters.map { $0.name.lowercased() })
        let nulls = Dictionary(
            uniqueKeysWithValues: m.parameters.map { ($0.name.lowercased(), Expr.literal(.null, $0.position)) })
        let probe: Query
        switch m.body {
        case .scalar(let e):
            // a column outside every subquery must be a parameter: the body has no FROM of its own
            var stray: (String, SourcePosition)? = nil
            Binder.walk(e) { x in
                if case .column(let q, let n, let at) = x, stray == nil, q != nil || !names.contains(n.lowercased()) {
                    stray = (n, at)
                }
            }
            if let (n, at) = stray {
                throw KuaiError(
                    .binding, "referenced column \"\(n)\" was not found because the macro has no FROM clause",
                    at: at.description)
            }
            let expander = MacroExpander(catalog: engine().catalog, expanding: [])
            let body = try expander.substitute(nulls, into: e)
            probe = Query(
                body: .select(SelectCore(items: [.expr(body, alias: "x")], position: m.position)), position: m.position)
        case .table(let q):
            probe = try MacroExpander(catalog: engine().catalog, expanding: []).substituteQuery(nulls, into: q)
        }
        do {
            _ = try engine().bind(probe, SharedResults())
        } catch let e as KuaiError where e.kind == .binding || e.kind == .syntax {
            // Only names that do not exist are refused now; a type that only a NULL argument gives (a list
            // function of a NULL) is left to the call, as DuckDB binds a body without argument types.
            if e.message.contains("does not exist") || e.message.contains("not found") { throw e }
        }
    }

    /// Runs `DROP MACRO [TABLE] [IF EXISTS] name`: a session macro of that name first, else the store's.
    /// `DROP MACRO` drops a scalar macro, else a table macro; `DROP MACRO TABLE` a table macro only.
    /// - Throws: `KuaiError.binding` when there is no such macro (without IF EXISTS); `.execution` for a
    ///   read-only store.
    func dropMacro(_ d: DropStatement) throws -> StatementOutcome {
        let outcome = StatementOutcome(statement: "DROP MACRO", changedRows: nil)
        let key = d.name.name.lowercased()
        for table in d.kind == .tableMacro ? [true] : [false, true] {
            if let i = sessionMacros.firstIndex(where: { $0.name.lowercased() == key && $0.isTable == table }) {
                sessionMacros.remove(at: i)
                return outcome
            }
        }
        if storePath != nil, let store,
            store.macros.contains(where: {
                $0.name.lowercased() == key && (d.kind == .macro || $0.isTable)
            })
        {
            guard access == .readWrite else {
                throw KuaiError(
                    .execution,
                    "cannot run \(Statement.drop(d).sqlDescription.prefix(40)) here: the store is open read-only")
            }
            return try executeWrite(.drop(d))
        }
        if d.ifExists { return outcome }
        throw Session.missingMacro(d)
    }

    static func missingMacro(_ d: DropStatement) -> KuaiError {
        KuaiError(
            .binding, "\(d.kind == .tableMacro ? "table macro" : "macro") \"\(d.name.name)\" does not exist",
            at: d.name.position.description)
    }

    /// The store part of `DROP MACRO` (in `executeWrite`'s transaction).
    func dropStoreMacro(_ d: DropStatement, _ tx: StoreTransaction) throws -> (StatementOutcome, Bool) {
        let outcome = StatementOutcome(statement: "DROP MACRO", changedRows: nil)
        let key = d.name.name.lowercased()
        let macros = tx.macros
        for table in d.kind == .tableMacro ? [true] : [false, true] {
            if let m = macros.first(where: { $0.name.lowercased() == key && $0.isTable == table }) {
                try tx.dropMacro(m.name, isTable: table)
                return (outcome, true)
            }
        }
        if d.ifExists { return (outcome, false) }
        throw Session.missingMacro(d)
    }
}
