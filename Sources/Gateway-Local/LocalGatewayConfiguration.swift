/// How the local gateway behaves; the defaults are API Gateway's.
public struct LocalGatewayConfiguration: Sendable {
    /// Address to bind (`127.0.0.1`; `0.0.0.0` to accept other hosts).
    public var host: String
    /// Port to bind; 0 picks a free one (the bound port is reported once listening).
    public var port: Int
    /// A connection with no message from its client for this long is closed (API Gateway: 10 minutes).
    public var idleTimeout: Duration
    /// A connection is closed after this long whatever it does (API Gateway: 2 hours).
    public var maxDuration: Duration
    /// Leave a connection in the store when its socket closes, as when a `$disconnect`
    /// is lost, so that posts to it are answered 410 and the router's pruning can be watched.
    public var keepConnectionsOnDisconnect: Bool
    /// Largest message the management API accepts (API Gateway: 128 KiB).
    public var maxPayloadBytes: Int

    public init(
        host: String = "127.0.0.1", port: Int = 8080, idleTimeout: Duration = .seconds(600), maxDuration: Duration = .seconds(7200),
        keepConnectionsOnDisconnect: Bool = false, maxPayloadBytes: Int = 131_072
    ) {
        self.host = host
        self.port = port
        self.idleTimeout = idleTimeout
        self.maxDuration = maxDuration
        self.keepConnectionsOnDisconnect = keepConnectionsOnDisconnect
        self.maxPayloadBytes = maxPayloadBytes
    }
}
