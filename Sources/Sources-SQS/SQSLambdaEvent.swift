/// An SQS event as Lambda's event source mapping delivers it: up to 10 (or, with a batching
/// window, up to 10,000) records of one queue.
public struct SQSLambdaEvent: Decodable, Sendable {
    public let records: [Record]

    /// One SQS message.
    public struct Record: Decodable, Sendable {
        /// The id to list in `batchItemFailures` when this message must come back.
        public let messageId: String
        /// The message body: the notification request, or an SNS envelope around it.
        public let body: String
        /// The queue's ARN, which picks the route.
        public let eventSourceARN: String
        public let attributes: [String: String]?
        public let messageAttributes: [String: MessageAttribute]?

        /// How many times the message was received, this time included.
        public var receiveCount: Int? { attributes?["ApproximateReceiveCount"].flatMap { Int($0) } }

        /// The string-valued message attributes (what `match:` compares).
        public var stringAttributes: [String: String] {
            (messageAttributes ?? [:]).compactMapValues(\.stringValue)
        }
    }

    public struct MessageAttribute: Decodable, Sendable {
        public let stringValue: String?
        public let dataType: String?
    }

    private enum CodingKeys: String, CodingKey {
        case records = "Records"
    }
}
