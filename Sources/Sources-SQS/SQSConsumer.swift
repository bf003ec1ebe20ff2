import AWSCore
import Logging
import Metrics
import ServiceLifecycle

/// Consumes one SQS queue in daemon mode: several pollers long-poll it (10 messages, 20 s),
/// each receive is handled as one batch (its messages share store reads), and then:
/// - acknowledged messages are deleted (`DeleteMessageBatch`, each entry's result checked;
///   an entry SQS refused is tried twice more, then logged by message id and counted, since
///   SQS will deliver that message again);
/// - the others are made visible again after a backoff that grows with their receive count
///   (`ChangeMessageVisibilityBatch`), so that the queue's redrive policy decides when they
///   reach the dead-letter queue;
/// - while a batch is still being handled, its messages' visibility is extended, so a long
///   fan-out is never handed to another consumer.
///
/// Errors from SQS itself (throttling, network) are logged and retried with backoff; the
/// consumer never ends on them. On graceful shutdown the pollers start no new receive; a long
/// poll already open is not abandoned (SQS would go on waiting for it and hide whatever it
/// took for a whole visibility timeout): it ends within `waitTime`, and what it returns is
/// delivered like any batch. Batches in hand are finished and their acknowledged messages
/// deleted; nothing unacknowledged is deleted.
public struct SQSConsumer: Service {
    /// How the consumer polls and backs off.
    public struct Settings: Sendable {
        public var pollers: Int
        public var waitTime: Duration
        /// Asked for on receive and renewed while a batch is handled.
        public var visibilityTimeout: Duration
        /// How long one batch may be handled (its fan-out deadline).
        public var processingTime: Duration
        /// The first redelivery delay of an unacknowledged message; doubled per receive.
        public var retryBase: Duration
        public var retryCap: Duration

        public init(
            pollers: Int = 2, waitTime: Duration = .seconds(20), visibilityTimeout: Duration = .seconds(30),
            processingTime: Duration = .seconds(60), retryBase: Duration = .seconds(5), retryCap: Duration = .seconds(900)
        ) {
            self.pollers = pollers
            self.waitTime = waitTime
            self.visibilityTimeout = visibilityTimeout
            self.processingTime = processingTime
            self.retryBase = retryBase
            self.retryCap = retryCap
        }

        /// The redelivery delay after the `receiveCount`-th receive.
        func retryDelay(receiveCount: Int) -> Duration {
            let doublings = min(max(receiveCount - 1, 0), 20)
            return min(retryCap, retryBase * (1 << doublings))
        }
    }

    /// Handles one receive; answers, per message in order, whether it is acknowledged.
    public typealias Handler = @Sendable (_ messages: [SQSMessage], _ deadline: ContinuousClock.Instant) async -> [Bool]

    let client: SQSClient
    let queue: SQSQueue
    let settings: Settings
    let handler: Handler
    let logger: Logger
    let counters: Counters

    /// Per queue (dimension `queue`, the source's name): messages received, acknowledged,
    /// returned for another attempt, acknowledged but left undeleted, and failed polls.
    struct Counters {
        let received, acknowledged, returned, undeleted, pollErrors: Counter

        init(queue: String, factory: any MetricsFactory) {
            let dimensions = [("queue", queue)]
            received = Counter(label: "notification_router_sqs_received_total", dimensions: dimensions, factory: factory)
            acknowledged = Counter(label: "notification_router_sqs_acknowledged_total", dimensions: dimensions, factory: factory)
            returned = Counter(label: "notification_router_sqs_returned_total", dimensions: dimensions, factory: factory)
            undeleted = Counter(label: "notification_router_sqs_delete_failed_total", dimensions: dimensions, factory: factory)
            pollErrors = Counter(label: "notification_router_sqs_poll_errors_total", dimensions: dimensions, factory: factory)
        }
    }

