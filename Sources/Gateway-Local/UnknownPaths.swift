import HTTPTypes
import Hummingbird
import Logging

/// Answers what no route of the gateway takes with the reason, and logs it: 405 with
/// `Allow: POST` for `/publish` with another method, 404 naming the paths that exist for
/// anything else.
struct UnknownPaths: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let logger: Logger

    static let paths = "GET / (the dev console), GET /dev/connections (the open sockets), POST /publish (a notification request), POST|GET|DELETE /@connections/{id} (the management API), WebSocket /?user_id=NAME"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            let path = request.uri.path
            if path == "/publish" {
                logger.notice("request_refused: \(request.method) /publish; only POST is served there")
                var response = ManagementAPI.json(.methodNotAllowed, LocalGateway.message("/publish takes POST with a notification request as the body, not \(request.method)"))
                response.headers[.allow] = "POST"
                return response
            }
            logger.notice("request_refused: \(request.method) \(path) is not a path of the gateway")
            return ManagementAPI.json(.notFound, LocalGateway.message("no such path: \(path); the gateway serves \(Self.paths)"))
        }
    }
}
