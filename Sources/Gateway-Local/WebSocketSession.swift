import FoundationEssentials
import Logging
import NIOCore
import NIOWebSocket
import RouterCore

/// One client's WebSocket from connect to disconnect, as API Gateway runs it:
/// - connect: the connection, already put in the store by the upgrade (``GatewayChannel``,
///   the `$connect` integration), is registered for the management API; a socket without a
///   user id is closed at once with 1008 and the reason;
/// - while open: `{"action":"join"|"leave","room":"…"}` changes the user's membership in the
///   in-memory room directory (answered `{"event":"joined"|"left","room":"…"}`); any text or
///   binary message counts as activity for the idle timeout; pings are answered;
/// - disconnect (by the client, `DELETE /@connections/{id}`, or ``ConnectionTimeouts`` at the
///   idle timeout or the maximum duration): unregistered, and deleted from the store unless
///   the gateway keeps stale connections on purpose.
///
/// It is the socket's last channel handler, after NIO's frame decoder and aggregator, and
/// runs on the socket's event loop: an open socket holds no task. The only task is the one
/// that deletes the connection from the store when the socket has closed.
final class WebSocketSession: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// What every session of a gateway shares.
    struct Settings: Sendable {
        let connections: LiveConnections
        let store: any ConnectionStore
        let rooms: MemoryRoomDirectory?
        let configuration: LocalGatewayConfiguration
        let logger: Logger
    }

    private enum State {
        case open
        /// A close frame was sent; the client's answer, or a second, ends the socket.
        case closing
        case closed
    }

    private let connectionID: String
    private let userID: String?
    private let sourceIP: String
    private let userAgent: String
    private let settings: Settings
    private let logger: Logger
    private var state = State.open
    private var context: ChannelHandlerContext?

    /// How long a client has to answer a close frame before its socket is closed anyway.
    static let closeTimeout = TimeAmount.seconds(1)

    init(connectionID: String, userID: String?, sourceIP: String, userAgent: String, settings: Settings) {
        self.connectionID = connectionID
        self.userID = userID
        self.sourceIP = sourceIP
        self.userAgent = userAgent
        self.settings = settings
        var logger = settings.logger
        logger[metadataKey: "gateway.connection_id"] = "\(connectionID)"
        if let userID { logger[metadataKey: "gateway.user_id"] = "\(userID)" }
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        guard let userID else {
            settings.logger.notice("connect_refused: a socket from \(sourceIP) has no user id; \(LocalGateway.noUserID)")
            close(.policyViolation, reason: LocalGateway.noUserID)
            return
        }
        let now = Date()
        settings.connections.add(LiveConnection(
            id: connectionID, userID: userID, connectedAt: now, lastActiveAt: now, sourceIP: sourceIP, userAgent: userAgent,
            socket: GatewaySocket(channel: context.channel)))
        logger.info("connected")
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .connectionClose:
            receivedClose(frame, context: context)
        case .ping where state == .open:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .text, .binary:
            guard state == .open else { return }
            settings.connections.touch(connectionID)
            guard frame.opcode == .text, let reply = handle(String(buffer: frame.unmaskedData)) else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: reply))), promise: nil)
        default:
            break
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)  // the client half-closed: nothing more can arrive
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("socket ended: \(error)")
        if case NIOWebSocketFrameAggregator.Error.accumulatedFrameSizeIsTooLarge = error {
            close(.messageTooLarge, reason: "message over \(settings.configuration.maxPayloadBytes) bytes")
        } else {
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        state = .closed
        context.fireChannelInactive()
        guard let userID else { return }
        settings.connections.remove(connectionID)
        if settings.configuration.keepConnectionsOnDisconnect {
            logger.info("disconnected; left in the store on purpose (keep_connections_on_disconnect)")
            return
        }
        let store = settings.store
        let connection = Connection(userID: userID, connectionID: connectionID)
        let logger = logger
        Task {
            do {
                _ = try await store.delete([connection])
                logger.info("disconnected")
            } catch {
                logger.error("disconnect_failed: could not delete the connection from the store: \(error)")
            }
        }
    }

    /// Writes `payload` as one text frame (API Gateway sends text frames); fails when the
    /// socket is closing or closed.
    func send(_ payload: ByteBuffer) -> EventLoopFuture<Void>? {
        guard state == .open, let context else { return nil }
        return context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: payload)))
    }

    /// Starts the closing handshake with `code` and `reason`.
    func close(_ code: WebSocketErrorCode, reason: String) {
        guard state == .open, let context else { return }
        state = .closing
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(reason)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)), promise: nil)
        let channel = context.channel
        channel.eventLoop.scheduleTask(in: Self.closeTimeout) { channel.close(promise: nil) }
    }

    /// The client's close frame: the answer to ours, or its own, which is echoed with its code
    /// (RFC 6455 §5.5.1) before the socket closes.
    private func receivedClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        guard state == .open else {
            context.close(promise: nil)
            return
        }
        state = .closing
        var received = frame.unmaskedData
        var echo = context.channel.allocator.buffer(capacity: 2)
        if let code = received.readWebSocketErrorCode() { echo.write(webSocketErrorCode: code) }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: echo))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// Room commands; other messages are accepted and ignored, as by a `$default` route
    /// without integration.
    private func handle(_ text: String) -> String? {
        guard let userID, let object = JSONValue(parsing: text.utf8), let action = object["action"]?.string,
            action == "join" || action == "leave"
        else { return nil }
        guard let room = object["room"]?.string, !room.isEmpty else {
            return Self.event(["event": "error", "message": "\(action) needs a non-empty string 'room'"])
        }
        guard let rooms = settings.rooms else {
            return Self.event(["event": "error", "message": "rooms need a memory-rooms directory in the route table"])
        }
        if action == "join" {
            rooms.join(userID, room: room)
            return Self.event(["event": "joined", "room": room])
        }
        rooms.leave(userID, room: room)
        return Self.event(["event": "left", "room": room])
    }

    private static func event(_ fields: [String: String]) -> String {
        String(decoding: JSONValue.object(fields.mapValues(JSONValue.string)).encoded(), as: UTF8.self)
    }
}
