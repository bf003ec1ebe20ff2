import FoundationEssentials
import NIOCore
import Synchronization

/// One open WebSocket of the local gateway and what `GET /@connections/{id}` tells about it.
struct LiveConnection: Sendable {
    let id: String
    let userID: String
    let connectedAt: Date
    var lastActiveAt: Date
    let sourceIP: String
    let userAgent: String
    let socket: GatewaySocket
    /// Posts written to the socket (what the dev console shows as messages received).
    var received = 0
}

/// The gateway's open sockets by connection id. Safe to use from every request and socket
/// task at once; a socket is registered once its handshake is done and removed when it
/// closes, so a post to an id not here is answered 410 as API Gateway does.
final class LiveConnections: Sendable {
    private let connections = Mutex<[String: LiveConnection]>([:])

    func add(_ connection: LiveConnection) {
        connections.withLock { $0[connection.id] = connection }
    }

    func remove(_ id: String) {
        _ = connections.withLock { $0.removeValue(forKey: id) }
    }

    func touch(_ id: String) {
        connections.withLock { $0[id]?.lastActiveAt = Date() }
    }

    subscript(id: String) -> LiveConnection? {
        connections.withLock { $0[id] }
    }

    /// Every open socket, in no particular order.
    var all: [LiveConnection] {
        connections.withLock { Array($0.values) }
    }

    /// Sends `payload` as one text frame, byte for byte (API Gateway sends text frames);
    /// false when the id is unknown or its socket is closing.
    func send(_ payload: ByteBuffer, to id: String) async -> Bool {
        guard let connection = self[id], await connection.socket.send(payload) else { return false }
        connections.withLock { $0[id]?.received += 1 }
        return true
    }
}
