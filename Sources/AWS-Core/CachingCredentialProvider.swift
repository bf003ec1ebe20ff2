import AsyncHTTPClient
import Foundation

/// Caches another provider's credentials and refreshes them `refreshMargin` before they
/// expire; concurrent callers share one refresh. Long-term keys (no expiration) are fetched
/// once.
public actor CachingCredentialProvider: AWSCredentialProvider {
    private let source: any AWSCredentialProvider
    private let refreshMargin: TimeInterval
    private let now: @Sendable () -> Date
    private var cached: AWSCredentials?
    private var refreshing: Task<AWSCredentials, any Error>?

    public init(_ source: any AWSCredentialProvider, refreshMargin: TimeInterval = 300, now: @escaping @Sendable () -> Date = Date.init) {
        self.source = source
        self.refreshMargin = refreshMargin
        self.now = now
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached, cached.expiration.map({ $0.timeIntervalSince(now()) > refreshMargin }) ?? true {
            return cached
        }
        if let refreshing { return try await refreshing.value }
        let task = Task { [source] in try await source.credentials() }
        refreshing = task
        defer { refreshing = nil }
        let fresh = try await task.value
        cached = fresh
        return fresh
    }
}

extension AWSCredentialProvider where Self == CachingCredentialProvider {
    /// The AWS SDKs' default chain, cached: environment, shared config and credentials files,
    /// container endpoint (ECS, EKS Pod Identity), EC2 instance metadata.
    public static func `default`(environment: [String: String], httpClient: HTTPClient) -> CachingCredentialProvider {
        CachingCredentialProvider(CredentialProviderChain([
            ("environment", EnvironmentCredentialProvider(environment: environment)),
            ("shared config", SharedConfigCredentialProvider(environment: environment)),
            ("container", ContainerCredentialProvider(environment: environment, httpClient: httpClient)),
            ("instance metadata", InstanceMetadataCredentialProvider(environment: environment, httpClient: httpClient)),
        ]))
    }
}
