import Foundation

/// Paths of the repository, found from this source file's location (tests read fixtures and the
/// corpus from the source tree; no bundle resources).
public enum RepoPaths {
    /// The repository root (two levels above Tests/KuaiTestSupport/).
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The differential corpus: Tests/KuaiEndToEndTests/Corpus (*.slt, known-failures.txt).
    public static let corpus = root.appendingPathComponent("Tests/KuaiEndToEndTests/Corpus")
    /// Real KuaiLive rows: Tests/Fixtures/seed-sample (eight CSVs, a few rows each).
    public static let seedSample = root.appendingPathComponent("Tests/Fixtures/seed-sample")
    /// Hand-written rows with NULLs, quotes and dangling keys: Tests/Fixtures/edge.
    public static let edge = root.appendingPathComponent("Tests/Fixtures/edge")
    /// The built-in sample: Samples/kuailive-mini (30,362 rows).
    public static let mini = root.appendingPathComponent("Samples/kuailive-mini")
    /// The eight KuaiLive tables, in the order kuai-convert writes them.
    public static let kuaiLiveTables = ["user", "streamer", "room", "click", "comment", "like", "gift", "negative"]
}
