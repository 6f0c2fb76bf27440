// swift-tools-version:6.0
// kuai: a columnar store and SQL query CLI for the KuaiLive dataset.
// Target graph (dependencies point one way only): see README.md "Architecture".
import PackageDescription


let package = Package(
    name: "kuai",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "kuai-convert", targets: ["kuai-convert"]),
        .executable(name: "kuai-query", targets: ["kuai-query"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .target(name: "KuaiCore"),
        .target(name: "KuaiFormat", dependencies: ["KuaiCore", "CLZ4"]),
        .target(name: "KuaiIngest", dependencies: ["KuaiCore", "KuaiFormat"]),
        .target(name: "KuaiSQL", dependencies: ["KuaiCore"]),
        .target(name: "KuaiExec", dependencies: ["KuaiCore"]),
        .target(name: "KuaiPlan", dependencies: ["KuaiCore", "KuaiSQL", "KuaiExec", "KuaiFormat"]),
        .executableTarget(name: "kuai-convert", dependencies: [
            "KuaiCore", "KuaiFormat", "KuaiIngest",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "kuai-query", dependencies: [
            "KuaiCore", "KuaiFormat", "KuaiPlan",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "KuaiFormatTests", dependencies: ["KuaiCore", "KuaiFormat"]),
        .testTarget(name: "KuaiIngestTests", dependencies: ["KuaiCore", "KuaiFormat", "KuaiIngest"]),
        .testTarget(name: "KuaiSQLTests", dependencies: ["KuaiCore", "KuaiSQL"]),
        .testTarget(name: "KuaiExecTests", dependencies: ["KuaiCore", "KuaiExec"]),
        .testTarget(name: "KuaiEndToEndTests", dependencies: ["KuaiCore", "KuaiFormat", "KuaiIngest", "KuaiPlan"],
                    exclude: ["Corpus"]),  // .slt files are read from the source tree (CorpusSupport.swift)
    ]
)
