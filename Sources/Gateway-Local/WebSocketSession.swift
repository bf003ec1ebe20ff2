import FoundationEssentials
import HummingbirdWebSocket
import NIOWebSocket
import WSCore
import Logging
import NIOCore
import RouterCore

/// One client's WebSocket from connect to disconnect, as API Gateway runs it:
/// - connect: the connection, already put in the store by the upgrade check (the `$connect`
///   integration), is registered for the management API;
/// - while open: `{"action":"join"|"leave","room":"…"}` changes the user's membership in the
///   in-memory room directory (answered `{"event":"joined"|"left","room":"…"}`); any message
///   counts as activity for the idle timeout;
/// - disconnect (by the client, `DELETE /@connections/{id}`, or ``ConnectionTimeouts`` at the
///   idle timeout or the maximum duration): unregistered, and deleted from the store unless
///   the gateway keeps stale connections on purpose.
///
/// The session runs in the task the server gives the socket, with no tasks of its own: an
/// idle socket then costs only that task's memory.
struct WebSocketSession: Sendable {
    let connectionID: String
    let userID: String
    let sourceIP: String
    let userAgent: String
    let connections: LiveConnections
    let store: any ConnectionStore
    let rooms: MemoryRoomDirectory?
    let configuration: LocalGatewayConfiguration
    let logger: Logger

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let id = connectionID
        let connection = Connection(userID: userID, connectionID: id)
        var logger = logger
        logger[metadataKey: "gateway.connection_id"] = "\(id)"
        logger[metadataKey: "gateway.user_id"] = "\(userID)"
        let now = Date()
        connections.add(LiveConnection(
            id: id, userID: userID, connectedAt: now, lastActiveAt: now, sourceIP: sourceIP, userAgent: userAgent, outbound: outbound))
        logger.info("connected")

        await receive(inbound, outbound: outbound, id: id, logger: logger)

        connections.remove(id)
        if configuration.keepConnectionsOnDisconnect {
            logger.info("disconnected; left in the store on purpose (keep_connections_on_disconnect)")
            return
        }
        do {
            _ = try await store.delete([connection])
            logger.info("disconnected")
        } catch {
            logger.error("disconnect_failed: could not delete the connection from the store: \(error)")
        }
    }

    private func receive(_ inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, id: String, logger: Logger) async {
        do {
            for try await message in inbound.messages(maxSize: configuration.maxPayloadBytes) {
                connections.touch(id)
                guard case .text(let text) = message, let reply = await handle(text) else { continue }
                try await outbound.write(.text(reply))
            }
        } catch {
            logger.debug("socket ended: \(error)")
        }
    }

    /// Room commands; other messages are accepted and ignored, as by a `$default` route
    /// without integration.
    private func handle(_ text: String) async -> String? {
        guard let object = JSONValue(parsing: text.utf8), let action = object["action"]?.string, action == "join" || action == "leave"
        else { return nil }
        guard let room = object["room"]?.string, !room.isEmpty else {
            return Self.event(["event": "error", "message": "\(action) needs a non-empty string 'room'"])
        }
        guard let rooms else {
            return Self.event(["event": "error", "message": "rooms need a memory-rooms directory in the route table"])
        }
        if action == "join" {
            await rooms.join(userID, room: room)
            return Self.event(["event": "joined", "room": room])
        }
        await rooms.leave(userID, room: room)
        return Self.event(["event": "left", "room": room])
    }

    private static func event(_ fields: [String: String]) -> String {
        String(decoding: JSONValue.object(fields.mapValues(JSONValue.string)).encoded(), as: UTF8.self)
    }
}
