/// One message a source hands to the router: its id, its string attributes (what `match:`
/// compares), the request's bytes and the name of the source it came from.
public struct SourceItem: Sendable {
    /// The platform's id for the message (SQS `messageId`, SNS `MessageId`, a Lambda request id).
    public let messageID: String
    /// The notification request, byte for byte as the source received it.
    public let body: [UInt8]
    /// The table's name of the source, nil when the message came from none it names (a direct
    /// invocation, a queue the table does not list): then only routes without `from` take it.
    public let source: String?
    public let attributes: [String: String]
    /// Why the message cannot be delivered before any route sees it (e.g. a required SNS
    /// envelope is missing); such a message is logged and returned to its source.
    public var unreadable: String?

    public init(messageID: String, body: some Collection<UInt8>, source: String?, attributes: [String: String] = [:], unreadable: String? = nil) {
        self.messageID = messageID
        self.body = Array(body)
        self.source = source
        self.attributes = attributes
        self.unreadable = unreadable
    }
}

/// What became of one ``SourceItem`` on every route it took, and so what its source must do.
public struct DeliveryOutcome: Sendable {
    /// One report per route that took the message, in the table's order of routes.
    public var reports: [DeliveryReport] = []
    /// The source must hand the message back (SQS: list it in `batchItemFailures`, leave it on
    /// the queue): a transient failure, an invalid request on an `on_invalid: dlq` route, an
    /// unreadable message, or one no route takes.
    public var mustReturn = false
    /// Something transient is left: a retry can help (SNS: answer with an error).
    public var needsRetry = false

    public init() {}

    /// Whether the source may acknowledge the message: it will never be handed to the router again.
    public var isAcknowledged: Bool { !mustReturn }
}
