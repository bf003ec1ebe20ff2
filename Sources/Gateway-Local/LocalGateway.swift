import FoundationEssentials
import Hummingbird
import HummingbirdCore
import HTTPTypes
import Logging
import NIOCore
import RouterCore

/// A local stand-in for an API Gateway WebSocket API, for dev mode and for developers of
/// WebSocket apps (DESIGN §4):
/// - `ws://HOST:PORT/?user_id=U` (or header `X-User-Id`): a WebSocket put in `store` before
///   its handshake completes (as `$connect` does) and deleted when it closes
///   (``GatewayChannel``, ``WebSocketSession``); without a user id the handshake completes
///   and the socket is closed at once with 1008 and the reason; when the store refuses it,
///   the handshake is refused (HTTP 400);
/// - `POST|GET|DELETE /@connections/{id}`: the management API (``ManagementAPI``);
/// - `POST /publish`: a notification request (``PublishRequest``) handed to `publish`,
///   answered with the reports; over 1 MiB, 413 with the limit;
/// - `GET /`: the dev console; `GET /dev/connections`: the open sockets it shows
///   (``ConnectionsListing``);
/// - anything else: 404 naming the paths that exist (405 with `Allow: POST` for `/publish`).
/// Every refusal is answered with its reason and logged in one line.
///
/// It is a `Service`: `run()` serves until graceful shutdown; `onListening` receives the bound
/// port (useful with port 0).
public struct LocalGateway: Sendable {
    /// Runs a notification request through the routes that take it; throws
    /// ``PublishRefusal`` when it cannot be taken at all.
    public typealias Publish = @Sendable (_ request: PublishRequest) async throws(PublishRefusal) -> DeliveryOutcome

    public let configuration: LocalGatewayConfiguration
    let store: any ConnectionStore
    let rooms: MemoryRoomDirectory?
    let publish: Publish
    let logger: Logger
    let connections = LiveConnections()

    public init(
        configuration: LocalGatewayConfiguration, store: any ConnectionStore, rooms: MemoryRoomDirectory?, logger: Logger,
        publish: @escaping Publish
    ) {
        self.configuration = configuration
        self.store = store
        self.rooms = rooms
        self.publish = publish
        self.logger = logger
    }

    /// The server, ready to be run (it is a `Service`).
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router(context: GatewayRequestContext.self)
        router.add(middleware: UnknownPaths(logger: logger))
        router.add(middleware: ManagementAPI(connections: connections, maxPayloadBytes: configuration.maxPayloadBytes))
        router.get("/") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: DevConsole.html)))
        }
        router.get("/dev/connections") { _, _ -> Response in
            ManagementAPI.json(.ok, ConnectionsListing.json(connections, rooms: rooms))
        }
        router.post("/publish") { request, _ -> Response in
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: Self.publishLimit)
            } catch {
                logger.notice("publish_refused: the body is over the 1 MiB limit of /publish")
                return ManagementAPI.json(.contentTooLarge, Self.message("the body is over the 1 MiB (\(Self.publishLimit) bytes) limit of /publish"))
            }
            var attributes: [String: String] = [:]
            for (name, value) in request.uri.queryParameters where name.hasPrefix("attribute.") {
                attributes[String(name.dropFirst("attribute.".count))] = String(value)
            }
            let source = request.uri.queryParameters.get("source")
            return await answerPublish(PublishRequest(body: Array(body.readableBytesView), source: source, attributes: attributes))
        }

        let sessions = WebSocketSession.Settings(connections: connections, store: store, rooms: rooms, configuration: configuration, logger: logger)
        return Application(
            router: router,
            server: HTTPServerBuilder { responder in GatewayChannel(responder: responder, sessions: sessions) },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "notification-router-dev"),
            services: [ConnectionTimeouts(connections: connections, configuration: configuration, logger: logger)],
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    static let publishLimit = 1 << 20
    static let noUserID = "no user id: connect to /?user_id=NAME or send the header X-User-Id"

    /// 200 when every route completed or dropped the request, 400 when it is invalid or no
    /// route takes it, 503 when something is left to retry; the body is `{"reports":[…]}`, or
    /// `{"message":…}` for a request no route saw, and a newline.
    private func answerPublish(_ request: PublishRequest) async -> Response {
        let outcome: DeliveryOutcome
        do {
            outcome = try await publish(request)
        } catch {
            return ManagementAPI.json(.badRequest, Self.message(error.message))
        }
        if outcome.reports.isEmpty && !outcome.isAcknowledged {
            let from = request.source.map { "source '\($0)'" } ?? "this gateway"
            return ManagementAPI.json(.badRequest, Self.message("no route takes messages from \(from) with these attributes"))
        }
        let reports = outcome.reports
        let status: HTTPResponse.Status = reports.contains(where: \.needsRetry) ? .serviceUnavailable
            : reports.contains(where: \.isInvalid) ? .badRequest : .ok
        return ManagementAPI.json(status, String(decoding: reports.reportsJSON, as: UTF8.self) + "\n")
    }

    static func message(_ text: String) -> String {
        ((try? JSONEncoder().encode(["message": text])).map { String(decoding: $0, as: UTF8.self) } ?? "{}") + "\n"
    }
}
