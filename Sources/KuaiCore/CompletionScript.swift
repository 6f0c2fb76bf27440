#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Shell completion scripts without the `help` subcommand.
///
/// swift-argument-parser's completion generators add a `help` subcommand to every command (a
/// workaround in its ToolInfoV0), even to a command without subcommands such as kuai-query, whose
/// positional argument is SQL: `kuai-query help` would run `help` as a query (and `kuai-convert help`
/// convert a source named `help`). This removes the `help` subcommand's parts from the generated
/// bash, zsh and fish scripts (the `--help` flag stays). Used by every kuai executable.
public enum CompletionScript {
    /// When `arguments` (the command line without the program name) hold `--generate-completion-script
    /// SHELL` and `generate` makes a script for SHELL's name, writes that script without the `help`
    /// subcommand to standard output and exits 0; otherwise returns.
    public static func answerRequest(
        in arguments: [String], command: String, generate: (String) -> String?
    ) {
        guard let i = arguments.firstIndex(of: "--generate-completion-script"), i + 1 < arguments.count,
            let script = generate(arguments[i + 1])
        else { return }
        StandardStreams.write(1, withoutHelpSubcommand(script, shell: arguments[i + 1], command: command) + "\n")
        exit(0)
    }

    /// `script` (generated for `command` in `shell`: "bash", "zsh" or "fish") without the `help`
    /// subcommand; other shells' scripts are returned unchanged.
    public static func withoutHelpSubcommand(_ script: String, shell: String, command: String) -> String {
        var lines = script.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        removeFunction("_\(command)_help() {", from: &lines)
        switch shell {
        case "bash":
            removeBlock(
                from: { $0.contains("# Offer subcommand / subcommand argument completions") }, to: "    esac",
                in: &lines)
        case "zsh":
            lines.removeAll { ["'(-): :->command'", "'(-)*:: :->arg'"].contains($0.trimmingSpaces()) }
            removeBlock(from: { $0 == "    case \"${state}\" in" }, to: "    esac", in: &lines)
        case "fish":
            removeBlock(from: { $0 == "        switch $unparsed_tokens[1]" }, to: "        end", in: &lines)
            lines.removeAll { $0.contains("-fa 'help'") || $0.contains("\"\(command) help\"") }
        default:
            break
        }
        return lines.joined(separator: "\n")
    }

    /// Removes the lines from the first one matching `start` through the next line equal to `end`.
    static func removeBlock(from start: (String) -> Bool, to end: String, in lines: inout [String]) {
        guard let i = lines.firstIndex(where: start), let j = lines[i...].firstIndex(of: end) else { return }
        lines.removeSubrange(i...j)
    }

    /// Removes a shell function (its first line through the next `}` line) and one blank line after it.
    static func removeFunction(_ header: String, from lines: inout [String]) {
        guard let i = lines.firstIndex(of: header), var j = lines[i...].firstIndex(of: "}") else { return }
        if j + 1 < lines.count && lines[j + 1].isEmpty { j += 1 }
        lines.removeSubrange(i...j)
    }
}
