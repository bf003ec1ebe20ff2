import NIOCore
import NIOWebSocket

/// An open WebSocket as the management API and the timeouts reach it, from any task: each
/// call runs on the socket's event loop, on its ``WebSocketSession``.
struct GatewaySocket: Sendable {
    let channel: any Channel

    /// Sends `payload` as one text frame, byte for byte; false when the socket is closing or
    /// closed, or the write failed.
    func send(_ payload: ByteBuffer) async -> Bool {
        let channel = channel
        let sent = channel.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
            guard let session = try? channel.pipeline.syncOperations.handler(type: WebSocketSession.self),
                let sent = session.send(payload)
            else { return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel) }
            return sent
        }
        do {
            try await sent.get()
            return true
        } catch {
            return false
        }
    }

    /// Starts the closing handshake with `code` and `reason`; the socket is closed when the
    /// client answers, or a second later.
    func close(_ code: WebSocketErrorCode, reason: String) {
        let channel = channel
        channel.eventLoop.execute {
            (try? channel.pipeline.syncOperations.handler(type: WebSocketSession.self))?.close(code, reason: reason)
        }
    }
}
