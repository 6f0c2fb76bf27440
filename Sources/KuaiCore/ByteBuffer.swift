/// A growable byte buffer in raw memory, for building text without reference counting per byte
/// (a Swift Array retains and checks uniqueness on each append): the result writers' cells and
/// pieces, and the rows of `format` / `printf`. A value type that owns its memory: the owner calls
/// `free()` once.
///
/// The per-byte methods are `@inlinable` (the writers call them in their cell loops from other
/// modules). Two ways to add bytes: `append` writes at `end` without a capacity check (after `reserve`, in
/// the writers' per-cell loops), `write` reserves first.
public struct ByteBuffer {
    public private(set) var base: UnsafeMutablePointer<UInt8>
    public private(set) var capacity: Int
    /// Bytes in use; callers that wrote at `end` themselves advance it.
    public var count = 0

    public init(capacity: Int = 256) {
        self.capacity = Swift.max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    /// Frees the memory (once, by the owner).
    public func free() { base.deallocate() }

    /// Makes room for `n` more bytes.
    @inlinable @inline(__always)
    public mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    /// Grows to at least `needed` bytes (doubling).
    @usableFromInline
    mutating func grow(_ needed: Int) {
        let c = Swift.max(needed, capacity * 2)
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        b.update(from: base, count: count)
        base.deallocate()
        base = b
        capacity = c
    }

    /// The next free byte (after `reserve`).
    @inlinable @inline(__always)
    public var end: UnsafeMutablePointer<UInt8> { base + count }

    @inlinable
    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    @inlinable
    public var first: UInt8? { count > 0 ? base[0] : nil }

    /// Appends a byte; the room must be reserved.
    @inlinable @inline(__always)
    public mutating func append(_ b: UInt8) {
        base[count] = b
        count += 1
    }

    /// Appends `n` bytes at `p`; the room must be reserved.
    @inlinable @inline(__always)
    public mutating func append(_ p: UnsafePointer<UInt8>, _ n: Int) {
        (base + count).update(from: p, count: n)
        count += n
    }

    /// Appends a byte, growing as needed.
    @inlinable @inline(__always)
    public mutating func write(_ b: UInt8) {
        reserve(1)
        append(b)
    }

    /// Appends `b`, growing as needed.
    @inlinable
    public mutating func write(_ b: UnsafeBufferPointer<UInt8>) {
        guard let p = b.baseAddress, b.count > 0 else { return }
        reserve(b.count)
        append(p, b.count)
    }

    /// Appends `n` copies of `b`, growing as needed.
    @inlinable
    public mutating func write(repeating b: UInt8, count n: Int) {
        guard n > 0 else { return }
        reserve(n)
        (base + count).update(repeating: b, count: n)
        count += n
    }

    @inlinable
    public mutating func removeAll() { count = 0 }

    public mutating func removeFirst() {
        base.update(from: base + 1, count: count - 1)
        count -= 1
    }

    /// Reverses the bytes in use.
    public mutating func reverse() {
        var i = 0
        var j = count - 1
        while i < j {
            let t = base[i]
            base[i] = base[j]
            base[j] = t
            i += 1
            j -= 1
        }
    }

    public func contains(_ test: (UInt8) -> Bool) -> Bool {
        for i in 0..<count where test(base[i]) { return true }
        return false
    }

    /// Inserts `separator` every three bytes (from the right) of the first `run` bytes (digit
    /// grouping: `1234567` -> `1,234,567`).
    public mutating func groupLeading(_ run: Int, separator: UInt8) {
        guard run > 3 else { return }
        let extra = (run - 1) / 3
        reserve(extra)
        (base + run + extra).update(from: base + run, count: count - run)
        var dst = run + extra - 1
        var written = 0
        for src in stride(from: run - 1, through: 0, by: -1) {
            base[dst] = base[src]
            dst -= 1
            written += 1
            if written % 3 == 0 && src > 0 {
                base[dst] = separator
                dst -= 1
            }
        }
        count += extra
    }
}