    /// `name` is the source's name in routes.yaml (the metrics' `queue` dimension).
    public init(
        name: String, client: SQSClient, queue: SQSQueue, settings: Settings, metrics: any MetricsFactory = MetricsSystem.factory, logger: Logger,
        handler: @escaping Handler
    ) {
        self.client = client
        self.queue = queue
        self.settings = settings
        self.handler = handler
        var logger = logger
        logger[metadataKey: "router.queue"] = "\(queue.url)"
        self.logger = logger
        self.counters = Counters(queue: name, factory: metrics)
    }

    public func run() async throws {
        logger.info("consuming with \(settings.pollers) pollers")
        await withDiscardingTaskGroup { group in
            for _ in 0..<max(1, settings.pollers) {
                group.addTask { await poll() }
            }
        }
        logger.info("stopped consuming")
    }

    private func poll() async {
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let messages: [SQSMessage]
            do {
                // Not cancelled at graceful shutdown: see the type's comment.
                messages = try await client.receiveMessages(
                    from: queue, waitTime: settings.waitTime, visibilityTimeout: settings.visibilityTimeout,
                    deadline: .now + settings.waitTime + .seconds(10))
                failures = 0
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                failures += 1
                counters.pollErrors.increment()
                let pause = min(Duration.seconds(20), .milliseconds(200) * (1 << min(failures, 7)))
                logger.error("poll_failed: ReceiveMessage failed (\(failures) in a row), retrying in \(pause): \(error)")
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                continue
            }
            if !messages.isEmpty { await handle(messages) }
        }
    }

    private func handle(_ messages: [SQSMessage]) async {
        counters.received.increment(by: messages.count)
        let acknowledged = await withTaskGroup(of: [Bool]?.self) { group in
            group.addTask { await handler(messages, .now + settings.processingTime) }
            group.addTask { await keepInvisible(messages); return nil }
            var result: [Bool] = []
            for await answer in group {
                if let answer {
                    result = answer
                    group.cancelAll()
                }
            }
            return result
        }
        let done = zip(messages, acknowledged).filter(\.1).map(\.0)
        let again = zip(messages, acknowledged).filter { !$0.1 }.map(\.0)
        counters.acknowledged.increment(by: done.count)
        counters.returned.increment(by: again.count)
        await delete(done)
        guard !again.isEmpty else { return }
        do {
            let refused = try await client.changeVisibility(
                again, to: { settings.retryDelay(receiveCount: $0.receiveCount) }, in: queue, deadline: .now + .seconds(30))
            for (id, reason) in refused { logger.warning("visibility_not_changed: message \(id): \(reason)") }
            logger.notice("returned \(again.count) of \(messages.count) messages to the queue for another attempt")
        } catch {
            logger.error("return_failed: could not return \(again.count) messages (\(error)); they reappear after their visibility timeout")
        }
    }

    /// Deletes acknowledged messages, trying entries SQS refused twice more; what is still
    /// not deleted is counted and logged by message id (it will be delivered again).
    private func delete(_ messages: [SQSMessage]) async {
        var remaining = messages
        var reasons: [String: String] = [:]
        for attempt in 1...3 where !remaining.isEmpty {
            if attempt > 1 { try? await Task.sleep(for: .milliseconds(200) * attempt) }
            do {
                reasons = try await client.deleteMessages(remaining, from: queue, deadline: .now + .seconds(30))
            } catch {
                // The client has already retried the call itself.
                reasons = Dictionary(remaining.map { ($0.messageID, "\(error)") }) { first, _ in first }
                break
            }
            remaining = remaining.filter { reasons[$0.messageID] != nil }
        }
        counters.undeleted.increment(by: remaining.count)
        for message in remaining {
            logger.error("delete_failed: message \(message.messageID) was delivered but not deleted (\(reasons[message.messageID] ?? "?")); SQS will deliver it again")
        }
    }

    /// Renews the batch's visibility every half timeout until cancelled.
    private func keepInvisible(_ messages: [SQSMessage]) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: settings.visibilityTimeout / 2)
                _ = try await client.changeVisibility(messages, to: { _ in settings.visibilityTimeout }, in: queue, deadline: .now + .seconds(10))
            } catch {
                if Task.isCancelled { return }
                logger.warning("visibility_extension_failed: \(error)")
            }
        }
    }
}
