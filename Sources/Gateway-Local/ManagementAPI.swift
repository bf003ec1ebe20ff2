import AWSCore
import FoundationEssentials
import HTTPTypes
import RouterCore
import Hummingbird
import NIOWebSocket
import NIOCore

/// The API Gateway Management API, answered as API Gateway answers it:
/// - `POST /@connections/{id}`: 200 and the body sent to the socket as one text frame; 410
///   `GoneException` for an id with no open socket; 413 `PayloadTooLargeException` over the limit;
/// - `GET /@connections/{id}`: 200 with `connectedAt`, `lastActiveAt` and `identity`; 410 if unknown;
/// - `DELETE /@connections/{id}`: 204 and the socket closed; 410 if unknown.
///
/// Ids are percent-decoded from the raw path, so `+`, `/` and `=` arrive intact. SigV4
/// headers are accepted and not checked: anything may post locally.
struct ManagementAPI: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let connections: LiveConnections
    let maxPayloadBytes: Int

    static let prefix = "/@connections/"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix(Self.prefix) else { return try await next(request, context) }
        let segment = path.dropFirst(Self.prefix.count)
        guard !segment.contains("/"), let id = URIEncoding.decode(segment), !id.isEmpty else {
            return Self.json(.notFound, #"{"message":"Not Found"}"#)
        }
        switch request.method {
        case .post:
            let body = try await request.body.collect(upTo: maxPayloadBytes + 1)
            guard body.readableBytes <= maxPayloadBytes else {
                return Self.json(.contentTooLarge, #"{"message":"Request Too Long"}"#, errorType: "PayloadTooLargeException")
            }
            return await connections.send(body, to: id) ? Response(status: .ok) : Self.gone
        case .get:
            guard let connection = connections[id] else { return Self.gone }
            return Self.json(.ok, Self.describe(connection))
        case .delete:
            guard let connection = connections[id] else { return Self.gone }
            connection.socket.close(.normalClosure, reason: "Deleted by the management API")
            return Response(status: .noContent)
        default:
            return Self.json(.methodNotAllowed, #"{"message":"Method Not Allowed"}"#)
        }
    }

    static let gone = json(.gone, #"{"message":null}"#, errorType: "GoneException")

    static func json(_ status: HTTPResponse.Status, _ text: String, errorType: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let errorType { headers[HTTPField.Name("x-amzn-ErrorType")!] = errorType }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// `GET /@connections/{id}`'s body, with API Gateway's timestamp format.
    static func describe(_ connection: LiveConnection) -> String {
        let object = JSONValue.object([
            "connectedAt": .string(timestamp(connection.connectedAt)),
            "lastActiveAt": .string(timestamp(connection.lastActiveAt)),
            "identity": .object(["sourceIp": .string(connection.sourceIP), "userAgent": .string(connection.userAgent)]),
        ])
        return String(decoding: object.encoded(), as: UTF8.self)
    }

    private static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
