/// kuai-query's command-line options: what its swift-argument-parser command (`KuaiQuery` in
/// Sources/kuai-query/main.swift) declares, by the same names and with the same defaults.
///
/// `plain(_:)` reads the common command lines without swift-argument-parser, whose first parse builds
/// the command's argument set by reflection (~2 ms of every kuai-query process, measured with
/// `perf record` over repeated runs: `Mirror`, type lookups by mangled name and protocol conformance
/// scans over the static executable). Anything else goes to swift-argument-parser, which gives
/// `--help`, `--version` and every usage error their usual text.
public struct CommandLineOptions {
    public var store: String?
    public var format: String?
    public var maxRows: Int?
    public var maxWidth: Int?
    public var noHeader = false
    public var memoryLimit: String?
    public var tempDirectory: String?
    public var file: String?
    public var commands: [String] = []
    public var threads: Int?
    public var timer = false
    public var sql: String?

    public init() {}

    /// The options of `arguments` (the command line without the program name, after `ArgumentCheck`)
    /// when every one is plain: an option of kuai-query followed by its value as a separate argument
    /// (a value that is not empty and does not start with `-`), a flag, at most one SQL argument (not
    /// empty), and after `--` only the SQL. Each option and flag at most once, except `-c`.
    /// - Returns: nil for anything else (`--help`, `--version`, `--name=value`, an option given twice,
    ///   an unknown option, a missing value, a second SQL argument): swift-argument-parser then reads
    ///   the command line.
    public static func plain(_ arguments: [String]) -> CommandLineOptions? {
        var options = CommandLineOptions()
        var seen: [String] = []
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            i += 1
            if arg == "--" {
                guard i + 1 == arguments.count, options.sql == nil else { return nil }
                options.sql = arguments[i]
                return options
            }
            if !arg.hasPrefix("-") {
                guard options.sql == nil, !arg.isEmpty else { return nil }
                options.sql = arg
                continue
            }
            if arg != "-c" {
                guard !seen.contains(arg) else { return nil }
                seen.append(arg)
            }
            switch arg {
            case "--no-header": options.noHeader = true
            case "--timer": options.timer = true
            default:
                // -c takes its value as it is, as swift-argument-parser's unconditional value does
                // (SQL may begin with a `-- comment` line).
                guard i < arguments.count, !arguments[i].isEmpty, arg == "-c" || !arguments[i].hasPrefix("-"),
                    options.set(arg, arguments[i])
                else {
                    return nil
                }
                i += 1
            }
        }
        return options
    }

    /// Sets the option `name` to `value`; false for an unknown option or a number that does not parse.
    private mutating func set(_ name: String, _ value: String) -> Bool {
        switch name {
        case "--store": store = value
        case "--format": format = value
        case "--memory-limit": memoryLimit = value
        case "--temp-directory": tempDirectory = value
        case "-f": file = value
        case "-c": commands.append(value)
        case "--max-rows", "--max-width", "--threads":
            guard let n = Int(value) else { return false }
            if name == "--max-rows" {
                maxRows = n
            } else if name == "--max-width" {
                maxWidth = n
            } else {
                threads = n
            }
        default: return false
        }
        return true
    }
}
