import NIOCore
import RouterCore

/// The classes of DESIGN §3 for a management API answer (docs/answer-classes.md):
/// - 2xx delivered; 410 gone (pruned);
/// - 400 (`BadRequestException`: a malformed connection id) and 413 (payload too large) are
///   refused for that connection only;
/// - 429 throttled; 408 and 5xx transient: retried within the deadline;
/// - 401, 403, 404 and any other answer say the setup is wrong (credentials, IAM, endpoint,
///   stage): the request stops and is kept for retry, never acknowledged as delivered.
enum APIGatewayAnswer {
    static func classify(status: Int, body: ByteBuffer) -> PostOutcome {
        switch status {
        case 200..<300: return .delivered
        case 410: return .gone
        case 400, 413: return .rejected("HTTP \(status) \(message(body))")
        case 429: return .throttled
        case 408, 500...: return .transient("HTTP \(status) \(message(body))")
        default: return .forbidden("HTTP \(status) \(message(body))")
        }
    }

    /// The answer's text, shortened: API Gateway sends `{"message":"Forbidden"}` and the like.
    private static func message(_ body: ByteBuffer) -> String {
        String(buffer: body).prefix(200).description
    }
}
