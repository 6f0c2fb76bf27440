import KuaiCore
import KuaiExec

/// Moves a SEMI or ANTI join (from `IN (subquery)`, `[NOT] EXISTS`, `SEMI JOIN` / `ANTI JOIN`) below
/// the INNER, CROSS or LEFT join under it when its probe keys read the columns of one input of that
/// join only (for a LEFT join, the preserved left input): `(A ⋈ B) ⋉ R = (A ⋉ R) ⋈ B`. A semi or anti
/// join keeps or drops each row of its input by the row's key values alone and never repeats one, so
/// filtering A's rows before the join gives the same rows, in the same multiplicities, as filtering the
/// joined rows after it; and a semi join's output is its input's columns, so the join above keeps its
/// keys and column positions. The rows then meet the semi join before they are multiplied by the join,
/// and a smaller input is what the join builds its hash table on (analysts' "events in rooms of the
/// chosen streamers": clicks filtered by a streamer list, then joined to 11.8M rooms).
/// Applied repeatedly, so a semi join sinks through a chain of joins to the input it filters. Runs
/// after `JoinConditionPushdown` (which turns the semi join's condition into keys); a semi join with a
/// residual condition stays where it is.
struct SemiJoinPushdown: OptimizerRule {
    var name: String { "SemiJoinPushdown" }

    func apply(_ plan: LogicalPlan) -> LogicalPlan {
        plan.transformedUp { node in
            guard case .join(let l, let r, let type, let lk, let rk, nil) = node, type == .semi || type == .anti,
                !lk.isEmpty
            else { return node }
            return Self.sunk(l, r, type, lk, rk) ?? node
        }
    }

    /// `l ⋉ r` (keys `lk` = `rk`) moved into the input of the join `l` whose columns its keys read, or nil
    /// when `l` is no such join (or the keys read both inputs, or the null-padded input of a LEFT join).
    static func sunk(_ l: LogicalPlan, _ r: LogicalPlan, _ type: JoinType, _ lk: [Int], _ rk: [Int]) -> LogicalPlan? {
        guard case .join(let a, let b, let jt, let jlk, let jrk, let jres) = l,
            jt == .inner || jt == .cross || jt == .left
        else { return nil }
        let aw = a.schema.count
        func semi(_ x: LogicalPlan, _ keys: [Int]) -> LogicalPlan {
            sunk(x, r, type, keys, rk) ?? .join(x, r, type: type, leftKeys: keys, rightKeys: rk, residual: nil)
        }
        if lk.allSatisfy({ $0 < aw }) {
            return .join(semi(a, lk), b, type: jt, leftKeys: jlk, rightKeys: jrk, residual: jres)
        }
        if jt != .left, lk.allSatisfy({ $0 >= aw }) {
            return .join(a, semi(b, lk.map { $0 - aw }), type: jt, leftKeys: jlk, rightKeys: jrk, residual: jres)
        }
        return nil
    }
}
