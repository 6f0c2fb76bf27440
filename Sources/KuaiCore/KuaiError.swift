/// The one error type of kuai's libraries: a kind, a message in the user's terms, and a place.
///
/// Libraries throw it; only executables print it (`description`) and map it to an exit code.
/// - `location` examples: `"click.csv:1204:3"` (file:line:column, 1-based), `"click/user_id.col@8192"`
///   (column file and byte offset), `"query:1:27"` (line:column in the query text, 1-based).
public struct KuaiError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What stage failed; also selects the exit code of the executables.
    public enum Kind: String, Sendable {
        /// Malformed CSV input (ingest).
        case csv
        /// A valid file that kuai cannot read, e.g. a newer format version.
        case format
        /// Bytes that disagree with the format: bad checksum, truncated file, impossible length.
        case corrupt
        /// The query text does not parse.
        case syntax
        /// Names or types in the query do not resolve.
        case binding
        /// A runtime error while rows flow: division by zero in `//`, overflow, memory limit.
        case execution
        /// The operating system refused: missing file, permission, disk full.
        case io
        /// A command-line usage error.
        case usage
    }

    public let kind: Kind
    public let message: String
    public let location: String?

    public init(_ kind: Kind, _ message: String, at location: String? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
    }

    /// `"<location>: <kind> error: <message>"`, or without the location when there is none.
    public var description: String {
        if let location { return "\(location): \(kind.rawValue) error: \(message)" }
        return "\(kind.rawValue) error: \(message)"
    }
}
