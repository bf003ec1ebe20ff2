import APIGatewaySink
import AWSCore
import AsyncHTTPClient
import RouterCore

/// What a process builds once and every component shares (DESIGN §9): one HTTP client (one
/// keep-alive pool, sized for the widest sink), the cached AWS credential chain, the region
/// and endpoints. Handed to plugins through ``RouterCore/PluginContext``.
public struct ProcessResources: Sendable {
    public let httpClient: HTTPClient
    public let aws: AWSAccess

    /// - Parameters:
    ///   - table: sizes the connection pool to the largest `max_in_flight` of its sinks;
    ///   - fallbackCredentials: used when the default chain finds none (dev mode, where the
    ///     local gateway ignores signatures);
    ///   - fallbackRegion: used when no region is configured (dev mode).
    public init(table: RouteTable, environment: [String: String], fallbackCredentials: AWSCredentials? = nil, fallbackRegion: String? = nil) {
        let widest = table.sinks.compactMap { ($0.configuration as? APIGatewaySinkConfiguration)?.maxInFlight }.max() ?? 64
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(widest, 16)
        httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var credentials: any AWSCredentialProvider = .default(environment: environment, httpClient: httpClient)
        if let fallbackCredentials {
            credentials = CredentialProviderChain([("default chain", credentials), ("dev fallback", StaticCredentialProvider(fallbackCredentials))])
        }
        aws = AWSAccess(
            client: AWSClient(httpClient: httpClient, credentials: credentials, endpoints: AWSEndpoints(environment: environment)),
            defaultRegion: AWSRegion.resolve(environment: environment) ?? fallbackRegion)
    }

    /// The table's components built on these resources.
    public func routeSet(_ table: RouteTable) throws(PluginBuildError) -> RouteSet {
        try RouteSet(table: table, resources: [aws, httpClient])
    }

    /// Closes the HTTP client's connections; call once, when the process is done.
    public func shutdown() async throws {
        try await httpClient.shutdown()
    }
}
