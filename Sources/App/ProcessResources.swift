import APIGatewaySink
import AWSCore
import AsyncHTTPClient
import Metrics
import RouterCore

/// What a process builds once and every component shares (DESIGN §9): one HTTP client (one
/// keep-alive pool, sized for the widest sink), the cached AWS credential chain, the region
/// and endpoints. Handed to plugins through ``RouterCore/PluginContext``.
public struct ProcessResources: Sendable {
    public let httpClient: HTTPClient
    public let aws: AWSAccess

    /// - Parameters:
    ///   - maxInFlight: connections the pool keeps per host (at least 16);
    ///   - fallbackCredentials: used when the default chain finds none (dev mode, where the
    ///     local gateway ignores signatures);
    ///   - fallbackRegion: used when no region is configured (dev mode).
    public init(environment: [String: String], maxInFlight: Int = 64, fallbackCredentials: AWSCredentials? = nil, fallbackRegion: String? = nil) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(maxInFlight, 16)
        httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var credentials: any AWSCredentialProvider = .default(environment: environment, httpClient: httpClient)
        if let fallbackCredentials {
            credentials = CredentialProviderChain([("default chain", credentials), ("dev fallback", StaticCredentialProvider(fallbackCredentials))])
        }
        aws = AWSAccess(
            client: AWSClient(httpClient: httpClient, credentials: credentials, endpoints: AWSEndpoints(environment: environment)),
            defaultRegion: AWSRegion.resolve(environment: environment) ?? fallbackRegion)
    }

    /// Resources for `table`: the pool is sized to the largest `max_in_flight` of its sinks.
    public init(table: RouteTable, environment: [String: String], fallbackCredentials: AWSCredentials? = nil, fallbackRegion: String? = nil) {
        self.init(
            environment: environment, maxInFlight: Self.widestInFlight(table), fallbackCredentials: fallbackCredentials, fallbackRegion: fallbackRegion)
    }

    /// The most posts in flight any sink of `table` allows (`max_in_flight`), 64 without one.
    static func widestInFlight(_ table: RouteTable) -> Int {
        table.sinks.compactMap { ($0.configuration as? APIGatewaySinkConfiguration)?.maxInFlight }.max() ?? 64
    }

    /// The table's components built on these resources, their metrics made with `metrics`.
    /// When a component cannot be built, the HTTP client is closed before the error is thrown.
    public func routeSet(_ table: RouteTable, metrics: any MetricsFactory = MetricsSystem.factory) async throws -> RouteSet {
        do {
            return try RouteSet(table: table, resources: [aws, httpClient], metrics: metrics)
        } catch {
            try await shutdown()
            throw error
        }
    }

    /// Closes the HTTP client's connections; call once, when the process is done.
    public func shutdown() async throws {
        try await httpClient.shutdown()
    }
}
