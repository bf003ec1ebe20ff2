/// The process's one way into AWS: the client (one HTTP connection pool, one cached credential
/// chain, the endpoints) and the default region. A mode builds it once at start and hands it
/// to every AWS plugin, so no plugin opens its own connections or reads credentials itself.
public struct AWSAccess: Sendable {
    public let client: AWSClient
    /// `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile's region, when one is set.
    public let defaultRegion: String?

    public init(client: AWSClient, defaultRegion: String?) {
        self.client = client
        self.defaultRegion = defaultRegion
    }

    /// `explicit` (a component's own `region`), else the default region; nil when neither is set.
    public func region(_ explicit: String?) -> String? {
        explicit ?? defaultRegion
    }
}
