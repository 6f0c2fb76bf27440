import KuaiCore

/// Whether row `i` is not NULL. Row loops are generic over it, so that each form of validity gets
/// its own specialised loop (for `NoNulls` the test folds away).
protocol RowValidity {
    func isValid(_ i: Int) -> Bool
}

/// Every row is valid.
struct NoNulls: RowValidity {
    @inline(__always) func isValid(_ i: Int) -> Bool { true }
}

/// Validity bytes as columns keep them (`valid[i] != 0`: row i is valid).
struct ValidBytes: RowValidity {
    let valid: UnsafePointer<UInt8>
    @inline(__always) func isValid(_ i: Int) -> Bool { valid[i] != 0 }
}

/// NULL bytes as key words come with them (`nulls[i] != 0`: row i is NULL).
struct NullBytes: RowValidity {
    let nulls: UnsafePointer<UInt8>
    @inline(__always) func isValid(_ i: Int) -> Bool { nulls[i] == 0 }
}
