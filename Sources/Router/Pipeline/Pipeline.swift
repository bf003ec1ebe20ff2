import Logging

/// One route made runnable: its stages, the store its sink reads and prunes, and the sink.
/// It takes messages from bytes to reports: parse → stages → audience → connections → sink →
/// prune → report.
///
/// Guarantees: never throws and never traps on a bad request; every message ends in exactly
/// one ``DeliveryReport`` (in input order), whose outcome is logged with the request and
/// message ids (never the payload); within a batch the broadcasts scan the store once and
/// each distinct user is queried once; gone connections are pruned through the store, each
/// key once per batch; a request delivered again after a retry skips the connections its
/// earlier attempts in this process reached (``RedeliveryMemory``).
public struct Pipeline: Sendable {
    public let route: String
    public let stages: [any FilterStage]
    public let store: any ConnectionStore
    public let sink: any Sink
    public let parser: RequestParser
    /// What the source does with a request reported invalid.
    public let onInvalid: InvalidRequestPolicy
    /// The connections reached by requests that will come again.
    public let redelivery: RedeliveryMemory
    /// Cuts large requests into tasks for the route's work queue (`split:`); nil: none.
    public let split: Splitter?

    public init(
        route: String, stages: [any FilterStage], store: any ConnectionStore, sink: any Sink,
        onInvalid: InvalidRequestPolicy = .dlq, parser: RequestParser = RequestParser(), redelivery: RedeliveryMemory = RedeliveryMemory(),
        split: Splitter? = nil
    ) {
        self.route = route
        self.stages = stages
        self.store = store
        self.sink = sink
        self.onInvalid = onInvalid
        self.parser = parser
        self.redelivery = redelivery
        self.split = split
    }

    /// Whether the source must hand `report`'s message back (SQS: list it in
    /// `batchItemFailures`, leave it on the queue): a transient failure, or an invalid request
    /// on a route whose `on_invalid` is `dlq`, so that it reaches the dead-letter queue.
    public func mustReturn(_ report: DeliveryReport) -> Bool {
        report.needsRetry || (report.isInvalid && onInvalid == .dlq)
    }

    /// One message of a batch: the request's bytes (an SNS `Message`, an SQS `body`) and the
    /// source's message id.
    public struct Message: Sendable {
        public let body: [UInt8]
        public let messageID: String?

        public init(body: some Collection<UInt8>, messageID: String? = nil) {
            self.body = Array(body)
            self.messageID = messageID
        }
    }

    /// Delivers a batch of messages together, sharing the store reads; one report per
    /// message, in order. Every read, post and prune made for the batch ends by `deadline`
    /// (``RequestDeadline``); what the deadline cuts is reported for retry, and what was
    /// reached is remembered for the redelivery before anything else runs.
    public func deliver(_ messages: [Message], deadline: ContinuousClock.Instant, logger: Logger) async -> [DeliveryReport] {
        await RequestDeadline.$current.withValue(min(deadline, RequestDeadline.current ?? deadline)) {
            await deliverBounded(messages, deadline: deadline, logger: logger)
        }
    }

