// swift-tools-version:6.0
// kuai: a columnar store and SQL query CLI for the KuaiLive dataset.
// Target graph (dependencies point one way only): see README.md "Architecture".
import PackageDescription

/// Release builds on Linux make fully static executables (`-static-executable`: the Swift runtime,
/// Foundation, liblz4.a and glibc linked in, no dynamic loader at start). kuai-query is started
/// once per query, and start-up is part of every query's time: measured on a release build,
/// `kuai-query --help` takes 4.6 ms static against 7.5 ms with `-static-stdlib` and 13.9 ms with
/// shared libraries. The flag goes to the compile of every target too, so that `import Foundation`
/// picks the static modules (lib/swift_static), whose autolink entries name the libraries static
/// Foundation needs. Debug builds (and so the tests) link dynamically, which links faster.
let staticCompile: [SwiftSetting] = [
    .unsafeFlags(["-static-executable"], .when(platforms: [.linux], configuration: .release))
]
/// The engine's targets (per-row loops over class-held buffers) skip the runtime exclusivity check
/// of every access to a class's stored property in release builds (`swift_beginAccess` and its
/// access set were 3% of a high-cardinality GROUP BY); debug builds and the tests keep the check.
let engineCompile: [SwiftSetting] =
    staticCompile + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
let staticLink: [LinkerSetting] = [
    .unsafeFlags(["-static-executable"], .when(platforms: [.linux], configuration: .release))
]

