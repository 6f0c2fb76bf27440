import KuaiChart
import KuaiCore
import KuaiFormat
import KuaiPlan
import KuaiSQL

/// What became of one recipe.
public struct ChartOutcome: Sendable {
    public enum Status: Sendable {
        /// The chart was drawn from `table`.
        case drawn(ChartOutput)
        /// The query ran and returned no rows: nothing to draw.
        case empty
        /// Not run: the store lacks these tables (the recipe's `tables`, or the table a query
        /// named that the store does not have).
        case missingTables([String])
        /// The recipe file, its query or its result's shape failed; the message says where.
        case failed(String)
    }

    public var name: String
    public var origin: String
    /// nil when the recipe file could not be read as a recipe.
    public var recipe: Recipe?
    public var status: Status
    public var table: ResultTable?
    public var pivot: PivotTable?
    /// Wall time of the query and the drawing.
    public var seconds: Double

    /// The text shown in the page's SQL block: the recipe's query, or the whole file when its header
    /// is invalid.
    public var sqlText: String

    /// True for a recipe that failed (the executable's exit status counts these).
    public var isFailure: Bool {
        if case .failed = status { return true }
        return false
    }
}

/// The whole report: what the store holds and each recipe's outcome, in recipe order.
public struct Report: Sendable {
    public var storePath: String
    /// (table name, row count) of every table of the store, by name.
    public var tables: [(name: String, rows: Int)]
    public var outcomes: [ChartOutcome]
    public var seconds: Double
}

/// Runs recipes over one store with kuai's query engine (in this process) and draws their charts.
public final class ReportBuilder {
    public let store: Store
    let engine: QueryEngine

    /// - Parameters:
    ///   - store: an open store.
    ///   - options: threads and memory limit of every query.
    public init(store: Store, options: QueryOptions = QueryOptions()) {
        self.store = store
        self.engine = QueryEngine(store: store, options: options)
    }

    /// Runs every entry in order. A failing recipe never stops the others.
    /// - Parameter progress: called after each recipe (e.g. to print a line).
    public func build(_ entries: [RecipeCatalog.Entry], progress: (ChartOutcome) -> Void = { _ in }) -> Report {
        let start = ContinuousClock.now
        var outcomes: [ChartOutcome] = []
        for entry in entries {
            let outcome = run(entry)
            progress(outcome)
            outcomes.append(outcome)
        }
        let tables = store.tables.map { ($0.name, $0.rowCount) }.sorted { $0.0 < $1.0 }
        return Report(
            storePath: store.path, tables: tables, outcomes: outcomes, seconds: ReportBuilder.seconds(since: start))
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// Runs one recipe: checks its tables, runs its query, shapes and draws the chart.
    public func run(_ entry: RecipeCatalog.Entry) -> ChartOutcome {
        let recipe: Recipe
        switch entry {
        case .invalid(let name, let origin, let error, let text):
            return ChartOutcome(
                name: name, origin: origin, recipe: nil, status: .failed(error.description), table: nil, pivot: nil,
                seconds: 0, sqlText: text)
        case .recipe(let r):
            recipe = r
        }
        let start = ContinuousClock.now
        var outcome = ChartOutcome(
            name: recipe.name, origin: recipe.origin, recipe: recipe, status: .empty, table: nil, pivot: nil,
            seconds: 0, sqlText: recipe.sql)
        fill(&outcome, recipe)
        outcome.seconds = ReportBuilder.seconds(since: start)
        return outcome
    }

    /// Sets the status (and the table and pivot) of `outcome` by running `recipe`.
    func fill(_ outcome: inout ChartOutcome, _ recipe: Recipe) {
        let present = Set(store.tableNames.map { $0.lowercased() })
        let missing = recipe.tables.filter { !present.contains($0.lowercased()) }
        if !missing.isEmpty {
            outcome.status = .missingTables(missing)
            return
        }
        let table: ResultTable
        do {
            table = ResultTable(try engine.execute(recipe.sql))
        } catch let e as KuaiError {
            if let name = ReportBuilder.missingTable(e) {
                outcome.status = .missingTables([name])
            } else {
                outcome.status = .failed(ReportBuilder.describe(e, recipe))
            }
            return
        } catch {
            outcome.status = .failed("\(recipe.origin): \(error)")
            return
        }
        outcome.table = table
        guard table.rowCount > 0 else { return }
        do {
            let plan = try ChartData.plan(recipe, table)
            outcome.pivot = plan.pivot
            outcome.status = .drawn(plan.render(id: "chart-" + HTMLPage.anchor(recipe.name), title: recipe.title))
        } catch {
            outcome.status = .failed(
                "\(recipe.origin): the result does not fit a \(recipe.chart.rawValue) chart: \(error)")
        }
    }

    /// The table named by a binding error "table "x" not found", or nil for any other error.
    static func missingTable(_ e: KuaiError) -> String? {
        guard e.kind == .binding, e.message.hasPrefix("table \""),
            let close = e.message.dropFirst(7).firstIndex(of: "\""),
            e.message[close...].hasPrefix("\" not found")
        else { return nil }
        return String(e.message[e.message.index(e.message.startIndex, offsetBy: 7)..<close])
    }

    /// A query error placed in the recipe file: `origin:line:column: kind error: message`, then the
    /// line of SQL with a caret under the position.
    static func describe(_ e: KuaiError, _ recipe: Recipe) -> String {
        guard let location = e.location, let pos = sourcePosition(fromLocation: location) else {
            return recipe.origin + ": " + e.description
        }
        let line = pos.line + recipe.sqlFirstLine - 1
        return recipe.origin + ":" + String(line) + ":" + String(pos.column) + ": " + e.kind.rawValue + " error: "
            + e.message + "\n" + caretSnippet(sql: recipe.sql, position: pos)
    }
}
