import AsyncHTTPClient
import FoundationEssentials
import Synchronization

/// Caches another provider's credentials and refreshes them `refreshMargin` before they
/// expire; concurrent callers share one refresh. Long-term keys (no expiration) are fetched
/// once. A refresh that fails while the cached credentials are still valid keeps them in use
/// and is tried again after `retryAfter`; only expired credentials make callers fail.
///
/// A lock, not an actor: every post asks for credentials, and cached ones are returned
/// without a hop to another executor.
public final class CachingCredentialProvider: AWSCredentialProvider {
    private let source: any AWSCredentialProvider
    private let refreshMargin: TimeInterval
    private let retryAfter: TimeInterval
    private let now: @Sendable () -> Date

    private struct State {
        var cached: AWSCredentials?
        var refreshing: Task<AWSCredentials, any Error>?
        /// No refresh is tried before this, after one failed.
        var nextRefresh = Date.distantPast
    }

    private let state = Mutex(State())

    public init(
        _ source: any AWSCredentialProvider, refreshMargin: TimeInterval = 300, retryAfter: TimeInterval = 10,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.source = source
        self.refreshMargin = refreshMargin
        self.retryAfter = retryAfter
        self.now = now
    }

    private enum Lookup {
        case cached(AWSCredentials)
        /// A refresh to wait for, and the credentials to fall back on if it fails.
        case refresh(Task<AWSCredentials, any Error>, stillValid: AWSCredentials?)
    }

    public func credentials() async throws -> AWSCredentials {
        let now = now()
        let lookup = state.withLock { state -> Lookup in
            if let cached = state.cached, cached.expiration.map({ $0.timeIntervalSince(now) > refreshMargin }) ?? true {
                return .cached(cached)
            }
            let stillValid = state.cached.flatMap { cached in cached.expiration.map { $0 > now } == true ? cached : nil }
            if let stillValid, now < state.nextRefresh { return .cached(stillValid) }
            let task = state.refreshing ?? Task { [source] in try await source.credentials() }
            state.refreshing = task
            return .refresh(task, stillValid: stillValid)
        }
        switch lookup {
        case .cached(let credentials): return credentials
        case .refresh(let task, let stillValid): return try await result(of: task, stillValid: stillValid, now: now)
        }
    }

    private func result(of task: Task<AWSCredentials, any Error>, stillValid: AWSCredentials?, now: Date) async throws -> AWSCredentials {
        do {
            let fresh = try await task.value
            state.withLock { state in
                state.cached = fresh
                if state.refreshing == task { state.refreshing = nil }
            }
            return fresh
        } catch {
            state.withLock { state in
                if state.refreshing == task { state.refreshing = nil }
                if stillValid != nil { state.nextRefresh = now.addingTimeInterval(retryAfter) }
            }
            guard let stillValid else { throw error }
            return stillValid
        }
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
