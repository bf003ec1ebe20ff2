import AsyncHTTPClient
import FoundationEssentials

/// Caches another provider's credentials and refreshes them `refreshMargin` before they
/// expire; concurrent callers share one refresh. Long-term keys (no expiration) are fetched
/// once. A refresh that fails while the cached credentials are still valid keeps them in use
/// and is tried again after `retryAfter`; only expired credentials make callers fail.
public actor CachingCredentialProvider: AWSCredentialProvider {
    private let source: any AWSCredentialProvider
    private let refreshMargin: TimeInterval
    private let retryAfter: TimeInterval
    private let now: @Sendable () -> Date
    private var cached: AWSCredentials?
    private var refreshing: Task<AWSCredentials, any Error>?
    /// No refresh is tried before this, after one failed.
    private var nextRefresh = Date.distantPast

    public init(
        _ source: any AWSCredentialProvider, refreshMargin: TimeInterval = 300, retryAfter: TimeInterval = 10,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.source = source
        self.refreshMargin = refreshMargin
        self.retryAfter = retryAfter
        self.now = now
    }

    public func credentials() async throws -> AWSCredentials {
        let now = now()
        if let cached, cached.expiration.map({ $0.timeIntervalSince(now) > refreshMargin }) ?? true {
            return cached
        }
        let stillValid = cached.flatMap { cached in cached.expiration.map { $0 > now } == true ? cached : nil }
        if let stillValid, now < nextRefresh { return stillValid }
        do {
            return try await refresh()
        } catch {
            guard let stillValid else { throw error }
            nextRefresh = now.addingTimeInterval(retryAfter)
            return stillValid
        }
    }

    private func refresh() async throws -> AWSCredentials {
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
