import NIOCore
import RouterCore

/// The classes of DESIGN §3 for a management API answer.
enum APIGatewayAnswer {
    static func classify(status: Int, body: ByteBuffer) -> PostOutcome {
        switch status {
        case 200..<300: return .delivered
        case 410: return .gone
        case 403: return .forbidden("HTTP 403 \(message(body))")
        case 429: return .throttled
        case 400, 413: return .rejected("HTTP \(status) \(message(body))")
        case 500...: return .transient("HTTP \(status) \(message(body))")
        default: return .rejected("HTTP \(status) \(message(body))")
        }
    }

    /// The answer's text, shortened: API Gateway sends `{"message":"Forbidden"}` and the like.
    private static func message(_ body: ByteBuffer) -> String {
        String(buffer: body).prefix(200).description
    }
}
