import AWSCore
import APIGatewaySink
import AsyncHTTPClient
import Logging
import RouterCore
import RouterTestSupport

/// Builds an `apigw` sink pointing at a fake server, and runs requests through a pipeline.
enum SinkHarness {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    static let credentials = StaticCredentialProvider(AWSCredentials(accessKeyID: "AKIATEST", secretAccessKey: "secret"))

    /// One client for the tests, with a pool as wide as the widest window used here.
    static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 256
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The process's AWS client as the sink gets it: the shared pool and a static key.
    static let aws = AWSClient(httpClient: httpClient, credentials: credentials, endpoints: AWSEndpoints(environment: [:]))

    static func sink(_ url: String, options: String = "", retry: RetryPolicy = .jitter(base: .milliseconds(2), cap: .milliseconds(20))) throws -> APIGatewaySink {
        let region = options.contains("region:") ? "" : "region: us-east-1\n"
        let configuration = try ConfigFixture.configuration(APIGatewaySinkConfiguration.self, "endpoint: \(url)\n" + region + options)
        return try APIGatewaySink(configuration: configuration, aws: aws, region: "us-east-1", retry: retry)
    }

    static func connections(_ ids: [String]) -> [Connection] {
        ids.enumerated().map { Connection(userID: "user\($0.offset % 10)", connectionID: $0.element) }
    }
}