    private func deliverBounded(_ messages: [Message], deadline: ContinuousClock.Instant, logger: Logger) async -> [DeliveryReport] {
        var prepared: [Prepared] = []
        for message in messages {
            prepared.append(await prepare(message, logger: logger))
        }
        let ready = prepared.compactMap(\.ready)
        let reads = BatchReads(for: ready.filter(\.plan.isFanOut).map(\.delivery.audience), store: store)
        var targets: [ConnectionBatches?] = []
        var readers: [TaskReader?] = []
        for item in ready {
            var connections: ConnectionBatches
            switch item.plan {
            case .fanOut:
                connections = reads.connections(for: item.delivery.audience)
                readers.append(nil)
            case .run(let task, let splitter):
                let reader = splitter.reader(for: task, deadline: deadline)
                connections = reader.connections
                readers.append(reader)
            case .split:
                targets.append(nil)
                readers.append(nil)
                continue
            }
            if let key = item.redeliveryKey, let reached = await redelivery.reached(for: key) {
                item.logger.info("redelivery: skipping the \(reached.count) connections an earlier attempt reached")
                connections = connections.filter { !reached.contains($0.deliveryKey) }
            }
            targets.append(connections)
        }
        let sends = await sendSplits(ready, deadline: deadline)
        let sinkReports = await withTaskGroup(of: (Int, SinkReport).self) { group in
            for (index, item) in ready.enumerated() {
                guard let connections = targets[index] else { continue }
                group.addTask { (index, await sink.deliver(item.delivery.request.data, to: connections, deadline: deadline)) }
            }
            var reports = [SinkReport](repeating: SinkReport(), count: ready.count)
            for await (index, report) in group { reports[index] = report }
            return reports
        }
        var reports: [DeliveryReport] = []
        for (index, item) in ready.enumerated() {
            var report = item.report
            var reached = sinkReports[index].reached
            switch item.plan {
            case .fanOut:
                report.absorb(sinkReports[index])
            case .run(let task, let splitter):
                report.absorb(sinkReports[index])
                await continueTask(
                    task, after: readers[index], sinkReport: sinkReports[index], splitter, &report, deadline: deadline, logger: item.logger)
            case .split:
                reached = sends[index]?.accepted ?? []
                report.tasksCreated = reached.count
                if let failure = sends[index]?.failure { report.outcome = .retry(reason: failure) }
            }
            // Progress is kept first: whatever happens next, a retry skips what this attempt reached.
            if let key = item.redeliveryKey {
                if report.needsRetry { await redelivery.remember(key, reached: reached) } else { await redelivery.forget(key) }
            }
            reports.append(report)
        }
        let pruned = await prune(Set(sinkReports.flatMap(\.gone)), deadline: deadline, logger: logger)

        var finished: [DeliveryReport] = []
        var readyIndex = 0
        var credited = Set<Connection>()
        for item in prepared {
            switch item {
            case .finished(let report):
                finished.append(report)
            case .ready(let ready):
                var report = reports[readyIndex]
                // Each deleted connection is credited to the first request that found it gone,
                // so the batch's reports add up to the rows deleted.
                report.pruned = Set(sinkReports[readyIndex].gone).filter { pruned.contains($0) && credited.insert($0).inserted }.count
                readyIndex += 1
                await settle(ready.passed, ready.delivery, report)
                log(report, logger: ready.logger)
                finished.append(report)
            }
        }
        return finished
    }

    /// Delivers the request in `body` (an SNS `Message` or SQS `body`).
    public func deliver(
        _ body: some Collection<UInt8>, messageID: String? = nil, deadline: ContinuousClock.Instant, logger: Logger
    ) async -> DeliveryReport {
        await deliver([Message(body: body, messageID: messageID)], deadline: deadline, logger: logger)[0]
    }

    // MARK: - Steps

    enum Prepared {
        case finished(DeliveryReport)
        case ready(Ready)

        var ready: Ready? {
            if case .ready(let ready) = self { return ready }
            return nil
        }
    }

    struct Ready {
        let delivery: Delivery
        let passed: [any FilterStage]
        let report: DeliveryReport
        let logger: Logger
        /// The ``RedeliveryMemory`` key: the idempotency key and a hash of the request's
        /// bytes, so that an unrelated request reusing an `id` is never filtered.
        let redeliveryKey: String?
        var plan: Plan = .fanOut
    }

    /// What a ready delivery becomes.
    enum Plan {
        /// Posted by this process to the connections its audience reads.
        case fanOut
        /// Cut into tasks for the work queue (a large request on a split route).
        case split([WorkTask], Splitter)
        /// A task from the work queue, run by this process.
        case run(WorkTask, Splitter)

        var isFanOut: Bool {
            if case .fanOut = self { return true }
            return false
        }
    }

