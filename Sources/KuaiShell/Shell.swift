import CLineEdit
import KuaiCore
import KuaiExec
import KuaiFormat
import KuaiSQL

#if canImport(Glibc)
    import Glibc
#endif

/// kuai-query's interactive shell (no query given, standard input a terminal), as DuckDB's CLI:
/// line editing and history through libedit (history in ~/.kuai_history), statements over several
/// lines until a `;` ends them (prompt `D `, then `· `), dot commands (`.help`), Ctrl-C cancels the
/// line being typed or the running query and keeps the shell, Ctrl-D or `.quit` leaves it.
public final class InteractiveShell {
    let runner: ScriptRunner
    let storeName: String
    var quit = false

    public init(runner: ScriptRunner, storeName: String) {
        self.runner = runner
        self.storeName = storeName
    }

    /// Runs the shell until end of input or `.quit`.
    /// - Returns: the exit status (0).
    public func run() -> Int32 {
        let history = getenv("HOME").map { String(cString: $0) + "/.kuai_history" }
        guard let editor = kuai_editor_open("kuai-query", history) else {
            Terminal.write(2, "kuai-query: cannot start line editing on this terminal\n")
            return 1
        }
        defer { kuai_editor_close(editor) }
        InteractiveShell.catchInterrupts()
        Terminal.write(1, "\(FormatConstants.toolVersion), store \(storeName)\nEnter \".help\" for usage hints.\n")
        var buffer = ""
        while !quit {
            kuai_editor_set_prompt(editor, buffer.isEmpty ? "D " : "· ")
            var cancelled: Int32 = 0
            guard let raw = kuai_editor_gets(editor, &cancelled) else { break }
            if cancelled != 0 {
                Terminal.write(1, "\n")
                buffer = ""
                continue
            }
            let line = String(cString: raw)
            QueryControl.reset()  // a Ctrl-C that stopped the last statement is spent
            if buffer.isEmpty && line.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix(".") {
                let command = line.trimmed
                kuai_editor_add_history(editor, command)
                quit = !runner.runDotCommand(command)
                continue
            }
            buffer += line
            if buffer.trimmed.isEmpty {
                buffer = ""
                continue
            }
            guard SQLScript.isComplete(buffer) else { continue }
            let statement = buffer.trimmed
            buffer = ""
            kuai_editor_add_history(editor, statement)
            runScript(statement, source: "shell")
        }
        if !quit { Terminal.write(1, "\n") }
        return 0
    }

    /// Runs statements, printing a failure without leaving the shell.
    func runScript(_ text: String, source: String) {
        do {
            try runner.run(text, source: source)
        } catch let f as ScriptFailure {
            // "\r": over the "^C" the terminal echoed
            Terminal.write(2, (f.error.message == "Interrupted" ? "\rInterrupted" : f.message) + "\n")
        } catch {
            Terminal.write(2, "\(error)\n")
        }
    }

    /// SIGINT (Ctrl-C while a query runs: line editing turns the terminal's interrupt key off, so
    /// Ctrl-C there cancels the line instead) stops the running query, not the shell.
    static func catchInterrupts() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in QueryControl.interrupt() }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)  // in case the parent blocked it
    }
}

extension String {
    /// Without leading and trailing white space (spaces, tabs, line ends).
    var trimmed: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }
}
