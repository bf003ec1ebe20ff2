import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket
import RouterCore

/// The gateway's connections: HTTP/1.1 for the management API, `/publish` and the console
/// (answered by Hummingbird's router), or a WebSocket upgrade of `GET /`.
///
/// An upgraded socket is served by NIO channel handlers alone (``WebSocketSession``): it
/// holds no task while it is open, so an idle socket costs only its channel and handlers
/// (a few kilobytes) rather than a suspended task's frames (about 35 KB with
/// hummingbird-websocket, which keeps a task per socket).
///
/// The upgrade runs the `$connect` integration: with a user id (`?user_id=U` or the header
/// `X-User-Id`) the connection is put in the store before the handshake completes, and a
/// store that refuses it gets the handshake refused (400). Without one, the handshake
/// completes and the socket is closed at once with 1008 and the reason, so that the client
/// sees why.
struct GatewayChannel: ServerChildChannel, HTTPChannelHandler {
    enum Negotiated: Sendable {
        /// A WebSocket, now served by its handlers: nothing more to do in a task.
        case webSocket
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case refusedUpgrade(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
    }

    struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    let sessions: WebSocketSession.Settings
    /// The largest WebSocket frame a client may send.
    static let maxFrameSize = 32 * 1024

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let connectionID = GatewayConnectionID.make()
            let attempted = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
            let upgrader = NIOTypedWebSocketServerUpgrader<Negotiated>(
                maxFrameSize: Self.maxFrameSize,
                shouldUpgrade: { channel, head in
                    attempted.value = true
                    return connect(head, connectionID: connectionID, on: channel)
                },
                upgradePipelineHandler: { channel, head in
                    channel.eventLoop.makeCompletedFuture {
                        let session = WebSocketSession(
                            connectionID: connectionID, userID: Self.userID(of: URI(head.uri), headers: head.headers),
                            sourceIP: channel.remoteAddress?.ipAddress ?? "127.0.0.1", userAgent: head.headers.first(name: "User-Agent") ?? "",
                            settings: sessions)
                        try channel.pipeline.syncOperations.addHandlers([
                            NIOWebSocketFrameAggregator(
                                minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1024,
                                maxAccumulatedFrameSize: sessions.configuration.maxPayloadBytes),
                            session,
                        ])
                        return Negotiated.webSocket
                    }
                })
            let notUpgraded = NIOTypedHTTPServerUpgradeConfiguration<Negotiated>(upgraders: [upgrader]) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                    try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(logger: logger))
                    let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                        wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                    return attempted.value ? Negotiated.refusedUpgrade(http) : Negotiated.http(http)
                }
            }
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<Negotiated>(upgradeConfiguration: notUpgraded)
            configuration.enablePipelining = false
            configuration.enableErrorHandling = false
            configuration.enableResponseHeaderValidation = false
            let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            return Value(negotiated: negotiated, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .webSocket: return
            case .http(let http): await handleHTTP(asyncChannel: http, logger: logger)
            case .refusedUpgrade(let http): await refuseUpgrade(http)
            }
        } catch {
            logger.debug("connection ended before its first request was read: \(error)")
        }
    }

    /// The `$connect` integration; nil headers refuse the upgrade. Only `/` upgrades.
    private func connect(_ head: HTTPRequestHead, connectionID: String, on channel: any Channel) -> EventLoopFuture<HTTPHeaders?> {
        let uri = URI(head.uri)
        guard uri.path == "/" else { return channel.eventLoop.makeSucceededFuture(nil) }
        guard let userID = Self.userID(of: uri, headers: head.headers) else { return channel.eventLoop.makeSucceededFuture(HTTPHeaders()) }
        let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
        promise.completeWithTask {
            do {
                try await sessions.store.put(Connection(userID: userID, connectionID: connectionID))
                return HTTPHeaders()
            } catch {
                sessions.logger.error("connect_refused: the connection store did not take connection \(connectionID) of \(userID): \(error)")
                return nil
            }
        }
        return promise.futureResult
    }

    /// 400 with an empty body and `Connection: close`, as API Gateway answers a refused `$connect`.
    private func refuseUpgrade(_ http: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>) async {
        try? await http.executeThenClose { _, outbound in
            let head = HTTPResponse(status: .badRequest, headerFields: [.connection: "close", .contentLength: "0"])
            try await outbound.write(contentsOf: [.head(head), .end(nil)])
        }
    }

    /// `?user_id=U`, else the header `X-User-Id`; nil when neither is a non-empty string.
    static func userID(of uri: URI, headers: HTTPHeaders) -> String? {
        let userID = uri.queryParameters.get("user_id") ?? headers.first(name: "X-User-Id")
        guard let userID, !userID.isEmpty else { return nil }
        return userID
    }
}
