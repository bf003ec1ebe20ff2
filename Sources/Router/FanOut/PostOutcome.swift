/// How one post to one connection ended (DESIGN §3). Sinks classify their transport's
/// answers into these; the fan-out engine decides what to do with each.
public enum PostOutcome: Sendable, Hashable {
    /// 2xx: the connection has the payload.
    case delivered
    /// 410: the connection no longer exists; prune it.
    case gone
    /// 401, 403, 404 (or another answer no connection explains): the endpoint, stage or
    /// credentials are wrong; stop posting this request and keep it for retry.
    case forbidden(String)
    /// 429: throttled (account limit or the client's buffer); retry later, slow down.
    case throttled
    /// 408, 5xx, reset, timeout: retry within the deadline.
    case transient(String)
    /// Refused for this connection only (400, 413): retrying cannot help.
    case rejected(String)
}
