import KuaiCore

/// min/max of any type. VARCHAR: the best string per group is a `StringView` into the input's
/// dictionary or heaps, which the state keeps alive (`owners`), compared by bytes
/// (`StringView.compare`, DuckDB's byte order); no Swift `String` or hash per row. The result
/// is a flat VARCHAR column. While every input batch is coded in one dictionary (a stored
/// column's), the state keeps the best code per group instead (4 bytes, not a 16-byte view),
/// compared by the dictionary's `sortRanks`, and the result stays dictionary-coded; another
/// dictionary or flat strings turn the codes into views (`leaveCodes`).
///
/// Integers (narrow): a group's best starts at `identity` (Int64.max for min, Int64.min for max),
/// and an update marks `seen` only for a value equal to it, so that a row touches one array, not
/// two: a group has a value when its best differs from `identity` or it is marked.
/// `settleSeen()` marks every such group before `seen` is read (merge, finalize, 128 bits).
final class MinMaxState: AggregateState {
    let type: DataType
    let isMax: Bool
    var ints: [Int64] = []
    var doubles: [Double] = []
    var seen: [UInt8] = []
    // VARCHAR: best string per group, and the owners of the bytes of those views.
    var views: [StringView] = []
    var owners: [StringOwner] = []
    /// How VARCHAR bests are kept: not yet known (no input), as codes of `codeDictionary`, or as views.
    enum StringForm { case undecided, codes, views }
    var stringForm = StringForm.undecided
    /// The dictionary of `codes` (form `.codes`; compared by its cached `sortRanks`) and the best
    /// code per group.
    var codeDictionary: StringDictionary?
    var codes: [Int32] = []
    /// HUGEINT beyond Int64: the best value per group in 128 bits (replaces `ints` from the first
    /// such input on; nil before).
    var wideBest: [Int128]?

    init(type: DataType, isMax: Bool) {
        self.type = type
        self.isMax = isMax
    }
    var acceptsWideInput: Bool { true }
    /// Integers only: DOUBLE keeps the sorted input's choice among values that compare equal.
    var ignoresInputOrder: Bool { type != .double && type != .varchar }
    func resize(_ groups: Int) {
        guard seen.count < groups else { return }
        let k = groups - seen.count
        seen.append(contentsOf: repeatElement(0, count: k))
        switch type {
        case .double: doubles.append(contentsOf: repeatElement(0, count: k))
        case .varchar where stringForm == .codes: codes.append(contentsOf: repeatElement(0, count: k))
        case .varchar: views.append(contentsOf: repeatElement(StringView(), count: k))
        default:
            ints.append(contentsOf: repeatElement(identity, count: k))
            if wideBest != nil { wideBest!.append(contentsOf: repeatElement(0, count: k)) }
        }
    }

    /// The start of every integer group's best: no value is better than it.
    var identity: Int64 { isMax ? .min : .max }

    /// Marks `seen` for every integer group whose best differs from `identity` (updates mark only
    /// the values equal to it), so that `seen` tells the groups with a value.
    func settleSeen() {
        guard type != .double && type != .varchar && wideBest == nil else { return }
        let identity = self.identity
        ints.withUnsafeBufferPointer { best in
            seen.withUnsafeMutableBufferPointer { seen in
                for g in 0..<min(best.count, seen.count) where best[g] != identity { seen[g] = 1 }
            }
        }
    }

    /// Switches the integer accumulators to 128 bits.
    func makeWide() {
        settleSeen()
        if wideBest == nil { wideBest = ints.map { Int128($0) } }
    }

    @inline(__always)
    func better(_ a: Int64, _ b: Int64) -> Bool { isMax ? a > b : a < b }

