import FoundationEssentials
import Synchronization
import Logging
import RouterCore

/// The API Gateway side of the connection store: the WebSocket API's `$connect` and
/// `$disconnect` routes, so that one deployment of the router also keeps the connection table:
/// - `$connect`: the user id is read from a query-string parameter or the authorizer context
///   (``UserIDSource``); the connection is put in the store (the DynamoDB store writes
///   `connected_at` and, with `expires_attribute`, the expiry); answered `{"statusCode":200}`,
///   or the refusal status (401 by default) when there is no user id, or 500 when the store fails;
/// - `$disconnect`: the connection is deleted; its user comes from the authorizer context when
///   configured so, else from the store (``ConnectionStore/owner(of:)``).
public struct ConnectionLifecycle: Sendable {
    /// Where `$connect` finds the user id.
    public enum UserIDSource: Sendable, Equatable, CustomStringConvertible {
        case queryParameter(String)
        case authorizer(String)

        /// `query:NAME` or `authorizer:KEY` (the `CONNECT_USER_ID` variable); default `query:user_id`.
        public init?(_ text: String?) {
            guard let text, !text.isEmpty else { self = .queryParameter("user_id"); return }
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { return nil }
            switch parts[0] {
            case "query": self = .queryParameter(parts[1])
            case "authorizer": self = .authorizer(parts[1])
            default: return nil
            }
        }

        public var description: String {
            switch self {
            case .queryParameter(let name): "query:\(name)"
            case .authorizer(let key): "authorizer:\(key)"
            }
        }
    }

    let store: any ConnectionStore
    let userID: UserIDSource
    let refusalStatus: Int
    /// Whether the unauthenticated-identity warning was logged (once per process).
    private let warned = OnceFlag()

    public init(store: any ConnectionStore, userID: UserIDSource, refusalStatus: Int = 401) {
        self.store = store
        self.userID = userID
        self.refusalStatus = refusalStatus
    }

    /// The event's type when it is an API Gateway WebSocket event (`CONNECT`, `DISCONNECT`,
    /// `MESSAGE`), nil for any other event.
    public static func eventType(of event: [String: JSONValue]) -> String? {
        event["requestContext"]?["eventType"]?.string
    }

    /// Whether `eventType` is one the lifecycle acts on (`CONNECT`, `DISCONNECT`); any other
    /// WebSocket event is answered 200 and ignored.
    public static func manages(_ eventType: String) -> Bool {
        eventType == "CONNECT" || eventType == "DISCONNECT"
    }

    /// Handles a `CONNECT` or `DISCONNECT` event (any other WebSocket event is answered 200
    /// and ignored); the answer API Gateway expects.
    public func handle(_ event: [String: JSONValue], logger: Logger) async -> [UInt8] {
        let context = event["requestContext"]?.object ?? [:]
        let eventType = context["eventType"]?.string ?? ""
        guard Self.manages(eventType) else { return Self.status(200) }
        guard let connectionID = context["connectionId"]?.string, !connectionID.isEmpty else {
            logger.error("lifecycle_failed: \(eventType) event without requestContext.connectionId")
            return Self.status(400)
        }
        var logger = logger
        logger[metadataKey: "router.connection_id"] = "\(connectionID)"
        let user = Self.user(in: event, context: context, source: userID)
        do {
            if eventType == "CONNECT" {
                warnIfUnauthenticated(context, logger: logger)
                guard let user else {
                    logger.warning("connect_refused: no user id in \(userID); answered \(refusalStatus)")
                    return Self.status(refusalStatus)
                }
                try await store.put(Connection(userID: user, connectionID: connectionID))
                logger.info("connected", metadata: ["router.user_id": "\(user)"])
            } else {
                let owner: String?
                if case .authorizer = userID, let user { owner = user } else { owner = try await store.owner(of: connectionID) }
                guard let owner else {
                    logger.info("disconnected; the connection was not in the store")
                    return Self.status(200)
                }
                _ = try await store.delete([Connection(userID: owner, connectionID: connectionID)])
                logger.info("disconnected", metadata: ["router.user_id": "\(owner)"])
            }
        } catch {
            logger.error("lifecycle_failed: \(eventType) could not update the connection store: \(error)")
            return Self.status(500)
        }
        return Self.status(200)
    }

    /// A user id from the query string authenticates nobody: anyone who can open the socket
    /// can claim any user. Said once, the first time a `$connect` arrives that way with no
    /// authorizer in front of it.
    private func warnIfUnauthenticated(_ context: [String: JSONValue], logger: Logger) {
        guard case .queryParameter(let name) = userID, context["authorizer"] == nil else { return }
        guard warned.claim() else { return }
        logger.warning(
            "connect_unauthenticated: $connect takes the user id from the query parameter '\(name)' and the WebSocket API has no authorizer, so any client can claim any user; put a Lambda or IAM authorizer on $connect and set CONNECT_USER_ID=authorizer:KEY (README: Deployment)")
    }

    static func user(in event: [String: JSONValue], context: [String: JSONValue], source: UserIDSource) -> String? {
        let value: JSONValue?
        switch source {
        case .queryParameter(let name): value = event["queryStringParameters"]?[name]
        case .authorizer(let key): value = context["authorizer"]?[key]
        }
        guard let text = value?.scalarText, !text.isEmpty else { return nil }
        return text
    }

    public static func status(_ code: Int) -> [UInt8] {
        Array(#"{"statusCode":\#(code)}"#.utf8)
    }
}

/// A flag set once, shared by every copy of its owner.
private final class OnceFlag: Sendable {
    private let set = Mutex(false)

    /// True the first time only.
    func claim() -> Bool {
        set.withLock { set in
            defer { set = true }
            return !set
        }
    }
}
