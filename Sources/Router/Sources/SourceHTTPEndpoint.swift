/// The HTTP face of a source that is posted to (an SNS HTTP(S) subscription, a webhook). The
/// daemon serves `POST` at ``path`` and hands over the headers and body; the endpoint knows no
/// HTTP server.
///
/// Every implementation guarantees: a 2xx answer acknowledges the message (the sender will
/// not post it again), so it is given only when the message's ``DeliveryOutcome`` is
/// acknowledged or the message was refused for good; a message left to retry is answered
/// 5xx; a message that cannot be shown to come from the source is answered 4xx and never
/// delivered.
public protocol SourceHTTPEndpoint: Sendable {
    /// The path the daemon serves it at, e.g. `/sns/topic`.
    var path: String { get }

    /// Answers one POST; `header` reads a request header by lowercase name.
    func handle(header: @Sendable (String) -> String?, body: [UInt8]) async -> SourceHTTPAnswer
}

/// An HTTP answer: status, content type and body.
public struct SourceHTTPAnswer: Sendable, Equatable {
    public let status: Int
    public let contentType: String
    public let body: [UInt8]

    /// A plain-text answer; a newline ends the text.
    public init(_ status: Int, _ text: String) {
        self.status = status
        contentType = "text/plain; charset=utf-8"
        body = Array((text + "\n").utf8)
    }

    /// The reports as JSON (`{"reports":[…]}`).
    public init(_ status: Int, reports: [DeliveryReport]) {
        self.status = status
        contentType = "application/json"
        body = reports.reportsJSON
    }
}
