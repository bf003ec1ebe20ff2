// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every target: Swift 6 language mode is the tools default;
/// these make existential and import use explicit.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "notification-router",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "notification-router", targets: ["notification-router"]),
        .library(name: "RouterCore", targets: ["RouterCore"]),
        .library(name: "AWSCore", targets: ["AWSCore"]),
        .library(name: "SNSSource", targets: ["SNSSource"]),
        .library(name: "SQSSource", targets: ["SQSSource"]),
        .library(name: "APIGatewaySink", targets: ["APIGatewaySink"]),
        .library(name: "DynamoStore", targets: ["DynamoStore"]),
        .library(name: "LocalGateway", targets: ["LocalGateway"]),
        .library(name: "LambdaRuntime", targets: ["LambdaRuntime"]),
        .library(name: "RouterApp", targets: ["RouterApp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Without the default traits: "FullFoundation" links Foundation and its 34 MB of ICU
        // data into the binary, and "ConfigurationSupport" swift-configuration; neither is used.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.36.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "RouterCore",
            dependencies: [
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Router",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AWSCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/AWS-Core",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SNSSource",
            dependencies: [
                "RouterCore", "AWSCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/Sources-SNS",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SQSSource",
            dependencies: [
                "RouterCore", "AWSCore", "SNSSource",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Sources-SQS",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "APIGatewaySink",
            dependencies: [
                "RouterCore", "AWSCore", .product(name: "Metrics", package: "swift-metrics"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/Sinks-APIGW",
            swiftSettings: swiftSettings
        ),
        .target(name: "DynamoStore", dependencies: ["RouterCore", "AWSCore"], path: "Sources/Stores-Dynamo", swiftSettings: swiftSettings),
        .target(
            name: "LocalGateway",
            dependencies: [
                "RouterCore", "AWSCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Gateway-Local",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LambdaRuntime",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/Runtime-Lambda",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RouterApp",
            dependencies: [
                "RouterCore", "AWSCore", "SNSSource", "SQSSource", "APIGatewaySink", "DynamoStore", "LocalGateway", "LambdaRuntime",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/App",
            swiftSettings: swiftSettings
        ),
        // Binds hypot and hypotf to their pre-2.35 glibc versions, so that the Lambda package
        // loads on provided.al2023 (glibc 2.34); see Sources/GlibcCompat/compat.c.
        .target(name: "GlibcCompat", path: "Sources/GlibcCompat"),
        .executableTarget(
            name: "notification-router",
            dependencies: [
                "RouterApp", "GlibcCompat",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Sources/notification-router",
            swiftSettings: swiftSettings,
            // --no-export-dynamic undoes the static standard library's -export-dynamic: the
            // binary's 47,000 symbols in its dynamic table were 4 MB that nothing looks up.
            linkerSettings: [
                .unsafeFlags(["-Xlinker", "--wrap=hypot", "-Xlinker", "--wrap=hypotf", "-Xlinker", "--no-export-dynamic"], .when(platforms: [.linux]))
            ]
        ),
        .executableTarget(
            name: "custom-stage-example",
            dependencies: ["RouterApp", "RouterCore", .product(name: "Logging", package: "swift-log")],
            path: "Examples/CustomStage",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "custom-source-example",
            dependencies: ["RouterApp", .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Examples/CustomSource",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "router-bench",
            dependencies: [
                "RouterCore", "AWSCore", "DynamoStore", "APIGatewaySink",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Benchmarks/RouterBench",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RouterTestSupport",
            dependencies: [
                "RouterCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/Support",
            exclude: ["Scripts"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RouterCoreTests",
            dependencies: ["RouterCore", "RouterTestSupport", .product(name: "MetricsTestKit", package: "swift-metrics")],
            path: "Tests/RouterCoreTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AWSCoreTests",
            dependencies: [
                "AWSCore", "RouterTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/AWSCoreTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "SNSSourceTests", dependencies: ["SNSSource", "RouterTestSupport"], path: "Tests/SNSSourceTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "SQSSourceTests",
            dependencies: [
                "SQSSource", "RouterTestSupport", .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/SQSSourceTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "APIGatewaySinkTests",
            dependencies: ["APIGatewaySink", "RouterTestSupport", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Tests/APIGatewaySinkTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DynamoStoreTests",
            dependencies: [
                "DynamoStore", "RouterTestSupport", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/DynamoStoreTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LocalGatewayTests",
            dependencies: [
                "LocalGateway", "APIGatewaySink", "AWSCore", "RouterTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/LocalGatewayTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RouterAppTests",
            dependencies: [
                "RouterApp", "RouterTestSupport", "LambdaRuntime",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/RouterAppTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LambdaRuntimeTests",
            dependencies: ["LambdaRuntime", "RouterTestSupport", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Tests/LambdaRuntimeTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "RouterTestSupport", "DynamoStore", "APIGatewaySink",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/EndToEndTests",
            swiftSettings: swiftSettings
        ),
    ]
)