let package = Package(
    name: "kuai",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "kuai-convert", targets: ["kuai-convert"]),
        .executable(name: "kuai-query", targets: ["kuai-query"]),
        .executable(name: "kuai-report", targets: ["kuai-report"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        // Regular expressions (regexp_* functions, SIMILAR TO): PCRE2's C API, with the options that
        // bring it closest to DuckDB's RE2 (Formats/query-language.md "Regular expressions").
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
        // The static release executables also need what `pkg-config --libs --static libedit` adds
        // (libedit-dev depends on libbsd-dev and libncurses-dev; libbsd needs libmd).
        .target(
            name: "CLineEdit", dependencies: ["CEdit"],
            linkerSettings: [
                .linkedLibrary("bsd", .when(platforms: [.linux], configuration: .release)),
                .linkedLibrary("md", .when(platforms: [.linux], configuration: .release)),
                .linkedLibrary("tinfo", .when(platforms: [.linux], configuration: .release)),
            ]),
        .target(name: "KuaiCore", dependencies: ["CPrefetch"], swiftSettings: engineCompile),
        .target(name: "KuaiFormat", dependencies: ["KuaiCore", "CLZ4", "CVector"], swiftSettings: staticCompile),
        .target(
            name: "KuaiParquet", dependencies: ["KuaiCore", "CLZ4", "CZstd", "CSnappy", "CZlib"],
            swiftSettings: staticCompile),
        .target(
            name: "KuaiIngest", dependencies: ["KuaiCore", "KuaiFormat", "KuaiParquet"], swiftSettings: staticCompile),
        .target(name: "KuaiSQL", dependencies: ["KuaiCore"], swiftSettings: staticCompile),
        .target(name: "CPrefetch"),
        // Vector kernels (bit unpacking, selections) for AVX2 and AVX-512, chosen at run time.
        .target(name: "CVector"),
        // C's printf conversions of a DOUBLE (%e %f %g %a), for SQL printf() and format().
        .target(name: "CNumberFormat"),
        .target(
            name: "KuaiExec", dependencies: ["KuaiCore", "CPCRE2", "CPrefetch", "CNumberFormat", "CVector"],
            swiftSettings: engineCompile),
        .target(name: "KuaiOutput", dependencies: ["KuaiCore", "KuaiExec"], swiftSettings: engineCompile),
        .target(
            name: "KuaiPlan",
            dependencies: ["KuaiCore", "KuaiSQL", "KuaiExec", "KuaiFormat", "KuaiIngest", "KuaiOutput", "KuaiParquet"],
            swiftSettings: staticCompile),
        .target(name: "KuaiChart", swiftSettings: staticCompile),
        .target(
            name: "KuaiReport",
            dependencies: ["KuaiCore", "KuaiSQL", "KuaiExec", "KuaiFormat", "KuaiPlan", "KuaiChart"],
            resources: [.embedInCode("Recipes")],  // the built-in recipes, compiled into the binary
            swiftSettings: staticCompile),
        // What the three executables share about their command lines (swift-argument-parser).
        .target(
            name: "KuaiCommandLine",
            dependencies: ["KuaiCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: staticCompile),
        .executableTarget(
            name: "kuai-convert",
            dependencies: [
                "KuaiCore", "KuaiFormat", "KuaiIngest", "KuaiCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ], swiftSettings: staticCompile, linkerSettings: staticLink),
        .target(
            name: "KuaiShell",
            dependencies: ["KuaiCore", "KuaiExec", "KuaiSQL", "KuaiPlan", "KuaiOutput", "CLineEdit"],
            swiftSettings: staticCompile),
        .executableTarget(
            name: "kuai-query",
            dependencies: [
                "KuaiCore", "KuaiExec", "KuaiFormat", "KuaiPlan", "KuaiOutput", "KuaiShell", "KuaiCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ], swiftSettings: staticCompile, linkerSettings: staticLink),
        .executableTarget(
            name: "kuai-report",
            dependencies: [
                "KuaiCore", "KuaiFormat", "KuaiPlan", "KuaiReport", "KuaiCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ], swiftSettings: staticCompile, linkerSettings: staticLink),
        // What the test targets share (SplitMix64, TempDir, the kuai-convert/kuai-query/kuai-report
        // runner, the corpus reader and the bench queries, column and row literals): a regular
        // library that only test targets depend on; no product includes it.
        .target(name: "KuaiTestSupport", dependencies: ["KuaiCore"], path: "Tests/KuaiTestSupport"),
        .testTarget(name: "KuaiCoreTests", dependencies: ["KuaiCore", "KuaiTestSupport"]),
        .testTarget(name: "KuaiFormatTests", dependencies: ["KuaiCore", "KuaiFormat", "KuaiTestSupport"]),
        .testTarget(
            name: "KuaiIngestTests", dependencies: ["KuaiCore", "KuaiFormat", "KuaiIngest", "KuaiTestSupport"]),
        .testTarget(
            name: "KuaiParquetTests",
            dependencies: ["KuaiCore", "KuaiParquet", "KuaiFormat", "KuaiIngest", "KuaiTestSupport"]),
        .testTarget(name: "KuaiSQLTests", dependencies: ["KuaiCore", "KuaiSQL", "KuaiTestSupport"]),
        .testTarget(name: "KuaiChartTests", dependencies: ["KuaiChart", "KuaiTestSupport"]),
        .testTarget(
            name: "KuaiReportTests",
            dependencies: ["KuaiCore", "KuaiFormat", "KuaiIngest", "KuaiChart", "KuaiReport", "KuaiTestSupport"],
            exclude: ["Expected"]),  // DuckDB's answers, read from the source tree
        .testTarget(name: "KuaiExecTests", dependencies: ["KuaiCore", "KuaiExec", "KuaiTestSupport"]),
        .testTarget(
            name: "KuaiOutputTests",
            dependencies: ["KuaiCore", "KuaiExec", "KuaiOutput", "KuaiPlan", "KuaiTestSupport"],
            exclude: ["Cases"]),
        .testTarget(
            name: "KuaiPlanTests", dependencies: ["KuaiCore", "KuaiSQL", "KuaiExec", "KuaiPlan", "KuaiTestSupport"]),
        .testTarget(
            name: "KuaiEndToEndTests",
            dependencies: ["KuaiCore", "KuaiFormat", "KuaiIngest", "KuaiPlan", "KuaiShell", "KuaiTestSupport"],
            // .slt files and the notebook's expected answers are read from the source tree (RepoPaths)
            exclude: ["Corpus", "Notebook", "Metamorphic"]),
    ]
)
