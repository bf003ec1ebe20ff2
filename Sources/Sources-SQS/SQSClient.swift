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

    /// Sends messages (`SendMessageBatch`, 10 per call); returns the indices of those SQS did
    /// not accept, with its reason. `fifo` gives each message's group and deduplication id (a
    /// FIFO queue needs both; nil for a standard queue).
    public func sendMessages(
        _ bodies: [String], to queue: SQSQueue, fifo: ((Int) -> (group: String, deduplication: String))? = nil, deadline: ContinuousClock.Instant
    ) async throws -> [Int: String] {
        var refused: [Int: String] = [:]
        for start in stride(from: 0, to: bodies.count, by: 10) {
            let chunk = start..<min(start + 10, bodies.count)
            let entries = chunk.map { index -> [String: Any] in
                var entry: [String: Any] = ["Id": "m\(index)", "MessageBody": bodies[index]]
                if let ids = fifo?(index) {
                    entry["MessageGroupId"] = ids.group
                    entry["MessageDeduplicationId"] = ids.deduplication
                }
                return entry
            }
            let answer = try await call("SendMessageBatch", ["QueueUrl": queue.url, "Entries": entries], queue: queue, deadline: deadline)
            for failure in answer["Failed"] as? [[String: Any]] ?? [] {
                guard let id = failure["Id"] as? String, let index = Int(id.dropFirst()), chunk.contains(index) else { continue }
                refused[index] = "\(failure["Code"] ?? "?"): \(failure["Message"] ?? "")"
            }
            let sent = Set((answer["Successful"] as? [[String: Any]] ?? []).compactMap { ($0["Id"] as? String).flatMap { Int($0.dropFirst()) } })
            for index in chunk where refused[index] == nil && !sent.contains(index) {
                refused[index] = "SendMessageBatch answered neither success nor failure for this entry"
            }
        }
        return refused
    }

    /// One call; the answer's JSON object.
    func call(_ action: String, _ parameters: [String: Any], queue: SQSQueue, deadline: ContinuousClock.Instant) async throws -> [String: Any] {
        let body = try JSONSerialization.data(withJSONObject: parameters)
        let answer = try await aws.json(.sqs, target: "AmazonSQS.\(action)", body: Array(body), region: queue.arn.region, deadline: deadline)
        return (try? JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any]) ?? [:]
    }
}

/// A message received from a queue by ``SQSClient/receiveMessages(from:waitTime:visibilityTimeout:deadline:)``.
public struct SQSMessage: Sendable {
    public let messageID: String
    /// What ``SQSClient/deleteMessages(_:from:deadline:)`` and visibility changes need.
    public let receiptHandle: String
    public let body: String
    /// How many times the message was received, this time included.
    public let receiveCount: Int
    /// The string-valued message attributes (what `match:` compares).
    public let attributes: [String: String]
}

extension SQSClient {
    /// One long poll: up to 10 messages, waiting up to `waitTime` for the first.
    public func receiveMessages(
        from queue: SQSQueue, waitTime: Duration = .seconds(20), visibilityTimeout: Duration? = nil, deadline: ContinuousClock.Instant
    ) async throws -> [SQSMessage] {
        var parameters: [String: Any] = [
            "QueueUrl": queue.url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": Int(waitTime.components.seconds),
            "MessageSystemAttributeNames": ["ApproximateReceiveCount", "SentTimestamp"],
            "AttributeNames": ["ApproximateReceiveCount", "SentTimestamp"], "MessageAttributeNames": ["All"],
        ]
        if let visibilityTimeout { parameters["VisibilityTimeout"] = Int(visibilityTimeout.components.seconds) }
        let answer = try await call("ReceiveMessage", parameters, queue: queue, deadline: deadline)
        return (answer["Messages"] as? [[String: Any]] ?? []).compactMap { message in
            guard let id = message["MessageId"] as? String, let handle = message["ReceiptHandle"] as? String,
                  let body = message["Body"] as? String
            else { return nil }
            let system = message["Attributes"] as? [String: String] ?? [:]
            let attributes = (message["MessageAttributes"] as? [String: [String: Any]] ?? [:]).compactMapValues { $0["StringValue"] as? String }
            return SQSMessage(
                messageID: id, receiptHandle: handle, body: body,
                receiveCount: system["ApproximateReceiveCount"].flatMap { Int($0) } ?? 1, attributes: attributes)
        }
    }

    /// Deletes acknowledged messages (`DeleteMessageBatch`, 10 per call); returns the ids of
    /// those SQS did not delete, with its reason.
    public func deleteMessages(_ messages: [SQSMessage], from queue: SQSQueue, deadline: ContinuousClock.Instant) async throws -> [String: String] {
        try await batch("DeleteMessageBatch", messages, queue: queue, deadline: deadline) { _ in [:] }
    }

    /// Makes messages visible again after `timeout` (`ChangeMessageVisibilityBatch`); returns
    /// the ids SQS refused, with its reason.
    public func changeVisibility(
        _ messages: [SQSMessage], to timeout: (SQSMessage) -> Duration, in queue: SQSQueue, deadline: ContinuousClock.Instant
    ) async throws -> [String: String] {
        try await batch("ChangeMessageVisibilityBatch", messages, queue: queue, deadline: deadline) { message in
            ["VisibilityTimeout": Int(timeout(message).components.seconds)]
        }
    }

    private func batch(
        _ action: String, _ messages: [SQSMessage], queue: SQSQueue, deadline: ContinuousClock.Instant, extra: (SQSMessage) -> [String: Any]
    ) async throws -> [String: String] {
        var refused: [String: String] = [:]
        var start = 0
        while start < messages.count {
            let chunk = messages[start..<min(start + 10, messages.count)]
            let entries = chunk.enumerated().map { index, message in
                ["Id": "m\(index)", "ReceiptHandle": message.receiptHandle].merging(extra(message)) { $1 }
            }
            let answer = try await call(action, ["QueueUrl": queue.url, "Entries": entries], queue: queue, deadline: deadline)
            for failure in answer["Failed"] as? [[String: Any]] ?? [] {
                guard let id = failure["Id"] as? String, let index = Int(id.dropFirst()), index < chunk.count else { continue }
                refused[chunk[chunk.startIndex + index].messageID] = "\(failure["Code"] ?? "?"): \(failure["Message"] ?? "")"
            }
            start += 10
        }
        return refused
    }
}
