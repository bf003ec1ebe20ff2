import Logging

/// One route made runnable: its stages, the store its sink reads and prunes, and the sink.
/// ``deliver(_:messageID:deadline:logger:)`` takes a request from bytes to report:
/// parse → stages → audience → connections → sink → prune → report.
///
/// Guarantees: never throws and never traps on a bad request; every request ends in exactly
/// one ``DeliveryReport`` whose outcome is logged with the request and message ids (never
/// the payload); gone connections are pruned through the store, each key once.
public struct Pipeline: Sendable {
    public let route: String
    public let stages: [any FilterStage]
    public let store: any ConnectionStore
    public let sink: any Sink
    public let parser: RequestParser

    public init(route: String, stages: [any FilterStage], store: any ConnectionStore, sink: any Sink, parser: RequestParser = RequestParser()) {
        self.route = route
        self.stages = stages
        self.store = store
        self.sink = sink
        self.parser = parser
    }

    /// Delivers the request in `body` (an SNS `Message` or SQS `body`).
    public func deliver(
        _ body: some Collection<UInt8>, messageID: String? = nil, deadline: ContinuousClock.Instant, logger: Logger
    ) async -> DeliveryReport {
        var logger = logger
        logger[metadataKey: "router.route"] = "\(route)"
        if let messageID { logger[metadataKey: "router.message_id"] = "\(messageID)" }
        do {
            let request = try parser.parse(body)
            return await deliver(request, messageID: messageID, deadline: deadline, logger: logger)
        } catch {
            let report = DeliveryReport(route: route, messageID: messageID, outcome: .invalid(reason: error.reason))
            logger.warning("invalid_request: \(error.reason)")
            return report
        }
    }

    /// Delivers an already parsed request.
    public func deliver(
        _ request: NotificationRequest, messageID: String? = nil, deadline: ContinuousClock.Instant, logger: Logger
    ) async -> DeliveryReport {
        var logger = logger
        logger[metadataKey: "router.route"] = "\(route)"
        if let id = request.id { logger[metadataKey: "router.request_id"] = "\(id)" }
        var delivery = Delivery(request: request, context: DeliveryContext(route: route, messageID: messageID))
        var report = DeliveryReport(route: route, requestID: request.id, messageID: messageID, outcome: .completed)
        var passed: [any FilterStage] = []
        defer { log(report, logger: logger) }

        for stage in stages {
            do {
                switch try await stage.process(delivery) {
                case .pass(let changed):
                    delivery = changed
                    passed.append(stage)
                case .drop(let drop):
                    report.outcome = drop.isInvalid
                        ? .invalid(reason: "\(stage.name): \(drop.message)")
                        : .dropped(code: drop.code, message: drop.message)
                    await settle(passed, delivery, report)
                    return report
                }
            } catch {
                report.outcome = .retry(reason: "stage \(stage.name) failed: \(error)")
                await settle(passed, delivery, report)
                return report
            }
        }
        if !delivery.audience.pendingRooms.isEmpty {
            report.outcome = .invalid(reason: "the request names rooms but route '\(route)' has no rooms filter to expand them")
            await settle(passed, delivery, report)
            return report
        }

        let connections = AudienceResolver.connections(for: delivery.audience, in: store)
        let sinkReport = await sink.deliver(delivery.request.data, to: connections, deadline: deadline)
        report.absorb(sinkReport)
        if !sinkReport.gone.isEmpty {
            do {
                report.pruned = try await store.delete(sinkReport.gone)
            } catch {
                logger.error("prune_failed: could not delete \(sinkReport.gone.count) gone connections: \(error)")
            }
        }
        await settle(passed, delivery, report)
        return report
    }

    private func settle(_ stages: [any FilterStage], _ delivery: Delivery, _ report: DeliveryReport) async {
        for stage in stages { await stage.complete(delivery, acknowledged: !report.needsRetry) }
    }

    private func log(_ report: DeliveryReport, logger: Logger) {
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
        guard !sink.isComplete else { return }
        var reasons: [String] = []
        if let error = sink.readError { reasons.append("reading connections failed: \(error)") }
        if sink.forbidden > 0 { reasons.append("\(sink.forbidden) posts forbidden (403): check the endpoint, stage and IAM permissions") }
        if sink.failed > 0 { reasons.append("\(sink.failed) posts failed transiently") }
        if sink.skipped > 0 { reasons.append("\(sink.skipped) connections skipped at the deadline") }
        outcome = .retry(reason: reasons.joined(separator: "; "))
    }
}
