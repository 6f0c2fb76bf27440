import ArgumentParser
import KuaiCore

#if canImport(Glibc)
    import Glibc
    private let processExit = Glibc.exit
#elseif canImport(Darwin)
    import Darwin
    private let processExit = Darwin.exit
#endif

/// What kuai-convert, kuai-query and kuai-report do alike with their command lines.
extension ParsableCommand {
    /// When `arguments` (the command line without the program name) ask for
    /// `--generate-completion-script SHELL`, writes this command's script for SHELL without the `help`
    /// subcommand (`CompletionScript`) and exits 0; otherwise returns.
    public static func answerCompletionRequest(in arguments: [String]) {
        guard arguments.contains("--generate-completion-script") else { return }
        let command = configuration.commandName ?? String(describing: Self.self)
        CompletionScript.answerRequest(in: arguments, command: command) {
            CompletionShell(rawValue: $0).map(completionScript(for:))
        }
    }

    /// The command parsed from `arguments`. `--help` and `--version` print their text to standard output
    /// and exit 0; any other parse error's full message goes to `fail` (usage errors exit 2).
    public static func parse(_ arguments: [String], orFail fail: (String) -> Never) -> Self {
        do {
            return try parse(arguments)
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                processExit(0)
            }
            fail(fullMessage(for: error))
        }
    }
}
