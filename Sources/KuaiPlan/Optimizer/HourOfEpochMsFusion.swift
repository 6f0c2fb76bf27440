import KuaiCore
import KuaiExec

/// `hour(epoch_ms(ms))` over integer milliseconds is one fused integer kernel (`hour_of_epoch_ms`)
/// instead of building a TIMESTAMP and taking its hour; `hour(epoch_ms(ms + k))` with a BIGINT constant
/// k (the China-time shift of the benchmark's hour-of-day query) folds the addition into the same loop
/// (`hour_of_epoch_ms_plus`). Runs after `ConstantFolding`, so `k` may be written as an expression.
struct HourOfEpochMsFusion: OptimizerRule {
    var name: String { "HourOfEpochMsFusion" }

    func apply(_ plan: LogicalPlan) -> LogicalPlan {
        plan.mapAllExpressions { $0.transformed(Self.fuse) }
    }

    /// The fused call for `hour(epoch_ms(...))`; any other node unchanged.
    static func fuse(_ e: BoundExpr) -> BoundExpr {
        guard case .function(let hour, let args) = e.kind, hour.name == "hour", args.count == 1,
            case .function(let epoch, let inner) = args[0].kind, epoch.name == "epoch_ms", inner.count == 1,
            inner[0].type.isInteger,
            let fused = FunctionRegistry.resolve("hour_of_epoch_ms", [inner[0].type])
        else { return e }
        if case .arithmetic(.add, let x, let y) = inner[0].kind, inner[0].type == .bigint,
            let plus = FunctionRegistry.resolve("hour_of_epoch_ms_plus", [.bigint, .bigint])
        {
            let (col, k) = y.constantValue != nil ? (x, y) : (y, x)
            if case .int(let shift)? = k.constantValue, col.type.isInteger, col.constantValue == nil {
                let ms = col.type == .bigint ? col : BoundExpr(.cast(col, isTry: false), type: .bigint, name: col.name)
                let args = [ms, BoundExpr.constant(.int(shift), type: .bigint)]
                return BoundExpr(.function(plus, args), type: .bigint, name: e.name)
            }
        }
        let ms = inner[0]
        let a =
            ms.type == fused.parameters[0]
            ? ms : BoundExpr(.cast(ms, isTry: false), type: fused.parameters[0], name: ms.name)
        return BoundExpr(.function(fused, [a]), type: fused.returnType, name: e.name)
    }
}
