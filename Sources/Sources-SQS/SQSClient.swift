import AWSCore
import FoundationEssentials
import RouterCore

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
        let answer = try await call("SendMessage", ["QueueUrl": .string(queue.url), "MessageBody": .string(body)], queue: queue, deadline: deadline)
        guard let id = answer["MessageId"]?.string else { throw AWSError(code: "UnreadableAnswer", message: "SendMessage to \(queue.url) answered without a MessageId") }
        return id
    }

    /// Sends messages (`SendMessageBatch`, 10 per call); returns the indices of those SQS did
    /// not accept, with its reason. `fifo` gives each message's group and deduplication id (a
    /// FIFO queue needs both; nil for a standard queue).
    public func sendMessages(
        _ bodies: [String], to queue: SQSQueue, fifo: ((Int) -> (group: String, deduplication: String))? = nil, deadline: ContinuousClock.Instant
    ) async throws -> [Int: String] {
        let entries = bodies.indices.map { index -> [String: JSONValue] in
            var entry: [String: JSONValue] = ["MessageBody": .string(bodies[index])]
            if let ids = fifo?(index) {
                entry["MessageGroupId"] = .string(ids.group)
                entry["MessageDeduplicationId"] = .string(ids.deduplication)
            }
            return entry
        }
        let (refused, succeeded) = try await batch("SendMessageBatch", entries, queue: queue, deadline: deadline)
        var unsent = refused
        for index in bodies.indices where refused[index] == nil && !succeeded.contains(index) {
            unsent[index] = "SendMessageBatch answered neither success nor failure for this entry"
        }
        return unsent
    }

    /// One call; the answer's JSON object.
    func call(_ action: String, _ parameters: [String: JSONValue], queue: SQSQueue, deadline: ContinuousClock.Instant) async throws -> JSONValue {
        let answer = try await aws.json(
            .sqs, target: "AmazonSQS.\(action)", body: JSONValue.object(parameters).encoded(), region: queue.arn.region, deadline: deadline)
        return JSONValue(parsing: answer) ?? [:]
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
        var parameters: [String: JSONValue] = [
            "QueueUrl": .string(queue.url), "MaxNumberOfMessages": 10, "WaitTimeSeconds": .integer(Int(waitTime.components.seconds)),
            "MessageSystemAttributeNames": ["ApproximateReceiveCount", "SentTimestamp"],
            "AttributeNames": ["ApproximateReceiveCount", "SentTimestamp"], "MessageAttributeNames": ["All"],
        ]
        if let visibilityTimeout { parameters["VisibilityTimeout"] = .integer(Int(visibilityTimeout.components.seconds)) }
        let answer = try await call("ReceiveMessage", parameters, queue: queue, deadline: deadline)
        return (answer["Messages"]?.array ?? []).compactMap { message in
            guard let id = message["MessageId"]?.string, let handle = message["ReceiptHandle"]?.string, let body = message["Body"]?.string
            else { return nil }
            let attributes = (message["MessageAttributes"]?.object ?? [:]).compactMapValues { $0["StringValue"]?.string }
            return SQSMessage(
                messageID: id, receiptHandle: handle, body: body,
                receiveCount: message["Attributes"]?["ApproximateReceiveCount"]?.string.flatMap { Int($0) } ?? 1, attributes: attributes)
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
            ["VisibilityTimeout": .integer(Int(timeout(message).components.seconds))]
        }
    }

    /// A batch action on received messages; the ids of those SQS refused, with its reason.
    private func batch(
        _ action: String, _ messages: [SQSMessage], queue: SQSQueue, deadline: ContinuousClock.Instant, extra: (SQSMessage) -> [String: JSONValue]
    ) async throws -> [String: String] {
        let entries = messages.map { message in ["ReceiptHandle": .string(message.receiptHandle)].merging(extra(message)) { $1 } }
        let refused = try await batch(action, entries, queue: queue, deadline: deadline).refused
        return Dictionary(uniqueKeysWithValues: refused.map { (messages[$0.key].messageID, $0.value) })
    }

    /// `entries` sent 10 per call of `action`, each given its `Id`; by index into `entries`,
    /// those SQS refused (with its reason) and those it answered as done.
    private func batch(
        _ action: String, _ entries: [[String: JSONValue]], queue: SQSQueue, deadline: ContinuousClock.Instant
    ) async throws -> (refused: [Int: String], succeeded: Set<Int>) {
        var refused: [Int: String] = [:]
        var succeeded = Set<Int>()
        for start in stride(from: 0, to: entries.count, by: 10) {
            let chunk = start..<min(start + 10, entries.count)
            let identified = chunk.map { index in JSONValue.object(entries[index].merging(["Id": .string("m\(index)")]) { $1 }) }
            let answer = try await call(action, ["QueueUrl": .string(queue.url), "Entries": .array(identified)], queue: queue, deadline: deadline)
            func index(_ entry: JSONValue) -> Int? {
                entry["Id"]?.string.flatMap { Int($0.dropFirst()) }.flatMap { chunk.contains($0) ? $0 : nil }
            }
            for failure in answer["Failed"]?.array ?? [] {
                guard let index = index(failure) else { continue }
                refused[index] = "\(failure["Code"]?.scalarText ?? "?"): \(failure["Message"]?.scalarText ?? "")"
            }
            succeeded.formUnion((answer["Successful"]?.array ?? []).compactMap(index))
        }
        return (refused, succeeded)
    }
}
