import AWSCore
import AsyncHTTPClient
import Foundation
import Logging
import MetricsTestKit
import RouterTestSupport
import SQSSource
import Synchronization
import Testing

/// The SQS consumer's own promises, against moto_server through a ``CountingProxy`` (which
/// times every call and can answer some itself): redelivery backoff, deletes, polls that fail.
@Suite("SQS consumer on moto")
struct SQSConsumerTests {
    /// A fresh queue on moto, the consumer's client pointed at a proxy in front of it.
    struct Fixture: Sendable {
        let proxy: CountingProxy
        let aws: AWSClient
        let client: SQSClient
        let queue: SQSQueue
        let metrics = TestMetrics()
        let logs = LogLines()

        /// Sends `body` to the queue (through the proxy).
        func send(_ body: String) async throws -> String {
            try await client.sendMessage(body, to: queue, deadline: .now + .seconds(10))
        }

        func counter(_ name: String) throws -> Int64 {
            try metrics.expectCounter("notification_router_sqs_\(name)_total", [("queue", "jobs")]).totalValue
        }

        /// Messages visible or in flight on the queue.
        func queued() async throws -> Int {
            let answer = try await aws.json(
                .sqs, target: "AmazonSQS.GetQueueAttributes",
                body: Array(#"{"QueueUrl":"\#(queue.url)","AttributeNames":["ApproximateNumberOfMessages","ApproximateNumberOfMessagesNotVisible"]}"#.utf8),
                region: "us-east-1", deadline: .now + .seconds(10))
            let attributes = (try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any])?["Attributes"] as? [String: String] ?? [:]
            return Int(attributes["ApproximateNumberOfMessages"] ?? "").map { $0 + (Int(attributes["ApproximateNumberOfMessagesNotVisible"] ?? "") ?? 0) } ?? -1
        }
    }

