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
        .systemLibrary(name: "CEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .target(name: "CLineEdit", dependencies: ["CEdit"]),
        .target(name: "KuaiCore", swiftSettings: staticCompile),
        .target(name: "KuaiFormat", dependencies: ["KuaiCore", "CLZ4"], swiftSettings: staticCompile),
        .target(name: "KuaiIngest", dependencies: ["KuaiCore", "KuaiFormat"], swiftSettings: staticCompile),
        .target(name: "KuaiSQL", dependencies: ["KuaiCore"], swiftSettings: staticCompile),
        .target(name: "KuaiExec", dependencies: ["KuaiCore"], swiftSettings: staticCompile),
        .target(name: "KuaiOutput", dependencies: ["KuaiCore", "KuaiExec"], swiftSettings: staticCompile),
        .target(
            name: "KuaiPlan",
            dependencies: ["KuaiCore", "KuaiSQL", "KuaiExec", "KuaiFormat", "KuaiIngest", "KuaiOutput"],
            swiftSettings: staticCompile),
        .target(name: "KuaiChart", swiftSettings: staticCompile),
        .target(
            name: "KuaiReport",
            dependencies: ["KuaiCore", "KuaiSQL", "KuaiExec", "KuaiFormat", "KuaiPlan", "KuaiChart"],
            swiftSettings: staticCompile),
        .executableTarget(
            name: "kuai-convert",
            dependencies: [
                "KuaiCore", "KuaiFormat", "KuaiIngest",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ], swiftSettings: staticCompile, linkerSettings: staticLink),
        .target(
            name: "KuaiShell",
            dependencies: ["KuaiCore", "KuaiExec", "KuaiSQL", "KuaiPlan", "KuaiOutput", "CLineEdit"],
            swiftSettings: staticCompile),
        .executableTarget(
            name: "kuai-query",
            dependencies: [
                "KuaiCore", "KuaiFormat", "KuaiPlan", "KuaiOutput", "KuaiShell",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ], swiftSettings: staticCompile, linkerSettings: staticLink),
        .executableTarget(
            name: "kuai-report",
            dependencies: [
                "KuaiCore", "KuaiFormat", "KuaiPlan", "KuaiReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ], swiftSettings: staticCompile, linkerSettings: staticLink),
        .testTarget(name: "KuaiCoreTests", dependencies: ["KuaiCore"]),
        .testTarget(name: "KuaiFormatTests", dependencies: ["KuaiCore", "KuaiFormat"]),
        .testTarget(name: "KuaiIngestTests", dependencies: ["KuaiCore", "KuaiFormat", "KuaiIngest"]),
        .testTarget(name: "KuaiSQLTests", dependencies: ["KuaiCore", "KuaiSQL"]),
        .testTarget(name: "KuaiChartTests", dependencies: ["KuaiChart"]),
        .testTarget(
            name: "KuaiReportTests",
            dependencies: ["KuaiCore", "KuaiFormat", "KuaiIngest", "KuaiChart", "KuaiReport"],
            exclude: ["Expected"]),  // DuckDB's answers, read from the source tree
        .testTarget(name: "KuaiExecTests", dependencies: ["KuaiCore", "KuaiExec"]),
        .testTarget(
            name: "KuaiOutputTests", dependencies: ["KuaiCore", "KuaiExec", "KuaiOutput", "KuaiPlan"],
            exclude: ["Cases"]),
        .testTarget(
            name: "KuaiEndToEndTests", dependencies: ["KuaiCore", "KuaiFormat", "KuaiIngest", "KuaiPlan"],
            exclude: ["Corpus"]),  // .slt files are read from the source tree (CorpusSupport.swift)
    ]
)
