import KuaiCore

/// The strings of one VARCHAR operand, row by row, in either physical form, for string kernels.
///
/// A column operand gives one view per row: a flat column its own views; a dictionary column its
/// dictionary's views gathered by code (16 bytes a row; the views point into the dictionary,
/// which `owners` keeps alive). A constant gives one view and `step` 0, so kernels read row `i`
/// as `views[i &* step]` with one loop for columns and constants. Views under NULL rows are
/// empty strings (never garbage), so a kernel may run over every row and mask NULLs afterwards.
struct StringArg {
    /// One view per row (`step` 1) or a single view (`step` 0).
    let views: [StringView]
    /// 1 for a column, 0 for a constant.
    let step: Int
    /// The column's validity (nil: every row valid; always nil for constants).
    let validity: [UInt8]?
    /// True for a NULL constant (then `views` is one empty view).
    let isNullConstant: Bool
    /// Whatever keeps the bytes of long views alive (heaps, dictionaries).
    let owners: [StringOwner]

    /// - Parameters:
    ///   - op: a VARCHAR operand (a constant is `.string` or NULL).
    ///   - count: rows of the batch (used to check the column's shape).
    init(_ op: Operand) {
        switch op {
        case .scalar(let v):
            step = 0
            validity = nil
            if case .string(let s) = v {
                let heap = StringHeap()
                var s = s
                let view = s.withUTF8 { b -> StringView in
                    guard let p = b.baseAddress, b.count > 0 else { return StringView() }
                    return StringView(bytes: heap.store(p, count: b.count), count: b.count)
                }
                views = [view]
                owners = [heap]
                isNullConstant = false
            } else {
                views = [StringView()]
                owners = []
                isNullConstant = true
            }
        case .column(let c):
            step = 1
            isNullConstant = false
            validity = c.type == .null ? [UInt8](repeating: 0, count: c.count) : c.validity
            if c.type != .varchar {
                views = [StringView](repeating: StringView(), count: c.count)
                owners = []
            } else if let d = c.dictionary {
                views = StringArg.gatherViews(c, d)
                owners = [d]
            } else {
                views = StringArg.maskedViews(c)
                owners = c.heaps
            }
        }
    }

    /// True when row `i` is NULL.
    @inline(__always)
    func isNull(_ i: Int) -> Bool {
        if isNullConstant { return true }
        guard let v = validity else { return false }
        return v[i] == 0
    }

    /// A dictionary column's views by code (NULL rows: the empty string).
    static func gatherViews(_ c: Column, _ d: StringDictionary) -> [StringView] {
        let dv = d.views
        let n = c.count
        return c.codes.withUnsafeBufferPointer { codes in
            dv.withUnsafeBufferPointer { v in
                [StringView](unsafeUninitializedCapacity: n) { out, filled in
                    if let valid = c.validity {
                        for i in 0..<n { out[i] = valid[i] != 0 ? v[Int(codes[i])] : StringView() }
                    } else {
                        for i in 0..<n { out[i] = v[Int(codes[i])] }
                    }
                    filled = n
                }
            }
        }
    }

    /// A flat column's views with NULL rows set to the empty string.
    static func maskedViews(_ c: Column) -> [StringView] {
        guard let valid = c.validity else { return c.views }
        var out = c.views
        for i in 0..<c.count where valid[i] == 0 { out[i] = StringView() }
        return out
    }
}

/// Building flat VARCHAR results in place: kernels write each row's bytes straight into an inline
/// view (at most 12 bytes) or into the result's `StringHeap`, never through a Swift `String`.
enum FlatStrings {
    /// A view of `count` bytes written by `fill` (exactly `count` bytes): inline when short, else
    /// into `heap`.
    @inline(__always)
    static func make(_ heap: StringHeap, count: Int, _ fill: (UnsafeMutablePointer<UInt8>) -> Void) -> StringView {
        if count <= StringView.inlineLimit {
            var v = StringView()
            v.length = UInt32(truncatingIfNeeded: count)
            if count > 0 {
                withUnsafeMutableBytes(of: &v) { raw in
                    fill(raw.baseAddress!.advanced(by: 4).assumingMemoryBound(to: UInt8.self))
                }
            }
            return v
        }
        let p = heap.allocate(count)
        fill(p)
        return StringView(bytes: p, count: count)
    }

    /// A view of the `count` bytes at `bytes`: inline when short, else copied into `heap`.
    @inline(__always)
    static func copy(_ heap: StringHeap, _ bytes: UnsafePointer<UInt8>, count: Int) -> StringView {
        if count <= StringView.inlineLimit { return StringView(bytes: bytes, count: count) }
        return make(heap, count: count) { $0.update(from: bytes, count: count) }
    }

    /// A flat column of `n` rows whose views `body` writes (every row starts as the empty
    /// string; rows that `validity` makes NULL end as the empty string whatever `body` wrote);
    /// the column owns `heap` and `extraOwners` (inputs whose views are passed through).
    static func build(
        _ n: Int, validity: [UInt8]?, extraOwners: [StringOwner] = [],
        _ body: (UnsafeMutableBufferPointer<StringView>, StringHeap) throws -> Void
    ) rethrows -> Column {
        let heap = StringHeap()
        var views = [StringView](repeating: StringView(), count: n)
        try views.withUnsafeMutableBufferPointer { v in
            try body(v, heap)
            // Views under NULL rows are empty strings (see `StringArg`).
            if let validity { for i in 0..<n where validity[i] == 0 { v[i] = StringView() } }
        }
        let owners: [StringOwner] = heap.allocatedBytes > 0 ? [heap] + extraOwners : extraOwners
        return Column(views: views, heaps: owners, validity: validity)
    }
}

extension Operand {
    /// The operand as a column of `count` rows (constants broadcast; VARCHAR constants as a
    /// one-entry dictionary).
    func column(type: DataType, count: Int) -> Column {
        switch self {
        case .column(let c): return c
        case .scalar(let v): return Column.broadcast(v, type: type, count: count)
        }
    }
}

extension StringView {
    /// Bytes `from..<to` of the view (`0 <= from <= to <= count`) as a view of their own: inline
    /// when at most 12 bytes, else pointing into this view's bytes (keep their owner alive).
    ///
    /// Kernels cut a result out of an input with this after measuring the range inside
    /// `withBytes`, instead of building the view inside the `withBytes` closure: that closure is
    /// compiled as a throwing function (`withBytes` rethrows), and the Swift 6.3 optimiser can
    /// end it in a tail call to `memcpy` (the inline copy of `StringView(bytes:count:)`) that skips
    /// restoring the error register, so a non-throwing kernel appeared to throw a garbage error
    /// (release builds only: `rtrim(a0, a1)` over the combination table crashed in swift_release).
    @inline(__always)
    func slice(_ from: Int, _ to: Int) -> StringView {
        let count = to - from
        if !isInline {
            return StringView(bytes: UnsafePointer<UInt8>(bitPattern: UInt(tail))! + from, count: count)
        }
        var out = StringView()
        out.length = UInt32(truncatingIfNeeded: count)
        if count > 0 {
            withUnsafeBytes(of: self) { src in
                withUnsafeMutableBytes(of: &out) { dst in
                    dst.baseAddress!.advanced(by: 4).copyMemory(
                        from: src.baseAddress!.advanced(by: 4 + from), byteCount: count)
                }
            }
        }
        return out
    }
}