    /// DuckDB orders doubles with NaN above every number.
    @inline(__always)
    func betterDouble(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN { return isMax && !b.isNaN }
        if b.isNaN { return !isMax }
        return isMax ? a > b : a < b
    }

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        switch type {
        case .double:
            input.doubles.withUnsafeBufferPointer { xs in
                doubles.withUnsafeMutableBufferPointer { best in
                    seen.withUnsafeMutableBufferPointer { seen in
                        offerRows(xs, input.validity, ids, n, best, seen) { self.betterDouble($0, $1) }
                    }
                }
            }
        case .varchar:
            updateStrings(input, ids, n)
        default:
            if input.highs != nil || wideBest != nil { return updateWide(input, ids, n) }
            input.ints.withUnsafeBufferPointer { x in
                ints.withUnsafeMutableBufferPointer { best in
                    seen.withUnsafeMutableBufferPointer { seen in
                        if input.validity == nil && best.count == 1 && n > 0 {
                            // One group (no GROUP BY): a plain min / max of the batch.
                            let range = valueRange(x.baseAddress!, n, valid: nil)
                            let v = isMax ? range.hi : range.lo
                            if better(v, best[0]) { best[0] = v }
                            if v == identity { seen[0] = 1 }
                        } else if isMax {
                            offerInts(x, input.validity, ids, n, best, seen) { $0 > $1 }
                        } else {
                            offerInts(x, input.validity, ids, n, best, seen) { $0 < $1 }
                        }
                    }
                }
            }
        }
    }

    /// Offers each valid row's integer `xs[i]` to its group `ids[i]`, bests starting at
    /// `identity`: it replaces a worse best, and marks `seen` only when equal to `identity`.
    @inline(__always)
    private func offerInts(
        _ xs: UnsafeBufferPointer<Int64>, _ validity: [UInt8]?, _ ids: UnsafeBufferPointer<Int32>, _ n: Int,
        _ best: UnsafeMutableBufferPointer<Int64>, _ seen: UnsafeMutableBufferPointer<UInt8>,
        _ better: (Int64, Int64) -> Bool
    ) {
        let identity = self.identity
        @inline(__always) func offerValid<V: RowValidity>(_ valid: V) {
            for i in 0..<n where valid.isValid(i) {
                let g = Int(ids[i])
                let x = xs[i]
                if better(x, best[g]) { best[g] = x }
                if x == identity { seen[g] = 1 }
            }
        }
        if let validity {
            validity.withUnsafeBufferPointer { offerValid(ValidBytes(valid: $0.baseAddress!)) }
        } else {
            offerValid(NoNulls())
        }
    }

    /// Offers each valid row's value `xs[i]` to its group `ids[i]` (`offer(_:_:_:_:_:value:better:)`).
    @inline(__always)
    private func offerRows<T>(
        _ xs: UnsafeBufferPointer<T>, _ validity: [UInt8]?, _ ids: UnsafeBufferPointer<Int32>, _ n: Int,
        _ best: UnsafeMutableBufferPointer<T>, _ seen: UnsafeMutableBufferPointer<UInt8>, _ better: (T, T) -> Bool
    ) {
        offer(n, validity, ids, best, seen, value: { xs[$0] }, better: better)
    }

    /// Offers `value(i)` of each valid row i < n to its group `ids[i]`: it becomes the group's best
    /// when the group has none yet or `better(value, best)`.
    @inline(__always)
    private func offer<T>(
        _ n: Int, _ validity: [UInt8]?, _ ids: UnsafeBufferPointer<Int32>, _ best: UnsafeMutableBufferPointer<T>,
        _ seen: UnsafeMutableBufferPointer<UInt8>, value: (Int) -> T, better: (T, T) -> Bool
    ) {
        @inline(__always) func offerValid<V: RowValidity>(_ valid: V) {
            for i in 0..<n where valid.isValid(i) {
                let g = Int(ids[i])
                let x = value(i)
                if seen[g] == 0 || better(x, best[g]) {
                    best[g] = x
                    seen[g] = 1
                }
            }
        }
        if let validity {
            validity.withUnsafeBufferPointer { offerValid(ValidBytes(valid: $0.baseAddress!)) }
        } else {
            offerValid(NoNulls())
        }
    }

    /// VARCHAR in either form: each valid row's view offered to its group; the column's
    /// dictionary or heaps join `owners`.
    private func updateStrings(_ input: Column, _ ids: UnsafeBufferPointer<Int32>, _ n: Int) {
        if let d = input.dictionary, stringForm != .views {
            if stringForm == .undecided { enterCodes(d) }
            if codeDictionary === d {
                // Ranked per batch: a dictionary can grow between batches (a reader interning as it
                // goes); `sortRanks` is cached by the dictionary while it does not.
                d.sortRanks.withUnsafeBufferPointer { r in
                    input.codes.withUnsafeBufferPointer { x in
                        codes.withUnsafeMutableBufferPointer { best in
                            seen.withUnsafeMutableBufferPointer { seen in
                                if isMax {
                                    offerRows(x, input.validity, ids, n, best, seen) { r[Int($0)] > r[Int($1)] }
                                } else {
                                    offerRows(x, input.validity, ids, n, best, seen) { r[Int($0)] < r[Int($1)] }
                                }
                            }
                        }
                    }
                }
                return
            }
        }
        if stringForm == .codes { leaveCodes() }
        stringForm = .views
        if let d = input.dictionary {
            keepAlive([d])
            d.views.withUnsafeBufferPointer { dv in
                input.codes.withUnsafeBufferPointer { c in offerViews(n, input.validity, ids) { dv[Int(c[$0])] } }
            }
        } else {
            keepAlive(input.heaps)
            input.views.withUnsafeBufferPointer { v in offerViews(n, input.validity, ids) { v[$0] } }
        }
    }

    /// Offers `view(i)` of each valid row i < n to its group `ids[i]`.
    @inline(__always)
    private func offerViews(
        _ n: Int, _ validity: [UInt8]?, _ ids: UnsafeBufferPointer<Int32>, _ view: (Int) -> StringView
    ) {
        let sign = isMax ? 1 : -1
        views.withUnsafeMutableBufferPointer { best in
            seen.withUnsafeMutableBufferPointer { seen in
                offer(n, validity, ids, best, seen, value: view) { StringView.compare($0, $1) * sign > 0 }
            }
        }
    }

    /// Keeps VARCHAR bests as codes of `d` (no group has a best yet).
    private func enterCodes(_ d: StringDictionary) {
        stringForm = .codes
        codeDictionary = d
        codes = [Int32](repeating: 0, count: views.count)
        views = []
    }

    /// Turns the best codes into views of their dictionary, which joins `owners`.
    func leaveCodes() {
        guard stringForm == .codes, let d = codeDictionary else { return }
        keepAlive([d])
        let dv = d.views
        views = (0..<codes.count).map { seen[$0] != 0 ? dv[Int(codes[$0])] : StringView() }
        codes = []
        codeDictionary = nil
        stringForm = .views
    }

    /// Adds the owners not held yet (by identity; a stored column has one dictionary).
    private func keepAlive(_ more: [StringOwner]) {
        for o in more where !owners.contains(where: { $0 === o }) { owners.append(o) }
    }

    /// HUGEINT input beyond Int64 (or after it): 128-bit accumulators.
    /// Whether the wide value `v` replaces the best `b`: a larger (max) or smaller (min) value; for
    /// an INTERVAL (months and days in the high word) by DuckDB's comparison key
    /// (`IntervalValue.normalizedKey`), an equal one replacing it too, as DuckDB's min and max keep
    /// the last of equal intervals (`36:00:00` and `1 day 12:00:00`).
    @inline(__always)
    private func better(_ v: Int128, _ b: Int128) -> Bool {
        guard type == .interval else { return isMax ? v > b : v < b }
        func key(_ x: Int128) -> Int128 {
            IntervalValue(high: Int64(truncatingIfNeeded: x >> 64), micros: Int64(truncatingIfNeeded: x)).normalizedKey
        }
        return isMax ? key(v) >= key(b) : key(v) <= key(b)
    }

    private func updateWide(_ input: Column, _ ids: UnsafeBufferPointer<Int32>, _ n: Int) {
        makeWide()
        var wb = wideBest!
        wideBest = nil
        for i in 0..<n where input.isValid(i) {
            let g = Int(ids[i])
            let v = input.int128(at: i)
            if seen[g] == 0 || better(v, wb[g]) {
                wb[g] = v
                seen[g] = 1
            }
        }
        wideBest = wb
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! MinMaxState
        o.settleSeen()
        settleSeen()
        if type == .varchar {
            if o.stringForm == .undecided { return }  // no input: nothing to merge
            if o.stringForm == .codes && stringForm == .undecided, let d = o.codeDictionary { enterCodes(d) }
            if o.stringForm == .codes && stringForm == .codes, let d = codeDictionary, o.codeDictionary === d {
                d.sortRanks.withUnsafeBufferPointer { r in
                    for g in 0..<o.seen.count where o.seen[g] != 0 {
                        let (t, x) = (Int(mapping[g]), o.codes[g])
                        let y = codes[t]
                        if seen[t] == 0 || (isMax ? r[Int(x)] > r[Int(y)] : r[Int(x)] < r[Int(y)]) {
                            codes[t] = x
                            seen[t] = 1
                        }
                    }
                }
                return
            }
            o.leaveCodes()  // `other` is dropped after the merge
            leaveCodes()
            stringForm = .views
            keepAlive(o.owners)
        }
        if o.wideBest != nil || wideBest != nil {
            makeWide()
            for g in 0..<o.seen.count where o.seen[g] != 0 {
                let t = Int(mapping[g])
                let v = o.wideBest?[g] ?? Int128(o.ints[g])
                if seen[t] == 0 || better(v, wideBest![t]) {
                    wideBest![t] = v
                    seen[t] = 1
                }
            }
            return
        }
        // each seen group of `other` is offered to its group here, as an update offers a row
        let n = o.seen.count
        seen.withUnsafeMutableBufferPointer { ds in
            switch type {
            case .double:
                o.doubles.withUnsafeBufferPointer { src in
                    doubles.withUnsafeMutableBufferPointer { dst in
                        offerRows(src, o.seen, mapping, n, dst, ds) { self.betterDouble($0, $1) }
                    }
                }
            case .varchar:
                let sign: Int = isMax ? 1 : -1
                o.views.withUnsafeBufferPointer { src in
                    views.withUnsafeMutableBufferPointer { dst in
                        offerRows(src, o.seen, mapping, n, dst, ds) { StringView.compare($0, $1) * sign > 0 }
                    }
                }
            default:
                o.ints.withUnsafeBufferPointer { src in
                    ints.withUnsafeMutableBufferPointer { dst in
                        offerRows(src, o.seen, mapping, n, dst, ds) { self.better($0, $1) }
                    }
                }
            }
        }
    }

    func finalize(groups: Int) -> Column {
        resize(groups)
        settleSeen()
        let validity: [UInt8]? = seen.prefix(groups).contains(0) ? firstGroups(seen, groups) : nil
        switch type {
        case .double: return Column(doubles: firstGroups(doubles, groups), validity: validity)
        case .varchar where stringForm == .codes:
            return Column(codes: firstGroups(codes, groups), dictionary: codeDictionary!, validity: validity)
        case .varchar:
            return Column(views: firstGroups(views, groups), heaps: owners, validity: validity)
        default:
            if let wb = wideBest {
                var c = Column(hugeints: firstGroups(wb, groups), validity: validity)
                c.type = type
                return c
            }
            return Column(type: type, ints: firstGroups(ints, groups), validity: validity)
        }
    }
    func makeEmpty() -> AggregateState { MinMaxState(type: type, isMax: isMax) }
}

extension AggregateRegistry {
    /// min / max of any type (the argument's type).
    static func minOrMax(_ c: AggregateCall) -> AggregateFunction? {
        guard c.name == "min" || c.name == "max", let t = c.argumentType else { return nil }
        let isMax = c.name == "max"
        if !c.parameters.isEmpty { return topValues(c, t, isMax: isMax) }
        return AggregateFunction(name: c.name, argumentType: t, returnType: t) { at in
            MinMaxState(type: at, isMax: isMax)
        }
    }
}
