import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

// glibc declares these only for _XOPEN_SOURCE, which the Glibc module does not set.
@_silgen_name("posix_openpt") private func cPosixOpenpt(_ flags: Int32) -> Int32
@_silgen_name("grantpt") private func cGrantpt(_ fd: Int32) -> Int32
@_silgen_name("unlockpt") private func cUnlockpt(_ fd: Int32) -> Int32
@_silgen_name("ptsname") private func cPtsname(_ fd: Int32) -> UnsafeMutablePointer<CChar>?

/// A program run on a pseudo-terminal of a given size, as a user at a terminal runs it: the
/// terminal is its standard input, output and error and its controlling terminal (a new session),
/// so isatty() is true, TIOCGWINSZ gives the size and Ctrl-C (byte 3) sends SIGINT.
final class PTYSession {
    let master: Int32
    let pid: pid_t
    private(set) var output: [UInt8] = []
    private var exited: (status: Int32, maxRSSKiB: Int)? = nil

    /// Starts `exe` with `args` on a new terminal of `columns` x `rows`.
    init(_ exe: String, _ args: [String], env: [String: String] = [:], columns: Int = 80, rows: Int = 50) throws {
        let m = cPosixOpenpt(O_RDWR | O_NOCTTY)
        try #require(m >= 0 && cGrantpt(m) == 0 && cUnlockpt(m) == 0, "no pseudo-terminal")
        master = m
        let slavePath = String(cString: try #require(cPtsname(m)))
        // the size must be set before the program asks for it
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        let slave = open(slavePath, O_RDWR | O_NOCTTY)
        _ = ioctl(slave, UInt(TIOCSWINSZ), &size)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        // POSIX_SPAWN_SETSID (a new session...), SETSIGMASK and SETSIGDEF: no signal blocked or
        // ignored by the test runner is inherited
        posix_spawnattr_setflags(&attr, Int16(0x80 | 0x08 | 0x04))
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGQUIT, SIGTSTP, SIGPIPE] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        // ...whose first terminal opened becomes its controlling terminal
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        posix_spawn_file_actions_addclose(&actions, m)
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "KUAI_STORE")
        environment["TERM"] = "xterm-256color"
        for (k, v) in env { environment[k] = v }
        let argv = ([exe] + args).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        var child: pid_t = 0
        let rc = posix_spawn(&child, exe, &actions, &attr, argv, envp)
        for p in argv + envp { free(p) }
        posix_spawn_file_actions_destroy(&actions)
        posix_spawnattr_destroy(&attr)
        close(slave)
        try #require(rc == 0, "posix_spawn \(exe): \(rc)")
        pid = child
    }

    deinit {
        if exited == nil {
            kill(pid, SIGKILL)
            _ = wait(timeout: 5)
        }
        close(master)
    }

    /// Waits until the program edits a line itself (the terminal out of canonical mode, as libedit
    /// sets it while it reads a line): what is typed before then is read by the terminal's own line
    /// discipline (echoed twice, and Ctrl-D lost), which a person typing after the prompt never sees.
    @discardableResult
    func waitForLineEditing(timeout: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        var t = termios()
        while Date() < deadline {
            if tcgetattr(master, &t) == 0 && (t.c_lflag & tcflag_t(ICANON)) == 0 { return true }
            pump(milliseconds: 5)
        }
        return false
    }

    /// Types `text` (bytes as a user types them; "\u{3}" is Ctrl-C, "\u{4}" Ctrl-D).
    func send(_ text: String) {
        var bytes = Array(text.utf8)
        _ = Glibc.write(master, &bytes, bytes.count)
    }

    /// Reads what the program writes until `done(all output so far)` or `timeout` seconds.
    /// - Returns: whether `done` became true.
    @discardableResult
    func read(until done: (String) -> Bool, timeout: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if done(text) { return true }
            if !pump(milliseconds: 50) {
                // the terminal is closed: the program has ended
                _ = wait(timeout: 5)
                return done(text)
            }
        }
        return done(text)
    }

    /// All output so far, as text.
    var text: String { String(decoding: output, as: UTF8.self) }

    /// Reads available output for up to `milliseconds`; false when the terminal is closed.
    @discardableResult
    func pump(milliseconds: Int32) -> Bool {
        var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, milliseconds) > 0 else { return true }
        var buf = [UInt8](repeating: 0, count: 65536)
        let n = Glibc.read(master, &buf, buf.count)
        if n <= 0 { return false }  // EIO: every slave descriptor is closed
        output.append(contentsOf: buf[0..<n])
        return true
    }

    /// Waits for the program to end, reading its output meanwhile.
    /// - Returns: the exit status (128 + signal when killed) and its peak resident memory in KiB
    ///   (getrusage's ru_maxrss), or nil after `timeout` seconds.
    func wait(timeout: Double = 60) -> (status: Int32, maxRSSKiB: Int)? {
        if let exited { return exited }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var status: Int32 = 0
            var usage = rusage()
            let r = wait4(pid, &status, WNOHANG, &usage)
            if r == pid {
                while pump(milliseconds: 20) && hasPendingOutput() {}
                let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                exited = (code, Int(usage.ru_maxrss))
                return exited
            }
            pump(milliseconds: 20)
        }
        return nil
    }

    func hasPendingOutput() -> Bool {
        var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) > 0 && (p.revents & Int16(POLLIN)) != 0
    }
}

/// Display width of `s` for the tests: 2 for CJK ideographs, Hangul, kana and fullwidth forms and
/// emoji, 1 otherwise (the characters the tests print).
func testDisplayWidth(_ s: Substring) -> Int {
    s.unicodeScalars.reduce(0) { w, u in
        let v = u.value
        let wide =
            (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFF00...0xFF60).contains(v) || (0x1F300...0x1FAFF).contains(v)
        return w + (wide ? 2 : 1)
    }
}
