import AWSCore

/// The SNS calls the router makes, over the Query protocol, signed for the topic's region and
/// sent to the SNS endpoint (`AWS_ENDPOINT_URL_SNS` or `AWS_ENDPOINT_URL` for a local server).
public struct SNSClient: Sendable {
    let aws: AWSClient

    public init(aws: AWSClient) {
        self.aws = aws
    }

    /// Publishes `message` to `topic`; returns the message id SNS assigned.
    public func publish(_ message: String, to topic: ARN, deadline: ContinuousClock.Instant) async throws -> String {
        let answer = try await aws.query(
            .sns, action: "Publish", version: "2010-03-31", parameters: [("TopicArn", topic.description), ("Message", message)],
            region: topic.region, deadline: deadline)
        guard let id = XMLText.first("MessageId", in: answer) else {
            throw AWSError(code: "UnreadableAnswer", message: "Publish to \(topic) answered without a MessageId")
        }
        return id
    }
}
