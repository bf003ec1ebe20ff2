import Logging
import Metrics
import RouterCore
import ServiceLifecycle

/// An `sqs` source: its service face is an ``SQSConsumer`` of the queue, its publish face
/// `SendMessage`; its event face is ``SQSEventReader``. As a split route's work queue it
/// takes tasks with `SendMessageBatch`; on a FIFO queue (`….fifo`) each task is its own
/// message group, deduplicated by its id.
public struct SQSSource: NotificationSource, WorkQueue {
    public let name: String
    /// The queue, its region resolved.
    public let queue: SQSQueue
    public let configuration: SQSSourceConfiguration
    let client: SQSClient
    let metrics: any MetricsFactory

    public init(name: String, queue: SQSQueue, configuration: SQSSourceConfiguration, client: SQSClient, metrics: any MetricsFactory = MetricsSystem.factory) {
        self.name = name
        self.queue = queue
        self.configuration = configuration
        self.client = client
        self.metrics = metrics
    }

    /// Long-polls the queue; each receive is one batch, whose acknowledged messages are
    /// deleted and the rest returned with a growing delay (``SQSConsumer``).
    public func service(delivering delivery: BatchDelivery, logger: Logger) -> (any Service)? {
        let envelope = configuration.snsEnvelope
        return SQSConsumer(
            name: name, client: client, queue: queue, settings: configuration.consumerSettings, metrics: metrics, logger: logger
        ) { messages, deadline in
            let items = messages.map { message in
                envelope.item(messageID: message.messageID, body: message.body, source: name, attributes: message.attributes)
            }
            return await delivery.deliver(items, deadline: deadline, logger: logger).outcomes.map(\.isAcknowledged)
        }
    }

    public func publish(_ request: [UInt8], deadline: ContinuousClock.Instant) async throws -> String {
        try await client.sendMessage(String(decoding: request, as: UTF8.self), to: queue, deadline: deadline)
    }

    public func send(_ tasks: [WorkTask], deadline: ContinuousClock.Instant) async throws -> [Int: String] {
        // One message group per task, so that the tasks of a request run in parallel.
        let fifo = queue.url.hasSuffix(".fifo") ? { (index: Int) in (tasks[index].deduplicationID, tasks[index].deduplicationID) } : nil
        return try await client.sendMessages(tasks.map { String(decoding: $0.json, as: UTF8.self) }, to: queue, fifo: fifo, deadline: deadline)
    }

}