    /// Runs one consumer (one poller, 1 s long polls, each call a single attempt so that an
    /// injected failure is the consumer's to handle) while `body` runs.
    static func with(
        _ settings: SQSConsumer.Settings = .init(pollers: 1, waitTime: .seconds(1), visibilityTimeout: .seconds(30), retryBase: .seconds(1)),
        handler: @escaping SQSConsumer.Handler, _ body: @escaping @Sendable (Fixture) async throws -> Void
    ) async throws {
        let moto = try TestPeers.requireMoto()
        let proxy = CountingProxy(upstream: moto)
        try await proxy.run { proxyURL in
            let aws = AWSClient(
                httpClient: .shared, credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "test", secretAccessKey: "test")),
                endpoints: AWSEndpoints(environment: ["AWS_ENDPOINT_URL_SQS": proxyURL]), retry: .jitter(maxAttempts: 1))
            let name = "consumer-\(UUID().uuidString.prefix(8))"
            let created = try await aws.json(
                .sqs, target: "AmazonSQS.CreateQueue", body: Array(#"{"QueueName":"\#(name)"}"#.utf8), region: "us-east-1", deadline: .now + .seconds(10))
            let url = try #require((try JSONSerialization.jsonObject(with: Data(created)) as? [String: Any])?["QueueUrl"] as? String)
            let fixture = Fixture(proxy: proxy, aws: aws, client: SQSClient(aws: aws), queue: try #require(SQSQueue(url, region: "us-east-1")))
            let consumer = SQSConsumer(
                name: "jobs", client: fixture.client, queue: fixture.queue, settings: settings, metrics: fixture.metrics,
                logger: fixture.logs.logger(level: .info), handler: handler)
            try await withThrowingTaskGroup { group in
                group.addTask { try await consumer.run() }
                try await body(fixture)
                group.cancelAll()
            }
        }
    }

    /// The times and receive counts at which the handler saw messages.
    final class Receipts: Sendable {
        private let receipts = Mutex<[(at: ContinuousClock.Instant, count: Int)]>([])
        func record(_ messages: [SQSMessage]) { receipts.withLock { $0 += messages.map { (ContinuousClock.now, $0.receiveCount) } } }
        var all: [(at: ContinuousClock.Instant, count: Int)] { receipts.withLock { $0 } }
    }

    @Test("an unacknowledged message comes back after retry_delay, doubled per receive (1 s, 2 s, 4 s)")
    func retryDelayDoubles() async throws {
        let receipts = Receipts()
        try await Self.with(handler: { messages, _ in
            receipts.record(messages)
            return messages.map { _ in false }
        }) { fixture in
            _ = try await fixture.send(#"{"data":1}"#)
            try await eventually("four receives") { receipts.all.count >= 4 }
        }
        let seen = receipts.all
        try #require(seen.count >= 4)
        #expect(seen.prefix(4).map(\.count) == [1, 2, 3, 4], "SQS counts each receive")
        for (index, expected) in [1, 2, 4].enumerated() {
            let gap = seen[index + 1].at - seen[index].at
            // Never earlier than the delay; later only by a long poll's pickup and a loaded machine.
            #expect(gap >= .seconds(expected) - .milliseconds(50) && gap < .seconds(expected) + .seconds(2), "receive \(index + 2) came \(gap) after the previous")
        }
    }

    @Test("a delete entry SQS refuses is tried again; one refused three times is counted and logged by message id")
    func refusedDeletes() async throws {
        let refusal = FakeResponse.json(200, #"{"Successful":[],"Failed":[{"Id":"m0","SenderFault":false,"Code":"InternalError","Message":"injected"}]}"#)
        let handled = Mutex(0)
        try await Self.with(handler: { messages, _ in
            handled.withLock { $0 += messages.count }
            return messages.map { _ in true }
        }) { fixture in
            fixture.proxy.inject("DeleteMessageBatch", next: 1, refusal)
            _ = try await fixture.send(#"{"data":"first"}"#)
            try await eventually("the first message deleted on the second try") { try await fixture.queued() == 0 && fixture.proxy.count("DeleteMessageBatch") == 2 }
            #expect(try fixture.counter("delete_failed") == 0)

            fixture.proxy.inject("DeleteMessageBatch", next: 3, refusal)
            let id = try await fixture.send(#"{"data":"second"}"#)
            try await eventually("the refusal surfaced") { try fixture.counter("delete_failed") == 1 }
            #expect(fixture.proxy.count("DeleteMessageBatch") == 5, "one call for the first try, two more")
            #expect(fixture.logs.all.contains { $0.contains("delete_failed") && $0.contains(id) && $0.contains("InternalError") }, "\(fixture.logs.all)")
            #expect(try await fixture.queued() == 1, "not deleted, so SQS will deliver it again")
            #expect(try fixture.counter("acknowledged") == 2)
        }
        #expect(handled.withLock { $0 } == 2)
    }

    @Test("failing polls back off (0.4 s, 0.8 s, 1.6 s), are counted, and the consumer goes on to deliver")
    func pollErrorsBackOff() async throws {
        let handled = Mutex<[String]>([])
        try await Self.with(handler: { messages, _ in
            handled.withLock { $0 += messages.map(\.body) }
            return messages.map { _ in true }
        }) { fixture in
            fixture.proxy.inject("ReceiveMessage", next: 4, .json(500, #"{"__type":"com.amazonaws.sqs#InternalError","message":"injected"}"#))
            try await eventually("four failed polls") { try fixture.counter("poll_errors") == 4 }
            _ = try await fixture.send(#"{"data":"after"}"#)
            try await eventually("delivered after the errors") { handled.withLock { $0 } == [#"{"data":"after"}"#] }
            let failing = fixture.proxy.arrivals("ReceiveMessage", injected: true)
            try #require(failing.count == 4)
            for (index, pause) in [400, 800, 1600].enumerated() {
                let gap = failing[index + 1] - failing[index]
                #expect(gap >= .milliseconds(pause) - .milliseconds(50), "poll \(index + 2) came \(gap) after a failure; the pause is \(pause) ms")
            }
            #expect(fixture.logs.all.filter { $0.contains("poll_failed") }.count == 4)
        }
    }
}
