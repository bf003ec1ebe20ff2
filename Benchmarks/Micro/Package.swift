// swift-tools-version:6.1
import PackageDescription
import class Foundation.NSString

/// The router's package, two folders up; SwiftPM names a path dependency after its folder.
let router = (((#filePath as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
let routerIdentity = (router as NSString).lastPathComponent

// Micro-benchmarks of the post path (ordo-one/benchmark): CPU time and allocations per
// operation. A package of its own, so that the router's build and CI do not pay for it.
//
//   scripts/bench-micro.sh          (runs them and writes docs/benchmarks.md's section)
//   swift package --package-path Benchmarks/Micro benchmark
let package = Package(
    name: "notification-router-micro",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: router),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "HotPath",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "AWSCore", package: routerIdentity),
                .product(name: "DynamoStore", package: routerIdentity),
                .product(name: "RouterCore", package: routerIdentity),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/HotPath",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
