import KuaiCore
import Testing

@testable import KuaiExec

/// StringInterner over dictionary columns: a few codes of a large dictionary (hashed row by row)
/// and many codes (through a code map) give the codes of the same strings, NULL rows included.
@Suite struct StringInternerTests {
    /// 20,000 strings, short (inline) and long (heap), so that 100 rows are sparse against it.
    let source = StringDictionary(
        (0..<20_000).map { $0 % 3 == 0 ? "long-string-value-number-\($0)" : "s\($0)" })

    /// Rows: codes spread over the dictionary, every 10th row NULL with an out-of-range code.
    func rows(_ n: Int) -> (codes: [Int32], validity: [UInt8]) {
        let codes = (0..<n).map { $0 % 10 == 9 ? Int32(-7) : Int32(($0 * 7919) % 20_000) }
        return (codes, (0..<n).map { $0 % 10 == 9 ? 0 : 1 })
    }

    @Test(arguments: [100, 30_000]) func internGivesTheCodesOfTheSameStrings(rowCount: Int) {
        let (codes, validity) = rows(rowCount)
        let interner = StringInterner()
        interner.target.intern("s1")  // the target is not empty at the start
        var out = [Int32](repeating: 0, count: rowCount)
        codes.withUnsafeBufferPointer { c in
            validity.withUnsafeBufferPointer { v in
                out.withUnsafeMutableBufferPointer { interner.intern(c, dictionary: source, validity: v, into: $0) }
            }
        }
        for i in 0..<rowCount {
            if validity[i] == 0 {
                #expect(out[i] == 0)
            } else {
                #expect(interner.target[out[i]] == source[codes[i]])
            }
        }
        // lookup: every valid row is known now; a NULL row and an unknown string give -1
        let probe = codes + [Int32(19_999)]
        let probeValidity = validity + [1]
        var found = [Int32](repeating: 0, count: probe.count)
        let known = interner.target.code(of: source[19_999]) ?? -1
        probe.withUnsafeBufferPointer { c in
            probeValidity.withUnsafeBufferPointer { v in
                found.withUnsafeMutableBufferPointer { interner.lookup(c, dictionary: source, validity: v, into: $0) }
            }
        }
        for i in 0..<rowCount { #expect(found[i] == (validity[i] == 0 ? -1 : out[i])) }
        #expect(found[rowCount] == known)
    }
}
