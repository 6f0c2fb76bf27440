#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What kuai-query needs to know about its terminal.
public enum Terminal {
    /// True when `fd` is a terminal.
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) != 0 }

    /// Columns of the terminal on `fd` (TIOCGWINSZ), or nil when it is not a terminal or says 0.
    public static func columns(_ fd: Int32) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Lines of the terminal on `fd` (TIOCGWINSZ), or nil when it is not a terminal or says 0.
    public static func lines(_ fd: Int32) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 else { return nil }
        return Int(size.ws_row)
    }

    /// Rows a box table shows on a terminal of `lines` lines: DuckDB's 40, or fewer when the window
    /// is shorter, so that the header, the footer and the next prompt stay in view (a table with
    /// hidden rows takes 9 lines besides its rows), and never fewer than 10.
    public static func boxRows(lines: Int?) -> Int {
        guard let lines else { return 40 }
        return min(40, max(10, lines - 10))
    }

    /// True when `fd` is a terminal that shows ANSI colours: `TERM` is set and not `dumb`, and
    /// `NO_COLOR` (no-color.org) is not set.
    public static func hasColors(_ fd: Int32) -> Bool {
        guard isTerminal(fd) else { return false }
        if getenv("NO_COLOR") != nil { return false }
        guard let term = getenv("TERM").map({ String(cString: $0) }), !term.isEmpty, term != "dumb" else {
            return false
        }
        return true
    }

    /// Writes all of `bytes` to `fd` (retrying after EINTR); false when the write failed.
    @discardableResult
    public static func write(_ fd: Int32, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var off = 0
        while off < bytes.count {
            let n = Glibc.write(fd, base + off, bytes.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            off += n
        }
        return true
    }

    /// Writes `text` to `fd`.
    @discardableResult
    public static func write(_ fd: Int32, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { write(fd, $0) }
    }
}
