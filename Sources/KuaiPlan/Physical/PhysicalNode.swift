import KuaiCore
import KuaiExec

/// A planned subtree: its top operator, a morsel source (still parallel per block) or a pull operator,
/// and the planned inputs below it. EXPLAIN prints this tree (`explainLines`); the operators run it.
struct PhysicalNode {
    enum Form {
        case morsel(MorselSource)
        case pull(PhysicalOperator)
    }

    let form: Form
    /// The inputs, each with the label EXPLAIN writes before its first line (`build: `).
    let inputs: [(label: String, node: PhysicalNode)]

    init(_ form: Form, inputs: [PhysicalNode] = [], labels: [String] = []) {
        self.form = form
        self.inputs = inputs.enumerated().map { (i, n) in (i < labels.count ? labels[i] : "", n) }
    }

    static func morsel(_ m: MorselSource, _ inputs: PhysicalNode...) -> PhysicalNode {
        PhysicalNode(.morsel(m), inputs: inputs)
    }

    static func pull(_ o: PhysicalOperator, _ inputs: PhysicalNode...) -> PhysicalNode {
        PhysicalNode(.pull(o), inputs: inputs)
    }

    /// The operator's one-line description (`Scan t columns=[...]`, `HashJoin INNER ...`).
    var line: String {
        switch form {
        case .morsel(let m): return m.explainLine
        case .pull(let o): return o.explainLine
        }
    }

    /// EXPLAIN text: one operator per line, inputs indented by two spaces under their operator.
    func explainLines(indent: String = "", label: String = "") -> [String] {
        [indent + label + line] + inputs.flatMap { $0.node.explainLines(indent: indent + "  ", label: $0.label) }
    }
}