    /// Parses the message and runs the stages; the delivery is ready for the sink, or its
    /// report is final.
    private func prepare(_ message: Message, logger: Logger) async -> Prepared {
        var logger = logger
        logger[metadataKey: "router.route"] = "\(route)"
        if let messageID = message.messageID { logger[metadataKey: "router.message_id"] = "\(messageID)" }
        if WorkTask.isTask(message.body) { return prepareTask(message, logger: logger) }
        let request: NotificationRequest
        do {
            request = try parser.parse(message.body)
        } catch {
            let report = DeliveryReport(route: route, messageID: message.messageID, outcome: .invalid(reason: error.reason))
            log(report, logger: logger)
            return .finished(report)
        }
        if let id = request.id { logger[metadataKey: "router.request_id"] = "\(id)" }
        var delivery = Delivery(request: request, context: DeliveryContext(route: route, messageID: message.messageID))
        var report = DeliveryReport(route: route, requestID: request.id, messageID: message.messageID, outcome: .completed)
        var passed: [any FilterStage] = []
        for stage in stages {
            let decision: StageDecision
            do {
                decision = try await stage.process(delivery)
            } catch {
                report.outcome = .retry(reason: "stage \(stage.name) failed: \(error)")
                return await finish(report, passed, delivery, logger)
            }
            switch decision {
            case .pass(let changed):
                delivery = changed
                passed.append(stage)
            case .drop(let drop):
                report.outcome = drop.isInvalid
                    ? .invalid(reason: "\(stage.name): \(drop.message)")
                    : .dropped(code: drop.code, message: drop.message)
                return await finish(report, passed, delivery, logger)
            }
        }
        if !delivery.audience.pendingRooms.isEmpty {
            report.outcome = .invalid(reason: "the request names rooms but route '\(route)' has no rooms filter to expand them")
            return await finish(report, passed, delivery, logger)
        }
        let bodyHash = String(StableHash.fnv1a(message.body), radix: 16)
        let redeliveryKey = delivery.idempotencyKey.map { "\($0)#\(bodyHash)" }
        var ready = Ready(delivery: delivery, passed: passed, report: report, logger: logger, redeliveryKey: redeliveryKey)
        if let split, let tasks = split.cut(delivery.audience, request: message.body, origin: delivery.idempotencyKey ?? bodyHash) {
            ready.plan = .split(tasks, split)
        }
        return .ready(ready)
    }

    func finish(_ report: DeliveryReport, _ passed: [any FilterStage], _ delivery: Delivery, _ logger: Logger) async -> Prepared {
        await settle(passed, delivery, report)
        log(report, logger: logger)
        return .finished(report)
    }

    private func settle(_ stages: [any FilterStage], _ delivery: Delivery, _ report: DeliveryReport) async {
        for stage in stages { await stage.complete(delivery, acknowledged: !report.needsRetry) }
    }

    func log(_ report: DeliveryReport, logger: Logger) {
        let counts = "delivered=\(report.delivered) gone=\(report.gone) pruned=\(report.pruned) throttled=\(report.throttled) "
            + "forbidden=\(report.forbidden) rejected=\(report.rejected) failed=\(report.failed) skipped=\(report.skipped)"
        switch report.outcome {
        case .completed: logger.info("delivered: \(counts)")
        case .dropped(let code, let message): logger.notice("dropped \(code): \(message)")
        case .invalid(let reason): logger.warning("invalid_request: \(reason)")
        case .retry(let reason): logger.error("will_retry: \(reason); \(counts)")
        }
    }
}

extension DeliveryReport {
    /// Adds a sink's counts and derives the outcome from them.
    mutating func absorb(_ sink: SinkReport) {
        delivered += sink.delivered
        gone += sink.gone.count
        throttled += sink.throttled
        forbidden += sink.forbidden
        rejected += sink.rejected
        failed += sink.failed
        skipped += sink.skipped
        unreadAtDeadline = unreadAtDeadline || sink.unreadAtDeadline
        guard !sink.isComplete else { return }
        var reasons: [String] = []
        if let error = sink.readError { reasons.append("reading connections failed: \(error)") }
        if sink.forbidden > 0 { reasons.append("\(sink.forbidden) posts refused as a setup error (401, 403, 404): check the endpoint, stage and IAM permissions") }
        if sink.failed > 0 { reasons.append("\(sink.failed) posts failed transiently") }
        if sink.skipped > 0 || sink.unreadAtDeadline {
            reasons.append("\(sink.skipped) connections skipped at the deadline" + (sink.unreadAtDeadline ? ", and the rest of the table not read" : ""))
        }
        outcome = .retry(reason: reasons.joined(separator: "; "))
    }
}
