import AWSCore
import Foundation

/// The SQS calls the router makes, over the AWS JSON 1.0 protocol (`AmazonSQS.<Action>`),
/// each signed for the queue's region and sent to the SQS endpoint (`AWS_ENDPOINT_URL_SQS`
/// or `AWS_ENDPOINT_URL` for a local server).
public struct SQSClient: Sendable {
    let aws: AWSClient

    public init(aws: AWSClient) {
        self.aws = aws
    }

    /// Sends `body` to `queue`; returns the message id SQS assigned.
    public func sendMessage(_ body: String, to queue: SQSQueue, deadline: ContinuousClock.Instant) async throws -> String {
        let answer = try await call("SendMessage", ["QueueUrl": queue.url, "MessageBody": body], queue: queue, deadline: deadline)
        guard let id = answer["MessageId"] as? String else { throw AWSError(code: "UnreadableAnswer", message: "SendMessage to \(queue.url) answered without a MessageId") }
        return id
    }

    /// One call; the answer's JSON object.
    func call(_ action: String, _ parameters: [String: Any], queue: SQSQueue, deadline: ContinuousClock.Instant) async throws -> [String: Any] {
        let body = try JSONSerialization.data(withJSONObject: parameters)
        let answer = try await aws.json(.sqs, target: "AmazonSQS.\(action)", body: Array(body), region: queue.arn.region, deadline: deadline)
        return (try? JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any]) ?? [:]
    }
}
