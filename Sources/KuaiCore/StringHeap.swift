/// An append-only arena of string bytes that `StringView`s longer than 12 bytes point into.
///
/// Bytes are copied into chunks that never move and are freed together when the heap is freed, so
/// a view stays valid while any `Column` that lists the heap in `Column.heaps` is alive. Chunks
/// start at 16 KiB and double up to 1 MiB; a string longer than the chunk size gets a chunk of its
/// own. Appending is not thread-safe (one builder owns a heap while it fills it); reading views
/// into a finished heap is safe from any thread.
public final class StringHeap: @unchecked Sendable {
    private var chunks: [UnsafeMutableRawPointer] = []
    private var cursor: UnsafeMutableRawPointer? = nil
    private var left = 0
    private var nextChunkSize = 16 << 10
    /// Bytes held in chunks (capacity, not only the bytes used).
    public private(set) var allocatedBytes = 0

    public init() {}

    deinit {
        for c in chunks { c.deallocate() }
    }

    /// Copies `count` bytes from `bytes` into the heap and returns where they now live.
    @inlinable
    public func store(_ bytes: UnsafeRawPointer, count: Int) -> UnsafePointer<UInt8> {
        let p = reserve(count)
        p.copyMemory(from: bytes, byteCount: count)
        return UnsafePointer(p.assumingMemoryBound(to: UInt8.self))
    }

    /// `count` uninitialised bytes that the caller fills before making a view of them.
    @usableFromInline
    func reserve(_ count: Int) -> UnsafeMutableRawPointer {
        if count > left { grow(count) }
        let p = cursor!
        cursor = p + count
        left -= count
        return p
    }

    /// `count` writable bytes in the heap (for kernels that produce a string in place, e.g. concat);
    /// the caller writes exactly `count` bytes and then builds the view with
    /// `StringView(bytes:count:)`.
    @inlinable
    public func allocate(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        reserve(count).assumingMemoryBound(to: UInt8.self)
    }

    private func grow(_ atLeast: Int) {
        let size = max(atLeast, nextChunkSize)
        nextChunkSize = min(nextChunkSize * 2, 1 << 20)
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 8)
        chunks.append(chunk)
        allocatedBytes += size
        cursor = chunk
        left = size
    }
}

/// An object that keeps the bytes of some `StringView`s alive: a `StringHeap`, or any other owner
/// (a mapped column file, a dictionary) registered with a column through `Column.heaps`.
public typealias StringOwner = AnyObject & Sendable

/// Builds a flat VARCHAR column row by row from bytes: the values go to a fresh `StringHeap`
/// (only strings longer than 12 bytes use it) and the result holds that heap.
///
/// Shape: one `append` or `appendNull` per row; `finish()` returns a column of that many rows.
public struct StringVectorBuilder {
    public var views: [StringView]
    public var validity: [UInt8]?
    public let heap = StringHeap()

    public init(capacity: Int = 0) {
        views = []
        views.reserveCapacity(capacity)
        validity = nil
    }

    public var count: Int { views.count }

    /// Appends the `count` bytes at `bytes` (copied when longer than 12 bytes).
    @inlinable
    public mutating func append(_ bytes: UnsafePointer<UInt8>, count: Int) {
        if count <= StringView.inlineLimit {
            views.append(StringView(bytes: bytes, count: count))
        } else {
            views.append(StringView(bytes: heap.store(bytes, count: count), count: count))
        }
        if validity != nil { validity!.append(1) }
    }

    /// Appends a view whose bytes are already owned by this builder's heap or inline.
    @inlinable
    public mutating func appendOwned(_ view: StringView) {
        views.append(view)
        if validity != nil { validity!.append(1) }
    }

    /// Appends the UTF-8 bytes of `s`.
    public mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { append($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: $0.count) }
    }

    /// Appends a NULL row.
    public mutating func appendNull() {
        if validity == nil { validity = [UInt8](repeating: 1, count: views.count) }
        views.append(StringView())
        validity!.append(0)
    }

    /// The finished column (a flat VARCHAR column owning the builder's heap).
    public func finish() -> Column {
        Column(views: views, heaps: [heap], validity: validity)
    }
}
