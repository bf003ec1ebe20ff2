import FoundationEssentials
import Logging
import NIOWebSocket
import ServiceLifecycle

/// Closes the sockets API Gateway would close (with 1001, "Going away"): those idle for the
/// idle timeout and those open for the maximum duration. One sweep over every socket at an
/// interval (a quarter of the shorter limit, at most a second), rather than a timer task per
/// socket: a task costs each idle socket kilobytes of task memory. A socket is closed within
/// one interval after its limit. When the gateway shuts down, every socket still open is
/// sent 1001 too (sockets hold no task the server would wait for).
struct ConnectionTimeouts: Service {
    let connections: LiveConnections
    let configuration: LocalGatewayConfiguration
    let logger: Logger

    var interval: Duration {
        min(.seconds(1), min(configuration.idleTimeout, configuration.maxDuration) / 4)
    }

    func run() async throws {
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                // cancelled, or the gateway is shutting down
                for connection in connections.all { connection.socket.close(.goingAway, reason: "the gateway is shutting down") }
                return
            }
            sweep(now: Date())
        }
    }

    /// Closes every socket past a limit at `now`.
    func sweep(now: Date) {
        let idle = configuration.idleTimeout / .seconds(1)
        let longest = configuration.maxDuration / .seconds(1)
        for connection in connections.all {
            let reason: String
            if now.timeIntervalSince(connection.connectedAt) >= longest {
                reason = "maximum connection duration reached"
            } else if now.timeIntervalSince(connection.lastActiveAt) >= idle {
                reason = "idle timeout"
            } else {
                continue
            }
            var logger = logger
            logger[metadataKey: "gateway.connection_id"] = "\(connection.id)"
            logger[metadataKey: "gateway.user_id"] = "\(connection.userID)"
            logger.info("closing: \(reason)")
            connection.socket.close(.goingAway, reason: "Going away")
        }
    }
}
