import KuaiCore

/// Checks kuai-query's command line before swift-argument-parser reads it, for the mistakes the
/// parser would misread:
///
/// - A single-dash word such as `-noheader` (DuckDB's CLI spelling) is read by the parser as the
///   short flags `-n -o -h ...`, and `-h` prints the help and exits 0. Any single-dash word longer
///   than one letter is a usage error here, with the kuai spelling when there is one
///   (`-noheader` -> `--no-header`, `-csv` -> `--format csv`).
/// - A negative number after a numeric option (`--threads -3`) reads as an option, and the parser
///   says "Missing value". Numeric options are checked here: a whole number of at least 1.
/// - A query that starts with `-` and holds white space (a `-- comment` first line) would look like
///   an option: `--` is inserted before it.
///
/// The option lists are arrays, searched in turn: a dozen names, and a `Set<String>` built at
/// start-up costs a process some 0.1 ms (the Swift runtime's first look-up of `String: Hashable`).
public struct ArgumentCheck {
    /// Long options and short options that take a value (`--store`, `-f`, ...).
    public var valueOptions: [String]
    /// Options whose value must be a whole number >= 1.
    public var numericOptions: [String]
    /// Every long option, for suggestions (`--no-header`, ...).
    public var longOptions: [String]
    /// Output formats, for `-csv` -> `--format csv`.
    public var formats: [String]

    public init(valueOptions: [String], numericOptions: [String], longOptions: [String], formats: [String]) {
        self.valueOptions = valueOptions
        self.numericOptions = numericOptions
        self.longOptions = longOptions
        self.formats = formats
    }

    /// The arguments to hand to the parser.
    /// - Throws: `KuaiError.usage` for a single-dash word or a bad number.
    public func check(_ arguments: [String]) throws -> [String] {
        var args = arguments
        var i = 0
        while i < args.count {
            let arg = args[i]
            if arg == "--" { break }
            if arg.hasPrefix("-") && arg.contains(where: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
                args.insert("--", at: i)  // a query starting with a comment
                break
            }
            if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
                try checkNumber(String(arg[..<eq]), String(arg[arg.index(after: eq)...]))
            } else if valueOptions.contains(arg) {
                if i + 1 < args.count { try checkNumber(arg, args[i + 1]) }
                i += 1
            } else if arg.hasPrefix("-") && !arg.hasPrefix("--") && arg.count > 2 && Double(arg) == nil {
                throw KuaiError(.usage, singleDashMessage(arg))
            }
            i += 1
        }
        return args
    }

    func checkNumber(_ option: String, _ value: String) throws {
        guard numericOptions.contains(option) else { return }
        guard let n = Int(value), n >= 1 else {
            throw KuaiError(.usage, "\(option) takes a whole number of at least 1 (got \"\(value)\")")
        }
    }

    func singleDashMessage(_ arg: String) -> String {
        let word = String(arg.dropFirst()).lowercased()
        var message = "unknown option \"\(arg)\" (kuai-query's options start with two dashes"
        if formats.contains(word) {
            message += "; did you mean --format \(word)?"
        } else if let long = longOptions.first(where: {
            $0.dropFirst(2).filter { $0 != "-" } == word.filter { $0 != "-" }
        }) {
            message += "; did you mean \(long)?"
        }
        return message + ")"
    }
}
